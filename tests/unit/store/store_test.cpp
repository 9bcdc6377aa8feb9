// Behaviour of the store on both backends (TEST_P over "sqlite" and "postgresql").
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "hub/store/migrations.hpp"
#include "hub/store/url.hpp"
#include "store_fixture.hpp"

namespace ijro::store::test {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::system_clock;

std::vector<UpsertResult> put(Store& s, const std::vector<model::Implementation>& batch,
                              Clock::time_point at = Clock::now()) {
  return s.upsert(batch, at);
}

UpsertResult putOne(Store& s, const model::Implementation& x, Clock::time_point at = Clock::now()) {
  auto r = put(s, {x}, at);
  EXPECT_EQ(r.size(), 1u);
  return r.at(0);
}

std::vector<model::Implementation> all(Store& s, const Filter& f = {}) {
  std::vector<model::Implementation> out;
  s.forEach(f, [&](const model::Implementation& x) { out.push_back(x); });
  return out;
}

std::vector<std::string> regions(Store& s, const Filter& f) {
  std::vector<std::string> out;
  s.forEach(f, [&](const model::Implementation& x) { out.push_back(x.region); });
  return out;
}

std::vector<std::string> measures(Store& s, const Filter& f) {
  std::vector<std::string> out;
  s.forEach(f, [&](const model::Implementation& x) { out.push_back(x.measure.id); });
  return out;
}

Clock::time_point at(int y, unsigned m, unsigned d, int hour) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / d} + hours{hour};
}

// Child rows whose parent row is missing, over every child table (the store's own writes are what
// keeps this at zero on PostgreSQL, whose child tables have no foreign keys since version 13).
long long orphanRows(const FreshDatabase& db) {
  long long n = 0;
  for (const char* table :
       {"deadline_change", "indicator", "assignment", "evidence", "title_translation",
        "journal_control_event", "journal_comment", "indicator_period", "indicator_breakdown",
        "assignment_deadline_change"})
    n += db.scalar(std::string("SELECT count(*) FROM ") + table +
                   " c WHERE NOT EXISTS (SELECT 1 FROM implementation p WHERE p.id = "
                   "c.implementation_id)");
  n += db.scalar(
      "SELECT count(*) FROM indicator_period c WHERE NOT EXISTS (SELECT 1 FROM indicator p "
      "WHERE p.implementation_id = c.implementation_id AND p.pos = c.indicator_pos)");
  n += db.scalar(
      "SELECT count(*) FROM indicator_breakdown c WHERE NOT EXISTS (SELECT 1 FROM "
      "indicator_period p WHERE p.implementation_id = c.implementation_id AND p.indicator_pos = "
      "c.indicator_pos AND p.pos = c.period_pos)");
  n += db.scalar(
      "SELECT count(*) FROM assignment_deadline_change c WHERE NOT EXISTS (SELECT 1 FROM "
      "assignment p WHERE p.implementation_id = c.implementation_id AND p.pos = "
      "c.assignment_pos)");
  return n;
}

TEST_P(StoreTest, OpensWithBackendNameSchemaVersionAndPing) {
  auto s = db().open();
  EXPECT_EQ(s->backend(), GetParam() == "sqlite" ? "sqlite3" : "postgresql");
  EXPECT_EQ(s->schemaVersion(), detail::kLatestSchemaVersion);
  EXPECT_TRUE(s->ping());
  EXPECT_EQ(s->count(), 0u);
  EXPECT_FALSE(s->get(sample().key()).has_value());
  EXPECT_TRUE(s->history(sample().key()).empty());
}

TEST_P(StoreTest, RoundTripKeepsEveryChildInOrder) {
  auto s = db().open();
  auto x = sample();
  auto r = putOne(*s, x, at(2026, 3, 1, 10));
  EXPECT_EQ(r.outcome, Outcome::Accepted) << r.reason;
  EXPECT_EQ(r.storedRevision, 1);

  auto back = s->get(x.key());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, x);
  EXPECT_EQ(back->indicators.at(0).periods.at(1).target, 0.1 + 0.2);  // exact doubles

  auto listed = all(*s);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0], x);
  EXPECT_EQ(s->count(), 1u);

  auto h = s->history(x.key());
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].key, x.key());
  EXPECT_EQ(h[0].revision, 1);
  EXPECT_EQ(h[0].receivedAt, "2026-03-01T10:00:00Z");
  EXPECT_EQ(h[0].changes, "created");

  // An implementation with no children at all round-trips too.
  model::Implementation bare;
  bare.source = "s";
  bare.measure.id = "M-0";
  bare.region = "17";
  EXPECT_EQ(putOne(*s, bare).outcome, Outcome::Accepted);
  EXPECT_EQ(s->get(bare.key()), bare);
}

// Child rows go in as one statement per table (on PostgreSQL as arrays): text that looks like
// array syntax, quotes, backslashes, commas, braces, the word NULL and empty text, and numbers at
// the edges, come back exactly as sent, and an absent value stays absent.
TEST_P(StoreTest, ChildTextWithArraySyntaxAndEdgeNumbersReadBackExactly) {
  auto s = db().open();
  auto x = sample();
  const std::vector<std::string> awkward = {"{\"a\",b}", "back\\slash \\\"",       "NULL",
                                            "",          "comma, and ; semicolon", "{}",
                                            "\"",        "Sirdaryo — Гулистон"};
  ASSERT_FALSE(x.indicators.empty());
  ASSERT_FALSE(x.indicators[0].periods.empty());
  x.indicators[0].unit = awkward[0];
  x.indicators[0].name = awkward[1];
  x.indicators[0].baseline = -0.0;
  auto& period = x.indicators[0].periods[0];
  period.target = 1e15;
  period.actual = 5e-324;  // the smallest double
  period.numerator = std::nullopt;
  period.denominator = 0.1;
  for (std::size_t i = 0; i < awkward.size(); ++i)
    x.evidence.push_back({"https://example.org/" + std::to_string(i), awkward[i], "pdf",
                          day("2026-01-02"), awkward[(i + 1) % awkward.size()],
                          std::string(64, 'a'),
                          i % 2 ? std::optional<std::int64_t>() : std::optional<std::int64_t>(i)});
  ASSERT_EQ(putOne(*s, x).outcome, Outcome::Accepted);
  auto back = s->get(x.key());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, x);
  EXPECT_EQ(back->indicators[0].periods[0].actual, 5e-324);
  EXPECT_FALSE(back->indicators[0].periods[0].numerator.has_value());
  // A later revision replaces the children with the same text again.
  x.revision = 2;
  x.evidence.pop_back();
  ASSERT_EQ(putOne(*s, x).outcome, Outcome::Accepted);
  EXPECT_EQ(s->get(x.key()), x);
}

