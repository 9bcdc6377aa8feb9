// Small evidence files for tests: a PDF, PNG and JPEG by their signatures, and ZIP archives laid
// out by hand (stored entries, a central directory), so DOCX and XLSX packages need no tool.
#pragma once

#include <string>
#include <vector>

namespace ijro::test {

std::string pdfBytes(const std::string& text = "evidence");
std::string pngBytes();
std::string jpegBytes();
// A ZIP archive holding these names (each with a little content), uncompressed.
std::string zipBytes(const std::vector<std::string>& names);
std::string docxBytes();  // [Content_Types].xml + word/document.xml
std::string xlsxBytes();  // [Content_Types].xml + xl/workbook.xml

}  // namespace ijro::test
