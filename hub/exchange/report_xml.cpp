// Status reports as XML (urn:ijro-hub:report:1), read with the streaming safe reader.
//
// Document-level problems throw xml::XmlError. Inside an <implementation>, every structural
// problem (missing or repeated element, unknown element or attribute, bad date, number or code)
// becomes a message on that record, with its line, and parsing goes on with the next record.
// Element order is not enforced here (the schema gives one; writers follow it).
#include <algorithm>
#include <charconv>
#include <functional>
#include <initializer_list>
#include <map>
#include <utility>

#include "hub/exchange/fields.hpp"
#include "hub/exchange/implementation_xml.hpp"
#include "hub/exchange/report.hpp"
#include "hub/model/indicators.hpp"
#include "hub/xml/writer.hpp"

namespace ijro::exchange {

namespace {

using model::Date;

constexpr const char* kDocumentName = "status report";
constexpr std::string_view kXsiNs = "http://www.w3.org/2001/XMLSchema-instance";
constexpr std::string_view kXmlNs = "http://www.w3.org/XML/1998/namespace";
constexpr std::string_view kReportNsPrefix = "urn:ijro-hub:report:";

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

// The attributes of one element, taken one by one; what is left over was not expected.
struct Attrs {
  std::string element;
  int line = 0;
  std::vector<std::pair<std::string, std::string>> values;

  std::optional<std::string> take(std::string_view name) {
    auto it = std::find_if(values.begin(), values.end(), [&](auto& v) { return v.first == name; });
    if (it == values.end()) return std::nullopt;
    std::string v = std::move(it->second);
    values.erase(it);
    return v;
  }
};

class RecordParser {
 public:
  RecordParser(xml::Reader& r, ParsedRecord& rec) : r_(r), rec_(rec) {}

  model::Implementation implementation(const std::string& source);

 private:
  void error(int line, const std::string& message) {
    rec_.errors.push_back("line " + std::to_string(line) + ": " + message);
  }

  Attrs attributes(std::string_view element, std::initializer_list<std::string_view> allowed);
  std::optional<std::string> token(Attrs& a, std::string_view name, bool required);
  std::optional<std::string> raw(Attrs& a, std::string_view name);
  std::optional<Date> date(Attrs& a, std::string_view name, bool required);
  std::optional<double> number(Attrs& a, std::string_view name);
  std::optional<bool> boolean(Attrs& a, std::string_view name);
  std::string what(const Attrs& a, std::string_view name) const {
    return tag(a.element) + " attribute " + std::string(name);
  }

  // Calls onChild(localName) for each child element in the report namespace; the callback must
  // consume the element. Foreign elements and stray text are recorded as errors.
  void children(std::string_view parent, const std::function<void(std::string_view)>& onChild);
  void noChildren(std::string_view element);
  // Text content of the current element; child elements inside it are errors.
  std::string text(std::string_view element);
  std::string tokenText(std::string_view element);  // collapsed, must not be empty
  std::string nonEmptyText(std::string_view element);
  std::optional<Date> dateText(std::string_view element);
  // False (and an error) when the element was already seen in this parent.
  bool once(std::map<std::string, int, std::less<>>& seen, std::string_view name);
  void unknown(std::string_view parent, std::string_view name, std::string_view expected);
  void missing(const std::map<std::string, int, std::less<>>& seen, int line,
               std::string_view parent, std::string_view name, std::string_view hint);

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

