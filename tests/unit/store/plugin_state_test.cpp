// The plugin side of the store on both backends: checkpoints committed with their records, the
// change feed and sink cursors, dead letters and their replay; and the version 1 -> 2 migration.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <set>
#include <thread>

#include "hub/store/migrations.hpp"
#include "hub/store/text.hpp"
#include "store_fixture.hpp"

namespace ijro::store::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Clock = std::chrono::system_clock;

class PluginStateTest : public StoreTest {
 protected:
  // Makes the database refuse to store the checkpoint "poison" (a trigger), so that the
  // transaction that carries it fails after its records were written.
  void poisonCheckpoints() {
    auto raw = db().raw();
    const std::string poison = detail::encodeBase64("poison");
    if (GetParam() == "sqlite") {
      for (const char* op : {"INSERT", "UPDATE"})
        *raw << std::string("CREATE TRIGGER poison_") + op + " BEFORE " + op +
                    " ON plugin_checkpoint WHEN NEW.data = '" + poison +
                    "' BEGIN SELECT RAISE(ABORT, 'poisoned checkpoint'); END";
    } else {
      *raw << "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
              "IF NEW.data = '" +
                  poison +
                  "' THEN RAISE EXCEPTION 'poisoned checkpoint'; END IF; RETURN NEW; END $$";
      *raw << "CREATE TRIGGER poison BEFORE INSERT OR UPDATE ON plugin_checkpoint FOR EACH ROW "
              "EXECUTE FUNCTION poison()";
    }
  }
};

model::Implementation from(const std::string& source, const std::string& measure,
                           std::int64_t revision = 1) {
  auto x = sample(measure);
  x.source = source;
  x.revision = revision;
  return x;
}

DeadLetter letter(DeadLetterKind kind, const std::string& owner, const std::string& record,
                  const std::string& reason) {
  DeadLetter d;
  d.kind = kind;
  d.owner = owner;
  d.key = {owner, "M-1", "1703", "Ministry of Health"};
  d.revision = 4;
  d.record = record;
  d.reason = reason;
  return d;
}

TEST_P(PluginStateTest, CheckpointIsCommittedWithTheRecords) {
  auto s = db().open();
  EXPECT_FALSE(s->checkpoint("dhis2").has_value());

  const std::string bytes("cursor\0\xff\x01 end", 13);  // opaque: NUL and non-UTF-8 bytes too
  auto r = s->upsert(std::vector{from("dhis2", "M-1"), from("dhis2", "M-2")}, Clock::now(),
                     Checkpoint{"dhis2", bytes});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].outcome, Outcome::Accepted);
  EXPECT_EQ(s->count(), 2u);
  EXPECT_EQ(s->checkpoint("dhis2"), bytes);
  EXPECT_FALSE(s->checkpoint("other").has_value());

  // The next poll moves it on; a poll without records may move it too.
  s->upsert(std::vector{from("dhis2", "M-3")}, Clock::now(), Checkpoint{"dhis2", "page 2"});
  EXPECT_EQ(s->checkpoint("dhis2"), "page 2");
  s->upsert(std::vector<model::Implementation>{}, Clock::now(), Checkpoint{"dhis2", ""});
  EXPECT_EQ(s->checkpoint("dhis2"), "");
  EXPECT_EQ(s->count(), 3u);
  // The old two-argument form still works and leaves checkpoints alone.
  EXPECT_EQ(s->upsert(std::vector{from("dhis2", "M-4")}, Clock::now()).at(0).outcome,
            Outcome::Accepted);
  EXPECT_EQ(s->checkpoint("dhis2"), "");
}

