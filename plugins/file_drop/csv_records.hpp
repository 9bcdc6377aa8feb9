// CSV rows as records: which column holds which field of an implementation (the option
// "columns"), fixed values for fields the file lacks ("defaults"), and the conversions a
// spreadsheet export needs (dates, numbers, life-cycle words). Each row becomes one record in
// the JSON form of a status report; a value the plugin cannot convert is passed on as text, so
// the hub rejects that record with a reason and keeps the others.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <tables/csv.hpp>

namespace ijro::file_drop {

using ijro::tables::CsvRow;

struct CsvSettings {
  std::string columns;          // "field=Header;field=Header"; "" for the canonical names
  std::string defaults;         // "field=value;field=value"
  std::string dateFormat;       // "YYYY-MM-DD" | "DD.MM.YYYY" | "DD/MM/YYYY" | "MM/DD/YYYY"
  std::string lifecycleValues;  // "inProgress=In progress|Jarayonda;completed=Done"
  bool ignoreUnknownColumns = false;
  char delimiter = ',';
};

class CsvMapping {
 public:
  // Throws std::invalid_argument naming the option and the valid field names.
  explicit CsvMapping(const CsvSettings& settings);

  // The records of a whole file. revisionFallback: the revision of rows when the file has no
  // revision column and no default (the file's modification time, so a later export replaces an
  // earlier one). Throws FileProblem when the file cannot be read as a whole: not CSV, no header,
  // an unknown or duplicate column, a required field without a column or default, a row with
  // another number of fields than the header.
  std::vector<std::string> records(std::string_view text, std::int64_t revisionFallback) const;

  // "measure_id, title, ..." for messages and the docs.
  static std::string fieldNames();

 private:
  struct Binding;
  Binding bind(const CsvRow& header) const;
  std::string record(const Binding& b, const CsvRow& row, std::int64_t revisionFallback) const;
  std::string date(std::string_view cell) const;

  CsvSettings settings_;
  std::vector<std::string> headerOf_;                  // per field: the column name expected
  std::map<std::size_t, std::string> defaults_;        // field index -> value
  std::map<std::string, std::string> lifecycleAlias_;  // normalised word -> canonical value
};

}  // namespace ijro::file_drop
