// Indicator rules: actuals derived from numerator and denominator and the errors around them,
// merge mode by period, the outside-work flag, breakdown rules and one indicator per code.
#include "hub/model/indicators.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hub/model/status.hpp"
#include "hub/model/validate.hpp"

namespace ijro::model {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Date date(const char* s) {
  return parseDate(s).value();
}

const Date kToday = date("2026-04-15");

IndicatorPeriod period(const char* start, const char* end) {
  IndicatorPeriod p;
  p.start = date(start);
  p.end = date(end);
  return p;
}

// A valid record with one proportion indicator in "%".
Implementation record() {
  Implementation impl;
  impl.source = "health";
  impl.measure = {"DU2030-3.1", "Vaccinate children", {"decree", "UP-60", date("2022-01-28"), ""}};
  impl.region = "1703";
  impl.organisation = "Ministry of Health";
  impl.sector = "health";
  impl.revision = 1;
  impl.lifecycle = Lifecycle::InProgress;
  impl.start = date("2026-01-01");
  impl.deadline = date("2026-12-31");
  Indicator vacc{"vacc", "children vaccinated", "%", true, 0, {}};
  auto q1 = period("2026-01-01", "2026-03-31");
  q1.target = 80;
  q1.numerator = 45;
  q1.denominator = 60;
  vacc.periods.push_back(q1);
  impl.indicators.push_back(vacc);
  return impl;
}

std::vector<std::string> check(const Implementation& impl) {
  return validate(impl, SectorCatalogue{}, kToday);
}

TEST(ModelIndicators, RatioIsTimes100OnlyForPercent) {
  EXPECT_DOUBLE_EQ(*ratioOf(45, 60, "%"), 75);
  EXPECT_DOUBLE_EQ(*ratioOf(45, 60, "share"), 0.75);
  EXPECT_DOUBLE_EQ(*ratioOf(45, 60, ""), 0.75);
  EXPECT_FALSE(ratioOf(45, 0, "%"));
  EXPECT_FALSE(ratioOf(std::nullopt, 60, "%"));
  EXPECT_FALSE(ratioOf(45, std::nullopt, "%"));
}

TEST(ModelIndicators, ActualDerivedWhenMissingForPeriodsAndBreakdowns) {
  auto impl = record();
  auto& p = impl.indicators[0].periods[0];
  p.breakdowns.push_back({"sex", "female", std::nullopt, std::nullopt, 20, 25});
  p.breakdowns.push_back({"sex", "male", std::nullopt, 50, 25, 35});  // given: kept
  deriveActuals(impl);
  EXPECT_DOUBLE_EQ(*p.actual, 75);
  EXPECT_DOUBLE_EQ(*p.breakdowns[0].actual, 80);
  EXPECT_DOUBLE_EQ(*p.breakdowns[1].actual, 50);
  EXPECT_THAT(check(impl),
              ElementsAre(AllOf(HasSubstr("indicators[0] (vacc).periods[0].breakdowns[1].actual 50 "
                                          "does not match numerator 25 / denominator 35"),
                                HasSubstr("x100 for unit \"%\""))));
}

TEST(ModelIndicators, ActualNotDerivedFromAZeroDenominator) {
  auto impl = record();
  impl.indicators[0].periods[0].denominator = 0;
  deriveActuals(impl);
  EXPECT_FALSE(impl.indicators[0].periods[0].actual);
  EXPECT_THAT(check(impl),
              ElementsAre(AllOf(HasSubstr("indicators[0] (vacc).periods[0].denominator 0 is 0"),
                                HasSubstr("above 0"))));
}

TEST(ModelIndicators, NumeratorAboveDenominatorIsAnErrorForPercent) {
  auto impl = record();
  impl.indicators[0].periods[0].numerator = 61;
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("indicators[0] (vacc).periods[0].numerator 61 is above the "
                                    "denominator 60 of an indicator in \"%\"")));
  impl.indicators[0].unit = "visits per doctor";  // a rate may exceed 1
  EXPECT_THAT(check(impl), IsEmpty());
}

