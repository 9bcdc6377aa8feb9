// The file formats of the export tables, and a table written in one of them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hub/export/table.hpp"

namespace ijro::exports {

// CSV (csv.hpp) and XLSX (xlsx.hpp). The IATI and ADX documents are written from the store by
// iati.hpp and adx.hpp, not from a table.
enum class Format { Csv, Xlsx };
std::optional<Format> formatFromString(std::string_view s);  // "csv" | "xlsx"
const char* toString(Format f);                              // also the file name's extension
const char* contentType(Format f);
// The table written in `format`: CSV text or the bytes of an XLSX workbook.
std::string render(const Table& table, Format format);

}  // namespace ijro::exports
