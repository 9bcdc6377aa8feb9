// The real `ijro-hub serve` when its database fails: a record the database refuses, a full disk,
// a failing fsync, a write lock held too long, a power loss, a PostgreSQL crash mid-batch. In each
// case the client gets no 2xx for data that is not on disk, nothing is half-stored, and the hub
// takes the same report once the fault is gone.
//
// Disk and fsync faults come from tests/support/fault_fs.c, loaded into the hub with LD_PRELOAD:
// it makes writes or syncs of the store's files fail while the test has it armed, and records the
// size of each file at each sync (what a power loss would leave).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <future>
#include <map>
#include <regex>
#include <sstream>

#include "hub/exchange/report.hpp"
#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/wait.hpp"

namespace ijro::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kTashkent = "demo-tashkent-token";
constexpr const char* kNational = "demo-national-read-token";
constexpr const char* kJson = "application/json";

model::Implementation sample(const std::string& id) {
  model::Implementation m;
  m.measure.id = id;
  m.measure.title = "Connect schools to the electronic diary";
  m.measure.act = {"decree", "UP-6079", *model::parseDate("2020-10-05"), "1.2"};
  m.region = "1726";
  m.organisation = "Ministry of Public Education";
  m.sector = "education";
  m.revision = 1;
  m.lifecycle = model::Lifecycle::InProgress;
  m.start = *model::parseDate("2026-01-01");
  m.deadline = *model::parseDate("2027-06-30");
  return m;
}

std::string report(const std::string& prefix, int n) {
  std::vector<model::Implementation> records;
  for (int i = 1; i <= n; ++i) records.push_back(sample(prefix + "-" + std::to_string(i)));
  return exchange::writeReportJson("tashkent-city", records);
}

std::string headerOf(const http::Response& res, const std::string& lowerName) {
  for (const auto& [name, value] : res.headers)
    if (name == lowerName) return value;
  return {};
}

std::vector<std::string> outcomes(const http::Response& res) {
  std::vector<std::string> out;
  const auto receipt = boost::json::parse(res.body);
  for (const auto& r : receipt.at("records").as_array())
    out.emplace_back(r.at("outcome").as_string());
  return out;
}

bool is2xx(const http::Response& res) {
  return res.status >= 200 && res.status < 300;
}

// The hub serving config/hub.xml with its SQLite store in DIR/db/hub.db, optionally under the
// fault shim.
class StoreFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::canonical(tempDir("store-faults"));
    std::filesystem::create_directories(dir_ / "db");
    db_ = dir_ / "db" / "hub.db";
    control_ = dir_ / "fault";
    syncLog_ = dir_ / "synced";
  }
  std::unique_ptr<HubProcess> hub(bool shim) {
    auto h = std::make_unique<HubProcess>(dir_, sourceDir() / "config/hub.xml",
                                          "sqlite:" + db_.string());
    if (shim) {
      h->env["LD_PRELOAD"] = IJRO_FAULT_FS;
      h->env["IJRO_FAULT_DIR"] = (dir_ / "db").string() + "/";
      h->env["IJRO_FAULT_CONTROL"] = control_.string();
      h->env["IJRO_FAULT_SYNC_LOG"] = syncLog_.string();
      // The shared ASan runtime wants to come first; the shim sits before it and forwards.
      const char* asan = std::getenv("ASAN_OPTIONS");
      h->env["ASAN_OPTIONS"] =
          std::string(asan ? asan : "") + (asan && *asan ? ":" : "") + "verify_asan_link_order=0";
    }
    h->start();
    return h;
  }
  void arm(const std::string& fault) { std::ofstream(control_) << fault << "\n"; }
  std::size_t stored(HubProcess& h) {
    auto res = h.get("/api/v1/measures?pageSize=1", kNational);
    EXPECT_EQ(res.status, 200) << res.body;
    if (res.status != 200) return 0;
    return boost::json::parse(res.body).at("total").to_number<std::size_t>();
  }
  bool has(HubProcess& h, const std::string& measureId) {
    auto res = h.get("/api/v1/measures?measure=" + measureId, kNational);
    return res.status == 200 &&
           boost::json::parse(res.body).at("total").to_number<std::size_t>() == 1;
  }
  std::filesystem::path dir_, db_, control_, syncLog_;
};