TEST(ModelIndicators, NegativeCountsAreErrors) {
  auto impl = record();
  impl.indicators[0].periods[0].numerator = -1;
  impl.indicators[0].periods[0].denominator = -60;
  EXPECT_THAT(check(impl), ElementsAre(HasSubstr(".periods[0].numerator -1 is negative"),
                                       HasSubstr(".periods[0].denominator -60 is negative")));
}

TEST(ModelIndicators, ActualGivenWithBothMustMatch) {
  auto impl = record();
  impl.indicators[0].periods[0].actual = 75;
  EXPECT_THAT(check(impl), IsEmpty());
  impl.indicators[0].periods[0].actual = 75.004;  // rounded: still matches
  EXPECT_THAT(check(impl), IsEmpty());
  impl.indicators[0].periods[0].actual = 0.75;  // a fraction where "%" wants 75
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("indicators[0] (vacc).periods[0].actual 0.75 does not match "
                                    "numerator 45 / denominator 60 = 75")));
}

TEST(ModelIndicators, TwoIndicatorsWithOneCodeAreRefusedNamingBothAndTheRule) {
  auto impl = record();
  impl.indicators.push_back(impl.indicators[0]);
  impl.indicators[1].name = "children vaccinated, girls";
  EXPECT_THAT(check(impl),
              ElementsAre(AllOf(HasSubstr("indicators[1].code 'vacc' repeats indicators[0].code"),
                                HasSubstr("one indicator per code"), HasSubstr("breakdowns"))));
}

TEST(ModelIndicators, BreakdownNeedsDimensionAndCategoryOncePerPeriod) {
  auto impl = record();
  auto& p = impl.indicators[0].periods[0];
  p.breakdowns.push_back({"sex", "female", std::nullopt, 40});
  p.breakdowns.push_back({"ageGroup", "15-24", std::nullopt, 40});
  EXPECT_THAT(check(impl), IsEmpty());
  p.breakdowns.push_back({"sex", "female", std::nullopt, 41});
  p.breakdowns.push_back({"", " ", std::nullopt, 1});
  EXPECT_THAT(check(impl),
              ElementsAre(AllOf(HasSubstr(".periods[0].breakdowns[2] repeats breakdowns[0]"),
                                HasSubstr("dimension 'sex', category 'female'")),
                          HasSubstr(".periods[0].breakdowns[3].dimension is empty"),
                          HasSubstr(".periods[0].breakdowns[3].category is empty")));
}

TEST(ModelIndicators, MergeModeRefusesTheSamePeriodTwice) {
  auto impl = record();
  impl.indicators[0].periods.push_back(impl.indicators[0].periods[0]);
  EXPECT_THAT(check(impl), IsEmpty());  // replace: as before
  impl.indicators[0].mode = IndicatorMode::Merge;
  EXPECT_THAT(check(impl), ElementsAre(HasSubstr("periods[1] repeats periods[0]")));
}

TEST(ModelIndicators, MergeReplacesSamePeriodAddsNewKeepsOthers) {
  Implementation stored = record();
  auto q2 = period("2026-04-01", "2026-06-30");
  q2.actual = 10;
  stored.indicators[0].periods.push_back(q2);
  Indicator other{"other", "untouched", "", true, 0, {period("2026-01-01", "2026-12-31")}};
  stored.indicators.push_back(other);

  Implementation incoming = record();
  incoming.indicators[0].mode = IndicatorMode::Merge;
  auto newQ2 = q2;
  newQ2.actual = 20;
  auto q3 = period("2026-07-01", "2026-09-30");
  q3.actual = 30;
  incoming.indicators[0].periods = {q3, newQ2};
  incoming.indicators[0].name = "children vaccinated (renamed)";

  auto lines = mergeIndicators(&stored, incoming);
  const auto& merged = incoming.indicators[0];
  EXPECT_EQ(merged.mode, IndicatorMode::Replace);
  EXPECT_EQ(merged.name, "children vaccinated (renamed)");
  ASSERT_EQ(merged.periods.size(), 3u);
  EXPECT_EQ(merged.periods[0], stored.indicators[0].periods[0]);  // kept
  EXPECT_EQ(merged.periods[1].start, date("2026-04-01"));         // replaced in place
  EXPECT_EQ(merged.periods[1].actual, 20);
  EXPECT_EQ(merged.periods[2].start, date("2026-07-01"));  // added
  EXPECT_THAT(lines,
              ElementsAre("indicator 'vacc' merged: period 2026-07-01..2026-09-30 added",
                          "indicator 'vacc' merged: period 2026-04-01..2026-06-30 replaced"));
  // The report merges and does not name "other": it stays as held, after the report's own.
  ASSERT_EQ(incoming.indicators.size(), 2u);
  EXPECT_EQ(incoming.indicators[1], other);
}