TEST_P(PluginStateTest, FailedTransactionStoresNothingAndKeepsTheCheckpoint) {
  auto s = db().open();
  s->upsert(std::vector{from("dhis2", "M-1")}, Clock::now(), Checkpoint{"dhis2", "one"});
  const auto historyBefore = s->lastHistoryId();
  poisonCheckpoints();

  auto changed = from("dhis2", "M-1", 2);
  changed.note = "second revision";
  try {
    s->upsert(std::vector{changed, from("dhis2", "M-2")}, Clock::now(),
              Checkpoint{"dhis2", "poison"});
    FAIL() << "the poisoned checkpoint was stored";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), HasSubstr("poisoned checkpoint"));
    EXPECT_THAT(e.what(), HasSubstr("rolled back"));
  }
  // Neither the records nor their history nor the checkpoint moved.
  EXPECT_EQ(s->count(), 1u);
  EXPECT_EQ(s->get(changed.key())->revision, 1);
  EXPECT_EQ(s->lastHistoryId(), historyBefore);
  EXPECT_EQ(s->checkpoint("dhis2"), "one");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM history"), 1);

  // The same poll again, once the database takes it, stores everything exactly once.
  auto r = s->upsert(std::vector{changed, from("dhis2", "M-2")}, Clock::now(),
                     Checkpoint{"dhis2", "two"});
  EXPECT_EQ(r[0].outcome, Outcome::Accepted);
  EXPECT_EQ(r[1].outcome, Outcome::Accepted);
  EXPECT_EQ(s->checkpoint("dhis2"), "two");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM history"), 3);
}

TEST_P(PluginStateTest, DeadLettersCommitWithThePoll) {
  auto s = db().open();
  ASSERT_EQ(s->upsert(std::vector{from("dhis2", "M-1")}, Clock::now()).at(0).outcome,
            Outcome::Accepted);
  auto conflicting = from("dhis2", "M-1");  // same revision, other content: the store refuses it
  conflicting.note = "other content";
  UpsertOptions opts;
  opts.checkpoint = Checkpoint{"dhis2", "after"};
  opts.deadLetters = {letter(DeadLetterKind::Source, "dhis2", "{not json", "not valid JSON")};
  opts.deadLetterRejected = [&](std::size_t i, const std::string& reason) {
    EXPECT_EQ(i, 0u);
    auto d = letter(DeadLetterKind::Source, "dhis2", "{\"record\":1}", "store: " + reason);
    d.key = conflicting.key();
    return d;
  };
  auto r = s->upsert(std::vector{conflicting, from("dhis2", "M-2")}, Clock::now(), opts);
  EXPECT_EQ(r[0].outcome, Outcome::Rejected);
  EXPECT_EQ(r[1].outcome, Outcome::Accepted);

  auto dead = s->deadLetters({});
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].record, "{not json");
  EXPECT_EQ(dead[0].reason, "not valid JSON");
  EXPECT_EQ(dead[0].kind, DeadLetterKind::Source);
  EXPECT_EQ(dead[0].owner, "dhis2");
  EXPECT_EQ(dead[0].state, ReplayState::Dead);
  EXPECT_EQ(dead[0].revision, 4);
  EXPECT_FALSE(dead[0].historyId.has_value());
  EXPECT_FALSE(dead[0].createdAt.empty());
  EXPECT_THAT(dead[1].reason, HasSubstr("send a higher revision"));
  EXPECT_EQ(dead[1].key, conflicting.key());
  EXPECT_LT(dead[0].id, dead[1].id);
}

TEST_P(PluginStateTest, ChangeFeedFollowsHistoryInCommitOrder) {
  auto s = db().open();
  EXPECT_TRUE(s->changesAfter(0, 10).empty());
  EXPECT_EQ(s->lastHistoryId(), 0);
  s->upsert(std::vector{from("a", "M-1"), from("a", "M-2")}, Clock::now());
  s->upsert(std::vector{from("b", "M-3")}, Clock::now());
  s->upsert(std::vector{from("a", "M-1")}, Clock::now());  // duplicate: no change, no history
  auto m1 = from("a", "M-1", 2);
  m1.note = "revision 2";
  s->upsert(std::vector{m1}, Clock::now());
  const auto last = s->lastHistoryId();

  auto all = s->changesAfter(0, 100);
  // M-1 changed twice: it comes back once, as it is now, with its last history id.
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].current.measure.id, "M-2");
  EXPECT_EQ(all[1].current.measure.id, "M-3");
  EXPECT_EQ(all[1].current.source, "b");
  EXPECT_EQ(all[2].current, m1);
  EXPECT_EQ(all[2].historyId, last);
  EXPECT_LT(all[0].historyId, all[1].historyId);
  EXPECT_TRUE(s->changesAfter(last, 100).empty());

  // Pages of two history rows: the first has both creations, M-1 still at its current revision.
  auto page = s->changesAfter(0, 2);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].current, m1);
  EXPECT_EQ(page[1].current.measure.id, "M-2");
  auto next = s->changesAfter(page.back().historyId, 2);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].current.measure.id, "M-3");
  EXPECT_EQ(next[1].historyId, last);
  EXPECT_TRUE(s->changesAfter(0, 0).empty());
}

