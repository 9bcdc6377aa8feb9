// How long to wait before the n-th retry: doubling from `min`, capped at `max`, and optionally
// spread at random over its upper half so that many clients that failed together do not retry
// together.
#pragma once

#include <chrono>
#include <cstdint>

namespace ijro::base {

// n = 1 for the first retry: min, 2*min, 4*min, ... never above max.
std::chrono::milliseconds backoffFor(int n, std::chrono::milliseconds min,
                                     std::chrono::milliseconds max);

// A delay in [d/2, d], drawn from `random` (any 64-bit value, e.g. from std::mt19937_64).
std::chrono::milliseconds jittered(std::chrono::milliseconds d, std::uint64_t random);

}  // namespace ijro::base
