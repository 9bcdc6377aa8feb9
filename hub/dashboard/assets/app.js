// The dashboard's start: language, token, the hash routes and the frame around each page.
import { apiUrl, clearToken, pageAsOf, token, whenUnauthorized } from "./api.js";
import { errorBox, setRenderer } from "./ui.js";
import { h } from "./dom.js";
import { LANGUAGES, LANGUAGE_NAMES, formatDate, pickLanguage, setLanguage, t } from "./i18n.js";
import { loginPage } from "./pages/login.js";
import { overviewPage } from "./pages/overview.js";
import { listPage } from "./pages/list.js";
import { measurePage } from "./pages/measure.js";
import { regionPage } from "./pages/region.js";
import { trendPage } from "./pages/trend.js";

const LANG_KEY = "ijro.lang";

// Hash routes: #/overview, #/list?status=overdue, #/measure/ID, #/region/CODE, #/trend, #/login.
const ROUTES = [
  [/^\/overview$/, overviewPage],
  [/^\/list$/, listPage],
  [/^\/measure\/(.+)$/, measurePage],
  [/^\/region\/([0-9]+)$/, regionPage],
  [/^\/trend$/, trendPage],
];

export function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/overview";
  const [path, query = ""] = raw.split("?");
  return { path, params: new URLSearchParams(query) };
}

// The labels of the hub in one language; an empty set (the fallback texts) when the hub has none.
async function loadLabels(lang) {
  try {
    const res = await fetch(apiUrl("/api/v1/labels", { lang }, { noAsOf: true, noLang: true }));
    if (!res.ok) return {};
    const body = await res.json();
    return body.labels || {};
  } catch {
    return {};
  }
}

async function applyLanguage(lang) {
  setLanguage(lang, await loadLabels(lang));
  document.title = `${t("app.title")} · ijro-hub`;
  document.getElementById("lang-label").textContent = t("nav.language");
  document.getElementById("logout").textContent = t("nav.logout");
  const asOf = pageAsOf();
  document.getElementById("asof").textContent = asOf ? `${t("nav.asOf")}: ${formatDate(asOf)}` : "";
  renderNav();
}

function renderNav() {
  const nav = document.getElementById("nav");
  const signedIn = !!token();
  nav.replaceChildren(...(signedIn ? [
    h("a", { href: "#/overview" }, t("nav.overview")),
    h("a", { href: "#/list?status=overdue&sort=-delay" }, t("nav.overdue")),
    h("a", { href: "#/list?status=atRisk" }, t("nav.atRisk")),
    h("a", { href: "#/list" }, t("nav.all")),
    h("a", { href: "#/trend" }, t("nav.trend")),
  ] : []));
  document.getElementById("logout").hidden = !signedIn;
}

let renderSeq = 0;

async function render() {
  const seq = ++renderSeq;
  const main = document.getElementById("app");
  const { path, params } = parseHash();
  renderNav();
  if (!token() || path === "/login") {
    if (token() && path === "/login") { location.hash = "#/overview"; return; }
    main.replaceChildren(loginPage(() => { location.hash = "#/overview"; render(); }));
    main.dataset.page = "login";
    main.dataset.ready = "true";
    return;
  }
  let page = null, args = [];
  for (const [re, fn] of ROUTES) {
    const m = re.exec(path);
    if (m) { page = fn; args = m.slice(1).map(decodeURIComponent); break; }
  }
  if (!page) { location.hash = "#/overview"; return; }
  main.dataset.ready = "false";
  main.replaceChildren(h("p", { class: "loading" }, t("loading")));
  let content;
  try {
    content = await page(params, ...args);
  } catch (e) {
    content = errorBox(e);
  }
  if (seq !== renderSeq) return;  // a newer navigation replaced this one
  if (!token()) return render();  // a 401 on the way
  main.replaceChildren(content);
  main.dataset.page = path.split("/")[1];
  main.dataset.ready = "true";
}


async function start() {
  const select = document.getElementById("lang");
  const urlLang = new URLSearchParams(location.search).get("lang");
  const lang = pickLanguage(urlLang || localStorage.getItem(LANG_KEY), navigator.languages);
  for (const l of LANGUAGES) select.append(h("option", { value: l }, LANGUAGE_NAMES[l]));
  select.value = lang;
  select.addEventListener("change", async () => {
    localStorage.setItem(LANG_KEY, select.value);
    await applyLanguage(select.value);
    render();
  });
  document.getElementById("logout").addEventListener("click", () => {
    clearToken();
    location.hash = "#/login";
    render();
  });
  whenUnauthorized(() => { location.hash = "#/login"; });
  await applyLanguage(lang);
  setRenderer(render);
  window.addEventListener("hashchange", render);
  render();
}

start();
