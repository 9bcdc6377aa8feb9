// The real file-system calls behind FileSystem.
#include "hub/evidence/file_system.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

namespace ijro::evidence {

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

void FileSystem::syncFile(int fd, const std::filesystem::path& path) {
  if (::fsync(fd) != 0) fail("fsync " + path.string());
}

void FileSystem::rename(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0)
    fail("rename " + from.string() + " to " + to.string());
}

void FileSystem::syncFolder(const std::filesystem::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("open folder " + folder.string());
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  errno = err;
  if (rc != 0) fail("fsync folder " + folder.string());
}

FileSystem& FileSystem::real() {
  static FileSystem fs;
  return fs;
}

}  // namespace ijro::evidence
