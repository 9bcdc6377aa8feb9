// The dashboard in a real browser against the real hub: Debian's headless chromium driven by
// puppeteer-core. Each case starts `ijro-hub serve` on 127.0.0.1 port 0 with config/hub.xml and a
// fresh SQLite store, posts the example reports with their sources' tokens (read from
// config/hub.xml), opens the dashboard at a fixed asOf and checks what a person sees against the
// API's own JSON for the same question (nothing expected is typed in). Any console error, page
// error or refused request the case does not expect fails it.
//
// Run by ctest through run.sh: node dashboard.test.mjs <case>. Environment: IJRO_HUB_BINARY,
// IJRO_SOURCE_DIR, IJRO_CHROMIUM, IJRO_BROWSER_WORK (where npm ci put puppeteer-core),
// IJRO_BROWSER_ARTIFACTS (screenshots).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the browser test through ctest (tests/browser/run.sh)`);
  return v;
}
const HUB = env("IJRO_HUB_BINARY");
const SOURCE = env("IJRO_SOURCE_DIR");
const CHROMIUM = env("IJRO_CHROMIUM");
const ARTIFACTS = env("IJRO_BROWSER_ARTIFACTS");
const puppeteer = createRequire(path.join(env("IJRO_BROWSER_WORK"), "package.json"))("puppeteer-core");

const AS_OF = "2026-11-30";
const LANGUAGES = ["en", "ru", "uz-Latn", "uz-Cyrl"];
const CONFIG = path.join(SOURCE, "config/hub.xml");
const CONFIG_TEXT = fs.readFileSync(CONFIG, "utf8");
const READERS = { national: "demo-national-read-token", andijan: "demo-andijan-read-token" };

// The token config/hub.xml gives a source or reader id.
function tokenOf(id) {
  const m = new RegExp(`<(?:source|reader) id="${id}" token="([^"]+)"`).exec(CONFIG_TEXT);
  assert.ok(m, `config/hub.xml has no token for ${id}`);
  return m[1];
}
for (const [id, token] of [["ministry", READERS.national], ["andijan-dashboard", READERS.andijan]])
  assert.equal(tokenOf(id), token, `config/hub.xml's reader ${id} changed its token`);

function log(...args) { console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...args); }

// --- the hub --------------------------------------------------------------------------------

