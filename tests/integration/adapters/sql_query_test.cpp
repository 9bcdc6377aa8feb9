// The sql-query plugin, built as bundled (plugins/sql_query), loaded by bare name into the real
// `ijro-hub serve`, in the hub's process and isolated, reading a region's tracking database made
// from the stand-in's SQL files (examples/stand-ins/sql-database) on SQLite and on PostgreSQL:
// every row that can be mapped reaches /api/v1/measures with the database's values, the row with
// a bad date is rejected naming its key and column, and after the database changes the next poll
// reads only the rows past the checkpoint. And `ijro-hub plugin test` runs it on the SQLite file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>

#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/wait.hpp"

namespace ijro::test {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kReader = "sql-query-read-token";
constexpr const char* kAsOf = "2026-11-28";
constexpr const char* kInstance = "andijan-db";

const std::map<std::string, std::string> kStatuses{{"В работе", "inProgress"},
                                                   {"Не начато", "planned"},
                                                   {"Выполнено", "completed"},
                                                   {"Приостановлено", "suspended"}};

constexpr const char* kQuery =
    "SELECT m.id, m.title, o.name AS organisation, m.soato, m.sector, m.decree_number, "
    "m.decree_date, m.start_date, m.due_date, m.done_date, m.status, m.percent, m.remark, "
    "m.updated_at FROM measures m JOIN organisations o ON o.id = m.organisation_id "
    "WHERE m.updated_at > :checkpoint ORDER BY m.updated_at";

fs::path standIn(const std::string& file) {
  return sourceDir() / "examples/stand-ins/sql-database" / file;
}

// Runs the statements of one of the stand-in's SQL files.
void runSqlFile(soci::session& sql, const std::string& file) {
  std::ifstream in(standIn(file));
  std::string text, line;
  while (std::getline(in, line))
    if (line.rfind("--", 0) != 0) text += line + "\n";
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = text.find(";\n", at);
    const std::string statement = text.substr(at, end == std::string::npos ? end : end - at);
    if (statement.find_first_not_of(" \n") != std::string::npos) sql << statement;
    if (end == std::string::npos) break;
    at = end + 2;
  }
}

// One row of the source database, as the database itself holds it.
struct Row {
  std::string title, organisation, soato, sector, decreeNumber, start, due, status, percent,
      updatedAt;
  std::optional<std::string> done;
};

// The rows whose due date is an ISO date (the others are the ones the plugin must reject).
std::map<std::string, Row> expectedRows(soci::session& sql) {
  std::map<std::string, Row> rows;
  std::string id;
  Row r;
  std::string done;
  soci::indicator doneInd = soci::i_ok;
  soci::statement st =
      (sql.prepare << "SELECT m.id, m.title, o.name, m.soato, m.sector, m.decree_number, "
                      "m.start_date, m.due_date, m.done_date, m.status, m.percent, m.updated_at "
                      "FROM measures m JOIN organisations o ON o.id = m.organisation_id",
       soci::into(id), soci::into(r.title), soci::into(r.organisation), soci::into(r.soato),
       soci::into(r.sector), soci::into(r.decreeNumber), soci::into(r.start), soci::into(r.due),
       soci::into(done, doneInd), soci::into(r.status), soci::into(r.percent),
       soci::into(r.updatedAt));
  st.execute();
  while (st.fetch()) {
    if (r.due.size() != 10 || r.due[4] != '-') continue;
    Row copy = r;
    if (doneInd == soci::i_ok) copy.done = done;
    rows[id] = copy;
  }
  return rows;
}

std::int64_t unixSecondsOf(const std::string& timestamp) {
  std::tm t{};
  std::istringstream in(timestamp);
  in >> std::get_time(&t, "%Y-%m-%d %H:%M:%S");
  return static_cast<std::int64_t>(timegm(&t));
}

std::string optionsXml(const std::string& connection) {
  std::string o;
  auto rows = [&](const std::string& name,
                  const std::vector<std::pair<std::string, std::string>>& r) {
    o += "      <option name=\"" + name + "\">\n";
    for (const auto& [k, v] : r) o += "        <row key=\"" + k + "\" value=\"" + v + "\"/>\n";
    o += "      </option>\n";
  };
  o += "      <option name=\"connection\">" + connection + "</option>\n";
  o += std::string("      <option name=\"query\">") + kQuery + "</option>\n";
  o += "      <option name=\"checkpoint_column\">updated_at</option>\n";
  o += "      <option name=\"checkpoint_start\">1970-01-01 00:00:00</option>\n";
  rows("columns", {{"measure", "id"},
                   {"title", "title"},
                   {"organisation", "organisation"},
                   {"region", "soato"},
                   {"sector", "sector"},
                   {"act_number", "decree_number"},
                   {"act_date", "decree_date"},
                   {"start", "start_date"},
                   {"deadline", "due_date"},
                   {"completed", "done_date"},
                   {"status", "status"},
                   {"progress", "percent"},
                   {"comment", "remark"}});
  rows("defaults", {{"act_type", "resolution"}});
  rows("statuses", {kStatuses.begin(), kStatuses.end()});
  return o;
}

