#include "hub/base/backoff.hpp"

#include <algorithm>

namespace ijro::base {

std::chrono::milliseconds backoffFor(int n, std::chrono::milliseconds min,
                                     std::chrono::milliseconds max) {
  if (min.count() <= 0) min = std::chrono::milliseconds(1);
  if (max < min) max = min;
  auto d = min;
  for (int i = 1; i < n && d < max; ++i) d *= 2;
  return std::min(d, max);
}

std::chrono::milliseconds jittered(std::chrono::milliseconds d, std::uint64_t random) {
  if (d.count() <= 1) return d;
  const auto half = d.count() / 2;
  const auto spread = static_cast<std::uint64_t>(d.count() - half) + 1;
  return std::chrono::milliseconds(half + static_cast<std::int64_t>(random % spread));
}

}  // namespace ijro::base
