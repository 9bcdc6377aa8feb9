// CSV as RFC 4180 has it (sdk/tables, shared by the plugins that read CSV files): fields separated
// by a delimiter, records by CRLF or LF; a field in double quotes may hold the delimiter, line
// breaks and doubled quotes (""). A UTF-8 byte order mark is skipped. Blank lines and lines of
// empty fields (as spreadsheets write them) are skipped. Lenient where no meaning is lost: a lone
// quote inside an unquoted field is kept as text.
#pragma once

#include <cstddef>
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

// The delimiter an option names: one character, or "tab" / "\t". Throws std::invalid_argument.
char csvDelimiter(std::string_view option);

// 1-based line of a byte offset in text (for messages).
std::size_t lineAt(std::string_view text, std::size_t offset);

}  // namespace ijro::tables
