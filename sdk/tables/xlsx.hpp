// Reading XLSX workbooks (Office Open XML spreadsheets) written by Excel, LibreOffice, Gnumeric
// and the like: the sheets' names, the date system (1900 or 1904), shared strings (rich text runs
// joined), the cells of a worksheet with their types (shared string, formula string, inline
// string, number, boolean, error), which numbers are dates (by their number format in the
// styles), and merged cells, so that a caller can refuse a merged header.
//
// The archive is read with the limits of zip.hpp and each XML part with the safe reader (no DTD,
// no entities, size and depth limits). Every error is an XlsxError whose what() names the sheet and
// the cell where it has one ("Sheet1!C7: ...") and whose fix() says what to change.
//
//   auto book = ijro::tables::Workbook::openFile("andijan.xlsx");
//   ijro::tables::Sheet sheet = book.sheet(0);
//   for (const ijro::tables::Row& row : sheet.rows)
//     for (const ijro::tables::Cell& cell : row.cells)
//       if (cell.date) use(book.date(cell).iso());   // "2026-12-31"
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tables/table_error.hpp"
#include "tables/zip.hpp"

namespace ijro::tables {

struct XlsxLimits {
  ZipLimits zip;
  std::size_t maxXmlBytes = 64u << 20;  // one XML part
  int maxDepth = 32;                    // element nesting in one part
  std::uint32_t maxRows = 1048576;      // the row numbers spreadsheet programs allow
  std::uint32_t maxColumns = 16384;     // XFD
  std::size_t maxCells = 4000000;       // one sheet, cells with a value
};

enum class CellKind { Text, Number, Boolean, Error };

struct Cell {
  std::uint32_t column = 0;  // 1-based: A is 1, AB is 28
  CellKind kind = CellKind::Text;
  // Text: the text; Error: the error as shown (#DIV/0!); Number: the value as the file writes it
  // ("45291", "12.5"); Boolean: "TRUE" or "FALSE".
  std::string text;
  double number = 0;  // Number; Boolean 1 or 0
  bool date = false;  // a Number whose format shows a date (Workbook::date converts it)
};

struct Row {
  std::uint32_t number = 0;  // 1-based, as in the sheet
  std::vector<Cell> cells;   // only cells with a value, by column
  const Cell* at(std::uint32_t column) const;
};

struct CellRange {
  std::uint32_t firstRow = 0, firstColumn = 0, lastRow = 0, lastColumn = 0;
  bool contains(std::uint32_t row, std::uint32_t column) const {
    return row >= firstRow && row <= lastRow && column >= firstColumn && column <= lastColumn;
  }
  std::string ref() const;  // "A1:C1"
};

struct Sheet {
  std::string name;
  std::vector<Row> rows;          // rows with at least one value, by number
  std::vector<CellRange> merged;  // the sheet's merged cells
  // The merged range holding the cell, if any.
  const CellRange* mergedAt(std::uint32_t row, std::uint32_t column) const;
  // "Sheet1!C7" ('My sheet'!C7 when the name needs quotes), for messages.
  std::string cellName(std::uint32_t row, std::uint32_t column) const;
};

struct CivilDate {
  int year = 0, month = 0, day = 0;
  std::string iso() const;  // "2026-12-31"
};

// "A" for 1, "AB" for 28.
std::string columnName(std::uint32_t column);
// "AB12" -> row 12, column 28; false when the text is not a cell reference (or out of range).
bool parseCellRef(std::string_view ref, std::uint32_t& row, std::uint32_t& column);
// A serial day number in the workbook's date system; the time of day is dropped. nullopt for a
// number that is no date: below 1 (0 in the 1904 system), 60 in the 1900 system (the 29 February
// 1900 that never was), after 9999-12-31, or not finite.
std::optional<CivilDate> dateFromSerial(double serial, bool date1904);

class XlsxError : public TableError {
 public:
  XlsxError(std::string sheet, std::string cell, const std::string& problem, std::string fix)
      : TableError(problem, std::move(fix)), sheet_(std::move(sheet)), cell_(std::move(cell)) {}
  const std::string& sheet() const { return sheet_; }  // "" when not about one sheet
  const std::string& cell() const { return cell_; }    // "C7", "" when not about one cell

 private:
  std::string sheet_, cell_;
};

class Workbook {
 public:
  // Reads the workbook's parts (workbook, relationships, shared strings, styles); worksheets are
  // read by sheet(). Throws ZipError or XlsxError.
  static Workbook openFile(const std::filesystem::path& file, XlsxLimits limits = {});
  static Workbook openMemory(std::string bytes, std::string what, XlsxLimits limits = {});

  const std::vector<std::string>& sheetNames() const { return sheetNames_; }
  bool date1904() const { return date1904_; }
  // Reads one worksheet. Throws XlsxError (std::out_of_range for an index past the last sheet).
  Sheet sheet(std::size_t index);
  Sheet sheet(std::string_view name);
  // The date of a date cell (or any number) in this workbook's date system; throws XlsxError
  // naming the cell when the number is no date.
  CivilDate date(const Sheet& sheet, std::uint32_t row, const Cell& cell) const;

 private:
  Workbook(ZipArchive zip, XlsxLimits limits);
  void readWorkbook();
  void readSharedStrings(const std::string& part);
  void readStyles(const std::string& part);

  ZipArchive zip_;
  XlsxLimits limits_;
  std::vector<std::string> sheetNames_;
  std::vector<std::string> sheetParts_;  // per sheet: its worksheet part in the archive
  std::vector<std::string> shared_;
  std::vector<bool> dateStyle_;  // per cell format (cellXfs index): does it show a date
  bool date1904_ = false;
};

}  // namespace ijro::tables
