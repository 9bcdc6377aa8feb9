// Implementation identity on both backends: one implementation per (measure, region,
// organisation code or normalised spelling) whatever the number of sources reporting it; the
// current state from the highest-priority source, the latest received among equals; revisions
// judged per source; history of every source readable per measure, implementation or task.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store_fixture.hpp"

namespace ijro::store::test {
namespace {

using Clock = std::chrono::system_clock;
using ::testing::ElementsAre;

class IdentityTest : public StoreTest {};

model::Implementation from(const std::string& source, const std::string& organisation,
                           std::int64_t revision, double actual) {
  auto x = sample("DU2030-1.2.15", "1703", organisation, revision);
  x.source = source;
  x.indicators[0].periods[0].actual = actual;
  return x;
}

UpsertResult putOne(Store& s, const model::Implementation& x) {
  auto r = s.upsert(std::vector<model::Implementation>{x}, Clock::now());
  EXPECT_EQ(r.size(), 1u);
  return r.at(0);
}

std::vector<model::Implementation> all(Store& s, const Filter& f = {}) {
  std::vector<model::Implementation> out;
  s.forEach(f, [&](const model::Implementation& x) { out.push_back(x); });
  return out;
}

IdentityRules rules(std::map<std::string, int> priorities = {}) {
  Organisation health{"201234567",
                      OrganisationCodeKind::Stir,
                      {{"uz-Latn", "Sogʻliqni saqlash vazirligi"}, {"ru", "Минздрав"}},
                      {"Ministry of Health", "MoH"}};
  return {OrganisationDirectory({health}), std::move(priorities)};
}

TEST_P(IdentityTest, TwoSourcesReportingOneImplementationAreOneImplementation) {
  auto s = db().open();
  ASSERT_EQ(putOne(*s, from("regional", "Ministry of Health", 1, 10)).outcome, Outcome::Accepted);
  ASSERT_EQ(putOne(*s, from("national", "  MINISTRY of   health ", 1, 20)).outcome,
            Outcome::Accepted);
  auto current = all(*s);
  ASSERT_EQ(current.size(), 1u);
  EXPECT_EQ(current[0].source, "national");  // equal priorities: the latest received
  EXPECT_EQ(s->count(), 1u);
  auto h = s->historyOf({"DU2030-1.2.15"});
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].key.source, "national");  // newest first
  EXPECT_EQ(h[1].key.source, "regional");
  EXPECT_EQ(h[0].organisationKey, "ministry of health");
  EXPECT_EQ(h[0].organisationKey, h[1].organisationKey);
}

// Two sources' first reports of one implementation in one batch, beside an implementation
// reported once: on PostgreSQL all three rows go in with one statement, and only the rows that
// share an implementation are ranked after it (a row alone is current as inserted).
TEST_P(IdentityTest, TwoSourcesFirstReportsInOneBatchAreOneImplementation) {
  auto s = db().open();
  auto other = sample("DU2030-2.1.1", "1726", "Ministry of Education", 1);
  const std::vector<model::Implementation> batch{from("regional", "Ministry of Health", 1, 10),
                                                 other,
                                                 from("national", " MINISTRY of  health", 1, 20)};
  auto r = s->upsert(batch, Clock::now());
  ASSERT_EQ(r.size(), 3u);
  for (const auto& x : r) EXPECT_EQ(x.outcome, Outcome::Accepted) << x.reason;
  auto current = all(*s);
  ASSERT_EQ(current.size(), 2u);
  EXPECT_EQ(s->count(), 2u);
  for (const auto& x : current) {
    if (x.measure.id == "DU2030-1.2.15") {
      EXPECT_EQ(x.source, "regional");  // a batch is written in key order: the later of the two
    }
  }
  // A later batch that brings a third source's row of the first implementation ranks it too.
  ASSERT_EQ(putOne(*s, from("district", "Ministry of Health", 1, 30)).outcome, Outcome::Accepted);
  current = all(*s);
  ASSERT_EQ(current.size(), 2u);
  for (const auto& x : current) {
    if (x.measure.id == "DU2030-1.2.15") {
      EXPECT_EQ(x.source, "district");
    }
  }
}