// A trigger of the database refuses one record: that record is rejected, the others are stored,
// and the receipt carries a short reason and an error id, never the database's own words (which
// go to the log, under the same id).
TEST_F(StoreFaultTest, RecordTheDatabaseRefusesGetsShortReasonWithErrorIdInTheReceipt) {
  auto h = hub(false);
  {
    soci::session sql(*soci::factory_sqlite3(), "db=" + db_.string());
    sql << "CREATE TRIGGER test_refuse BEFORE INSERT ON implementation WHEN "
           "NEW.measure_id = 'REFUSE-2' BEGIN SELECT RAISE(ABORT, 'test_secret_refusal'); END";
  }
  auto res = h->post("/api/v1/reports", report("REFUSE", 3), kJson, kTashkent);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(outcomes(res), (std::vector<std::string>{"accepted", "rejected", "accepted"}));
  EXPECT_THAT(res.body, Not(HasSubstr("test_secret_refusal")));
  EXPECT_THAT(res.body, Not(HasSubstr("test_refuse")));
  auto reason = std::string(
      boost::json::parse(res.body).at("records").as_array()[1].at("reason").as_string());
  std::smatch id;
  ASSERT_TRUE(std::regex_search(reason, id, std::regex("error id ([0-9a-f]{16})"))) << reason;
  EXPECT_THAT(reason, HasSubstr("the database refused this record"));
  // The log line with the detail carries the same id.
  std::regex logLine(id[1].str() + "[^\n]*test_secret_refusal");
  EXPECT_TRUE(std::regex_search(h->log(), logLine)) << h->log();
  EXPECT_EQ(stored(*h), 2u);
}

// The disk fills up while a report is being stored: no 2xx, nothing of the report is stored, and
// once there is room again the same report is taken whole.
TEST_F(StoreFaultTest, DiskFullGetsNo2xxStoresNothingAndRecovers) {
  auto h = hub(true);
  ASSERT_EQ(h->post("/api/v1/reports", report("BEFORE", 2), kJson, kTashkent).status, 200);
  arm("enospc");
  const auto body = report("FULL", 5);
  auto res = h->post("/api/v1/reports", body, kJson, kTashkent);
  EXPECT_FALSE(is2xx(res)) << res.status << " " << res.body;
  EXPECT_TRUE(res.status == 503 || res.status == 507) << res.status << " " << res.body;
  EXPECT_FALSE(headerOf(res, "retry-after").empty());
  arm("");
  // All or nothing: SQLite committed none of it.
  EXPECT_EQ(stored(*h), 2u);
  for (int i = 1; i <= 5; ++i) EXPECT_FALSE(has(*h, "FULL-" + std::to_string(i)));
  auto again = h->post("/api/v1/reports", body, kJson, kTashkent);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(outcomes(again), std::vector<std::string>(5, "accepted"));
  EXPECT_EQ(stored(*h), 7u);
}

// fsync of the write-ahead log fails (EIO): the commit is not durable, so no 2xx; the report is
// taken once syncing works again, and nothing is stored twice.
TEST_F(StoreFaultTest, FailedFsyncGetsNo2xxAndTheRetryStoresTheReportOnce) {
  auto h = hub(true);
  arm("eio-sync");
  const auto body = report("SYNC", 4);
  auto res = h->post("/api/v1/reports", body, kJson, kTashkent);
  EXPECT_FALSE(is2xx(res)) << res.status << " " << res.body;
  EXPECT_EQ(res.status, 503) << res.body;
  arm("");
  auto again = h->post("/api/v1/reports", body, kJson, kTashkent);
  ASSERT_EQ(again.status, 200) << again.body;
  for (const auto& o : outcomes(again)) EXPECT_TRUE(o == "accepted" || o == "duplicate") << o;
  EXPECT_EQ(stored(*h), 4u);
}

// Another process holds SQLite's write lock longer than the hub's busy timeout (10 s): the hub
// answers 503 with Retry-After and without the driver's message; once the lock is released, the
// client's retry succeeds.
TEST_F(StoreFaultTest, WriteLockHeldPastTheBusyTimeoutGets503WithRetryAfter) {
  auto h = hub(false);
  const auto body = report("BUSY", 3);
  soci::session other(*soci::factory_sqlite3(), "db=" + db_.string());
  other << "BEGIN IMMEDIATE";
  auto res = h->post("/api/v1/reports", body, kJson, kTashkent);
  EXPECT_EQ(res.status, 503) << res.body;
  EXPECT_FALSE(headerOf(res, "retry-after").empty());
  EXPECT_THAT(res.body, Not(HasSubstr("locked")));
  EXPECT_THAT(res.body, HasSubstr("error id"));
  other << "ROLLBACK";
  auto again = h->post("/api/v1/reports", body, kJson, kTashkent);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(outcomes(again), std::vector<std::string>(3, "accepted"));
}

