// XLSX workbooks (see xlsx.hpp): the package's relationships lead from _rels/.rels to the
// workbook, and from the workbook's relationships to its worksheets, shared strings and styles.
#include "tables/xlsx.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "tables/xml_reader.hpp"

namespace ijro::tables {

namespace {

using detail::XmlReader;

constexpr const char* kResave =
    "Open the file in its spreadsheet program and save it again as an Excel workbook (.xlsx).";

bool endsWith(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

std::string folderOf(const std::string& part) {
  const auto slash = part.rfind('/');
  return slash == std::string::npos ? std::string() : part.substr(0, slash + 1);
}

// A relationship's target as a part name in the archive: relative to the folder of the part
// that holds the relationship, or absolute from the package root; "." and ".." resolved.
std::string resolvePart(const std::string& fromPart, const std::string& target) {
  std::string path =
      !target.empty() && target.front() == '/' ? target.substr(1) : folderOf(fromPart) + target;
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string piece = path.substr(start, end - start);
    if (piece == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!piece.empty() && piece != ".") {
      parts.push_back(piece);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

struct Relationship {
  std::string type;    // the full type URI
  std::string target;  // resolved part name
};

// The relationships part of `part` (folder/_rels/name.rels), by id; empty when there is none.
std::map<std::string, Relationship> relationshipsOf(ZipArchive& zip, const std::string& part,
                                                    const XlsxLimits& limits) {
  const std::string folder = folderOf(part);
  const std::string rels = folder + "_rels/" + part.substr(folder.size()) + ".rels";
  std::map<std::string, Relationship> out;
  if (!zip.contains(rels)) return out;
  const std::string xml = zip.read(rels);
  XmlReader r(xml, rels, limits.maxXmlBytes, limits.maxDepth);
  while (r.next()) {
    if (!r.isStart() || r.name() != "Relationship") continue;
    if (r.attribute("TargetMode").value_or("") == "External") continue;
    auto id = r.attribute("Id");
    auto target = r.attribute("Target");
    if (!id || !target) continue;
    out[*id] = Relationship{r.attribute("Type").value_or(""), resolvePart(part, *target)};
  }
  return out;
}

std::optional<std::string> targetOfType(const std::map<std::string, Relationship>& rels,
                                        std::string_view typeTail) {
  for (const auto& [id, rel] : rels)
    if (endsWith(rel.type, typeTail)) return rel.target;
  return std::nullopt;
}

std::optional<std::uint64_t> unsignedOf(std::string_view s) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Built-in number formats that show a date (ECMA-376 part 1, 18.8.30, and the East Asian ones).
bool builtInDateFormat(std::uint64_t id) {
  return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58);
}

// Whether a format code shows a date: outside quoted text, escapes and [brackets], its first
// section has a year or day, or months without hours or seconds (then "m" is not minutes).
bool dateFormatCode(std::string_view code) {
  bool year = false, day = false, month = false, hour = false, second = false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == ';') break;
    if (c == '"') {
      const auto close = code.find('"', i + 1);
      if (close == std::string_view::npos) break;
      i = close;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;
    } else if (c == '[') {
      const auto close = code.find(']', i + 1);
      if (close == std::string_view::npos) break;
      i = close;
    } else {
      switch (c) {
        case 'y':
        case 'Y':
          year = true;
          break;
        case 'd':
        case 'D':
          day = true;
          break;
        case 'm':
        case 'M':
          month = true;
          break;
        case 'h':
        case 'H':
          hour = true;
          break;
        case 's':
        case 'S':
          second = true;
          break;
        default:
          break;
      }
    }
  }
  return year || day || (month && !hour && !second);
}

// Days since 1970-01-01 of a civil date and back (the proleptic Gregorian calendar), by eras of
// 400 years that start on 1 March, so that the leap day falls at the end of a year.
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  return CivilDate{static_cast<int>(y), static_cast<int>(m), static_cast<int>(d)};
}

bool parseRange(std::string_view ref, CellRange& out) {
  const auto colon = ref.find(':');
  const std::string_view a = ref.substr(0, colon);
  const std::string_view b = colon == std::string_view::npos ? a : ref.substr(colon + 1);
  if (!parseCellRef(a, out.firstRow, out.firstColumn)) return false;
  if (!parseCellRef(b, out.lastRow, out.lastColumn)) return false;
  if (out.lastRow < out.firstRow) std::swap(out.firstRow, out.lastRow);
  if (out.lastColumn < out.firstColumn) std::swap(out.firstColumn, out.lastColumn);
  return true;
}

}  // namespace

