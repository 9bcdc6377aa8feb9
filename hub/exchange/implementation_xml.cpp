#include "hub/exchange/implementation_xml.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <initializer_list>
#include <map>
#include <utility>

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

// Reading: every structural problem inside an <implementation> (missing or repeated element,
// unknown element or attribute, bad date, number or code) becomes a message on that record,
// with its line, and reading goes on. Element order is not enforced (the schemas give one;
// writers follow it).
namespace {

using model::Date;

constexpr std::string_view kXsiNs = "http://www.w3.org/2001/XMLSchema-instance";
constexpr std::string_view kXmlNs = "http://www.w3.org/XML/1998/namespace";

std::string tag(std::string_view name) {
  return "<" + std::string(name) + ">";
}

std::string join(std::initializer_list<std::string_view> names) {
  std::string out;
  for (auto n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// Elements seen in one parent, with their lines. The names are the reader's (libxml2 keeps each
// element name once, for as long as the reader lives), so nothing is copied per element; a parent
// has a handful of them, so a short list searched in order is all it takes.
class SeenElements {
 public:
  const int* find(std::string_view name) const {
    for (const auto& [n, line] : seen_)
      if (n == name) return &line;
    return nullptr;
  }
  void add(std::string_view name, int line) { seen_.emplace_back(name, line); }

 private:
  std::vector<std::pair<std::string_view, int>> seen_;
};

// The attributes of one element, taken one by one. The values are the reader's: they hold until
// it reads the next node, so every attribute is taken before the element's children are read.
struct Attrs {
  static constexpr std::size_t kMost = 12;  // the longest list of allowed attributes
  std::string_view element;
  int line = 0;
  std::size_t count = 0;  // allowed attributes present
  std::array<std::pair<std::string_view, std::string_view>, kMost> values{};
  std::array<bool, kMost> taken{};

  std::optional<std::string_view> take(std::string_view name) {
    for (std::size_t i = 0; i < count; ++i)
      if (!taken[i] && values[i].first == name) {
        taken[i] = true;
        return values[i].second;
      }
    return std::nullopt;
  }
};

std::string owned(const std::optional<std::string_view>& v) {
  return v ? std::string(*v) : std::string();
}
std::optional<std::string> ownedOptional(const std::optional<std::string_view>& v) {
  if (!v) return std::nullopt;
  return std::string(*v);
}

class RecordParser {
 public:
  RecordParser(xml::Reader& r, const ImplementationDocument& doc, ParsedRecord& rec)
      : r_(r), doc_(doc), rec_(rec) {}

  ReadImplementation implementation(const std::string& source);

 private:
  void error(int line, const std::string& message) {
    rec_.errors.push_back("line " + std::to_string(line) + ": " + message);
  }

  Attrs attributes(std::string_view element, std::initializer_list<std::string_view> allowed);
  std::optional<std::string> token(Attrs& a, std::string_view name, bool required);
  std::optional<std::string_view> raw(Attrs& a, std::string_view name);
  std::optional<Date> date(Attrs& a, std::string_view name, bool required);
  std::optional<double> number(Attrs& a, std::string_view name);
  std::optional<bool> boolean(Attrs& a, std::string_view name);
  std::string what(const Attrs& a, std::string_view name) const {
    return tag(a.element) + " attribute " + std::string(name);
  }

  // Calls onChild(localName) for each child element in the report namespace; the callback must
  // consume the element. Foreign elements and stray text are recorded as errors.
  template <class OnChild>
  void children(std::string_view parent, OnChild&& onChild);
  void noChildren(std::string_view element);
  // Text content of the current element; child elements inside it are errors.
  std::string text(std::string_view element);
  std::string tokenText(std::string_view element);  // collapsed, must not be empty
  std::string nonEmptyText(std::string_view element);
  std::optional<Date> dateText(std::string_view element);
  // False (and an error) when the element was already seen in this parent.
  bool once(SeenElements& seen, std::string_view name);
  void unknown(std::string_view parent, std::string_view name, std::string_view expected);
  void missing(const SeenElements& seen, int line, std::string_view parent, std::string_view name,
               std::string_view hint);

  model::Measure measure();
  model::SourceAct act();
  // One <title> of a measure or an assignment: the one without lang is the main title, those
  // with lang are translations (each language once). Call titlesDone after the parent.
  void title(std::optional<std::string>& main, int& mainLine, model::Translations& titles);
  void titlesDone(std::string_view parent, int line, std::string& main,
                  const std::optional<std::string>& untagged, model::Translations& titles,
                  std::string_view hint);
  std::optional<std::string> timestamp(Attrs& a, std::string_view name, bool required);
  std::optional<std::string> language(Attrs& a, std::string_view name, bool required);
  model::DeadlineChange deadlineChange();
  model::ControlEvent controlEvent();
  model::Comment comment();
  model::Indicator indicator();
  model::IndicatorPeriod period();
  model::Breakdown breakdown();
  model::Assignment assignment();
  model::Evidence evidence();
  // Feed only: the organisation as the sending hub's directory knows it, and the lineage.
  void organisationIdentity(model::Implementation& impl);
  model::Lineage lineage();
  model::Hop hop();
  std::optional<std::int64_t> count(Attrs& a, std::string_view name, std::int64_t least);

  xml::Reader& r_;
  const ImplementationDocument& doc_;
  ParsedRecord& rec_;
};

Attrs RecordParser::attributes(std::string_view element,
                               std::initializer_list<std::string_view> allowed) {
  Attrs a;
  a.element = element;
  a.line = r_.line();
  const std::size_t n = r_.attributeCount();
  for (std::size_t i = 0; i < n; ++i) {
    const xml::Attribute attr = r_.attributeAt(i);
    if (attr.namespaceUri == kXsiNs) continue;  // xsi:schemaLocation and friends
    if (attr.namespaceUri == kXmlNs && attr.localName == "lang") {
      error(a.line, "xml:lang on " + tag(element) + " is not read: write the language as lang=\"" +
                        std::string(attr.value) + "\" (no prefix)");
      continue;
    }
    if (!attr.namespaceUri.empty()) {
      error(a.line, "attribute " + std::string(attr.localName) + " in namespace \"" +
                        std::string(attr.namespaceUri) + "\" on " + tag(element) +
                        " is not part of the " + std::string(doc_.name) + "; remove it");
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), attr.localName) == allowed.end()) {
      error(a.line, "unknown attribute " + std::string(attr.localName) + " on " + tag(element) +
                        "; expected " + (allowed.size() ? join(allowed) : "none"));
      continue;
    }
    // An allowed name appears once (XML refuses a repeated attribute), so count stays within
    // the allowed list's length.
    if (a.count < Attrs::kMost) a.values[a.count++] = {attr.localName, attr.value};
  }
  return a;
}

std::optional<std::string> RecordParser::token(Attrs& a, std::string_view name, bool required) {
  auto v = a.take(name);
  if (!v) {
    if (required)
      error(a.line, tag(a.element) + " has no " + std::string(name) + " attribute: add " +
                        std::string(name) + "=\"...\"");
    return std::nullopt;
  }
  std::string t = fields::collapse(*v);
  if (t.empty()) {
    error(a.line, what(a, name) + " is empty: give a value or leave the attribute out");
    return std::nullopt;
  }
  return t;
}

std::optional<std::string_view> RecordParser::raw(Attrs& a, std::string_view name) {
  return a.take(name);
}

std::optional<Date> RecordParser::date(Attrs& a, std::string_view name, bool required) {
  auto v = token(a, name, required);
  if (!v) return std::nullopt;
  auto d = model::parseDate(*v);
  if (!d) error(a.line, what(a, name) + ": " + fields::badDate(*v));
  return d;
}

std::optional<double> RecordParser::number(Attrs& a, std::string_view name) {
  auto v = token(a, name, false);
  if (!v) return std::nullopt;
  auto n = fields::parseNumber(*v);
  if (!n) error(a.line, what(a, name) + ": " + fields::badNumber(*v));
  return n;
}

std::optional<bool> RecordParser::boolean(Attrs& a, std::string_view name) {
  auto v = token(a, name, false);
  if (!v) return std::nullopt;
  auto b = fields::parseBoolean(*v);
  if (!b) error(a.line, what(a, name) + ": " + fields::badBoolean(*v));
  return b;
}

template <class OnChild>
void RecordParser::children(std::string_view parent, OnChild&& onChild) {
  if (r_.isEmptyElement()) return;
  const int depth = r_.depth();
  while (r_.read()) {
    const int type = r_.nodeType();
    if (type == XML_READER_TYPE_END_ELEMENT && r_.depth() == depth) return;
    if (type == XML_READER_TYPE_ELEMENT) {
      if (r_.namespaceUri() != doc_.ns) {
        error(r_.line(), "element <" + std::string(r_.localName()) + "> in namespace \"" +
                             std::string(r_.namespaceUri()) + "\" inside " + tag(parent) +
                             " is not part of the " + std::string(doc_.name) +
                             ": use the namespace " + std::string(doc_.ns));
        r_.skipElement();
        continue;
      }
      onChild(r_.localName());
    } else if (type == XML_READER_TYPE_TEXT && !fields::isBlank(r_.value())) {
      error(r_.line(), "unexpected text \"" + fields::collapse(r_.value()).substr(0, 40) +
                           "\" in " + tag(parent) + ": text belongs inside its own element");
    }
  }
}

void RecordParser::noChildren(std::string_view element) {
  children(element, [&](std::string_view name) {
    error(r_.line(), "unexpected element " + tag(name) + " inside " + tag(element) + ": " +
                         tag(element) + " carries attributes only");
    r_.skipElement();
  });
}

std::string RecordParser::text(std::string_view element) {
  std::string out;
  if (r_.isEmptyElement()) return out;
  const int depth = r_.depth();
  while (r_.read()) {
    const int type = r_.nodeType();
    if (type == XML_READER_TYPE_END_ELEMENT && r_.depth() == depth) break;
    if (type == XML_READER_TYPE_ELEMENT) {
      error(r_.line(), tag(element) + " takes text only: remove the " + tag(r_.localName()) +
                           " element inside it");
      r_.skipElement();
    } else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
               type == XML_READER_TYPE_WHITESPACE ||
               type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
      out += r_.value();
    }
  }
  return out;
}

