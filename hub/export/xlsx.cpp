#include "hub/export/xlsx.hpp"

#include <stdlib.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace ijro::exports {

namespace {

// The width of a text in characters: UTF-8 code points (continuation bytes not counted).
std::size_t displayWidth(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

// The number format a column's cells take; empty for none.
const char* numberFormat(ColumnType type) {
  switch (type) {
    case ColumnType::Date:
      return "yyyy-mm-dd";
    case ColumnType::Percent:
      return "0.0%";
    case ColumnType::Integer:
      return "0";
    default:
      return "";
  }
}

// The formats of one workbook, made once per (column type, RAG rating) on first use.
class Formats {
 public:
  explicit Formats(lxw_workbook* wb) : wb_(wb) {}

  lxw_format* header() {
    if (!header_) {
      header_ = workbook_add_format(wb_);
      format_set_bold(header_);
      format_set_pattern(header_, LXW_PATTERN_SOLID);
      format_set_bg_color(header_, 0xD9D9D9);
      format_set_text_wrap(header_);
      format_set_align(header_, LXW_ALIGN_VERTICAL_TOP);
    }
    return header_;
  }

  lxw_format* cell(ColumnType type, model::Rag rag) {
    const std::string_view num = numberFormat(type);
    if (num.empty() && rag == model::Rag::None) return nullptr;
    auto& f = cells_[{num, rag}];
    if (!f) {
      f = workbook_add_format(wb_);
      if (!num.empty()) format_set_num_format(f, std::string(num).c_str());
      if (auto fill = ragFill(rag)) {
        format_set_pattern(f, LXW_PATTERN_SOLID);
        format_set_bg_color(f, fill);
      }
    }
    return f;
  }

 private:
  lxw_workbook* wb_;
  lxw_format* header_ = nullptr;
  std::map<std::pair<std::string_view, model::Rag>, lxw_format*> cells_;
};

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what, lxw_error err) {
  throw std::runtime_error("XLSX export " + file.string() + ": " + what + ": " + lxw_strerror(err) +
                           " (check that the folder exists, is writable and has free space)");
}

// Writes one cell; the text of a cell goes in as a string, never as a formula.
lxw_error writeCell(lxw_worksheet* ws, lxw_row_t r, lxw_col_t c, const Cell& cell, lxw_format* f) {
  struct Visitor {
    lxw_worksheet* ws;
    lxw_row_t r;
    lxw_col_t c;
    lxw_format* f;
    lxw_error operator()(std::monostate) const {
      return f ? worksheet_write_blank(ws, r, c, f) : LXW_NO_ERROR;
    }
    lxw_error operator()(const std::string& s) const {
      return worksheet_write_string(ws, r, c, s.c_str(), f);
    }
    lxw_error operator()(std::int64_t n) const {
      return worksheet_write_number(ws, r, c, static_cast<double>(n), f);
    }
    lxw_error operator()(double v) const { return worksheet_write_number(ws, r, c, v, f); }
    lxw_error operator()(model::Date d) const {
      const std::chrono::year_month_day ymd{d};
      lxw_datetime dt{static_cast<int>(ymd.year()),
                      static_cast<int>(static_cast<unsigned>(ymd.month())),
                      static_cast<int>(static_cast<unsigned>(ymd.day())),
                      0,
                      0,
                      0.0};
      return worksheet_write_datetime(ws, r, c, &dt, f);
    }
    lxw_error operator()(bool b) const { return worksheet_write_boolean(ws, r, c, b ? 1 : 0, f); }
  };
  return std::visit(Visitor{ws, r, c, f}, cell);
}

}  // namespace

std::uint32_t ragFill(model::Rag rag) {
  switch (rag) {
    case model::Rag::Green:
      return 0xC6EFCE;
    case model::Rag::Amber:
      return 0xFFEB9C;
    case model::Rag::Red:
      return 0xFFC7CE;
    case model::Rag::None:
      return 0;
  }
  return 0;
}

