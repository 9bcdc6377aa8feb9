// ijro::sdk::Progress: rows done and rejected, rate, time left and how often it reports, on a
// clock the test moves.
#include <ijro_progress.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace {

using namespace std::chrono_literals;
using ijro::sdk::Progress;
using ::testing::ElementsAre;

struct Recorded {
  Progress::Clock::time_point now{};
  std::vector<std::string> lines;
  std::map<std::string, double> gauges;

  Progress make(std::optional<std::uint64_t> total, std::chrono::milliseconds every = 10s) {
    return Progress(
        "orgs.csv", total, every, [this] { return now; },
        [this](const std::string& l) { lines.push_back(l); },
        [this](const std::string& n, double v) { gauges[n] = v; }, "read_");
  }
};

TEST(SdkProgress, RateAndTimeLeftFromTheRowsAndTheClock) {
  Recorded r;
  Progress p = r.make(5000);
  r.now += 3s;
  p.done(1197);
  p.rejected(3);
  auto s = p.snapshot();
  EXPECT_EQ(s.done, 1197u);
  EXPECT_EQ(s.rejected, 3u);
  EXPECT_DOUBLE_EQ(s.elapsedSeconds, 3.0);
  EXPECT_DOUBLE_EQ(s.rowsPerSecond, 400.0);        // 1200 rows in 3 s
  EXPECT_DOUBLE_EQ(*s.secondsLeft, 3800 / 400.0);  // 3800 rows left at 400 rows/s
  EXPECT_DOUBLE_EQ(*s.percent, 24.0);
  EXPECT_EQ(Progress::describe("orgs.csv", s),
            "orgs.csv: 1200 of 5000 rows (24%), 3 rejected, 400 rows/s, about 10 s left");
}

TEST(SdkProgress, WithoutATotalThereIsNoTimeLeft) {
  Recorded r;
  Progress p = r.make(std::nullopt);
  EXPECT_DOUBLE_EQ(p.snapshot().rowsPerSecond, 0.0);  // no time has passed: no rate yet
  r.now += 2s;
  p.done(100);
  auto s = p.snapshot();
  EXPECT_DOUBLE_EQ(s.rowsPerSecond, 50.0);
  EXPECT_FALSE(s.secondsLeft);
  EXPECT_FALSE(s.percent);
  EXPECT_EQ(Progress::describe("feed", s), "feed: 100 rows, 0 rejected, 50 rows/s");
  p.setTotal(100);
  EXPECT_DOUBLE_EQ(*p.snapshot().secondsLeft, 0.0);  // all done
}

TEST(SdkProgress, ReportsAtMostOnceEveryIntervalAndAtTheEnd) {
  Recorded r;
  Progress p = r.make(1000, 10s);
  for (int i = 0; i < 9; ++i) {
    r.now += 1s;
    p.done(10);
  }
  EXPECT_TRUE(r.lines.empty());  // 9 s: not yet
  r.now += 1s;
  p.done(10);  // 10 s
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0], "orgs.csv: 100 of 1000 rows (10%), 0 rejected, 10 rows/s, about 90 s left");
  EXPECT_DOUBLE_EQ(r.gauges["read_rows_done"], 100);
  EXPECT_DOUBLE_EQ(r.gauges["read_rows_per_second"], 10);
  EXPECT_DOUBLE_EQ(r.gauges["read_seconds_left"], 90);
  r.now += 5s;
  p.rejected(50);
  EXPECT_EQ(r.lines.size(), 1u);  // 5 s after the last report
  p.finish();
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_DOUBLE_EQ(r.gauges["read_rows_rejected"], 50);
  EXPECT_EQ(p.reports(), 2u);
}

}  // namespace
