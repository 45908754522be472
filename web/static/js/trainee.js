// 求职 view: a profile (typed in, or a stored trainee) → ranked jobs with reasons, the map, the skill gap.
import { api, ApiError, isMissingRoute } from "./api.js";
import { jobMap, loadChongqingMap, clear as clearChart } from "./charts.js";
import { occupationName } from "./catalog.js";
import {
  $, el, num, pay, date, splitList, intOrNull, floatOrNull, status, busy, fillLevels, contributionBar,
} from "./util.js";

const PRESETS = [
  { certs: [["消防设施操作员", "四级/中级工"]], district: "沙坪坝区", skills: "消防控制室值守", salary: 4500, exp: 1 },
  { certs: [["电工", "四级/中级工"]], district: "渝北区", skills: "电气设备维修", salary: 6000, exp: 3 },
  { certs: [["养老护理员", "五级/初级工"]], district: "九龙坡区", skills: "生活照料", salary: 4000, exp: 0 },
];

let ctxRef = null;
let stored = null; // {id, lon, lat, district} when a stored trainee's profile is in use
let lastRun = null; // {profile, options} of the last job search (the gap uses the same profile)
let gapTarget = { posting: null, postingTitle: null };
let adhocGapMissing = false; // the service has no ad-hoc gap endpoint: say so without asking again

const PROFILE_FIELDS = ["#f-district", "#f-skills", "#f-salary", "#f-exp"];

let certSeq = 0;

const CERT_TYPES = ["职业技能等级证书", "特种作业操作证", "特种设备作业人员证", "机动车驾驶证", "健康证", "职业资格证书",
  "专项职业能力证书", "其他"];
const SKILL = CERT_TYPES[0];
const ITEM_HINT = {
  特种作业操作证: "操作项目，如 低压电工作业、熔化焊接与热切割作业、登高架设作业",
  特种设备作业人员证: "项目代号，如 N1（叉车）、Q2（起重机司机）、T（电梯修理）",
  机动车驾驶证: "准驾车型，如 C1、C2、B2、A2",
  职业资格证书: "资格名称，如 教师资格、执业药师、护士执业资格",
  专项职业能力证书: "证书名称，如 小儿推拿",
  其他: "证书名称，如 民用无人机操控员执照、保安员证",
};

/** Number the certificate rows 1, 2, … (legends and delete buttons) after rows are added or removed. */
function renumber() {
  Array.from($("#cert-rows").children).forEach((row, i) => {
    row.querySelector(".cert-num").textContent = `证书 ${i + 1}`;
    row.querySelector("button").setAttribute("aria-label", `删除证书 ${i + 1}`);
  });
}

/** One certificate of any system: type, occupation and level (技能等级), item (licences), dates. */
function certRow(cert = {}) {
  const i = ++certSeq;
  const id = (k) => `cert-${k}-${i}`;
  const typeSelect = el("select", { id: id("type"), class: "cert-type" }, ...CERT_TYPES.map((t) => el("option", { value: t }, t)));
  typeSelect.value = cert.type || SKILL;
  const levelSelect = el("select", { id: id("level"), class: "cert-level" });
  fillLevels(levelSelect);
  levelSelect.value = cert.level || "";
  const field = (key, label, input) => el("div", { class: `cert-${key}-field` }, el("label", { for: id(key) }, label), input);
  const occ = el("input", { id: id("occ"), class: "cert-occ", list: "occupation-list", value: cert.occupation || "",
    autocomplete: "off", placeholder: "如 电工、叉车司机、6-31-01-03" });
  const item = el("input", { id: id("item"), class: "cert-item", list: "licence-list", value: cert.item || "", autocomplete: "off" });
  const issued = el("input", { id: id("issued"), class: "cert-issued", type: "month", value: (cert.issued_at || "").slice(0, 7) });
  const expires = el("input", { id: id("expires"), class: "cert-expires", type: "month", value: (cert.expires_at || "").slice(0, 7) });
  const row = el("div", { class: "cert-row" },
    el("span", { class: "cert-num" }, `证书 ${i}`),
    field("type", "类型", typeSelect),
    field("occ", "职业/工种", occ),
    field("level", "等级", levelSelect),
    field("item", "项目/准驾车型", item),
    field("issued", "发证年月", issued),
    field("expires", "有效期至（可不填）", expires),
    el("button", { type: "button", class: "small", "aria-label": "删除证书",
      onclick: () => { row.remove(); if (!$("#cert-rows").children.length) $("#cert-rows").append(certRow()); renumber(); } }, "删除"));
  const show = () => {
    const t = typeSelect.value;
    row.querySelector(".cert-level-field").hidden = t !== SKILL;
    row.querySelector(".cert-item-field").hidden = t === SKILL || t === "健康证";
    row.querySelector(".cert-occ-field").hidden = t !== SKILL;
    item.placeholder = ITEM_HINT[t] || "";
  };
  typeSelect.addEventListener("change", show);
  show();
  return row;
}

