// Indicator data real sectors send, on both backends: numerators, denominators and breakdowns
// stored and read back, merge mode across revisions (old periods kept, history naming what was
// merged, a resent revision still a duplicate), and a schema-7 store migrated with its data.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <chrono>

#include "hub/store/migrations.hpp"
#include "hub/store/store.hpp"
#include "hub/store/url.hpp"
#include "tests/unit/store/store_fixture.hpp"

namespace ijro::store::test {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::system_clock;

class IndicatorStoreTest : public StoreTest {};

UpsertResult putOne(Store& s, const model::Implementation& x) {
  auto r = s.upsert(std::vector<model::Implementation>{x}, Clock::now());
  EXPECT_EQ(r.size(), 1u);
  return r.at(0);
}

model::IndicatorPeriod period(const char* start, const char* end, std::optional<double> actual) {
  model::IndicatorPeriod p;
  p.start = day(start);
  p.end = day(end);
  p.actual = actual;
  return p;
}

// sample() with a proportion indicator whose first period carries a ratio and breakdowns.
model::Implementation withProportion(std::int64_t revision = 1) {
  auto x = sample("DU2030-1.2.15", "1703", "Ministry of Health", revision);
  model::Indicator vacc{"vacc", "Children vaccinated", "%", true, 0, {}};
  auto q1 = period("2026-01-01", "2026-03-31", 75);
  q1.numerator = 45;
  q1.denominator = 60;
  q1.breakdowns = {{"sex", "female", 85, 80, 24, 30},
                   {"ageGroup", "15-24", std::nullopt, 0.5, std::nullopt, std::nullopt}};
  vacc.periods = {q1, period("2026-04-01", "2026-06-30", 60)};
  x.indicators.push_back(vacc);
  return x;
}

TEST_P(IndicatorStoreTest, RatiosAndBreakdownsAreStoredAndReadBack) {
  auto s = db().open();
  const auto x = withProportion();
  ASSERT_EQ(putOne(*s, x).outcome, Outcome::Accepted);
  EXPECT_EQ(s->get(x.key()), x);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM indicator_breakdown"), 2);
  EXPECT_EQ(putOne(*s, x).outcome, Outcome::Duplicate);

  // A new revision with other breakdowns replaces them; the history names the change.
  auto y = x;
  y.revision = 2;
  y.indicators.back().periods[0].breakdowns.pop_back();
  y.indicators.back().periods[0].breakdowns[0].actual = 81;
  ASSERT_EQ(putOne(*s, y).outcome, Outcome::Accepted);
  EXPECT_EQ(s->get(x.key()), y);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM indicator_breakdown"), 1);
  EXPECT_THAT(s->history(x.key()).back().changes,
              HasSubstr("period 2026-01-01..2026-03-31 breakdowns: sex=female target 85 actual 80 "
                        "(24/30); ageGroup=15-24 actual 0.5 -> sex=female target 85 actual 81"));
}

TEST_P(IndicatorStoreTest, MergeAcrossTwoRevisionsKeepsTheOldPeriods) {
  auto s = db().open();
  const auto first = withProportion(1);  // Q1 and Q2, replace
  ASSERT_EQ(putOne(*s, first).outcome, Outcome::Accepted);

  auto second = withProportion(2);
  auto& vacc = second.indicators.back();
  vacc.mode = model::IndicatorMode::Merge;
  vacc.periods = {period("2026-07-01", "2026-09-30", 70), period("2026-04-01", "2026-06-30", 65)};
  ASSERT_EQ(putOne(*s, second).outcome, Outcome::Accepted);

  const auto back = s->get(second.key());
  ASSERT_TRUE(back);
  const auto& held = back->indicators.back();
  EXPECT_EQ(held.mode, model::IndicatorMode::Replace);  // what is held is the whole list
  ASSERT_EQ(held.periods.size(), 3u);
  EXPECT_EQ(held.periods[0], first.indicators.back().periods[0]);  // kept, breakdowns and all
  EXPECT_EQ(held.periods[1].start, day("2026-04-01"));
  EXPECT_EQ(held.periods[1].actual, 65);  // replaced
  EXPECT_EQ(held.periods[2].start, day("2026-07-01"));
  EXPECT_EQ(held.periods[2].actual, 70);  // added
  // The other indicators are the report's, as ever.
  EXPECT_EQ(back->indicators.front(), second.indicators.front());

  const auto changes = s->history(second.key()).back().changes;
  EXPECT_THAT(changes, HasSubstr("indicator 'vacc' merged: period 2026-07-01..2026-09-30 added"));
  EXPECT_THAT(changes,
              HasSubstr("indicator 'vacc' merged: period 2026-04-01..2026-06-30 replaced"));
  EXPECT_THAT(changes, ::testing::Not(HasSubstr("2026-01-01..2026-03-31 removed")));

  // The same revision again is a duplicate, not a second merge.
  EXPECT_EQ(putOne(*s, second).outcome, Outcome::Duplicate);
  EXPECT_EQ(s->history(second.key()).size(), 2u);

  // A third merge builds on the second.
  auto third = second;
  third.revision = 3;
  third.indicators.back().periods = {period("2026-10-01", "2026-12-31", 78)};
  ASSERT_EQ(putOne(*s, third).outcome, Outcome::Accepted);
  EXPECT_EQ(s->get(third.key())->indicators.back().periods.size(), 4u);
}

// Two sources of periods for one implementation (one FHIR Measure per indicator): each merging
// report names only its indicator and the other's stays as held.
TEST_P(IndicatorStoreTest, AMergingReportKeepsTheIndicatorsItDoesNotName) {
  auto s = db().open();
  const auto first = withProportion(1);
  ASSERT_EQ(putOne(*s, first).outcome, Outcome::Accepted);

  auto second = sample("DU2030-1.2.15", "1703", "Ministry of Health", 2);
  model::Indicator hiv{"hiv", "HIV tests", "tests",
                       true,  0,           {period("2026-01-01", "2026-03-31", 120)}};
  hiv.mode = model::IndicatorMode::Merge;
  second.indicators = {hiv};
  ASSERT_EQ(putOne(*s, second).outcome, Outcome::Accepted);

  const auto back = s->get(second.key());
  ASSERT_TRUE(back);
  ASSERT_EQ(back->indicators.size(), first.indicators.size() + 1);
  EXPECT_EQ(back->indicators.front().code, "hiv");
  EXPECT_EQ(back->indicators.front().periods.at(0).actual, 120);
  for (std::size_t i = 0; i < first.indicators.size(); ++i)
    EXPECT_EQ(back->indicators[i + 1], first.indicators[i]);  // kept as held

  // A report in replace mode is the whole list again: what it leaves out goes.
  auto third = sample("DU2030-1.2.15", "1703", "Ministry of Health", 3);
  third.indicators = {hiv};
  third.indicators[0].mode = model::IndicatorMode::Replace;
  ASSERT_EQ(putOne(*s, third).outcome, Outcome::Accepted);
  ASSERT_EQ(s->get(third.key())->indicators.size(), 1u);
}

TEST_P(IndicatorStoreTest, MergeIntoNothingStoresTheReportsPeriods) {
  auto s = db().open();
  auto x = withProportion();
  x.indicators.back().mode = model::IndicatorMode::Merge;
  ASSERT_EQ(putOne(*s, x).outcome, Outcome::Accepted);
  auto expected = x;
  expected.indicators.back().mode = model::IndicatorMode::Replace;
  EXPECT_EQ(s->get(x.key()), expected);
  EXPECT_EQ(putOne(*s, x).outcome, Outcome::Duplicate);
}

// A store an earlier hub left at schema 7 (no numerator, denominator or breakdowns) keeps its
// periods through migration 8 and takes the new fields afterwards.
TEST_P(IndicatorStoreTest, SchemaSevenStoreIsMigratedKeepingItsPeriods) {
  {
    auto raw = db().raw();
    const auto dialect = detail::parseStoreUrl(db().url()).dialect;
    ASSERT_EQ(detail::migrate(*raw, dialect, 7), 7);
    *raw << "INSERT INTO implementation (source, measure_id, region, organisation, sector, "
            "revision, lifecycle, start_date, deadline, completed, title, act_type, act_number, "
            "act_date, act_item, note, search_text, fingerprint, received_at, organisation_key) "
            "VALUES ('health', 'DU2030-3.1', '1703', 'Ministry of Health', 'health', 1, "
            "'inProgress', '2026-01-01', '2026-12-31', NULL, 'Vaccinate children', 'decree', "
            "'UP-60', '2022-01-28', '', '', '', 'fp', '2026-03-01T10:00:00Z', 'ministry of "
            "health')";
    long long id = 0;
    *raw << "SELECT id FROM implementation", soci::into(id);
    *raw << "INSERT INTO indicator (implementation_id, pos, code, name, unit, ascending, "
            "baseline) VALUES (:id, 0, 'vacc', 'Children vaccinated', '%', 1, 0)",
        soci::use(id);
    *raw << "INSERT INTO indicator_period (implementation_id, indicator_pos, pos, start_date, "
            "end_date, target, actual) VALUES (:id, 0, 0, '2026-01-01', '2026-03-31', 80, 75)",
        soci::use(id);
  }
  auto s = db().open();
  EXPECT_EQ(s->schemaVersion(), detail::kLatestSchemaVersion);
  EXPECT_EQ(db().text("SELECT description FROM schema_version WHERE version = 8"),
            "indicator numerators and denominators, and breakdowns of a period's values");
  const model::ImplementationKey key{"health", "DU2030-3.1", "1703", "Ministry of Health"};
  auto back = s->get(key);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->indicators.size(), 1u);
  ASSERT_EQ(back->indicators[0].periods.size(), 1u);
  const auto& p = back->indicators[0].periods[0];
  EXPECT_EQ(p.target, 80);
  EXPECT_EQ(p.actual, 75);
  EXPECT_FALSE(p.numerator);
  EXPECT_FALSE(p.denominator);
  EXPECT_TRUE(p.breakdowns.empty());

  // The next revision merges a quarter with a breakdown into the migrated period.
  auto next = *back;
  next.revision = 2;
  next.indicators[0].mode = model::IndicatorMode::Merge;
  auto q2 = period("2026-04-01", "2026-06-30", std::nullopt);
  q2.numerator = 50;
  q2.denominator = 60;
  q2.breakdowns = {{"sex", "male", std::nullopt, 40}};
  next.indicators[0].periods = {q2};
  ASSERT_EQ(putOne(*s, next).outcome, Outcome::Accepted);
  back = s->get(key);
  ASSERT_EQ(back->indicators[0].periods.size(), 2u);
  EXPECT_EQ(back->indicators[0].periods[0].actual, 75);
  EXPECT_EQ(back->indicators[0].periods[1].breakdowns.at(0).category, "male");
}

INSTANTIATE_TEST_SUITE_P(Backends, IndicatorStoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

}  // namespace
}  // namespace ijro::store::test
