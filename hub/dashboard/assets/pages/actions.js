// Actions for people with no system of their own, on one task (or an implementation without
// tasks): an executor submits completion, uploads evidence and requests an extension; a controller
// verifies or returns a submitted task and approves or rejects a pending extension. Each goes to
// POST /api/v1/control or POST /api/v1/evidence; the hub decides by the token's roles and
// territory, and its refusal is shown as it says it.
import { pageAsOf, postFile, postJson } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { rerender } from "../ui.js";

function today() { return pageAsOf() || new Date().toISOString().slice(0, 10); }

export function actionsFor(m, task) {
  const result = h("p", { class: "action-result", role: "status" });
  const base = { measure: m.measure, region: m.region, organisation: m.organisation };
  if (task) base.task = task.id;
  const control = task ? task.control : m.control;
  const changes = (task ? task.deadlineChanges : m.deadlineChanges) || [];
  const pending = changes.filter((c) => c.decision === "pending");
  const status = task ? task.status : m.status;
  const open = !["doneOnTime", "doneLate", "cancelled"].includes(status) || control === "returned";

  async function act(fn) {
    result.className = "action-result";
    result.textContent = "…";
    try {
      await fn();
      result.classList.add("ok");
      result.textContent = t("act.done");
      await rerender();
    } catch (e) {
      result.classList.add("error");
      result.dataset.status = e.status ?? "";
      result.textContent = `${t("act.refused")}: ${e.message}`;
    }
  }

  const forms = [];
  const form = (name, label, fields, submit) => {
    const f = h("form", { class: "action", dataset: { action: name } }, fields, h("button", { type: "submit" }, label));
    f.addEventListener("submit", (ev) => { ev.preventDefault(); act(() => submit(f.elements)); });
    forms.push(f);
  };
  const field = (label, input) => h("label", {}, h("span", {}, label), input);

  if (open && control !== "submitted")
    form("submit", t("act.submit"), [field(t("act.completed"), h("input", { type: "date", name: "completed", value: today(), required: true }))],
      (el) => postJson("/api/v1/control", { ...base, action: "submit", completed: el.completed.value }));
  if (open)
    form("request", t("act.request"), [
      field(t("act.newDeadline"), h("input", { type: "date", name: "deadline", required: true })),
      field(t("act.reason"), h("input", { name: "reason", required: true }))],
    (el) => postJson("/api/v1/control", { ...base, action: "request", deadline: el.deadline.value, reason: el.reason.value }));
  form("upload", t("act.upload"), [field(t("act.file"), h("input", { type: "file", name: "file", required: true }))],
    (el) => {
      const file = el.file.files[0];
      return postFile("/api/v1/evidence", { ...base, filename: file.name, title: file.name }, file);
    });
  if (control === "submitted") {
    form("verify", t("act.verify"), [], () => postJson("/api/v1/control", { ...base, action: "verify" }));
    form("return", t("act.return"), [field(t("act.reason"), h("input", { name: "reason", required: true }))],
      (el) => postJson("/api/v1/control", { ...base, action: "return", reason: el.reason.value }));
  }
  if (pending.length) {
    const deadline = pending.length === 1 ? pending[0].deadline : undefined;
    form("approve", t("act.approve"), [], () => postJson("/api/v1/control", { ...base, action: "approve", deadline }));
    form("reject", t("act.reject"), [field(t("act.reason"), h("input", { name: "reason" }))],
      (el) => postJson("/api/v1/control", { ...base, action: "reject", deadline, reason: el.reason.value }));
  }
  form("comment", t("act.comment"), [field(t("act.comment"), h("input", { name: "text", required: true }))],
    (el) => postJson("/api/v1/control", { ...base, action: "comment", text: el.text.value }));
  return h("details", { class: "actions", dataset: { task: task ? task.id : "" } },
    h("summary", {}, t("act.title")), forms, result);
}
