// A measure: its act and item, each region's implementation (status, delay, RAG), the assignment
// tree with each task's status, indicator charts, evidence, comments, deadline changes, control
// events, the history of changes, and the actions a person with no system of their own takes.
import { apiUrl, download, getJson } from "../api.js";
import { indicatorChart } from "../charts.js";
import { badge, h, section, table } from "../dom.js";
import { controlLabel, decisionLabel, formatDate, formatDateTime, formatNumber, formatShare, ragLabel, regionLabel,
  statusLabel, t } from "../i18n.js";
import { actionsFor } from "./actions.js";
import { routeHref } from "../ui.js";

export async function measurePage(params, id) {
  const [list, history] = await Promise.all([
    getJson("/api/v1/measures", { measure: id, pageSize: 1000 }),
    getJson(`/api/v1/measures/${encodeURIComponent(id)}/history`, { order: "newest", pageSize: 50 },
      { noAsOf: true, noLang: true }).catch((e) => ({ error: e })),
  ]);
  const items = list.items || [];
  if (!items.length)
    return h("div", { class: "measure" }, h("h1", {}, id), h("p", { class: "error", role: "alert", id: "not-found" }, t("m.notFound")));
  const first = items[0];
  return h("div", { class: "measure", dataset: { measure: id } },
    h("h1", {}, h("span", { class: "id" }, id), " ", first.title),
    actLine(first),
    section(t("m.implementations"), table(
      [t("col.region"), t("col.organisation"), t("col.deadline"), t("col.status"), t("col.delay"), t("col.rag"), t("col.progress")],
      items.map((m) => ({
        attrs: { dataset: { region: m.region, status: m.status } },
        cells: [h("a", { href: `#impl-${m.region}-${slug(m.organisation)}`, "data-jump": "1" }, regionLabel(m.region)),
          m.organisationName || m.organisation, formatDate(m.deadline), badge("status", m.status, statusLabel(m.status)),
          { content: formatNumber(m.delayDays), attrs: { class: "num" } }, badge("rag", m.rag, ragLabel(m.rag)),
          formatShare(m.progress)],
      })),
      { id: "implementations" })),
    items.map(implementation),
    historySection(history));
}

function slug(s) { return String(s).replace(/[^A-Za-z0-9]+/g, "-").slice(0, 40); }

function actLine(m) {
  const act = m.act;
  if (!act) return null;
  return h("p", { class: "act", id: "act" },
    h("strong", {}, `${t("m.act")}: `), [act.type, act.number].filter(Boolean).join(" "),
    act.date ? ` (${formatDate(act.date)})` : "",
    act.item ? [", ", h("strong", {}, `${t("m.item")} `), act.item] : "");
}

function implementation(m) {
  return h("section", { class: "implementation", id: `impl-${m.region}-${slug(m.organisation)}`,
    dataset: { region: m.region, organisation: m.organisation } },
  h("h2", {}, h("a", { href: routeHref(`/region/${m.region.slice(0, 4)}`) }, regionLabel(m.region)), " · ",
    m.organisationName || m.organisation, " ", badge("status", m.status, statusLabel(m.status)), " ",
    badge("rag", m.rag, ragLabel(m.rag))),
  tasksTree(m),
  m.tasks?.length ? null : actionsFor(m, null),
  indicators(m),
  evidence(m),
  changes(t("m.deadlineChanges"), m.deadlineChanges),
  events(m.controlEvents),
  comments(m.comments));
}