void writeXlsx(const Table& table, const std::filesystem::path& file) {
  const std::string name = file.string();
  std::string tmpdir = file.has_parent_path() ? file.parent_path().string() : ".";
  // Constant memory: rows go to a temporary file in `tmpdir` as they are written (in order), so
  // the workbook costs little beside the table itself; texts are then written inline.
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  options.tmpdir = tmpdir.data();
  lxw_workbook* wb = workbook_new_opt(name.c_str(), &options);
  if (!wb) fail(file, "cannot start the workbook", LXW_ERROR_CREATING_XLSX_FILE);
  // From here the workbook is always closed (which frees it), also when a write fails.
  lxw_error err = LXW_NO_ERROR;
  std::string what;
  auto failed = [&](lxw_error e, auto describe) {
    if (e == LXW_NO_ERROR) return false;
    err = e;
    what = describe();
    return true;
  };
  const std::string sheet =
      workbook_validate_sheet_name(wb, table.sheetName.c_str()) == LXW_NO_ERROR ? table.sheetName
                                                                                : "Sheet1";
  lxw_worksheet* ws = workbook_add_worksheet(wb, sheet.c_str());
  if (!ws) failed(LXW_ERROR_MEMORY_MALLOC_FAILED, [] { return "cannot add the sheet"; });
  Formats formats(wb);

  // Widths from the header and the texts (dates take 10 characters), with room for the filter
  // button, from 8 to at most 60 characters.
  std::vector<std::size_t> widths(table.columns.size(), 0);
  for (std::size_t c = 0; c < table.columns.size(); ++c)
    widths[c] = displayWidth(table.columns[c].header);
  for (const auto& row : table.rows)
    for (std::size_t c = 0; c < row.cells.size() && c < widths.size(); ++c) {
      if (const auto* text = std::get_if<std::string>(&row.cells[c]))
        widths[c] = std::max(widths[c], displayWidth(*text));
      else if (std::holds_alternative<model::Date>(row.cells[c]))
        widths[c] = std::max<std::size_t>(widths[c], 10);
    }
  for (std::size_t c = 0; ws && !err && c < widths.size(); ++c) {
    const double width = static_cast<double>(std::clamp<std::size_t>(widths[c] + 3, 8, 60));
    failed(worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), width,
                                nullptr),
           [] { return "cannot set the column widths"; });
  }
  if (ws && !err && !table.columns.empty()) {
    worksheet_freeze_panes(ws, 1, 0);
    failed(worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(table.rows.size()),
                                static_cast<lxw_col_t>(table.columns.size() - 1)),
           [] { return "cannot set the autofilter"; });
  }
  for (std::size_t c = 0; ws && !err && c < table.columns.size(); ++c)
    failed(worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), table.columns[c].header.c_str(),
                                  formats.header()),
           [] { return "cannot write the header row"; });
  for (std::size_t r = 0; ws && !err && r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    for (std::size_t c = 0; !err && c < row.cells.size() && c < widths.size(); ++c)
      failed(writeCell(ws, static_cast<lxw_row_t>(r + 1), static_cast<lxw_col_t>(c), row.cells[c],
                       formats.cell(table.columns[c].type, row.rag)),
             [&] { return "cannot write row " + std::to_string(r + 2); });
  }
  const lxw_error closed = workbook_close(wb);
  if (err != LXW_NO_ERROR) fail(file, what, err);
  if (closed != LXW_NO_ERROR) fail(file, "cannot write the file", closed);
}

std::string xlsxBytes(const Table& table, const std::filesystem::path& folder) {
  const auto dir = folder.empty() ? std::filesystem::temp_directory_path() : folder;
  std::string path = (dir / "ijro-export-XXXXXX.xlsx").string();
  const int fd = ::mkstemps(path.data(), 5);
  if (fd < 0)
    throw std::runtime_error("XLSX export: cannot make a temporary file in " + dir.string() +
                             ": check that the folder exists and is writable");
  ::close(fd);
  // The temporary file goes whatever happens below.
  struct Remove {
    std::string path;
    ~Remove() {
      std::error_code ec;
      std::filesystem::remove(path, ec);
    }
  } remove{path};
  writeXlsx(table, path);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in.good() && !in.eof()) throw std::runtime_error("XLSX export: cannot read back " + path);
  return std::move(bytes).str();
}

}  // namespace ijro::exports
