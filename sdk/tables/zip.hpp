// Reading zip archives (XLSX workbooks, OneRoster packages) from untrusted senders, with libzip.
//
// An archive is refused as a whole when it has more entries than allowed or an entry whose name
// could leave the folder it is unpacked into (zip slip): an absolute name, a drive letter, a
// backslash, a ".." part, a NUL. An entry is refused when it is encrypted, or while it is being
// expanded as soon as it passes the per-entry size, the total of everything expanded from the
// archive, or the expansion ratio (zip bomb); the declared sizes are not trusted, the bytes
// actually produced are counted. Every refusal is a TableError naming the entry and the limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tables/table_error.hpp"

namespace ijro::tables {

struct ZipLimits {
  std::uint64_t maxEntryBytes = 64ull << 20;   // one entry expanded
  std::uint64_t maxTotalBytes = 256ull << 20;  // everything read from one archive, expanded
  // Expanded bytes per compressed byte, checked once an entry has expanded past ratioFloorBytes
  // (small, very regular entries compress well and are harmless).
  std::uint64_t maxRatio = 200;
  std::uint64_t ratioFloorBytes = 1ull << 20;
  std::size_t maxEntries = 10000;
};

struct ZipEntry {
  std::string name;
  std::uint64_t size = 0;            // as declared in the archive (not trusted when reading)
  std::uint64_t compressedSize = 0;  // as declared
  bool encrypted = false;
  bool directory = false;  // the name ends in '/'
};

// A refusal by the zip reader. entry() is "" for the archive as a whole.
class ZipError : public TableError {
 public:
  ZipError(std::string entry, const std::string& problem, std::string fix)
      : TableError(problem, std::move(fix)), entry_(std::move(entry)) {}
  const std::string& entry() const { return entry_; }

 private:
  std::string entry_;
};

// Why an entry name is unsafe to unpack ("" when it is safe): the zip-slip check on its own.
std::string unsafeEntryName(std::string_view name);

class ZipArchive {
 public:
  // `what` names the archive in messages (a file name). Throw ZipError: not a zip archive, too
  // many entries, an unsafe entry name.
  static ZipArchive openFile(const std::filesystem::path& file, ZipLimits limits = {});
  static ZipArchive openMemory(std::string bytes, std::string what, ZipLimits limits = {});

  ZipArchive(ZipArchive&&) noexcept;
  ZipArchive& operator=(ZipArchive&&) noexcept;
  ~ZipArchive();

  const std::vector<ZipEntry>& entries() const { return entries_; }
  bool contains(std::string_view name) const;
  // The entry expanded, within the limits. Throws ZipError: no such entry, encrypted, a limit
  // passed, damaged data (a CRC mismatch).
  std::string read(std::string_view name);
  // Expanded bytes read from this archive so far (counted against maxTotalBytes).
  std::uint64_t expandedSoFar() const { return expanded_; }
  const std::string& what() const { return what_; }

 private:
  struct Handle;
  ZipArchive(std::unique_ptr<Handle> h, std::string what, ZipLimits limits);
  void list();

  std::unique_ptr<Handle> h_;
  std::string what_;
  ZipLimits limits_;
  std::vector<ZipEntry> entries_;
  std::uint64_t expanded_ = 0;
};

}  // namespace ijro::tables