// The assignments as a tree (each task under its parent), with status, control and actions.
function tasksTree(m) {
  const tasks = m.tasks || [];
  if (!tasks.length) return null;
  const children = new Map();
  for (const task of tasks) {
    const parent = task.parent && tasks.some((x) => x.id === task.parent) ? task.parent : "";
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(task);
  }
  const branch = (parent) => {
    const list = children.get(parent);
    if (!list) return null;
    return h("ul", { class: "tasks" }, list.map((task) => h("li", { class: "task", dataset: { task: task.id, status: task.status, control: task.control || "" } },
      h("div", { class: "task-head" },
        h("span", { class: "id" }, task.id), " ", task.title, " ",
        badge("status", task.status, statusLabel(task.status)),
        task.control ? [" ", badge("control", task.control, controlLabel(task.control))] : null),
      h("div", { class: "task-meta" },
        `${t("m.assignee")}: ${task.assignee} · ${t("col.deadline")}: ${formatDate(task.deadline)}`,
        task.delayDays ? ` · ${t("col.delay")}: ${formatNumber(task.delayDays)}` : ""),
      changes(t("m.deadlineChanges"), task.deadlineChanges),
      events(task.controlEvents),
      comments(task.comments),
      actionsFor(m, task),
      branch(task.id))));
  };
  return section(t("m.tasks"), branch(""));
}

function indicators(m) {
  const list = m.indicators || [];
  if (!list.length) return null;
  return section(t("m.indicators"), list.map((ind) => h("figure", { class: "indicator" },
    h("figcaption", {}, `${ind.name} (${ind.code})${ind.unit ? `, ${ind.unit}` : ""}`),
    indicatorChart(ind),
    table([t("m.on"), t("m.target"), t("m.actual")], (ind.periods || []).map((p) => [
      `${formatDate(p.start)} – ${formatDate(p.end)}`, formatNumber(p.target), formatNumber(p.actual)]),
    { class: "indicator-values" }))));
}

// Evidence documents (reported links and uploads): an upload is downloaded with the token.
function evidence(m) {
  const list = m.evidence || [];
  if (!list.length) return null;
  return section(t("m.evidence"), h("ul", { class: "evidence" }, list.map((e) => {
    const url = e.sha256 ? `/api/v1/evidence/${e.sha256}` : e.url;
    const name = e.title || e.filename || e.sha256 || e.url;
    const local = url && url.startsWith("/api/");
    return h("li", { dataset: { sha256: e.sha256 || "" } }, name, " ",
      local ? h("button", { type: "button", onclick: () => download(apiUrl(url, {}, { noAsOf: true, noLang: true }), e.filename || name) }, t("m.download"))
        : url ? h("a", { href: url, rel: "noopener noreferrer" }, t("m.download")) : null);
  })));
}

function changes(title, list) {
  if (!list?.length) return null;
  return h("div", { class: "changes" }, h("h3", {}, title), table(
    [t("m.previous"), t("m.requested"), t("m.reason"), t("m.by"), t("m.decision")],
    list.map((c) => ({
      attrs: { dataset: { decision: c.decision } },
      cells: [formatDate(c.previous), formatDate(c.deadline), c.reason || "", c.requestedBy || "",
        `${decisionLabel(c.decision)}${c.decidedBy ? ` · ${c.decidedBy}` : ""}${c.decidedOn ? ` · ${formatDate(c.decidedOn)}` : ""}`],
    }))));
}

function events(list) {
  if (!list?.length) return null;
  return h("div", { class: "events" }, h("h3", {}, t("m.controlEvents")), h("ul", {}, list.map((e) =>
    h("li", { dataset: { state: e.state } }, badge("control", e.state, controlLabel(e.state)), " ",
      `${e.by} · ${formatDate(e.on)}`, e.completed ? ` · ${t("act.completed")}: ${formatDate(e.completed)}` : "",
      e.reason ? ` · ${e.reason}` : ""))));
}

function comments(list) {
  if (!list?.length) return null;
  return h("div", { class: "comments" }, h("h3", {}, t("m.comments")), h("ul", {}, list.map((c) =>
    h("li", { lang: c.lang }, h("strong", {}, c.author), ` (${formatDateTime(c.at)}): `, c.text))));
}

function historySection(history) {
  if (history.error) return section(t("m.history"), h("p", { class: "error" }, history.error.message));
  return section(t("m.history"), table(
    [t("m.receivedAt"), t("m.source"), t("col.region"), t("m.revision"), t("m.changes")],
    (history.items || []).map((e) => [formatDateTime(e.receivedAt), e.source, regionLabel(e.region),
      formatNumber(e.revision), h("ul", { class: "changes-list" }, (e.changes || []).map((c) => h("li", {}, c)))]),
    { id: "history" }));
}