fs::path writeConfig(const fs::path& dir, const std::string& isolation,
                     const std::string& connection) {
  const fs::path config = dir / "hub.xml";
  std::ofstream(config) << R"(<hub xmlns="urn:ijro-hub:config:1" id="sql-query-it">
  <log level="info"/>
  <readers>
    <reader id="ministry" token=")"
                        << kReader << R"(" regions="*" sectors="*"/>
  </readers>
  <plugins>
    <source id=")" << kInstance
                        << R"(" library="sql_query" isolation=")" << isolation
                        << R"(" interval="200ms" jitter="0" regions="1703" sectors="*">
)" << optionsXml(connection)
                        << R"(    </source>
  </plugins>
</hub>
)";
  return config;
}

std::map<std::string, json::object> measuresById(HubProcess& hub) {
  std::map<std::string, json::object> byId;
  const auto res = hub.get(std::string("/api/v1/measures?asOf=") + kAsOf, kReader);
  if (res.status != 200) return byId;
  const json::value doc = json::parse(res.body);
  for (const auto& i : doc.at("items").as_array())
    byId[std::string(i.at("measure").as_string())] = i.as_object();
  return byId;
}

// The plugin's counter `name` on /metrics; -1 when it is not there yet.
long counter(HubProcess& hub, const std::string& name) {
  const std::string body = hub.get("/metrics", kReader).body;
  const std::string key = std::string("ijro_plugin_counter_total{instance=\"") + kInstance +
                          "\",kind=\"source\",name=\"" + name + "\"} ";
  const std::size_t at = body.find(key);
  if (at == std::string::npos) return -1;
  return std::stol(body.substr(at + key.size()));
}

void expectSame(const std::map<std::string, Row>& expected,
                std::map<std::string, json::object>& got) {
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [id, row] : expected) {
    ASSERT_EQ(got.count(id), 1u) << id;
    const json::object& m = got[id];
    EXPECT_EQ(m.at("source").as_string(), kInstance) << id;
    EXPECT_EQ(m.at("title").as_string(), row.title) << id;
    EXPECT_EQ(m.at("organisation").as_string(), row.organisation) << id;
    EXPECT_EQ(m.at("region").as_string(), row.soato) << id;
    EXPECT_EQ(m.at("sector").as_string(), row.sector) << id;
    EXPECT_EQ(m.at("start").as_string(), row.start) << id;
    EXPECT_EQ(m.at("originalDeadline").as_string(), row.due) << id;
    EXPECT_EQ(m.at("lifecycle").as_string(), kStatuses.at(row.status)) << id;
    if (row.done)
      EXPECT_EQ(m.at("completed").as_string(), *row.done) << id;
    else
      EXPECT_TRUE(m.at("completed").is_null()) << id;
    // The hub leaves a suspended measure out of its evaluation: no progress shown.
    if (m.at("lifecycle") == "suspended")
      EXPECT_TRUE(m.at("progress").is_null()) << id;
    else
      EXPECT_DOUBLE_EQ(m.at("progress").to_number<double>(), std::stod(row.percent) / 100) << id;
    // Without a revision column, the checkpoint column's time is the revision.
    EXPECT_EQ(m.at("revision").as_int64(), unixSecondsOf(row.updatedAt)) << id;
  }
}

