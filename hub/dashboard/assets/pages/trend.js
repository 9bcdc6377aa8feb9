// Trend: the share overdue and the share done late over time (GET /api/v1/trend), as a line chart.
import { getJson, pageAsOf } from "../api.js";
import { lineChart } from "../charts.js";
import { h, section, table } from "../dom.js";
import { formatDate, formatNumber, formatShare, statusLabel, t } from "../i18n.js";
import { routeHref } from "../ui.js";

function isoDate(d) { return d.toISOString().slice(0, 10); }

export async function trendPage(params) {
  const end = pageAsOf() || isoDate(new Date());
  const startDefault = new Date(`${end}T00:00:00Z`);
  startDefault.setUTCFullYear(startDefault.getUTCFullYear() - 1);
  const q = {
    from: params.get("from") || isoDate(startDefault),
    to: params.get("to") || end,
    step: params.get("step") === "week" ? "week" : "month",
    region: params.get("region") || "",
    sector: params.get("sector") || "",
  };
  const data = await getJson("/api/v1/trend", q, { noAsOf: true, noLang: true });
  const points = data.points || [];
  const form = h("form", { class: "filters", id: "trend-form" },
    h("label", {}, h("span", {}, t("trend.from")), h("input", { type: "date", name: "from", value: q.from })),
    h("label", {}, h("span", {}, t("trend.to")), h("input", { type: "date", name: "to", value: q.to })),
    h("label", {}, h("span", {}, t("trend.step")), h("select", { name: "step" },
      h("option", { value: "month", selected: q.step === "month" }, t("trend.month")),
      h("option", { value: "week", selected: q.step === "week" }, t("trend.week")))),
    h("button", { type: "submit" }, t("trend.show")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    location.hash = routeHref("/trend", { ...q, from: form.elements.from.value, to: form.elements.to.value, step: form.elements.step.value });
  });
  const series = [
    { key: "shareOverdue", label: t("trend.shareOverdue"), cls: "s-overdue" },
    { key: "shareDoneLate", label: t("trend.shareDoneLate"), cls: "s-late" },
  ];
  return h("div", { class: "trend" },
    h("h1", {}, t("trend.title")),
    form,
    points.length ? lineChart(points, series) : h("p", {}, t("ov.none")),
    section(t("trend.title"), table(
      [t("m.on"), t("ov.implementations"), statusLabel("overdue"), statusLabel("doneLate"), t("trend.shareOverdue"), t("trend.shareDoneLate")],
      points.map((p) => ({ attrs: { dataset: { date: p.date } },
        cells: [formatDate(p.date), formatNumber(p.implementations), formatNumber(p.overdue), formatNumber(p.doneLate),
          formatShare(p.shareOverdue), formatShare(p.shareDoneLate)] })),
      { id: "trend-table" })));
}
