// Content sniffing for evidence files: magic bytes, and for ZIP archives the part names in the
// central directory (read with bounds checks on every offset: the file is untrusted).
#include "hub/evidence/content_type.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <set>
#include <system_error>
#include <vector>

namespace ijro::evidence {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxEndRecordSearch = 22 + 0xffff;   // end record + the longest comment
constexpr std::uint64_t kMaxCentralDirectory = 16u << 20;  // more names than any document has

class File {
 public:
  explicit File(const fs::path& p) : path_(p), fd_(::open(p.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "open " + p.string());
    struct stat st {};
    if (::fstat(fd_, &st) != 0)
      throw std::system_error(errno, std::generic_category(), "stat " + p.string());
    size_ = static_cast<std::uint64_t>(st.st_size);
  }
  ~File() { ::close(fd_); }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  std::uint64_t size() const { return size_; }

  // Up to n bytes at offset (fewer at the end of the file).
  std::string read(std::uint64_t offset, std::size_t n) const {
    std::string out(n, '\0');
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd_, out.data() + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        throw std::system_error(errno, std::generic_category(), "read " + path_.string());
      }
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    out.resize(got);
    return out;
  }

 private:
  fs::path path_;
  int fd_;
  std::uint64_t size_ = 0;
};

std::uint32_t le16(const std::string& s, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 8;
}
std::uint32_t le32(const std::string& s, std::size_t at) {
  return le16(s, at) | le16(s, at + 2) << 16;
}

// The names in a ZIP archive's central directory; empty when it cannot be read (truncated,
// ZIP64, offsets outside the file).
std::set<std::string> zipNames(const File& f) {
  const std::uint64_t tailSize = std::min<std::uint64_t>(f.size(), kMaxEndRecordSearch);
  const std::string tail = f.read(f.size() - tailSize, static_cast<std::size_t>(tailSize));
  if (tail.size() < 22) return {};
  std::size_t end = std::string::npos;
  for (std::size_t i = tail.size() - 22 + 1; i-- > 0;) {
    if (tail.compare(i, 4, "PK\x05\x06") == 0) {
      end = i;
      break;
    }
  }
  if (end == std::string::npos) return {};
  const std::uint64_t cdSize = le32(tail, end + 12), cdOffset = le32(tail, end + 16);
  if (cdSize == 0xffffffffu || cdOffset == 0xffffffffu) return {};  // ZIP64: not inspected
  if (cdSize > kMaxCentralDirectory || cdOffset + cdSize > f.size()) return {};
  const std::string cd = f.read(cdOffset, static_cast<std::size_t>(cdSize));
  std::set<std::string> names;
  std::size_t at = 0;
  while (at + 46 <= cd.size() && cd.compare(at, 4, "PK\x01\x02") == 0) {
    const std::size_t nameLen = le16(cd, at + 28), extraLen = le16(cd, at + 30),
                      commentLen = le16(cd, at + 32);
    if (at + 46 + nameLen > cd.size()) break;
    names.insert(cd.substr(at + 46, nameLen));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

std::string hexBytes(const std::string& s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0) out += ' ';
    const auto b = static_cast<unsigned char>(s[i]);
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

}  // namespace

DetectedType detectType(const fs::path& file) {
  const File f(file);
  const std::string head = f.read(0, 8);
  if (head.starts_with("%PDF-")) return {kPdf, "a PDF document"};
  if (head == std::string("\x89PNG\r\n\x1a\n", 8)) return {kPng, "a PNG image"};
  if (head.starts_with("\xff\xd8\xff")) return {kJpeg, "a JPEG image"};
  if (head.starts_with("PK\x03\x04")) {
    const auto names = zipNames(f);
    if (names.count("[Content_Types].xml")) {
      if (names.count("word/document.xml")) return {kDocx, "a Word document (DOCX)"};
      if (names.count("xl/workbook.xml")) return {kXlsx, "an Excel workbook (XLSX)"};
    }
    return {kZip, "a ZIP archive that is neither a DOCX nor an XLSX document"};
  }
  if (head.empty()) return {"", "an empty file"};
  return {"", "unrecognised content (first bytes " + hexBytes(head) + ")"};
}

std::string mediaTypeOf(std::string_view contentType) {
  std::string m(contentType.substr(0, contentType.find(';')));
  while (!m.empty() && (m.back() == ' ' || m.back() == '\t')) m.pop_back();
  while (!m.empty() && (m.front() == ' ' || m.front() == '\t')) m.erase(m.begin());
  for (auto& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return m;
}

}  // namespace ijro::evidence
