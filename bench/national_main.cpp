// Writes the national data set as one JSON status report per region, as the regional hubs or
// their sources would post it.
//   ijro-bench-national OUT-DIR [--factor F] [--seed S] [--as-of YYYY-MM-DD]
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "bench/national.hpp"
#include "hub/exchange/report.hpp"

int main(int argc, char** argv) {
  using namespace ijro;
  auto usage = [] {
    std::cerr << "usage: ijro-bench-national OUT-DIR [--factor F] [--seed S] [--as-of "
                 "YYYY-MM-DD]\n";
    return 2;
  };
  if (argc < 2) return usage();
  const std::filesystem::path out = argv[1];
  bench::NationalOptions options;
  for (int i = 2; i < argc; i += 2) {
    if (i + 1 >= argc) return usage();
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--factor") {
      options.factor = std::stod(value);
      if (!(options.factor > 0)) return usage();
    } else if (flag == "--seed") {
      options.seed = std::stoull(value);
    } else if (flag == "--as-of") {
      auto d = model::parseDate(value);
      if (!d) return usage();
      options.asOf = *d;
    } else {
      return usage();
    }
  }
  std::filesystem::create_directories(out);
  std::size_t total = 0;
  for (std::size_t r = 0; r < bench::nationalRegions().size(); ++r) {
    const auto records = bench::nationalRegion(options, r);
    const auto& code = bench::nationalRegions()[r];
    const auto path = out / ("report-" + code + ".json");
    std::ofstream(path, std::ios::binary) << exchange::writeReportJson("region-" + code, records);
    total += records.size();
  }
  std::cout << "wrote " << total << " implementations in " << bench::nationalRegions().size()
            << " reports to " << out.string() << "\n";
}