TEST_P(IdentityTest, RevisionsAreJudgedPerSource) {
  auto s = db().open();
  ASSERT_EQ(putOne(*s, from("regional", "Ministry of Health", 5, 10)).outcome, Outcome::Accepted);
  // Revision 1 of another source is not stale against the first source's revision 5.
  EXPECT_EQ(putOne(*s, from("national", "Ministry of Health", 1, 20)).outcome, Outcome::Accepted);
  EXPECT_EQ(putOne(*s, from("national", "Ministry of Health", 1, 20)).outcome, Outcome::Duplicate);
  EXPECT_EQ(putOne(*s, from("regional", "Ministry of Health", 4, 30)).outcome, Outcome::Stale);
  EXPECT_EQ(s->get({"regional", "DU2030-1.2.15", "1703", "Ministry of Health"})->revision, 5);
  EXPECT_EQ(s->get({"national", "DU2030-1.2.15", "1703", "Ministry of Health"})->revision, 1);
}

TEST_P(IdentityTest, AHigherPrioritySourceStaysCurrentWhenALowerOneReportsLater) {
  auto s = db().open();
  s->setIdentity(rules({{"ministry-system", 10}}));
  ASSERT_EQ(putOne(*s, from("ministry-system", "MoH", 1, 10)).outcome, Outcome::Accepted);
  const auto feedBefore = s->lastHistoryId();
  ASSERT_EQ(putOne(*s, from("regional", "Sog'liqni saqlash vazirligi", 3, 99)).outcome,
            Outcome::Accepted);
  auto current = all(*s);
  ASSERT_EQ(current.size(), 1u);
  EXPECT_EQ(current[0].source, "ministry-system");
  EXPECT_EQ(current[0].indicators[0].periods[0].actual, 10);
  // The lower-priority report is kept, with its revision, and is in history.
  EXPECT_EQ(s->get({"regional", "DU2030-1.2.15", "1703", "Sog'liqni saqlash vazirligi"})->revision,
            3);
  auto h = s->historyOf({"DU2030-1.2.15", std::nullopt, "201234567"});
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].key.source, "regional");
  EXPECT_EQ(h[0].organisationKey, "201234567");
  // Sinks see the current state: for the lower-priority report, the unchanged current one.
  auto changes = s->changesAfter(feedBefore, 10);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].current.source, "ministry-system");
  // A higher-priority report replaces the current state at once.
  ASSERT_EQ(putOne(*s, from("ministry-system", "MoH", 2, 11)).outcome, Outcome::Accepted);
  EXPECT_EQ(all(*s).at(0).indicators[0].periods[0].actual, 11);
}

// A source that reports its row again under a new revision, with nothing changed, is still the
// latest received among equals: its row becomes the current state again, and the history says
// the revision changed nothing else.
TEST_P(IdentityTest, ARevisionWithTheSameContentIsTheLatestReportAgain) {
  auto s = db().open();
  ASSERT_EQ(putOne(*s, from("regional", "Ministry of Health", 1, 10)).outcome, Outcome::Accepted);
  ASSERT_EQ(putOne(*s, from("national", "Ministry of Health", 1, 20)).outcome, Outcome::Accepted);
  ASSERT_EQ(all(*s).at(0).source, "national");
  ASSERT_EQ(putOne(*s, from("regional", "Ministry of Health", 2, 10)).outcome, Outcome::Accepted);
  auto current = all(*s);
  ASSERT_EQ(current.size(), 1u);
  EXPECT_EQ(current[0].source, "regional");
  EXPECT_EQ(current[0].revision, 2);
  EXPECT_EQ(current[0].indicators[0].periods[0].actual, 10);
  auto h = s->history({"regional", "DU2030-1.2.15", "1703", "Ministry of Health"});
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].changes, "no changes apart from the revision");
  // And back: the other source's same content again makes it current.
  ASSERT_EQ(putOne(*s, from("national", "Ministry of Health", 2, 20)).outcome, Outcome::Accepted);
  EXPECT_EQ(all(*s).at(0).source, "national");
}