async function startHub() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ijro-browser-"));
  // The demo configuration with evidence uploads kept in the test's folder.
  const config = path.join(dir, "hub.xml");
  const at = CONFIG_TEXT.indexOf("<status ");
  assert.ok(at > 0, "config/hub.xml has no <status> element to put <evidence> before");
  fs.writeFileSync(config, `${CONFIG_TEXT.slice(0, at)}<evidence dir="${dir}/evidence"/>\n  ${CONFIG_TEXT.slice(at)}`);
  const child = spawn(HUB, ["serve", "--config", config, "--listen", "127.0.0.1:0", "--store", `sqlite:${dir}/hub.db`],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  // Whatever happens to this test, the hub does not outlive it.
  process.on("exit", () => child.kill("SIGKILL"));
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    child.on("error", (e) => reject(new Error(`ijro-hub did not start: ${e.message}`)));
    const timer = setTimeout(() => reject(new Error(`ijro-hub did not report listening within 60 s:\n${output}`)), 60000);
    const look = (chunk) => {
      output += chunk;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    child.stdout.on("data", look);
    child.stderr.on("data", look);
    exited.then(({ code, signal }) => reject(new Error(`ijro-hub exited (${code ?? signal}) before listening:\n${output}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const hub = {
    base,
    async stop() {
      child.kill("SIGTERM");
      const { code, signal } = await exited;
      fs.rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0, `ijro-hub ended with ${code ?? signal} on SIGTERM:\n${output.slice(-4000)}`);
    },
    async call(method, target, token, body, type) {
      const headers = { Accept: "application/json" };
      if (token) headers.Authorization = `Bearer ${token}`;
      if (type) headers["Content-Type"] = type;
      const res = await fetch(base + target, { method, headers, body });
      // The bytes as sent (text() would drop a CSV's byte order mark).
      const bytes = Buffer.from(await res.arrayBuffer());
      const text = bytes.toString("utf8");
      let json = null;
      try { json = JSON.parse(text); } catch { /* not JSON */ }
      return { status: res.status, json, text, bytes, headers: res.headers };
    },
    // A read that must succeed: its JSON.
    async read(target, token = READERS.national) {
      const res = await hub.call("GET", target, token);
      assert.equal(res.status, 200, `GET ${target} answered ${res.status}: ${res.text}`);
      return res.json;
    },
  };
  // The example reports, each with its source's token; every record accepted or already held.
  const examples = fs.readdirSync(path.join(SOURCE, "examples")).filter((f) => /^report-.*\.(xml|json)$/.test(f)).sort();
  assert.ok(examples.length >= 5, `examples/ holds ${examples.length} reports`);
  for (const name of examples) {
    const body = fs.readFileSync(path.join(SOURCE, "examples", name), "utf8");
    const source = name.endsWith(".json") ? JSON.parse(body).source : /<report\b[^>]*\ssource="([^"]+)"/.exec(body)?.[1];
    assert.ok(source, `${name} names no source`);
    const res = await hub.call("POST", "/api/v1/reports", tokenOf(source), body, name.endsWith(".json") ? "application/json" : "application/xml");
    assert.equal(res.status, 200, `${name}: ${res.text}`);
    if (res.json) assert.equal(res.json.summary.rejected, 0, `${name}: ${res.text}`);
    else assert.doesNotMatch(res.text, /outcome="rejected"/, `${name}: ${res.text}`);
  }
  log(`hub on ${base} with ${examples.length} example reports`);
  return hub;
}

// --- the browser ----------------------------------------------------------------------------

async function openBrowser(hub) {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // --no-sandbox: the tests run as root in a container, where chromium's sandbox cannot start.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=en-US"],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const problems = [];      // console errors, page errors, failed requests
  const refusals = [];      // responses >= 400 (url, status, body promise)
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()} (${m.location()?.url ?? ""})`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    // A download's blob URL revoked after use is no failure of the page.
    if (!r.url().startsWith("blob:")) problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) refusals.push({ url: r.url(), status: r.status(), body: r.text().catch(() => "") });
  });
  return {
    browser, page,
    // Fails on any problem and any refused request but those expected ({status, url part}); the
    // expected refusals come back with their bodies.
    async check(step, expected = []) {
      const unexpected = refusals.filter((r) => !expected.some((e) => e.status === r.status && r.url.includes(e.url)));
      // A refused request's console line ("Failed to load resource") is expected with it.
      const otherProblems = problems.filter((p) => !(p.includes("Failed to load resource") &&
        expected.some((e) => p.includes(String(e.status)) && p.includes(e.url))));
      const seen = refusals.splice(0);
      problems.length = 0;
      assert.deepEqual(otherProblems, [], `${step}: console errors`);
      assert.deepEqual(unexpected.map((r) => `${r.status} ${r.url}`), [], `${step}: refused requests`);
      for (const e of expected)
        assert.ok(seen.some((r) => r.status === e.status && r.url.includes(e.url)), `${step}: expected ${e.status} for ${e.url}`);
      return Promise.all(seen.map(async (r) => ({ ...r, body: await r.body })));
    },
    async close() { await browser.close(); },
  };
}

// Navigates within the app (hash route) and waits until the page is drawn.
// On the route already, the page stays as drawn.
async function go(page, hash, pageName) {
  await page.evaluate((h) => {
    if (location.hash === h) return;
    document.getElementById("app").dataset.ready = "stale";
    location.hash = h;
  }, hash);
  await waitReady(page, pageName);
}
async function waitReady(page, pageName) {
  await page.waitForFunction((name) => {
    const app = document.getElementById("app");
    return app.dataset.ready === "true" && app.dataset.page === name;
  }, { timeout: 30000 }, pageName);
}
async function setLanguage(page, lang, pageName) {
  await page.evaluate(() => { document.getElementById("app").dataset.ready = "stale"; });
  await page.select("#lang", lang);
  await waitReady(page, pageName);
  assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
}
async function signIn(ui, hub, token) {
  const { page } = ui;
  await page.goto(`${hub.base}/?asOf=${AS_OF}#/overview`);
  await waitReady(page, "login");
  await page.type("#token", token);
  await page.evaluate(() => { document.getElementById("app").dataset.ready = "stale"; });
  await page.click("#login-form button[type=submit]");
  await waitReady(page, "overview");
}
const text = (page, selector) => page.$eval(selector, (e) => e.textContent.trim());
const texts = (page, selector) => page.$$eval(selector, (els) => els.map((e) => e.textContent.trim()));
const attrs = (page, selector, name) => page.$$eval(selector, (els, n) => els.map((e) => e.getAttribute(n)), name);

// --- what the pages must show ---------------------------------------------------------------

async function overviewOf(hub, token, query = "") {
  const res = await hub.call("GET", `/api/v1/overview?asOf=${AS_OF}${query}`, token);
  assert.notEqual(res.status, 404, "GET /api/v1/overview answered 404: the hub lacks the overview resource (branch dash-data)");
  assert.equal(res.status, 200, res.text);
  return res.json;
}

async function checkOverview(page, ov, lang) {
  const nf = new Intl.NumberFormat(lang);
  const pf = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 });
  assert.equal(await text(page, '#totals [data-count="implementations"] .value'), nf.format(ov.implementations), `${lang}: implementations`);
  for (const [status, n] of Object.entries(ov.totals.byStatus))
    assert.equal(await text(page, `#totals [data-count="${status}"] .value`), nf.format(n), `${lang}: ${status}`);
  assert.equal(await text(page, '#totals [data-count="shareDoneLate"] .value'), pf.format(ov.totals.shareDoneLateOfDueOrFinished), `${lang}: share done late`);
  assert.ok(ov.matrix.length > 0, "the overview's matrix is empty");
  assert.equal((await page.$$("#matrix td.cell")).length, ov.matrix.length, `${lang}: matrix cells`);
  for (const cell of ov.matrix) {
    const sel = `#matrix td.cell[data-region="${cell.region}"][data-sector="${cell.sector}"]`;
    assert.equal(await text(page, `${sel} .total`), nf.format(cell.total), `${lang}: ${cell.region} x ${cell.sector}`);
    assert.ok((await attrs(page, sel, "class"))[0].includes(`rag-${cell.rag}`), `${lang}: RAG of ${cell.region} x ${cell.sector}`);
  }
  assert.equal((await page.$$("#early-warnings tbody tr")).length, ov.earlyWarnings.length, `${lang}: early warnings`);
  assert.equal((await page.$$("#freshness tbody tr")).length, ov.freshness.length, `${lang}: freshness rows`);
}