  xml::Reader& r_;
  ParsedRecord& rec_;
};

Attrs RecordParser::attributes(std::string_view element,
                               std::initializer_list<std::string_view> allowed) {
  Attrs a{std::string(element), r_.line(), {}};
  for (auto& attr : r_.attributes()) {
    if (attr.namespaceUri == kXsiNs) continue;  // xsi:schemaLocation and friends
    if (attr.namespaceUri == kXmlNs && attr.localName == "lang") {
      error(a.line, "xml:lang on " + tag(element) + " is not read: write the language as lang=\"" +
                        std::string(attr.value) + "\" (no prefix)");
      continue;
    }
    if (!attr.namespaceUri.empty()) {
      error(a.line, "attribute " + std::string(attr.localName) + " in namespace \"" +
                        std::string(attr.namespaceUri) + "\" on " + tag(element) +
                        " is not part of the status report; remove it");
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), attr.localName) == allowed.end()) {
      error(a.line, "unknown attribute " + std::string(attr.localName) + " on " + tag(element) +
                        "; expected " + (allowed.size() ? join(allowed) : "none"));
      continue;
    }
    a.values.emplace_back(std::string(attr.localName), std::move(attr.value));
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

std::optional<std::string> RecordParser::raw(Attrs& a, std::string_view name) {
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

void RecordParser::children(std::string_view parent,
                            const std::function<void(std::string_view)>& onChild) {
  if (r_.isEmptyElement()) return;
  const int depth = r_.depth();
  while (r_.read()) {
    const int type = r_.nodeType();
    if (type == XML_READER_TYPE_END_ELEMENT && r_.depth() == depth) return;
    if (type == XML_READER_TYPE_ELEMENT) {
      if (r_.namespaceUri() != kReportNs) {
        error(r_.line(), "element <" + std::string(r_.localName()) + "> in namespace \"" +
                             std::string(r_.namespaceUri()) + "\" inside " + tag(parent) +
                             " is not part of the status report: use the namespace " + kReportNs);
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

bool RecordParser::once(std::map<std::string, int, std::less<>>& seen, std::string_view name) {
  auto it = seen.find(name);
  if (it != seen.end()) {
    error(r_.line(), tag(name) + " appears more than once (first on line " +
                         std::to_string(it->second) + "): give it once");
    r_.skipElement();
    return false;
  }
  seen.emplace(std::string(name), r_.line());
  return true;
}

void RecordParser::unknown(std::string_view parent, std::string_view name,
                           std::string_view expected) {
  error(r_.line(), "unknown element " + tag(name) + " in " + tag(parent) + "; expected " +
                       std::string(expected));
  r_.skipElement();
}

void RecordParser::missing(const std::map<std::string, int, std::less<>>& seen, int line,
                           std::string_view parent, std::string_view name, std::string_view hint) {
  if (seen.find(name) == seen.end())
    error(line, tag(parent) + " has no " + tag(name) + ": add " + std::string(hint));
}

model::SourceAct RecordParser::act() {
  model::SourceAct act;
  auto a = attributes("act", {"type", "number", "date", "item"});
  act.type = token(a, "type", true).value_or("");
  act.number = token(a, "number", true).value_or("");
  if (auto d = date(a, "date", true)) act.date = *d;
  act.item = fields::collapse(raw(a, "item").value_or(""));
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
  const bool tagged = a.values.size() == 1;
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
  std::map<std::string, int, std::less<>> seen;
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
  c.requestedBy = fields::collapse(raw(a, "requestedBy").value_or(""));
  c.requestedOn = date(a, "requestedOn", false);
  c.reason = raw(a, "reason").value_or("");
  fields::DecisionInput in;
  in.decision = token(a, "decision", false);
  in.decidedBy = token(a, "decidedBy", false);
  in.decidedOn = date(a, "decidedOn", false);
  in.approvedBy = raw(a, "approvedBy");
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
  e.reason = raw(a, "reason").value_or("");
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
  auto a = attributes("period", {"start", "end", "target", "actual", "numerator", "denominator"});
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
  ind.unit = raw(a, "unit").value_or("");
  ind.ascending = boolean(a, "ascending").value_or(true);
  ind.baseline = number(a, "baseline").value_or(0);
  std::map<std::string, int, std::less<>> seen;
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
  e.format = fields::collapse(raw(a, "format").value_or(""));
  if (auto d = date(a, "date", true)) e.date = *d;
  e.uploader = raw(a, "uploader").value_or("");
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
  std::map<std::string, int, std::less<>> seen;
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

model::Implementation RecordParser::implementation(const std::string& source) {
  model::Implementation impl;
  impl.source = source;
  const int line = r_.line();
  auto a = attributes("implementation", {"revision"});
  if (auto rev = token(a, "revision", true)) {
    if (auto n = fields::parseRevision(*rev))
      impl.revision = rec_.revision = *n;
    else
      error(a.line, what(a, "revision") + ": " + fields::badRevision(*rev));
  }

  std::map<std::string, int, std::less<>> seen;
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
    } else {
      unknown("implementation", name,
              "measure, region, organisation, sector, lifecycle, start, deadline, completed, "
              "deadlineChange, indicator, assignment, evidence, controlEvent, comment, note");
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
  return impl;
}

[[noreturn]] void wrongRoot(const xml::Reader& r) {
  const std::string name(r.localName());
  const std::string ns(r.namespaceUri());
  const std::string expected =
      "a status report's root element is <report xmlns=\"" + std::string(kReportNs) + "\">";
  if (name == "report" && ns.empty())
    r.fail("<report> has no namespace: add xmlns=\"" + std::string(kReportNs) + "\"");
  if (name == "report" && ns.rfind(kReportNsPrefix, 0) == 0)
    r.fail("namespace \"" + ns + "\" is a version of the status report this hub does not read; " +
           expected);
  r.fail("the root element is <" + name + ">" +
         (ns.empty() ? std::string(" with no namespace") : " in namespace \"" + ns + "\"") + "; " +
         expected);
}

}  // namespace

ParsedReport parseReportXml(std::string_view body, const xml::Limits& limits) {
  xml::Reader r(body, kDocumentName, limits);
  bool root = false;
  while (r.read())
    if (r.nodeType() == XML_READER_TYPE_ELEMENT) {
      root = true;
      break;
    }
  if (!root) throw xml::XmlError("the document has no root element", kDocumentName, 0, 0);
  if (r.localName() != "report" || r.namespaceUri() != kReportNs) wrongRoot(r);

  ParsedReport report;
  const int rootLine = r.line();
  for (auto& attr : r.attributes()) {
    if (attr.namespaceUri == kXsiNs) continue;
    if (attr.namespaceUri.empty() && attr.localName == "source")
      report.source = fields::collapse(attr.value);
    else if (attr.namespaceUri.empty() && attr.localName == "generatedAt")
      report.generatedAt = fields::collapse(attr.value);
    else
      r.fail("unknown attribute " + std::string(attr.localName) +
             " on <report>; expected source, generatedAt");
  }

  if (!r.isEmptyElement()) {
    std::size_t index = 0;
    while (r.read()) {
      const int type = r.nodeType();
      if (type == XML_READER_TYPE_END_ELEMENT && r.depth() == 0) break;
      if (type == XML_READER_TYPE_TEXT && !fields::isBlank(r.value()))
        r.fail("unexpected text in <report>: it contains <implementation> elements only");
      if (type != XML_READER_TYPE_ELEMENT) continue;
      ParsedRecord rec;
      rec.index = ++index;
      if (r.localName() == "implementation" && r.namespaceUri() == kReportNs) {
        RecordParser parser(r, rec);
        auto impl = parser.implementation(report.source);
        if (rec.errors.empty()) {
          // Actuals of proportions are derived here, so every path into the hub (reports and
          // plugin records) stores them alike.
          model::deriveActuals(impl);
          rec.record = std::move(impl);
        }
      } else {
        rec.errors.push_back("line " + std::to_string(r.line()) + ": unexpected element <" +
                             std::string(r.localName()) +
                             "> in <report>: it contains <implementation> elements only");
        r.skipElement();
      }
      report.records.push_back(std::move(rec));
    }
  }
  while (r.read()) {  // trailing comments and processing instructions; errors still throw
  }
  if (report.records.empty())
    throw xml::XmlError("the report has no <implementation> elements: add at least one",
                        kDocumentName, rootLine, 0);
  return report;
}

std::string writeReportXml(const std::string& source,
                           const std::vector<model::Implementation>& records) {
  xml::Writer w;
  w.startElement("report", kReportNs);
  if (!source.empty()) w.attribute("source", source);
  w.attribute("generatedAt", fields::utcNow());
  for (const auto& impl : records) {
    w.startElement("implementation");
    w.attribute("revision", std::to_string(impl.revision));
    writeImplementationFacts(w, impl);
    w.endElement();
  }
  w.endElement();
  return w.finish();
}

}  // namespace ijro::exchange
