// 培训/人社 view: seed KPIs against their targets, unmet demand by occupation × district, shortage
// occupations, course demand. Needs a trainer, office or admin key.
import { api } from "./api.js";
import { kpiGauge, unmetHeatmap, shortageBars, courseBars, clear as clearChart } from "./charts.js";
import { ROLE_LABELS } from "./catalog.js";
import { $, el, num, pct, status, table } from "./util.js";

const ALLOWED = ["trainer", "office", "admin"];
const KPI_KEYS = ["training_industry_match", "employment_rate", "priority_group_share"];
const KPI_NOTES = {
  training_industry_match: "培训课程所属职业在本市有在招岗位的培训记录占比",
  employment_rate: "完成培训的学员中已就业的占比",
  priority_group_share: "重点群体（农民工、高校毕业生、脱贫人口等）的培训记录占比",
};

let ctxRef = null;
let loadedFor = null; // the key role/subject the dashboard was loaded for
let visible = false;

export function init(ctx) {
  ctxRef = ctx;
  $("#demand-form").addEventListener("submit", (e) => { e.preventDefault(); loadDemand(); });
}

export function onKey(ctx) {
  loadedFor = null;
  const role = ctx.role();
  const note = $("#office-key-note");
  note.classList.toggle("ok", ALLOWED.includes(role));
  if (ALLOWED.includes(role)) {
    note.textContent = `以${ROLE_LABELS[role]}「${ctx.me.subject}」身份查看全市汇总数据（不含个人信息）。`;
  } else {
    note.textContent = "此页面需要培训机构、人社办公室或管理员的密钥（在页面上方「角色/密钥」中粘贴）。";
    $("#office-body").hidden = true;
    status($("#office-status"), "");
  }
  if (visible) show(ctx);
}

export function show(ctx) {
  visible = true;
  const role = ctx.role();
  if (!ALLOWED.includes(role)) return;
  const who = `${role}:${ctx.me.subject}`;
  if (loadedFor === who) return;
  loadedFor = who;
  loadAll();
}

// hidden views do not need their charts redrawn; app.js resizes them when shown
window.addEventListener("hashchange", () => { visible = location.hash.startsWith("#/office"); });

async function loadAll() {
  const st = $("#office-status");
  status(st, "正在加载汇总数据…", "loading");
  $("#office-body").hidden = false;
  try {
    const [kpis, courses] = await Promise.all([
      api("/api/office/kpis"),
      api("/api/office/course-demand", { params: { top_k: 100 } }),
    ]);
    renderKpis(kpis);
    renderCourses(courses);
    await loadDemand();
    status(st, "");
  } catch (err) {
    loadedFor = null;
    status(st, err.message, "error");
    $("#office-body").hidden = true;
  }
}

function renderKpis(kpis) {
  const cards = KPI_KEYS.map((key) => {
    const k = kpis[key];
    const chart = el("div", { class: "kpi-chart", role: "img", "aria-label": `${k.label} ${pct(k.value)}，目标 ${pct(k.target, 0)}` });
    const card = el("div", { class: "kpi", dataset: { kpi: key } },
      el("h4", {}, k.label),
      chart,
      el("div", { class: "kpi-line" },
        k.value == null ? el("span", { class: "tag" }, "无数据")
          : el("span", { class: k.meets_target ? "tag ok" : "tag bad" }, k.meets_target ? "达标" : "未达标"),
        el("span", { class: "muted" }, `目标 ≥ ${pct(k.target, 0)}（红线）`)),
      el("p", { class: "hint" }, KPI_NOTES[key]));
    return { card, chart, k };
  });
  $("#kpi-cards").replaceChildren(...cards.map((c) => c.card));
  for (const { chart, k } of cards) kpiGauge(chart, { value: k.value, target: k.target, meets: k.meets_target });
  const c = kpis.counts || {};
  $("#kpi-counts").textContent = `依据：培训记录 ${num(c.training_records, 0)} 条，完成培训 ${num(c.completed_trainees, 0)} 人，`
    + `其中已就业 ${num(c.placed_trainees, 0)} 人。`;
}

async function loadDemand() {
  const radius = Number($("#d-radius").value) || 30;
  if (radius <= 0 || radius > 500) {
    status($("#office-status"), "供给统计半径应在 1–500 公里之间。", "error");
    $("#d-radius").focus();
    return;
  }
  const chart = $("#chart-unmet");
  chart.setAttribute("aria-busy", "true");
  try {
    const data = await api("/api/office/demand", { params: { top_k: 100, radius_km: radius } });
    renderDemand(data);
  } catch (err) {
    status($("#office-status"), err.message, "error");
  } finally {
    chart.removeAttribute("aria-busy");
  }
}

/** The heat map keeps the occupations and districts with the largest gaps, so it stays legible. */
function focusRows(rows, maxOcc = 12, maxDist = 14) {
  const sum = (key) => {
    const m = new Map();
    for (const r of rows) m.set(r[key], (m.get(r[key]) || 0) + r.unmet);
    return new Set([...m].sort((a, b) => b[1] - a[1]).map(([k]) => k));
  };
  const occs = new Set([...sum("name")].slice(0, maxOcc));
  const dists = new Set([...sum("district")].slice(0, maxDist));
  return rows.filter((r) => occs.has(r.name) && dists.has(r.district));
}

function renderDemand(data) {
  const unmet = data.unmet || [];
  if (unmet.length) {
    unmetHeatmap($("#chart-unmet"), focusRows(unmet));
  } else {
    clearChart($("#chart-unmet"), `在 ${num(data.radius_km, 0)} 公里供给半径内，每个在招岗位附近都有足够的合格学员。`);
  }
  $("#tbl-unmet").replaceChildren(table([
    { key: "name", label: "职业" }, { key: "district", label: "区县" },
    { key: "open_jobs", label: "在招岗位", num: true, format: (v) => num(v, 0) },
    { key: "qualified_nearby", label: "附近合格学员", num: true, format: (v) => num(v, 0) },
    { key: "unmet", label: "缺口", num: true, format: (v) => num(v, 0) },
    { key: "min_level", label: "最低等级" },
  ], unmet));
  const shortage = data.shortage || [];
  if (shortage.length) shortageBars($("#chart-shortage"), shortage);
  else clearChart($("#chart-shortage"), "暂无在招岗位。");
  $("#tbl-shortage").replaceChildren(table([
    { key: "name", label: "职业" }, { key: "occupation", label: "代码" },
    { key: "open_jobs", label: "在招岗位", num: true, format: (v) => num(v, 0) },
    { key: "certified_trainees", label: "持证学员", num: true, format: (v) => num(v, 0) },
    { key: "ratio", label: "比值", num: true, format: (v) => num(v, 2) },
  ], shortage));
}

function renderCourses(data) {
  const rows = data.results || [];
  if (rows.length) courseBars($("#chart-course"), rows);
  else clearChart($("#chart-course"), "暂无数据。");
  $("#tbl-course").replaceChildren(table([
    { key: "name", label: "职业" }, { key: "occupation", label: "代码" },
    { key: "open_jobs", label: "在招岗位", num: true, format: (v) => num(v, 0) },
    { key: "course_seats", label: "课程名额", num: true, format: (v) => num(v, 0) },
    { key: "certified_trainees", label: "持证学员", num: true, format: (v) => num(v, 0) },
  ], rows));
}