TEST_P(StoreTest, DuplicateChangesNothing) {
  auto s = db().open();
  auto x = sample();
  ASSERT_EQ(putOne(*s, x, at(2026, 3, 1, 10)).outcome, Outcome::Accepted);
  auto before = db().text("SELECT received_at FROM implementation");
  auto children = db().scalar("SELECT count(*) FROM indicator_period") +
                  db().scalar("SELECT count(*) FROM evidence");

  auto r = putOne(*s, x, at(2026, 3, 2, 11));
  EXPECT_EQ(r.outcome, Outcome::Duplicate);
  EXPECT_EQ(r.storedRevision, 1);
  EXPECT_THAT(r.reason, HasSubstr("nothing changed"));

  EXPECT_EQ(s->count(), 1u);
  EXPECT_EQ(s->history(x.key()).size(), 1u);
  EXPECT_EQ(db().text("SELECT received_at FROM implementation"), before);
  EXPECT_EQ(before, "2026-03-01T10:00:00Z");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM indicator_period") +
                db().scalar("SELECT count(*) FROM evidence"),
            children);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM history"), 1);
}

TEST_P(StoreTest, StaleRevisionNeverOverwrites) {
  auto s = db().open();
  auto newer = sample();
  newer.revision = 5;
  ASSERT_EQ(putOne(*s, newer).outcome, Outcome::Accepted);

  auto older = sample();
  older.revision = 2;
  older.deadline = day("2027-01-01");
  older.evidence.clear();
  auto r = putOne(*s, older);
  EXPECT_EQ(r.outcome, Outcome::Stale);
  EXPECT_EQ(r.reason, "revision 2 is older than stored revision 5; nothing changed");
  EXPECT_EQ(r.storedRevision, 5);
  EXPECT_EQ(s->get(newer.key()), newer);
  EXPECT_EQ(s->history(newer.key()).size(), 1u);
}

TEST_P(StoreTest, SameRevisionWithOtherContentIsRejected) {
  auto s = db().open();
  auto x = sample();
  x.revision = 3;
  ASSERT_EQ(putOne(*s, x).outcome, Outcome::Accepted);
  auto y = x;
  y.indicators[0].periods[0].actual = 9999;
  auto r = putOne(*s, y);
  EXPECT_EQ(r.outcome, Outcome::Rejected);
  EXPECT_EQ(r.reason,
            "revision 3 is already stored with different content: send a higher revision");
  EXPECT_EQ(r.storedRevision, 3);
  EXPECT_EQ(s->get(x.key()), x);
  EXPECT_EQ(s->history(x.key()).size(), 1u);
}

TEST_P(StoreTest, HigherRevisionReplacesRowAndChildrenAndRecordsWhatChanged) {
  auto s = db().open();
  auto v1 = sample();
  ASSERT_EQ(putOne(*s, v1, at(2026, 3, 1, 10)).outcome, Outcome::Accepted);

  auto v2 = v1;
  v2.revision = 2;
  v2.deadline = day("2026-09-30");
  v2.indicators[0].periods[0].actual = 8000;
  v2.assignments.pop_back();
  v2.evidence.push_back({"https://docs.example.uz/3.pdf", "Minutes", "application/pdf",
                         day("2026-06-01"), "k.karimov"});
  auto r = putOne(*s, v2, at(2026, 4, 1, 9));
  EXPECT_EQ(r.outcome, Outcome::Accepted) << r.reason;
  EXPECT_EQ(r.storedRevision, 2);

  EXPECT_EQ(s->get(v1.key()), v2);
  EXPECT_EQ(s->count(), 1u);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM assignment"), 1);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM assignment_deadline_change"), 1);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM evidence"), 3);
  EXPECT_EQ(db().text("SELECT received_at FROM implementation"), "2026-04-01T09:00:00Z");
  EXPECT_EQ(orphanRows(db()), 0);

  auto h = s->history(v1.key());
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].revision, 1);
  EXPECT_EQ(h[1].revision, 2);
  EXPECT_EQ(h[1].receivedAt, "2026-04-01T09:00:00Z");
  EXPECT_EQ(h[1].changes,
            "deadline: 2026-06-30 -> 2026-09-30\n"
            "indicator consultations period 2026-01-01..2026-06-30 actual: 5000 -> 8000\n"
            "assignment A-1.1 removed\n"
            "evidence added: https://docs.example.uz/3.pdf (Minutes)");

  // A higher revision with the same content is accepted and says so.
  auto v3 = v2;
  v3.revision = 3;
  ASSERT_EQ(putOne(*s, v3).outcome, Outcome::Accepted);
  EXPECT_EQ(s->history(v1.key()).back().changes, "no changes apart from the revision");
}

