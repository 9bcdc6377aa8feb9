#include "mapping/mapping.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace ijro::mapping {
namespace {

struct FieldInfo {
  Field field;
  const char* name;
  bool required;
};

constexpr std::array<FieldInfo, 16> kFields{{
    {Field::Measure, "measure", true},
    {Field::Title, "title", true},
    {Field::ActType, "act_type", true},
    {Field::ActNumber, "act_number", true},
    {Field::ActDate, "act_date", true},
    {Field::ActItem, "act_item", false},
    {Field::Organisation, "organisation", true},
    {Field::Region, "region", true},
    {Field::Sector, "sector", true},
    {Field::Start, "start", true},
    {Field::Deadline, "deadline", true},
    {Field::Completed, "completed", false},
    {Field::Status, "status", false},
    {Field::Progress, "progress", false},
    {Field::Comment, "comment", false},
    {Field::Revision, "revision", false},
}};

constexpr std::array<const char*, 5> kLifecycles{
    ijro::sdk::lifecycle::kPlanned, ijro::sdk::lifecycle::kInProgress,
    ijro::sdk::lifecycle::kCompleted, ijro::sdk::lifecycle::kCancelled,
    ijro::sdk::lifecycle::kSuspended};

// ASCII lower case of the trimmed text: status words compare without regard to case.
std::string folded(std::string_view text) {
  std::string out(trimmed(text));
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::optional<std::string> lifecycleWord(std::string_view text) {
  const std::string f = folded(text);
  for (const char* l : kLifecycles)
    if (folded(l) == f) return std::string(l);
  return std::nullopt;
}

bool allDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

int digitsAt(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size() || !allDigits(s.substr(at, n))) return -1;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) v = v * 10 + (s[at + i] - '0');
  return v;
}

