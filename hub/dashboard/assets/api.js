// Calls to the hub's API with the person's token. The token stays in sessionStorage (this tab
// only) and goes out as "Authorization: Bearer"; a 401 forgets it and returns to the login.
// The page's ?asOf=YYYY-MM-DD is passed to every call, so the whole dashboard shows one date.
import { language } from "./i18n.js";

const TOKEN_KEY = "ijro.token";

export function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }
export function setToken(value) { sessionStorage.setItem(TOKEN_KEY, value); }
export function clearToken() { sessionStorage.removeItem(TOKEN_KEY); }

// The as-of date of the page URL (?asOf=YYYY-MM-DD), or "" for today.
export function pageAsOf() {
  const v = new URLSearchParams(location.search).get("asOf") || "";
  return /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : "";
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// "/api/v1/x" with the parameters (empty ones left out), asOf and, unless noLang, lang.
export function apiUrl(path, params = {}, { noAsOf = false, noLang = false } = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const asOf = pageAsOf();
  if (asOf && !noAsOf && !q.has("asOf")) q.set("asOf", asOf);
  if (!noLang && !q.has("lang")) q.set("lang", language());
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

let onUnauthorized = () => {};
export function whenUnauthorized(fn) { onUnauthorized = fn; }

// The message of a problem answer ({"error":{"status","message"}}), else the status line.
async function problemText(res) {
  try {
    const body = await res.json();
    if (body?.error?.message) return body.error.message;
  } catch { /* not JSON */ }
  return `${res.status} ${res.statusText}`;
}

async function send(url, init = {}) {
  const headers = new Headers(init.headers || {});
  headers.set("Accept", "application/json");
  const tok = init.token ?? token();
  if (tok) headers.set("Authorization", `Bearer ${tok}`);
  let res;
  try {
    res = await fetch(url, { ...init, headers });
  } catch (e) {
    throw new ApiError(0, e.message);
  }
  if (res.status === 401 && !init.token) {
    clearToken();
    onUnauthorized();
  }
  if (!res.ok) throw new ApiError(res.status, await problemText(res));
  return res;
}

export async function getJson(path, params, options) {
  const res = await send(apiUrl(path, params, options));
  return res.json();
}

// A read with a given token (the login's check), without the 401 redirect.
export async function checkToken(value) {
  const res = await send(apiUrl("/api/v1/measures", { pageSize: 1 }, { noLang: true }), { token: value });
  return res.json();
}

export async function postJson(path, body) {
  const res = await send(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return res.json();
}

export async function postFile(path, params, file) {
  const res = await send(apiUrl(path, params, { noAsOf: true, noLang: true }), {
    method: "POST",
    headers: { "Content-Type": file.type || "application/octet-stream" },
    body: file,
  });
  return res.json();
}

// Fetches a file with the token and hands it to the browser as a download.
export async function download(url, fallbackName) {
  const res = await send(url);
  const blob = await res.blob();
  const disposition = res.headers.get("Content-Disposition") || "";
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = m ? decodeURIComponent(m[1]) : fallbackName;
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  return name;
}
