// Small shared lookups: role names, CSCO code → occupation name, occupation suggestions.
import { api } from "./api.js";
import { $, el } from "./util.js";

export const ROLE_LABELS = {
  trainee: "学员", employer: "用人单位", trainer: "培训机构", office: "人社办公室", admin: "管理员",
};

const cache = new Map();
let timer = null;

/** Fill #occupation-list with catalogue names matching what is being typed (debounced). */
export function suggestOccupations(text) {
  clearTimeout(timer);
  const q = text.trim();
  if (!q) return;
  timer = setTimeout(async () => {
    let names = cache.get(q);
    if (!names) {
      try {
        const data = await api("/api/occupations/lookup", { params: { q } });
        names = data.matches.map((m) => m.name);
      } catch {
        names = [];
      }
      cache.set(q, names);
    }
    if (names.length) $("#occupation-list").replaceChildren(...names.slice(0, 20).map((n) => el("option", { value: n })));
  }, 250);
}

/** CSCO code → name (stored profiles keep codes). */
export async function occupationName(code) {
  if (!code) return "";
  const key = `code:${code}`;
  if (cache.has(key)) return cache.get(key);
  let name = code;
  try {
    const data = await api("/api/occupations/lookup", { params: { q: code } });
    name = data.matches[0]?.name || code;
  } catch { /* keep the code */ }
  cache.set(key, name);
  return name;
}
