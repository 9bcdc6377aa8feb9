// sql-query's parts on a SQLite database made here (the query's checks, the connection string,
// rows as records), and the plugin through the test kit: polls, the checkpoint, rejected rows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <ijro_testkit.hpp>
#include <string>

#include "sql_rows.hpp"

namespace {

namespace fs = std::filesystem;
using namespace ijro::sql_query;
using namespace ijro::mapping;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr const char* kQuery =
    "SELECT m.id, m.title, o.name AS organisation, m.soato, m.due_date, m.status, m.percent, "
    "m.updated_at FROM measures m JOIN organisations o ON o.id = m.organisation_id "
    "WHERE m.updated_at > :checkpoint ORDER BY m.updated_at";

const std::vector<ijro::sdk::Table::Row> kColumns{
    {"measure", "id"},      {"title", "title"},       {"organisation", "organisation"},
    {"region", "soato"},    {"deadline", "due_date"}, {"status", "status"},
    {"progress", "percent"}};
const std::vector<ijro::sdk::Table::Row> kDefaults{{"sector", "education"},
                                                   {"act_type", "resolution"},
                                                   {"act_number", "PQ-112"},
                                                   {"act_date", "2026-01-20"},
                                                   {"start", "2026-01-01"}};
const std::vector<ijro::sdk::Table::Row> kStatuses{{"В работе", "inProgress"},
                                                   {"Не начато", "planned"}};

fs::path database(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("sql-query-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path file = dir / (name + ".db");
  fs::remove(file);
  soci::session sql(*soci::factory_sqlite3(), "db=" + file.string());
  sql << "CREATE TABLE organisations (id INTEGER PRIMARY KEY, name TEXT NOT NULL)";
  sql << "CREATE TABLE measures (id TEXT PRIMARY KEY, title TEXT, organisation_id INTEGER, "
         "soato TEXT, due_date TEXT, status TEXT, percent REAL, updated_at TEXT)";
  sql << "INSERT INTO organisations VALUES (1, 'Andijon XTB'), (2, 'Asaka hokimligi')";
  sql << "INSERT INTO measures VALUES "
         "('M-1', 'Maktab', 1, '1703', '2026-12-31', 'В работе', 40, '2026-11-01 10:00:00'),"
         "('M-2', 'Yo''l', 2, '1703202', '31.12.2026', 'В работе', 10, '2026-11-02 10:00:00'),"
         "('M-3', 'Suv', 2, '1703202', '2027-03-01', 'Не начато', 0, '2026-11-03 10:00:00')";
  return file;
}

void execute(const fs::path& file, const std::string& statement) {
  soci::session sql(*soci::factory_sqlite3(), "db=" + file.string());
  sql << statement;
}

TEST(SqlQueryText, OnlyOneSelectIsAccepted) {
  EXPECT_EQ(checkedQuery("  SELECT id FROM m; ", false), "SELECT id FROM m");
  EXPECT_EQ(checkedQuery("with x as (select 1) select * from x", false),
            "with x as (select 1) select * from x");
  // Words and semicolons inside quotes and comments are text, not statements.
  EXPECT_NO_THROW(checkedQuery("SELECT 'a;b', \"update\" FROM m -- delete; it\n", false));
  EXPECT_NO_THROW(checkedQuery("SELECT id::text FROM m WHERE updated_at > :checkpoint", true));
  auto refusal = [](const std::string& q, bool checkpoint) -> std::string {
    try {
      checkedQuery(q, checkpoint);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_THAT(refusal("DELETE FROM m", false), HasSubstr("it is not a SELECT"));
  EXPECT_THAT(refusal("SELECT 1; DROP TABLE m", false), HasSubstr("more than one statement"));
  EXPECT_THAT(refusal("WITH d AS (DELETE FROM m RETURNING *) SELECT * FROM d", false),
              HasSubstr("the word delete"));
  EXPECT_THAT(refusal("SELECT * INTO backup FROM m", false), HasSubstr("the word into"));
  EXPECT_THAT(refusal("SELECT * FROM m", true), HasSubstr("it must use :checkpoint"));
  EXPECT_THAT(refusal("SELECT * FROM m WHERE a > :checkpoint", false),
              HasSubstr("no checkpoint_column"));
  EXPECT_THAT(refusal("SELECT * FROM m WHERE a > :since", false), HasSubstr(":since"));
  EXPECT_THAT(refusal("SELECT 'open", false), HasSubstr("quote is not closed"));
}

TEST(SqlQueryConnection, SqliteIsOpenedReadOnlyAndAnUnknownBackendIsNotEchoed) {
  EXPECT_EQ(connectionOf("sqlite3:///var/db/x.db").parameters, "db=/var/db/x.db readonly=true");
  EXPECT_EQ(connectionOf("sqlite3://db=x.db timeout=5").parameters,
            "db=x.db timeout=5 readonly=true");
  EXPECT_EQ(connectionOf("postgresql://dbname=t password=pw").backend,
            Connection::Backend::Postgres);
  try {
    connectionOf("mysql://db=t password=Secret-77");
    FAIL() << "mysql was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("sqlite3:// or postgresql://"));
    EXPECT_THAT(e.what(), ::testing::Not(HasSubstr("Secret-77")));
  }
}

TEST(SqlQueryRun, AMissingDatabaseFileIsNotCreatedAndThePollRetries) {
  const fs::path missing = fs::temp_directory_path() / "sql-query-no-such-dir-xyz" / "none.db";
  EXPECT_THROW(runQuery(connectionOf("sqlite3://db=" + missing.string()), "SELECT 1", std::nullopt,
                        [](const Row&) { return true; }),
               ijro::sdk::RetryLater);
  EXPECT_FALSE(fs::exists(missing));
}

TEST(SqlQueryRun, TheCheckpointIsBoundAndRowsComeWithTheirColumns) {
  const fs::path db = database("bound");
  std::vector<Row> rows;
  runQuery(connectionOf("sqlite3://db=" + db.string()), checkedQuery(kQuery, true),
           std::string("2026-11-01 10:00:00"), [&](const Row& r) {
             rows.push_back(r);
             return true;
           });
  ASSERT_THAT(rows, SizeIs(2));
  EXPECT_EQ(rows[0][0].column, "id");
  EXPECT_EQ(rows[0][0].value->text, "M-2");
  EXPECT_EQ(rows[1][0].value->text, "M-3");
  EXPECT_EQ(rows[1][6].value->kind, Value::Kind::Number);
}

TEST(SqlQueryRows, ARowThatCannotBeMappedIsRejectedNamingItsKeyAndColumn) {
  RowMapper mapper(ijro::sdk::Table(kColumns),
                   Mapping(ijro::sdk::Table(kColumns), ijro::sdk::Table(kDefaults),
                           ijro::sdk::Table(kStatuses), "columns"),
                   "updated_at");
  Row row{{"id", Value{Value::Kind::Text, "M-2", 0}},
          {"title", Value{Value::Kind::Text, "Yo'l", 0}},
          {"organisation", Value{Value::Kind::Text, "Asaka", 0}},
          {"SOATO", Value{Value::Kind::Text, "1703202", 0}},
          {"due_date", Value{Value::Kind::Text, "31.12.2026", 0}},
          {"status", Value{Value::Kind::Text, "Bekor", 0}},
          {"percent", Value{Value::Kind::Number, "10", 10}},
          {"updated_at", Value{Value::Kind::Text, "2026-11-02 10:00:00", 0}}};
  mapper.checkColumns(row);  // column names compare without regard to case
  const auto r = mapper.map(row, 2, 1);
  EXPECT_FALSE(r.record);
  EXPECT_THAT(r.rejected, HasSubstr("row 2 (measure M-2), column due_date: \"31.12.2026\" is not "
                                    "a date (YYYY-MM-DD)"));
  EXPECT_THAT(r.rejected, HasSubstr("row 2 (measure M-2), column status: \"Bekor\" is not a "
                                    "known status"));
  EXPECT_EQ(r.checkpointValue, "2026-11-02 10:00:00");
  row.pop_back();
  try {
    mapper.checkColumns(row);
    FAIL() << "a row without the checkpoint column passed";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("checkpoint_column updated_at"));
  }
}

TEST(SqlQueryRows, LaterComparesNumbersAsNumbersAndTimestampsAsText) {
  EXPECT_TRUE(later("10", "9"));
  EXPECT_FALSE(later("9", "10"));
  EXPECT_TRUE(later("2026-11-02 10:00:00", "2026-11-01 23:00:00"));
}

ijro::testkit::Options options(const fs::path& db) {
  return {
      {"connection", "sqlite3://db=" + db.string()}, {"query", kQuery},
      {"checkpoint_column", "updated_at"},           {"checkpoint_start", "1970-01-01 00:00:00"},
      {"columns", ijro::sdk::tableText(kColumns)},   {"defaults", ijro::sdk::tableText(kDefaults)},
      {"statuses", ijro::sdk::tableText(kStatuses)}};
}

TEST(SqlQueryPlugin, EachPollReadsOnlyTheRowsPastTheCommittedCheckpoint) {
  const fs::path db = database("polls");
  ijro::testkit::PluginUnderTest p(IJRO_PLUGIN_PATH, options(db));
  auto first = p.poll();
  ASSERT_EQ(first.status, ijro::testkit::Status::Ok) << first.message;
  ASSERT_THAT(first.records, SizeIs(2));  // M-2 is rejected: its due date is no date
  EXPECT_THAT(first.rejected, SizeIs(0));
  EXPECT_EQ(first.records[0].field("measure.id"), "M-1");
  EXPECT_EQ(first.records[0].field("organisation"), "Andijon XTB");
  EXPECT_EQ(first.records[0].field("lifecycle"), "inProgress");
  EXPECT_EQ(first.records[1].field("region"), "1703202");
  EXPECT_EQ(first.records[1].field("lifecycle"), "planned");
  EXPECT_EQ(first.checkpoint, "2026-11-03 10:00:00");
  EXPECT_EQ(p.counters().at("rows_rejected"), 1);

  auto idle = p.poll();
  ASSERT_EQ(idle.status, ijro::testkit::Status::Ok) << idle.message;
  EXPECT_THAT(idle.records, SizeIs(0));

  execute(db,
          "UPDATE measures SET due_date = '2026-12-31', updated_at = '2026-11-04 08:00:00' "
          "WHERE id = 'M-2'");
  auto second = p.poll();
  ASSERT_EQ(second.status, ijro::testkit::Status::Ok) << second.message;
  ASSERT_THAT(second.records, SizeIs(1));
  EXPECT_EQ(second.records[0].field("measure.id"), "M-2");
  EXPECT_EQ(second.checkpoint, "2026-11-04 08:00:00");
  EXPECT_EQ(p.counters().at("rows_read"), 3);
}

TEST(SqlQueryPlugin, AQueryWithoutAMappedColumnFailsThePollNamingIt) {
  const fs::path db = database("columns");
  auto o = options(db);
  o["query"] = "SELECT id, title FROM measures WHERE updated_at > :checkpoint";
  ijro::testkit::PluginUnderTest p(IJRO_PLUGIN_PATH, o);
  const auto run = p.poll();
  EXPECT_EQ(run.status, ijro::testkit::Status::Error);
  EXPECT_THAT(run.message, HasSubstr("deadline -> due_date"));
  EXPECT_EQ(run.checkpoint, std::nullopt);
}

TEST(SqlQueryPlugin, ConfigurationMistakesStopTheInstance) {
  const fs::path db = database("config");
  auto refusal = [&](const std::string& name, const std::string& value) -> std::string {
    auto o = options(db);
    if (value.empty())
      o.erase(name);
    else
      o[name] = value;
    try {
      ijro::testkit::PluginUnderTest p(IJRO_PLUGIN_PATH, o);
    } catch (const ijro::testkit::PluginError& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_THAT(refusal("query", "UPDATE measures SET status = 'x'"), HasSubstr("option query"));
  EXPECT_THAT(refusal("checkpoint_start", ""), HasSubstr("option checkpoint_start"));
  EXPECT_THAT(refusal("connection", "oracle://x"), HasSubstr("option connection"));
  EXPECT_THAT(refusal("statuses", R"({"В работе":"working"})"), HasSubstr("option statuses"));
}

}  // namespace