// Control events and comments are journals: a later revision that leaves an entry out does not
// erase it, an entry received again is stored once, and loading gives the union in order.
TEST_P(StoreTest, JournalsKeepTheUnionAcrossRevisionsAndStoreEachEntryOnce) {
  auto s = db().open();
  const auto v1 = sample();
  ASSERT_EQ(putOne(*s, v1, at(2026, 6, 1, 10)).outcome, Outcome::Accepted);
  const auto events = db().scalar("SELECT count(*) FROM journal_control_event");
  const auto comments = db().scalar("SELECT count(*) FROM journal_comment");
  EXPECT_EQ(events, 3);
  EXPECT_EQ(comments, 3);

  // Revision 2 repeats one task event, leaves the others out and adds new entries, one of them
  // dated before an entry already stored.
  auto v2 = v1;
  v2.revision = 2;
  v2.controlEvents.clear();
  v2.comments = {{"a.aliev", "2026-06-01T08:00:00Z", "ru", "Отчёт направлен."}};
  const model::ControlEvent resubmitted{model::ControlStatus::Submitted,
                                        "Regional health department",
                                        day("2026-06-05"),
                                        "",
                                        day("2026-06-04"),
                                        ""};
  const model::ControlEvent backdated{model::ControlStatus::Submitted,
                                      "Regional health department",
                                      day("2026-05-22"),
                                      "",
                                      std::nullopt,
                                      "interim report"};
  v2.assignments[0].controlEvents = {v1.assignments[0].controlEvents[1], resubmitted, backdated};
  v2.assignments[0].comments.clear();
  const model::Comment reply{"Regional health department", "2026-06-05T07:00:00Z", "uz-Latn",
                             "Elektr ulandi."};
  v2.assignments[0].comments.push_back(reply);
  auto r = putOne(*s, v2, at(2026, 6, 5, 10));
  ASSERT_EQ(r.outcome, Outcome::Accepted) << r.reason;
  EXPECT_EQ(db().scalar("SELECT count(*) FROM journal_control_event"), events + 2);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM journal_comment"), comments + 1);

  auto expected = v2;
  expected.controlEvents = v1.controlEvents;
  expected.comments = v1.comments;
  // Events in the order of their dates, comments in the order they arrived.
  expected.assignments[0].controlEvents = {v1.assignments[0].controlEvents[0], backdated,
                                           v1.assignments[0].controlEvents[1], resubmitted};
  expected.assignments[0].comments = {v1.assignments[0].comments[0], reply};
  EXPECT_EQ(s->get(v1.key()), expected);

  const auto h = s->history(v1.key());
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].changes,
            "assignment A-1 control event added: submitted by Regional health department on "
            "2026-06-05, completed 2026-06-04\n"
            "assignment A-1 control event added: submitted by Regional health department on "
            "2026-05-22, reason: interim report\n"
            "assignment A-1 comment added: Regional health department (uz-Latn, "
            "2026-06-05T07:00:00Z): Elektr ulandi.");

  // The same revision again is a duplicate and adds nothing; so is the first revision (stale).
  EXPECT_EQ(putOne(*s, v2).outcome, Outcome::Duplicate);
  EXPECT_EQ(putOne(*s, v1).outcome, Outcome::Stale);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM journal_control_event"), events + 2);
  EXPECT_EQ(s->get(v1.key()), expected);
}

// Entries of one batch: the same entry twice in one record, and two revisions of one key.
TEST_P(StoreTest, JournalEntriesRepeatedInOneBatchAreStoredOnce) {
  auto s = db().open();
  auto v1 = sample();
  v1.comments.push_back(v1.comments[0]);
  auto v2 = sample();
  v2.revision = 2;
  auto results = put(*s, {v1, v2});
  ASSERT_EQ(results.at(0).outcome, Outcome::Accepted) << results[0].reason;
  ASSERT_EQ(results.at(1).outcome, Outcome::Accepted) << results[1].reason;
  EXPECT_EQ(db().scalar("SELECT count(*) FROM journal_comment"), 3);
  EXPECT_EQ(s->get(v1.key())->comments, sample().comments);
}

// Evidence uploaded to the hub is known by its content's hash and size; both come back, and a
// changed hash is a change the history names.
TEST_P(StoreTest, EvidenceKeepsItsContentHashAndSize) {
  auto s = db().open();
  auto x = sample();
  x.evidence.push_back({"/api/v1/evidence/" + std::string(64, 'e'), "Site survey",
                        "application/pdf", day("2026-05-22"), "a.aliev", std::string(64, 'e'),
                        48213});
  ASSERT_EQ(s->upsert(std::vector{x}, std::chrono::system_clock::now()).at(0).outcome,
            Outcome::Accepted);
  EXPECT_EQ(s->get(x.key()), x);
  auto y = x;
  y.revision = 2;
  y.evidence.back().size = 48214;
  ASSERT_EQ(s->upsert(std::vector{y}, std::chrono::system_clock::now()).at(0).outcome,
            Outcome::Accepted);
  EXPECT_EQ(s->get(x.key()), y);
  EXPECT_THAT(s->history(x.key()).back().changes, HasSubstr("size: 48213 -> 48214"));
}

// What a version 2 hub stored: approved_by given means approved; after the migration the same
// revision sent again is still a duplicate (the fingerprint did not change meaning).
TEST_P(StoreTest, VersionTwoDatabaseIsMigratedWithItsApprovalsAsDecisions) {
  const auto x = createEarlierDatabase(db(), 2);
  auto s = db().open();
  EXPECT_EQ(s->schemaVersion(), detail::kLatestSchemaVersion);
  const auto back = s->get(x.key());
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, x);
  EXPECT_EQ(back->deadlineChanges.at(0).decision, model::Decision::Approved);
  EXPECT_EQ(back->deadlineChanges.at(0).decidedBy, "Cabinet of Ministers");
  EXPECT_EQ(back->deadlineChanges.at(1).decision, model::Decision::Pending);
  EXPECT_EQ(back->assignments.at(0).deadlineChanges.at(0).decision, model::Decision::Approved);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM deadline_change WHERE decision = 'approved'"), 1);
  EXPECT_EQ(db().text("SELECT description FROM schema_version WHERE version = 3"),
            "deadline change requests and decisions, titles in other languages, control events "
            "and comments as journals");
  EXPECT_EQ(putOne(*s, x).outcome, Outcome::Duplicate);
  EXPECT_EQ(s->history(x.key()).size(), 1u);

  // The next revision brings execution control in.
  auto next = sample();
  next.indicators.clear();
  next.evidence.clear();
  next.assignments.resize(1);
  next.revision = 2;
  ASSERT_EQ(putOne(*s, next).outcome, Outcome::Accepted);
  EXPECT_EQ(s->get(x.key()), next);
}