TEST(ModelIndicators, MergeWithoutStoredRowOrIndicatorKeepsTheReportsPeriods) {
  Implementation incoming = record();
  incoming.indicators[0].mode = IndicatorMode::Merge;
  auto lines = mergeIndicators(nullptr, incoming);
  EXPECT_EQ(incoming.indicators[0].periods, record().indicators[0].periods);
  EXPECT_EQ(incoming.indicators[0].mode, IndicatorMode::Replace);
  EXPECT_THAT(lines, ElementsAre(HasSubstr("period 2026-01-01..2026-03-31 added")));
}

TEST(ModelIndicators, ReplaceModeIsNotMergedAndDropsIndicatorsItDoesNotName) {
  Implementation stored = record();
  stored.indicators[0].periods.push_back(period("2026-04-01", "2026-06-30"));
  stored.indicators.push_back(
      Indicator{"other", "dropped", "", true, 0, {period("2026-01-01", "2026-12-31")}});
  Implementation incoming = record();
  auto lines = mergeIndicators(&stored, incoming);
  EXPECT_THAT(lines, IsEmpty());
  ASSERT_EQ(incoming.indicators.size(), 1u);
  EXPECT_EQ(incoming.indicators[0].periods.size(), 1u);
}

TEST(ModelIndicators, PeriodOutsideTheWorkIsFlaggedNotRefused) {
  auto impl = record();
  auto early = period("2025-10-01", "2025-12-31");  // ends before the start
  auto late = period("2027-01-01", "2027-03-31");   // begins after the deadline
  auto straddling = period("2026-12-01", "2027-01-31");
  impl.indicators[0].periods.insert(impl.indicators[0].periods.begin(), early);
  impl.indicators[0].periods.push_back(late);
  impl.indicators[0].periods.push_back(straddling);
  EXPECT_THAT(check(impl), IsEmpty());
  EXPECT_TRUE(outsideWork(early, impl));
  EXPECT_TRUE(outsideWork(late, impl));
  EXPECT_FALSE(outsideWork(straddling, impl));
  EXPECT_FALSE(outsideWork(impl.indicators[0].periods[1], impl));
  EXPECT_EQ(periodsOutsideWork(impl), 2u);
  EXPECT_EQ(evaluate(impl, kToday).periodsOutsideWork, 2u);
}

TEST(ModelIndicators, OutsideWorkFollowsTheDeadlineInForce) {
  auto impl = record();
  impl.indicators[0].periods.push_back(period("2027-01-01", "2027-03-31"));
  EXPECT_EQ(evaluate(impl, kToday).periodsOutsideWork, 1u);
  impl.deadlineChanges.push_back(DeadlineChange::decided(
      impl.deadline, date("2027-06-30"), "Deputy minister", date("2026-03-01"), "phase 2"));
  EXPECT_EQ(evaluate(impl, kToday).periodsOutsideWork, 0u);
}

TEST(ModelIndicators, ModeNames) {
  EXPECT_EQ(indicatorModeFromString("merge"), IndicatorMode::Merge);
  EXPECT_EQ(indicatorModeFromString("replace"), IndicatorMode::Replace);
  EXPECT_FALSE(indicatorModeFromString("Merge"));
  EXPECT_STREQ(toString(IndicatorMode::Merge), "merge");
}

}  // namespace
}  // namespace ijro::model
