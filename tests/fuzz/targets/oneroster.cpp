// OneRoster 1.1 CSV packages as the education-oneroster adapter reads them (adapters/
// education-oneroster roster.cpp): the bytes as a zip archive (sdk/tables zip limits), applied to
// a roster that already holds a bulk package's rows, then summarized; the roster survives
// serialize/parse. A package that cannot be applied is a PackageError or a TableError, and
// leaves the roster unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>

#include "roster.hpp"
#include "tables/zip.hpp"

namespace ro = ijro::oneroster;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ijro::tables::ZipLimits limits;
  limits.maxTotalBytes = 8u << 20;
  limits.maxEntryBytes = 4u << 20;
  ro::Roster roster;
  roster.orgs["org-1"] = {"school", "ID-1", ""};
  const ro::Roster before = roster;
  try {
    auto zip = ijro::tables::ZipArchive::openMemory(
        std::string(reinterpret_cast<const char*>(data), size), "fuzz.zip", limits);
    try {
      (void)ro::applyPackage(zip, "fuzz.zip", roster);
    } catch (const std::runtime_error& e) {
      if (!dynamic_cast<const ro::PackageError*>(&e) &&
          !dynamic_cast<const ijro::tables::TableError*>(&e))
        throw;
      if (!(roster == before)) {
        std::fprintf(stderr, "a refused package changed the roster\n");
        std::abort();
      }
    }
  } catch (const ijro::tables::TableError&) {
  }
  (void)ro::summarize(roster, {{"org-1", "1703"}});
  const std::string text = roster.serialize();
  if (!(ro::Roster::parse(text, "state") == roster)) {
    std::fprintf(stderr, "the roster does not survive serialize/parse\n");
    std::abort();
  }
  return 0;
}