const Cell* Row::at(std::uint32_t column) const {
  const auto it = std::lower_bound(cells.begin(), cells.end(), column,
                                   [](const Cell& c, std::uint32_t col) { return c.column < col; });
  return it != cells.end() && it->column == column ? &*it : nullptr;
}

std::string CellRange::ref() const {
  return columnName(firstColumn) + std::to_string(firstRow) + ":" + columnName(lastColumn) +
         std::to_string(lastRow);
}

const CellRange* Sheet::mergedAt(std::uint32_t row, std::uint32_t column) const {
  for (const auto& m : merged)
    if (m.contains(row, column)) return &m;
  return nullptr;
}

std::string Sheet::cellName(std::uint32_t row, std::uint32_t column) const {
  bool plain = !name.empty();
  for (unsigned char c : name)
    if (!(std::isalnum(c) || c == '_' || c >= 0x80)) plain = false;
  std::string quoted = name;
  if (!plain) {
    quoted = "'";
    for (char c : name) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    quoted += "'";
  }
  return quoted + "!" + columnName(column) + std::to_string(row);
}

std::string CivilDate::iso() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

std::string columnName(std::uint32_t column) {
  std::string out;
  while (column > 0) {
    const std::uint32_t rem = (column - 1) % 26;
    out.insert(out.begin(), static_cast<char>('A' + rem));
    column = (column - 1) / 26;
  }
  return out;
}

bool parseCellRef(std::string_view ref, std::uint32_t& row, std::uint32_t& column) {
  std::size_t i = 0;
  std::uint64_t col = 0;
  if (i < ref.size() && ref[i] == '$') ++i;
  const std::size_t lettersStart = i;
  while (i < ref.size() && std::isalpha(static_cast<unsigned char>(ref[i])) &&
         i - lettersStart < 3) {
    col = col * 26 +
          static_cast<std::uint64_t>(std::toupper(static_cast<unsigned char>(ref[i])) - 'A' + 1);
    ++i;
  }
  if (i == lettersStart) return false;
  if (i < ref.size() && ref[i] == '$') ++i;
  const auto r = unsignedOf(ref.substr(i));
  if (!r || *r == 0 || *r > 1048576 || col > 16384) return false;
  row = static_cast<std::uint32_t>(*r);
  column = static_cast<std::uint32_t>(col);
  return true;
}

std::optional<CivilDate> dateFromSerial(double serial, bool date1904) {
  if (!std::isfinite(serial) || serial > 2958465.0 + 1) return std::nullopt;
  const auto days = static_cast<std::int64_t>(std::floor(serial));
  std::int64_t epoch = 0;
  if (date1904) {
    if (days < 0) return std::nullopt;
    epoch = daysFromCivil(1904, 1, 1);
  } else {
    // Serial 1 is 1900-01-01, and 60 the 29 February 1900 that the first spreadsheet programs
    // counted although 1900 was no leap year; from 61 on, serials are one day ahead.
    if (days < 1 || days == 60) return std::nullopt;
    epoch = days < 60 ? daysFromCivil(1899, 12, 31) : daysFromCivil(1899, 12, 30);
  }
  const CivilDate d = civilFromDays(epoch + days);
  if (d.year > 9999) return std::nullopt;
  return d;
}