TEST_P(StoreTest, UnstorableRecordsAreRejectedAndTheRestOfTheBatchIsStored) {
  auto s = db().open();
  auto good = sample("M-1");
  auto noSource = sample("M-2");
  noSource.source.clear();
  auto badText = sample("M-3");
  badText.measure.title = "broken \xC3\x28 text";
  auto nan = sample("M-4");
  nan.indicators[0].baseline = std::numeric_limits<double>::quiet_NaN();
  auto nul = sample("M-5");
  nul.note = std::string("a\0b", 3);

  auto r = put(*s, {good, noSource, badText, nan, nul});
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].outcome, Outcome::Accepted);
  EXPECT_EQ(r[1].outcome, Outcome::Rejected);
  EXPECT_THAT(r[1].reason, HasSubstr("source is not set"));
  EXPECT_EQ(r[2].outcome, Outcome::Rejected);
  EXPECT_THAT(r[2].reason, HasSubstr("title is not valid UTF-8"));
  EXPECT_EQ(r[3].outcome, Outcome::Rejected);
  EXPECT_THAT(r[3].reason, HasSubstr("not a finite number"));
  EXPECT_EQ(r[4].outcome, Outcome::Rejected);
  EXPECT_THAT(r[4].reason, HasSubstr("NUL"));
  EXPECT_EQ(s->count(), 1u);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM history"), 1);
}

// The database itself refuses one record of a batch: on PostgreSQL a real program_limit_exceeded
// (SQLSTATE 54000: an index row too large, from a test-only index on the title), on SQLite a
// trigger (a constraint error). That record alone is rejected, the rest are stored, and the
// reason the client sees is short, with an error id, and without the driver's words.
TEST_P(StoreTest, DatabaseRefusalOfOneRecordRejectsItAloneWithoutDriverText) {
  auto s = db().open();
  auto refused = sample("M-2");
  std::string secret;  // words only the driver's message carries
  if (GetParam() == "postgresql") {
    *db().raw() << "CREATE INDEX test_title_btree ON implementation (title)";
    // Incompressible, so that the index row cannot shrink under the btree's 2704-byte limit.
    std::mt19937 random(12);
    const std::string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
    refused.measure.title.clear();
    for (int i = 0; i < 6000; ++i) refused.measure.title += alphabet[random() % alphabet.size()];
    secret = "test_title_btree";
  } else {
    *db().raw() << "CREATE TRIGGER test_refuse BEFORE INSERT ON implementation WHEN "
                   "NEW.measure_id = 'M-2' BEGIN SELECT RAISE(ABORT, 'test_secret_refusal'); END";
    secret = "test_secret_refusal";
  }
  auto r = put(*s, {sample("M-1"), refused, sample("M-3")});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].outcome, Outcome::Accepted) << r[0].reason;
  EXPECT_EQ(r[2].outcome, Outcome::Accepted) << r[2].reason;
  ASSERT_EQ(r[1].outcome, Outcome::Rejected) << r[1].reason;
  EXPECT_THAT(r[1].reason, HasSubstr("the database refused this record"));
  EXPECT_THAT(r[1].reason, ::testing::ContainsRegex("error id [0-9a-f]{16}"));
  EXPECT_THAT(r[1].reason, ::testing::Not(HasSubstr(secret)));
  EXPECT_THAT(r[1].reason, ::testing::Not(HasSubstr("index row")));
  if (GetParam() == "postgresql") {
    EXPECT_THAT(r[1].reason, HasSubstr("limit of the database"));
  }
  EXPECT_EQ(s->count(), 2u);
  EXPECT_FALSE(s->get(refused.key()).has_value());
  EXPECT_EQ(db().scalar("SELECT count(*) FROM history"), 2);
}

TEST_P(StoreTest, SameKeyTwiceInABatchIsAppliedInOrder) {
  auto s = db().open();
  auto k = [](std::int64_t rev, const char* note) {
    auto x = sample("M-1");
    x.revision = rev;
    x.note = note;
    return x;
  };
  auto other = sample("A-0");  // sorts before M-1: results must still come back in batch order
  auto r = put(*s, {k(1, "one"), other, k(2, "two")});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].outcome, Outcome::Accepted);
  EXPECT_EQ(r[0].storedRevision, 1);
  EXPECT_EQ(r[1].outcome, Outcome::Accepted);
  EXPECT_EQ(r[2].outcome, Outcome::Accepted);
  EXPECT_EQ(r[2].storedRevision, 2);
  EXPECT_EQ(s->history(k(1, "").key()).size(), 2u);

  r = put(*s, {k(3, "three"), k(3, "three")});
  EXPECT_EQ(r[0].outcome, Outcome::Accepted);
  EXPECT_EQ(r[1].outcome, Outcome::Duplicate);

  r = put(*s, {k(5, "five"), k(4, "four"), k(5, "FIVE")});
  EXPECT_EQ(r[0].outcome, Outcome::Accepted);
  EXPECT_EQ(r[1].outcome, Outcome::Stale);
  EXPECT_EQ(r[2].outcome, Outcome::Rejected);
  EXPECT_EQ(s->get(k(1, "").key())->note, "five");
  auto h = s->history(k(1, "").key());
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[3].changes, "note: three -> five");
}