std::string RecordParser::tokenText(std::string_view element) {
  const int line = r_.line();
  std::string t = fields::collapse(text(element));
  if (t.empty()) error(line, tag(element) + " is empty: give a value");
  return t;
}

std::string RecordParser::nonEmptyText(std::string_view element) {
  const int line = r_.line();
  std::string t = text(element);
  if (fields::isBlank(t)) error(line, tag(element) + " is empty: give a value");
  return t;
}

std::optional<Date> RecordParser::dateText(std::string_view element) {
  const int line = r_.line();
  std::string t = fields::collapse(text(element));
  auto d = model::parseDate(t);
  if (!d) error(line, tag(element) + ": " + fields::badDate(t));
  return d;
}

bool RecordParser::once(SeenElements& seen, std::string_view name) {
  if (const int* first = seen.find(name)) {
    error(r_.line(), tag(name) + " appears more than once (first on line " +
                         std::to_string(*first) + "): give it once");
    r_.skipElement();
    return false;
  }
  seen.add(name, r_.line());
  return true;
}

void RecordParser::unknown(std::string_view parent, std::string_view name,
                           std::string_view expected) {
  error(r_.line(), "unknown element " + tag(name) + " in " + tag(parent) + "; expected " +
                       std::string(expected));
  r_.skipElement();
}