/** Rows from certificate objects, or from [occupation, level] pairs (the presets). */
function setCerts(certs) {
  const rows = (certs.length ? certs : [{}]).map((c) => certRow(Array.isArray(c) ? { occupation: c[0], level: c[1] } : c));
  $("#cert-rows").replaceChildren(...rows);
  renumber();
}

function readCerts() {
  return Array.from($("#cert-rows").children).map((row) => {
    const type = row.querySelector(".cert-type").value;
    const value = (sel) => row.querySelector(sel).value.trim() || null;
    const cert = { type, issued_at: value(".cert-issued"), expires_at: value(".cert-expires") };
    if (type === SKILL) Object.assign(cert, { occupation: value(".cert-occ"), level: value(".cert-level") });
    else if (type !== "健康证") cert.item = value(".cert-item");
    return Object.fromEntries(Object.entries(cert).filter(([, v]) => v != null));
  }).filter((c) => (c.type === SKILL ? c.occupation : c.type === "健康证" || c.item));
}

/** A certificate as the page shows it: 职业（等级） or 类型·项目. */
async function certLabel(c) {
  if ((c.type || SKILL) === SKILL) return `${await occupationName(c.occupation)}${c.level ? `（${c.level}）` : ""}`;
  return c.item ? `${c.type}·${c.item}` : c.type;
}

function setProfileLocked(locked) {
  for (const sel of PROFILE_FIELDS) $(sel).disabled = locked;
  for (const node of $("#cert-rows").querySelectorAll("input, select, button")) node.disabled = locked;
  $("#add-cert").disabled = locked;
  for (const b of document.querySelectorAll("[data-preset]")) b.disabled = locked;
}

function useAdhoc() {
  stored = null;
  $("#stored-badge").hidden = true;
  setProfileLocked(false);
}

async function useStored(profile) {
  const certs = await Promise.all((profile.certificates || []).map(async (c) => (
    (c.type || SKILL) === SKILL ? { ...c, occupation: await occupationName(c.occupation) } : c)));
  setCerts(certs);
  $("#f-district").value = profile.district || "";
  $("#f-skills").value = (profile.skills || []).join("、");
  $("#f-salary").value = profile.desired_salary ?? "";
  $("#f-exp").value = profile.experience_years ?? 0;
  stored = { id: profile.id, lon: profile.lon, lat: profile.lat, district: profile.district };
  setProfileLocked(true);
  const badge = $("#stored-badge");
  const back = el("button", { type: "button", class: "small", onclick: () => { useAdhoc(); $("#f-district").focus(); } }, "改用临时画像");
  badge.replaceChildren(el("span", {}, `正在使用已登记学员 ${profile.id} 的档案（证书与区县来自档案）。`), back);
  badge.hidden = false;
}

async function loadStoredList() {
  const select = $("#trainee-select");
  select.replaceChildren(el("option", { value: "" }, "正在加载学员列表…"));
  try {
    const data = await api("/api/trainees", { params: { top_k: 100 } });
    const opts = await Promise.all(data.results.map(async (t) => {
      const certs = await Promise.all((t.certificates || []).map(certLabel));
      return el("option", { value: t.id }, `${t.id} · ${t.district} · ${certs.join("、") || "无证书"}`);
    }));
    const whose = ctxRef?.role() === "trainer" ? "参加本机构课程的学员" : "";
    select.replaceChildren(el("option", { value: "" }, `请选择${whose}（共 ${num(data.total, 0)} 人，显示前 ${num(data.results.length, 0)} 人）`), ...opts);
    select._profiles = new Map(data.results.map((t) => [t.id, t]));
  } catch (err) {
    select.replaceChildren(el("option", { value: "" }, "学员列表加载失败"));
    status($("#profile-msg"), err.message, "error");
  }
}