// A record the database itself refuses (here: a trigger) must leave no partial rows behind, and
// must not take the other records of its batch down with it.
TEST_P(StoreTest, DatabaseErrorInOneRecordLeavesNoPartialRows) {
  auto s = db().open();
  auto existing = sample("M-2");
  ASSERT_EQ(putOne(*s, existing).outcome, Outcome::Accepted);
  {
    auto raw = db().raw();
    if (GetParam() == "sqlite") {
      *raw << "CREATE TRIGGER poison BEFORE INSERT ON evidence WHEN NEW.url = 'poison' "
              "BEGIN SELECT RAISE(ABORT, 'poisoned evidence'); END";
    } else {
      *raw << "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
              "IF NEW.url = 'poison' THEN RAISE EXCEPTION 'poisoned evidence'; END IF; "
              "RETURN NEW; END $$";
      *raw << "CREATE TRIGGER poison BEFORE INSERT ON evidence FOR EACH ROW EXECUTE FUNCTION "
              "poison()";
    }
  }
  auto poisonNew = sample("M-1");
  poisonNew.evidence.push_back({"poison", "", "", day("2026-01-01"), ""});
  auto poisonUpdate = existing;
  poisonUpdate.revision = 2;
  poisonUpdate.note = "changed";
  poisonUpdate.evidence.push_back({"poison", "", "", day("2026-01-01"), ""});
  auto good = sample("M-3");

  auto r = put(*s, {poisonNew, good, poisonUpdate});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].outcome, Outcome::Rejected);
  // The trigger's words stay in the log: the reason is the store's own, with an error id.
  EXPECT_THAT(r[0].reason, HasSubstr("the database refused this record"));
  EXPECT_THAT(r[0].reason, HasSubstr("error id"));
  EXPECT_THAT(r[0].reason, ::testing::Not(HasSubstr("poisoned evidence")));
  EXPECT_EQ(r[0].storedRevision, 0);
  EXPECT_EQ(r[1].outcome, Outcome::Accepted);
  EXPECT_EQ(r[2].outcome, Outcome::Rejected);
  EXPECT_EQ(r[2].storedRevision, 1);

  EXPECT_EQ(s->count(), 2u);
  EXPECT_FALSE(s->get(poisonNew.key()).has_value());
  EXPECT_EQ(s->get(existing.key()), existing);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM history"), 2);
  // Only the children of the two stored implementations remain.
  EXPECT_EQ(db().scalar("SELECT count(*) FROM indicator"), 4);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM indicator_period"), 4);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM deadline_change"), 6);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM assignment"), 4);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM evidence"), 4);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM title_translation"), 6);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM journal_control_event"), 6);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM journal_comment"), 6);
  EXPECT_EQ(orphanRows(db()), 0);
}

// Store::orphanRows (`ijro-hub store check`) names the child tables holding rows whose parent row
// is missing, and how many; rows written outside the hub, on a connection without foreign keys.
TEST_P(StoreTest, OrphanRowsAreCountedPerChildTable) {
  auto s = db().open();
  ASSERT_EQ(putOne(*s, sample()).outcome, Outcome::Accepted);
  EXPECT_TRUE(s->orphanRows().empty());
  const long long id = db().scalar("SELECT id FROM implementation");
  {
    auto raw = db().raw();
    if (GetParam() == "sqlite") *raw << "PRAGMA foreign_keys = OFF";
    *raw << "INSERT INTO evidence (implementation_id, pos, url, title, format, doc_date, uploader) "
            "VALUES (:id, 9, 'u', 't', 'f', '2026-01-01', 'x')",
        soci::use(id + 1000);
    *raw << "INSERT INTO indicator_period (implementation_id, indicator_pos, pos, start_date, "
            "end_date) VALUES (:id, 7, 0, '2026-01-01', '2026-06-30')",
        soci::use(id);
    *raw << "INSERT INTO indicator_period (implementation_id, indicator_pos, pos, start_date, "
            "end_date) VALUES (:id, 7, 1, '2026-01-01', '2026-06-30')",
        soci::use(id);
  }
  EXPECT_EQ(s->orphanRows(),
            (std::map<std::string, long long>{{"evidence", 1}, {"indicator_period", 2}}));
  EXPECT_EQ(orphanRows(db()), 3);
  // The reader refuses the implementation whose periods lack their indicator, saying so.
  try {
    s->get(sample().key());
    ADD_FAILURE() << "an implementation with a period of no indicator was read";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), HasSubstr("indicator period without its indicator"));
  }
}

// Version 13 drops PostgreSQL's per-row foreign key checks of child rows (a quarter of storing a
// national report); the store's writes leave no child row without its parent. SQLite keeps its
// foreign keys.
TEST_P(StoreTest, VersionThirteenDropsPostgresqlChildForeignKeysAndWritesStayWhole) {
  ASSERT_EQ(detail::migrate(*db().raw(), detail::parseStoreUrl(db().url()).dialect, 12), 12);
  const std::string keys =
      GetParam() == "sqlite"
          ? "SELECT count(DISTINCT m.name || '/' || f.id) FROM sqlite_master m, "
            "pragma_foreign_key_list(m.name) f WHERE m.type = 'table'"
          : "SELECT count(*) FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace "
            "WHERE k.contype = 'f' AND n.nspname = current_schema()";
  EXPECT_EQ(db().scalar(keys), 10);
  auto s = db().open();
  EXPECT_EQ(s->schemaVersion(), detail::kLatestSchemaVersion);
  EXPECT_EQ(db().scalar(keys), GetParam() == "sqlite" ? 10 : 0);
  const auto first = sample();
  ASSERT_EQ(putOne(*s, first).outcome, Outcome::Accepted);
  ASSERT_EQ(putOne(*s, sample("M-2")).outcome, Outcome::Accepted);
  auto next = first;
  next.revision = 2;
  next.indicators.pop_back();
  next.assignments.resize(1);
  ASSERT_EQ(putOne(*s, next).outcome, Outcome::Accepted);
  EXPECT_EQ(s->get(first.key()), next);
  EXPECT_EQ(s->count(), 2u);
  EXPECT_EQ(orphanRows(db()), 0);
}

