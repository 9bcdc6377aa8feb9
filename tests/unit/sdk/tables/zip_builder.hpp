// Zip archives built by the tests with libzip itself: ordinary entries, a stream of zeros (a zip
// bomb generated at run time, never kept), names a careful writer would not use, encryption.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ijro::tables::test {

struct ZipSpec {
  std::string name;
  std::string content;
  std::uint64_t zeros = 0;  // when > 0: the entry is this many zero bytes instead of content
  bool encrypt = false;     // with a password (AES-256 or traditional PKWARE, whichever libzip has)
  bool store = false;       // stored, not deflated
};

// Writes the archive to `file` and returns its bytes. Throws std::runtime_error.
std::string buildZip(const std::filesystem::path& file, const std::vector<ZipSpec>& entries);

}  // namespace ijro::tables::test
