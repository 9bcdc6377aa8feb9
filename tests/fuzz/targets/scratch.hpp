// Where a fuzz target writes the file or folder it needs once per input: memory-backed /dev/shm
// when there is one, so the disk does not set the pace; else $TMPDIR or /tmp.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace ijro::fuzz {

inline std::string scratchBase() {
  if (::access("/dev/shm", W_OK) == 0) return "/dev/shm";
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

}  // namespace ijro::fuzz