TEST_P(PluginStateTest, SinkCursorOnlyMovesForwardAndCommitsItsDeadLetters) {
  auto s = db().open();
  EXPECT_EQ(s->sinkCursor("files"), 0);
  s->advanceSinkCursor("files", 5, {});
  EXPECT_EQ(s->sinkCursor("files"), 5);
  s->advanceSinkCursor("files", 3, {});
  EXPECT_EQ(s->sinkCursor("files"), 5);
  std::vector<DeadLetter> dead = {letter(DeadLetterKind::Sink, "files", "{}", "refused")};
  dead[0].historyId = 7;
  s->advanceSinkCursor("files", 7, dead);
  EXPECT_EQ(s->sinkCursor("files"), 7);
  EXPECT_EQ(s->sinkCursor("other"), 0);
  auto back = s->deadLetters({DeadLetterKind::Sink, "files", {}, {}, 0, 10});
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].historyId, 7);
  EXPECT_EQ(back[0].reason, "refused");
}

TEST_P(PluginStateTest, DeadLettersAreFilteredQueuedAndReplayed) {
  auto s = db().open();
  auto a = s->addDeadLetter(letter(DeadLetterKind::Source, "dhis2", "{\"a\":1}", "bad sector"));
  auto b = s->addDeadLetter(letter(DeadLetterKind::Sink, "files", "{\"b\":1}", "refused"));
  auto c = s->addDeadLetter(letter(DeadLetterKind::Sink, "files", "{\"c\":1}", "refused"));
  auto d = s->addDeadLetter(letter(DeadLetterKind::Sink, "ministry", "{\"d\":1}", "refused"));
  EXPECT_LT(a, b);

  auto ids = [](const std::vector<DeadLetter>& v) {
    std::vector<std::int64_t> out;
    for (const auto& x : v) out.push_back(x.id);
    return out;
  };
  EXPECT_THAT(ids(s->deadLetters({})), ElementsAre(a, b, c, d));
  EXPECT_THAT(ids(s->deadLetters({DeadLetterKind::Sink, {}, {}, {}, 0, 100})),
              ElementsAre(b, c, d));
  EXPECT_THAT(ids(s->deadLetters({DeadLetterKind::Sink, "files", {}, {}, 0, 100})),
              ElementsAre(b, c));
  EXPECT_THAT(ids(s->deadLetters({std::nullopt, std::nullopt, {a, d}, {}, 0, 100})),
              ElementsAre(a, d));
  EXPECT_THAT(ids(s->deadLetters({std::nullopt, std::nullopt, {}, {}, b, 100})), ElementsAre(c, d));
  EXPECT_THAT(ids(s->deadLetters({std::nullopt, std::nullopt, {}, {}, 0, 2})), ElementsAre(a, b));

  // Queue the sink "files": only its dead letters, once.
  DeadLetterFilter files{DeadLetterKind::Sink, "files", {}, {}, 0, 100};
  EXPECT_THAT(s->queueReplay(files), ElementsAre(b, c));
  EXPECT_TRUE(s->queueReplay(files).empty());
  auto queued = s->deadLetters({std::nullopt, std::nullopt, {}, {ReplayState::Queued}, 0, 100});
  EXPECT_THAT(ids(queued), ElementsAre(b, c));
  EXPECT_EQ(queued[0].state, ReplayState::Queued);

  // b went through; c failed again and is dead once more, with the new reason.
  s->markReplayed(std::vector<std::int64_t>{b});
  s->returnToDeadLetters(c, "still refused");
  auto all = s->deadLetters({});
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[1].state, ReplayState::Replayed);
  EXPECT_FALSE(all[1].replayedAt.empty());
  EXPECT_EQ(all[2].state, ReplayState::Dead);
  EXPECT_EQ(all[2].reason, "still refused");
  EXPECT_EQ(all[2].attempts, 1);
  EXPECT_THAT(
      ids(s->deadLetters(
          {std::nullopt, std::nullopt, {}, {ReplayState::Dead, ReplayState::Queued}, 0, 100})),
      ElementsAre(a, c, d));
  // A replayed one cannot be queued again, nor returned.
  EXPECT_TRUE(s->queueReplay({std::nullopt, std::nullopt, {b}, {}, 0, 100}).empty());
  s->returnToDeadLetters(b, "ignored");
  EXPECT_EQ(s->deadLetters({std::nullopt, std::nullopt, {b}, {}, 0, 100}).at(0).state,
            ReplayState::Replayed);
}

