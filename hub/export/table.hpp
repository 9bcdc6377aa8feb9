// The typed table an export writes: columns with a catalogue key, a header in the table's
// language and a type; rows of cells. Filled from evaluated implementations (the rows and
// fields of GET /api/v1/measures, one row per implementation) or from roll-ups (the groups of
// GET /api/v1/summary). The writers (csv.hpp, xlsx.hpp) only format what is here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hub/i18n/catalogue.hpp"
#include "hub/model/status.hpp"
#include "hub/model/types.hpp"

namespace ijro::exports {

// Text: words; Integer: whole numbers; Number: any number; Percent: a share from 0 to 1 (a
// number, shown as a percentage in XLSX); Date: a calendar date; Boolean: yes or no; Status and
// Rag: the label of an execution status or a RAG rating in the table's language (text).
enum class ColumnType { Text, Integer, Number, Percent, Date, Boolean, Status, Rag };

struct Column {
  std::string key;     // the catalogue key of its header, e.g. "column.deadline"
  std::string header;  // that label in the table's language
  ColumnType type = ColumnType::Text;
};

// Empty, text, a whole number, a number, a date or yes/no; which one a column holds follows its
// type (Status and Rag hold text).
using Cell = std::variant<std::monostate, std::string, std::int64_t, double, model::Date, bool>;

struct Row {
  std::vector<Cell> cells;            // one per column
  model::Rag rag = model::Rag::None;  // the row's RAG rating: its colour in XLSX
};

struct Table {
  i18n::Language language = i18n::Language::En;
  std::string sheetName;  // the localised name of the sheet ("sheet.measures" or "sheet.summary")
  std::vector<Column> columns;
  std::vector<Row> rows;
};

// The export of the measures list, one row per implementation, filled as the store streams:
// measure, title (in the reader's language), act and its date, source, territory code, region
// name, district, responsible organisation (its name in the reader's language), sector, start,
// original deadline, deadline in force, completed, status, RAG, delay days, progress, early
// warning, tasks, tasks overdue, tasks done late.
class MeasuresTable {
 public:
  // `lang`: the labels' language. `titlePreferences`: the languages the reader asked for, best
  // first, which pick titles and names as /api/v1/measures does (model::pickText); empty: the
  // tag of `lang`.
  explicit MeasuresTable(i18n::Language lang, std::vector<std::string> titlePreferences = {});
  void add(const model::Implementation& impl, const model::Evaluation& ev);
  const Table& table() const { return table_; }
  Table take() { return std::move(table_); }

 private:
  Table table_;
  std::vector<std::string> preferences_;
};

// The export of a summary: one row per group (as GET /api/v1/summary's groups, in their order):
// the group's key, its name (by region or sector), implementations, RAG, the count of each
// execution status, done, done late, due or finished, the two shares done late, early warnings,
// and the tasks' total, overdue and done late.
Table summaryTable(const std::vector<model::RollUp>& groups, model::RollUpBy by,
                   i18n::Language lang);

// The label of an execution status or a RAG rating (i18n keys status.* and rag.*).
std::string statusLabel(model::ExecutionStatus s, i18n::Language lang);
std::string ragLabel(model::Rag r, i18n::Language lang);

}  // namespace ijro::exports
