// What a file's content is, from its own bytes, so that a declared Content-Type can be checked
// against it: PDF ("%PDF-"), PNG (its 8-byte signature), JPEG (FF D8 FF), and the Office Open XML
// documents DOCX and XLSX. Those two are ZIP archives; the archive's central directory is read
// (names only, nothing is unpacked) and the document is recognised by its parts: the package's
// "[Content_Types].xml" plus "word/document.xml" (DOCX) or "xl/workbook.xml" (XLSX). The content
// of [Content_Types].xml itself is not parsed: a package that names those parts and is not what
// it claims is beyond what a type check is for.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace ijro::evidence {

inline constexpr const char* kPdf = "application/pdf";
inline constexpr const char* kPng = "image/png";
inline constexpr const char* kJpeg = "image/jpeg";
inline constexpr const char* kDocx =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
inline constexpr const char* kXlsx =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
inline constexpr const char* kZip = "application/zip";

struct DetectedType {
  std::string mediaType;    // one of the constants above, empty when not recognised
  std::string description;  // for messages: "a PDF document", "unrecognised content (...)"
};

// Reads the start of the file (and, for a ZIP archive, its central directory). Throws
// std::system_error when the file cannot be read.
DetectedType detectType(const std::filesystem::path& file);

// The media type of a Content-Type header value: lower case, without parameters.
std::string mediaTypeOf(std::string_view contentType);

}  // namespace ijro::evidence
