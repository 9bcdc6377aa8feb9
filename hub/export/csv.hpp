// A table as CSV (RFC 4180): UTF-8 with a byte order mark (so spreadsheet programs read the
// Cyrillic right), CRLF line ends, a header row, fields quoted when they hold a comma, a quote,
// CR or LF (quotes doubled). Dates ISO 8601 (YYYY-MM-DD), numbers with a dot and as many digits
// as they need, booleans true or false, empty cells empty.
#pragma once

#include <string>
#include <string_view>

#include "hub/export/table.hpp"

namespace ijro::exports {

std::string toCsv(const Table& table);

// One field as CSV writes it: quoted when it holds a comma, a quote, CR or LF. A text that a
// spreadsheet program would take for a formula (starting with =, +, -, @, tab or CR) gets a
// leading apostrophe first, so a title from a report can never run as a formula.
std::string csvField(std::string_view text, bool isText = true);

}  // namespace ijro::exports
