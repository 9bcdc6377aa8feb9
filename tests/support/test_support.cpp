#include "tests/support/test_support.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ijro::test {

namespace {
std::filesystem::path fromEnv(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v)
    throw std::runtime_error(std::string(name) + " is not set: run the tests through ctest");
  return v;
}
}  // namespace

std::filesystem::path sourceDir() {
  return fromEnv("IJRO_SOURCE_DIR");
}
std::filesystem::path binaryDir() {
  return fromEnv("IJRO_BINARY_DIR");
}

std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string postgresUrl() {
  auto file = fromEnv("IJRO_TEST_PG_URL_FILE");
  std::ifstream in(file);
  std::string url;
  if (!in || !std::getline(in, url) || url.empty())
    throw std::runtime_error("PostgreSQL test cluster is not running (no URL in " + file.string() +
                             "): the pg_start fixture must run first; see tests/pg/pg.sh");
  return url;
}

std::filesystem::path tempDir(const std::string& hint) {
  static std::atomic<int> n{0};
  auto dir =
      binaryDir() / "tmp" / (hint + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace ijro::test