void RecordParser::missing(const SeenElements& seen, int line, std::string_view parent,
                           std::string_view name, std::string_view hint) {
  if (!seen.find(name))
    error(line, tag(parent) + " has no " + tag(name) + ": add " + std::string(hint));
}

model::SourceAct RecordParser::act() {
  model::SourceAct act;
  auto a = attributes("act", {"type", "number", "date", "item"});
  act.type = token(a, "type", true).value_or("");
  act.number = token(a, "number", true).value_or("");
  if (auto d = date(a, "date", true)) act.date = *d;
  act.item = fields::collapse(raw(a, "item").value_or(std::string_view()));
  noChildren("act");
  return act;
}

std::optional<std::string> RecordParser::timestamp(Attrs& a, std::string_view name, bool required) {
  auto v = token(a, name, required);
  if (v && !fields::isTimestamp(*v)) {
    error(a.line, what(a, name) + ": " + fields::badTimestamp(*v));
    return std::nullopt;
  }
  return v;
}

std::optional<std::string> RecordParser::language(Attrs& a, std::string_view name, bool required) {
  auto v = token(a, name, required);
  if (v && !fields::isLanguageTag(*v)) {
    error(a.line, what(a, name) + ": " + fields::badLanguage(*v));
    return std::nullopt;
  }
  return v;
}

