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
#include "tests/fuzz/targets/scratch.hpp"

namespace {
std::string scratch;

void removeScratch() {
  if (!scratch.empty()) ::unlink(scratch.c_str());
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::string pattern = ijro::fuzz::scratchBase() + "/ijro-fuzz-config-XXXXXX";
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
