#include "hub/export/format.hpp"

#include "hub/export/csv.hpp"
#include "hub/export/xlsx.hpp"

namespace ijro::exports {

std::optional<Format> formatFromString(std::string_view s) {
  if (s == "csv") return Format::Csv;
  if (s == "xlsx") return Format::Xlsx;
  return std::nullopt;
}

const char* toString(Format f) {
  return f == Format::Csv ? "csv" : "xlsx";
}

const char* contentType(Format f) {
  return f == Format::Csv ? "text/csv; charset=utf-8"
                          : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
}

std::string render(const Table& table, Format format) {
  return format == Format::Csv ? toCsv(table) : xlsxBytes(table);
}

}  // namespace ijro::exports