TEST_P(PluginStateTest, MalformedRecordTextIsKeptReadably) {
  auto s = db().open();
  const std::string bad = std::string("{\"note\":\"") + '\xff' + '\0' + "\"}";
  auto id = s->addDeadLetter(letter(DeadLetterKind::Source, "dhis2", bad, "not valid UTF-8"));
  auto back = s->deadLetters({std::nullopt, std::nullopt, {id}, {}, 0, 1});
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].record, "{\"note\":\"\\xFF\\x00\"}");
}

// With several writers at once, a reader following the change feed with a cursor still sees
// every change: history ids are taken in commit order.
TEST_P(PluginStateTest, CursorReaderMissesNothingWhileWritersRace) {
  auto s = db().open(6);
  constexpr int kWriters = 4, kBatches = 30;
  std::atomic<int> done{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w)
    writers.emplace_back([&, w] {
      for (int b = 0; b < kBatches; ++b)
        s->upsert(std::vector{from("w" + std::to_string(w), "M-" + std::to_string(b) + "-a"),
                              from("w" + std::to_string(w), "M-" + std::to_string(b) + "-b")},
                  Clock::now());
      ++done;
    });
  std::set<std::string> seen;
  std::int64_t cursor = 0;
  for (;;) {
    const bool finished = done == kWriters;
    auto page = s->changesAfter(cursor, 7);
    for (const auto& c : page) seen.insert(c.current.source + "/" + c.current.measure.id);
    if (!page.empty()) cursor = page.back().historyId;
    if (finished && page.empty()) break;
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kWriters * kBatches * 2));
}

TEST_P(PluginStateTest, VersionOneDatabaseIsMigratedKeepingItsData) {
  auto x = sample();
  {
    auto s = db().open();
    s->upsert(std::vector{x}, Clock::now());
  }
  {
    // Back to what a version 1 hub left behind.
    auto raw = db().raw();
    for (const char* t :
         {"dead_letter", "sink_cursor", "plugin_checkpoint", "evidence_upload", "evidence_content"})
      *raw << std::string("DROP TABLE ") + t;
    *raw << "DELETE FROM schema_version WHERE version > 1";
  }
  auto s = db().open();
  EXPECT_EQ(s->schemaVersion(), detail::kLatestSchemaVersion);
  EXPECT_EQ(s->get(x.key()), x);
  EXPECT_EQ(s->changesAfter(0, 10).size(), 1u);
  EXPECT_EQ(s->sinkCursor("files"), 0);
  EXPECT_EQ(db().text("SELECT description FROM schema_version WHERE version = 2"),
            "plugin checkpoints, sink cursors and dead letters");
}

INSTANTIATE_TEST_SUITE_P(Backends, PluginStateTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

TEST(StoreText, Base64RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= 5; ++n) {
    auto part = all.substr(0, n);
    EXPECT_EQ(detail::decodeBase64(detail::encodeBase64(part)), part) << n;
  }
  EXPECT_EQ(detail::decodeBase64(detail::encodeBase64(all)), all);
  EXPECT_EQ(detail::encodeBase64("poison"), "cG9pc29u");
  EXPECT_EQ(detail::encodeBase64("ab"), "YWI=");
  EXPECT_FALSE(detail::decodeBase64("abc").has_value());
  EXPECT_FALSE(detail::decodeBase64("ab!=").has_value());
}

TEST(StoreText, StorableTextEscapesOnlyWhatIsNotText) {
  EXPECT_EQ(detail::storableText("Ургут ok"), "Ургут ok");
  EXPECT_EQ(detail::storableText(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(detail::storableText("x\xc3"), "x\\xC3");
}

}  // namespace
}  // namespace ijro::store::test
