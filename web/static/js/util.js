// DOM building from text nodes only (API data never becomes markup), and Chinese number and date formats.

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k === "style" && typeof v === "object") Object.assign(node.style, v);
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

const NUM = new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 1 });
const INT = new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 0 });
const DATE = new Intl.DateTimeFormat("zh-CN", { year: "numeric", month: "long", day: "numeric" });

export function num(n, digits) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return "—";
  if (digits === 0) return INT.format(Number(n));
  return digits === undefined ? NUM.format(Number(n))
    : Number(n).toLocaleString("zh-CN", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function pct(v, digits = 1) {
  if (v === null || v === undefined) return "—";
  return `${(Number(v) * 100).toLocaleString("zh-CN", { maximumFractionDigits: digits })}%`;
}

export function pay(min, max) {
  if (min == null && max == null) return "薪资面议";
  if (min != null && max != null && min !== max) return `${num(min, 0)}–${num(max, 0)} 元/月`;
  return `${num(min ?? max, 0)} 元/月`;
}

/** 'YYYY-MM-DD' → '2025年11月10日' (as a calendar date, no time zone shift). */
export function date(iso) {
  if (!iso) return "—";
  const [y, m, d] = String(iso).slice(0, 10).split("-").map(Number);
  if (!y || !m || !d) return String(iso);
  return DATE.format(new Date(y, m - 1, d));
}

export function todayIso() {
  const t = new Date();
  const p = (n) => String(n).padStart(2, "0");
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}`;
}

/** '保洁、消毒, 照料' → ['保洁', '消毒', '照料'] */
export function splitList(text) {
  return String(text || "").split(/[、,，;；|\s]+/).map((s) => s.trim()).filter(Boolean);
}

export function intOrNull(value) {
  if (value === "" || value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? Math.round(n) : null;
}

export function floatOrNull(value) {
  if (value === "" || value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Loading / error / info state of a status line. */
export function status(node, text, kind = "info") {
  node.textContent = text || "";
  node.classList.toggle("loading", kind === "loading");
  node.classList.toggle("error", kind === "error");
}

/** Run `fn` with the button disabled and the region marked busy. */
export async function busy(button, region, fn) {
  if (button) button.disabled = true;
  if (region) region.setAttribute("aria-busy", "true");
  try {
    return await fn();
  } finally {
    if (button) button.disabled = false;
    if (region) region.removeAttribute("aria-busy");
  }
}

export const LEVELS = ["五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师"];

export function fillLevels(select, { none = "不限/未定级" } = {}) {
  select.replaceChildren(el("option", { value: "" }, none), ...LEVELS.map((l) => el("option", { value: l }, l)));
}

export const FEATURE_LABELS = {
  certificate: "证书", distance: "通勤", semantic: "语义", skills: "技能", pay: "薪资", experience: "经验", freshness: "新鲜度",
};
export const FEATURE_COLORS = {
  certificate: "#0b5cad", distance: "#2f9e61", semantic: "#7c5cc4", skills: "#d9822b", pay: "#c2410c",
  experience: "#64748b", freshness: "#0891b2",
};

/** A stacked bar of per-feature contributions (they add up to the score). */
export function contributionBar(contributions) {
  const entries = Object.entries(contributions || {}).filter(([, v]) => v > 0);
  if (!entries.length) return null;
  const bar = el("div", { class: "contrib", role: "img",
    "aria-label": `得分构成：${entries.map(([k, v]) => `${FEATURE_LABELS[k] || k} ${num(v, 2)}`).join("，")}` });
  for (const [k, v] of entries) {
    bar.append(el("span", { title: `${FEATURE_LABELS[k] || k} ${num(v, 3)}`,
      style: { width: `${Math.min(100, v * 100)}%`, background: FEATURE_COLORS[k] || "#999" } }));
  }
  const legend = el("div", { class: "contrib-legend" },
    entries.map(([k, v]) => el("span", {}, el("i", { style: { background: FEATURE_COLORS[k] || "#999" } }),
      `${FEATURE_LABELS[k] || k} ${num(v, 2)}`)));
  return el("div", {}, bar, legend);
}

export function table(columns, rows) {
  return el("table", {},
    el("thead", {}, el("tr", {}, columns.map((c) => el("th", { class: c.num ? "num" : null, scope: "col" }, c.label)))),
    el("tbody", {}, rows.map((r) => el("tr", {}, columns.map((c) => el("td", { class: c.num ? "num" : null },
      c.format ? c.format(r[c.key], r) : (r[c.key] ?? "—")))))));
}