// A controller's decision reported under its own token (its own source row) shows in the
// implementation whichever source's row is current; an entry both sources carry shows once.
TEST_P(IdentityTest, JournalEntriesOfEverySourceShowOnceInTheCurrentState) {
  auto s = db().open();
  s->setIdentity(rules({{"regional", 10}}));
  auto regional = from("regional", "Ministry of Health", 1, 10);
  regional.assignments[0].controlEvents.clear();
  regional.assignments[0].comments.clear();
  model::ControlEvent submitted;
  submitted.state = model::ControlStatus::Submitted;
  submitted.by = "District clinic";
  submitted.on = day("2026-05-20");
  submitted.completed = day("2026-05-19");
  regional.assignments[0].controlEvents = {submitted};
  ASSERT_EQ(putOne(*s, regional).outcome, Outcome::Accepted);

  auto control = regional;  // the controller's system: the same task, and its decision
  control.source = "controller";
  model::ControlEvent returned;
  returned.state = model::ControlStatus::Returned;
  returned.by = "Regional controller";
  returned.on = day("2026-05-22");
  returned.reason = "the act of acceptance is missing";
  control.assignments[0].controlEvents.push_back(returned);
  ASSERT_EQ(putOne(*s, control).outcome, Outcome::Accepted);

  // Another implementation, of one source, so that the rows are read as a page of several.
  auto single = regional;
  single.measure.id = "DU2030-9.9.9";
  ASSERT_EQ(putOne(*s, single).outcome, Outcome::Accepted);

  auto current = all(*s);
  ASSERT_EQ(current.size(), 2u);
  EXPECT_EQ(current[0].measure.id, regional.measure.id);
  EXPECT_EQ(current[0].source, "regional");  // the higher priority stays current
  EXPECT_THAT(current[0].assignments[0].controlEvents, ElementsAre(submitted, returned));
  EXPECT_THAT(current[1].assignments[0].controlEvents, ElementsAre(submitted));
  // Each source's own row shows the union too.
  EXPECT_THAT(s->get(control.key())->assignments[0].controlEvents,
              ElementsAre(submitted, returned));
}

TEST_P(IdentityTest, NewAliasesAndPrioritiesApplyToWhatIsStored) {
  auto s = db().open();
  ASSERT_EQ(putOne(*s, from("regional", "Minzdrav", 1, 10)).outcome, Outcome::Accepted);
  ASSERT_EQ(putOne(*s, from("national", "MoH", 1, 20)).outcome, Outcome::Accepted);
  EXPECT_EQ(s->count(), 2u);  // "Minzdrav" and "MoH" are not known to be the same yet
  auto r = rules({{"regional", 5}});
  Organisation health = r.organisations.all()[0];
  health.aliases.push_back("Minzdrav");
  s->setIdentity({OrganisationDirectory({health}), r.sourcePriorities});
  auto current = all(*s);
  ASSERT_EQ(current.size(), 1u);
  EXPECT_EQ(current[0].source, "regional");  // priority 5 over 0, although received earlier
  EXPECT_EQ(s->historyOf({"DU2030-1.2.15", std::nullopt, "minzdrav"}).size(), 2u);
  s->setIdentity({OrganisationDirectory({health}), {}});
  EXPECT_EQ(all(*s).at(0).source, "national");  // back to equal priorities: the latest
}

// An alias alone (priorities as they were) makes two stored rows one implementation: the ranking
// is done again, and only one of them is its current state.
TEST_P(IdentityTest, ANewAliasAloneRanksTheRowsItJoins) {
  auto s = db().open();
  s->setIdentity(rules());
  ASSERT_EQ(putOne(*s, from("regional", "Minzdrav", 1, 10)).outcome, Outcome::Accepted);
  ASSERT_EQ(putOne(*s, from("national", "MoH", 1, 20)).outcome, Outcome::Accepted);
  EXPECT_EQ(s->count(), 2u);
  Organisation health = rules().organisations.all()[0];
  health.aliases.push_back("Minzdrav");
  s->setIdentity({OrganisationDirectory({health}), {}});
  EXPECT_EQ(s->count(), 1u);
  ASSERT_EQ(all(*s).size(), 1u);
  EXPECT_EQ(all(*s).at(0).source, "national");  // equal priorities: the latest received
  // The same rules again change nothing.
  s->setIdentity({OrganisationDirectory({health}), {}});
  EXPECT_EQ(s->count(), 1u);
  EXPECT_EQ(all(*s).at(0).source, "national");
}

// Each accepted revision adds a history row and an entry to each of history's indexes: the ones
// its reads use (by key, by implementation, by time of receipt), and no other (an index by
// organisation and source cost every write a page of log per implementation and commit, and made
// the one read that groups by it slower than a scan).
TEST_P(IdentityTest, HistoryIsIndexedForItsReadsOnly) {
  auto s = db().open();
  ASSERT_EQ(putOne(*s, from("regional", "Minzdrav", 1, 10)).outcome, Outcome::Accepted);
  const std::string names =
      GetParam() == "sqlite"
          ? db().text(
                "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE "
                "type = 'index' AND tbl_name = 'history' ORDER BY name)")
          : db().text(
                "SELECT string_agg(indexname, ' ' ORDER BY indexname) FROM pg_indexes "
                "WHERE schemaname = current_schema() AND tablename = 'history'");
  EXPECT_EQ(names, GetParam() == "sqlite" ? "history_identity history_key history_received"
                                          : "history_identity history_key history_pkey "
                                            "history_received");
}

