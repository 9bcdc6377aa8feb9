#include "hub/exchange/implementation_xml.hpp"

#include "hub/exchange/fields.hpp"
#include "hub/model/indicators.hpp"

namespace ijro::exchange {

namespace {

using model::formatDate;

void writeDeadlineChange(xml::Writer& w, const model::DeadlineChange& c) {
  w.startElement("deadlineChange");
  w.attribute("previous", formatDate(c.previous));
  w.attribute("deadline", formatDate(c.deadline));
  if (!c.requestedBy.empty()) w.attribute("requestedBy", c.requestedBy);
  if (c.requestedOn) w.attribute("requestedOn", formatDate(*c.requestedOn));
  if (!c.reason.empty()) w.attribute("reason", c.reason);
  // Pending is the default; the deprecated approvedBy/approvedOn are read, never written.
  if (c.decision != model::Decision::Pending) w.attribute("decision", model::toString(c.decision));
  if (!c.decidedBy.empty()) w.attribute("decidedBy", c.decidedBy);
  if (c.decidedOn) w.attribute("decidedOn", formatDate(*c.decidedOn));
  w.endElement();
}

// The main title without lang, then one <title lang="..."> per translation.
void writeTitles(xml::Writer& w, const std::string& main, const model::Translations& titles) {
  w.textElement("title", main);
  for (const auto& t : titles) {
    w.startElement("title");
    w.attribute("lang", t.lang);
    w.text(t.text);
    w.endElement();
  }
}

void writeControlEvent(xml::Writer& w, const model::ControlEvent& e) {
  w.startElement("controlEvent");
  w.attribute("state", model::toString(e.state));
  w.attribute("by", e.by);
  w.attribute("on", formatDate(e.on));
  if (!e.at.empty()) w.attribute("at", e.at);
  if (e.completed) w.attribute("completed", formatDate(*e.completed));
  if (!e.reason.empty()) w.attribute("reason", e.reason);
  w.endElement();
}

void writeComment(xml::Writer& w, const model::Comment& c) {
  w.startElement("comment");
  w.attribute("author", c.author);
  w.attribute("at", c.at);
  w.attribute("lang", c.lang);
  w.text(c.text);
  w.endElement();
}

void optionalNumber(xml::Writer& w, const char* name, const std::optional<double>& v) {
  if (v) w.attribute(name, fields::formatNumber(*v));
}

void writeIndicator(xml::Writer& w, const model::Indicator& ind, const model::Implementation& impl,
                    Facts facts) {
  w.startElement("indicator");
  w.attribute("code", ind.code);
  if (!ind.unit.empty()) w.attribute("unit", ind.unit);
  w.attribute("ascending", ind.ascending ? "true" : "false");
  w.attribute("baseline", fields::formatNumber(ind.baseline));
  if (ind.mode != model::IndicatorMode::Replace) w.attribute("mode", model::toString(ind.mode));
  w.textElement("name", ind.name);
  for (const auto& p : ind.periods) {
    w.startElement("period");
    w.attribute("start", formatDate(p.start));
    w.attribute("end", formatDate(p.end));
    optionalNumber(w, "target", p.target);
    optionalNumber(w, "actual", p.actual);
    optionalNumber(w, "numerator", p.numerator);
    optionalNumber(w, "denominator", p.denominator);
    if (facts == Facts::Feed && model::outsideWork(p, impl)) w.attribute("outsideWork", "true");
    for (const auto& b : p.breakdowns) {
      w.startElement("breakdown");
      w.attribute("dimension", b.dimension);
      w.attribute("category", b.category);
      optionalNumber(w, "target", b.target);
      optionalNumber(w, "actual", b.actual);
      optionalNumber(w, "numerator", b.numerator);
      optionalNumber(w, "denominator", b.denominator);
      w.endElement();
    }
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
  writeTitles(w, a.title, a.titles);
  for (const auto& c : a.deadlineChanges) writeDeadlineChange(w, c);
  for (const auto& e : a.controlEvents) writeControlEvent(w, e);
  for (const auto& c : a.comments) writeComment(w, c);
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

void writeImplementationFacts(xml::Writer& w, const model::Implementation& impl, Facts facts) {
  w.startElement("measure");
  w.attribute("id", impl.measure.id);
  writeTitles(w, impl.measure.title, impl.measure.titles);
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
  for (const auto& ind : impl.indicators) writeIndicator(w, ind, impl, facts);
  for (const auto& a : impl.assignments) writeAssignment(w, a);
  for (const auto& e : impl.evidence) writeEvidence(w, e);
  for (const auto& e : impl.controlEvents) writeControlEvent(w, e);
  for (const auto& c : impl.comments) writeComment(w, c);
  if (!impl.note.empty()) w.textElement("note", impl.note);
}

}  // namespace ijro::exchange
