// An acknowledged SQLite upsert survives the process being killed with SIGKILL right after.
#include <gtest/gtest.h>
#include <signal.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "hub/store/sql_store.hpp"
#include "hub/store/store.hpp"
#include "store_fixture.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/wait.hpp"

namespace ijro::store::test {
namespace {

std::vector<model::Implementation> records() {
  std::vector<model::Implementation> out;
  for (int i = 0; i < 20; ++i) out.push_back(sample("M-" + std::to_string(i)));
  return out;
}

TEST(StoreDurability, AcknowledgedSqliteUpsertSurvivesSigkill) {
  auto dir = ijro::test::tempDir("durability");
  auto file = dir / "hub.db";
  std::string url = "sqlite:" + file.string();

  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: no gtest here, only exit codes.
    ::close(pipefd[0]);
    try {
      auto s = Store::open(url);
      auto r = s->upsert(records(), std::chrono::system_clock::now());
      for (const auto& one : r)
        if (one.outcome != Outcome::Accepted) ::_exit(3);
      char ack = 'k';
      if (::write(pipefd[1], &ack, 1) != 1) ::_exit(4);
      for (;;) ::pause();  // still holding the open store when the parent kills us
    } catch (...) {
      ::_exit(2);
    }
  }
  ::close(pipefd[1]);
  char ack = 0;
  ssize_t n = ::read(pipefd[0], &ack, 1);
  ::close(pipefd[0]);
  ::kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_EQ(n, 1) << "the child did not acknowledge the upsert (exit status "
                  << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << ")";
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  // The commit lives in the write-ahead log, not yet checkpointed into the database file.
  EXPECT_TRUE(std::filesystem::exists(file.string() + "-wal"));

