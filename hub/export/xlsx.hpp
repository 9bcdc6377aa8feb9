// A table as an XLSX workbook (libxlsxwriter): one sheet named in the table's language, the
// header row bold and frozen, an autofilter over the table, column widths from the contents,
// dates as real dates (yyyy-mm-dd), whole numbers and numbers as numbers, shares as
// percentages, booleans as booleans, and each row filled in the colour of its RAG rating
// (green, amber, red; none: no fill).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "hub/export/table.hpp"

namespace ijro::exports {

// Writes the workbook to `file` (replacing it). libxlsxwriter's own temporary files go into the
// same folder. Throws std::runtime_error naming the file and the cause.
void writeXlsx(const Table& table, const std::filesystem::path& file);

// The workbook's bytes: written to a temporary file in `folder` (default: the system's
// temporary folder), read back and the file removed, also when writing fails.
std::string xlsxBytes(const Table& table, const std::filesystem::path& folder = {});

// The fill colours of RAG ratings (RGB), as spreadsheet programs use them for good, neutral and
// bad; 0 for none.
std::uint32_t ragFill(model::Rag rag);

}  // namespace ijro::exports
