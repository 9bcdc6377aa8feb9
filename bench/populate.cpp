// Fills a store with N lean implementations (no indicators or children) for the roll-up
// benchmark: deadlines, starts and completions spread so every execution status occurs.
//   ijro-bench-populate STORE-URL N
#include <chrono>
#include <cstdlib>
#include <iostream>

#include "hub/model/date.hpp"
#include "hub/store/store.hpp"

int main(int argc, char** argv) {
  using namespace ijro;
  if (argc != 3) {
    std::cerr << "usage: ijro-bench-populate STORE-URL N\n";
    return 2;
  }
  const long total = std::atol(argv[2]);
  auto store = store::Store::open(argv[1], 1);
  static const char* kRegions[] = {"1703", "1706", "1708", "1710", "1712", "1714", "1718",
                                   "1722", "1724", "1726", "1727", "1730", "1733", "1735"};
  static const char* kSectors[] = {"health",       "education", "tax",
                                   "construction", "banking",   "other"};
  const auto base = *model::parseDate("2026-01-01");
  const auto started = std::chrono::steady_clock::now();
  constexpr long kBatch = 5000;
  std::vector<model::Implementation> batch;
  for (long first = 0; first < total; first += kBatch) {
    batch.clear();
    for (long n = first; n < std::min(total, first + kBatch); ++n) {
      model::Implementation m;
      m.source = "bench";
      m.measure.id = "R-" + std::to_string(n / 14);
      m.measure.title = "Measure " + std::to_string(n / 14);
      m.measure.act = {"decree", "UP-6079", *model::parseDate("2020-10-05"), ""};
      m.region = kRegions[n % 14];
      m.organisation = "Organisation " + std::to_string(n % 97);
      m.sector = kSectors[n % 6];
      m.revision = 1;
      m.start = base + std::chrono::days(n % 200);
      m.deadline = m.start + std::chrono::days(60 + n % 400);
      switch (n % 10) {
        case 0:
          m.lifecycle = model::Lifecycle::Cancelled;
          break;
        case 1:
          m.lifecycle = model::Lifecycle::Suspended;
          break;
        case 2:
        case 3:
          m.lifecycle = model::Lifecycle::Completed;
          m.completed = m.deadline + std::chrono::days(n % 3 == 0 ? 5 : -5);
          break;
        default:
          m.lifecycle = model::Lifecycle::InProgress;
      }
      batch.push_back(std::move(m));
    }
    store->upsert(batch, std::chrono::system_clock::now());
  }
  const double s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "populated " << total << " implementations in " << s << " s (" << total / s
            << " records/s)\n";
}