  auto s = Store::open(url);
  EXPECT_EQ(s->count(), 20u);
  for (const auto& x : records()) EXPECT_EQ(s->get(x.key()), x);
  EXPECT_EQ(s->history(records().front().key()).size(), 1u);
  s.reset();
  std::filesystem::remove_all(dir);
}

// What upsert() promises (an acknowledged batch is on disk; foreign keys hold) rests on settings
// of each connection, not of the database file: every pooled connection must have them, the
// ones opened after the first included.
TEST(StoreDurability, EverySqliteConnectionRunsWalWithFullSyncAndForeignKeys) {
  FreshDatabase db("sqlite");
  auto s = db.open(4);
  auto settings = s->connectionSettings();
  ASSERT_EQ(settings.size(), 4u);
  for (const auto& c : settings) {
    EXPECT_EQ(c.at("journal_mode"), "wal");
    EXPECT_EQ(c.at("synchronous"), "2") << "synchronous must be FULL (2)";
    EXPECT_EQ(c.at("foreign_keys"), "1");
    EXPECT_EQ(c.at("busy_timeout"), "10000");
    EXPECT_EQ(c.at("temp_store"), "2") << "savepoint journals stay in memory (MEMORY, 2)";
  }
}

// SQLite's count of its own memory takes one lock for the whole process at every allocation and
// free; the store switches it off before SQLite is first used (each test runs in a process of its
// own under ctest, so the store is the first user here). Counting, the figure is never 0 once a
// connection is open.
TEST(StoreDurability, SqliteKeepsNoProcessWideMemoryCountOnTheWritePath) {
  auto dir = ijro::test::tempDir("memstatus");
  auto s = Store::open("sqlite:" + (dir / "hub.db").string());
  const std::vector<model::Implementation> rows{sample("MS-1")};
  for (const auto& r : s->upsert(rows, std::chrono::system_clock::now()))
    ASSERT_EQ(r.outcome, Outcome::Accepted) << r.reason;
  EXPECT_EQ(sqlite_api::sqlite3_memory_used(), 0)
      << "SQLite counts its memory (SQLITE_CONFIG_MEMSTATUS is on)";
  s.reset();
  std::filesystem::remove_all(dir);
}

// A long write-ahead log is copied into the database file (by the store's own thread, since
// commits no longer do it): after enough writes to pass the threshold (kCheckpointPages), the
// database file grows with no further write and no close, so the log does not grow forever.
TEST(StoreDurability, ALongWriteAheadLogIsCopiedIntoTheDatabaseFile) {
  auto dir = ijro::test::tempDir("checkpoint");
  const auto file = dir / "hub.db";
  auto s = Store::open("sqlite:" + file.string());
  const auto wal = std::filesystem::path(file.string() + "-wal");
  const std::uintmax_t startSize = std::filesystem::file_size(file);
  int batch = 0;
  constexpr std::uintmax_t threshold = detail::SqlStore::kCheckpointPages;
  // Write until the log passes the threshold (a frame is a page of 4 KiB and a 24-byte header).
  while (std::filesystem::file_size(wal) < 32u + (threshold + 1u) * (4096u + 24u)) {
    std::vector<model::Implementation> rows;
    for (int i = 0; i < 50; ++i)
      rows.push_back(sample("CP-" + std::to_string(batch) + "-" + std::to_string(i)));
    ++batch;
    for (const auto& r : s->upsert(rows, std::chrono::system_clock::now()))
      ASSERT_EQ(r.outcome, Outcome::Accepted) << r.reason;
    ASSERT_LT(batch, 8000) << "the write-ahead log never grew past " << threshold << " pages";
  }
  // The copy happens on the store's thread: wait for it, writing nothing more. The log holds
  // some pages several times (index pages that many commits changed); a checkpoint writes each
  // once, so the file grows by less than the log's length.
  const bool grew = ijro::test::waitFor(
      [&] { return std::filesystem::file_size(file) > startSize + threshold * 4096u / 4; },
      std::chrono::seconds(20));
  EXPECT_TRUE(grew) << "the database file stayed at " << std::filesystem::file_size(file)
                    << " bytes with " << std::filesystem::file_size(wal)
                    << " bytes of write-ahead log";
  EXPECT_EQ(s->count(), static_cast<std::size_t>(batch) * 50u);
  s.reset();
  std::filesystem::remove_all(dir);
}

// A log that a checkpoint cannot empty (here a reader holds its snapshot, as a long read does)
// stays past kCheckpointPages after the copy. The thread is then woken after each further quarter
// of that, not at every commit: each checkpoint syncs the database file, and one per commit
// doubled the syncs of a steady intake.
TEST(StoreDurability, ALogThatCannotBeEmptiedIsCheckpointedPerQuarterOfItsThresholdNotPerCommit) {
  auto dir = ijro::test::tempDir("checkpoint-pace");
  const auto file = dir / "hub.db";
  auto s = Store::open("sqlite:" + file.string());
  auto* sql = dynamic_cast<detail::SqlStore*>(s.get());
  ASSERT_NE(sql, nullptr);
  const auto wal = std::filesystem::path(file.string() + "-wal");
  int batch = 0;
  auto write = [&](int n) {
    std::vector<model::Implementation> rows;
    for (int i = 0; i < n; ++i)
      rows.push_back(sample("CQ-" + std::to_string(batch) + "-" + std::to_string(i)));
    ++batch;
    for (const auto& r : s->upsert(rows, std::chrono::system_clock::now()))
      ASSERT_EQ(r.outcome, Outcome::Accepted) << r.reason;
  };
  write(1);
  soci::session reader(*soci::factory_sqlite3(), file.string());
  reader << "BEGIN";
  long long rows = 0;
  reader << "SELECT count(*) FROM implementation", soci::into(rows);  // the snapshot is held
  constexpr std::uintmax_t threshold = detail::SqlStore::kCheckpointPages;
  while (std::filesystem::file_size(wal) < 32u + (threshold + 1u) * (4096u + 24u)) {
    write(50);
    ASSERT_LT(batch, 8000) << "the write-ahead log never grew past " << threshold << " pages";
  }
  ASSERT_TRUE(
      ijro::test::waitFor([&] { return sql->checkpointsRun() >= 1; }, std::chrono::seconds(20)));
  // Commits of one new record each (some 45 pages of log each, its rows and index entries):
  // enough to pass the quarter a few times.
  const auto before = sql->checkpointsRun();
  const auto walBefore = std::filesystem::file_size(wal);
  const int commits = static_cast<int>(threshold / 4u / 45u * 3u + 30u);
  for (int i = 0; i < commits; ++i) write(1);
  const auto pages = (std::filesystem::file_size(wal) - walBefore) / (4096u + 24u);
  const auto allowed = pages / (threshold / 4u) + 1u;
  ASSERT_LT(allowed, static_cast<std::size_t>(commits) / 2) << pages << " pages of log";
  EXPECT_LE(sql->checkpointsRun() - before, allowed)
      << commits << " commits adding " << pages << " pages of log woke the checkpoint thread "
      << sql->checkpointsRun() - before << " times";
  reader << "COMMIT";
  s.reset();
  std::filesystem::remove_all(dir);
}

TEST(StoreDurability, EveryPostgresConnectionCommitsSynchronously) {
  FreshDatabase db("postgresql");
  auto s = db.open(3);
  auto settings = s->connectionSettings();
  ASSERT_EQ(settings.size(), 3u);
  for (const auto& c : settings) EXPECT_EQ(c.at("synchronous_commit"), "on");
}

// With the server's default (4) the planner reads a page's children by scanning each whole
// child table, and a page's read grows with the store (bench/run national shows it).
TEST(StoreDurability, EveryPostgresConnectionCostsARandomPageAsAnIndexProbeFromMemory) {
  FreshDatabase db("postgresql");
  auto s = db.open(3);
  auto settings = s->connectionSettings();
  ASSERT_EQ(settings.size(), 3u);
  for (const auto& c : settings) EXPECT_EQ(c.at("random_page_cost"), "1.1");
}

}  // namespace
}  // namespace ijro::store::test
