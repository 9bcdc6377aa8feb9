// Charts drawn as inline SVG: an indicator's targets and actuals per period against its baseline,
// and lines of shares over time. Colours come from the style sheet (classes), so print and
// screen styles apply.
import { svg } from "./dom.js";
import { formatDate, formatNumber, formatShare, t } from "./i18n.js";

const W = 640, H = 240, PAD = { left: 56, right: 12, top: 12, bottom: 44 };

function scale(domainMax, domainMin = 0) {
  const span = domainMax - domainMin || 1;
  return (v) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - (v - domainMin) / span);
}

// A round step (1, 2 or 5 times a power of ten) that splits the span into about four parts.
function niceStep(span) {
  const raw = span / 4 || 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

function yAxis(y, max, min, fmt) {
  const out = [];
  const step = niceStep(max - min);
  for (let v = Math.ceil(min / step) * step; v <= max + step / 1e6; v += step) {
    out.push(svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: "grid" }),
      svg("text", { x: PAD.left - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, fmt(v)));
  }
  return out;
}

// Targets and actuals of each period as bars, the baseline as a dashed line.
export function indicatorChart(ind) {
  const periods = ind.periods || [];
  const values = periods.flatMap((p) => [p.target, p.actual]).concat([ind.baseline]).filter((v) => typeof v === "number");
  const min = Math.min(0, ...values);
  const top = Math.max(1, ...values);
  const max = Math.ceil(top / niceStep(top - min)) * niceStep(top - min);
  const y = scale(max, min);
  const slot = (W - PAD.left - PAD.right) / Math.max(1, periods.length);
  const bar = Math.min(40, slot / 3);
  const bars = periods.flatMap((p, i) => {
    const x = PAD.left + slot * i + slot / 2;
    const one = (v, dx, cls, label) => (typeof v === "number"
      ? svg("rect", { x: x + dx, y: y(Math.max(v, 0)), width: bar, height: Math.abs(y(0) - y(v)), class: cls },
        svg("title", {}, `${label}: ${formatNumber(v)}`))
      : null);
    return [
      one(p.target, -bar - 1, "bar-target", t("m.target")),
      one(p.actual, 1, "bar-actual", t("m.actual")),
      svg("text", { x, y: H - PAD.bottom + 16, "text-anchor": "middle", class: "tick" }, formatDate(p.end)),
    ].filter(Boolean);
  });
  const base = typeof ind.baseline === "number"
    ? [svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y(ind.baseline), y2: y(ind.baseline), class: "baseline" }),
      svg("text", { x: W - PAD.right, y: y(ind.baseline) - 4, "text-anchor": "end", class: "tick" },
        `${t("m.baseline")} ${formatNumber(ind.baseline)}`)]
    : [];
  const legend = [
    svg("rect", { x: PAD.left, y: H - 18, width: 10, height: 10, class: "bar-target" }),
    svg("text", { x: PAD.left + 14, y: H - 9, class: "tick" }, t("m.target")),
    svg("rect", { x: PAD.left + 110, y: H - 18, width: 10, height: 10, class: "bar-actual" }),
    svg("text", { x: PAD.left + 124, y: H - 9, class: "tick" }, t("m.actual")),
  ];
  return svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart indicator-chart", role: "img",
    "aria-label": `${ind.name} (${ind.code})`, "data-indicator": ind.code, "data-periods": periods.length },
  ...yAxis(y, max, min, formatNumber), ...bars, ...base, ...legend);
}

// Lines over dates: series = [{key, label, cls}], points = [{date, [key]: share 0..1}].
export function lineChart(points, series) {
  const top = Math.max(0.1, ...points.flatMap((p) => series.map((s) => p[s.key] ?? 0)));
  const max = Math.min(1, Math.ceil(top / niceStep(top)) * niceStep(top));
  const y = scale(max, 0);
  const n = Math.max(1, points.length - 1);
  const x = (i) => PAD.left + ((W - PAD.left - PAD.right) * i) / n;
  const every = Math.ceil(points.length / 8);
  const labels = points.map((p, i) => (i % every === 0 || i === points.length - 1
    ? svg("text", { x: x(i), y: H - PAD.bottom + 16, "text-anchor": "middle", class: "tick" }, formatDate(p.date))
    : null)).filter(Boolean);
  const lines = series.map((s) => {
    const d = points.map((p, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(p[s.key] ?? 0).toFixed(1)}`).join(" ");
    return svg("g", { class: `series ${s.cls}`, "data-series": s.key },
      svg("path", { d, class: "line" }),
      ...points.map((p, i) => svg("circle", { cx: x(i), cy: y(p[s.key] ?? 0), r: 3 },
        svg("title", {}, `${formatDate(p.date)} · ${s.label}: ${formatShare(p[s.key])}`))));
  });
  const legend = series.map((s, i) => svg("g", { class: `series ${s.cls}` },
    svg("rect", { x: PAD.left + i * 220, y: H - 18, width: 10, height: 10 }),
    svg("text", { x: PAD.left + 14 + i * 220, y: H - 9, class: "tick" }, s.label)));
  return svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart line-chart", role: "img", "data-points": points.length },
    ...yAxis(y, max, 0, formatShare), ...labels, ...lines, ...legend);
}
