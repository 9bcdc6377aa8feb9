#include "csv_records.hpp"

#include <boost/json.hpp>

#include <array>
#include <charconv>
#include <optional>
#include <stdexcept>

#include "problem.hpp"
#include "text.hpp"

namespace ijro::file_drop {

namespace json = boost::json;

namespace {

enum class Kind { Text, Date, Integer, Number, Bool, Lifecycle };

struct Field {
  const char* name;  // the field's name in "columns" and "defaults", and its canonical column
  Kind kind;
  bool required;  // the file must have a column for it, or the option "defaults" a value
};

// Where each field goes in the record; the order of this table is the order of kFields.
enum FieldIndex : std::size_t {
  kMeasureId,
  kTitle,
  kActType,
  kActNumber,
  kActDate,
  kActItem,
  kRegion,
  kOrganisation,
  kSector,
  kRevision,
  kLifecycle,
  kStart,
  kDeadline,
  kCompleted,
  kNote,
  kIndicatorCode,
  kIndicatorName,
  kIndicatorUnit,
  kIndicatorAscending,
  kIndicatorBaseline,
  kPeriodStart,
  kPeriodEnd,
  kTarget,
  kActual,
  kFieldCount
};

constexpr std::array<Field, kFieldCount> kFields{{
    {"measure_id", Kind::Text, true},
    {"title", Kind::Text, true},
    {"act_type", Kind::Text, true},
    {"act_number", Kind::Text, true},
    {"act_date", Kind::Date, true},
    {"act_item", Kind::Text, false},
    {"region", Kind::Text, true},
    {"organisation", Kind::Text, true},
    {"sector", Kind::Text, true},
    {"revision", Kind::Integer, false},  // falls back to the file's modification time
    {"lifecycle", Kind::Lifecycle, true},
    {"start", Kind::Date, true},
    {"deadline", Kind::Date, true},
    {"completed", Kind::Date, false},
    {"note", Kind::Text, false},
    {"indicator_code", Kind::Text, false},
    {"indicator_name", Kind::Text, false},
    {"indicator_unit", Kind::Text, false},
    {"indicator_ascending", Kind::Bool, false},
    {"indicator_baseline", Kind::Number, false},
    {"period_start", Kind::Date, false},
    {"period_end", Kind::Date, false},
    {"target", Kind::Number, false},
    {"actual", Kind::Number, false},
}};

std::optional<std::size_t> fieldIndex(std::string_view name) {
  for (std::size_t i = 0; i < kFields.size(); ++i)
    if (name == kFields[i].name) return i;
  return std::nullopt;
}

std::string headerKey(std::string_view name) {
  return lowerAscii(trim(name));
}

// "column 5 (E)": a column of the file by its position, with the letter a spreadsheet shows.
// Problems name columns this way and never quote a cell: a header or a cell is whatever the
// file holds (a pasted password, control characters for a terminal), and reason files and
// logs are read by others.
std::string columnAt(std::size_t c) {
  std::string letters;
  for (std::size_t n = c + 1; n > 0; n = (n - 1) / 26)
    letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
  return "column " + std::to_string(c + 1) + " (" + letters + ")";
}

// "field=value;field=value" -> (field index, value); throws naming the option.
std::vector<std::pair<std::size_t, std::string>> fieldPairs(std::string_view text,
                                                            const char* option) {
  std::vector<std::pair<std::size_t, std::string>> out;
  std::array<bool, kFieldCount> seen{};
  for (const std::string& entry : splitList(text, ';')) {
    const std::size_t eq = entry.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument(std::string("option \"") + option + "\": \"" + entry +
                                  "\" is not field=value (entries are separated by ';')");
    const std::string name(trim(std::string_view(entry).substr(0, eq)));
    const std::string value(trim(std::string_view(entry).substr(eq + 1)));
    auto index = fieldIndex(name);
    if (!index)
      throw std::invalid_argument(std::string("option \"") + option + "\": \"" + name +
                                  "\" is not a field; the fields are " + CsvMapping::fieldNames());
    if (seen[*index])
      throw std::invalid_argument(std::string("option \"") + option + "\": the field \"" + name +
                                  "\" is given twice");
    seen[*index] = true;
    if (value.empty())
      throw std::invalid_argument(std::string("option \"") + option + "\": the field \"" + name +
                                  "\" has an empty value");
    out.emplace_back(*index, value);
  }
  return out;
}

// A life-cycle word as the mapping compares it: lower case, without blanks, '_' or '-'.
std::string lifecycleKey(std::string_view s) {
  std::string out;
  for (char c : lowerAscii(trim(s)))
    if (c != ' ' && c != '_' && c != '-') out += c;
  return out;
}

bool allDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::optional<std::int64_t> integer(std::string_view s) {
  std::int64_t v = 0;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  if (res.ec != std::errc() || res.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// A decimal number as spreadsheets write it: "12", "-0.5", "2.5e6", or with a decimal comma
// ("12,5") when there is no point.
std::optional<double> number(std::string_view s) {
  std::string t(s);
  if (t.find('.') == std::string::npos && t.find(',') != std::string::npos &&
      t.find(',') == t.rfind(','))
    t[t.find(',')] = '.';
  std::string_view v(t);
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  // Only plain decimal notation: from_chars would also take "inf", "nan" and hex digits.
  for (char c : v)
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
      return std::nullopt;
  double d = 0;
  auto res = std::from_chars(v.data(), v.data() + v.size(), d);
  if (res.ec != std::errc() || res.ptr != v.data() + v.size()) return std::nullopt;
  return d;
}

std::optional<bool> boolean(std::string_view s) {
  const std::string k = lowerAscii(s);
  if (k == "true" || k == "yes" || k == "y" || k == "1") return true;
  if (k == "false" || k == "no" || k == "n" || k == "0") return false;
  return std::nullopt;
}

}  // namespace

struct CsvMapping::Binding {
  std::array<std::optional<std::size_t>, kFieldCount> column{};  // field -> column index
  std::vector<std::size_t> ignored;                              // columns not read
  std::size_t width = 0;                                         // fields in the header
  std::size_t headerLine = 0;
};

CsvMapping::CsvMapping(const CsvSettings& settings) : settings_(settings) {
  for (const auto& f : kFields) headerOf_.emplace_back(f.name);
  for (auto& [index, header] : fieldPairs(settings.columns, "columns")) headerOf_[index] = header;
  for (std::size_t i = 0; i < headerOf_.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (headerKey(headerOf_[i]) == headerKey(headerOf_[j]))
        throw std::invalid_argument("option \"columns\": the fields \"" +
                                    std::string(kFields[j].name) + "\" and \"" + kFields[i].name +
                                    "\" would both read the column \"" + headerOf_[i] + "\"");
  for (auto& [index, value] : fieldPairs(settings.defaults, "defaults")) defaults_[index] = value;

  for (const char* canonical : {"planned", "inProgress", "completed", "cancelled", "suspended"})
    lifecycleAlias_[lifecycleKey(canonical)] = canonical;
  lifecycleAlias_["canceled"] = "cancelled";
  for (const std::string& entry : splitList(settings.lifecycleValues, ';')) {
    const std::size_t eq = entry.find('=');
    const std::string canonical =
        eq == std::string::npos ? entry : std::string(trim(std::string_view(entry).substr(0, eq)));
    auto known = lifecycleAlias_.find(lifecycleKey(canonical));
    if (eq == std::string::npos || known == lifecycleAlias_.end() || known->second != canonical)
      throw std::invalid_argument(
          "option \"lifecycle_values\": \"" + entry +
          "\" is not value=word|word with a value of planned, inProgress, completed, cancelled, "
          "suspended");
    for (const std::string& word : splitList(std::string_view(entry).substr(eq + 1), '|'))
      lifecycleAlias_[lifecycleKey(word)] = canonical;
  }

  const std::string& f = settings.dateFormat;
  if (f != "YYYY-MM-DD" && f != "DD.MM.YYYY" && f != "DD/MM/YYYY" && f != "MM/DD/YYYY")
    throw std::invalid_argument(
        "option \"date_format\" must be YYYY-MM-DD, DD.MM.YYYY, "
        "DD/MM/YYYY or MM/DD/YYYY, not \"" +
        f + "\"");
}

std::string CsvMapping::fieldNames() {
  std::string out;
  for (const auto& f : kFields) out += (out.empty() ? "" : ", ") + std::string(f.name);
  return out;
}

CsvMapping::Binding CsvMapping::bind(const CsvRow& header) const {
  Binding b;
  b.width = header.fields.size();
  b.headerLine = header.line;
  const std::string line = "line " + std::to_string(header.line);
  std::map<std::string, std::size_t> byHeader;  // header key -> field
  for (std::size_t i = 0; i < headerOf_.size(); ++i) byHeader[headerKey(headerOf_[i])] = i;

  std::map<std::string, std::size_t> seen;  // header key -> column
  std::vector<std::string> unknown;
  for (std::size_t c = 0; c < header.fields.size(); ++c) {
    const std::string& name = header.fields[c];
    const std::string key = headerKey(name);
    if (key.empty()) {  // an unnamed column, as spreadsheets add; it must stay empty
      b.ignored.push_back(c);
      continue;
    }
    if (auto [it, inserted] = seen.emplace(key, c); !inserted)
      throw FileProblem(line + ": " + columnAt(it->second) + " and " + columnAt(c) +
                            " have the same name in the header",
                        "Give every column a different name, then drop the corrected file into "
                        "the folder again.");
    auto field = byHeader.find(key);
    if (field == byHeader.end()) {
      if (settings_.ignoreUnknownColumns)
        b.ignored.push_back(c);
      else
        unknown.push_back(columnAt(c));
      continue;
    }
    b.column[field->second] = c;
  }
  if (!unknown.empty()) {
    std::string list, expected;
    for (const auto& u : unknown) list += (list.empty() ? "" : ", ") + u;
    for (const auto& h : headerOf_) expected += (expected.empty() ? "\"" : ", \"") + h + "\"";
    throw FileProblem(line + ": " + list + (unknown.size() > 1 ? " are" : " is") +
                          " not mapped to any field: the header names a column the plugin does "
                          "not read. The columns read are " +
                          expected + ".",
                      "Name the columns as above, or map the file's names to fields with the "
                      "plugin option \"columns\" (e.g. columns=\"organisation=Executor;"
                      "measure_id=Measure ID\"; the fields are " +
                          fieldNames() +
                          "), or set unknown_columns=\"ignore\" to skip columns the hub does "
                          "not need. Then drop the file into the folder again.");
  }

  std::vector<std::string> missing;
  for (std::size_t i = 0; i < kFields.size(); ++i)
    if (kFields[i].required && !b.column[i] && !defaults_.count(i))
      missing.push_back("\"" + headerOf_[i] + "\" (" + kFields[i].name + ")");
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw FileProblem(line + ": the file has no column for the required field" +
                          (missing.size() > 1 ? "s " : " ") + list,
                      "Add the column(s) to the file, map the file's own column names with the "
                      "plugin option \"columns\" (field=Column name), or give one value for "
                      "every row with the option \"defaults\" (e.g. defaults=\"sector=education\")."
                      " Then drop the file into the folder again.");
  }
  return b;
}

std::string CsvMapping::date(std::string_view cell) const {
  std::string_view v = cell;
  // Spreadsheets add a time to dates: "2026-01-31 00:00:00", "31.01.2026 0:00", "...T00:00".
  if (auto cut = v.find_first_of(" T"); cut != std::string_view::npos && cut >= 8)
    v = v.substr(0, cut);
  const std::string& f = settings_.dateFormat;
  if (f == "YYYY-MM-DD") return std::string(v);
  const char sep = f[2];
  const std::size_t a = v.find(sep);
  const std::size_t b = a == std::string_view::npos ? a : v.find(sep, a + 1);
  if (b == std::string_view::npos) return std::string(cell);  // not this format: the hub says so
  std::string_view first = v.substr(0, a), second = v.substr(a + 1, b - a - 1),
                   year = v.substr(b + 1);
  if (!allDigits(first) || !allDigits(second) || !allDigits(year) || first.size() > 2 ||
      second.size() > 2 || year.size() != 4)
    return std::string(cell);
  std::string_view day = first, month = second;
  if (f == "MM/DD/YYYY") std::swap(day, month);
  const auto two = [](std::string_view s) {
    return s.size() == 1 ? "0" + std::string(s) : std::string(s);
  };
  return std::string(year) + "-" + two(month) + "-" + two(day);
}

std::string CsvMapping::record(const Binding& b, const CsvRow& row,
                               std::int64_t revisionFallback) const {
  // The value of each field for this row: its cell, else its default; "" when neither.
  std::array<std::string, kFieldCount> v;
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    if (b.column[i]) v[i] = std::string(trim(row.fields[*b.column[i]]));
    if (v[i].empty())
      if (auto d = defaults_.find(i); d != defaults_.end()) v[i] = d->second;
  }

  const auto put = [&](json::object& o, const char* key, std::size_t i) {
    if (v[i].empty()) return;  // absent: the hub names the required ones that are missing
    switch (kFields[i].kind) {
      case Kind::Text:
        o[key] = v[i];
        return;
      case Kind::Date:
        o[key] = date(v[i]);
        return;
      case Kind::Integer:
        if (auto n = integer(v[i]))
          o[key] = *n;
        else
          o[key] = v[i];
        return;
      case Kind::Number:
        if (auto n = number(v[i]))
          o[key] = *n;
        else
          o[key] = v[i];
        return;
      case Kind::Bool:
        if (auto n = boolean(v[i]))
          o[key] = *n;
        else
          o[key] = v[i];
        return;
      case Kind::Lifecycle: {
        auto known = lifecycleAlias_.find(lifecycleKey(v[i]));
        o[key] = known == lifecycleAlias_.end() ? v[i] : known->second;
        return;
      }
    }
  };

  json::object rec;
  if (v[kRevision].empty())
    rec["revision"] = revisionFallback;
  else
    put(rec, "revision", kRevision);
  json::object measure, act;
  put(measure, "id", kMeasureId);
  put(measure, "title", kTitle);
  put(act, "type", kActType);
  put(act, "number", kActNumber);
  put(act, "date", kActDate);
  put(act, "item", kActItem);
  measure["act"] = std::move(act);
  rec["measure"] = std::move(measure);
  put(rec, "region", kRegion);
  put(rec, "organisation", kOrganisation);
  put(rec, "sector", kSector);
  put(rec, "lifecycle", kLifecycle);
  put(rec, "start", kStart);
  put(rec, "deadline", kDeadline);
  put(rec, "completed", kCompleted);

  // At most one indicator with one period per row, when any of its cells has a value.
  bool anyIndicator = false;
  for (std::size_t i = kIndicatorCode; i <= kActual; ++i) anyIndicator |= !v[i].empty();
  if (anyIndicator) {
    json::object indicator;
    put(indicator, "code", kIndicatorCode);
    put(indicator, "name", kIndicatorName);
    put(indicator, "unit", kIndicatorUnit);
    put(indicator, "ascending", kIndicatorAscending);
    put(indicator, "baseline", kIndicatorBaseline);
    bool anyPeriod = false;
    for (std::size_t i = kPeriodStart; i <= kActual; ++i) anyPeriod |= !v[i].empty();
    if (anyPeriod) {
      json::object period;
      put(period, "start", kPeriodStart);
      put(period, "end", kPeriodEnd);
      put(period, "target", kTarget);
      put(period, "actual", kActual);
      indicator["periods"] = json::array{std::move(period)};
    }
    rec["indicators"] = json::array{std::move(indicator)};
  }
  put(rec, "note", kNote);
  return json::serialize(rec);
}

std::vector<std::string> CsvMapping::records(std::string_view text,
                                             std::int64_t revisionFallback) const {
  std::vector<CsvRow> rows = ijro::tables::parseCsv(text, settings_.delimiter);
  if (rows.empty())
    throw FileProblem("the file is empty: there is no header line",
                      "Export the file again with a header line naming the columns, then drop "
                      "it into the folder again.");
  const Binding b = bind(rows.front());
  std::vector<std::string> out;
  out.reserve(rows.size() - 1);
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    if (row.fields.size() != b.width)
      throw FileProblem(
          "line " + std::to_string(row.line) + " has " + std::to_string(row.fields.size()) +
              " fields, but the header (line " + std::to_string(b.headerLine) + ") has " +
              std::to_string(b.width),
          std::string("Quote every value that contains the delimiter (\"") +
              (settings_.delimiter == '\t' ? std::string("tab")
                                           : std::string(1, settings_.delimiter)) +
              "\") or a line break, and give every row as many fields as the header; check the "
              "option \"delimiter\". Then drop the corrected file into the folder again.");
    for (std::size_t c : b.ignored)
      if (headerKey(rows.front().fields[c]).empty() && !trim(row.fields[c]).empty())
        throw FileProblem("line " + std::to_string(row.line) + ": " + columnAt(c) +
                              " has no name in the header but holds a value",
                          "Name the column in the header (and map it with the option "
                          "\"columns\"), or remove the value. Then drop the file into the folder "
                          "again.");
    out.push_back(record(b, row, revisionFallback));
  }
  return out;
}

}  // namespace ijro::file_drop