TEST_P(StoreTest, FiltersByRegionPrefixSectorOrganisationMeasureAndText) {
  auto s = db().open();
  auto make = [](const char* measure, const char* region, const char* org, const char* sector,
                 const char* title, const char* note = "") {
    auto x = sample(measure, region, org);
    x.sector = sector;
    x.measure.title = title;
    x.note = note;
    return x;
  };
  std::vector<model::Implementation> batch = {
      make("M-01", "1703", "Ministry of Health", "health", "Coverage 100% in schools"),
      make("M-02", "1703202", "Ministry of Health", "health", "Coverage 100 in schools"),
      make("M-03", "17032", "Ministry of Health", "health", "a_b rule"),
      make("M-04", "1704", "Ministry of Health Care", "health", "axb rule"),
      make("M-05", "1704202", "Ministry of Education", "education", "МАКТАБЛАРНИ ТАЪМИРЛАШ"),
      make("M-06", "17", "Ministry of Education", "education", "National plan", "Ўқитувчилар"),
      make("M-07", "1703", "Hokimiyat", "construction", "Roads", "see m-01 for details"),
  };
  auto results = put(*s, batch);
  for (const auto& r : results) ASSERT_EQ(r.outcome, Outcome::Accepted) << r.reason;

  using V = std::vector<std::string>;
  Filter f;
  f.region = "1703";
  EXPECT_EQ(regions(*s, f), (V{"1703", "1703202", "1703"}));
  f.region = "1703202";
  EXPECT_EQ(measures(*s, f), V{"M-02"});
  f.region = "17";
  EXPECT_EQ(measures(*s, f), V{"M-06"});  // the national level only, not every region
  f.region = "17%";
  EXPECT_TRUE(measures(*s, f).empty());

  f = {};
  f.sector = "education";
  EXPECT_EQ(measures(*s, f), (V{"M-05", "M-06"}));
  f = {};
  f.organisation = "Ministry of Health";
  EXPECT_EQ(measures(*s, f), (V{"M-01", "M-02", "M-03"}));  // exact, not a prefix
  f = {};
  f.measureId = "M-04";
  EXPECT_EQ(measures(*s, f), V{"M-04"});

  f = {};
  f.text = "COVERAGE";
  EXPECT_EQ(measures(*s, f), (V{"M-01", "M-02"}));
  f.text = "0%";  // % is literal
  EXPECT_EQ(measures(*s, f), V{"M-01"});
  f.text = "a_b";  // _ is literal
  EXPECT_EQ(measures(*s, f), V{"M-03"});
  f.text = "!";
  EXPECT_TRUE(measures(*s, f).empty());
  f.text = "мактаблар";  // Cyrillic, case-insensitive
  EXPECT_EQ(measures(*s, f), V{"M-05"});
  f.text = "ЎҚИТУВЧИ";  // Uzbek letters, in the note
  EXPECT_EQ(measures(*s, f), V{"M-06"});
  f.text = "m-01";  // measure id, case-insensitive, and a note mentioning it
  EXPECT_EQ(measures(*s, f), (V{"M-01", "M-07"}));
  f.text = "' OR 1=1 --";
  EXPECT_TRUE(measures(*s, f).empty());

  f = {};
  f.region = "1703";
  f.sector = "health";
  f.text = "schools";
  EXPECT_EQ(measures(*s, f), (V{"M-01", "M-02"}));
}

TEST_P(StoreTest, FiltersBySetsOfRegionsAndSectorsOfAReadScope) {
  auto s = db().open();
  auto make = [](const char* measure, const char* region, const char* sector) {
    auto x = sample(measure, region);
    x.sector = sector;
    return x;
  };
  auto results = put(*s, {make("M-01", "1703", "health"), make("M-02", "1703202", "tax"),
                          make("M-03", "1726", "health"), make("M-04", "1726264", "education"),
                          make("M-05", "17", "health"), make("M-06", "1704", "health")});
  for (const auto& r : results) ASSERT_EQ(r.outcome, Outcome::Accepted) << r.reason;

  using V = std::vector<std::string>;
  Filter f;
  f.regionsIn = {"1703", "1726"};  // each with its districts
  EXPECT_EQ(measures(*s, f), (V{"M-01", "M-02", "M-03", "M-04"}));
  f.regionsIn = {"17"};  // the national level only
  EXPECT_EQ(measures(*s, f), V{"M-05"});
  f.regionsIn = {"17", "1704"};
  EXPECT_EQ(measures(*s, f), (V{"M-05", "M-06"}));
  f = {};
  f.sectorsIn = {"tax", "education"};
  EXPECT_EQ(measures(*s, f), (V{"M-02", "M-04"}));
  // Both sets and the single-value filters narrow each other.
  f.regionsIn = {"1726"};
  EXPECT_EQ(measures(*s, f), V{"M-04"});
  f.region = "1703";
  EXPECT_TRUE(measures(*s, f).empty());
  f = {};
  f.regionsIn = {"1703"};
  f.sector = "health";
  EXPECT_EQ(measures(*s, f), V{"M-01"});
}

TEST_P(StoreTest, ForEachStreamsInKeyOrderAcrossPages) {
  auto s = db().open();
  const std::size_t n = 2 * 500 + 37;
  std::vector<model::Implementation> batch;
  for (std::size_t i = 0; i < n; ++i) {
    model::Implementation x;
    x.source = i % 3 == 0 ? "b-src" : "a-src";
    x.measure.id = "M-" + std::to_string(i % 101);
    x.region = i % 2 ? "1703" : "1703202";
    x.organisation = "Org " + std::to_string(i);
    x.sector = "health";
    x.revision = 1;
    x.indicators = {{"code-" + std::to_string(i), "", "", true, double(i), {}}};
    x.evidence = {{"https://e/" + std::to_string(i), "", "", day("2026-01-01"), ""}};
    batch.push_back(std::move(x));
  }
  std::shuffle(batch.begin(), batch.end(), std::mt19937(7));
  for (const auto& r : put(*s, batch)) ASSERT_EQ(r.outcome, Outcome::Accepted);

  auto key = [](const model::Implementation& x) {
    return std::tie(x.measure.id, x.region, x.organisation, x.source);
  };
  auto expected = batch;
  std::sort(expected.begin(), expected.end(),
            [&](const auto& a, const auto& b) { return key(a) < key(b); });
  auto got = all(*s);
  ASSERT_EQ(got.size(), n);
  EXPECT_TRUE(got == expected);  // order and children

  Filter f;
  f.region = "1703";
  std::size_t seen = 0;
  s->forEach(f, [&](const model::Implementation&) { ++seen; });
  EXPECT_EQ(seen, n);
  f.region = "1703202";
  seen = 0;
  s->forEach(f, [&](const model::Implementation& x) {
    ++seen;
    EXPECT_EQ(x.region, "1703202");
  });
  EXPECT_EQ(seen, (n + 1) / 2);

  // The callback may use the store itself: no connection is held while it runs.
  seen = 0;
  s->forEach({}, [&](const model::Implementation& x) {
    if (seen++ % 250 == 0) {
      EXPECT_TRUE(s->get(x.key()).has_value());
    }
  });
  EXPECT_EQ(seen, n);

  // A callback that throws ends the walk with its exception, while the next page is being read
  // (on first page) or the last (on the second); the store goes on serving.
  for (std::size_t stop : {std::size_t{10}, std::size_t{510}}) {
    seen = 0;
    EXPECT_THROW(s->forEach({},
                            [&](const model::Implementation&) {
                              if (++seen == stop) throw std::runtime_error("the reader went");
                            }),
                 std::runtime_error);
    EXPECT_EQ(seen, stop);
    EXPECT_EQ(all(*s).size(), n);
  }
}

