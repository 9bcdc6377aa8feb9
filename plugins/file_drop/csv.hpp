// CSV as RFC 4180 has it: fields separated by a delimiter, records by CRLF or LF; a field in
// double quotes may hold the delimiter, line breaks and doubled quotes (""). A UTF-8 byte order
// mark is skipped. Blank lines and lines of empty fields (as spreadsheets write them) are skipped.
// Lenient where no meaning is lost: a lone quote inside an unquoted field is kept as text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ijro::file_drop {

struct CsvRow {
  std::size_t line = 0;  // 1-based line the record starts on
  std::vector<std::string> fields;
};

// Every non-blank record, the header first. Throws FileProblem when the text is not CSV: not
// UTF-8 (or UTF-16, or a spreadsheet workbook), a quoted field never closed, text after a closing
// quote.
std::vector<CsvRow> parseCsv(std::string_view text, char delimiter);

// The delimiter an option names: one character, or "tab" / "\t". Throws std::invalid_argument.
char csvDelimiter(std::string_view option);

}  // namespace ijro::file_drop