bool leapYear(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int daysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leapYear(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t daysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy =
      (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

const char* kindName(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Text:
      return "text";
    case Value::Kind::Integer:
    case Value::Kind::Number:
      return "a number";
    case Value::Kind::Boolean:
      return "a boolean";
    case Value::Kind::Other:
      return v.text.c_str();
  }
  return "a value";
}

// The value as written, quoted when it is text, for messages.
std::string shown(const Value& v) {
  if (v.kind == Value::Kind::Text) return "\"" + v.text + "\"";
  if (v.kind == Value::Kind::Other) return v.text;
  return v.text;
}

}  // namespace

std::string_view trimmed(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

const char* fieldName(Field f) {
  for (const auto& i : kFields)
    if (i.field == f) return i.name;
  return "?";
}

std::optional<Field> fieldNamed(std::string_view name) {
  for (const auto& i : kFields)
    if (name == i.name) return i.field;
  return std::nullopt;
}

std::string fieldList() {
  std::string out;
  for (const auto& i : kFields) out += (out.empty() ? "" : ", ") + std::string(i.name);
  return out;
}

std::optional<std::string> isoDate(std::string_view text) {
  text = trimmed(text);
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (text.size() > 10 && text[10] != 'T' && text[10] != ' ') return std::nullopt;
  const int y = digitsAt(text, 0, 4), m = digitsAt(text, 5, 2), d = digitsAt(text, 8, 2);
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return std::nullopt;
  return std::string(text.substr(0, 10));
}

std::optional<std::int64_t> unixSeconds(std::string_view text) {
  text = trimmed(text);
  if (!isoDate(text)) return std::nullopt;
  const int y = digitsAt(text, 0, 4), mo = digitsAt(text, 5, 2), d = digitsAt(text, 8, 2);
  std::int64_t seconds = daysFromCivil(y, mo, d) * 86400;
  if (text.size() == 10) return seconds;
  std::size_t at = 11;
  const int h = digitsAt(text, at, 2), mi = digitsAt(text, at + 3, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || text.size() < at + 5 || text[at + 2] != ':')
    return std::nullopt;
  at += 5;
  int s = 0;
  if (at < text.size() && text[at] == ':') {
    s = digitsAt(text, at + 1, 2);
    if (s < 0 || s > 60) return std::nullopt;
    at += 3;
    if (at < text.size() && (text[at] == '.' || text[at] == ',')) {
      ++at;
      const std::size_t from = at;
      while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
      if (at == from) return std::nullopt;
    }
  }
  seconds += h * 3600 + mi * 60 + s;
  if (at == text.size()) return seconds;
  if (text[at] == 'Z' || text[at] == 'z')
    return at + 1 == text.size() ? std::optional(seconds) : std::nullopt;
  if (text[at] != '+' && text[at] != '-') return std::nullopt;
  const int sign = text[at] == '+' ? 1 : -1;
  const int oh = digitsAt(text, at + 1, 2);
  int om = 0;
  std::size_t end = at + 3;
  if (end < text.size() && text[end] == ':') ++end;
  if (end < text.size()) {
    om = digitsAt(text, end, 2);
    end += 2;
  }
  if (oh < 0 || oh > 23 || om < 0 || om > 59 || end != text.size()) return std::nullopt;
  return seconds - sign * (oh * 3600 + om * 60);
}

Mapping::Mapping(const ijro::sdk::Table& fields, const ijro::sdk::Table& defaults,
                 const ijro::sdk::Table& statuses, std::string mapName)
    : mapName_(std::move(mapName)) {
  for (const auto& [name, place] : fields.rows()) {
    const auto f = fieldNamed(name);
    if (!f)
      throw std::invalid_argument("option " + mapName_ + ": \"" + name +
                                  "\" is not a field of the model; the fields are " + fieldList());
    if (trimmed(place).empty())
      throw std::invalid_argument("option " + mapName_ + ": the field " + name +
                                  " has an empty place: give where its value is, or leave the row "
                                  "out");
    places_.push_back({*f, place});
  }
  for (const auto& [name, value] : defaults.rows()) {
    const auto f = fieldNamed(name);
    if (!f)
      throw std::invalid_argument("option defaults: \"" + name +
                                  "\" is not a field of the model; the fields are " + fieldList());
    defaults_.emplace_back(*f, value);
  }
  for (const auto& [word, lifecycle] : statuses.rows()) {
    const auto l = lifecycleWord(lifecycle);
    if (!l)
      throw std::invalid_argument("option statuses: \"" + word + "\" -> \"" + lifecycle +
                                  "\": the value must be planned, inProgress, completed, "
                                  "cancelled or suspended");
    statuses_.emplace_back(folded(word), *l);
  }
  for (const auto& i : kFields) {
    if (!i.required || placeOf(i.field)) continue;
    bool defaulted = false;
    for (const auto& d : defaults_) defaulted |= d.first == i.field;
    if (!defaulted)
      throw std::invalid_argument("the field " + std::string(i.name) +
                                  " is required: map it in the option " + mapName_ +
                                  " or give its value in the option defaults");
  }
  // A default goes through the same checks as an input value: a bad one is refused now, not
  // once per item.
  for (const auto& [field, value] : defaults_) {
    const std::string where = "option defaults: " + std::string(fieldName(field));
    if ((field == Field::Start || field == Field::Deadline || field == Field::Completed ||
         field == Field::ActDate) &&
        !isoDate(value))
      throw std::invalid_argument(where + ": \"" + value + "\" is not a date (YYYY-MM-DD)");
    if (field == Field::Status && !lifecycleOf(value))
      throw std::invalid_argument(where + ": \"" + value +
                                  "\" is neither a lifecycle word nor a word of the option "
                                  "statuses");
  }
}

std::optional<std::string_view> Mapping::placeOf(Field f) const {
  for (const auto& p : places_)
    if (p.field == f) return std::string_view(p.place);
  return std::nullopt;
}

std::optional<std::string> Mapping::lifecycleOf(std::string_view word) const {
  const std::string f = folded(word);
  for (const auto& [w, l] : statuses_)
    if (w == f) return l;
  return lifecycleWord(word);
}

Mapped Mapping::map(const Lookup& lookup, std::int64_t fallbackRevision) const {
  Mapped out;
  // The value of a field and where it came from: the input when mapped and present there, else
  // the default; nullopt when neither has one.
  struct Got {
    Value value;
    std::string where;
  };
  std::vector<std::string>& problems = out.problems;
  auto get = [&](Field f) -> std::optional<Got> {
    std::string where;
    if (auto place = placeOf(f)) {
      Found found = lookup(*place);
      if (found.value &&
          !(found.value->kind == Value::Kind::Text && trimmed(found.value->text).empty()))
        return Got{std::move(*found.value), std::move(found.where)};
      where = std::move(found.where);
    }
    for (const auto& [field, value] : defaults_)
      if (field == f)
        return Got{Value{Value::Kind::Text, value, 0}, "default " + std::string(fieldName(f))};
    bool required = false;
    for (const auto& i : kFields)
      if (i.field == f) required = i.required;
    if (required)
      problems.push_back(where + ": missing (the field " + fieldName(f) +
                         "); give it in every item, or a value in the option defaults");
    return std::nullopt;
  };
  // Text fields: text as it is (trimmed), an integer as written.
  auto text = [&](Field f) -> std::string {
    auto g = get(f);
    if (!g) return {};
    if (g->value.kind == Value::Kind::Text) return std::string(trimmed(g->value.text));
    if (g->value.kind == Value::Kind::Integer) return g->value.text;
    problems.push_back(g->where + ": expected text, found " + kindName(g->value) + " (the field " +
                       fieldName(f) + ")");
    return {};
  };
  auto date = [&](Field f) -> std::string {
    auto g = get(f);
    if (!g) return {};
    if (g->value.kind == Value::Kind::Text)
      if (auto d = isoDate(g->value.text)) return *d;
    problems.push_back(g->where + ": " + shown(g->value) + " is not a date (YYYY-MM-DD)");
    return {};
  };

  ijro::sdk::Implementation impl;
  impl.measure.id = text(Field::Measure);
  out.measure = impl.measure.id;
  impl.measure.title = text(Field::Title);
  impl.measure.act.type = text(Field::ActType);
  impl.measure.act.number = text(Field::ActNumber);
  impl.measure.act.date = date(Field::ActDate);
  impl.measure.act.item = text(Field::ActItem);
  impl.organisation = text(Field::Organisation);
  if (auto g = get(Field::Region)) {
    std::string code = g->value.kind == Value::Kind::Text      ? std::string(trimmed(g->value.text))
                       : g->value.kind == Value::Kind::Integer ? g->value.text
                                                               : std::string();
    if (allDigits(code) && (code.size() == 2 || code.size() == 4 || code.size() == 7) &&
        code.compare(0, 2, "17") == 0) {
      impl.region = code;
      out.region = code;
    } else {
      problems.push_back(g->where + ": " + shown(g->value) +
                         " is not a SOATO code (17 for the country, 4 digits for a region such "
                         "as 1703, 7 for a district such as 1703202)");
    }
  }
  impl.sector = text(Field::Sector);
  impl.start = date(Field::Start);
  impl.deadline = date(Field::Deadline);
  impl.completed = date(Field::Completed);
  impl.note = text(Field::Comment);

  std::optional<double> percent;
  if (auto g = get(Field::Progress)) {
    double v = -1;
    if (g->value.kind == Value::Kind::Integer || g->value.kind == Value::Kind::Number) {
      v = g->value.number;
    } else if (g->value.kind == Value::Kind::Text) {
      std::string_view t = trimmed(g->value.text);
      if (!t.empty() && t.back() == '%') t = trimmed(t.substr(0, t.size() - 1));
      std::string s(t);
      for (char& c : s)
        if (c == ',') c = '.';
      double parsed = 0;
      const auto res = std::from_chars(s.data(), s.data() + s.size(), parsed);
      if (!s.empty() && res.ec == std::errc() && res.ptr == s.data() + s.size()) v = parsed;
    }
    if (v >= 0 && v <= 100 && std::isfinite(v))
      percent = v;
    else
      problems.push_back(g->where + ": " + shown(g->value) + " is not a percentage from 0 to 100");
  }

  std::string statusWhere, statusWord;
  if (auto g = get(Field::Status)) {
    statusWhere = g->where;
    statusWord = shown(g->value);
    std::optional<std::string> l;
    if (g->value.kind == Value::Kind::Text || g->value.kind == Value::Kind::Integer)
      l = lifecycleOf(g->value.text);
    if (l)
      impl.lifecycle = *l;
    else
      problems.push_back(g->where + ": " + shown(g->value) +
                         " is not a known status: add it to the option statuses (the system's "
                         "word -> planned, inProgress, completed, cancelled or suspended)");
  } else {
    // No status word: what the dates and the percent say.
    impl.lifecycle = !impl.completed.empty()   ? ijro::sdk::lifecycle::kCompleted
                     : percent && *percent > 0 ? ijro::sdk::lifecycle::kInProgress
                                               : ijro::sdk::lifecycle::kPlanned;
  }
  if (impl.lifecycle == ijro::sdk::lifecycle::kCompleted && impl.completed.empty() &&
      !statusWhere.empty())
    problems.push_back(statusWhere + ": " + statusWord +
                       " means completed, but the item has no completion date: map the field "
                       "completed in the option " +
                       mapName_);

  impl.revision = fallbackRevision;
  if (auto g = get(Field::Revision)) {
    std::optional<std::int64_t> r;
    if (g->value.kind == Value::Kind::Integer && g->value.number >= 1) {
      std::int64_t parsed = 0;
      const auto& t = g->value.text;
      const auto res = std::from_chars(t.data(), t.data() + t.size(), parsed);
      if (res.ec == std::errc() && res.ptr == t.data() + t.size()) r = parsed;
    } else if (g->value.kind == Value::Kind::Text) {
      const std::string_view t = trimmed(g->value.text);
      std::int64_t parsed = 0;
      const auto res = std::from_chars(t.data(), t.data() + t.size(), parsed);
      if (res.ec == std::errc() && res.ptr == t.data() + t.size() && parsed >= 1)
        r = parsed;
      else if (auto s = unixSeconds(t); s && *s >= 1)
        r = *s;
    }
    if (r)
      impl.revision = *r;
    else
      problems.push_back(g->where + ": " + shown(g->value) +
                         " is not a revision (a positive integer, or an ISO 8601 date-time such "
                         "as 2026-11-01T10:00:00Z)");
  }

  // The percent done over the work's own period, as an indicator the hub's progress reads.
  if (percent && !impl.start.empty() && !impl.deadline.empty() && impl.start < impl.deadline) {
    ijro::sdk::Indicator progress;
    progress.code = "PROGRESS";
    progress.name = "Percent done";
    progress.unit = "%";
    progress.periods.push_back({impl.start, impl.deadline, 100.0, *percent, {}, {}, {}});
    impl.indicators.push_back(std::move(progress));
  }
  if (problems.empty()) out.implementation = std::move(impl);
  return out;
}

}  // namespace ijro::mapping