export function init(ctx) {
  ctxRef = ctx;
  setCerts([]);
  $("#add-cert").addEventListener("click", () => {
    const row = certRow();
    $("#cert-rows").append(row);
    renumber();
    row.querySelector("input").focus();
  });
  for (const b of document.querySelectorAll("[data-preset]")) {
    b.addEventListener("click", () => {
      const p = PRESETS[Number(b.dataset.preset)];
      useAdhoc();
      setCerts(p.certs);
      $("#f-district").value = p.district;
      $("#f-skills").value = p.skills;
      $("#f-salary").value = p.salary;
      $("#f-exp").value = p.exp;
      $("#profile-msg").textContent = "";
    });
  }
  $("#load-trainee").addEventListener("click", async () => {
    const select = $("#trainee-select");
    const profile = select._profiles?.get(select.value);
    if (!profile) {
      status($("#profile-msg"), "请先从列表中选择一名学员。", "error");
      select.focus();
      return;
    }
    $("#profile-msg").textContent = "";
    await useStored(profile);
  });
  $("#profile-form").addEventListener("submit", (e) => { e.preventDefault(); gapTarget = { posting: null }; findJobs(); });
  $("#gap-form").addEventListener("submit", (e) => { e.preventDefault(); gapTarget = { posting: null }; runGap(); });
}

export async function onKey(ctx) {
  const role = ctx.role();
  useAdhoc();
  $("#stored-box").hidden = !["trainer", "office", "admin"].includes(role);
  if (!$("#stored-box").hidden) loadStoredList();
  if (role === "trainee") {
    try {
      const record = await api(`/api/trainees/${encodeURIComponent(ctx.me.subject)}`);
      // only the profile: personal fields (name, phone …) are not needed here and are not kept
      const { id, district, lon, lat, certificates, skills, experience_years, desired_salary } = record;
      await useStored({ id, district, lon, lat, certificates, skills, experience_years, desired_salary });
    } catch (err) {
      status($("#profile-msg"), err.message, "error");
    }
  }
}

export function show() {}

function readOptions() {
  const radius = floatOrNull($("#f-radius").value);
  return {
    top_k: 20,
    radius_km: radius && radius > 0 ? radius : null,
    pay_floor: intOrNull($("#f-payfloor").value),
    personalised: !$("#f-nonpers").checked,
  };
}

function readProfile() {
  return {
    district: $("#f-district").value.trim(),
    certificates: readCerts(),
    skills: splitList($("#f-skills").value),
    experience_years: floatOrNull($("#f-exp").value) ?? 0,
    desired_salary: intOrNull($("#f-salary").value),
  };
}

function clean(obj) {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null && v !== undefined && v !== ""));
}

function homeOf(profile) {
  if (stored && stored.lon != null && stored.lat != null) return { lon: stored.lon, lat: stored.lat, label: stored.district };
  const d = ctxRef.district(stored ? stored.district : profile.district);
  return d ? { lon: d.lon, lat: d.lat, label: d.name } : null;
}

async function findJobs() {
  const msg = $("#profile-msg");
  msg.textContent = "";
  const profile = readProfile();
  const options = readOptions();
  if (!stored && !profile.district) {
    status(msg, "请填写居住区县（如 沙坪坝区），用于估算通勤距离。", "error");
    $("#f-district").focus();
    return;
  }
  if (options.radius_km != null && options.radius_km > 500) {
    status(msg, "通勤半径最大 500 公里。", "error");
    $("#f-radius").focus();
    return;
  }
  const list = $("#job-list");
  const st = $("#jobs-status");
  status(st, "正在查找岗位…", "loading");
  await busy($("#find-jobs"), list, async () => {
    try {
      const data = stored
        ? await api(`/api/trainees/${encodeURIComponent(stored.id)}/jobs`, { method: "POST", body: clean(options) })
        : await api("/api/match/jobs", { method: "POST", body: clean({ ...options, ...profile }) });
      lastRun = { profile, options };
      await renderJobs(data, profile, options);
      runGap();
    } catch (err) {
      list.replaceChildren();
      status(st, err.message, "error");
      if (err instanceof ApiError && err.status === 422 && /区县/.test(err.message)) {
        status(msg, err.message, "error");
        $("#f-district").focus();
      }
      clearChart($("#job-map"), "");
    }
  });
}