TEST_P(StoreTest, MigrationsAreRecordedAndANewerDatabaseIsRefused) {
  {
    auto s = db().open();
    ASSERT_EQ(putOne(*s, sample()).outcome, Outcome::Accepted);
    EXPECT_EQ(s->schemaVersion(), detail::kLatestSchemaVersion);
  }
  EXPECT_EQ(db().scalar("SELECT count(*) FROM schema_version"),
            static_cast<long long>(detail::migrationCount()));
  EXPECT_EQ(db().scalar("SELECT max(version) FROM schema_version"), detail::kLatestSchemaVersion);
  db().open();  // reopening applies nothing again
  EXPECT_EQ(db().scalar("SELECT count(*) FROM schema_version"),
            static_cast<long long>(detail::migrationCount()));

  {
    int newer = detail::kLatestSchemaVersion + 1;
    *db().raw() << "INSERT INTO schema_version (version, description, applied_at) VALUES "
                   "(:v, 'from the future', '2030-01-01T00:00:00Z')",
        soci::use(newer);
  }
  try {
    db().open();
    FAIL() << "a database newer than the binary was opened";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("schema version " + std::to_string(detail::kLatestSchemaVersion + 1) +
                          ", newer than this ijro-hub knows (" +
                          std::to_string(detail::kLatestSchemaVersion) + ")"));
  }
  EXPECT_EQ(db().scalar("SELECT count(*) FROM implementation"), 1);
}

TEST_P(StoreTest, ReopeningKeepsData) {
  auto x = sample();
  {
    auto s = db().open();
    ASSERT_EQ(putOne(*s, x).outcome, Outcome::Accepted);
    x.revision = 2;
    x.lifecycle = model::Lifecycle::Completed;
    x.completed = day("2026-06-01");
    ASSERT_EQ(putOne(*s, x).outcome, Outcome::Accepted);
  }
  auto s = db().open(1);
  EXPECT_EQ(s->get(x.key()), x);
  auto h = s->history(x.key());
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].changes, "lifecycle: inProgress -> completed\ncompleted: (none) -> 2026-06-01");
  EXPECT_EQ(putOne(*s, x).outcome, Outcome::Duplicate);
}

TEST_P(StoreTest, ConcurrentUpsertsEndConsistent) {
  auto s = db().open(4);
  constexpr int kThreads = 4;
  constexpr int kRevisions = 25;
  auto shared = [](int rev) {
    auto x = sample("SHARED");
    x.revision = rev;
    x.deadline = day("2026-01-01") + std::chrono::days{rev};
    x.note = "revision " + std::to_string(rev);
    x.indicators[0].periods[0].actual = rev * 10.0;
    return x;
  };
  auto own = [](int thread, int rev) {
    auto x = sample("OWN-" + std::to_string(thread));
    x.revision = rev;
    x.note = "revision " + std::to_string(rev);
    return x;
  };

  std::atomic<int> sharedAccepted{0};
  std::vector<std::string> problems[kThreads];
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<int> revs(kRevisions);
      for (int i = 0; i < kRevisions; ++i) revs[i] = i + 1;
      std::shuffle(revs.begin(), revs.end(), std::mt19937(static_cast<unsigned>(t)));
      try {
        for (int i = 0; i < kRevisions; ++i) {
          // Batches in both key orders, so that row locks are requested in both orders.
          std::vector<model::Implementation> batch = {shared(revs[i]), own(t, i + 1)};
          if (i % 2) std::swap(batch[0], batch[1]);
          auto r = s->upsert(batch, Clock::now());
          const auto& rs = i % 2 ? r[1] : r[0];
          const auto& ro = i % 2 ? r[0] : r[1];
          if (rs.outcome == Outcome::Accepted) ++sharedAccepted;
          if (rs.outcome == Outcome::Rejected) problems[t].push_back("shared: " + rs.reason);
          if (ro.outcome != Outcome::Accepted) problems[t].push_back("own: " + ro.reason);
          if (i % 5 == 0) {
            auto cur = s->get(shared(1).key());
            if (!cur || cur->note != "revision " + std::to_string(cur->revision))
              problems[t].push_back("inconsistent read of the shared row");
            std::size_t n = 0;
            s->forEach({}, [&](const model::Implementation&) { ++n; });
            if (n == 0 || n > kThreads + 1) problems[t].push_back("odd forEach count");
          }
        }
      } catch (const std::exception& e) {
        problems[t].push_back(e.what());
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& p : problems) {
    EXPECT_TRUE(p.empty()) << p.front();
  }

  EXPECT_EQ(s->count(), static_cast<std::size_t>(kThreads + 1));
  EXPECT_EQ(s->get(shared(1).key()), shared(kRevisions));
  auto h = s->history(shared(1).key());
  ASSERT_EQ(static_cast<int>(h.size()), sharedAccepted.load());
  EXPECT_EQ(h.front().changes, "created");
  for (std::size_t i = 1; i < h.size(); ++i) EXPECT_LT(h[i - 1].revision, h[i].revision);
  EXPECT_EQ(h.back().revision, kRevisions);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(s->get(own(t, 1).key()), own(t, kRevisions));
    EXPECT_EQ(s->history(own(t, 1).key()).size(), static_cast<std::size_t>(kRevisions));
  }
  EXPECT_EQ(db().scalar("SELECT count(*) FROM indicator"), 2 * (kThreads + 1));
}

