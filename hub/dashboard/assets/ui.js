// Pieces every page shares: the error box and a way to draw the current page again.
import { h } from "./dom.js";
import { t } from "./i18n.js";

let renderer = () => {};
export function setRenderer(fn) { renderer = fn; }
// Draws the current page again (after an action changed what it shows).
export function rerender() { return renderer(); }

// An API refusal or failure as the page's content: the API's own text, so a person can act on it.
export function errorBox(e) {
  const text = e && e.status === 0 ? t("err.network") : (e?.message || String(e));
  return h("div", { class: "error", role: "alert", dataset: { status: e?.status ?? "" } },
    h("strong", {}, `${t("err.title")}: `), text);
}

// The page URL's hash for a route with parameters (empty ones left out).
export function routeHref(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ""}`;
}