Workbook::Workbook(ZipArchive zip, XlsxLimits limits) : zip_(std::move(zip)), limits_(limits) {}

Workbook Workbook::openFile(const std::filesystem::path& file, XlsxLimits limits) {
  Workbook wb(ZipArchive::openFile(file, limits.zip), limits);
  wb.readWorkbook();
  return wb;
}

Workbook Workbook::openMemory(std::string bytes, std::string what, XlsxLimits limits) {
  Workbook wb(ZipArchive::openMemory(std::move(bytes), std::move(what), limits.zip), limits);
  wb.readWorkbook();
  return wb;
}

void Workbook::readWorkbook() {
  const auto root = relationshipsOf(zip_, "", limits_);
  const std::string book = targetOfType(root, "/officeDocument").value_or("xl/workbook.xml");
  if (!zip_.contains(book))
    throw XlsxError("", "",
                    zip_.what() + ": not an XLSX workbook (the archive has no " + book +
                        "; an OpenDocument or older Excel file renamed to .xlsx?)",
                    kResave);
  {
    const std::string xml = zip_.read(book);
    XmlReader r(xml, book, limits_.maxXmlBytes, limits_.maxDepth);
    std::vector<std::string> ids;
    while (r.next()) {
      if (!r.isStart()) continue;
      if (r.name() == "workbookPr") {
        const std::string v = r.attribute("date1904").value_or("0");
        date1904_ = v == "1" || v == "true";
      } else if (r.name() == "sheet") {
        auto name = r.attribute("name");
        auto id = r.attribute("id");  // r:id
        if (!name || !id) r.fail("a <sheet> without a name or relationship id");
        sheetNames_.push_back(*name);
        ids.push_back(*id);
      }
    }
    const auto rels = relationshipsOf(zip_, book, limits_);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const auto it = rels.find(ids[i]);
      if (it == rels.end())
        throw XlsxError(sheetNames_[i], "",
                        zip_.what() + ": the sheet \"" + sheetNames_[i] +
                            "\" has no part in the workbook (relationship " + ids[i] + ")",
                        kResave);
      sheetParts_.push_back(it->second.target);
    }
    if (auto shared = targetOfType(rels, "/sharedStrings")) readSharedStrings(*shared);
    if (auto styles = targetOfType(rels, "/styles")) readStyles(*styles);
  }
  if (sheetNames_.empty())
    throw XlsxError("", "", zip_.what() + ": the workbook has no sheets", kResave);
}

void Workbook::readSharedStrings(const std::string& part) {
  if (!zip_.contains(part)) return;
  const std::string xml = zip_.read(part);
  XmlReader r(xml, part, limits_.maxXmlBytes, limits_.maxDepth);
  while (r.next()) {
    if (!r.isStart() || r.name() != "si") continue;
    if (shared_.size() >= limits_.maxCells)
      r.fail("more than " + std::to_string(limits_.maxCells) + " shared strings");
    // Plain (<t>) or rich text (runs <r><rPr/><t/></r>, joined); phonetic guides (<rPh>) are
    // reading aids, not the text.
    shared_.push_back(r.text("t", "rPh"));
  }
}

void Workbook::readStyles(const std::string& part) {
  if (!zip_.contains(part)) return;
  const std::string xml = zip_.read(part);
  XmlReader r(xml, part, limits_.maxXmlBytes, limits_.maxDepth);
  std::map<std::uint64_t, bool> customDate;  // numFmtId -> shows a date
  int cellXfsDepth = -1;
  while (r.next()) {
    if (r.isEnd()) {
      if (r.name() == "cellXfs") cellXfsDepth = -1;
      continue;
    }
    if (r.name() == "numFmt") {
      const auto id = unsignedOf(r.attribute("numFmtId").value_or(""));
      if (id) customDate[*id] = dateFormatCode(r.attribute("formatCode").value_or(""));
    } else if (r.name() == "cellXfs" && !r.isEmptyElement()) {
      cellXfsDepth = r.depth();
    } else if (r.name() == "xf" && cellXfsDepth >= 0 && r.depth() == cellXfsDepth + 1) {
      const auto id = unsignedOf(r.attribute("numFmtId").value_or("0")).value_or(0);
      const auto custom = customDate.find(id);
      dateStyle_.push_back(custom != customDate.end() ? custom->second : builtInDateFormat(id));
    }
  }
}