async function renderJobs(data, profile, options) {
  const list = $("#job-list");
  const st = $("#jobs-status");
  const results = data.results || [];
  if (!results.length) {
    list.replaceChildren();
    status(st, `没有找到符合条件的岗位（半径与薪资筛选后剩 ${num(data.filtered_in, 0)} 个在招岗位）。`
      + "可以扩大通勤半径、降低最低月薪，或补充证书后再试。", "error");
  } else {
    const how = data.personalised
      ? `按匹配得分排序：从 ${num(data.filtered_in, 0)} 个在招岗位中评估了 ${num(data.considered, 0)} 个，显示前 ${num(results.length, 0)} 个。`
      : `非个性化排序（未使用画像）：按发布时间与薪资，显示前 ${num(results.length, 0)} 个。`;
    const far = data.beyond_commute ? `另有 ${num(data.beyond_commute, 0)} 个岗位单程通勤超过 ${num(data.max_commute_minutes, 0)} 分钟，未列出。` : "";
    status(st, [how, far, ...(data.notices || [])].filter(Boolean).join(" "));
    list.replaceChildren(...results.map(jobCard));
  }
  const home = homeOf(profile);
  await loadChongqingMap();
  jobMap($("#job-map"), {
    districts: ctxRef.districts,
    home,
    radiusKm: options.radius_km || null,
    maxCommute: data.max_commute_minutes,
    jobs: results.map((r) => ({ ...r.posting, rank: r.rank, score: r.score, distance_km: r.distance_km,
      commute_minutes: r.commute_minutes, beyond_commute: r.beyond_commute })),
  });
}

function jobCard(r) {
  const p = r.posting;
  const facts = [
    el("span", { class: "pay" }, pay(p.salary_min, p.salary_max)),
    r.distance_km != null ? el("span", {}, `距离约 ${num(r.distance_km)} 公里`) : null,
    r.commute_minutes != null ? el("span", {}, `通勤约 ${num(r.commute_minutes, 0)} 分钟`) : null,
    r.river_crossings ? el("span", {}, `过江 ${num(r.river_crossings, 0)} 次`) : null,
    p.shift ? el("span", {}, `班次：${p.shift}`) : null,
    p.posted_at ? el("span", {}, `发布于 ${date(p.posted_at)}`) : null,
  ];
  const reqs = (p.certificates || []).map((c) => el("span", { class: c.mandatory ? "tag warn" : "tag" },
    `${c.name}${c.level ? ` ${c.level}` : ""}${c.mandatory ? " · 持证上岗" : ""}`));
  return el("li", { class: "result job", dataset: { posting: p.id } },
    el("span", { class: "rank", "aria-label": `第 ${r.rank} 名` }, String(r.rank)),
    el("div", {}, el("div", { class: "title" }, p.title), el("div", { class: "sub" }, `${p.employer} · ${p.district} · 编号 ${p.id}`)),
    el("div", { class: "score" }, r.score == null ? el("strong", {}, "—") : el("strong", {}, num(r.score, 2)), r.score == null ? "非个性化" : "匹配得分"),
    el("div", { class: "body" },
      el("div", { class: "facts" }, facts),
      reqs.length ? el("div", {}, el("span", { class: "muted" }, "证书要求："), reqs) : null,
      r.reasons?.length ? el("ul", { class: "reasons", "aria-label": "匹配理由" }, r.reasons.map((t) => el("li", {}, t))) : null,
      r.missing?.length ? el("ul", { class: "missing", "aria-label": "尚缺条件" }, r.missing.map((t) => el("li", {}, t))) : null,
      contributionBar(r.contributions),
      el("div", { class: "more" },
        el("button", { type: "button", class: "small", onclick: () => { gapTarget = { posting: p.id, postingTitle: p.title }; runGap(); $("#gap-panel").scrollIntoView({ behavior: "smooth" }); } },
          "以此岗位为目标分析差距"))));
}

// --- skill gap ---------------------------------------------------------------------------------

