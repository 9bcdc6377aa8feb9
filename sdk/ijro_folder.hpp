// ijro_folder.hpp: a watched folder for source plugins that read dropped files. Header-only
// C++17 over POSIX.
//
//   ijro::sdk::folder::Inbox inbox("/srv/drop/health", {"*.csv", "*.xml"}, 5s);
//   for (const auto& file : inbox.settled()) { ...read inbox.dir() / file.name... }
//   // once the hub has committed the poll that read them (the checkpoint names them):
//   for (const auto& m : inbox.moveCommitted(readByThatPoll, inbox.dir() / "processed")) ...
//   // a file that cannot be read at all:
//   ijro::sdk::folder::quarantine(inbox.dir() / name, inbox.dir() / "rejected", "line 3: ...");
//
// A file is settled when its size and modification time have not changed for the settle time:
// either its modification time is that old, or the Inbox saw the same size and time that long
// ago. Temporary names (.tmp, .part, hidden files ...) are never listed, so a writer that writes
// under such a name and renames when done is never read half-way, whatever the settle time.
// Moving read files away (processed/, rejected/) keeps the folder, and so a checkpoint that
// remembers what was read in it, small: the checkpoint needs to name only the files of the last
// poll, never every file ever seen.
//
// readFile reads only the folder's own regular files: a symbolic link dropped in the folder (to
// /etc/passwd, to a file only the hub's user may read) is not followed, and a FIFO or a device is
// not read. The listing does name a link to a regular file, so that a plugin can refuse it and
// move it aside with a reason, as the file_drop plugin does.
#pragma once

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "ijro_plugin.hpp"

namespace ijro::sdk::folder {

// A file as seen at one moment: its name in the folder, size and modification time.
struct FileId {
  std::string name;
  std::uintmax_t size = 0;
  std::int64_t mtimeNs = 0;  // modification time, Unix nanoseconds
  bool operator==(const FileId& o) const {
    return name == o.name && size == o.size && mtimeNs == o.mtimeNs;
  }
  bool operator!=(const FileId& o) const { return !(*this == o); }
};

// Names a writer uses while a file is incomplete, and files that are not data (a reason file
// written beside a quarantined one included).
inline bool temporaryName(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.front() == '~' || name.back() == '~') return true;
  std::string lower(name);
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  for (std::string_view suffix :
       {".tmp", ".part", ".partial", ".filepart", ".crdownload", ".swp", ".reason.txt"})
    if (lower.size() >= suffix.size() &&
        lower.compare(lower.size() - suffix.size(), suffix.size(), suffix) == 0)
      return true;
  return false;
}

