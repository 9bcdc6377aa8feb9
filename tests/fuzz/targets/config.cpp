// The hub's configuration file (hub/app/config.cpp): loadConfig on arbitrary bytes written to a
// scratch file, schema validation included, plugins not loaded. Every problem is a ConfigError.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "hub/app/config.hpp"

namespace {
std::string scratch;

void removeScratch() {
  if (!scratch.empty()) ::unlink(scratch.c_str());
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Written once per input: memory-backed /dev/shm when there is one, so the disk does not set
  // the pace.
  const char* tmp = std::getenv("TMPDIR");
  const std::string base = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm"
                           : tmp && *tmp                   ? tmp
                                                           : "/tmp";
  std::string pattern = base + "/ijro-fuzz-config-XXXXXX";
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) {
    std::perror("mkstemp");
    std::abort();
  }
  ::close(fd);
  scratch = pattern;
  std::atexit(removeScratch);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::ofstream out(scratch, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    (void)ijro::app::loadConfig(scratch, IJRO_FUZZ_SCHEMA_DIR, /*checkPlugins=*/false);
  } catch (const ijro::app::ConfigError&) {
  }
  return 0;
}
