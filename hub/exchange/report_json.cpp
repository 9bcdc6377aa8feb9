// Status reports as JSON: the same fields as the XML form, with arrays for repeated elements
// ("deadlineChanges", "indicators", "periods", "assignments", "evidence").
//
// Document-level problems (not JSON, invalid UTF-8, too deep, wrong top-level shape) throw
// std::invalid_argument. Inside "implementations", every structural problem becomes a message on
// that record, named by its path ("indicators[0].periods[1].start: ..."), and parsing goes on.
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>

#include "hub/exchange/fields.hpp"
#include "hub/exchange/json_strict.hpp"
#include "hub/exchange/json_text.hpp"
#include "hub/exchange/report.hpp"
#include "hub/model/indicators.hpp"
#include "hub/xml/chars.hpp"

namespace ijro::exchange {

namespace json = boost::json;

namespace {

using model::Date;

std::string join(std::initializer_list<std::string_view> names) {
  std::string out;
  for (auto n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

const char* kindName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

std::string child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string item(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

class RecordParser {
 public:
  explicit RecordParser(ParsedRecord& rec) : rec_(rec) {}
  model::Implementation implementation(const json::object& o, const std::string& source);

 private:
  void error(const std::string& path, const std::string& message) {
    rec_.errors.push_back(path + ": " + message);
  }
  void keys(const json::object& o, const std::string& path,
            std::initializer_list<std::string_view> allowed);
  // The value of `key`, or nullptr when absent or null (an error when required).
  const json::value* field(const json::object& o, const std::string& path, std::string_view key,
                           bool required);
  std::optional<std::string> string(const json::object& o, const std::string& path,
                                    std::string_view key, bool required, bool token);
  std::optional<Date> date(const json::object& o, const std::string& path, std::string_view key,
                           bool required);
  std::optional<double> number(const json::object& o, const std::string& path,
                               std::string_view key);
  const json::object* object(const json::object& o, const std::string& path, std::string_view key,
                             bool required);
  // Calls each(object, path) for each element of the array at `key`.
  template <typename F>
  void array(const json::object& o, const std::string& path, std::string_view key, F&& each);

  model::SourceAct act(const json::object& o, const std::string& path);
  model::Measure measure(const json::object& o, const std::string& path);
  model::DeadlineChange deadlineChange(const json::object& o, const std::string& path);
  model::ControlEvent controlEvent(const json::object& o, const std::string& path);
  model::Comment comment(const json::object& o, const std::string& path);
  // "titles": [{"lang", "text"}], each language once.
  model::Translations titles(const json::object& o, const std::string& path);
  std::optional<std::string> timestamp(const json::object& o, const std::string& path,
                                       std::string_view key, bool required);
  std::optional<std::string> language(const json::object& o, const std::string& path,
                                      std::string_view key, bool required);
  model::IndicatorPeriod period(const json::object& o, const std::string& path);
  model::Breakdown breakdown(const json::object& o, const std::string& path);
  model::Indicator indicator(const json::object& o, const std::string& path);
  model::Assignment assignment(const json::object& o, const std::string& path);
  model::Evidence evidence(const json::object& o, const std::string& path);

  ParsedRecord& rec_;
};

void RecordParser::keys(const json::object& o, const std::string& path,
                        std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : o) {
    const std::string_view k(kv.key().data(), kv.key().size());
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      error(child(path, k), "unknown field; expected one of " + join(allowed));
  }
}

const json::value* RecordParser::field(const json::object& o, const std::string& path,
                                       std::string_view key, bool required) {
  auto it = o.find(json::string_view(key.data(), key.size()));
  if (it == o.end() || it->value().is_null()) {
    if (required) error(child(path, key), "missing: this field is required");
    return nullptr;
  }
  return &it->value();
}

std::optional<std::string> RecordParser::string(const json::object& o, const std::string& path,
                                                std::string_view key, bool required, bool token) {
  const json::value* v = field(o, path, key, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    error(child(path, key), std::string("expected a string, got ") + kindName(*v));
    return std::nullopt;
  }
  const auto& s = v->get_string();
  std::string text(s.data(), s.size());
  if (auto problem = xml::xmlCharProblem(text)) {
    error(child(path, key), "contains " + *problem + ": remove it");
    return std::nullopt;
  }
  if (token) text = fields::collapse(std::move(text));
  if (required && fields::isBlank(text)) {
    error(child(path, key), "is empty: give a value");
    return std::nullopt;
  }
  return text;
}

std::optional<Date> RecordParser::date(const json::object& o, const std::string& path,
                                       std::string_view key, bool required) {
  auto s = string(o, path, key, required, true);
  if (!s) return std::nullopt;
  auto d = model::parseDate(*s);
  if (!d) error(child(path, key), fields::badDate(*s));
  return d;
}

std::optional<double> RecordParser::number(const json::object& o, const std::string& path,
                                           std::string_view key) {
  const json::value* v = field(o, path, key, false);
  if (!v) return std::nullopt;
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  if (v->is_double()) return v->get_double();
  error(child(path, key), std::string("expected a number, got ") + kindName(*v));
  return std::nullopt;
}

const json::object* RecordParser::object(const json::object& o, const std::string& path,
                                         std::string_view key, bool required) {
  const json::value* v = field(o, path, key, required);
  if (!v) return nullptr;
  if (!v->is_object()) {
    error(child(path, key), std::string("expected an object, got ") + kindName(*v));
    return nullptr;
  }
  return &v->get_object();
}

template <typename F>
void RecordParser::array(const json::object& o, const std::string& path, std::string_view key,
                         F&& each) {
  const json::value* v = field(o, path, key, false);
  if (!v) return;
  if (!v->is_array()) {
    error(child(path, key), std::string("expected an array, got ") + kindName(*v));
    return;
  }
  std::size_t i = 0;
  for (const auto& e : v->get_array()) {
    const std::string p = item(child(path, key), i++);
    if (!e.is_object())
      error(p, std::string("expected an object, got ") + kindName(e));
    else
      each(e.get_object(), p);
  }
}

std::optional<std::string> RecordParser::timestamp(const json::object& o, const std::string& path,
                                                   std::string_view key, bool required) {
  auto s = string(o, path, key, required, true);
  if (s && !fields::isTimestamp(*s)) {
    error(child(path, key), fields::badTimestamp(*s));
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> RecordParser::language(const json::object& o, const std::string& path,
                                                  std::string_view key, bool required) {
  auto s = string(o, path, key, required, true);
  if (s && !fields::isLanguageTag(*s)) {
    error(child(path, key), fields::badLanguage(*s));
    return std::nullopt;
  }
  return s;
}

model::Translations RecordParser::titles(const json::object& o, const std::string& path) {
  model::Translations out;
  array(o, path, "titles", [&](const json::object& t, const std::string& at) {
    keys(t, at, {"lang", "text"});
    auto lang = language(t, at, "lang", true);
    auto text = string(t, at, "text", true, false);
    if (!lang || !text) return;
    for (const auto& seen : out)
      if (seen.lang == *lang) {
        error(child(at, "lang"),
              "\"" + *lang + "\" is given more than once: give each language once");
        return;
      }
    out.push_back({*lang, *text});
  });
  return out;
}

model::SourceAct RecordParser::act(const json::object& o, const std::string& path) {
  keys(o, path, {"type", "number", "date", "item"});
  model::SourceAct act;
  act.type = string(o, path, "type", true, true).value_or("");
  act.number = string(o, path, "number", true, true).value_or("");
  if (auto d = date(o, path, "date", true)) act.date = *d;
  act.item = string(o, path, "item", false, true).value_or("");
  return act;
}

model::Measure RecordParser::measure(const json::object& o, const std::string& path) {
  keys(o, path, {"id", "title", "titles", "act"});
  model::Measure m;
  if (auto id = string(o, path, "id", true, true)) m.id = rec_.measureId = *id;
  m.title = string(o, path, "title", true, false).value_or("");
  m.titles = titles(o, path);
  if (auto a = object(o, path, "act", true)) m.act = act(*a, child(path, "act"));
  return m;
}

model::DeadlineChange RecordParser::deadlineChange(const json::object& o, const std::string& path) {
  keys(o, path,
       {"previous", "deadline", "requestedBy", "requestedOn", "reason", "decision", "decidedBy",
        "decidedOn", "approvedBy", "approvedOn"});
  model::DeadlineChange c;
  if (auto d = date(o, path, "previous", true)) c.previous = *d;
  if (auto d = date(o, path, "deadline", true)) c.deadline = *d;
  c.requestedBy = string(o, path, "requestedBy", false, true).value_or("");
  c.requestedOn = date(o, path, "requestedOn", false);
  c.reason = string(o, path, "reason", false, false).value_or("");
  fields::DecisionInput in;
  in.decision = string(o, path, "decision", false, true);
  in.decidedBy = string(o, path, "decidedBy", false, true);
  if (in.decidedBy && in.decidedBy->empty()) in.decidedBy.reset();
  in.decidedOn = date(o, path, "decidedOn", false);
  in.approvedBy = string(o, path, "approvedBy", false, false);
  in.approvedOn = date(o, path, "approvedOn", false);
  for (const auto& [field, message] : fields::applyDecision(in, c))
    error(child(path, field), message);
  return c;
}

model::ControlEvent RecordParser::controlEvent(const json::object& o, const std::string& path) {
  keys(o, path, {"state", "by", "on", "at", "completed", "reason"});
  model::ControlEvent e;
  if (auto s = string(o, path, "state", true, true)) {
    auto state = model::controlStatusFromString(*s);
    if (state && *state != model::ControlStatus::OnControl)
      e.state = *state;
    else
      error(child(path, "state"), fields::badEventState(*s));
  }
  e.by = string(o, path, "by", true, true).value_or("");
  if (auto d = date(o, path, "on", true)) e.on = *d;
  e.at = timestamp(o, path, "at", false).value_or("");
  e.completed = date(o, path, "completed", false);
  e.reason = string(o, path, "reason", false, false).value_or("");
  return e;
}

model::Comment RecordParser::comment(const json::object& o, const std::string& path) {
  keys(o, path, {"author", "at", "lang", "text"});
  model::Comment c;
  c.author = string(o, path, "author", true, true).value_or("");
  c.at = timestamp(o, path, "at", true).value_or("");
  c.lang = language(o, path, "lang", true).value_or("");
  c.text = string(o, path, "text", true, false).value_or("");
  return c;
}

model::IndicatorPeriod RecordParser::period(const json::object& o, const std::string& path) {
  keys(o, path, {"start", "end", "target", "actual", "numerator", "denominator", "breakdowns"});
  model::IndicatorPeriod p;
  if (auto d = date(o, path, "start", true)) p.start = *d;
  if (auto d = date(o, path, "end", true)) p.end = *d;
  p.target = number(o, path, "target");
  p.actual = number(o, path, "actual");
  p.numerator = number(o, path, "numerator");
  p.denominator = number(o, path, "denominator");
  array(o, path, "breakdowns", [&](const json::object& b, const std::string& at) {
    p.breakdowns.push_back(breakdown(b, at));
  });
  return p;
}

model::Breakdown RecordParser::breakdown(const json::object& o, const std::string& path) {
  keys(o, path, {"dimension", "category", "target", "actual", "numerator", "denominator"});
  model::Breakdown b;
  b.dimension = string(o, path, "dimension", true, true).value_or("");
  b.category = string(o, path, "category", true, true).value_or("");
  b.target = number(o, path, "target");
  b.actual = number(o, path, "actual");
  b.numerator = number(o, path, "numerator");
  b.denominator = number(o, path, "denominator");
  return b;
}

model::Indicator RecordParser::indicator(const json::object& o, const std::string& path) {
  keys(o, path, {"code", "name", "unit", "ascending", "baseline", "periods", "mode"});
  model::Indicator ind;
  ind.code = string(o, path, "code", true, true).value_or("");
  if (auto m = string(o, path, "mode", false, true)) {
    if (auto mode = model::indicatorModeFromString(*m))
      ind.mode = *mode;
    else
      error(child(path, "mode"), fields::badIndicatorMode(*m));
  }
  ind.name = string(o, path, "name", true, false).value_or("");
  ind.unit = string(o, path, "unit", false, false).value_or("");
  if (const json::value* v = field(o, path, "ascending", false)) {
    if (v->is_bool())
      ind.ascending = v->get_bool();
    else
      error(child(path, "ascending"), std::string("expected true or false, got ") + kindName(*v));
  }
  ind.baseline = number(o, path, "baseline").value_or(0);
  array(o, path, "periods", [&](const json::object& p, const std::string& at) {
    ind.periods.push_back(period(p, at));
  });
  return ind;
}

model::Assignment RecordParser::assignment(const json::object& o, const std::string& path) {
  keys(o, path,
       {"id", "parent", "assignee", "title", "titles", "deadline", "control", "completed",
        "deadlineChanges", "controlEvents", "comments"});
  model::Assignment a;
  a.id = string(o, path, "id", true, true).value_or("");
  a.parentId = string(o, path, "parent", false, true).value_or("");
  a.assignee = string(o, path, "assignee", true, true).value_or("");
  a.title = string(o, path, "title", true, false).value_or("");
  a.titles = titles(o, path);
  if (auto d = date(o, path, "deadline", true)) a.deadline = *d;
  if (auto c = string(o, path, "control", false, true)) {
    if (auto cs = model::controlStatusFromString(*c))
      a.control = *cs;
    else
      error(child(path, "control"), fields::badControl(*c));
  }
  a.completed = date(o, path, "completed", false);
  array(o, path, "deadlineChanges", [&](const json::object& c, const std::string& at) {
    a.deadlineChanges.push_back(deadlineChange(c, at));
  });
  array(o, path, "controlEvents", [&](const json::object& e, const std::string& at) {
    a.controlEvents.push_back(controlEvent(e, at));
  });
  array(o, path, "comments", [&](const json::object& c, const std::string& at) {
    a.comments.push_back(comment(c, at));
  });
  return a;
}

model::Evidence RecordParser::evidence(const json::object& o, const std::string& path) {
  keys(o, path, {"url", "title", "format", "date", "uploader", "sha256", "size"});
  model::Evidence e;
  e.url = string(o, path, "url", true, true).value_or("");
  e.title = string(o, path, "title", true, false).value_or("");
  e.format = string(o, path, "format", false, true).value_or("");
  if (auto d = date(o, path, "date", true)) e.date = *d;
  e.uploader = string(o, path, "uploader", false, false).value_or("");
  // The hash and size of a file uploaded to the hub.
  if (auto sha = string(o, path, "sha256", false, true)) {
    if (sha->size() == 64 && sha->find_first_not_of("0123456789abcdef") == std::string::npos)
      e.sha256 = *sha;
    else
      error(child(path, "sha256"), "expected a SHA-256 as 64 lower-case hex digits");
  }
  if (const json::value* v = field(o, path, "size", false)) {
    if (v->is_int64() && v->get_int64() >= 0)
      e.size = v->get_int64();
    else if (v->is_uint64() && v->get_uint64() <= std::numeric_limits<std::int64_t>::max())
      e.size = static_cast<std::int64_t>(v->get_uint64());
    else
      error(child(path, "size"), "expected a size in bytes (a whole number of 0 or more)");
  }
  return e;
}

model::Implementation RecordParser::implementation(const json::object& o,
                                                   const std::string& source) {
  const std::string path;  // fields of the record are named from its top
  keys(o, path,
       {"revision", "measure", "region", "organisation", "sector", "lifecycle", "start", "deadline",
        "completed", "deadlineChanges", "indicators", "assignments", "evidence", "controlEvents",
        "comments", "note"});
  model::Implementation impl;
  impl.source = source;

  if (const json::value* v = field(o, path, "revision", true)) {
    std::optional<std::int64_t> rev;
    if (v->is_int64() && v->get_int64() >= 1) rev = v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= std::numeric_limits<std::int64_t>::max())
      rev = static_cast<std::int64_t>(v->get_uint64());
    if (rev)
      impl.revision = rec_.revision = *rev;
    else
      error("revision", v->is_number()
                            ? "expected a whole number of 1 or more, increased with "
                              "every change, got " +
                                  toJsonText(*v)
                            : std::string("expected a whole number, got ") + kindName(*v));
  }
  if (auto m = object(o, path, "measure", true)) impl.measure = measure(*m, "measure");
  if (auto region = string(o, path, "region", true, true)) {
    impl.region = rec_.region = *region;
    if (!fields::isTerritoryCode(*region)) error("region", fields::badTerritory(*region));
  }
  if (auto org = string(o, path, "organisation", true, true))
    impl.organisation = rec_.organisation = *org;
  impl.sector = string(o, path, "sector", true, true).value_or("");
  if (auto l = string(o, path, "lifecycle", true, true)) {
    if (auto lc = model::lifecycleFromString(*l))
      impl.lifecycle = *lc;
    else
      error("lifecycle", fields::badLifecycle(*l));
  }
  impl.start = date(o, path, "start", true).value_or(Date{});
  impl.deadline = date(o, path, "deadline", true).value_or(Date{});
  impl.completed = date(o, path, "completed", false);
  array(o, path, "deadlineChanges", [&](const json::object& c, const std::string& at) {
    impl.deadlineChanges.push_back(deadlineChange(c, at));
  });
  array(o, path, "indicators", [&](const json::object& i, const std::string& at) {
    impl.indicators.push_back(indicator(i, at));
  });
  array(o, path, "assignments", [&](const json::object& a, const std::string& at) {
    impl.assignments.push_back(assignment(a, at));
  });
  array(o, path, "evidence", [&](const json::object& e, const std::string& at) {
    impl.evidence.push_back(evidence(e, at));
  });
  array(o, path, "controlEvents", [&](const json::object& e, const std::string& at) {
    impl.controlEvents.push_back(controlEvent(e, at));
  });
  array(o, path, "comments", [&](const json::object& c, const std::string& at) {
    impl.comments.push_back(comment(c, at));
  });
  impl.note = string(o, path, "note", false, false).value_or("");
  return impl;
}

// Parses the body, turning every failure into a message with line and column; a member given
// twice, a number beyond a double and an overlong string are refused too (json_strict.hpp).
json::value parseBody(std::string_view body, std::size_t maxDepth,
                      std::vector<JsonDuplicate>& duplicates) {
  JsonLimits limits;
  limits.maxDepth = maxDepth;
  return parseStrictJson(body, limits, "the report", &duplicates);
}

// The 0-based record a member given twice is in ("implementations[3].revision" is in record 3,
// named "revision" within it), or nullopt when it is outside the records.
std::optional<std::pair<std::size_t, std::string>> inRecord(const std::string& path) {
  static constexpr std::string_view kPrefix = "implementations[";
  if (!path.starts_with(kPrefix)) return std::nullopt;
  const auto close = path.find(']', kPrefix.size());
  std::size_t index = 0;
  auto [end, ec] = std::from_chars(path.data() + kPrefix.size(), path.data() + close, index);
  if (ec != std::errc() || close == std::string::npos || path.size() < close + 2)
    return std::nullopt;
  return std::pair{index, path.substr(close + 2)};
}

}  // namespace

ParsedReport parseReportJson(std::string_view body, std::size_t maxDepth) {
  std::vector<JsonDuplicate> duplicates;
  const json::value doc = parseBody(body, maxDepth, duplicates);
  // A member given twice refuses the record it is in; outside the records, the report.
  std::map<std::size_t, std::vector<std::string>> duplicated;
  for (auto& d : duplicates) {
    if (auto where = inRecord(d.path))
      duplicated[where->first].push_back(where->second + ": " + d.message);
    else
      throw std::invalid_argument("the report is not valid JSON: at " + d.path + ": " + d.message);
  }
  if (!doc.is_object())
    throw std::invalid_argument(std::string("a JSON status report is an object with \"source\", "
                                            "\"generatedAt\" and \"implementations\"; got ") +
                                kindName(doc));
  const auto& top = doc.get_object();
  ParsedReport report;
  const json::array* records = nullptr;
  for (const auto& kv : top) {
    const std::string_view key(kv.key().data(), kv.key().size());
    const json::value& v = kv.value();
    if (key == "implementations") {
      if (!v.is_array())
        throw std::invalid_argument(std::string("\"implementations\" must be an array, got ") +
                                    kindName(v));
      records = &v.get_array();
    } else if (key == "source" || key == "generatedAt") {
      if (v.is_null()) continue;
      if (!v.is_string())
        throw std::invalid_argument("\"" + std::string(key) + "\" must be a string, got " +
                                    kindName(v));
      std::string s(v.get_string().data(), v.get_string().size());
      if (auto problem = xml::xmlCharProblem(s))
        throw std::invalid_argument("\"" + std::string(key) + "\" contains " + *problem);
      (key == "source" ? report.source : report.generatedAt) = fields::collapse(s);
    } else {
      throw std::invalid_argument("unknown top-level field \"" + std::string(key) +
                                  "\"; expected source, generatedAt, implementations");
    }
  }
  if (!records || records->empty())
    throw std::invalid_argument(
        "the report has no implementations: add \"implementations\": [ {...}, ... ] with at "
        "least one");

  std::size_t index = 0;
  for (const auto& v : *records) {
    ParsedRecord rec;
    rec.index = ++index;
    if (!v.is_object()) {
      rec.errors.push_back(std::string("expected an object, got ") + kindName(v));
    } else {
      RecordParser parser(rec);
      auto impl = parser.implementation(v.get_object(), report.source);
      if (auto d = duplicated.find(index - 1); d != duplicated.end())
        rec.errors.insert(rec.errors.end(), d->second.begin(), d->second.end());
      if (rec.errors.empty()) {
        // Actuals of proportions are derived here, so every path into the hub (reports and
        // plugin records) stores them alike.
        model::deriveActuals(impl);
        rec.record = std::move(impl);
      }
    }
    report.records.push_back(std::move(rec));
  }
  return report;
}

namespace {

json::value numberValue(double v) {
  // Whole numbers are written as integers ("12000", not "1.2E4").
  if (std::abs(v) < 9007199254740992.0 && v == static_cast<double>(static_cast<std::int64_t>(v)))
    return static_cast<std::int64_t>(v);
  return v;
}

json::object deadlineChangeJson(const model::DeadlineChange& c) {
  json::object o;
  o["previous"] = model::formatDate(c.previous);
  o["deadline"] = model::formatDate(c.deadline);
  if (!c.requestedBy.empty()) o["requestedBy"] = c.requestedBy;
  if (c.requestedOn) o["requestedOn"] = model::formatDate(*c.requestedOn);
  if (!c.reason.empty()) o["reason"] = c.reason;
  // Pending is the default; the deprecated approvedBy/approvedOn are read, never written.
  if (c.decision != model::Decision::Pending) o["decision"] = model::toString(c.decision);
  if (!c.decidedBy.empty()) o["decidedBy"] = c.decidedBy;
  if (c.decidedOn) o["decidedOn"] = model::formatDate(*c.decidedOn);
  return o;
}

json::array titlesJson(const model::Translations& titles) {
  json::array a;
  for (const auto& t : titles) a.push_back(json::object{{"lang", t.lang}, {"text", t.text}});
  return a;
}

json::array controlEventsJson(const std::vector<model::ControlEvent>& events) {
  json::array a;
  for (const auto& e : events) {
    json::object eo;
    eo["state"] = model::toString(e.state);
    eo["by"] = e.by;
    eo["on"] = model::formatDate(e.on);
    if (!e.at.empty()) eo["at"] = e.at;
    if (e.completed) eo["completed"] = model::formatDate(*e.completed);
    if (!e.reason.empty()) eo["reason"] = e.reason;
    a.push_back(std::move(eo));
  }
  return a;
}

json::array commentsJson(const std::vector<model::Comment>& comments) {
  json::array a;
  for (const auto& c : comments)
    a.push_back(
        json::object{{"author", c.author}, {"at", c.at}, {"lang", c.lang}, {"text", c.text}});
  return a;
}

json::object implementationJson(const model::Implementation& impl) {
  json::object o;
  o["revision"] = impl.revision;
  json::object act;
  act["type"] = impl.measure.act.type;
  act["number"] = impl.measure.act.number;
  act["date"] = model::formatDate(impl.measure.act.date);
  if (!impl.measure.act.item.empty()) act["item"] = impl.measure.act.item;
  json::object measure{{"id", impl.measure.id}, {"title", impl.measure.title}};
  if (!impl.measure.titles.empty()) measure["titles"] = titlesJson(impl.measure.titles);
  measure["act"] = std::move(act);
  o["measure"] = std::move(measure);
  o["region"] = impl.region;
  o["organisation"] = impl.organisation;
  o["sector"] = impl.sector;
  o["lifecycle"] = model::toString(impl.lifecycle);
  o["start"] = model::formatDate(impl.start);
  o["deadline"] = model::formatDate(impl.deadline);
  if (impl.completed) o["completed"] = model::formatDate(*impl.completed);
  if (!impl.deadlineChanges.empty()) {
    json::array a;
    for (const auto& c : impl.deadlineChanges) a.push_back(deadlineChangeJson(c));
    o["deadlineChanges"] = std::move(a);
  }
  if (!impl.indicators.empty()) {
    json::array a;
    for (const auto& ind : impl.indicators) {
      json::object i;
      i["code"] = ind.code;
      i["name"] = ind.name;
      if (!ind.unit.empty()) i["unit"] = ind.unit;
      i["ascending"] = ind.ascending;
      i["baseline"] = numberValue(ind.baseline);
      if (ind.mode != model::IndicatorMode::Replace) i["mode"] = model::toString(ind.mode);
      json::array periods;
      for (const auto& p : ind.periods) {
        json::object po;
        po["start"] = model::formatDate(p.start);
        po["end"] = model::formatDate(p.end);
        if (p.target) po["target"] = numberValue(*p.target);
        if (p.actual) po["actual"] = numberValue(*p.actual);
        if (p.numerator) po["numerator"] = numberValue(*p.numerator);
        if (p.denominator) po["denominator"] = numberValue(*p.denominator);
        if (!p.breakdowns.empty()) {
          json::array bs;
          for (const auto& b : p.breakdowns) {
            json::object bo;
            bo["dimension"] = b.dimension;
            bo["category"] = b.category;
            if (b.target) bo["target"] = numberValue(*b.target);
            if (b.actual) bo["actual"] = numberValue(*b.actual);
            if (b.numerator) bo["numerator"] = numberValue(*b.numerator);
            if (b.denominator) bo["denominator"] = numberValue(*b.denominator);
            bs.push_back(std::move(bo));
          }
          po["breakdowns"] = std::move(bs);
        }
        periods.push_back(std::move(po));
      }
      if (!periods.empty()) i["periods"] = std::move(periods);
      a.push_back(std::move(i));
    }
    o["indicators"] = std::move(a);
  }
  if (!impl.assignments.empty()) {
    json::array a;
    for (const auto& as : impl.assignments) {
      json::object ao;
      ao["id"] = as.id;
      if (!as.parentId.empty()) ao["parent"] = as.parentId;
      ao["assignee"] = as.assignee;
      ao["title"] = as.title;
      if (!as.titles.empty()) ao["titles"] = titlesJson(as.titles);
      ao["deadline"] = model::formatDate(as.deadline);
      ao["control"] = model::toString(as.control);
      if (as.completed) ao["completed"] = model::formatDate(*as.completed);
      if (!as.deadlineChanges.empty()) {
        json::array changes;
        for (const auto& c : as.deadlineChanges) changes.push_back(deadlineChangeJson(c));
        ao["deadlineChanges"] = std::move(changes);
      }
      if (!as.controlEvents.empty()) ao["controlEvents"] = controlEventsJson(as.controlEvents);
      if (!as.comments.empty()) ao["comments"] = commentsJson(as.comments);
      a.push_back(std::move(ao));
    }
    o["assignments"] = std::move(a);
  }
  if (!impl.evidence.empty()) {
    json::array a;
    for (const auto& e : impl.evidence) {
      json::object eo;
      eo["url"] = e.url;
      eo["title"] = e.title;
      if (!e.format.empty()) eo["format"] = e.format;
      eo["date"] = model::formatDate(e.date);
      if (!e.uploader.empty()) eo["uploader"] = e.uploader;
      if (!e.sha256.empty()) eo["sha256"] = e.sha256;
      if (e.size) eo["size"] = *e.size;
      a.push_back(std::move(eo));
    }
    o["evidence"] = std::move(a);
  }
  if (!impl.controlEvents.empty()) o["controlEvents"] = controlEventsJson(impl.controlEvents);
  if (!impl.comments.empty()) o["comments"] = commentsJson(impl.comments);
  if (!impl.note.empty()) o["note"] = impl.note;
  return o;
}

}  // namespace

std::string writeReportJson(const std::string& source,
                            const std::vector<model::Implementation>& records) {
  json::object doc;
  if (!source.empty()) doc["source"] = source;
  doc["generatedAt"] = fields::utcNow();
  json::array a;
  for (const auto& impl : records) a.push_back(implementationJson(impl));
  doc["implementations"] = std::move(a);
  return toJsonText(doc);
}

}  // namespace ijro::exchange