TEST_P(IdentityTest, HistoryIsFilteredPagedOrderedAndScoped) {
  auto s = db().open();
  for (int rev = 1; rev <= 3; ++rev)
    ASSERT_EQ(putOne(*s, from("regional", "MoH", rev, rev)).outcome, Outcome::Accepted);
  auto elsewhere = sample("DU2030-1.2.15", "1726", "MoH", 1);
  elsewhere.sector = "education";
  elsewhere.assignments[1].title = "changed";
  ASSERT_EQ(putOne(*s, elsewhere).outcome, Outcome::Accepted);
  auto other = from("regional", "MoH", 4, 4);
  other.assignments[1].title = "Install two ultrasound machines";
  ASSERT_EQ(putOne(*s, other).outcome, Outcome::Accepted);

  auto revisions = [](const std::vector<HistoryEntry>& h) {
    std::vector<std::int64_t> out;
    for (const auto& e : h) out.push_back(e.revision);
    return out;
  };
  HistoryQuery q{"DU2030-1.2.15"};
  q.region = "1703";
  EXPECT_THAT(revisions(s->historyOf(q)), ElementsAre(4, 3, 2, 1));
  q.newestFirst = false;
  q.offset = 1;
  q.limit = 2;
  EXPECT_THAT(revisions(s->historyOf(q)), ElementsAre(2, 3));
  // A task: the changes that name it and the creation of the row holding it.
  HistoryQuery task{"DU2030-1.2.15"};
  task.region = "1703";
  task.assignment = "A-1.1";
  auto t = s->historyOf(task);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_THAT(t[0].changes, ::testing::HasSubstr("assignment A-1.1 title"));
  EXPECT_EQ(t[1].changes, "created");
  task.assignment = "A-1";  // does not match the lines of
  EXPECT_THAT(revisions(s->historyOf(task)), ElementsAre(1));
  // A reader's scope: regions with their districts, sectors by the source's row.
  HistoryQuery scoped{"DU2030-1.2.15"};
  scoped.regionsIn = {"1726"};
  EXPECT_EQ(s->historyOf(scoped).size(), 1u);
  scoped.sectorsIn = {"health"};
  EXPECT_EQ(s->historyOf(scoped).size(), 0u);
  scoped.regionsIn = {};
  EXPECT_EQ(s->historyOf(scoped).size(), 4u);
}

TEST_P(IdentityTest, SpellingsAreListedPerSourceWithCountsAndDates) {
  auto s = db().open();
  s->setIdentity(rules());
  ASSERT_EQ(putOne(*s, from("regional", "Minzdrav", 1, 1)).outcome, Outcome::Accepted);
  ASSERT_EQ(putOne(*s, from("regional", "Minzdrav", 2, 2)).outcome, Outcome::Accepted);
  ASSERT_EQ(putOne(*s, from("national", "MoH", 1, 1)).outcome, Outcome::Accepted);
  auto seen = s->organisationsSeen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].key, "201234567");
  EXPECT_EQ(seen[0].spelling, "MoH");
  EXPECT_EQ(seen[1].key, "minzdrav");
  EXPECT_EQ(seen[1].source, "regional");
  EXPECT_EQ(seen[1].reports, 2);
  EXPECT_LE(seen[1].firstSeen, seen[1].lastSeen);
}

TEST(OrganisationDirectory, MatchesSpellingsIgnoringCaseSpacesAndApostropheForms) {
  OrganisationDirectory d = rules().organisations;
  EXPECT_EQ(d.codeOf("  sogʻliqni   SAQLASH vazirligi"), "201234567");
  EXPECT_EQ(d.codeOf("Sog`liqni saqlash vazirligi"), "201234567");
  EXPECT_EQ(d.codeOf("МИНЗДРАВ"), "201234567");
  EXPECT_EQ(d.codeOf("201234567"), "201234567");
  EXPECT_EQ(d.codeOf("Ministry of Finance"), std::nullopt);
  EXPECT_EQ(d.keyOf("Ministry\u00a0of  Finance "), "ministry of finance");
  EXPECT_TRUE(isStir("201234567"));
  EXPECT_FALSE(isStir("20123456"));
  EXPECT_FALSE(isStir("20123456x"));
}

TEST(OrganisationDirectory, OneSpellingForTwoCodesIsRefused) {
  Organisation a{"201234567", OrganisationCodeKind::Stir, {}, {"Health"}};
  Organisation b{"MOH-UZ", OrganisationCodeKind::Configured, {}, {" HEALTH"}};
  EXPECT_THROW(OrganisationDirectory({a, b}), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(Backends, IdentityTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

}  // namespace
}  // namespace ijro::store::test
