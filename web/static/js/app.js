// Entry: the key box (role), the district list, hash routing between the three views.
import { api, ApiError, getKey, setKey, isMissingRoute } from "./api.js";
import { $, $$, el } from "./util.js";
import { resizeWithin } from "./charts.js";
import { ROLE_LABELS, suggestOccupations } from "./catalog.js";
import * as trainee from "./trainee.js";
import * as employer from "./employer.js";
import * as office from "./office.js";

const VIEWS = { trainee, employer, office };

const ctx = {
  me: null, // {role, subject} of the pasted key, or null
  districts: [],
  /** A district object from a name, short name ("沙坪坝") or code; null when unknown here. */
  district(text) {
    const t = String(text || "").trim().replace(/^重庆市?/, "");
    if (!t) return null;
    return this.districts.find((d) => d.name === t || d.code === t)
      || this.districts.find((d) => d.name.startsWith(t) || t.startsWith(d.name))
      || null;
  },
  role() { return this.me ? this.me.role : null; },
};

async function loadDistricts() {
  try {
    ctx.districts = await api("/api/districts");
    $("#district-list").replaceChildren(...ctx.districts.map((d) => el("option", { value: d.name }, d.kind)));
  } catch (err) {
    console.warn("districts", err);
  }
}

document.addEventListener("input", (e) => {
  if (e.target instanceof HTMLInputElement && e.target.getAttribute("list") === "occupation-list") suggestOccupations(e.target.value);
});

// --- the key box ----------------------------------------------------------------------------

function showWho() {
  const who = $("#whoami");
  if (!ctx.me) who.textContent = "未使用密钥（仅公开功能）";
  else if (ctx.me.role === "unknown") who.textContent = "已使用密钥";
  else who.textContent = `${ROLE_LABELS[ctx.me.role] || ctx.me.role} · ${ctx.me.subject}`;
}

async function applyKey(secret, { quiet = false } = {}) {
  const msg = $("#key-msg");
  msg.className = "msg";
  setKey(secret);
  if (!secret) {
    ctx.me = null;
  } else {
    msg.textContent = "正在验证密钥…";
    try {
      ctx.me = await api("/api/me");
      msg.textContent = `已使用${ROLE_LABELS[ctx.me.role] || ctx.me.role}密钥：${ctx.me.subject}`;
      msg.className = "msg ok";
      if (!quiet) $("#keybox").open = false;
    } catch (err) {
      if (isMissingRoute(err)) {
        ctx.me = { role: "unknown", subject: "" };
        msg.textContent = "已保存密钥（服务未提供 /api/me，无法显示角色）。";
      } else {
        ctx.me = null;
        setKey("");
        msg.textContent = err instanceof ApiError ? err.message : String(err);
        msg.className = "msg error";
      }
    }
  }
  showWho();
  for (const v of Object.values(VIEWS)) v.onKey?.(ctx);
}

function initKeyBox() {
  const input = $("#key-input");
  $("#key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const secret = input.value.trim();
    if (!secret) {
      $("#key-msg").textContent = "请先粘贴 API 密钥。";
      $("#key-msg").className = "msg error";
      input.focus();
      return;
    }
    applyKey(secret);
  });
  $("#key-clear").addEventListener("click", () => {
    input.value = "";
    $("#key-msg").textContent = "已清除密钥，现在只能使用公开功能。";
    $("#key-msg").className = "msg";
    applyKey("");
  });
  $("#key-show").addEventListener("change", (e) => { input.type = e.target.checked ? "text" : "password"; });
}

// --- routing ----------------------------------------------------------------------------------

function route() {
  const name = (location.hash.match(/^#\/(\w+)/) || [])[1];
  const view = VIEWS[name] ? name : "trainee";
  for (const key of Object.keys(VIEWS)) {
    $(`#view-${key}`).hidden = key !== view;
  }
  for (const a of $$(".tabs a")) {
    if (a.dataset.view === view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  document.title = `${{ trainee: "求职", employer: "招聘", office: "培训/人社" }[view]} · 重庆技能人才岗位匹配服务`;
  VIEWS[view].show?.(ctx);
  requestAnimationFrame(() => resizeWithin($(`#view-${view}`)));
}

async function main() {
  initKeyBox();
  for (const v of Object.values(VIEWS)) v.init?.(ctx);
  await loadDistricts();
  const saved = getKey();
  if (saved) {
    $("#key-input").value = saved;
    await applyKey(saved, { quiet: true });
  } else {
    for (const v of Object.values(VIEWS)) v.onKey?.(ctx);
  }
  window.addEventListener("hashchange", route);
  route();
  document.body.dataset.ready = "1"; // for tests: the page finished its first render
}

main();
