// CSV as RFC 4180 has it (sdk/tables, shared by the plugins that read CSV files): fields separated
// by a delimiter, records by CRLF or LF; a field in double quotes may hold the delimiter, line
// breaks and doubled quotes (""). A UTF-8 byte order mark is skipped. Blank lines and lines of
// empty fields (as spreadsheets write them) are skipped. Lenient where no meaning is lost: a lone
// quote inside an unquoted field is kept as text.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tables/table_error.hpp"

namespace ijro::tables {

struct CsvRow {
  std::size_t line = 0;  // 1-based line the record starts on
  std::vector<std::string> fields;
};

// Every non-blank record, the header first. Throws TableError when the text is not CSV: not
// UTF-8 (or UTF-16, or a spreadsheet workbook), a quoted field never closed, text after a closing
// quote; its what() starts with "line L, column C: " (C counts fields, from 1) where that is known.
std::vector<CsvRow> parseCsv(std::string_view text, char delimiter);

// One record of a CSV file read by its header: its fields by column name.
struct CsvRecord {
  std::size_t line = 0;  // 1-based line the record starts on
  std::map<std::string, std::string, std::less<>> fields;
  // The field of a column the header has; throws std::out_of_range for another name.
  const std::string& operator[](std::string_view column) const;
};

// The records after the header, each field under its header name. Throws TableError naming the
// line when the header lacks a column of `required` (listing the columns it has), names a column
// twice, or a record has another number of fields than the header.
std::vector<CsvRecord> parseCsvRecords(std::string_view text, char delimiter,
                                       const std::vector<std::string>& required = {});

// The delimiter an option names: one character, or "tab" / "\t". Throws std::invalid_argument.
char csvDelimiter(std::string_view option);

// 1-based line of a byte offset in text (for messages).
std::size_t lineAt(std::string_view text, std::size_t offset);

}  // namespace ijro::tables
