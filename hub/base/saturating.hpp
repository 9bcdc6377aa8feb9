// Counter arithmetic that cannot overflow: a plugin's counter is an int64_t it adds any delta to,
// and a sum past the range of int64_t would be undefined behaviour in the hub. It stops at the
// limit instead, where any reader can see it is pinned.
#pragma once

#include <cstdint>
#include <limits>

namespace ijro::base {

constexpr std::int64_t saturatingAdd(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<std::int64_t>::max()
               : std::numeric_limits<std::int64_t>::min();
}

}  // namespace ijro::base