void RecordParser::title(std::optional<std::string>& main, int& mainLine,
                         model::Translations& titles) {
  const int line = r_.line();
  const std::size_t errorsBefore = rec_.errors.size();
  auto a = attributes("title", {"lang"});
  if (rec_.errors.size() > errorsBefore) {  // an attribute it cannot take: nothing to count
    text("title");
    return;
  }
  const bool tagged = a.count == 1;
  auto lang = language(a, "lang", false);
  std::string text = nonEmptyText("title");
  if (!tagged) {
    if (main) {
      error(line, "<title> without lang appears more than once (first on line " +
                      std::to_string(mainLine) +
                      "): give the main title once and the others with lang=\"...\"");
      return;
    }
    main = std::move(text);
    mainLine = line;
    return;
  }
  if (!lang) return;
  for (const auto& t : titles)
    if (t.lang == *lang) {
      error(line, "<title lang=\"" + *lang + "\"> appears more than once: give each language once");
      return;
    }
  titles.push_back({*lang, std::move(text)});
}

void RecordParser::titlesDone(std::string_view parent, int line, std::string& main,
                              const std::optional<std::string>& untagged,
                              model::Translations& titles, std::string_view hint) {
  if (untagged)
    main = *untagged;
  else if (!titles.empty())
    main = titles.front().text;  // every title tagged: the first is also the main one
  else
    error(line, tag(parent) + " has no <title>: add " + std::string(hint));
}

model::Measure RecordParser::measure() {
  model::Measure m;
  const int line = r_.line();
  auto a = attributes("measure", {"id"});
  if (auto id = token(a, "id", true)) m.id = rec_.measureId = *id;
  SeenElements seen;
  std::optional<std::string> mainTitle;
  int mainTitleLine = 0;
  children("measure", [&](std::string_view name) {
    if (name == "title") {
      title(mainTitle, mainTitleLine, m.titles);
    } else if (name == "act") {
      if (once(seen, name)) m.act = act();
    } else {
      unknown("measure", name, "title, act");
    }
  });
  titlesDone("measure", line, m.title, mainTitle, m.titles, "<title>the measure's wording</title>");
  missing(seen, line, "measure", "act",
          "<act type=\"decree\" number=\"UP-6079\" date=\"2020-10-05\" item=\"2.4\"/>");
  return m;
}

model::DeadlineChange RecordParser::deadlineChange() {
  model::DeadlineChange c;
  auto a = attributes("deadlineChange",
                      {"previous", "deadline", "requestedBy", "requestedOn", "reason", "decision",
                       "decidedBy", "decidedOn", "approvedBy", "approvedOn"});
  if (auto d = date(a, "previous", true)) c.previous = *d;
  if (auto d = date(a, "deadline", true)) c.deadline = *d;
  c.requestedBy = fields::collapse(raw(a, "requestedBy").value_or(std::string_view()));
  c.requestedOn = date(a, "requestedOn", false);
  c.reason = owned(raw(a, "reason"));
  fields::DecisionInput in;
  in.decision = token(a, "decision", false);
  in.decidedBy = token(a, "decidedBy", false);
  in.decidedOn = date(a, "decidedOn", false);
  in.approvedBy = ownedOptional(raw(a, "approvedBy"));
  in.approvedOn = date(a, "approvedOn", false);
  for (const auto& [field, message] : fields::applyDecision(in, c))
    error(a.line, what(a, field) + ": " + message);
  noChildren("deadlineChange");
  return c;
}

model::ControlEvent RecordParser::controlEvent() {
  model::ControlEvent e;
  auto a = attributes("controlEvent", {"state", "by", "on", "at", "completed", "reason"});
  if (auto s = token(a, "state", true)) {
    auto state = model::controlStatusFromString(*s);
    if (state && *state != model::ControlStatus::OnControl)
      e.state = *state;
    else
      error(a.line, what(a, "state") + ": " + fields::badEventState(*s));
  }
  e.by = token(a, "by", true).value_or("");
  if (auto d = date(a, "on", true)) e.on = *d;
  e.at = timestamp(a, "at", false).value_or("");
  e.completed = date(a, "completed", false);
  e.reason = owned(raw(a, "reason"));
  noChildren("controlEvent");
  return e;
}

