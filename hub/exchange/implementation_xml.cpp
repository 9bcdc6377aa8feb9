#include "hub/exchange/implementation_xml.hpp"

#include "hub/exchange/fields.hpp"

namespace ijro::exchange {

namespace {

using model::formatDate;

void writeDeadlineChange(xml::Writer& w, const model::DeadlineChange& c) {
  w.startElement("deadlineChange");
  w.attribute("previous", formatDate(c.previous));
  w.attribute("deadline", formatDate(c.deadline));
  if (!c.decidedBy.empty()) w.attribute("approvedBy", c.decidedBy);
  if (c.decidedOn) w.attribute("approvedOn", formatDate(*c.decidedOn));
  if (!c.reason.empty()) w.attribute("reason", c.reason);
  w.endElement();
}

void writeIndicator(xml::Writer& w, const model::Indicator& ind) {
  w.startElement("indicator");
  w.attribute("code", ind.code);
  if (!ind.unit.empty()) w.attribute("unit", ind.unit);
  w.attribute("ascending", ind.ascending ? "true" : "false");
  w.attribute("baseline", fields::formatNumber(ind.baseline));
  w.textElement("name", ind.name);
  for (const auto& p : ind.periods) {
    w.startElement("period");
    w.attribute("start", formatDate(p.start));
    w.attribute("end", formatDate(p.end));
    if (p.target) w.attribute("target", fields::formatNumber(*p.target));
    if (p.actual) w.attribute("actual", fields::formatNumber(*p.actual));
    w.endElement();
  }
  w.endElement();
}

void writeAssignment(xml::Writer& w, const model::Assignment& a) {
  w.startElement("assignment");
  w.attribute("id", a.id);
  if (!a.parentId.empty()) w.attribute("parent", a.parentId);
  w.attribute("assignee", a.assignee);
  w.attribute("deadline", formatDate(a.deadline));
  w.attribute("control", model::toString(a.control));
  if (a.completed) w.attribute("completed", formatDate(*a.completed));
  w.textElement("title", a.title);
  for (const auto& c : a.deadlineChanges) writeDeadlineChange(w, c);
  w.endElement();
}

void writeEvidence(xml::Writer& w, const model::Evidence& e) {
  w.startElement("evidence");
  w.attribute("url", e.url);
  if (!e.format.empty()) w.attribute("format", e.format);
  w.attribute("date", formatDate(e.date));
  if (!e.uploader.empty()) w.attribute("uploader", e.uploader);
  // A file uploaded to the hub: its content's hash and size (the url is the hub's GET).
  if (!e.sha256.empty()) w.attribute("sha256", e.sha256);
  if (e.size) w.attribute("size", std::to_string(*e.size));
  w.textElement("title", e.title);
  w.endElement();
}

}  // namespace

void writeImplementationFacts(xml::Writer& w, const model::Implementation& impl) {
  w.startElement("measure");
  w.attribute("id", impl.measure.id);
  w.textElement("title", impl.measure.title);
  w.startElement("act");
  w.attribute("type", impl.measure.act.type);
  w.attribute("number", impl.measure.act.number);
  w.attribute("date", formatDate(impl.measure.act.date));
  if (!impl.measure.act.item.empty()) w.attribute("item", impl.measure.act.item);
  w.endElement();
  w.endElement();

  w.textElement("region", impl.region);
  w.textElement("organisation", impl.organisation);
  w.textElement("sector", impl.sector);
  w.textElement("lifecycle", model::toString(impl.lifecycle));
  w.textElement("start", formatDate(impl.start));
  w.textElement("deadline", formatDate(impl.deadline));
  if (impl.completed) w.textElement("completed", formatDate(*impl.completed));
  for (const auto& c : impl.deadlineChanges) writeDeadlineChange(w, c);
  for (const auto& ind : impl.indicators) writeIndicator(w, ind);
  for (const auto& a : impl.assignments) writeAssignment(w, a);
  for (const auto& e : impl.evidence) writeEvidence(w, e);
  if (!impl.note.empty()) w.textElement("note", impl.note);
}

}  // namespace ijro::exchange
