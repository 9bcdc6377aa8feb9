// Lists of work: /api/v1/measures with the filters (region, district, sector, organisation,
// decree, status, delay), paged and sorted on the server; each row links to its measure; the
// same rows exported as XLSX or CSV (fetched with the token, saved as a file).
import { apiUrl, download, getJson } from "../api.js";
import { badge, h, table } from "../dom.js";
import { STATUSES, columnLabel, formatDate, formatNumber, ragLabel, regionLabel, statusLabel,
  t } from "../i18n.js";
import { errorBox, routeHref } from "../ui.js";

const FILTERS = ["region", "district", "sector", "organisation", "decree", "status", "rag", "minDelay"];
// Column (the catalogue's name) -> the sort key of /api/v1/measures.
const SORTABLE = { measure: "measure", regionName: "region", organisation: "organisation",
  deadline: "deadline", delayDays: "delay", status: "status" };
const PAGE_SIZE = 25;

function currentQuery(params) {
  const q = {};
  for (const k of [...FILTERS, "sort", "page"]) if (params.get(k)) q[k] = params.get(k);
  return q;
}

function filterForm(q) {
  const field = (name, input) => h("label", {}, h("span", {}, columnLabel(name)), input);
  const text = (name, attrs = {}) => field(name, h("input", { name, value: q[name] || "", ...attrs }));
  const status = h("select", { name: "status" }, h("option", { value: "" }, t("list.any")),
    STATUSES.map((s) => h("option", { value: s, selected: q.status === s }, statusLabel(s))));
  const form = h("form", { class: "filters", id: "filters" },
    text("region", { inputmode: "numeric", pattern: "[0-9]{2,7}", size: 7 }),
    text("district", { inputmode: "numeric", pattern: "[0-9]{7}", size: 7 }),
    text("sector"), text("organisation"), text("decree"),
    field("status", status),
    text("minDelay", { type: "number", min: 0, step: 1 }),
    h("button", { type: "submit" }, t("list.apply")),
    h("a", { class: "button", href: "#/list" }, t("list.reset")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const next = { ...q, page: "" };
    for (const k of FILTERS) if (form.elements[k]) next[k] = form.elements[k].value.trim();
    location.hash = routeHref("/list", next);
  });
  return form;
}

function sortHeader(name, q) {
  const key = SORTABLE[name];
  if (!key) return h("th", { scope: "col" }, columnLabel(name));
  const now = q.sort || "";
  const ascending = now === key, descending = now === `-${key}`;
  const next = ascending ? `-${key}` : key;
  return h("th", { scope: "col", "aria-sort": ascending ? "ascending" : descending ? "descending" : "none" },
    h("a", { href: routeHref("/list", { ...q, sort: next, page: "" }), dataset: { sort: key } },
      columnLabel(name), ascending ? " ▲" : descending ? " ▼" : ""));
}

export function measureRows(items) {
  return items.map((m) => ({
    attrs: { dataset: { measure: m.measure, region: m.region, status: m.status } },
    cells: [
      h("a", { href: routeHref(`/measure/${encodeURIComponent(m.measure)}`) }, m.measure),
      m.title,
      h("a", { href: routeHref(`/region/${m.region.slice(0, 4)}`) }, regionLabel(m.region)),
      m.organisationName || m.organisation,
      formatDate(m.deadline),
      { content: formatNumber(m.delayDays), attrs: { class: "num" } },
      badge("status", m.status, statusLabel(m.status)),
      badge("rag", m.rag, ragLabel(m.rag)),
    ],
  }));
}

export const MEASURE_COLUMNS = ["measure", "title", "regionName", "organisation", "deadline", "delayDays", "status", "rag"];

export async function listPage(params) {
  const q = currentQuery(params);
  const page = Number(q.page || 1);
  const data = await getJson("/api/v1/measures", { ...q, pageSize: PAGE_SIZE });
  const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
  const exportQuery = { ...q };
  delete exportQuery.page;
  const exporter = (format) => h("button", {
    type: "button", class: "export", dataset: { format },
    onclick: async (ev) => {
      const box = ev.target.closest(".list").querySelector(".export-result");
      box.replaceChildren();
      try {
        await download(apiUrl("/api/v1/export/measures", { ...exportQuery, format }), `measures.${format}`);
      } catch (e) {
        box.replaceChildren(errorBox(e));
      }
    },
  }, t(format === "xlsx" ? "list.exportXlsx" : "list.exportCsv"));
  const title = q.status ? statusLabel(q.status) : t("list.title");
  return h("div", { class: "list" },
    h("h1", {}, title),
    h("details", { class: "filter-box", open: true }, h("summary", {}, t("list.filters")), filterForm(q)),
    h("div", { class: "list-tools" },
      h("span", { id: "list-total", dataset: { total: data.total } }, t("list.count", { n: formatNumber(data.total) })),
      exporter("xlsx"), exporter("csv")),
    h("div", { class: "export-result" }),
    data.items.length
      ? table(MEASURE_COLUMNS.map((c) => sortHeader(c, q)), measureRows(data.items), { id: "measures", class: "measures" })
      : h("p", { class: "empty" }, t("list.empty")),
    h("nav", { class: "pager", "aria-label": "pages" },
      page > 1 ? h("a", { href: routeHref("/list", { ...q, page: page - 1 }), rel: "prev" }, t("list.prev")) : null,
      h("span", {}, t("list.page", { page: formatNumber(page), pages: formatNumber(pages) })),
      page < pages ? h("a", { href: routeHref("/list", { ...q, page: page + 1 }), rel: "next" }, t("list.next")) : null));
}