// Submitted batches (Store::submit) from several threads, beside batches written with upsert:
// each callback comes once, after its batch is committed (a plain session sees every record of it
// when the callback runs), with upsert's outcomes; what the store cannot hold is rejected without
// a write, and a batch with nothing to write is answered within submit.
TEST_P(StoreTest, SubmittedBatchesAreAnsweredOnceAfterTheirCommitWithUpsertsOutcomes) {
  auto s = db().open(4);
  EXPECT_EQ(s->submits(), GetParam() == "sqlite");
  constexpr int kThreads = 4;
  constexpr int kBatches = 10;
  auto record = [](int thread, int batch, int k, std::int64_t revision) {
    return sample(
        "SUB-" + std::to_string(thread) + "-" + std::to_string(batch) + "-" + std::to_string(k),
        "1703", "Ministry of Health", revision);
  };
  struct Answer {
    std::vector<UpsertResult> results;
    bool error = false;
    long long visible = -1;  // the batch's rows a plain session saw in the callback
  };
  std::mutex m;
  std::condition_variable cv;
  std::map<std::pair<int, int>, std::vector<Answer>> answers;
  std::vector<std::thread> threads;
  std::atomic<int> upsertsOk{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<model::Implementation> batch = {record(t, b, 1, 1), record(t, b, 2, 1)};
        if (b % 3 == 2) {  // written while the caller waits, between the submissions
          auto r = s->upsert(batch, Clock::now());
          if (r.size() == 2 && r[0].outcome == Outcome::Accepted &&
              r[1].outcome == Outcome::Accepted)
            ++upsertsOk;
          continue;
        }
        const std::string prefix = "SUB-" + std::to_string(t) + "-" + std::to_string(b) + "-%";
        s->submit(std::move(batch), Clock::now(), {},
                  [&, t, b, prefix](std::vector<UpsertResult> results, std::exception_ptr error) {
                    Answer a{std::move(results), error != nullptr, -1};
                    auto raw = db().raw();
                    *raw << "SELECT count(*) FROM implementation WHERE measure_id LIKE :p",
                        soci::use(prefix), soci::into(a.visible);
                    std::lock_guard lock(m);
                    answers[{t, b}].push_back(std::move(a));
                    cv.notify_all();
                  });
      }
    });
  }
  for (auto& th : threads) th.join();
  const std::size_t expected = kThreads * (kBatches - kBatches / 3);
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(
        cv.wait_for(lock, std::chrono::seconds(30), [&] { return answers.size() == expected; }));
  }
  EXPECT_EQ(upsertsOk.load(), kThreads * (kBatches / 3));
  for (const auto& [which, got] : answers) {
    ASSERT_EQ(got.size(), 1u) << "batch " << which.first << "/" << which.second;
    EXPECT_FALSE(got[0].error);
    ASSERT_EQ(got[0].results.size(), 2u);
    for (const auto& r : got[0].results) EXPECT_EQ(r.outcome, Outcome::Accepted) << r.reason;
    EXPECT_EQ(got[0].visible, 2);
  }
  EXPECT_EQ(s->count(), static_cast<std::size_t>(2 * kThreads * kBatches));

  // Sent again: duplicates; an older revision is stale; one the store cannot hold is rejected.
  auto again = record(0, 0, 1, 1);
  auto newer = record(0, 0, 2, 2);
  auto unstorableOne = record(9, 9, 9, 1);
  unstorableOne.source.clear();
  std::promise<std::vector<UpsertResult>> mixed;
  s->submit({again, newer, unstorableOne}, Clock::now(), {},
            [&](std::vector<UpsertResult> r, std::exception_ptr) { mixed.set_value(r); });
  auto r = mixed.get_future().get();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].outcome, Outcome::Duplicate);
  EXPECT_EQ(r[1].outcome, Outcome::Accepted) << r[1].reason;
  EXPECT_EQ(r[2].outcome, Outcome::Rejected);
  EXPECT_EQ(s->get(newer.key())->revision, 2);

  // Nothing storable: answered before submit returns.
  bool answered = false;
  s->submit({unstorableOne}, Clock::now(), {},
            [&](std::vector<UpsertResult> r1, std::exception_ptr) {
              answered = r1.size() == 1 && r1[0].outcome == Outcome::Rejected;
            });
  EXPECT_TRUE(answered);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

TEST(StoreOpen, UnknownSchemeNamesTheAcceptedForms) {
  try {
    Store::open("mysql://user:secret@host/db");
    FAIL() << "opened an unsupported URL";
  } catch (const StoreError& e) {
    std::string what = e.what();
    EXPECT_THAT(what, HasSubstr("sqlite:/path/to/hub.db"));
    EXPECT_THAT(what, HasSubstr("postgresql://"));
    EXPECT_THAT(what, ::testing::Not(HasSubstr("secret")));
  }
  EXPECT_THROW(Store::open("sqlite:"), StoreError);
  EXPECT_THROW(Store::open("postgresql:not a conninfo"), StoreError);
}

TEST(StoreOpen, UnreachablePostgresqlIsAStoreErrorWithoutThePassword) {
  try {
    Store::open("postgresql://dbname=x host=/nonexistent port=1 user=u password=hunter2");
    FAIL();
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot open"));
    EXPECT_THAT(e.what(), ::testing::Not(HasSubstr("hunter2")));
  }
}

TEST(StoreOpen, InMemorySqliteWorks) {
  auto s = Store::open("sqlite::memory:", 4);
  EXPECT_EQ(s->upsert(std::vector{sample()}, Clock::now()).at(0).outcome, Outcome::Accepted);
  EXPECT_EQ(s->get(sample().key()), sample());
}

}  // namespace
}  // namespace ijro::store::test
