#include "folder.hpp"

#include <fcntl.h>
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "text.hpp"

namespace ijro::file_drop {

namespace fs = std::filesystem;
using std::chrono::duration_cast;
using std::chrono::nanoseconds;

namespace {

// Modification times as Unix nanoseconds: readable in the checkpoint, and independent of the
// standard library's own file clock epoch.
std::int64_t toNs(fs::file_time_type t) {
  return duration_cast<nanoseconds>(std::chrono::file_clock::to_sys(t).time_since_epoch()).count();
}

fs::file_time_type fromNs(std::int64_t ns) {
  return std::chrono::file_clock::from_sys(std::chrono::sys_time<nanoseconds>(nanoseconds(ns)));
}

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

bool temporaryName(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.front() == '~' || name.back() == '~') return true;
  const std::string lower = lowerAscii(name);
  for (std::string_view suffix :
       {".tmp", ".part", ".partial", ".filepart", ".crdownload", ".swp", ".reason.txt"})
    if (endsWith(lower, suffix)) return true;
  return false;
}

Inbox::Inbox(fs::path dir, std::vector<std::string> patterns, std::chrono::milliseconds settle)
    : dir_(std::move(dir)), patterns_(std::move(patterns)), settle_(settle) {}

bool Inbox::matches(const std::string& name) const {
  for (const auto& p : patterns_)
    if (::fnmatch(p.c_str(), name.c_str(), FNM_CASEFOLD) == 0) return true;
  return false;
}

std::optional<FileId> Inbox::current(const std::string& name) const {
  std::error_code ec;
  const fs::path p = dir_ / name;
  const auto st = fs::status(p, ec);
  if (ec || !fs::is_regular_file(st)) return std::nullopt;
  FileId id{name, fs::file_size(p, ec), 0};
  if (ec) return std::nullopt;
  const auto t = fs::last_write_time(p, ec);
  if (ec) return std::nullopt;
  id.mtimeNs = toNs(t);
  return id;
}

std::vector<FileId> Inbox::settled() {
  const auto now = fs::file_time_type::clock::now();
  std::vector<FileId> out;
  std::map<std::string, Seen> seen;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    if (temporaryName(name) || !matches(name)) continue;
    auto id = current(name);
    if (!id) continue;  // a folder, or gone since the listing
    if (settle_.count() == 0) {
      out.push_back(*id);
      continue;
    }
    // Unchanged since its modification time, or since the plugin first saw it as it is now.
    fs::file_time_type since = std::min(fromNs(id->mtimeNs), now);
    if (auto it = seen_.find(name);
        it != seen_.end() && it->second.size == id->size && it->second.mtimeNs == id->mtimeNs)
      since = std::min(since, it->second.since);
    seen[name] = Seen{id->size, id->mtimeNs, since};
    if (now - since >= settle_) out.push_back(*id);
  }
  seen_ = std::move(seen);  // forget files that are gone
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

fs::path moveInto(const fs::path& file, const fs::path& folder) {
  fs::create_directories(folder);
  const std::string stem = file.stem().string(), ext = file.extension().string();
  fs::path target = folder / file.filename();
  for (int n = 1; fs::exists(target); ++n) target = folder / (stem + "." + std::to_string(n) + ext);
  std::error_code ec;
  fs::rename(file, target, ec);
  if (ec == std::errc::cross_device_link) {
    fs::copy_file(file, target);
    fs::remove(file);
  } else if (ec) {
    throw fs::filesystem_error("cannot move the file", file, target, ec);
  }
  return target;
}

void writeTextFile(const fs::path& file, const std::string& text) {
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

std::string readFile(const fs::path& file, std::uintmax_t maxBytes) {
  const std::uintmax_t size = fs::file_size(file);
  if (size > maxBytes)
    throw std::runtime_error("the file has " + std::to_string(size) + " bytes, more than " +
                             std::to_string(maxBytes) + " (option max_file_bytes)");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw std::runtime_error("cannot read " + file.string());
  std::string bytes = std::move(s).str();
  if (bytes.size() > maxBytes)
    throw std::runtime_error("the file grew beyond " + std::to_string(maxBytes) +
                             " bytes while it was read");
  return bytes;
}

std::int64_t unixSeconds(std::int64_t mtimeNs) {
  return std::chrono::floor<std::chrono::seconds>(nanoseconds(mtimeNs)).count();
}

std::string utcNow() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace ijro::file_drop
