// Building the page from data: elements are made with text nodes only (never HTML from data), so
// nothing a report says can run as markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// An SVG element with attributes.
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}

// A table from column headers and rows of cells (each cell a node, text or {content, attrs}).
export function table(headers, rows, attrs = {}) {
  const head = h("thead", {}, h("tr", {}, headers.map((x) => (x instanceof Node ? x : h("th", { scope: "col" }, x)))));
  const body = h("tbody", {}, rows.map((r) =>
    h("tr", r.attrs || {}, (r.cells || r).map((c) =>
      c && typeof c === "object" && !(c instanceof Node) && "content" in c ? h("td", c.attrs || {}, c.content) : h("td", {}, c)))));
  return h("div", { class: "table-wrap" }, h("table", attrs, head, body));
}

export function section(title, ...children) {
  return h("section", {}, h("h2", {}, title), ...children);
}

export function badge(kind, value, text) {
  return h("span", { class: `badge ${kind}-${value}`, dataset: { [kind]: value } }, text);
}
