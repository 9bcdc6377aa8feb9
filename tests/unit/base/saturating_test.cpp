// Saturating counter addition: exact inside the range, pinned at its ends.
#include "hub/base/saturating.hpp"

#include <gtest/gtest.h>

namespace ijro::base {
namespace {

constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
static_assert(saturatingAdd(2, 3) == 5);

TEST(Saturating, ExactInsideTheRange) {
  EXPECT_EQ(saturatingAdd(40, 2), 42);
  EXPECT_EQ(saturatingAdd(-5, 3), -2);
  EXPECT_EQ(saturatingAdd(kMax, 0), kMax);
  EXPECT_EQ(saturatingAdd(kMax, kMin), -1);
}

TEST(Saturating, PinnedAtTheEnds) {
  EXPECT_EQ(saturatingAdd(kMax, 1), kMax);
  EXPECT_EQ(saturatingAdd(kMax, kMax), kMax);
  EXPECT_EQ(saturatingAdd(kMin, -1), kMin);
  EXPECT_EQ(saturatingAdd(kMin, kMin), kMin);
}

}  // namespace
}  // namespace ijro::base
