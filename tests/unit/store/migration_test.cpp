// Stores written by earlier versions of ijro-hub are migrated with their data intact: a SQLite
// store made by the schema-2 hub (tests/fixtures/schema2-store.db, see the README there) is opened
// by today's store and every implementation row, child row and history row is still there.
#include <gtest/gtest.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "hub/store/migrations.hpp"
#include "hub/store/store.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::store::test {
namespace {

namespace fs = std::filesystem;

// A copy of the fixture, so the test never changes the file in the repository.
fs::path copyOfFixture() {
  auto dir = ijro::test::tempDir("migration");
  auto copy = dir / "schema2.db";
  fs::copy_file(ijro::test::sourceDir() / "tests/fixtures/schema2-store.db", copy,
                fs::copy_options::overwrite_existing);
  return copy;
}

// Every row of the tables a schema-2 store holds, as text, in a stable order: what must survive.
std::map<std::string, std::vector<std::string>> snapshot(const fs::path& db) {
  soci::session sql(*soci::factory_sqlite3(), db.string());
  const std::map<std::string, std::string> queries = {
      {"implementation",
       "SELECT source || '|' || measure_id || '|' || region || '|' || organisation || '|' || "
       "revision || '|' || fingerprint || '|' || received_at || '|' || title FROM implementation "
       "ORDER BY id"},
      {"history",
       "SELECT id || '|' || source || '|' || measure_id || '|' || region || '|' || organisation "
       "|| '|' || revision || '|' || received_at || '|' || changes FROM history ORDER BY id"},
      {"indicator_period",
       "SELECT implementation_id || '|' || indicator_pos || '|' || pos || '|' || "
       "coalesce(actual, '') FROM indicator_period ORDER BY 1"},
      {"assignment",
       "SELECT implementation_id || '|' || pos || '|' || assignment_id || '|' || control FROM "
       "assignment ORDER BY 1"},
      {"deadline_change",
       "SELECT implementation_id || '|' || pos || '|' || deadline FROM deadline_change ORDER BY 1"},
      {"evidence", "SELECT implementation_id || '|' || pos || '|' || url FROM evidence ORDER BY 1"},
  };
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [table, query] : queries) {
    soci::rowset<std::string> rows = (sql.prepare << query);
    for (const auto& r : rows) out[table].push_back(r);
  }
  return out;
}

TEST(StoreMigration, FixtureIsASchemaTwoStoreWithHistory) {
  auto copy = copyOfFixture();
  soci::session sql(*soci::factory_sqlite3(), copy.string());
  int version = 0;
  sql << "SELECT max(version) FROM schema_version", soci::into(version);
  EXPECT_EQ(version, 2);
  auto before = snapshot(copy);
  EXPECT_EQ(before["implementation"].size(), 10u);
  EXPECT_EQ(before["history"].size(), 11u);  // one implementation has revisions 1 and 2
}

TEST(StoreMigration, SchemaTwoStoreKeepsEveryRowWhenMigrated) {
  auto copy = copyOfFixture();
  auto before = snapshot(copy);
  {
    auto store = Store::open("sqlite:" + copy.string());
    EXPECT_EQ(store->schemaVersion(), detail::kLatestSchemaVersion);
    // Every history row is readable through the store, oldest first.
    auto h = store->history(
        {"tashkent-city", "DU2030-2.4.3", "1726", "Tashkent City Health Department"});
    ASSERT_EQ(h.size(), 2u);
    EXPECT_EQ(h[0].revision, 1);
    EXPECT_EQ(h[1].revision, 2);
    EXPECT_NE(h[1].changes.find("28750"), std::string::npos) << h[1].changes;
    auto x = store->get(
        {"andijan-region", "DU2030-2.5.1", "1703", "Andijan Regional Health Department"});
    ASSERT_TRUE(x.has_value());
    EXPECT_EQ(x->revision, 1);
  }
  auto after = snapshot(copy);
  for (const auto& [table, rows] : before) EXPECT_EQ(after[table], rows) << table;
}

// The two sources that reported Tashkent's DU2030-2.4.3 (spelling the organisation differently)
// become one implementation; its history holds all three reports.
TEST(StoreMigration, SchemaTwoRowsOfOneImplementationBecomeOne) {
  auto copy = copyOfFixture();
  auto store = Store::open("sqlite:" + copy.string());
  EXPECT_EQ(store->count(), 9u);  // 10 source rows, one implementation reported twice
  std::vector<model::Implementation> tashkent;
  Filter f;
  f.measureId = "DU2030-2.4.3";
  f.region = "1726";
  store->forEach(f, [&](const model::Implementation& x) { tashkent.push_back(x); });
  ASSERT_EQ(tashkent.size(), 1u);
  EXPECT_EQ(tashkent[0].source, "health-ministry");  // equal priorities: the latest received
  HistoryQuery q{"DU2030-2.4.3"};
  q.region = "1726";
  q.organisation = "Tashkent City Health Department";
  auto h = store->historyOf(q);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].key.source, "health-ministry");
  EXPECT_EQ(h[0].revision, 7);
  EXPECT_EQ(h[1].revision, 2);
  EXPECT_EQ(h[2].revision, 1);
  // Priorities configured later choose the current state among the migrated rows.
  store->setIdentity({OrganisationDirectory(), {{"tashkent-city", 10}}});
  tashkent.clear();
  store->forEach(f, [&](const model::Implementation& x) { tashkent.push_back(x); });
  ASSERT_EQ(tashkent.size(), 1u);
  EXPECT_EQ(tashkent[0].source, "tashkent-city");
  EXPECT_EQ(tashkent[0].revision, 2);
}

}  // namespace
}  // namespace ijro::store::test
