// A region's tracking sheet as records: finds the header row (the first row naming at least the
// number, title and deadline columns, in any of the built-in languages or the configured names),
// refuses a merged header, and turns every row below it into one implementation in the record
// form, or (rows are tasks) into one task of a single implementation. A row that cannot be read (a
// deadline that is no date, an unknown status word, a missing title) is rejected with reasons
// naming the sheet, row and column, and the other rows go on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tables/xlsx.hpp>

#include "header_names.hpp"

namespace ijro::spreadsheet {

// What the sheet does not say, from the plugin's options.
struct SheetSettings {
  std::string region;  // SOATO code of the region the sheet is about
  std::string sector;
  std::string actType, actNumber, actDate;  // the act that set the measures
  std::string measurePrefix;                // measure id = prefix + the row's number
  std::string organisation;                 // when the executor cell is empty
  std::string start;                        // start date of rows without a start column
  std::string progressIndicator = "PROGRESS";
  std::uint32_t headerRow = 0;  // 0: found by its names
  // Tasks: the rows are the tasks (assignments) of one implementation, whose measure, title and
  // organisation the options give (measureId, measureTitle, organisation); its start and deadline
  // are the options' or the earliest start and latest deadline of its tasks.
  bool rowsAreTasks = false;
  std::string measureId, measureTitle, deadline;
};

// One sheet of a workbook, or one CSV file, as cells.
struct Table {
  std::string name;  // the sheet's name, or the CSV file's name
  std::vector<tables::Row> rows;
  std::vector<tables::CellRange> merged;
  bool date1904 = false;
  // "Назорат!D3" for messages.
  std::string cellName(std::uint32_t row, std::uint32_t column) const;
};

Table tableOf(const tables::Sheet& sheet, bool date1904);
// CSV text as a table: each record a row numbered by the line it starts on. Throws TableError.
Table tableOfCsv(std::string_view text, char delimiter, std::string name);
// The delimiter of a CSV file: the option ("auto": whichever of ';', ',' and tab the first line
// has most of, outside quotes). Throws std::invalid_argument for a bad option.
char csvDelimiterFor(std::string_view option, std::string_view text);

struct SheetRecords {
  std::vector<std::string> records;   // one per row read (tasks: one for the whole sheet)
  std::vector<std::string> rejected;  // one per row rejected: where and why
};

class TrackingSheet {
 public:
  TrackingSheet(SheetSettings settings, const HeaderNames& names);

  // The header row of the table, nullopt when none is found (among the first 20 rows, or the
  // configured one).
  std::optional<std::uint32_t> headerRow(const Table& t) const;
  // The records of the rows below the header. revision: the revision of every record (the
  // file's modification time). Throws tables::TableError when the table as a whole cannot be
  // read: no header, a merged header cell, a column named twice, no start date at all.
  SheetRecords records(const Table& t, std::int64_t revision) const;

 private:
  struct Columns;
  Columns columnsOf(const Table& t, const tables::Row& header) const;

  SheetSettings settings_;
  const HeaderNames& names_;
};

// "2026-12-31" from "31.12.2026", "1.2.2026", "2026-12-31" (a time after the date is ignored);
// nullopt when the text is no real date in one of these forms.
std::optional<std::string> textDate(std::string_view text);

}  // namespace ijro::spreadsheet