model::Comment RecordParser::comment() {
  model::Comment c;
  auto a = attributes("comment", {"author", "at", "lang"});
  c.author = token(a, "author", true).value_or("");
  c.at = timestamp(a, "at", true).value_or("");
  c.lang = language(a, "lang", true).value_or("");
  c.text = nonEmptyText("comment");
  return c;
}

model::IndicatorPeriod RecordParser::period() {
  model::IndicatorPeriod p;
  // A feed marks the periods outside the work (derived by the hub that wrote it: read and
  // checked, never stored, as the receiver derives it again).
  auto a =
      doc_.facts == Facts::Feed
          ? attributes("period", {"start", "end", "target", "actual", "numerator", "denominator",
                                  "outsideWork"})
          : attributes("period", {"start", "end", "target", "actual", "numerator", "denominator"});
  if (doc_.facts == Facts::Feed) boolean(a, "outsideWork");
  if (auto d = date(a, "start", true)) p.start = *d;
  if (auto d = date(a, "end", true)) p.end = *d;
  p.target = number(a, "target");
  p.actual = number(a, "actual");
  p.numerator = number(a, "numerator");
  p.denominator = number(a, "denominator");
  children("period", [&](std::string_view name) {
    if (name == "breakdown")
      p.breakdowns.push_back(breakdown());
    else
      unknown("period", name, "breakdown");
  });
  return p;
}

model::Breakdown RecordParser::breakdown() {
  model::Breakdown b;
  auto a = attributes("breakdown",
                      {"dimension", "category", "target", "actual", "numerator", "denominator"});
  b.dimension = token(a, "dimension", true).value_or("");
  b.category = token(a, "category", true).value_or("");
  b.target = number(a, "target");
  b.actual = number(a, "actual");
  b.numerator = number(a, "numerator");
  b.denominator = number(a, "denominator");
  noChildren("breakdown");
  return b;
}

model::Indicator RecordParser::indicator() {
  model::Indicator ind;
  const int line = r_.line();
  auto a = attributes("indicator", {"code", "unit", "ascending", "baseline", "mode"});
  ind.code = token(a, "code", true).value_or("");
  if (auto m = token(a, "mode", false)) {
    if (auto mode = model::indicatorModeFromString(*m))
      ind.mode = *mode;
    else
      error(a.line, what(a, "mode") + ": " + fields::badIndicatorMode(*m));
  }
  ind.unit = owned(raw(a, "unit"));
  ind.ascending = boolean(a, "ascending").value_or(true);
  ind.baseline = number(a, "baseline").value_or(0);
  SeenElements seen;
  children("indicator", [&](std::string_view name) {
    if (name == "name") {
      if (once(seen, name)) ind.name = nonEmptyText(name);
    } else if (name == "period") {
      ind.periods.push_back(period());
    } else {
      unknown("indicator", name, "name, period");
    }
  });
  missing(seen, line, "indicator", "name", "<name>what is measured</name>");
  return ind;
}

model::Assignment RecordParser::assignment() {
  model::Assignment as;
  const int line = r_.line();
  auto a =
      attributes("assignment", {"id", "parent", "assignee", "deadline", "control", "completed"});
  as.id = token(a, "id", true).value_or("");
  as.parentId = token(a, "parent", false).value_or("");
  as.assignee = token(a, "assignee", true).value_or("");
  if (auto d = date(a, "deadline", true)) as.deadline = *d;
  if (auto c = token(a, "control", false)) {
    if (auto cs = model::controlStatusFromString(*c))
      as.control = *cs;
    else
      error(a.line, what(a, "control") + ": " + fields::badControl(*c));
  }
  as.completed = date(a, "completed", false);
  std::optional<std::string> mainTitle;
  int mainTitleLine = 0;
  children("assignment", [&](std::string_view name) {
    if (name == "title") {
      title(mainTitle, mainTitleLine, as.titles);
    } else if (name == "deadlineChange") {
      as.deadlineChanges.push_back(deadlineChange());
    } else if (name == "controlEvent") {
      as.controlEvents.push_back(controlEvent());
    } else if (name == "comment") {
      as.comments.push_back(comment());
    } else {
      unknown("assignment", name, "title, deadlineChange, controlEvent, comment");
    }
  });
  titlesDone("assignment", line, as.title, mainTitle, as.titles,
             "<title>what the assignee has to do</title>");
  return as;
}