// --- the cases ------------------------------------------------------------------------------

const CASES = {
  // Signing in: an unknown token is refused with the API's words; a read token opens the overview
  // and stays for the tab; signing out forgets it; a token the hub no longer knows returns to the
  // login.
  async login(hub, ui) {
    const { page } = ui;
    await page.goto(`${hub.base}/?asOf=${AS_OF}#/overview`);
    await waitReady(page, "login");
    await ui.check("login page");
    await page.type("#token", "not-a-token-of-this-hub");
    await page.click("#login-form button[type=submit]");
    await page.waitForSelector("#login-error:not([hidden])");
    const refusal = await hub.call("GET", `/api/v1/measures?pageSize=1&asOf=${AS_OF}`, "not-a-token-of-this-hub");
    assert.equal(refusal.status, 401);
    assert.equal(await text(page, "#login-error"), refusal.json.error.message);
    await ui.check("unknown token", [{ status: 401, url: "/api/v1/measures" }]);

    await page.$eval("#token", (e) => { e.value = ""; });
    await page.type("#token", READERS.national);
    await page.evaluate(() => { document.getElementById("app").dataset.ready = "stale"; });
    await page.click("#login-form button[type=submit]");
    await waitReady(page, "overview");
    assert.equal(await page.evaluate(() => sessionStorage.getItem("ijro.token")), READERS.national);
    assert.ok((await texts(page, "#nav a")).length >= 4, "the navigation shows once signed in");
    await ui.check("signed in");

    await page.evaluate(() => { document.getElementById("app").dataset.ready = "stale"; });
    await page.click("#logout");
    await waitReady(page, "login");
    assert.equal(await page.evaluate(() => sessionStorage.getItem("ijro.token")), null);
    assert.deepEqual(await texts(page, "#nav a"), []);

    await page.evaluate(() => sessionStorage.setItem("ijro.token", "revoked-token-0000"));
    await page.goto(`${hub.base}/?asOf=${AS_OF}#/list`);
    await waitReady(page, "login");
    assert.equal(await page.evaluate(() => sessionStorage.getItem("ijro.token")), null);
    await ui.check("stale token", [{ status: 401, url: "/api/v1/measures" }]);
  },

  // The overview at phone width (375 px) has no sideways scrolling of the page, and printing
  // leaves out navigation, filters and actions.
  async overview_phone_print(hub, ui) {
    const { page } = ui;
    await page.setViewport({ width: 375, height: 800, isMobile: true });
    await signIn(ui, hub, READERS.national);
    await setLanguage(page, "ru", "overview");
    await checkOverview(page, await overviewOf(hub, READERS.national), "ru");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `the page is ${width} px wide at a 375 px viewport`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "overview-ru-375px.png"), fullPage: true });
    await page.emulateMediaType("print");
    assert.equal(await page.$eval("#nav", (e) => getComputedStyle(e).display), "none");
    assert.equal(await page.$eval("#lang", (e) => getComputedStyle(e.closest(".tools")).display), "none");
    assert.notEqual(await page.$eval("#matrix", (e) => getComputedStyle(e).display), "none");
    await page.pdf({ path: path.join(ARTIFACTS, "overview-print.pdf"), format: "A4" });
    await ui.check("phone and print");
  },

  // Overview, a list, a measure page and a region page in each language, with the counts of the
  // API's JSON, numbers and dates formatted for the language, and no console error.
  async pages_in_four_languages(hub, ui) {
    const { page } = ui;
    await signIn(ui, hub, READERS.national);
    const ov = await overviewOf(hub, READERS.national);
    const overdue = await hub.read(`/api/v1/measures?status=overdue&pageSize=25&asOf=${AS_OF}`);
    assert.ok(overdue.total > 0, "the examples hold overdue work");
    // The measure carried out in the most places.
    const all = await hub.read(`/api/v1/measures?pageSize=1000&asOf=${AS_OF}`);
    const counts = new Map();
    for (const m of all.items) counts.set(m.measure, (counts.get(m.measure) || 0) + 1);
    const [measure] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
    const implementations = await hub.read(`/api/v1/measures?measure=${encodeURIComponent(measure)}&pageSize=1000&asOf=${AS_OF}`);
    const region = ov.matrix[0].region.slice(0, 4);
    const inRegion = await hub.read(`/api/v1/measures?region=${region}&pageSize=1&asOf=${AS_OF}`);
    const byOrganisation = await hub.read(`/api/v1/summary?by=organisation&region=${region}&asOf=${AS_OF}`);
    const titles = new Map();
    for (const lang of LANGUAGES) {
      log(`language ${lang}`);
      await go(page, "#/overview", "overview");
      await setLanguage(page, lang, "overview");
      await checkOverview(page, ov, lang);
      titles.set(lang, (await texts(page, "#nav a")).join("|"));
      if (lang === "en" || lang === "uz-Cyrl") {
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: path.join(ARTIFACTS, `overview-${lang}.png`), fullPage: true });
      }
      await ui.check(`overview ${lang}`);

      await go(page, "#/list?status=overdue", "list");
      assert.equal(await page.$eval("#list-total", (e) => e.dataset.total), String(overdue.total));
      assert.deepEqual(await attrs(page, "#measures tbody tr", "data-measure"), overdue.items.map((m) => m.measure), `${lang}: overdue rows`);
      assert.deepEqual(await attrs(page, "#measures tbody tr [data-status]", "data-status"), overdue.items.map((m) => m.status));
      const df = new Intl.DateTimeFormat(lang, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
      const firstDeadline = await text(page, "#measures tbody tr:first-child td:nth-child(5)");
      assert.equal(firstDeadline, df.format(new Date(`${overdue.items[0].deadline}T00:00:00Z`)), `${lang}: deadline format`);
      await ui.check(`list ${lang}`);

      await go(page, `#/measure/${encodeURIComponent(measure)}`, "measure");
      assert.deepEqual(await attrs(page, "#implementations tbody tr", "data-region"), implementations.items.map((m) => m.region), `${lang}: ${measure}`);
      assert.deepEqual(await attrs(page, "#implementations tbody tr", "data-status"), implementations.items.map((m) => m.status));
      const act = implementations.items[0].act;
      assert.ok(act?.number, `${measure} names its act`);
      const actShown = await text(page, "#act");
      assert.ok(actShown.includes(act.number) && actShown.includes(act.item ?? ""), `${lang}: act shown as "${actShown}"`);
      const charts = implementations.items.reduce((n, m) => n + m.indicators.length, 0);
      assert.equal((await page.$$("svg.indicator-chart")).length, charts, `${lang}: indicator charts`);
      assert.ok((await page.$$("#history tbody tr")).length > 0, `${lang}: history rows`);
      await ui.check(`measure ${lang}`);

      await go(page, `#/region/${region}`, "region");
      assert.equal(await page.$eval("#region-total", (e) => e.dataset.total), String(inRegion.total), `${lang}: region ${region}`);
      assert.equal((await page.$$("#by-organisation tbody tr")).length, byOrganisation.groups.length);
      await ui.check(`region ${lang}`);
    }
    // Each language shows its own words; Cyrillic where the language is written in it.
    assert.equal(new Set(titles.values()).size, LANGUAGES.length, `navigation texts: ${[...titles.values()].join(" / ")}`);
    assert.match(titles.get("uz-Cyrl"), /[\u0400-\u04FF]/);
    assert.match(titles.get("ru"), /[\u0400-\u04FF]/);
    assert.doesNotMatch(titles.get("uz-Latn"), /[\u0400-\u04FF]/);
  },

  // The list's export buttons fetch the same rows with the token and save them as a file: the
  // saved CSV is byte for byte the API's export of the list's query.
  async list_export_saves_the_api_file(hub, ui) {
    const { page } = ui;
    await signIn(ui, hub, READERS.national);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ijro-download-"));
    try {
      const cdp = await page.createCDPSession();
      await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: dir });
      await go(page, "#/list?status=overdue&sort=-delay", "list");
      await page.click('button.export[data-format="csv"]');
      const expected = await hub.call("GET", `/api/v1/export/measures?status=overdue&sort=-delay&format=csv&asOf=${AS_OF}&lang=en`, READERS.national);
      assert.equal(expected.status, 200, expected.text);
      const name = /filename="?([^";]+)"?/.exec(expected.headers.get("content-disposition") ?? "")?.[1];
      assert.ok(name, "the export names its file");
      const deadline = Date.now() + 30000;
      let files = [];
      while (Date.now() < deadline) {
        files = fs.readdirSync(dir).filter((f) => !f.endsWith(".crdownload"));
        if (files.length) break;
        await new Promise((r) => setTimeout(r, 100));  // polling the folder for the saved file
      }
      assert.deepEqual(files, [name], `saved files in ${dir}`);
      assert.ok(fs.readFileSync(path.join(dir, name)).equals(expected.bytes), "the saved file differs from the API's export");
      await ui.check("export");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },

  // The trend page draws the API's points: one per week up to today (the reports were received
  // today, so the last point counts them), with the shares overdue and done late.
  async trend_draws_the_api_points(hub, ui) {
    const { page } = ui;
    await signIn(ui, hub, READERS.national);
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 28 * 86400000).toISOString().slice(0, 10);
    const trend = await hub.read(`/api/v1/trend?from=${from}&to=${to}&step=week`);
    assert.ok(trend.points.length >= 2, JSON.stringify(trend));
    assert.ok(trend.points.at(-1).implementations > 0, "the last point counts the reports received today");
    await go(page, `#/trend?from=${from}&to=${to}&step=week`, "trend");
    assert.equal(await page.$eval("svg.line-chart", (e) => e.dataset.points), String(trend.points.length));
    assert.equal((await page.$$("svg.line-chart [data-series] circle")).length, 2 * trend.points.length);
    assert.deepEqual(await attrs(page, "#trend-table tbody tr", "data-date"), trend.points.map((p) => p.date));
    const nf = new Intl.NumberFormat("en");
    const pf = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 1 });
    const share = (x) => (x === null || x === undefined ? "–" : pf.format(x));
    const rows = await page.$$eval("#trend-table tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
    trend.points.forEach((p, i) => {
      assert.deepEqual(rows[i].slice(1), [nf.format(p.implementations), nf.format(p.overdue), nf.format(p.doneLate),
        share(p.shareOverdue), share(p.shareDoneLate)], `point ${p.date}`);
    });
    await ui.check("trend");
  },

  // A token for one region sees that region only: its overview shows no other, another region's
  // page shows the API's refusal, and a measure carried out elsewhere only is not shown.
  async region_token_sees_only_its_region(hub, ui) {
    const { page } = ui;
    await signIn(ui, hub, READERS.andijan);
    const ov = await overviewOf(hub, READERS.andijan);
    const regions = await attrs(page, "#matrix tbody tr", "data-region");
    assert.ok(regions.length > 0, "Andijan's overview shows its region");
    assert.deepEqual(regions.filter((r) => !r.startsWith("1703")), [], "regions outside Andijan on its overview");
    assert.deepEqual(new Set(regions), new Set(ov.matrix.map((c) => c.region)));
    await checkOverview(page, ov, "en");
    await ui.check("Andijan's overview");

    await go(page, "#/region/1726", "region");
    const shown = await text(page, ".error[role=alert]");
    const [refused] = (await ui.check("Tashkent City's page", [{ status: 403, url: "region=1726" }])).filter((r) => r.status === 403);
    const message = JSON.parse(refused.body).error.message;
    assert.ok(shown.includes(message), `the page shows "${shown}", the API said "${message}"`);

    const all = await hub.read(`/api/v1/measures?pageSize=1000&asOf=${AS_OF}`);
    const elsewhere = all.items.find((m) => !all.items.some((x) => x.measure === m.measure && x.region.startsWith("1703")));
    assert.ok(elsewhere, "the examples hold a measure carried out outside Andijan only");
    await go(page, `#/measure/${encodeURIComponent(elsewhere.measure)}`, "measure");
    assert.ok(await page.$("#not-found"), `Andijan's token sees measure ${elsewhere.measure}`);
    await ui.check("a measure outside Andijan");
  },

  // A controller submits a task's completion and verifies it in the measure page; the page and
  // the API then show it verified. A reader without the role is refused with the API's words.
  // Evidence uploaded from the page is listed there and downloads with the token.
  async controller_verifies_submitted_task(hub, ui) {
    const { page } = ui;
    const controller = tokenOf("tashkent-city");
    const list = await hub.read(`/api/v1/measures?region=1726&pageSize=1000&asOf=${AS_OF}`, controller);
    let target = null;
    for (const m of list.items)
      for (const task of m.tasks)
        if (!target && !["submitted", "verified", "removed"].includes(task.control) && !task.completed) target = { m, task };
    assert.ok(target, "Tashkent City's examples hold an open task");
    const { m, task } = target;
    log(`task ${task.id} of ${m.measure}`);
    const taskSel = `li.task[data-task="${task.id}"]`;
    const openActions = () => page.$eval(`${taskSel} > details.actions`, (d) => { d.open = true; });

    // A reader with no role may not act: the API's refusal is shown.
    await signIn(ui, hub, READERS.national);
    await go(page, `#/measure/${encodeURIComponent(m.measure)}`, "measure");
    await openActions();
    await page.type(`${taskSel} > details.actions form[data-action="comment"] input[name="text"]`, "checked on site");
    await page.click(`${taskSel} > details.actions form[data-action="comment"] button`);
    await page.waitForSelector(`${taskSel} > details.actions .action-result.error`);
    const shown = await text(page, `${taskSel} > details.actions .action-result`);
    const [refused] = (await ui.check("a reader's comment", [{ status: 403, url: "/api/v1/control" }])).filter((r) => r.status === 403);
    assert.ok(shown.includes(JSON.parse(refused.body).error.message), shown);
    await page.click("#logout");

    await signIn(ui, hub, controller);
    await go(page, `#/measure/${encodeURIComponent(m.measure)}`, "measure");
    await openActions();
    await page.$eval(`${taskSel} > details.actions form[data-action="submit"] input[name="completed"]`, (e, d) => { e.value = d; }, AS_OF);
    await page.click(`${taskSel} > details.actions form[data-action="submit"] button`);
    await page.waitForSelector(`${taskSel}[data-control="submitted"]`, { timeout: 30000 });
    await waitReady(page, "measure");
    await ui.check("submitted");

    await openActions();
    await page.click(`${taskSel} > details.actions form[data-action="verify"] button`);
    await page.waitForSelector(`${taskSel}[data-control="verified"]`, { timeout: 30000 });
    await waitReady(page, "measure");
    const events = await attrs(page, `${taskSel} > .events li`, "data-state");
    assert.deepEqual(events.slice(-2), ["submitted", "verified"], `control events shown: ${events}`);
    await ui.check("verified");

    // The controller's office uploads a scan for the task; the measure page lists it, and its
    // download (with the token) is the same bytes.
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");
    const sha256 = crypto.createHash("sha256").update(png).digest("hex");
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "ijro-upload-"));
    try {
      fs.writeFileSync(path.join(work, "proof.png"), png);
      await openActions();
      const input = await page.$(`${taskSel} > details.actions form[data-action="upload"] input[type="file"]`);
      await input.uploadFile(path.join(work, "proof.png"));
      await page.click(`${taskSel} > details.actions form[data-action="upload"] button`);
      const listed = `section.implementation[data-region="${m.region}"] ul.evidence li[data-sha256="${sha256}"]`;
      await page.waitForSelector(listed, { timeout: 30000 });
      await waitReady(page, "measure");
      const saved = path.join(work, "saved");
      fs.mkdirSync(saved);
      const cdp = await page.createCDPSession();
      await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: saved });
      await page.click(`${listed} button`);
      const until = Date.now() + 30000;
      while (Date.now() < until && !fs.readdirSync(saved).some((f) => !f.endsWith(".crdownload")))
        await new Promise((r) => setTimeout(r, 100));  // polling the folder for the saved file
      assert.deepEqual(fs.readdirSync(saved), ["proof.png"]);
      assert.ok(fs.readFileSync(path.join(saved, "proof.png")).equals(png), "the downloaded evidence differs from the upload");
      await ui.check("evidence");
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }

    const after = await hub.read(`/api/v1/measures?measure=${encodeURIComponent(m.measure)}&region=${m.region}&asOf=${AS_OF}`, controller);
    const stored = after.items.find((x) => x.organisation === m.organisation).tasks.find((x) => x.id === task.id);
    assert.equal(stored.control, "verified");
    const submitted = stored.controlEvents.filter((e) => e.state === "submitted");
    assert.equal(submitted.at(-1)?.completed, AS_OF, JSON.stringify(stored.controlEvents));
  },
};

async function main() {
  const name = process.argv[2];
  const run = CASES[name];
  if (!run) throw new Error(`unknown case "${name}": one of ${Object.keys(CASES).join(", ")}`);
  const hub = await startHub();
  let ui;
  try {
    ui = await openBrowser(hub);
    await run(hub, ui);
  } finally {
    if (ui) await ui.close();
    await hub.stop();
  }
  log(`${name}: passed`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
