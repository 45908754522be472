// 招聘 view: own postings (or one by id), posting lint, publishing, consenting candidates (masked, audited).
import { api, ApiError } from "./api.js";
import { occupationName } from "./catalog.js";
import {
  $, el, num, pay, date, todayIso, splitList, intOrNull, floatOrNull, status, busy, fillLevels, contributionBar,
} from "./util.js";

let ctxRef = null;

const CAN_SEARCH = ["employer", "office", "admin"];
const CAN_POST = ["employer", "admin"];

export function init(ctx) {
  ctxRef = ctx;
  fillLevels($("#p-level"), { none: "不限等级" });
  $("#posting-id-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const id = $("#posting-id").value.trim();
    if (!id) {
      status($("#emp-posts-status"), "请输入岗位编号。", "error");
      $("#posting-id").focus();
      return;
    }
    selectPosting(id);
  });
  $("#lint-btn").addEventListener("click", () => lintDraft());
  $("#post-form").addEventListener("submit", (e) => { e.preventDefault(); publish(); });
  $("#cand-text-form").addEventListener("submit", (e) => { e.preventDefault(); searchByText(); });
}

export function show() {}

export async function onKey(ctx) {
  const role = ctx.role();
  const note = $("#emp-key-note");
  note.classList.remove("ok");
  $("#p-employer-box").hidden = role !== "admin";
  $("#emp-posts").replaceChildren();
  if (role === "employer") {
    note.textContent = `以用人单位「${ctx.me.subject}」的身份操作：可发布岗位、检索候选人。`;
    note.classList.add("ok");
    loadOwnPostings(ctx.me.subject);
  } else if (role === "office" || role === "admin") {
    note.textContent = `以${role === "office" ? "人社办公室" : "管理员"}身份操作：输入岗位编号可查看任一岗位的候选人${role === "admin" ? "，也可代用人单位发布岗位" : ""}。`;
    note.classList.add("ok");
    status($("#emp-posts-status"), "输入岗位编号查看。");
  } else {
    note.textContent = "检索候选人和发布岗位需要用人单位密钥（在页面上方「角色/密钥」中粘贴）。合规检查和查看公开岗位无需密钥。";
    status($("#emp-posts-status"), "输入岗位编号可查看公开的岗位详情与合规检查。");
  }
}

async function loadOwnPostings(employer) {
  const st = $("#emp-posts-status");
  status(st, "正在加载本单位岗位…", "loading");
  try {
    const data = await api("/api/postings", { params: { employer, status: "open", top_k: 100 } });
    if (!data.results.length) {
      status(st, "本单位暂无在招岗位，可在右侧发布新岗位。");
      return;
    }
    status(st, `在招岗位 ${num(data.total, 0)} 个，点选查看候选人：`);
    $("#emp-posts").replaceChildren(...data.results.map((p) => el("li", {},
      el("button", { type: "button", "aria-pressed": "false", dataset: { posting: p.id }, onclick: () => selectPosting(p.id) },
        `${p.title} · ${p.district} · ${p.id}`))));
  } catch (err) {
    status(st, err.message, "error");
  }
}

function markSelected(id) {
  for (const b of document.querySelectorAll("#emp-posts button")) b.setAttribute("aria-pressed", String(b.dataset.posting === id));
}

async function selectPosting(id) {
  markSelected(id);
  const panel = $("#posting-detail");
  const body = $("#posting-body");
  panel.hidden = false;
  body.replaceChildren(el("p", { class: "status loading" }, "正在加载岗位…"));
  let posting;
  try {
    posting = await api(`/api/postings/${encodeURIComponent(id)}`);
  } catch (err) {
    body.replaceChildren(el("p", { class: "status error" }, err.message));
    return;
  }
  body.replaceChildren(await postingDetail(posting));
  const role = ctxRef.role();
  if (CAN_SEARCH.includes(role)) {
    if (role === "employer" && posting.employer !== ctxRef.me.subject) {
      status($("#cand-status"), `岗位 ${posting.id} 不属于本单位，不能检索其候选人。`, "error");
      $("#cand-list").replaceChildren();
      return;
    }
    searchForPosting(posting.id);
  } else {
    status($("#cand-status"), "检索候选人需要用人单位密钥。", "error");
    $("#cand-list").replaceChildren();
  }
}