// The source database: a SQLite file made by the stand-in's make.py, or a schema of its own in
// the test cluster of PostgreSQL with the same SQL files.
class SourceDatabase {
 public:
  SourceDatabase(const std::string& backend, const fs::path& dir) : backend_(backend) {
    if (backend_ == "sqlite") {
      file_ = dir / "andijan.db";
      make(1);
      session_ = std::make_unique<soci::session>(*soci::factory_sqlite3(), "db=" + file_.string());
      return;
    }
    const std::string base = postgresUrl();
    pg_ = base.substr(base.find("://") + 3);
    schema_ = "sql_query_" + std::to_string(::getpid()) + "_" + std::to_string(++serial_);
    soci::session admin(*soci::factory_postgresql(), pg_);
    admin << "SET client_min_messages TO warning";
    admin << "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE";
    admin << "CREATE SCHEMA " + schema_;
    session_ = std::make_unique<soci::session>(*soci::factory_postgresql(), parameters());
    runSqlFile(*session_, "schema.sql");
    runSqlFile(*session_, "rows-1.sql");
  }
  ~SourceDatabase() {
    session_.reset();
    if (schema_.empty()) return;
    soci::session admin(*soci::factory_postgresql(), pg_);
    admin << "SET client_min_messages TO warning";
    admin << "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE";
  }
  // The plugin's connection option.
  std::string connection() const {
    return backend_ == "sqlite" ? "sqlite3://db=" + file_.string() : "postgresql://" + parameters();
  }
  void laterChanges() {
    if (backend_ == "sqlite")
      make(2);
    else
      runSqlFile(*session_, "rows-2.sql");
  }
  soci::session& session() { return *session_; }

 private:
  std::string parameters() const { return pg_ + " options='-c search_path=" + schema_ + "'"; }
  void make(int stage) const {
    const std::string command = "python3 " + standIn("make.py").string() + " --out " +
                                file_.string() + " --stage " + std::to_string(stage) +
                                " > /dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static inline int serial_ = 0;
  std::string backend_, pg_, schema_;
  fs::path file_;
  std::unique_ptr<soci::session> session_;
};

class SqlQueryInTheHub : public ::testing::TestWithParam<std::tuple<const char*, const char*>> {};

TEST_P(SqlQueryInTheHub, RowsReachTheMeasuresAndTheNextPollReadsOnlyRowsPastTheCheckpoint) {
  const std::string backend = std::get<0>(GetParam()), isolation = std::get<1>(GetParam());
  const auto dir = tempDir("sql-query-" + backend + "-" + isolation);
  SourceDatabase db(backend, dir);
  HubProcess hub(dir, writeConfig(dir, isolation, db.connection()));
  hub.start();

  const auto before = expectedRows(db.session());
  ASSERT_EQ(before.size(), 5u);  // rows-1.sql: six rows, one with a due date that is no date
  std::map<std::string, json::object> got;
  ASSERT_TRUE(waitFor([&] {
    got = measuresById(hub);
    return got.size() == before.size();
  })) << hub.log();
  expectSame(before, got);
  ASSERT_TRUE(waitFor([&] {
    return hub.log().find(
               "(measure AND-SQL-06), column due_date: \"31.12.2026\" is not a date "
               "(YYYY-MM-DD)") != std::string::npos;
  })) << hub.log();
  EXPECT_EQ(counter(hub, "rows_read"), 5);
  EXPECT_EQ(counter(hub, "rows_rejected"), 1);

  db.laterChanges();
  const auto after = expectedRows(db.session());
  ASSERT_EQ(after.size(), 6u);
  ASSERT_TRUE(waitFor([&] {
    got = measuresById(hub);
    return got.size() == after.size() && got["AND-SQL-02"].at("lifecycle") == "completed";
  })) << hub.log();
  expectSame(after, got);
  // The poll after the change read the two changed rows and nothing it had read before.
  EXPECT_EQ(counter(hub, "rows_read"), 7);
  EXPECT_EQ(counter(hub, "rows_rejected"), 1);

  hub.signal(SIGTERM);
  EXPECT_EQ(hub.wait(), 0) << hub.log();
}

INSTANTIATE_TEST_SUITE_P(SqliteAndPostgresInProcessAndIsolated, SqlQueryInTheHub,
                         ::testing::Combine(::testing::Values("sqlite", "postgres"),
                                            ::testing::Values("inProcess", "process")),
                         [](const auto& p) {
                           return std::string(std::get<0>(p.param)) + "_" + std::get<1>(p.param);
                         });

TEST(SqlQueryPluginTest, PluginTestPrintsTheRowsOfTheDatabase) {
  const auto dir = tempDir("sql-query-plugin-test");
  SourceDatabase db("sqlite", dir);
  const fs::path options = dir / "options.xml";
  std::ofstream(options) << "<options xmlns=\"urn:ijro-hub:plugin-options:1\">\n"
                         << optionsXml(db.connection()) << "</options>\n";
  const auto r = runHub({"plugin", "test", IJRO_PLUGIN_PATH, "--options", options.string()});
  EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
  for (const auto& [id, row] : expectedRows(db.session())) {
    EXPECT_THAT(r.out, HasSubstr(id));
    EXPECT_THAT(r.out, HasSubstr(row.title));
  }
}

}  // namespace
}  // namespace ijro::test
