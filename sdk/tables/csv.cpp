// The CSV reader of sdk/tables (see csv.hpp).
#include "tables/csv.hpp"

#include <ijro_record.hpp>

#include <algorithm>
#include <stdexcept>

namespace ijro::tables {

namespace {

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

std::string where(std::size_t line, std::size_t column) {
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
}

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr const char* kSaveAsUtf8 =
    "Save the file as \"CSV UTF-8 (comma delimited)\" (in LibreOffice: Save As, Text CSV, "
    "character set Unicode (UTF-8)) and send it again.";

// Things that are not CSV text at all, with the advice that fits each.
void checkEncoding(std::string_view text) {
  if (text.substr(0, 2) == "\xFF\xFE" || text.substr(0, 2) == "\xFE\xFF")
    throw TableError("the file is UTF-16 text, not UTF-8", kSaveAsUtf8);
  if (text.substr(0, 4) == "PK\x03\x04")
    throw TableError("the file is a spreadsheet workbook (XLSX/ODS, a ZIP archive), not CSV",
                     kSaveAsUtf8);
  if (auto at = ijro::sdk::firstInvalidUtf8(text))
    throw TableError(
        "line " + std::to_string(lineAt(text, *at)) + ": byte " + std::to_string(*at + 1) +
            " of the file is not valid UTF-8 (it is probably in a legacy code page such "
            "as Windows-1251)",
        kSaveAsUtf8);
  if (auto nul = text.find('\0'); nul != std::string_view::npos)
    throw TableError("line " + std::to_string(lineAt(text, nul)) +
                         ": the file contains a NUL byte, so it is not CSV text",
                     kSaveAsUtf8);
}

bool blank(const CsvRow& row) {
  for (const auto& f : row.fields)
    if (!trim(f).empty()) return false;
  return true;
}

}  // namespace

std::size_t lineAt(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i)
    if (text[i] == '\n') ++line;
  return line;
}

char csvDelimiter(std::string_view option) {
  if (option == "tab" || option == "\\t" || option == "\t") return '\t';
  if (option.size() == 1 && option[0] != '"' && option[0] != '\r' && option[0] != '\n')
    return option[0];
  throw std::invalid_argument(
      "option \"delimiter\" must be one character (e.g. \",\" or \";\") or "
      "\"tab\", not \"" +
      std::string(option) + "\"");
}

std::vector<CsvRow> parseCsv(std::string_view text, char delimiter) {
  checkEncoding(text);
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());

  std::vector<CsvRow> rows;
  CsvRow row;
  std::string field;
  std::size_t line = 1;
  std::size_t i = 0;
  const std::size_t n = text.size();
  bool atRecordStart = true;

  const auto endField = [&] {
    row.fields.push_back(std::move(field));
    field.clear();
  };
  const auto endRecord = [&] {
    endField();
    if (!blank(row)) rows.push_back(std::move(row));
    row = CsvRow{};
    atRecordStart = true;
  };
  // Consumes a line break at i (CRLF, LF or a lone CR); true when there was one.
  const auto lineBreak = [&] {
    if (text[i] == '\r') {
      i += (i + 1 < n && text[i + 1] == '\n') ? 2 : 1;
    } else if (text[i] == '\n') {
      ++i;
    } else {
      return false;
    }
    ++line;
    return true;
  };

  while (i < n) {
    if (atRecordStart) {
      row.line = line;
      atRecordStart = false;
    }
    if (text[i] == '"') {
      // A quoted field: up to the quote that is not doubled.
      const std::size_t openedOn = line;
      const std::size_t column = row.fields.size() + 1;
      ++i;
      while (true) {
        if (i >= n)
          throw TableError(
              where(openedOn, column) +
                  "a quoted field opens here and is never closed (a missing closing quote)",
              "Close the quote, or double every quote inside a quoted value (\"\"), then send "
              "the corrected file again.");
        const char c = text[i];
        if (c == '"') {
          if (i + 1 < n && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (c == '\r' || c == '\n') {
          // Line breaks inside quotes are data; keep them as LF, count the line.
          lineBreak();
          field += '\n';
          continue;
        }
        field += c;
        ++i;
      }
      if (i >= n) break;
      if (text[i] == delimiter) {
        endField();
        ++i;
        continue;
      }
      if (lineBreak()) {
        endRecord();
        continue;
      }
      throw TableError(where(line, row.fields.size() + 1) +
                           "text follows the closing quote of a field (a value with a quote "
                           "that is not doubled?)",
                       "Inside a quoted value write every quote twice (\"\"), or do not quote "
                       "the value; then send the corrected file again.");
    }
    // An unquoted field: up to the delimiter or the end of the line.
    while (i < n && text[i] != delimiter && text[i] != '\r' && text[i] != '\n') field += text[i++];
    if (i >= n) break;
    if (text[i] == delimiter) {
      endField();
      ++i;
      continue;
    }
    lineBreak();
    endRecord();
  }
  if (!atRecordStart) endRecord();
  return rows;
}

const std::string& CsvRecord::operator[](std::string_view column) const {
  auto at = fields.find(column);
  if (at == fields.end())
    throw std::out_of_range("the CSV header has no column \"" + std::string(column) + "\"");
  return at->second;
}

std::vector<CsvRecord> parseCsvRecords(std::string_view text, char delimiter,
                                       const std::vector<std::string>& required) {
  std::vector<CsvRow> rows = parseCsv(text, delimiter);
  if (rows.empty())
    throw TableError("the file is empty: a header line naming the columns was expected",
                     "Send the file with its header line.");
  std::vector<std::string> header;
  for (const auto& name : rows.front().fields) header.emplace_back(trim(name));
  std::string have;
  for (std::size_t c = 0; c < header.size(); ++c) {
    for (std::size_t d = 0; d < c; ++d)
      if (header[d] == header[c])
        throw TableError(where(rows.front().line, c + 1) + "the header names column \"" +
                             header[c] + "\" twice (columns " + std::to_string(d + 1) + " and " +
                             std::to_string(c + 1) + ")",
                         "Give every column its own name, then send the file again.");
    have += (c ? ", " : "") + header[c];
  }
  for (const auto& name : required)
    if (std::find(header.begin(), header.end(), name) == header.end())
      throw TableError(
          "line " + std::to_string(rows.front().line) + ": the header has no column \"" + name +
              "\" (it has: " + have + ")",
          "Add the column \"" + name + "\" (spelt exactly so), then send the file again.");
  std::vector<CsvRecord> records;
  records.reserve(rows.size() - 1);
  for (std::size_t r = 1; r < rows.size(); ++r) {
    CsvRow& row = rows[r];
    if (row.fields.size() != header.size())
      throw TableError("line " + std::to_string(row.line) + ": the record has " +
                           std::to_string(row.fields.size()) + " fields, the header " +
                           std::to_string(header.size()),
                       "Give every record as many fields as the header has columns (quote a "
                       "value that holds the delimiter), then send the file again.");
    CsvRecord record;
    record.line = row.line;
    for (std::size_t c = 0; c < header.size(); ++c)
      record.fields.emplace(header[c], std::move(row.fields[c]));
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace ijro::tables
