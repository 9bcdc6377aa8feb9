// PostgreSQL-specific behaviour: races between writers, and lost connections.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <future>
#include <thread>

#include "hub/store/changes.hpp"
#include "store_fixture.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::store::test {
namespace {

using namespace std::chrono_literals;

// Another writer inserts the same key between our look-up and our insert: the upsert waits for
// it (INSERT ... ON CONFLICT), then compares against the row that writer committed.
TEST(StorePostgres, InsertRaceWithAnotherWriterIsResolved) {
  FreshDatabase db("postgresql");
  auto s = db.open();
  auto theirs = sample();
  theirs.revision = 3;
  auto raw = db.raw();
  *raw << "BEGIN";
  std::string fp = fingerprint(theirs);
  *raw << "INSERT INTO implementation (source, measure_id, region, organisation, sector, revision, "
          "lifecycle, start_date, deadline, title, act_type, act_number, act_date, act_item, note, "
          "search_text, fingerprint, received_at) VALUES (:s, :m, :r, :o, 'health', 3, "
          "'inProgress', '2026-01-01', '2026-06-30', '', '', '', '2020-10-05', '', '', '', :fp, "
          "'2026-01-01T00:00:00Z')",
      soci::use(theirs.source), soci::use(theirs.measure.id), soci::use(theirs.region),
      soci::use(theirs.organisation), soci::use(fp);

  auto ours = sample();
  ours.revision = 2;
  auto pending = std::async(std::launch::async, [&] {
    return s->upsert(std::vector{ours}, std::chrono::system_clock::now());
  });
  EXPECT_EQ(pending.wait_for(500ms), std::future_status::timeout) << "did not wait for the lock";
  *raw << "COMMIT";
  auto r = pending.get();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].outcome, Outcome::Stale) << r[0].reason;
  EXPECT_EQ(r[0].storedRevision, 3);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM implementation"), 1);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM history"), 0);
}

// A table grown from nothing is planned as if nearly empty until its statistics are renewed;
// autovacuum does that only within a minute or more. The store renews them itself once the rows
// written since the last renewal reach the table's size then (at least 500): ANALYZE, seen as
// last_analyze (autovacuum's would be last_autoanalyze), with a small sample (statistics target
// 10: histograms of at most 11 bounds, where the server's default makes up to 101).
TEST(StorePostgres, WritingManyRowsRenewsThePlannersStatistics) {
  FreshDatabase db("postgresql");
  auto s = db.open(2);
  const std::string analyzed =
      "SELECT count(*) FROM pg_stat_user_tables WHERE relid = CAST('implementation' AS regclass) "
      "AND last_analyze IS NOT NULL";
  ASSERT_EQ(db.scalar(analyzed), 0);
  std::vector<model::Implementation> batch;
  for (int i = 0; i < 600; ++i) {
    auto x = sample("M-" + std::to_string(i));
    x.source = "tests";
    batch.push_back(x);
  }
  for (const auto& r : s->upsert(batch, std::chrono::system_clock::now()))
    ASSERT_EQ(r.outcome, Outcome::Accepted) << r.reason;
  // The renewal runs on the store's own thread: wait for it (statistics are published within
  // about a second of it).
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (db.scalar(analyzed) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  EXPECT_EQ(db.scalar(analyzed), 1) << "the statistics were not renewed within 30 s";
  EXPECT_GE(db.scalar("SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE oid = "
                      "CAST('implementation' AS regclass)"),
            600);
  EXPECT_LE(db.scalar("SELECT coalesce(max(array_length(CAST(CAST(histogram_bounds AS TEXT) AS "
                      "TEXT[]), 1)), 0) FROM pg_stats WHERE schemaname = current_schema() AND "
                      "tablename = 'implementation'"),
            11);
  EXPECT_GT(db.scalar("SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() AND "
                      "tablename = 'implementation' AND histogram_bounds IS NOT NULL"),
            0);
}

TEST(StorePostgres, RecoversWhenTheServerDropsItsConnections) {
  FreshDatabase db("postgresql");
  auto s = db.open(2);
  auto x = sample();
  ASSERT_EQ(s->upsert(std::vector{x}, std::chrono::system_clock::now()).at(0).outcome,
            Outcome::Accepted);
  auto terminate = [&] {
    long long killed = 0;
    std::string app = db.schema();
    *db.raw() << "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                 "application_name = :app AND pid <> pg_backend_pid()",
        soci::use(app), soci::into(killed);
    EXPECT_GE(killed, 1);
  };
  terminate();
  EXPECT_EQ(s->get(x.key()), x);
  terminate();
  EXPECT_EQ(s->count(), 1u);
  terminate();
  EXPECT_TRUE(s->ping());
  terminate();
  x.revision = 2;
  x.note = "after the restart";
  auto r = s->upsert(std::vector{x}, std::chrono::system_clock::now());
  EXPECT_EQ(r.at(0).outcome, Outcome::Accepted) << r.at(0).reason;
  EXPECT_EQ(s->get(x.key()), x);
}

// The throwaway cluster's role ijro_pw must give its password (SCRAM; tests/pg/pg.sh): the store
// opens with the password given beside the URL, is refused without it, and the refusal does not
// carry the password.
TEST(StorePostgres, APasswordGivenBesideTheUrlIsTheOneLibpqUses) {
  std::string url = ::ijro::test::postgresUrl();
  url.replace(url.find("dbname=ijro_test"), 16, "dbname=ijro_pw_store");
  url.replace(url.find("user=postgres"), 13, "user=ijro_pw");
  auto s = Store::open(url, 1, "store-password-for-tests");
  s->upsert(std::vector{sample()}, std::chrono::system_clock::now());
  EXPECT_EQ(s->count(), 1u);
  try {
    Store::open(url, 1, "a-wrong-password");
    FAIL() << "opened with a wrong password";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("password authentication failed"));
    EXPECT_THAT(e.what(), ::testing::Not(::testing::HasSubstr("a-wrong-password")));
  }
}

}  // namespace
}  // namespace ijro::store::test