// Now, as Unix nanoseconds (the clock of modification times).
inline std::int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class Inbox {
 public:
  // patterns: shell globs (case-insensitive), e.g. {"*.csv", "*.xml"}. now: the clock (tests).
  Inbox(std::filesystem::path dir, std::vector<std::string> patterns,
        std::chrono::milliseconds settle, std::int64_t (*now)() = &nowNs)
      : dir_(std::move(dir)), patterns_(std::move(patterns)), settle_(settle), now_(now) {}

  const std::filesystem::path& dir() const { return dir_; }

  // The settled files that match, sorted by name. Throws std::filesystem::filesystem_error when
  // the folder cannot be listed.
  std::vector<FileId> settled() {
    const std::int64_t now = now_();
    const std::int64_t settleNs =
        std::chrono::duration_cast<std::chrono::nanoseconds>(settle_).count();
    std::vector<FileId> out;
    std::map<std::string, Seen> seen;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      const std::string name = entry.path().filename().string();
      if (temporaryName(name) || !matches(name)) continue;
      auto id = current(name);
      if (!id) continue;  // a folder, or gone since the listing
      if (settleNs == 0) {
        out.push_back(*id);
        continue;
      }
      // Unchanged since its modification time, or since the Inbox first saw it as it is now.
      std::int64_t since = std::min(id->mtimeNs, now);
      if (auto it = seen_.find(name);
          it != seen_.end() && it->second.size == id->size && it->second.mtimeNs == id->mtimeNs)
        since = std::min(since, it->second.since);
      seen[name] = Seen{id->size, id->mtimeNs, since};
      if (now - since >= settleNs) out.push_back(*id);
    }
    seen_ = std::move(seen);  // forget files that are gone
    std::sort(out.begin(), out.end(),
              [](const FileId& a, const FileId& b) { return a.name < b.name; });
    return out;
  }

  // One file of a committed poll, and where moveCommitted put it: nullopt when it had changed or
  // gone since it was read (moved already, or a new file of the same name, to be read in turn).
  struct Moved {
    FileId file;
    std::optional<std::filesystem::path> to;
  };
  // Once the hub has committed the poll that read `files`: moves each of them that is still here
  // as it was read into `processed` (moveInto). Throws RetryLater naming the file and the folder
  // when a move fails, so the poll is tried again and nothing is read twice.
  std::vector<Moved> moveCommitted(const std::vector<FileId>& files,
                                   const std::filesystem::path& processed) const;

  // The file as it is now; nullopt when it is gone or not a regular file (or a link to one).
  std::optional<FileId> current(const std::string& name) const {
    struct stat st {};
    if (::stat((dir_ / name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    return FileId{
        name, static_cast<std::uintmax_t>(st.st_size),
        static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
  }

 private:
  struct Seen {
    std::uintmax_t size;
    std::int64_t mtimeNs;
    std::int64_t since;  // unchanged since then, Unix nanoseconds
  };
  bool matches(const std::string& name) const {
    for (const auto& p : patterns_)
      if (::fnmatch(p.c_str(), name.c_str(), FNM_CASEFOLD) == 0) return true;
    return false;
  }

  std::filesystem::path dir_;
  std::vector<std::string> patterns_;
  std::chrono::milliseconds settle_;
  std::int64_t (*now_)();
  std::map<std::string, Seen> seen_;
};

// Moves `file` into `folder` (created when missing) under its own name, or NAME.N.EXT when that
// is taken; across file systems by copy and delete. Returns the new path. Throws
// std::filesystem::filesystem_error.
inline std::filesystem::path moveInto(const std::filesystem::path& file,
                                      const std::filesystem::path& folder) {
  namespace fs = std::filesystem;
  fs::create_directories(folder);
  const std::string stem = file.stem().string(), ext = file.extension().string();
  fs::path target = folder / file.filename();
  std::error_code ec;
  // Taken: anything by that name, a symbolic link (dangling or not) included.
  for (int n = 1; fs::symlink_status(target, ec).type() != fs::file_type::not_found; ++n)
    target = folder / (stem + "." + std::to_string(n) + ext);
  fs::rename(file, target, ec);
  if (ec == std::errc::cross_device_link) {
    fs::copy_file(file, target);
    fs::remove(file);
  } else if (ec) {
    throw fs::filesystem_error("cannot move the file", file, target, ec);
  }
  return target;
}

inline std::vector<Inbox::Moved> Inbox::moveCommitted(
    const std::vector<FileId>& files, const std::filesystem::path& processed) const {
  std::vector<Moved> out;
  for (const FileId& file : files) {
    if (current(file.name) != file) {
      out.push_back(Moved{file, std::nullopt});
      continue;
    }
    try {
      out.push_back(Moved{file, moveInto(dir_ / file.name, processed)});
    } catch (const std::filesystem::filesystem_error& e) {
      throw RetryLater("cannot move " + (dir_ / file.name).string() + " (read and stored) to " +
                       processed.string() + ": " + e.code().message() +
                       "; fix the folder's permissions or the option \"processed_dir\"");
    }
  }
  return out;
}

// Writes a small text file whole (replacing it), flushed to disk. Throws std::runtime_error.
inline void writeTextFile(const std::filesystem::path& file, const std::string& text) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error("cannot create " + file.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!synced)
    throw std::runtime_error("cannot flush " + file.string() + ": " + std::strerror(err));
}

// Moves a file that cannot be read into `folder` (moveInto) and writes `reason` beside it as
// NAME.reason.txt, so whoever dropped it sees why. Returns the new path. Throws
// std::filesystem::filesystem_error (the move) or std::runtime_error (the reason file; the file
// is moved by then).
inline std::filesystem::path quarantine(const std::filesystem::path& file,
                                        const std::filesystem::path& folder,
                                        const std::string& reason) {
  const std::filesystem::path moved = moveInto(file, folder);
  writeTextFile(folder / (moved.filename().string() + ".reason.txt"), reason + "\n");
  return moved;
}

// Reads a whole regular file, at most maxBytes. A symbolic link is not followed, and a FIFO or a
// device is not read (O_NOFOLLOW, O_NONBLOCK, then fstat of what was opened). Throws
// std::runtime_error (not a regular file, too large, unreadable).
inline std::string readFile(const std::filesystem::path& file, std::uintmax_t maxBytes) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ELOOP)
      throw std::runtime_error(file.string() +
                               " is a symbolic link, which is not followed: drop the file itself");
    throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(err));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    throw std::runtime_error("cannot read " + file.string() + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    throw std::runtime_error(file.string() + " is not a regular file (a FIFO, a device or a " +
                             "folder): only regular files are read");
  const auto size = static_cast<std::uintmax_t>(st.st_size);
  if (size > maxBytes)
    throw std::runtime_error("the file has " + std::to_string(size) + " bytes, more than " +
                             std::to_string(maxBytes));
  std::string bytes;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      throw std::runtime_error("cannot read " + file.string() + ": " + std::strerror(errno));
    if (n == 0) break;
    if (bytes.size() + static_cast<std::size_t>(n) > maxBytes)
      throw std::runtime_error("the file grew beyond " + std::to_string(maxBytes) +
                               " bytes while it was read");
    bytes.append(buf, static_cast<std::size_t>(n));
  }
  return bytes;
}

// The modification time as Unix seconds (for the revision of rows without one).
inline std::int64_t unixSeconds(std::int64_t mtimeNs) {
  return mtimeNs >= 0 ? mtimeNs / 1'000'000'000 : -((-mtimeNs + 999'999'999) / 1'000'000'000);
}

// "2026-11-28T09:00:00Z"
inline std::string utcNow() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace ijro::sdk::folder
