// Overview: national totals per status, the share done late, the region x sector matrix (RAG and
// counts), the work due in the next 30 days and each region's freshness (GET /api/v1/overview).
import { ApiError, getJson } from "../api.js";
import { badge, h, section, table } from "../dom.js";
import { STATUSES, formatAge, formatDate, formatDateTime, formatNumber, formatShare, ragLabel,
  regionLabel, sectorLabel, statusLabel, t } from "../i18n.js";
import { routeHref } from "../ui.js";

export async function overviewPage(params) {
  const filters = { region: params.get("region"), sector: params.get("sector") };
  let data;
  try {
    data = await getJson("/api/v1/overview", filters);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
    return fallbackOverview(filters);
  }
  return h("div", { class: "overview" },
    h("h1", {}, t("ov.title")),
    totals(data.totals || {}, data.implementations),
    matrix(data),
    earlyWarnings(data.earlyWarnings || []),
    freshness(data.freshness || []));
}

// One figure with its label; data-count names the figure, data-value holds the raw number.
function figure(name, label, value, text, linkTo) {
  const shown = h("span", { class: "value" }, text ?? formatNumber(value));
  return h("div", { class: "figure", dataset: { count: name, value: value ?? "" } },
    linkTo ? h("a", { href: linkTo }, shown) : shown,
    h("span", { class: "label" }, label));
}

export function totals(r, implementations) {
  const byStatus = r.byStatus || {};
  return section(t("ov.totals"),
    h("div", { class: "figures", id: "totals" },
      figure("implementations", t("ov.implementations"), implementations ?? r.total),
      STATUSES.filter((s) => byStatus[s] !== undefined).map((s) =>
        figure(s, statusLabel(s), byStatus[s], undefined, routeHref("/list", { status: s }))),
      figure("shareDoneLate", t("ov.shareDoneLate"), r.shareDoneLateOfDueOrFinished,
        formatShare(r.shareDoneLateOfDueOrFinished))));
}

function cell(r, region, sector) {
  if (!r) return { content: "", attrs: { class: "empty" } };
  return {
    attrs: { class: `cell rag-${r.rag}`, dataset: { region, sector, total: r.total, overdue: r.overdue ?? 0 },
      title: `${ragLabel(r.rag)}: ${formatNumber(r.total)}` },
    content: h("a", { href: routeHref(`/region/${region}`, sector ? { sector } : {}) },
      h("span", { class: "total" }, formatNumber(r.total)),
      r.overdue ? h("span", { class: "overdue" }, ` · ${statusLabel("overdue")} ${formatNumber(r.overdue)}`) : null),
  };
}

function matrix(data) {
  const rows = data.matrix || [];
  const regionNames = new Map((data.regions || []).map((r) => [r.code, r.name]));
  const sectorNames = new Map((data.sectors || []).map((s) => [s.code, s.name]));
  const regions = [...new Set([...(data.regions || []).map((r) => r.code), ...rows.map((r) => r.region)])]
    .filter((c) => rows.some((r) => r.region === c));
  const sectors = [...new Set([...(data.sectors || []).map((s) => s.code), ...rows.map((r) => r.sector)])]
    .filter((c) => rows.some((r) => r.sector === c));
  if (!rows.length) return section(t("ov.matrix"), h("p", {}, t("ov.none")));
  const at = new Map(rows.map((r) => [`${r.region}|${r.sector}`, r]));
  return section(t("ov.matrix"), table(
    [t("col.region"), ...sectors.map((s) => sectorLabel(s, sectorNames.get(s)))],
    regions.map((reg) => ({
      attrs: { dataset: { region: reg } },
      cells: [h("a", { href: routeHref(`/region/${reg}`) }, regionLabel(reg, regionNames.get(reg))),
        ...sectors.map((sec) => cell(at.get(`${reg}|${sec}`), reg, sec))],
    })),
    { id: "matrix", class: "matrix" }));
}

function earlyWarnings(list) {
  if (!list.length) return section(t("ov.earlyWarnings"), h("p", { id: "early-warnings" }, t("ov.none")));
  return section(t("ov.earlyWarnings"), table(
    [t("col.measure"), t("col.title"), t("col.region"), t("col.organisation"), t("col.deadline"), t("ov.daysLeft")],
    list.map((w) => ({
      attrs: { dataset: { measure: w.measure, region: w.region } },
      cells: [h("a", { href: routeHref(`/measure/${encodeURIComponent(w.measure)}`) }, w.measure), w.title,
        regionLabel(w.region), w.organisation, formatDate(w.deadline), formatNumber(w.daysLeft)],
    })),
    { id: "early-warnings" }));
}

function freshness(list) {
  if (!list.length) return section(t("ov.freshness"), h("p", { id: "freshness" }, t("ov.none")));
  return section(t("ov.freshness"), table(
    [t("col.region"), t("ov.lastReport"), t("ov.age")],
    list.map((f) => ({
      attrs: { dataset: { region: f.region } },
      cells: [f.region === "*" ? "*" : regionLabel(f.region), formatDateTime(f.lastReport), formatAge(f.ageSeconds)],
    })),
    { id: "freshness" }));
}

// A hub without /api/v1/overview: the totals and a column of regions from /api/v1/summary.
async function fallbackOverview(filters) {
  const byRegion = await getJson("/api/v1/summary", { by: "region", ...filters }, { noLang: true });
  const groups = byRegion.groups || [];
  const sum = { byStatus: {}, total: 0, doneLate: 0, dueOrFinished: 0, overdue: 0 };
  for (const g of groups) {
    sum.total += g.total;
    sum.doneLate += g.doneLate;
    sum.dueOrFinished += g.dueOrFinished;
    for (const [s, n] of Object.entries(g.byStatus || {})) sum.byStatus[s] = (sum.byStatus[s] || 0) + n;
  }
  sum.shareDoneLateOfDueOrFinished = sum.dueOrFinished ? sum.doneLate / sum.dueOrFinished : null;
  const data = {
    matrix: groups.map((g) => ({ ...g, region: g.key, sector: "" })),
    regions: groups.map((g) => ({ code: g.key, name: g.name })),
    sectors: [{ code: "", name: t("ov.allSectors") }],
  };
  return h("div", { class: "overview" },
    h("h1", {}, t("ov.title")),
    h("p", { class: "note", id: "fallback-note" }, t("ov.fallback")),
    totals(sum, byRegion.implementations),
    matrix(data));
}


