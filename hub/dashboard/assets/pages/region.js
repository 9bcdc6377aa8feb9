// One region: its totals, by sector and by organisation, and its work (the same views as the
// overview and the lists, narrowed to the region). A token for another region gets the API's
// refusal, shown as it says it.
import { ApiError, getJson } from "../api.js";
import { badge, h, section, table } from "../dom.js";
import { columnLabel, formatNumber, formatShare, ragLabel, regionLabel, sectorLabel, statusLabel,
  t } from "../i18n.js";
import { totals } from "./overview.js";
import { MEASURE_COLUMNS, measureRows } from "./list.js";
import { routeHref } from "../ui.js";

function rollUpTable(id, firstHeader, groups, label) {
  return table(
    [firstHeader, t("col.total"), statusLabel("overdue"), statusLabel("doneLate"), t("ov.shareDoneLate"), t("col.rag")],
    groups.map((g) => ({
      attrs: { dataset: { key: g.key, total: g.total } },
      cells: [label(g), { content: formatNumber(g.total), attrs: { class: "num" } },
        { content: formatNumber(g.overdue), attrs: { class: "num" } },
        { content: formatNumber(g.doneLate), attrs: { class: "num" } },
        formatShare(g.shareDoneLateOfDueOrFinished), badge("rag", g.rag, ragLabel(g.rag))],
    })),
    { id });
}

export async function regionPage(params, code) {
  const sector = params.get("sector") || "";
  const page = Number(params.get("page") || 1);
  const filter = { region: code, sector };
  let overview = null;
  try {
    overview = await getJson("/api/v1/overview", filter, { noLang: true });
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
  }
  const [bySector, byOrganisation, work] = await Promise.all([
    overview ? null : getJson("/api/v1/summary", { by: "sector", ...filter }, { noLang: true }),
    getJson("/api/v1/summary", { by: "organisation", ...filter }, { noLang: true }),
    getJson("/api/v1/measures", { ...filter, page, pageSize: 25 }),
  ]);
  const sectorGroups = overview
    ? (overview.matrix || []).filter((r) => r.region === code).map((r) => ({ ...r, key: r.sector }))
    : bySector.groups || [];
  const sectorNames = new Map((overview?.sectors || []).map((s) => [s.code, s.name]));
  const regionName = (overview?.regions || []).find((r) => r.code === code)?.name;
  const pages = Math.max(1, Math.ceil(work.total / 25));
  return h("div", { class: "region", dataset: { region: code } },
    h("h1", {}, regionLabel(code, regionName), sector ? ` · ${sectorLabel(sector, sectorNames.get(sector))}` : ""),
    overview ? totals(overview.totals || {}, overview.implementations) : null,
    section(t("region.bySector"), rollUpTable("by-sector", columnLabel("sector"), sectorGroups,
      (g) => h("a", { href: routeHref(`/region/${code}`, { sector: g.key }) }, sectorLabel(g.key, sectorNames.get(g.key))))),
    section(t("region.byOrganisation"), rollUpTable("by-organisation", columnLabel("organisation"), byOrganisation.groups || [],
      (g) => g.name || g.key)),
    section(t("region.work"),
      h("p", { id: "region-total", dataset: { total: work.total } }, t("list.count", { n: formatNumber(work.total) })),
      table(MEASURE_COLUMNS.map((c) => columnLabel(c)), measureRows(work.items || []), { id: "measures", class: "measures" }),
      h("nav", { class: "pager" },
        page > 1 ? h("a", { href: routeHref(`/region/${code}`, { sector, page: page - 1 }) }, t("list.prev")) : null,
        h("span", {}, t("list.page", { page: formatNumber(page), pages: formatNumber(pages) })),
        page < pages ? h("a", { href: routeHref(`/region/${code}`, { sector, page: page + 1 }) }, t("list.next")) : null)));
}