Sheet Workbook::sheet(std::string_view name) {
  for (std::size_t i = 0; i < sheetNames_.size(); ++i)
    if (sheetNames_[i] == name) return sheet(i);
  std::string names;
  for (const auto& n : sheetNames_) names += (names.empty() ? "\"" : ", \"") + n + "\"";
  throw XlsxError(std::string(name), "",
                  zip_.what() + ": the workbook has no sheet \"" + std::string(name) +
                      "\"; its sheets are " + names,
                  "Name one of the workbook's sheets, or rename the sheet.");
}

Sheet Workbook::sheet(std::size_t index) {
  if (index >= sheetNames_.size())
    throw std::out_of_range("sheet " + std::to_string(index + 1) + " of a workbook with " +
                            std::to_string(sheetNames_.size()));
  Sheet out;
  out.name = sheetNames_[index];
  const std::string& part = sheetParts_[index];
  if (!zip_.contains(part))
    throw XlsxError(
        out.name, "",
        zip_.what() + ": the part " + part + " of the sheet \"" + out.name + "\" is missing",
        kResave);
  const std::string xml = zip_.read(part);
  XmlReader r(xml, part, limits_.maxXmlBytes, limits_.maxDepth);
  const auto cellError = [&](std::uint32_t row, std::uint32_t col, const std::string& problem,
                             const std::string& fix) {
    return XlsxError(out.name, columnName(col) + std::to_string(row),
                     out.cellName(row, col) + ": " + problem, fix);
  };
  std::uint32_t rowNumber = 0;
  std::size_t cellCount = 0;
  Row* row = nullptr;
  std::uint32_t lastColumn = 0;
  while (r.next()) {
    if (!r.isStart()) continue;
    const std::string_view name = r.name();
    if (name == "row") {
      if (auto n = r.attribute("r")) {
        const auto v = unsignedOf(*n);
        if (!v || *v == 0 || *v > limits_.maxRows)
          throw XlsxError(out.name, "",
                          out.name + ": " + r.where() + "the row number \"" + *n +
                              "\" is not between 1 and " + std::to_string(limits_.maxRows),
                          kResave);
        rowNumber = static_cast<std::uint32_t>(*v);
      } else {
        ++rowNumber;
      }
      out.rows.push_back(Row{rowNumber, {}});
      row = &out.rows.back();
      lastColumn = 0;
      if (r.isEmptyElement()) row = nullptr;
    } else if (name == "c" && row != nullptr) {
      std::uint32_t col = lastColumn + 1;
      if (auto ref = r.attribute("r")) {
        std::uint32_t refRow = 0;
        if (!parseCellRef(*ref, refRow, col) || refRow != row->number)
          throw XlsxError(out.name, "",
                          out.name + ", row " + std::to_string(row->number) + ": the cell " +
                              "reference \"" + *ref + "\" is not a cell of this row (like B" +
                              std::to_string(row->number) + ")",
                          kResave);
      }
      if (col > limits_.maxColumns)
        throw cellError(row->number, col,
                        "past the last column allowed (" + columnName(limits_.maxColumns) + ")",
                        "Keep the data within the first columns.");
      lastColumn = col;
      const std::string type = r.attribute("t").value_or("n");
      const auto style = unsignedOf(r.attribute("s").value_or("0")).value_or(0);
      std::optional<std::string> value, inlineText;
      if (!r.isEmptyElement()) {
        const int depth = r.depth();
        while (r.next()) {
          if (r.isEnd()) {
            if (r.depth() == depth) break;
            continue;
          }
          if (r.name() == "v")
            value = r.text();
          else if (r.name() == "is")
            inlineText = r.text("t", "rPh");
          else if (r.name() == "f")
            r.text();  // the formula: its cached result is in <v>
        }
      }
      Cell cell;
      cell.column = col;
      if (type == "inlineStr") {
        if (!inlineText) continue;
        cell.text = *inlineText;
      } else {
        if (!value) continue;  // a formatted cell without a value
        if (type == "s") {
          const auto i = unsignedOf(*value);
          if (!i || *i >= shared_.size())
            throw cellError(row->number, col,
                            "the shared string \"" + *value +
                                "\" does not exist (the workbook has " +
                                std::to_string(shared_.size()) + ")",
                            kResave);
          cell.text = shared_[*i];
        } else if (type == "str") {
          cell.text = *value;
        } else if (type == "b") {
          if (*value != "0" && *value != "1")
            throw cellError(row->number, col, "the boolean \"" + *value + "\" is not 0 or 1",
                            kResave);
          cell.kind = CellKind::Boolean;
          cell.number = *value == "1" ? 1 : 0;
          cell.text = *value == "1" ? "TRUE" : "FALSE";
        } else if (type == "e") {
          cell.kind = CellKind::Error;
          cell.text = *value;
        } else if (type == "d") {
          cell.text = *value;  // an ISO 8601 date as text (strict OOXML)
        } else if (type == "n") {
          if (value->empty()) continue;
          double number = 0;
          const auto [end, ec] =
              std::from_chars(value->data(), value->data() + value->size(), number);
          if (ec != std::errc() || end != value->data() + value->size())
            throw cellError(row->number, col, "the number \"" + *value + "\" cannot be read",
                            kResave);
          cell.kind = CellKind::Number;
          cell.number = number;
          cell.text = *value;
          cell.date = style < dateStyle_.size() && dateStyle_[style];
        } else {
          throw cellError(row->number, col, "the cell type \"" + type + "\" is unknown", kResave);
        }
      }
      if (++cellCount > limits_.maxCells)
        throw XlsxError(
            out.name, "",
            out.name + ": more than " + std::to_string(limits_.maxCells) + " cells with a value",
            "Split the data into smaller sheets or workbooks.");
      if (!row->cells.empty() && row->cells.back().column >= col)
        throw cellError(row->number, col, "the cell comes twice or out of order", kResave);
      row->cells.push_back(std::move(cell));
    } else if (name == "mergeCell") {
      CellRange range;
      const std::string ref = r.attribute("ref").value_or("");
      if (!parseRange(ref, range))
        throw XlsxError(out.name, "",
                        out.name + ": " + r.where() + "the merged range \"" + ref +
                            "\" is not a range like A1:C1",
                        kResave);
      out.merged.push_back(range);
    }
  }
  // Rows without a value are left out, so that callers see only rows that say something.
  out.rows.erase(std::remove_if(out.rows.begin(), out.rows.end(),
                                [](const Row& x) { return x.cells.empty(); }),
                 out.rows.end());
  std::stable_sort(out.rows.begin(), out.rows.end(),
                   [](const Row& a, const Row& b) { return a.number < b.number; });
  return out;
}

CivilDate Workbook::date(const Sheet& sheet, std::uint32_t row, const Cell& cell) const {
  if (cell.kind == CellKind::Number) {
    if (auto d = dateFromSerial(cell.number, date1904_)) return *d;
  }
  throw XlsxError(sheet.name, columnName(cell.column) + std::to_string(row),
                  sheet.cellName(row, cell.column) + ": \"" + cell.text + "\" is not a date",
                  "Enter a date, formatted as a date, or as text dd.mm.yyyy or yyyy-mm-dd.");
}

}  // namespace ijro::tables
