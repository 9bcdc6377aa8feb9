// A tracking sheet's rows as records (see tracking_sheet.hpp).
#include "tracking_sheet.hpp"

#include <ijro_record.hpp>

#include <tables/csv.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace ijro::spreadsheet {

namespace {

using tables::Cell;
using tables::CellKind;
using tables::TableError;

constexpr std::uint32_t kHeaderSearchRows = 20;

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

bool leapYear(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool realDate(int y, int m, int d) {
  static constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  return d <= days[static_cast<std::size_t>(m - 1)] + (m == 2 && leapYear(y) ? 1 : 0);
}

// Digits at s[i..]: at least min, at most max; advances i.
std::optional<int> digits(std::string_view s, std::size_t& i, std::size_t min, std::size_t max) {
  std::size_t n = 0;
  int v = 0;
  while (i < s.size() && n < max && s[i] >= '0' && s[i] <= '9') {
    v = v * 10 + (s[i] - '0');
    ++i;
    ++n;
  }
  if (n < min) return std::nullopt;
  return v;
}

std::string iso(int y, int m, int d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

}  // namespace

std::optional<std::string> textDate(std::string_view text) {
  text = trim(text);
  std::size_t i = 0;
  int y = 0, m = 0, d = 0;
  if (text.size() >= 10 && text[4] == '-') {
    auto yy = digits(text, i, 4, 4);
    if (!yy || i >= text.size() || text[i++] != '-') return std::nullopt;
    auto mm = digits(text, i, 2, 2);
    if (!mm || i >= text.size() || text[i++] != '-') return std::nullopt;
    auto dd = digits(text, i, 2, 2);
    if (!dd) return std::nullopt;
    y = *yy, m = *mm, d = *dd;
  } else {
    auto dd = digits(text, i, 1, 2);
    if (!dd || i >= text.size() || text[i++] != '.') return std::nullopt;
    auto mm = digits(text, i, 1, 2);
    if (!mm || i >= text.size() || text[i++] != '.') return std::nullopt;
    auto yy = digits(text, i, 4, 4);
    if (!yy) return std::nullopt;
    y = *yy, m = *mm, d = *dd;
  }
  // A time after the date ("31.12.2026 0:00", "2026-12-31T00:00:00") is dropped.
  if (i < text.size() && text[i] != ' ' && text[i] != 'T') return std::nullopt;
  if (!realDate(y, m, d)) return std::nullopt;
  return iso(y, m, d);
}

std::string Table::cellName(std::uint32_t row, std::uint32_t column) const {
  tables::Sheet s;
  s.name = name;
  return s.cellName(row, column);
}

Table tableOf(const tables::Sheet& sheet, bool date1904) {
  return Table{sheet.name, sheet.rows, sheet.merged, date1904};
}

char csvDelimiterFor(std::string_view option, std::string_view text) {
  if (option != "auto") return tables::csvDelimiter(option);
  std::array<std::size_t, 3> count{};
  constexpr std::array<char, 3> candidates = {';', ',', '\t'};
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '\n' || c == '\r')) break;
    for (std::size_t k = 0; k < candidates.size(); ++k)
      if (!quoted && c == candidates[k]) ++count[k];
  }
  std::size_t best = 1;  // ',' when the line has none
  for (std::size_t k = 0; k < candidates.size(); ++k)
    if (count[k] > count[best]) best = k;
  return candidates[best];
}