const ADHOC_GAP_MISSING = "临时画像暂不能做技能差距分析（服务未提供 /api/match/gap）。"
  + "请使用学员本人的密钥，或用培训机构/人社密钥选择已登记学员。";

async function runGap() {
  const st = $("#gap-status");
  const body = $("#gap-body");
  const profile = lastRun ? lastRun.profile : readProfile();
  const radius = (lastRun ? lastRun.options : readOptions()).radius_km;
  const targetOcc = $("#g-occupation").value.trim() || null;
  const target = gapTarget.posting ? { target_posting: gapTarget.posting } : { target_occupation: targetOcc };
  if (!stored && !profile.district) {
    status(st, "请先在上方填写居住区县并查找岗位。", "error");
    return;
  }
  if (!stored && adhocGapMissing) {
    body.replaceChildren();
    status(st, ADHOC_GAP_MISSING, "error");
    return;
  }
  status(st, gapTarget.posting ? `正在分析与岗位“${gapTarget.postingTitle}”的差距…` : "正在分析技能差距…", "loading");
  await busy(null, body, async () => {
    try {
      const data = stored
        ? await api(`/api/trainees/${encodeURIComponent(stored.id)}/gap`, { params: clean({ ...target, radius_km: radius }) })
        : await api("/api/match/gap", { method: "POST", body: clean({ ...profile, ...target, radius_km: radius }) });
      renderGap(data);
    } catch (err) {
      body.replaceChildren();
      if (!stored && isMissingRoute(err)) {
        adhocGapMissing = true;
        status(st, ADHOC_GAP_MISSING, "error");
      } else {
        status(st, err.message, "error");
      }
    }
  });
}

function renderGap(data) {
  const st = $("#gap-status");
  const body = $("#gap-body");
  status(st, "");
  const summary = el("p", { class: "summary-line" },
    `目标：${data.target}。目标岗位 `, el("strong", {}, num(data.target_jobs, 0)), " 个，您目前符合 ",
    el("strong", {}, num(data.qualified_now, 0)), " 个。");
  const items = data.missing || [];
  const max = Math.max(1, ...items.map((m) => m.unlocks_jobs));
  const list = items.length
    ? el("ol", { class: "gap", "aria-label": "缺少的证书，按可解锁岗位数排序" }, items.map((m, i) => el("li", { class: "gap-item" },
      el("div", { class: "gap-head" },
        el("strong", {}, `${i + 1}. 补证：${m.label}`),
        el("span", { class: "unlock-bar", "aria-hidden": "true" }, el("span", { style: { width: `${(100 * m.unlocks_jobs) / max}%` } })),
        el("span", { class: "tag ok" }, `可解锁 ${num(m.unlocks_jobs, 0)} 个岗位`)),
      m.courses?.length
        ? el("ul", { class: "courses", "aria-label": "可补上的课程" }, m.courses.map(courseItem))
        : el("p", { class: "muted" }, "附近暂无对应课程：可咨询区县人社部门，或关注线上课程。"))))
    : el("p", { class: "muted" }, data.target_jobs
      ? "没有能通过补证解锁的岗位：您已符合目标岗位的证书要求，或这些岗位不要求证书。"
      : "目标范围内没有在招岗位，可以扩大半径或换一个目标职业。");
  const skills = data.missing_skills || [];
  const chips = skills.length
    ? el("div", {}, el("h4", {}, "目标岗位常要求、您尚未填写的技能"),
      el("div", { class: "chips" }, skills.map((s) => el("span", { class: "tag" }, `${s.skill} · ${num(s.in_jobs, 0)} 个岗位`))))
    : null;
  body.replaceChildren(summary, list, chips || "");
}

function courseItem(c) {
  const bits = [c.provider, c.district, c.distance_km != null ? `距离约 ${num(c.distance_km)} 公里` : null, c.format,
    c.hours != null ? `${num(c.hours, 0)} 学时` : null, c.level, c.start_date ? `${date(c.start_date)}开课` : null].filter(Boolean);
  return el("li", { class: "course" },
    el("strong", {}, c.title), " ", c.subsidised ? el("span", { class: "tag ok" }, "政府补贴") : null,
    el("div", { class: "muted" }, bits.join(" · ")),
    el("div", { class: "whatif" }, c.what_if || `完成后可匹配岗位 +${num(c.extra_jobs, 0)} 个`));
}
