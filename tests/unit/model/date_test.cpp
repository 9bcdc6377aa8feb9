// date.cpp and types.cpp: ISO dates, day arithmetic, enum names, deadline extensions.
#include "hub/model/date.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "hub/model/types.hpp"

namespace ijro::model {
namespace {

using namespace std::chrono;

Date ymd(int y, unsigned m, unsigned d) {
  return Date{year{y} / month{m} / day{d}};
}

TEST(ModelDate, ParsesStrictIsoDates) {
  EXPECT_EQ(parseDate("2026-03-01"), ymd(2026, 3, 1));
  EXPECT_EQ(parseDate("2020-10-05"), ymd(2020, 10, 5));
  EXPECT_EQ(parseDate("1970-01-01"), Date{});
  EXPECT_EQ(parseDate("2024-02-29"), ymd(2024, 2, 29));  // leap year
  EXPECT_EQ(parseDate("2000-02-29"), ymd(2000, 2, 29));  // divisible by 400
}

TEST(ModelDate, RejectsImpossibleDates) {
  EXPECT_FALSE(parseDate("2026-02-30"));
  EXPECT_FALSE(parseDate("2023-02-29"));
  EXPECT_FALSE(parseDate("1900-02-29"));  // divisible by 100, not 400
  EXPECT_FALSE(parseDate("2026-13-01"));
  EXPECT_FALSE(parseDate("2026-00-10"));
  EXPECT_FALSE(parseDate("2026-04-31"));
  EXPECT_FALSE(parseDate("2026-04-00"));
}

TEST(ModelDate, RejectsOtherShapes) {
  for (const char* s :
       {"", "2026-3-01", "2026-03-1", "26-03-01", "2026/03/01", "2026-03-01T00:00", " 2026-03-01",
        "2026-03-01 ", "2026-0a-01", "+026-03-01", "2026-03--1", "20260301", "2026-03-01Z"})
    EXPECT_FALSE(parseDate(s)) << '"' << s << '"';
}

TEST(ModelDate, FormatsWithZeroPadding) {
  EXPECT_EQ(formatDate(ymd(2026, 3, 1)), "2026-03-01");
  EXPECT_EQ(formatDate(ymd(999, 12, 31)), "0999-12-31");
  EXPECT_EQ(formatDate(Date{}), "1970-01-01");
  EXPECT_EQ(formatDate(ymd(0, 1, 9)), "0000-01-09");
  EXPECT_EQ(formatDate(ymd(9999, 10, 31)), "9999-10-31");
  EXPECT_EQ(formatDate(ymd(10000, 1, 1)), "10000-01-01");  // outside what a record may carry
}

TEST(ModelDate, FormatAndParseRoundTrip) {
  for (Date d = ymd(2023, 12, 1); d < ymd(2024, 4, 1); d += days{1})
    EXPECT_EQ(parseDate(formatDate(d)), d) << formatDate(d);
}

TEST(ModelDate, DaysBetweenIsSigned) {
  EXPECT_EQ(daysBetween(ymd(2026, 3, 1), ymd(2026, 3, 1)), 0);
  EXPECT_EQ(daysBetween(ymd(2026, 2, 28), ymd(2026, 3, 1)), 1);
  EXPECT_EQ(daysBetween(ymd(2024, 2, 28), ymd(2024, 3, 1)), 2);
  EXPECT_EQ(daysBetween(ymd(2026, 3, 1), ymd(2026, 2, 1)), -28);
  EXPECT_EQ(daysBetween(ymd(2026, 1, 1), ymd(2027, 1, 1)), 365);
}

TEST(ModelDate, TodayIsTheSystemClockDate) {
  auto before = floor<days>(system_clock::now());
  Date t = today();
  auto after = floor<days>(system_clock::now());
  EXPECT_LE(before, t);
  EXPECT_LE(t, after);
}

TEST(ModelTypes, LifecycleNamesRoundTrip) {
  for (auto v : {Lifecycle::Planned, Lifecycle::InProgress, Lifecycle::Completed,
                 Lifecycle::Cancelled, Lifecycle::Suspended})
    EXPECT_EQ(lifecycleFromString(toString(v)), v);
  EXPECT_STREQ(toString(Lifecycle::InProgress), "inProgress");
  EXPECT_FALSE(lifecycleFromString("InProgress"));
  EXPECT_FALSE(lifecycleFromString(""));
}

TEST(ModelTypes, ControlStatusNamesRoundTrip) {
  for (auto v : {ControlStatus::OnControl, ControlStatus::Submitted, ControlStatus::Returned,
                 ControlStatus::Verified, ControlStatus::Removed})
    EXPECT_EQ(controlStatusFromString(toString(v)), v);
  EXPECT_STREQ(toString(ControlStatus::OnControl), "onControl");
  EXPECT_FALSE(controlStatusFromString("on-control"));
}

TEST(ModelTypes, LastApprovedDeadlineIgnoresUnapprovedRequests) {
  Implementation impl;
  impl.deadline = ymd(2026, 3, 1);
  EXPECT_EQ(impl.lastApprovedDeadline(), ymd(2026, 3, 1));

  impl.deadlineChanges.push_back({ymd(2026, 3, 1), ymd(2026, 6, 1), "", std::nullopt, "asked"});
  EXPECT_FALSE(impl.deadlineChanges.back().approved());
  EXPECT_EQ(impl.lastApprovedDeadline(), ymd(2026, 3, 1));

  impl.deadlineChanges.push_back(DeadlineChange::decided(
      ymd(2026, 3, 1), ymd(2026, 5, 1), "Deputy minister", ymd(2026, 2, 20), "approved"));
  EXPECT_EQ(impl.lastApprovedDeadline(), ymd(2026, 5, 1));

  impl.deadlineChanges.push_back({ymd(2026, 5, 1), ymd(2026, 9, 1), "", std::nullopt, "again"});
  EXPECT_EQ(impl.lastApprovedDeadline(), ymd(2026, 5, 1));
}

TEST(ModelTypes, KeyIdentifiesSourceMeasureRegionOrganisation) {
  Implementation impl;
  impl.source = "health-portal";
  impl.measure.id = "DU2030-1.2.15";
  impl.region = "1703";
  impl.organisation = "Ministry of Health";
  impl.revision = 7;
  ImplementationKey expected{"health-portal", "DU2030-1.2.15", "1703", "Ministry of Health"};
  EXPECT_EQ(impl.key(), expected);
}

}  // namespace
}  // namespace ijro::model