// Power loss right after the 2xx: whatever was not synced to disk is gone (kill -9 alone would
// not show it, the page cache survives a killed process). The shim knows each store file's size
// at its last fsync; the test cuts the files back to that, drops the shared-memory index (it
// does not survive a power loss either) and starts the hub again: every acknowledged record is
// there. With synchronous=OFF this fails (the log is never synced).
TEST_F(StoreFaultTest, AcknowledgedReportSurvivesPowerLoss) {
  auto h = hub(true);
  auto res = h->post("/api/v1/reports", report("POWER", 6), kJson, kTashkent);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(outcomes(res), std::vector<std::string>(6, "accepted"));
  h->signal(SIGKILL);
  h->wait();
  h.reset();

  std::map<std::string, long long> synced;
  {
    std::ifstream log(syncLog_);
    long long size = 0;
    std::string path;
    while (log >> size && std::getline(log >> std::ws, path)) synced[path] = size;
  }
  for (const auto& file : {db_, std::filesystem::path(db_.string() + "-wal")}) {
    if (!std::filesystem::exists(file)) continue;
    auto at = synced.find(file.string());
    std::filesystem::resize_file(file, at == synced.end() ? 0 : at->second);
  }
  std::filesystem::remove(db_.string() + "-shm");

  auto after = hub(false);
  for (int i = 1; i <= 6; ++i)
    EXPECT_TRUE(has(*after, "POWER-" + std::to_string(i))) << "POWER-" << i << " was lost";
}

// The throwaway PostgreSQL cluster of this test alone (tests/pg/pg.sh), so that crashing it
// disturbs no other test.
class PostgresCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tempDir("pg-crash");
    pg_ = dir_ / "pg";
    ASSERT_EQ(pgctl("start"), 0) << "tests/pg/pg.sh start failed";
    url_ = readFile(pg_ / "url");
    while (!url_.empty() && (url_.back() == '\n' || url_.back() == ' ')) url_.pop_back();
  }
  void TearDown() override {
    hub_.reset();
    pgctl("stop");
  }
  int pgctl(const std::string& cmd) {
    std::string line = (sourceDir() / "tests/pg/pg.sh").string() + " " + cmd + " " + pg_.string() +
                       " >>" + (dir_ / "pg.log").string() + " 2>&1";
    return std::system(line.c_str());
  }
  std::unique_ptr<soci::session> sql() {
    return std::make_unique<soci::session>(*soci::factory_postgresql(),
                                           url_.substr(url_.find("://") + 3));
  }
  long long scalar(const std::string& query) {
    long long n = 0;
    *sql() << query, soci::into(n);
    return n;
  }
  std::filesystem::path dir_, pg_;
  std::string url_;
  std::unique_ptr<HubProcess> hub_;
};

// The server crashes while a batch is being written (a trigger holds the batch inside its
// transaction until then): the client gets no 2xx; once the server is back, the client's retry
// stores the batch exactly once, and the hub's pool of connections serves the requests after it.
TEST_F(PostgresCrashTest, CrashMidBatchGetsNo2xxAndTheRetryStoresTheBatchOnce) {
  hub_ = std::make_unique<HubProcess>(dir_, sourceDir() / "config/hub.xml", url_);
  hub_->start();
  *sql() << "CREATE FUNCTION test_hold() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.measure_id = 'CRASH-2' THEN PERFORM pg_sleep(120); END IF; RETURN NEW; END $$";
  *sql() << "CREATE TRIGGER test_hold BEFORE INSERT ON implementation FOR EACH ROW EXECUTE "
            "FUNCTION test_hold()";
  const auto body = report("CRASH", 3);
  auto pending = std::async(std::launch::async,
                            [&] { return hub_->post("/api/v1/reports", body, kJson, kTashkent); });
  ASSERT_TRUE(waitFor([&] {
    return scalar("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'") > 0;
  })) << "the batch never reached the trigger";
  ASSERT_EQ(pgctl("crash"), 0);
  auto res = pending.get();
  EXPECT_FALSE(is2xx(res)) << res.status << " " << res.body;
  EXPECT_EQ(res.status, 503) << res.body;

  ASSERT_EQ(pgctl("resume"), 0);
  *sql() << "DROP TRIGGER test_hold ON implementation";
  EXPECT_EQ(scalar("SELECT count(*) FROM implementation WHERE measure_id LIKE 'CRASH-%'"), 0);
  auto again = hub_->post("/api/v1/reports", body, kJson, kTashkent);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(outcomes(again), std::vector<std::string>(3, "accepted"));
  EXPECT_EQ(scalar("SELECT count(*) FROM implementation WHERE measure_id LIKE 'CRASH-%'"), 3);
  EXPECT_EQ(scalar("SELECT count(*) FROM history WHERE measure_id LIKE 'CRASH-%'"), 3);
  // Every connection of the pool went down with the server; the requests after are served.
  for (int i = 0; i < 6; ++i) {
    auto next =
        hub_->post("/api/v1/reports", report("AFTER" + std::to_string(i), 1), kJson, kTashkent);
    EXPECT_EQ(next.status, 200) << "request " << i << " after the crash: " << next.body;
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM implementation"), 3 + 6);
}

}  // namespace
}  // namespace ijro::test
