// ISO 8601 UTC timestamps: the format, rounding down (before the epoch too) and agreement with
// the C library's gmtime_r + strftime, which the copies this replaced used.
#include "hub/base/timestamp.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <random>

namespace ijro::base {
namespace {

using namespace std::chrono;

TEST(Timestamp, SecondsAndMilliseconds) {
  const auto t = sys_days{2026y / 3 / 1} + 10h + 5min + 7s + 999ms;
  EXPECT_EQ(formatTimestamp(t), "2026-03-01T10:05:07Z");
  EXPECT_EQ(formatTimestampMillis(t), "2026-03-01T10:05:07.999Z");
  EXPECT_EQ(formatTimestampMillis(sys_days{2024y / 2 / 29} + 7ms), "2024-02-29T00:00:00.007Z");
  EXPECT_EQ(formatTimestamp(system_clock::time_point{}), "1970-01-01T00:00:00Z");
}

TEST(Timestamp, RoundsDownBeforeTheEpochToo) {
  const auto justBefore = system_clock::time_point{} - 1ms;
  EXPECT_EQ(formatTimestamp(justBefore), "1969-12-31T23:59:59Z");
  EXPECT_EQ(formatTimestampMillis(justBefore), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(formatTimestamp(sys_days{1900y / 1 / 1} + 1h + 500ms), "1900-01-01T01:00:00Z");
  EXPECT_EQ(formatTimestamp(sys_days{2100y / 12 / 31} + 23h + 59min + 59s + 999ms),
            "2100-12-31T23:59:59Z");
}

TEST(Timestamp, AgreesWithGmtimeAndStrftime) {
  std::mt19937_64 random(20260301);
  std::uniform_int_distribution<std::int64_t> seconds(0, 4102444800);  // 1970 .. 2100
  for (int i = 0; i < 2000; ++i) {
    const std::time_t s = seconds(random);
    std::tm tm{};
    ASSERT_NE(gmtime_r(&s, &tm), nullptr);
    char expected[32];
    std::strftime(expected, sizeof expected, "%Y-%m-%dT%H:%M:%SZ", &tm);
    EXPECT_EQ(formatTimestamp(system_clock::from_time_t(s) + 123ms), expected) << s;
  }
}

}  // namespace
}  // namespace ijro::base