/** A required certificate as text: 职业 等级 or 类型·项目, with 持证上岗/优先 and its alternative group. */
async function requirementLabel(c) {
  const what = (c.type || "职业技能等级证书") === "职业技能等级证书"
    ? `${await occupationName(c.occupation)}${c.level ? ` ${c.level}` : ""}`
    : (c.item ? `${c.type}·${c.item}` : c.type);
  return `${what}（${c.mandatory ? "持证上岗" : "优先"}${c.group ? `，可替代组 ${c.group}` : ""}）`;
}

const SOURCE = { stated: "单位填写", extracted: "从描述读取，请确认" };

async function postingDetail(p) {
  const req = p.requirements || {};
  const certs = await Promise.all((req.certificates || []).map(requirementLabel));
  const from = (field) => (p.provenance?.[field] ? `〔${SOURCE[p.provenance[field]]}〕` : "");
  const rows = [
    ["岗位", `${p.title}（编号 ${p.id}）`], ["用人单位", p.employer], ["区县", p.district + (p.address ? ` · ${p.address}` : "")],
    ["薪资", pay(p.salary_min, p.salary_max)], ["班次", (p.shift || "—") + from("shift")],
    ["证书要求", (certs.join("；") || "无") + from("requirements.certificates")],
    ["经验要求", `${req.min_experience_years ? `${num(req.min_experience_years)} 年` : "不限"}${from("requirements.min_experience_years")}`],
    ["学历要求", (req.education || "—") + from("requirements.education")],
    ["技能要求", (req.skills || []).join("、") || "—"], ["发布日期", date(p.posted_at)],
    ["状态", p.status === "open" ? "在招" : "已关闭"], ["描述", p.description || "—"],
  ];
  return el("div", {},
    el("dl", { class: "kv" }, rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
    lintView(p.lint || []));
}

function lintView(findings) {
  if (!findings.length) return el("div", { class: "lint" }, el("p", { class: "good" }, "✓ 合规检查：未发现歧视性内容。"));
  return el("div", { class: "lint" },
    el("p", { class: "bad" }, `✗ 合规检查：发现 ${num(findings.length, 0)} 处歧视性表述，发布前须修改：`),
    el("ul", {}, findings.map((f) => el("li", {}, el("strong", {}, `“${f.phrase}”`), `：${f.message}`))));
}

function draft() {
  const skills = splitList($("#p-skills").value);
  return {
    title: $("#p-title").value.trim(),
    description: $("#p-desc").value.trim(),
    skills,
  };
}

/** What the service reads from the draft's text — shown before saving, so the employer can correct it. */
async function extractView(res, statedCert) {
  const req = res.requirements;
  const certs = await Promise.all(req.certificates.map(requirementLabel));
  const items = [
    ["证书", statedCert ? "以上方填写的证书为准（描述中读取的不采用）" : (certs.join("；") || "未读到证书要求")],
    ["经验", req.min_experience_years != null ? `${num(req.min_experience_years)} 年以上` : "未读到"],
    ["学历", req.education || "未读到"], ["班次", res.shift || "未读到"], ["福利", res.benefits.join("、") || "未读到"],
  ];
  const spans = res.spans.filter((s) => s.field === "certificates").map((s) => `“${s.text}”`);
  return el("div", { class: "extract", id: "extract-result" },
    el("p", {}, "从岗位描述中读取的要求（未填写结构化要求时按此匹配，发布后可在岗位详情中看到来源）："),
    el("dl", { class: "kv" }, items.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
    spans.length ? el("p", { class: "muted" }, `原文：${spans.join("、")}`) : null);
}

async function lintDraft() {
  const out = $("#lint-result");
  const d = draft();
  if (!d.title && !d.description) {
    out.replaceChildren(el("p", { class: "error" }, "请先填写岗位名称或描述。"));
    $("#p-title").focus();
    return null;
  }
  out.replaceChildren(el("p", { class: "status loading" }, "正在检查…"));
  try {
    const [res, read] = await Promise.all([
      api("/api/lint", { method: "POST", body: d }),
      api("/api/extract", { method: "POST", body: { title: d.title, text: d.description, skills: d.skills } }),
    ]);
    out.replaceChildren(lintView(res.findings), await extractView(read, Boolean($("#p-cert").value.trim())));
    return res;
  } catch (err) {
    out.replaceChildren(el("p", { class: "error" }, err.message));
    return null;
  }
}

async function publish() {
  const out = $("#lint-result");
  const role = ctxRef.role();
  if (!CAN_POST.includes(role)) {
    out.replaceChildren(el("p", { class: "error" }, "发布岗位需要用人单位密钥（在页面上方「角色/密钥」中粘贴）。"));
    return;
  }
  const d = draft();
  const district = $("#p-district").value.trim();
  const employer = role === "employer" ? ctxRef.me.subject : $("#p-employer").value.trim();
  const missing = [];
  if (!d.title) missing.push(["#p-title", "岗位名称"]);
  if (!district) missing.push(["#p-district", "工作区县"]);
  if (!employer) missing.push(["#p-employer", "用人单位"]);
  if (missing.length) {
    out.replaceChildren(el("p", { class: "error" }, `请填写：${missing.map((m) => m[1]).join("、")}。`));
    $(missing[0][0]).focus();
    return;
  }
  const occ = $("#p-cert").value.trim();
  const body = {
    id: `WEB-${Date.now().toString(36).toUpperCase()}`,
    title: d.title, employer, district, description: d.description,
    // no certificate typed in: leave the field out, so the service reads the requirements from the description
    requirements: {
      ...(occ ? { certificates: [{ occupation: occ, level: $("#p-level").value || null, mandatory: $("#p-mandatory").checked }] } : {}),
      skills: d.skills,
    },
    salary_min: intOrNull($("#p-salary-min").value),
    salary_max: intOrNull($("#p-salary-max").value),
    shift: $("#p-shift").value.trim() || null,
    posted_at: todayIso(),
    status: "open",
  };
  await busy($("#publish-btn"), $("#post-form"), async () => {
    const lint = await lintDraft();
    if (lint && !lint.ok) return; // the findings are on screen; the API would refuse it anyway
    out.append(el("p", { class: "status loading" }, "正在发布…"));
    try {
      const res = await api("/api/postings", { method: "POST", body });
      out.replaceChildren(el("p", { class: "msg ok" }, `已发布岗位 ${res.record.id}，现在可以检索候选人。`),
        ...Array.from(out.querySelectorAll("#extract-result")));
      if (role === "employer") await loadOwnPostings(employer);
      await selectPosting(res.record.id);
    } catch (err) {
      out.replaceChildren(el("p", { class: "error" }, err.message));
    }
  });
}

// --- candidates --------------------------------------------------------------------------------

async function searchForPosting(id) {
  const st = $("#cand-status");
  status(st, "正在检索候选人…", "loading");
  await busy(null, $("#cand-list"), async () => {
    try {
      const data = await api(`/api/postings/${encodeURIComponent(id)}/candidates`, { params: { top_k: 20 } });
      renderCandidates(data, id);
    } catch (err) {
      $("#cand-list").replaceChildren();
      status(st, err.message, "error");
    }
  });
}

async function searchByText() {
  const st = $("#cand-status");
  const text = $("#c-text").value.trim();
  if (!CAN_SEARCH.includes(ctxRef.role())) {
    status(st, "检索候选人需要用人单位密钥（在页面上方「角色/密钥」中粘贴）。", "error");
    return;
  }
  if (!text) {
    status(st, "请填写岗位描述，例如“消防控制室值班，持消防设施操作员中级证”。", "error");
    $("#c-text").focus();
    return;
  }
  markSelected(null);
  const radius = floatOrNull($("#c-radius").value);
  const body = { text, top_k: 20 };
  if ($("#c-district").value.trim()) body.district = $("#c-district").value.trim();
  if (radius) body.radius_km = radius;
  status(st, "正在检索候选人…", "loading");
  await busy(null, $("#cand-list"), async () => {
    try {
      renderCandidates(await api("/api/match/candidates", { method: "POST", body }), null);
    } catch (err) {
      $("#cand-list").replaceChildren();
      status(st, err.message, "error");
    }
  });
}

function renderCandidates(data, postingId) {
  const st = $("#cand-status");
  const results = data.results || [];
  const p = data.posting || {};
  const what = postingId ? `岗位“${p.title}”（${p.id}）` : `岗位描述“${p.title}”`;
  if (!results.length) {
    $("#cand-list").replaceChildren();
    status(st, `${what}：在 ${num(data.consenting_pool, 0)} 名同意被搜索的学员中没有符合条件的候选人（持证上岗要求是硬性条件）。`, "error");
    return;
  }
  status(st, `${what}：从 ${num(data.consenting_pool, 0)} 名同意被搜索的学员中评估了 ${num(data.considered, 0)} 名，显示前 ${num(results.length, 0)} 名。`);
  $("#cand-list").replaceChildren(...results.map((r) => candidateCard(r, postingId)));
}

function candidateCard(r, postingId) {
  const t = r.trainee;
  const c = t.contact || {};
  const contact = c.released
    ? el("span", { class: "tag ok" }, "已同意公开联系方式")
    : el("span", { class: "tag" }, "已脱敏");
  const facts = [
    el("span", {}, "联系方式：", el("span", { class: "contact" }, `${c.name || "—"} · ${c.phone || "—"}`), " ", contact),
    r.distance_km != null ? el("span", {}, `距离约 ${num(r.distance_km)} 公里`) : null,
    r.commute_minutes != null ? el("span", {}, `通勤约 ${num(r.commute_minutes, 0)} 分钟`) : null,
    t.experience_years != null ? el("span", {}, `工作 ${num(t.experience_years)} 年`) : null,
  ];
  const canAsk = postingId && ctxRef.role() === "employer" && !c.released;
  const askBtn = canAsk ? el("button", { type: "button", class: "small" }, "请求联系") : null;
  const askMsg = el("span", { class: "muted", role: "status" });
  askBtn?.addEventListener("click", async () => {
    askBtn.disabled = true;
    askMsg.textContent = "正在发送…";
    try {
      const req = await api(`/api/postings/${encodeURIComponent(postingId)}/candidates/${encodeURIComponent(t.id)}/contact-request`,
        { method: "POST", body: { message: "您好，您的证书与我们的岗位匹配，方便联系吗？" } });
      askMsg.textContent = req.status === "accepted" ? "学员已同意，刷新后显示联系方式。" : "已发送联系请求，等待学员确认后才会公开电话。";
    } catch (err) {
      askMsg.textContent = err instanceof ApiError ? err.message : String(err);
      askBtn.disabled = false;
    }
  });
  return el("li", { class: "result candidate", dataset: { trainee: t.id } },
    el("span", { class: "rank", "aria-label": `第 ${r.rank} 名` }, String(r.rank)),
    el("div", {}, el("div", { class: "title" }, `候选人 ${t.id}`),
      el("div", { class: "sub" }, `居住 ${t.district} · 证书：${(t.certificates || []).join("、") || "无"}`)),
    el("div", { class: "score" }, el("strong", {}, num(r.score, 2)), "匹配得分"),
    el("div", { class: "body" },
      el("div", { class: "facts" }, facts),
      t.skills?.length ? el("div", { class: "muted" }, `技能：${t.skills.join("、")}`) : null,
      r.reasons?.length ? el("ul", { class: "reasons", "aria-label": "匹配理由" }, r.reasons.map((x) => el("li", {}, x))) : null,
      r.missing?.length ? el("ul", { class: "missing", "aria-label": "尚缺条件" }, r.missing.map((x) => el("li", {}, x))) : null,
      contributionBar(r.contributions),
      askBtn ? el("div", { class: "more" }, askBtn, askMsg) : null));
}