model::Evidence RecordParser::evidence() {
  model::Evidence e;
  const int line = r_.line();
  auto a = attributes("evidence", {"url", "format", "date", "uploader", "sha256", "size"});
  e.url = token(a, "url", true).value_or("");
  e.format = fields::collapse(raw(a, "format").value_or(std::string_view()));
  if (auto d = date(a, "date", true)) e.date = *d;
  e.uploader = owned(raw(a, "uploader"));
  // The hash and size of a file uploaded to the hub (the feed writes them; a report may repeat
  // them).
  if (auto sha = token(a, "sha256", false)) {
    const bool hex =
        sha->size() == 64 && sha->find_first_not_of("0123456789abcdef") == std::string::npos;
    if (hex)
      e.sha256 = *sha;
    else
      error(line,
            "evidence sha256 \"" + *sha + "\" is not a SHA-256: give its 64 lower-case hex digits");
  }
  if (auto size = token(a, "size", false)) {
    std::int64_t n = -1;
    auto [p, ec] = std::from_chars(size->data(), size->data() + size->size(), n);
    if (ec == std::errc{} && p == size->data() + size->size() && n >= 0)
      e.size = n;
    else
      error(line, "evidence size \"" + *size + "\" is not a size in bytes: give a whole number");
  }
  SeenElements seen;
  children("evidence", [&](std::string_view name) {
    if (name == "title") {
      if (once(seen, name)) e.title = nonEmptyText(name);
    } else {
      unknown("evidence", name, "title");
    }
  });
  missing(seen, line, "evidence", "title", "<title>what the document is</title>");
  return e;
}

void RecordParser::organisationIdentity(model::Implementation& impl) {
  auto a = attributes("organisationIdentity", {"code"});
  impl.organisationCode = token(a, "code", true).value_or("");
  children("organisationIdentity", [&](std::string_view name) {
    if (name != "name") return unknown("organisationIdentity", name, "name");
    auto n = attributes("name", {"lang"});
    auto lang = language(n, "lang", true);
    std::string text = nonEmptyText("name");
    if (lang) impl.organisationNames.push_back({*lang, std::move(text)});
  });
}

std::optional<std::int64_t> RecordParser::count(Attrs& a, std::string_view name,
                                                std::int64_t least) {
  auto v = token(a, name, true);
  if (!v) return std::nullopt;
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc{} || p != v->data() + v->size() || n < least) {
    error(a.line, what(a, name) + ": \"" + *v + "\" is not a whole number of " +
                      std::to_string(least) + " or more");
    return std::nullopt;
  }
  return n;
}

model::Hop RecordParser::hop() {
  model::Hop h;
  auto a = attributes("hop", {"hub", "sequence", "receivedAt"});
  h.hub = token(a, "hub", true).value_or("");
  h.sequence = count(a, "sequence", 0).value_or(0);
  h.receivedAt = timestamp(a, "receivedAt", true).value_or("");
  noChildren("hop");
  return h;
}

model::Lineage RecordParser::lineage() {
  model::Lineage l;
  const int line = r_.line();
  auto a = attributes("lineage", {"source", "adapter", "receivedAt", "revision"});
  l.source = token(a, "source", true).value_or("");
  l.adapter = fields::collapse(raw(a, "adapter").value_or(std::string_view()));
  l.receivedAt = timestamp(a, "receivedAt", true).value_or("");
  l.revision = count(a, "revision", 1).value_or(0);
  children("lineage", [&](std::string_view name) {
    if (name == "hop")
      l.hubs.push_back(hop());
    else
      unknown("lineage", name, "hop");
  });
  if (l.hubs.empty())
    error(line,
          "<lineage> has no <hop>: add the hubs the entry passed through, the origin first "
          "(<hop hub=\"...\" sequence=\"N\" receivedAt=\"...\"/>)");
  return l;
}

