// The watched folder: which files are ready to read (settled), and moving files aside.
//
// A file is settled when its size and modification time have not changed for the settle time:
// either its modification time is that old, or the plugin saw the same size and time that long
// ago. Temporary names (.tmp, .part, hidden files ...) are never read, so a writer that writes
// under such a name and renames when done is never read half-way, whatever the settle time.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ijro::file_drop {

// A file as seen at one moment: its name in the folder, size and modification time.
struct FileId {
  std::string name;
  std::uintmax_t size = 0;
  std::int64_t mtimeNs = 0;  // modification time, Unix nanoseconds
  bool operator==(const FileId&) const = default;
};

// Names a writer uses while a file is incomplete, and files that are not data.
bool temporaryName(std::string_view name);

class Inbox {
 public:
  // patterns: shell globs (case-insensitive), e.g. {"*.csv", "*.xml"}.
  Inbox(std::filesystem::path dir, std::vector<std::string> patterns,
        std::chrono::milliseconds settle);

  const std::filesystem::path& dir() const { return dir_; }
  // The settled files that match, sorted by name. Throws std::filesystem::filesystem_error when
  // the folder cannot be listed.
  std::vector<FileId> settled();
  // The file as it is now; nullopt when it is gone or not a regular file.
  std::optional<FileId> current(const std::string& name) const;

 private:
  struct Seen {
    std::uintmax_t size;
    std::int64_t mtimeNs;
    std::filesystem::file_time_type since;  // unchanged since then
  };
  bool matches(const std::string& name) const;

  std::filesystem::path dir_;
  std::vector<std::string> patterns_;
  std::chrono::milliseconds settle_;
  std::map<std::string, Seen> seen_;
};

// Moves `file` into `folder` (created when missing) under its own name, or NAME.N.EXT when that
// is taken; across file systems by copy and delete. Returns the new path. Throws
// std::filesystem::filesystem_error.
std::filesystem::path moveInto(const std::filesystem::path& file,
                               const std::filesystem::path& folder);

// Writes a small text file whole (replacing it), flushed to disk. Throws std::runtime_error.
void writeTextFile(const std::filesystem::path& file, const std::string& text);

// Reads a whole file, at most maxBytes. Throws std::runtime_error (too large, unreadable).
std::string readFile(const std::filesystem::path& file, std::uintmax_t maxBytes);

// The modification time as Unix seconds (for the revision of rows without one).
std::int64_t unixSeconds(std::int64_t mtimeNs);

// "2026-11-28T09:00:00Z"
std::string utcNow();

}  // namespace ijro::file_drop
