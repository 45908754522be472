// Thin client of the public JSON API: the pasted key (sessionStorage) as `Authorization: Bearer`,
// and every failure turned into one clear Chinese message.

const KEY = "cqm.apiKey";

export function getKey() {
  try { return sessionStorage.getItem(KEY) || ""; } catch { return ""; }
}

export function setKey(secret) {
  try {
    if (secret) sessionStorage.setItem(KEY, secret);
    else sessionStorage.removeItem(KEY);
  } catch { /* storage disabled: the key lives only in this page */ }
}

export class ApiError extends Error {
  constructor(status, message, data) {
    super(message);
    this.status = status;
    this.data = data;
  }
}

// Field paths of 422 answers → what the user sees on the form.
const FIELD_LABELS = [
  [/^body\.district$|^query\.district(\[\d+\])?$/, "区县"],
  [/^body\.certificates\[(\d+)\]\.occupation$/, (m) => `第${Number(m[1]) + 1}个证书的职业`],
  [/^body\.certificates\[(\d+)\]\.level$/, (m) => `第${Number(m[1]) + 1}个证书的等级`],
  [/^body\.requirements\.certificates\[(\d+)\]\.occupation$/, () => "要求证书"],
  [/^body\.requirements\.certificates\[(\d+)\]\.level$/, () => "证书等级"],
  [/^body\.requirements\.skills/, "技能要求"],
  [/^body\.requirements\.education/, "学历要求"],
  [/^body\.title$/, "岗位名称"],
  [/^body\.description$/, "岗位描述"],
  [/^body\.text$/, "岗位描述"],
  [/^body\.employer$/, "用人单位"],
  [/^body\.salary_min$/, "月薪下限"],
  [/^body\.salary_max$/, "月薪上限"],
  [/^body\.desired_salary$/, "期望月薪"],
  [/^body\.pay_floor$|^query\.pay_floor$/, "最低月薪"],
  [/^body\.radius_km$|^query\.radius_km$/, "通勤半径"],
  [/^body\.experience_years$/, "工作年限"],
  [/^body\.skills/, "技能"],
  [/^(body|query)\.target_occupation$|^target_occupation$/, "目标职业"],
  [/^(body|query)\.target_posting$|^target_posting$/, "目标岗位"],
  [/^body\.id$/, "岗位编号"],
  [/^body$/, "请求"],
];

function fieldLabel(field) {
  for (const [re, label] of FIELD_LABELS) {
    const m = re.exec(field || "");
    if (m) return typeof label === "function" ? label(m) : label;
  }
  return field || "输入";
}

/** "中文说明 / English" → the Chinese half. */
function zh(text) {
  if (typeof text !== "string") return "";
  const i = text.indexOf(" / ");
  return i > 0 ? text.slice(0, i) : text;
}

export function describe(status, data) {
  const detail = data && data.detail;
  if (status === 0) return "无法连接服务：请确认服务正在运行（matcher serve），然后重试。";
  if (status === 422 && Array.isArray(detail)) {
    return detail.map((d) => `${fieldLabel(d.field)}：${d.message}`).join("；");
  }
  if (status === 401) {
    return /无效|吊销/.test(detail || "")
      ? "密钥无效或已吊销：请在页面上方「角色/密钥」中重新粘贴有效的 API 密钥。"
      : "此功能需要 API 密钥：请在页面上方「角色/密钥」中粘贴密钥。";
  }
  if (status === 403) return `当前密钥无权执行此操作：${zh(detail) || "角色不符"}。`;
  if (status === 404) return zh(detail) && detail !== "Not Found" ? `${zh(detail)}。` : "找不到请求的内容。";
  if (status === 409) return `${zh(detail) || "操作冲突"}。`;
  if (status === 413) return "提交的内容过大。";
  if (status === 503) return `服务尚未就绪：${zh(detail) || "索引未加载"}，请稍后再试。`;
  if (status >= 500) {
    const rid = data && data.request_id ? `（请求编号 ${data.request_id}）` : "";
    return `服务器内部错误${rid}，请稍后再试。`;
  }
  return zh(typeof detail === "string" ? detail : "") || `请求失败（HTTP ${status}）。`;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === "") continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** Call the API; resolves to the JSON answer or rejects with an ApiError carrying a Chinese message. */
export async function api(path, { method = "GET", params, body } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const key = getKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  let resp;
  try {
    resp = await fetch(path + query(params), {
      method, headers, body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiError(0, describe(0, null), null);
  }
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!resp.ok) throw new ApiError(resp.status, describe(resp.status, data), data);
  return data;
}

/** True when the route itself does not exist (not: the record does not exist). */
export function isMissingRoute(err) {
  return err instanceof ApiError && (err.status === 405 || (err.status === 404 && err.data && err.data.detail === "Not Found"));
}