ReadImplementation RecordParser::implementation(const std::string& source) {
  ReadImplementation out;
  model::Implementation& impl = out.implementation;
  impl.source = source;
  const int line = r_.line();
  const bool feed = doc_.facts == Facts::Feed;
  auto a = feed ? attributes("implementation", {"source", "revision"})
                : attributes("implementation", {"revision"});
  if (feed) impl.source = token(a, "source", true).value_or("");
  if (auto rev = token(a, "revision", true)) {
    if (auto n = fields::parseRevision(*rev))
      impl.revision = rec_.revision = *n;
    else
      error(a.line, what(a, "revision") + ": " + fields::badRevision(*rev));
  }

  SeenElements seen;
  children("implementation", [&](std::string_view name) {
    const int at = r_.line();
    if (name == "measure") {
      if (once(seen, name)) impl.measure = measure();
    } else if (name == "region") {
      if (!once(seen, name)) return;
      impl.region = rec_.region = fields::collapse(text(name));
      if (!fields::isTerritoryCode(impl.region))
        error(at, "<region>: " + fields::badTerritory(impl.region));
    } else if (name == "organisation") {
      if (once(seen, name)) impl.organisation = rec_.organisation = tokenText(name);
    } else if (name == "sector") {
      if (once(seen, name)) impl.sector = tokenText(name);
    } else if (name == "lifecycle") {
      if (!once(seen, name)) return;
      const std::string v = fields::collapse(text(name));
      if (auto l = model::lifecycleFromString(v))
        impl.lifecycle = *l;
      else
        error(at, "<lifecycle>: " + fields::badLifecycle(v));
    } else if (name == "start") {
      if (once(seen, name)) impl.start = dateText(name).value_or(Date{});
    } else if (name == "deadline") {
      if (once(seen, name)) impl.deadline = dateText(name).value_or(Date{});
    } else if (name == "completed") {
      if (once(seen, name)) impl.completed = dateText(name);
    } else if (name == "deadlineChange") {
      impl.deadlineChanges.push_back(deadlineChange());
    } else if (name == "indicator") {
      impl.indicators.push_back(indicator());
    } else if (name == "assignment") {
      impl.assignments.push_back(assignment());
    } else if (name == "evidence") {
      impl.evidence.push_back(evidence());
    } else if (name == "controlEvent") {
      impl.controlEvents.push_back(controlEvent());
    } else if (name == "comment") {
      impl.comments.push_back(comment());
    } else if (name == "note") {
      if (once(seen, name)) impl.note = text(name);
    } else if (feed && name == "organisationIdentity") {
      if (once(seen, name)) organisationIdentity(impl);
    } else if (feed && name == "evaluation") {
      // The sender's evaluation: the receiver evaluates by its own rules and date.
      if (once(seen, name)) r_.skipElement();
    } else if (feed && name == "lineage") {
      if (once(seen, name)) out.lineage = lineage();
    } else {
      unknown("implementation", name,
              feed ? "measure, region, organisation, sector, lifecycle, start, deadline, "
                     "completed, deadlineChange, indicator, assignment, evidence, controlEvent, "
                     "comment, note, organisationIdentity, evaluation, lineage"
                   : "measure, region, organisation, sector, lifecycle, start, deadline, "
                     "completed, deadlineChange, indicator, assignment, evidence, controlEvent, "
                     "comment, note");
    }
  });
  missing(seen, line, "implementation", "measure",
          "<measure id=\"...\"><title>...</title><act .../></measure>");
  missing(seen, line, "implementation", "region", "<region>1726</region> (a SOATO code)");
  missing(seen, line, "implementation", "organisation",
          "<organisation>the responsible organisation</organisation>");
  missing(seen, line, "implementation", "sector",
          "<sector>health</sector> (or education, tax, construction, banking, other)");
  missing(seen, line, "implementation", "lifecycle",
          "<lifecycle>inProgress</lifecycle> (or planned, completed, cancelled, suspended)");
  missing(seen, line, "implementation", "start", "<start>YYYY-MM-DD</start>");
  missing(seen, line, "implementation", "deadline", "<deadline>YYYY-MM-DD</deadline>");
  return out;
}

}  // namespace

ReadImplementation readImplementation(xml::Reader& r, const ImplementationDocument& doc,
                                      ParsedRecord& rec, const std::string& source) {
  RecordParser parser(r, doc, rec);
  return parser.implementation(source);
}

}  // namespace ijro::exchange
