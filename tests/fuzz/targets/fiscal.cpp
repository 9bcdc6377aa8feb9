// The tax-fiscal adapter's exports (adapters/tax-fiscal fiscal_export.cpp): the bytes as a file
// (JSON lines or XML; the first byte picks which), read, checked entry by entry into the state
// (registrations first, then receipts, as the plugin does), counted per region and written as
// records; the state survives serialize/parse. An unreadable file is a FileError.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "fiscal_export.hpp"
#include "tests/fuzz/targets/scratch.hpp"

namespace tf = ijro::tax_fiscal;

namespace {
std::string folder;

void removeFolder() {
  if (folder.empty()) return;
  ::unlink((folder + "/export.xml").c_str());
  ::unlink((folder + "/export.jsonl").c_str());
  ::rmdir(folder.c_str());
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::string pattern = ijro::fuzz::scratchBase() + "/ijro-fuzz-fiscal-XXXXXX";
  if (!::mkdtemp(pattern.data())) {
    std::perror("mkdtemp");
    std::abort();
  }
  folder = pattern;
  std::atexit(removeFolder);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string name = (data[0] & 1) ? "export.xml" : "export.jsonl";
  const std::string path = folder + "/" + name;
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data) + 1, static_cast<std::streamsize>(size - 1));
  }
  try {
    const tf::ExportFile file(path, name, 1u << 20);
    tf::State state;
    for (int pass = 0; pass < 2; ++pass) {
      tf::Intake intake(state, file);
      file.forEach([&](const tf::Entry& e) {
        const bool registration = e.problem.empty() && e.type == "registration";
        const bool receipt = e.problem.empty() && e.type == "receipt";
        if (pass == 0 && !registration && !receipt) {
          (void)tf::Intake::unreadable(e);
          return;
        }
        if ((pass == 0 && !registration) || (pass == 1 && !receipt)) return;
        (void)(registration ? intake.registration(e) : intake.receipt(e));
      });
    }
    state.asOf = file.asOf();
    state.generation = 1;
    tf::RecordSettings settings;
    settings.installed = {"UZ-KKM-1", "Registers installed", "2026-12-31"};
    settings.online = {"UZ-KKM-1", "Registers online", "2026-12-31"};
    settings.organisation = "Soliq";
    settings.actType = "resolution";
    settings.actNumber = "PQ-1";
    settings.actDate = "2026-01-01";
    settings.start = "2026-01-01";
    const auto counts = tf::countByRegion(state, *state.asOf, 86400);
    (void)tf::records(settings, counts, *state.asOf, 1);
    const std::string text = state.serialize();
    if (tf::State::parse(text, "state").serialize() != text) {
      std::fprintf(stderr, "the state does not survive serialize/parse\n");
      std::abort();
    }
  } catch (const tf::FileError&) {
  }
  return 0;
}
