// What the dashboard reads of the store, on both backends: the facts of every accepted revision
// (kept with its history row, so past dates are evaluated as the hub knew them then), filled in
// for the rows of a store made before they were kept, and when each territory last reported.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hub/base/timestamp.hpp"
#include "hub/store/migrations.hpp"
#include "store_fixture.hpp"

namespace ijro::store::test {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

class RevisionStoreTest : public StoreTest {};

std::chrono::system_clock::time_point at(const char* iso) {
  return *base::parseTimestamp(iso);
}

void put(Store& s, const model::Implementation& x, const char* receivedAt) {
  auto r = s.upsert(std::span(&x, 1), at(receivedAt));
  ASSERT_EQ(r.at(0).outcome, Outcome::Accepted) << r.at(0).reason;
}

// The facts a revision's evaluation needs, as comparable text.
std::string facts(const model::Implementation& x) {
  std::string out = x.sector + " " + model::toString(x.lifecycle) + " " +
                    model::formatDate(x.start) + " " + model::formatDate(x.deadline) + " " +
                    (x.completed ? model::formatDate(*x.completed) : "-");
  for (const auto& c : x.deadlineChanges)
    out += " change " + model::formatDate(c.previous) + ">" + model::formatDate(c.deadline) + " " +
           model::toString(c.decision) + " " +
           (c.decidedOn ? model::formatDate(*c.decidedOn) : "-");
  for (const auto& e : x.controlEvents)
    out += std::string(" event ") + model::toString(e.state) + " " + model::formatDate(e.on) + " " +
           (e.completed ? model::formatDate(*e.completed) : "-");
  return out;
}

TEST_P(RevisionStoreTest, EachAcceptedRevisionKeepsTheFactsItsEvaluationNeeds) {
  auto s = db().open();
  auto first = sample();
  put(*s, first, "2026-05-01T08:00:00Z");
  auto second = sample("DU2030-1.2.15", "1703", "Ministry of Health", 2);
  second.completed = day("2026-10-02");
  second.lifecycle = model::Lifecycle::Completed;
  second.controlEvents.push_back(
      {model::ControlStatus::Verified, "Deputy hokim", day("2026-10-05"), "", std::nullopt, ""});
  put(*s, second, "2026-10-06T08:00:00Z");

  const auto all = s->revisions({std::nullopt, {}, std::nullopt, "9999-12-31T23:59:59Z"});
  ASSERT_THAT(all, SizeIs(2));
  EXPECT_LT(all[0].historyId, all[1].historyId);
  EXPECT_EQ(all[0].receivedAt, "2026-05-01T08:00:00Z");
  EXPECT_EQ(all[0].facts.revision, 1);
  EXPECT_EQ(all[0].facts.measure.id, "DU2030-1.2.15");
  EXPECT_EQ(all[0].facts.region, "1703");
  EXPECT_EQ(all[0].facts.source, first.source);
  EXPECT_FALSE(all[0].organisationKey.empty());
  EXPECT_EQ(facts(all[0].facts), facts(first));
  EXPECT_EQ(facts(all[1].facts), facts(second));
  EXPECT_NE(facts(all[0].facts), facts(all[1].facts));
}

TEST_P(RevisionStoreTest, RevisionsAreReadUpToTheInstantAndWithinTheRegionsAsked) {
  auto s = db().open();
  put(*s, sample("M-1", "1703"), "2026-05-01T08:00:00Z");
  put(*s, sample("M-2", "1703202"), "2026-05-02T08:00:00Z");
  put(*s, sample("M-3", "1726"), "2026-05-03T08:00:00Z");
  auto measures = [&](Store::RevisionQuery q) {
    std::vector<std::string> out;
    for (const auto& r : s->revisions(q)) out.push_back(r.facts.measure.id);
    return out;
  };
  EXPECT_THAT(measures({std::nullopt, {}, std::nullopt, "2026-05-02T23:59:59Z"}),
              ElementsAre("M-1", "M-2"));
  EXPECT_THAT(measures({std::nullopt, {}, std::nullopt, "2026-05-02T08:00:00Z"}),
              ElementsAre("M-1", "M-2"));  // inclusive
  EXPECT_THAT(measures({std::string("1703"), {}, std::nullopt, "9999-12-31T23:59:59Z"}),
              ElementsAre("M-1", "M-2"));  // a region with its districts
  EXPECT_THAT(measures({std::nullopt, {"1726"}, std::nullopt, "9999-12-31T23:59:59Z"}),
              ElementsAre("M-3"));
  EXPECT_THAT(measures({std::nullopt, {}, std::string("M-2"), "9999-12-31T23:59:59Z"}),
              ElementsAre("M-2"));
}

TEST_P(RevisionStoreTest, AStoreFromBeforeTheFactsKnowsEachRowsLatestRevisionAfterMigrating) {
  const auto expected = createEarlierDatabase(db(), 2);
  auto s = db().open();
  EXPECT_EQ(s->schemaVersion(), detail::kLatestSchemaVersion);
  const auto all = s->revisions({std::nullopt, {}, std::nullopt, "9999-12-31T23:59:59Z"});
  ASSERT_THAT(all, SizeIs(1));
  EXPECT_EQ(all[0].facts.measure.id, expected.measure.id);
  EXPECT_EQ(facts(all[0].facts), facts(expected));
}

TEST_P(RevisionStoreTest, EachTerritoryLastReportedWhenItsLatestCurrentRowCameIn) {
  auto s = db().open();
  put(*s, sample("M-1", "1703"), "2026-05-01T08:00:00Z");
  put(*s, sample("M-2", "1703"), "2026-05-04T08:00:00Z");
  put(*s, sample("M-3", "1703202"), "2026-05-02T08:00:00Z");
  auto health = sample("M-4", "1726");
  health.sector = "education";
  put(*s, health, "2026-05-03T08:00:00Z");
  auto pairs = [&](const Filter& f) {
    std::vector<std::string> out;
    for (const auto& t : s->lastReceived(f)) out.push_back(t.territory + " " + t.lastReceivedAt);
    return out;
  };
  EXPECT_THAT(pairs({}), ElementsAre("1703 2026-05-04T08:00:00Z", "1703202 2026-05-02T08:00:00Z",
                                     "1726 2026-05-03T08:00:00Z"));
  Filter education;
  education.sectorsIn = {"education"};
  EXPECT_THAT(pairs(education), ElementsAre("1726 2026-05-03T08:00:00Z"));
  Filter andijan;
  andijan.regionsIn = {"1703"};
  EXPECT_THAT(pairs(andijan),
              ElementsAre("1703 2026-05-04T08:00:00Z", "1703202 2026-05-02T08:00:00Z"));
}

INSTANTIATE_TEST_SUITE_P(Backends, RevisionStoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

}  // namespace
}  // namespace ijro::store::test
