// The few file-system calls that make a stored piece of evidence durable, behind one small
// interface: the blob store goes through it for every fsync and rename, so a test can count and
// order them (an upload must fsync the file before the rename and the folder after it).
#pragma once

#include <filesystem>

namespace ijro::evidence {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // fsync(fd) of an open file; throws std::system_error naming `path` when it fails.
  virtual void syncFile(int fd, const std::filesystem::path& path);
  // rename(2): atomic within one file system; throws std::system_error.
  virtual void rename(const std::filesystem::path& from, const std::filesystem::path& to);
  // fsync of a folder, so that the names in it (a rename, a new sub-folder) survive power loss.
  virtual void syncFolder(const std::filesystem::path& folder);

  static FileSystem& real();  // the process's file system, as above
};

}  // namespace ijro::evidence