Table tableOfCsv(std::string_view text, char delimiter, std::string name) {
  Table t;
  t.name = std::move(name);
  for (auto& csvRow : tables::parseCsv(text, delimiter)) {
    tables::Row row;
    row.number = static_cast<std::uint32_t>(csvRow.line);
    for (std::size_t i = 0; i < csvRow.fields.size(); ++i) {
      const std::string_view v = trim(csvRow.fields[i]);
      if (v.empty()) continue;
      Cell c;
      c.column = static_cast<std::uint32_t>(i + 1);
      c.text = std::string(v);
      row.cells.push_back(std::move(c));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

struct TrackingSheet::Columns {
  std::uint32_t headerRow = 0;
  std::array<std::uint32_t, kFieldCount> column{};  // per field: its column, 0 when none
  std::array<std::string, kFieldCount> header;      // per field: the header as written
  std::uint32_t at(Field f) const { return column[static_cast<int>(f)]; }
};

TrackingSheet::TrackingSheet(SheetSettings settings, const HeaderNames& names)
    : settings_(std::move(settings)), names_(names) {}

std::optional<std::uint32_t> TrackingSheet::headerRow(const Table& t) const {
  std::uint32_t seen = 0;
  for (const auto& row : t.rows) {
    if (settings_.headerRow != 0 && row.number != settings_.headerRow) continue;
    if (settings_.headerRow == 0 && ++seen > kHeaderSearchRows) break;
    bool number = false, title = false, deadline = false;
    for (const auto& c : row.cells) {
      if (c.kind != CellKind::Text) continue;
      const auto f = names_.field(c.text);
      number |= f == Field::Number;
      title |= f == Field::Title;
      deadline |= f == Field::Deadline;
    }
    if (number && title && deadline) return row.number;
    if (settings_.headerRow != 0) break;
  }
  return std::nullopt;
}

TrackingSheet::Columns TrackingSheet::columnsOf(const Table& t, const tables::Row& header) const {
  Columns cols;
  cols.headerRow = header.number;
  for (const auto& m : t.merged)
    if (header.number >= m.firstRow && header.number <= m.lastRow)
      throw TableError(t.cellName(header.number, m.firstColumn) + ": the header cell is merged (" +
                           m.ref() + "), so it is not clear which column it names",
                       "Unmerge the header cells and give each column its own header in row " +
                           std::to_string(header.number) + ", then save the file again.");
  for (const auto& c : header.cells) {
    if (c.kind != CellKind::Text) continue;
    const auto f = names_.field(c.text);
    if (!f) continue;  // a column the plugin does not read
    const int k = static_cast<int>(*f);
    if (cols.column[k] != 0)
      throw TableError(t.cellName(header.number, c.column) + ": the header \"" + c.text +
                           "\" names the " + fieldName(*f) + " column, and so does " +
                           tables::columnName(cols.column[k]) + std::to_string(header.number) +
                           " (\"" + cols.header[k] + "\")",
                       "Rename one of the two columns, then save the file again.");
    cols.column[k] = c.column;
    cols.header[k] = c.text;
  }
  if (cols.at(Field::Start) == 0 && settings_.start.empty())
    throw TableError(t.name + ", row " + std::to_string(header.number) +
                         ": the sheet has no start date column and the option \"start\" is not set",
                     "Add a start column (" + names_.namesOf(Field::Start) +
                         ") or set the plugin option \"start\" to the date the measures started.");
  return cols;
}

SheetRecords TrackingSheet::records(const Table& t, std::int64_t revision) const {
  const auto headerNumber = headerRow(t);
  if (!headerNumber) {
    std::string first;
    if (!t.rows.empty())
      for (const auto& c : t.rows.front().cells)
        first += (first.empty() ? "\"" : ", \"") + c.text + "\"";
    throw TableError(
        t.name + ": no header row names the number, title and deadline columns" +
            (settings_.headerRow != 0 ? " in row " + std::to_string(settings_.headerRow)
                                      : std::string(" in the first 20 rows")) +
            (first.empty() ? std::string() : " (the first row holds " + first + ")"),
        "Name the columns, e.g. number: " + names_.namesOf(Field::Number) + "; title: " +
            names_.namesOf(Field::Title) + "; deadline: " + names_.namesOf(Field::Deadline) +
            "; or add the sheet's own names with the plugin option \"headers\" "
            "(deadline=Your name|Another).");
  }
  const tables::Row* header = nullptr;
  for (const auto& r : t.rows)
    if (r.number == *headerNumber) header = &r;
  const Columns cols = columnsOf(t, *header);

  SheetRecords out;
  const char* rowIs = settings_.rowsAreTasks ? "task" : "measure";
  struct Task {
    ijro::sdk::Assignment assignment;
    std::string lifecycle, start;
    bool started = false;
  };
  std::vector<Task> tasks;
  for (const auto& row : t.rows) {
    if (row.number <= cols.headerRow) continue;
    std::vector<std::string> problems;
    const auto cellOf = [&](Field f) -> const Cell* {
      const std::uint32_t col = cols.at(f);
      if (col == 0) return nullptr;
      const Cell* c = row.at(col);
      if (c != nullptr && c->kind == CellKind::Text && trim(c->text).empty()) return nullptr;
      return c;
    };
    bool any = false;
    for (int k = 0; k < kFieldCount; ++k) any |= cellOf(static_cast<Field>(k)) != nullptr;
    if (!any) continue;  // a row with nothing in the columns read (a note under the table)

    const auto where = [&](Field f) {
      const std::uint32_t col = cols.at(f);
      return t.cellName(row.number, col) + " (row " + std::to_string(row.number) + ", column " +
             tables::columnName(col) + " \"" + cols.header[static_cast<int>(f)] + "\")";
    };
    const auto text = [&](Field f) -> std::string {
      const Cell* c = cellOf(f);
      if (c == nullptr) return "";
      if (c->kind == CellKind::Error) {
        problems.push_back(where(f) + ": the cell shows the error " + c->text +
                           "; correct its formula or enter the value");
        return "";
      }
      return std::string(trim(c->text));
    };
    const auto date = [&](Field f) -> std::string {
      const Cell* c = cellOf(f);
      if (c == nullptr) return "";
      if (c->kind == CellKind::Number && c->date) {
        if (auto d = tables::dateFromSerial(c->number, t.date1904)) return d->iso();
      } else if (c->kind == CellKind::Text) {
        if (auto d = textDate(c->text)) return *d;
      }
      problems.push_back(where(f) + ": \"" + c->text +
                         "\" is not a date; enter a date cell, or text as dd.mm.yyyy or "
                         "yyyy-mm-dd");
      return "";
    };
    const auto required = [&](Field f, const std::string& value) {
      if (!value.empty()) return;
      if (cols.at(f) == 0)
        problems.push_back(t.name + ", row " + std::to_string(row.number) + ": no " + fieldName(f) +
                           " column (name one: " + names_.namesOf(f) + ")");
      else if (cellOf(f) == nullptr)
        problems.push_back(where(f) + ": the " + std::string(fieldName(f)) + " is empty");
    };

    ijro::sdk::Implementation impl;
    impl.revision = revision;
    const std::string number = text(Field::Number);
    required(Field::Number, number);
    impl.measure.id = number.empty() ? "" : settings_.measurePrefix + number;
    impl.measure.title = text(Field::Title);
    required(Field::Title, impl.measure.title);
    impl.measure.act = {settings_.actType, settings_.actNumber, settings_.actDate, ""};
    impl.region = settings_.region;
    impl.sector = settings_.sector;
    impl.organisation = text(Field::Executor);
    if (impl.organisation.empty()) impl.organisation = settings_.organisation;
    if (impl.organisation.empty()) {
      if (cols.at(Field::Executor) != 0)
        problems.push_back(where(Field::Executor) +
                           ": the executor is empty (or set the option \"organisation\")");
      else
        problems.push_back(t.name + ", row " + std::to_string(row.number) +
                           ": no executor column (name one: " + names_.namesOf(Field::Executor) +
                           ") and no option \"organisation\"");
    }
    impl.deadline = date(Field::Deadline);
    required(Field::Deadline, impl.deadline);
    impl.start = cols.at(Field::Start) != 0 ? date(Field::Start) : "";
    if (impl.start.empty()) impl.start = settings_.start;
    if (impl.start.empty()) required(Field::Start, impl.start);  // an empty start cell
    impl.completed = date(Field::Completed);
    impl.note = text(Field::Comment);

    std::optional<double> percent;
    if (const Cell* c = cellOf(Field::Percent)) {
      double v = 0;
      bool ok = false;
      if (c->kind == CellKind::Number) {
        v = c->number;
        ok = true;
      } else if (c->kind == CellKind::Text) {
        std::string s(trim(c->text));
        if (!s.empty() && s.back() == '%') s.pop_back();
        s = std::string(trim(s));
        for (char& ch : s)
          if (ch == ',') ch = '.';
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        ok = ec == std::errc() && end == s.data() + s.size() && !s.empty();
      }
      if (!ok || !std::isfinite(v) || v < 0 || v > 100)
        problems.push_back(where(Field::Percent) + ": \"" + c->text +
                           "\" is not a percentage from 0 to 100");
      else
        percent = v;
    }

    if (const Cell* c = cellOf(Field::Status)) {
      if (auto l = names_.lifecycle(c->text))
        impl.lifecycle = *l;
      else
        problems.push_back(where(Field::Status) + ": the status \"" + c->text +
                           "\" is not known; the words are " + names_.statusWords() +
                           " (others can be added with the option \"status_values\")");
    } else {
      impl.lifecycle = percent && *percent >= 100 ? ijro::sdk::lifecycle::kCompleted
                       : percent && *percent > 0  ? ijro::sdk::lifecycle::kInProgress
                                                  : ijro::sdk::lifecycle::kPlanned;
    }
    if (impl.lifecycle == ijro::sdk::lifecycle::kCompleted && impl.completed.empty() &&
        problems.empty())
      problems.push_back(t.name + ", row " + std::to_string(row.number) + ": the " + rowIs +
                         " is completed but the row has no completion date" +
                         (cols.at(Field::Completed) != 0
                              ? " (" + where(Field::Completed) + " is empty)"
                              : " (add a column: " + names_.namesOf(Field::Completed) + ")"));

    // The percent done over the work's own period; a deadline on or before the start is the
    // hub's to refuse (naming the field), not an indicator's.
    if (percent && !impl.deadline.empty() && !impl.start.empty() && impl.start < impl.deadline) {
      ijro::sdk::Indicator progress;
      progress.code = settings_.progressIndicator;
      progress.name = "Percent done";
      progress.unit = "%";
      progress.periods.push_back({impl.start, impl.deadline, 100.0, *percent});
      impl.indicators.push_back(std::move(progress));
    }

    if (!problems.empty()) {
      std::string reason;
      for (const auto& p : problems) reason += (reason.empty() ? "" : "; ") + p;
      out.rejected.push_back(std::move(reason));
      continue;
    }
    if (settings_.rowsAreTasks) {
      Task task;
      task.assignment.id = number;
      task.assignment.assignee = impl.organisation;
      task.assignment.title = impl.measure.title;
      task.assignment.deadline = impl.deadline;
      task.assignment.completed = impl.completed;
      task.lifecycle = impl.lifecycle;
      task.start = impl.start;
      task.started = percent && *percent > 0;
      tasks.push_back(std::move(task));
      continue;
    }
    try {
      out.records.push_back(impl.toJson());
    } catch (const std::invalid_argument& e) {
      out.rejected.push_back(t.name + ", row " + std::to_string(row.number) + ": " + e.what());
    }
  }
  if (!settings_.rowsAreTasks || tasks.empty()) return out;

  // The tasks' implementation: done when every task is done, under way once one is.
  ijro::sdk::Implementation impl;
  impl.revision = revision;
  impl.measure.id = settings_.measureId;
  impl.measure.title = settings_.measureTitle;
  impl.measure.act = {settings_.actType, settings_.actNumber, settings_.actDate, ""};
  impl.region = settings_.region;
  impl.sector = settings_.sector;
  impl.organisation = settings_.organisation;
  impl.start = settings_.start;
  impl.deadline = settings_.deadline;
  bool allDone = true, anyStarted = false;
  for (auto& task : tasks) {
    if (settings_.start.empty() && (impl.start.empty() || task.start < impl.start))
      impl.start = task.start;
    if (settings_.deadline.empty() && task.assignment.deadline > impl.deadline)
      impl.deadline = task.assignment.deadline;
    const bool done = task.lifecycle == ijro::sdk::lifecycle::kCompleted;
    allDone &= done;
    anyStarted |= done || task.started || task.lifecycle == ijro::sdk::lifecycle::kInProgress;
    if (done && task.assignment.completed > impl.completed)
      impl.completed = task.assignment.completed;
    impl.assignments.push_back(std::move(task.assignment));
  }
  impl.lifecycle = allDone      ? ijro::sdk::lifecycle::kCompleted
                   : anyStarted ? ijro::sdk::lifecycle::kInProgress
                                : ijro::sdk::lifecycle::kPlanned;
  if (!allDone) impl.completed.clear();
  try {
    out.records.push_back(impl.toJson());
  } catch (const std::invalid_argument& e) {
    out.rejected.push_back(t.name + ": " + e.what());
  }
  return out;
}

}  // namespace ijro::spreadsheet
