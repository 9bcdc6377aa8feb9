// Builders of the test files described in evidence_files.hpp.
#include "evidence_files.hpp"

#include <cstdint>

namespace ijro::test {

namespace {

void put16(std::string& s, std::uint32_t v) {
  s += static_cast<char>(v & 0xff);
  s += static_cast<char>((v >> 8) & 0xff);
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xffff);
  put16(s, v >> 16);
}

}  // namespace

std::string pdfBytes(const std::string& text) {
  return "%PDF-1.7\n% " + text + "\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";
}

std::string pngBytes() {
  return std::string("\x89PNG\r\n\x1a\n", 8) + std::string("\0\0\0\rIHDR", 8) + "image data";
}

std::string jpegBytes() {
  return std::string("\xff\xd8\xff\xe0\0\x10JFIF\0", 11) + "image data";
}

std::string zipBytes(const std::vector<std::string>& names) {
  std::string out, directory;
  for (const auto& name : names) {
    const std::string content = "<part name=\"" + name + "\"/>";
    const auto offset = static_cast<std::uint32_t>(out.size());
    // local file header: signature, version, flags, method 0 (stored), time, date, crc (not
    // checked by the reader), sizes, name length, extra length
    out += "PK\x03\x04";
    put16(out, 20), put16(out, 0), put16(out, 0), put16(out, 0), put16(out, 0);
    put32(out, 0), put32(out, static_cast<std::uint32_t>(content.size()));
    put32(out, static_cast<std::uint32_t>(content.size()));
    put16(out, static_cast<std::uint32_t>(name.size())), put16(out, 0);
    out += name + content;
    // its central directory entry
    directory += "PK\x01\x02";
    put16(directory, 20), put16(directory, 20), put16(directory, 0), put16(directory, 0);
    put16(directory, 0), put16(directory, 0), put32(directory, 0);
    put32(directory, static_cast<std::uint32_t>(content.size()));
    put32(directory, static_cast<std::uint32_t>(content.size()));
    put16(directory, static_cast<std::uint32_t>(name.size())), put16(directory, 0);
    put16(directory, 0), put16(directory, 0), put16(directory, 0), put32(directory, 0);
    put32(directory, offset);
    directory += name;
  }
  const auto cdOffset = static_cast<std::uint32_t>(out.size());
  out += directory;
  out += "PK\x05\x06";
  put16(out, 0), put16(out, 0);
  put16(out, static_cast<std::uint32_t>(names.size()));
  put16(out, static_cast<std::uint32_t>(names.size()));
  put32(out, static_cast<std::uint32_t>(directory.size())), put32(out, cdOffset);
  put16(out, 0);
  return out;
}

std::string docxBytes() {
  return zipBytes({"[Content_Types].xml", "_rels/.rels", "word/document.xml"});
}

std::string xlsxBytes() {
  return zipBytes({"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"});
}

}  // namespace ijro::test
