#include "hub/store/sql_store.hpp"

#include <pthread.h>

#include <fmt/format.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <utility>

#include "hub/base/correlation.hpp"
#include "hub/model/indicators.hpp"
#include "hub/store/changes.hpp"
#include "hub/store/evaluations.hpp"
#include "hub/store/evidence_io.hpp"
#include "hub/store/feed_batches.hpp"
#include "hub/store/identity.hpp"
#include "hub/store/migrations.hpp"
#include "hub/store/plugin_state.hpp"
#include "hub/store/received_batches.hpp"
#include "hub/store/record_io.hpp"
#include "hub/store/revision_facts.hpp"
#include "hub/store/statements.hpp"
#include "hub/store/text.hpp"

namespace ijro::store::detail {

namespace {

constexpr std::chrono::milliseconds kLeaseWait{30000};
constexpr std::chrono::milliseconds kPingWait{5000};
constexpr int kSqliteBusyTimeoutMs = 10000;
constexpr int kMaxBatchAttempts = 5;  // PostgreSQL: serialization failures, deadlocks, lost links
static_assert(kLikeEscape == '!', "the SQL below spells ESCAPE '!'");

std::size_t effectivePoolSize(const Location& loc, std::size_t requested) {
  // Every connection to ":memory:" would see a database of its own.
  if (loc.dialect == Dialect::Sqlite && loc.path == ":memory:") return 1;
  return std::max<std::size_t>(requested, 1);
}

const soci::backend_factory& factoryFor(Dialect d) {
  return d == Dialect::Postgres ? *soci::factory_postgresql() : *soci::factory_sqlite3();
}

std::string sqlstateOf(const soci::soci_error& e) {
  if (auto pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) return pg->sqlstate();
  return {};
}

// Serialization failures and deadlocks: the whole batch is tried again.
bool isTransient(const soci::soci_error& e) {
  auto state = sqlstateOf(e);
  return state == "40001" || state == "40P01";
}

// Errors caused by the record's content (constraints, data exceptions, triggers that refuse it, a
// value beyond a limit of the database such as an index row too large): the record is rejected
// and the rest of the batch goes on. Anything else fails the batch.
bool isRecordError(const soci::soci_error& e) {
  if (auto lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    int code = lite->result() & 0xFF;
    return code == SQLITE_CONSTRAINT || code == SQLITE_MISMATCH || code == SQLITE_TOOBIG;
  }
  auto state = sqlstateOf(e);
  auto cls = state.substr(0, 2);
  return cls == "22" || cls == "23" || cls == "P0" || state == "54000";
}

// What a client is told about a record error: a fixed phrase per kind, never the driver's text
// (it may name tables, indexes, constraints or values); the log has that.
const char* recordErrorKind(const soci::soci_error& e) {
  if (auto lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    int code = lite->result() & 0xFF;
    if (code == SQLITE_TOOBIG) return "a value is larger than the database can hold";
    if (code == SQLITE_MISMATCH) return "a value has a type its column cannot hold";
    return "it breaks a rule of the database (a constraint or a trigger)";
  }
  auto state = sqlstateOf(e);
  if (state == "54000") return "a value exceeds a limit of the database (e.g. too long to index)";
  if (state.rfind("22", 0) == 0) return "a value is one the database cannot hold";
  if (state.rfind("23", 0) == 0) return "it breaks a constraint of the database";
  return "a rule of the database (a trigger) refused it";
}

// After an error: is this PostgreSQL connection gone (server restart, network, terminated)?
bool connectionLost(Dialect d, soci::session& sql) {
  if (d != Dialect::Postgres) return false;
  try {
    return !sql.is_connected();
  } catch (...) {
    return true;
  }
}

bool isFourDigits(const std::string& s) {
  return s.size() == 4 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// SQL matching `column` against a region: a 4-digit region also matches its 7-digit districts.
template <typename Param>
std::string regionClause(const std::string& column, const std::string& region, Param&& param) {
  if (isFourDigits(region)) {
    std::string exact = param(region);
    std::string prefix = param(escapeLike(region) + "%");
    return "(" + column + " = " + exact + " OR (" + column + " LIKE " + prefix +
           " ESCAPE '!' AND length(" + column + ") = 7))";
  }
  return column + " = " + param(region);
}

// A scope's regions (each with its districts), any of them: "(c1 OR c2 ...)". Not empty.
template <typename Param>
std::string anyRegionClause(const std::string& column, const std::set<std::string>& regions,
                            Param&& param) {
  std::string any;
  for (const auto& r : regions) {
    any += any.empty() ? "(" : " OR ";
    any += regionClause(column, r, param);
  }
  return any + ")";
}

// The values of a query's placeholders in order: param(v) binds v and names its placeholder
// (":p1", ":p2", ...).
struct BoundParams {
  std::vector<std::string> values;
  std::string operator()(std::string v) {
    values.push_back(std::move(v));
    return ":p" + std::to_string(values.size());
  }
};

// The WHERE conditions (each starting with " AND ") of a Filter over the implementation table;
// fixed SQL fragments only, every value a bound parameter made by `param`.
template <typename Param>
std::string filterClause(const Filter& filter, const OrganisationDirectory& organisations,
                         Param&& param) {
  std::string where;
  if (filter.region) where += " AND " + regionClause("region", *filter.region, param);
  if (!filter.regionsIn.empty())
    where += " AND " + anyRegionClause("region", filter.regionsIn, param);
  if (filter.sector) where += " AND sector = " + param(*filter.sector);
  if (!filter.sectorsIn.empty()) {
    std::string list;
    for (const auto& c : filter.sectorsIn) {
      list += list.empty() ? "" : ", ";
      list += param(c);
    }
    where += " AND sector IN (" + list + ")";
  }
  if (filter.organisation) {
    // A code, or any spelling of the organisation: its implementations under every spelling.
    // (As given, for a code; resolved, for a spelling.)
    std::string given = param(*filter.organisation);
    std::string resolved = param(organisations.keyOf(*filter.organisation));
    where += " AND organisation_key IN (" + given + ", " + resolved + ")";
  }
  if (filter.measureId) where += " AND measure_id = " + param(*filter.measureId);
  if (filter.text)
    where += " AND search_text LIKE " + param("%" + escapeLike(foldCase(*filter.text)) + "%") +
             " ESCAPE '!'";
  return where;
}

// What a revision's history says when its content is the revision before's.
constexpr const char* kNoChanges = "no changes apart from the revision";

auto keyTuple(const model::Implementation& x) {
  return std::tie(x.measure.id, x.region, x.organisation, x.source);
}

}  // namespace

// ---- leases and transactions ------------------------------------------------------------------

class SqlStore::Lease {
 public:
  Lease(SqlStore& store, std::size_t pos) : store_(&store), pos_(pos) {}
  Lease(Lease&& other) noexcept : store_(std::exchange(other.store_, nullptr)), pos_(other.pos_) {}
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (store_) store_->pool_.give_back(pos_);
  }
  soci::session& session() { return store_->pool_.at(pos_); }
  // The connection may be broken or left inside a transaction: reconnect before the next use.
  void suspect() { store_->suspect_[pos_] = true; }

 private:
  SqlStore* store_;
  std::size_t pos_;
};

class SqlStore::Transaction {
 public:
  Transaction(Lease& lease, const char* begin) : lease_(lease) { run(lease_.session(), begin); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (done_) return;
    try {
      lease_.session() << "ROLLBACK";
    } catch (...) {
      lease_.suspect();
    }
  }
  void commit() {
    run(lease_.session(), "COMMIT");
    done_ = true;
  }

 private:
  Lease& lease_;
  bool done_ = false;
};

SqlStore::Lease SqlStore::lease(std::chrono::milliseconds wait) {
  std::size_t pos = 0;
  if (!pool_.try_lease(pos, static_cast<int>(wait.count())))
    throw StoreError(
        fmt::format("store: no database connection became free within {} ms (all {} "
                    "are busy)",
                    wait.count(), size_));
  Lease l(*this, pos);
  if (suspect_[pos]) {
    try {
      // Statements prepared on the old connection go with it.
      dropStatements(l.session());
      l.session().reconnect();
      setUpSession(l.session());
      suspect_[pos] = false;
    } catch (const soci::soci_error& e) {
      throw StoreError("store: cannot reconnect to " + location_.display + ": " + e.what());
    }
  }
  return l;
}

template <typename F>
auto SqlStore::withSession(const char* what, F&& fn, bool retryOnLostConnection) {
  for (int attempt = 0;; ++attempt) {
    Lease l = lease(kLeaseWait);
    try {
      return fn(l);
    } catch (const soci::soci_error& e) {
      l.suspect();
      if (retryOnLostConnection && attempt == 0 && connectionLost(location_.dialect, l.session()))
        continue;
      throw StoreError(std::string("store: ") + what + " failed: " + e.what());
    }
  }
}

const char* SqlStore::writeTransaction() const {
  return location_.dialect == Dialect::Postgres ? "BEGIN ISOLATION LEVEL READ COMMITTED"
                                                : "BEGIN IMMEDIATE";
}

template <typename F>
auto SqlStore::withWrite(const char* what, F&& fn, bool idempotent) {
  std::unique_lock<std::mutex> writing(writer_, std::defer_lock);
  if (location_.dialect == Dialect::Sqlite) writing.lock();
  for (int attempt = 1;; ++attempt) {
    Lease l = lease(kLeaseWait);
    try {
      Transaction tx(l, writeTransaction());
      auto result = fn(l.session());
      tx.commit();
      return result;
    } catch (const soci::soci_error& e) {
      // A serialization failure or deadlock rolled everything back: always safe to redo. A lost
      // connection may have hidden a COMMIT: redo only what is idempotent.
      bool transient = isTransient(e);
      if (!transient) l.suspect();
      bool retry = transient || (idempotent && connectionLost(location_.dialect, l.session()));
      if (retry && attempt < kMaxBatchAttempts) continue;
      throw StoreError(std::string("store: ") + what + " failed: " + e.what());
    }
  }
}

const char* SqlStore::readTransaction() const {
  // One consistent snapshot for a row and its children.
  return location_.dialect == Dialect::Postgres ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                                                : "BEGIN";
}

// ---- opening ----------------------------------------------------------------------------------

namespace {
// A connection is only ever used by the thread holding its Lease, one at a time, so SQLite's
// locking of each connection on every call (its default, "serialized") buys nothing: multi-thread
// mode drops it (a few percent of every read). SQLite also counts the memory it allocates, under
// one lock for the whole process taken at every allocation and free (a few percent of a write);
// nothing reads that count, so it is switched off. Both can be chosen only before SQLite is first
// used in the process; when something used it earlier, the defaults stay, which is as correct.
void useSqliteWithoutConnectionMutexes() {
  static std::once_flag once;
  std::call_once(once, [] {
    // (SOCI declares SQLite's C API in its namespace sqlite_api.)
    if (sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD) != SQLITE_OK)
      spdlog::debug("store: SQLite was in use already; its connections keep their own locks");
    if (sqlite_api::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
      spdlog::debug("store: SQLite was in use already; it keeps counting its memory");
  });
}
}  // namespace

SqlStore::SqlStore(Location location, std::size_t poolSize)
    : location_(std::move(location)),
      size_(effectivePoolSize(location_, poolSize)),
      pool_(size_),
      suspect_(new bool[size_]()),
      statusRules_(std::make_shared<const model::StatusRules>()),
      identity_(std::make_shared<const IdentityRules>()) {
  try {
    bool sqlite = location_.dialect == Dialect::Sqlite;
    if (sqlite) useSqliteWithoutConnectionMutexes();
    if (sqlite && location_.path != ":memory:") {
      auto parent = std::filesystem::path(location_.path).parent_path();
      if (!parent.empty()) std::filesystem::create_directories(parent);
    }
    for (std::size_t i = 0; i < size_; ++i) {
      soci::session& sql = pool_.at(i);
      sql.open(factoryFor(location_.dialect), location_.connect);
      setUpSession(sql);
      if (i != 0) continue;
      if (sqlite) {
        std::string mode;
        sql << "PRAGMA journal_mode = WAL", soci::into(mode);
        if (mode != "wal" && location_.path != ":memory:")
          throw StoreError("store: SQLite database " + location_.path +
                           " cannot use write-ahead logging (journal mode is '" + mode + "')");
      }
      migrate(sql, location_.dialect);
    }
    if (!sqlite) analyzer_ = std::thread([this] { analyzeLoop(); });
    if (sqlite && location_.path != ":memory:") {
      checkpointSession_ = std::make_unique<soci::session>();
      checkpointSession_->open(factoryFor(location_.dialect), location_.connect);
      setUpSession(*checkpointSession_);
      checkpointer_ = std::thread([this] { checkpointLoop(); });
    }
  } catch (const StoreError&) {
    for (std::size_t i = 0; i < size_; ++i) dropStatements(pool_.at(i));
    throw;
  } catch (const std::exception& e) {
    for (std::size_t i = 0; i < size_; ++i) dropStatements(pool_.at(i));
    throw StoreError("store: cannot open " + location_.display + ": " + e.what());
  }
}

SqlStore::~SqlStore() {
  if (groupWriter_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(groupMutex_);
      stopWriting_ = true;
    }
    writerWake_.notify_one();
    groupWriter_.join();
  }
  if (checkpointer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(checkpointMutex_);
      stopCheckpointing_ = true;
    }
    checkpointWake_.notify_all();
    checkpointer_.join();
    dropStatements(*checkpointSession_);
  }
  if (analyzer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(analyzeMutex_);
      stopAnalyzing_ = true;
    }
    analyzeWake_.notify_all();
    analyzer_.join();
  }
  for (std::size_t i = 0; i < size_; ++i) dropStatements(pool_.at(i));
}

constexpr std::size_t kAnalyzeRows = 500;

bool SqlStore::analyzeDue() const {
  return writtenSinceAnalyze_ >= std::max(kAnalyzeRows, rowsAtAnalyze_);
}

void SqlStore::noteWritten(std::size_t rows) {
  if (rows == 0 || !analyzer_.joinable()) return;
  bool due = false;
  {
    std::lock_guard<std::mutex> lock(analyzeMutex_);
    writtenSinceAnalyze_ += rows;
    due = analyzeDue();
  }
  if (due) analyzeWake_.notify_all();
}

void SqlStore::analyzeLoop() {
  std::unique_lock<std::mutex> lock(analyzeMutex_);
  for (;;) {
    analyzeWake_.wait(lock, [this] { return stopAnalyzing_ || analyzeDue(); });
    if (stopAnalyzing_) return;
    const std::size_t written = std::exchange(writtenSinceAnalyze_, 0);
    lock.unlock();
    double rows = 0;
    try {
      Lease l = lease(kLeaseWait);
      try {
        // A sample of 3,000 rows, not the default 30,000: this only has to tell the planner how
        // big the table has grown and what it holds; autovacuum's own ANALYZE comes by later.
        // (A tenth of the cost; the full sample was 7% of storing while the table grew.)
        run(l.session(), "SET default_statistics_target = 10");
        run(l.session(), "ANALYZE implementation");
        run(l.session(), "RESET default_statistics_target");
        run(l.session(),
            "SELECT reltuples FROM pg_class WHERE oid = CAST('implementation' AS regclass)",
            soci::into(rows));
      } catch (const soci::soci_error&) {
        l.suspect();
        throw;
      }
    } catch (const std::exception& e) {
      // Autovacuum still renews them later; the reads stay right, only slower meanwhile.
      spdlog::warn("store: renewing the planner's statistics after {} written row(s) failed: {}",
                   written, e.what());
    }
    lock.lock();
    rowsAtAnalyze_ = rows > 0 ? static_cast<std::size_t>(rows) : rowsAtAnalyze_ + written;
  }
}

namespace {
int onWalCommit(void* store, sqlite_api::sqlite3* db, const char* /*schema*/, int pages) {
  static_cast<SqlStore*>(store)->walCommitted(db, pages);
  return SQLITE_OK;
}
}  // namespace

void SqlStore::walCommitted(void* db, int pages) {
  if (pages < kCheckpointPages) return;
  if (pages >= kInlineCheckpointPages) {
    sqlite_api::sqlite3_wal_checkpoint_v2(static_cast<sqlite_api::sqlite3*>(db), nullptr,
                                          SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(checkpointMutex_);
    if (pages < checkpointedAt_) checkpointedAt_ = 0;  // the log has started again
    if (checkpointedAt_ != 0 && pages < checkpointedAt_ + kCheckpointPages / 4) return;
    checkpointedAt_ = pages;
    walPages_ = pages;
  }
  checkpointWake_.notify_one();
}

void SqlStore::checkpointLoop() {
  std::unique_lock<std::mutex> lock(checkpointMutex_);
  for (;;) {
    checkpointWake_.wait(lock, [&] { return stopCheckpointing_ || walPages_ >= kCheckpointPages; });
    if (stopCheckpointing_) return;
    const int pages = walPages_;
    walPages_ = 0;
    lock.unlock();
    try {
      // PASSIVE: copies what no reader still needs, without waiting for anyone; writers go on.
      int busy = 0, log = 0, copied = 0;
      *checkpointSession_ << "PRAGMA wal_checkpoint(PASSIVE)", soci::into(busy), soci::into(log),
          soci::into(copied);
      ++checkpoints_;
    } catch (const std::exception& e) {
      spdlog::warn(
          "store: copying {} page(s) of the write-ahead log into {} failed (tried again "
          "at the next commit): {}",
          pages, location_.display, e.what());
    }
    lock.lock();
  }
}

void SqlStore::setUpSession(soci::session& sql) {
  if (location_.dialect == Dialect::Sqlite) {
    if (location_.path != ":memory:") {
      auto* backend = static_cast<soci::sqlite3_session_backend*>(sql.get_backend());
      sqlite_api::sqlite3_wal_hook(backend->conn_, onWalCommit, this);
    }
    int timeout = 0;
    sql << "PRAGMA busy_timeout = " + std::to_string(kSqliteBusyTimeoutMs), soci::into(timeout);
    // FULL: with WAL, a committed transaction survives power loss, not only a crash.
    sql << "PRAGMA synchronous = FULL";
    sql << "PRAGMA foreign_keys = ON";
    // A savepoint's journal (each batch and its evaluations run under one) stays in memory
    // instead of spilling to a temporary file created and deleted by each write transaction.
    sql << "PRAGMA temp_store = MEMORY";
  } else {
    sql << "SET client_min_messages TO warning";
    // The server's default cost of a random page (4, a spinning disk's) makes the planner scan a
    // whole child table rather than probe its index for a page of 500 ids, so a page's read grew
    // with the table (25 ms a page at national size, most of the feed's time). The hub's tables
    // are read by key from memory or SSD; 1.1 makes those probes what they cost.
    sql << "SET random_page_cost = 1.1";
  }
  keepStatements(sql);
}

std::vector<std::map<std::string, std::string>> SqlStore::connectionSettings() {
  // Every connection leased at once, so that each is a different one.
  std::vector<Lease> held;
  for (std::size_t i = 0; i < size_; ++i) held.push_back(lease(kLeaseWait));
  std::vector<std::map<std::string, std::string>> out;
  for (auto& l : held) {
    auto& sql = l.session();
    std::map<std::string, std::string> settings;
    try {
      if (location_.dialect == Dialect::Sqlite) {
        for (const char* name :
             {"journal_mode", "synchronous", "foreign_keys", "busy_timeout", "temp_store"}) {
          std::string value;
          sql << std::string("PRAGMA ") + name, soci::into(value);
          settings[name] = value;
        }
      } else {
        for (const char* name : {"synchronous_commit", "fsync", "random_page_cost"}) {
          std::string value;
          sql << std::string("SHOW ") + name, soci::into(value);
          settings[name] = value;
        }
      }
    } catch (const soci::soci_error& e) {
      l.suspect();
      throw StoreError(std::string("store: reading the connection settings failed: ") + e.what());
    }
    out.push_back(std::move(settings));
  }
  return out;
}

std::map<std::string, long long> SqlStore::orphanRows() {
  return withSession(
      "checking the child rows",
      [&](Lease& l) {
        Transaction tx(l, readTransaction());
        auto found = countOrphanRows(l.session());
        tx.commit();
        return found;
      },
      true);
}

std::string SqlStore::backend() const {
  return location_.dialect == Dialect::Postgres ? "postgresql" : "sqlite3";
}

// ---- writing ----------------------------------------------------------------------------------

struct SqlStore::PendingWrite {
  std::span<const model::Implementation> batch;
  const std::vector<std::size_t>& order;
  const std::vector<std::string>& fingerprints;
  const std::string& receivedAt;
  const std::vector<UpsertResult>& initial;  // results decided before writing (unstorable)
  const UpsertOptions& options;
  std::vector<UpsertResult> results;
  std::exception_ptr error;
  Submission* submission = nullptr;  // set: submitted, owned by the writer once queued
  std::condition_variable wake;      // a waiting caller's: done
  bool done = false;                 // stored or failed; guarded by groupMutex_
};

// A submitted batch with everything its write refers to, kept until its callback has run.
struct SqlStore::Submission {
  Submission(std::vector<model::Implementation> b, UpsertOptions o, std::string at, Submitted d)
      : batch(std::move(b)),
        options(std::move(o)),
        receivedAt(std::move(at)),
        initial(batch.size()),
        fingerprints(batch.size()),
        done(std::move(d)),
        w{batch, order, fingerprints, receivedAt, initial, options, {}, {}, this, {}, false} {}
  std::vector<model::Implementation> batch;
  UpsertOptions options;
  std::string receivedAt;
  std::vector<UpsertResult> initial;
  std::vector<std::string> fingerprints;
  std::vector<std::size_t> order;
  Submitted done;
  PendingWrite w;
};

// What a batch needs before it is written: each record the store cannot hold rejected, the
// others' fingerprints, and their order of writing. False: nothing to write.
bool SqlStore::planWrite(std::span<const model::Implementation> batch, const UpsertOptions& options,
                         std::vector<UpsertResult>& results, std::vector<std::string>& fingerprints,
                         std::vector<std::size_t>& order) {
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (auto why = unstorable(batch[i])) {
      results[i] = {Outcome::Rejected, *why, 0};
    } else {
      fingerprints[i] = fingerprint(batch[i]);
      order.push_back(i);
    }
  }
  const bool pluginState = options.checkpoint || !options.deadLetters.empty() ||
                           (options.deadLetterRejected && order.size() < batch.size()) ||
                           options.receivedBatch;
  if (order.empty() && !pluginState) return false;
  // Taking row locks in key order keeps concurrent batches from deadlocking; stable, so that two
  // records with the same key are still applied in batch order.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return keyTuple(batch[a]) < keyTuple(batch[b]);
  });
  return true;
}

std::vector<UpsertResult> SqlStore::upsert(std::span<const model::Implementation> batch,
                                           std::chrono::system_clock::time_point receivedAt,
                                           const UpsertOptions& options) {
  std::vector<UpsertResult> results(batch.size());
  std::vector<std::string> fingerprints(batch.size());
  std::vector<std::size_t> order;
  if (!planWrite(batch, options, results, fingerprints, order)) return results;
  std::string at = formatTimestamp(receivedAt);

  if (location_.dialect == Dialect::Sqlite) {
    PendingWrite w{batch, order, fingerprints, at, results, options};
    std::unique_lock<std::mutex> lk(groupMutex_);
    enqueue(&w);
    w.wake.wait(lk, [&] { return w.done; });
    if (w.error) std::rethrow_exception(w.error);
    return std::move(w.results);
  }
  for (int attempt = 1;; ++attempt) {
    Lease l = lease(kLeaseWait);
    try {
      auto out = upsertOnce(l, batch, order, fingerprints, at, results, options);
      noteWritten(static_cast<std::size_t>(std::count_if(
          out.begin(), out.end(), [](const auto& r) { return r.outcome == Outcome::Accepted; })));
      return out;
    } catch (const soci::soci_error& e) {
      // Trying the whole batch again is safe even if a lost connection hid a successful COMMIT:
      // what was stored then comes back as Duplicate.
      bool transient = isTransient(e);
      if (!transient) l.suspect();
      bool retry = transient || connectionLost(location_.dialect, l.session());
      if (retry && attempt < kMaxBatchAttempts) continue;
      throw StoreError(fmt::format(
          "store: storing a batch of {} record(s) failed and was rolled back (sending it again "
          "is safe): {}",
          batch.size(), e.what()));
    }
  }
}

bool SqlStore::submits() const {
  return location_.dialect == Dialect::Sqlite;
}

void SqlStore::submit(std::vector<model::Implementation> batch,
                      std::chrono::system_clock::time_point receivedAt, UpsertOptions options,
                      Submitted done) {
  if (!submits()) {
    Store::submit(std::move(batch), receivedAt, std::move(options), std::move(done));
    return;
  }
  auto s = std::make_unique<Submission>(std::move(batch), std::move(options),
                                        formatTimestamp(receivedAt), std::move(done));
  if (!planWrite(s->batch, s->options, s->initial, s->fingerprints, s->order)) {
    s->done(std::move(s->initial), nullptr);
    return;
  }
  std::lock_guard<std::mutex> lk(groupMutex_);
  enqueue(&s.release()->w);
}

std::vector<UpsertResult> SqlStore::upsertOnce(
    Lease& l, std::span<const model::Implementation> batch, const std::vector<std::size_t>& order,
    const std::vector<std::string>& fingerprints, const std::string& receivedAt,
    std::vector<UpsertResult> results, const UpsertOptions& options) {
  soci::session& sql = l.session();
  Transaction tx(l, writeTransaction());
  if (!order.empty()) lockHistoryOrder(sql, location_.dialect);
  writeBatch(sql, batch, order, fingerprints, receivedAt, results, options);
  tx.commit();
  return results;
}

void SqlStore::writeBatch(soci::session& sql, std::span<const model::Implementation> batch,
                          const std::vector<std::size_t>& order,
                          const std::vector<std::string>& fingerprints,
                          const std::string& receivedAt, std::vector<UpsertResult>& results,
                          const UpsertOptions& options) {
  const auto decided = results;
  run(sql, "SAVEPOINT batch");
  try {
    writeRecords(sql, batch, order, fingerprints, receivedAt, results, false);
    run(sql, "RELEASE SAVEPOINT batch");
  } catch (const soci::soci_error& e) {
    if (!isRecordError(e)) throw;
    // The database refused a row written for the batch as a whole: write it again record by
    // record, so that only the record it belongs to is rejected.
    run(sql, "ROLLBACK TO SAVEPOINT batch");
    run(sql, "RELEASE SAVEPOINT batch");
    results = decided;
    writeRecords(sql, batch, order, fingerprints, receivedAt, results, true);
  }
  // What the plugin's poll produced besides the records commits with them.
  for (const auto& d : options.deadLetters) insertDeadLetter(sql, d, receivedAt);
  if (options.deadLetterRejected) {
    for (std::size_t i = 0; i < results.size(); ++i)
      if (results[i].outcome == Outcome::Rejected)
        insertDeadLetter(sql, options.deadLetterRejected(i, results[i].reason), receivedAt);
  }
  if (options.checkpoint) writeCheckpoint(sql, *options.checkpoint, receivedAt);
  // A feed batch: the lineage of what it brought, and its own row with its entries' outcomes.
  for (std::size_t i = 0; i < options.lineage.size() && i < batch.size(); ++i)
    if (options.lineage[i] && results[i].outcome == Outcome::Accepted)
      writeLineage(sql, batch[i], *options.lineage[i]);
  if (options.receivedBatch) {
    ReceivedBatch b = *options.receivedBatch;
    if (b.receivedAt.empty()) b.receivedAt = receivedAt;
    for (const auto& r : results) {
      if (r.outcome == Outcome::Accepted) ++b.accepted;
      if (r.outcome == Outcome::Duplicate) ++b.duplicate;
      if (r.outcome == Outcome::Stale) ++b.stale;
      if (r.outcome == Outcome::Rejected) ++b.rejected;
    }
    insertReceivedBatch(sql, b);
  }
}

// Child and history rows wait in `pending` and go in with one statement per table for the whole
// batch. A refusal of the database then fails the batch's pass (writeBatch rolls it back). With
// `immediate`, each record is written under its own savepoint with its rows, so that a refusal
// rejects that record alone.
void SqlStore::writeRecords(soci::session& sql, std::span<const model::Implementation> batch,
                            const std::vector<std::size_t>& order,
                            const std::vector<std::string>& fingerprints,
                            const std::string& receivedAt, std::vector<UpsertResult>& results,
                            bool immediate) {
  PendingRows pending;
  KeySet written;
  // Every row of the write is evaluated as of one day under one set of rules.
  StatusAsOf asOf{model::today(), statusRules(), {}};
  asOf.stamp = statusStamp(asOf.day, *asOf.rules);
  std::vector<std::size_t> rest = order;
  if (!immediate && location_.dialect == Dialect::Postgres)
    rest = insertNew(sql, batch, order, fingerprints, receivedAt, results, pending, written, asOf);
  for (std::size_t i : rest) {
    const auto& x = batch[i];
    // A key written earlier in this batch: its pending rows go in first, outside this record's
    // savepoint, so that this record reads them and a rollback of it keeps them.
    if (!written.insert(keyTuple(x)).second) pending.insert(sql);
    if (!immediate) {
      results[i] = upsertRecord(sql, x, fingerprints[i], receivedAt, pending, asOf);
      continue;
    }
    const auto mark = pending.mark();
    run(sql, "SAVEPOINT record");
    try {
      results[i] = upsertRecord(sql, x, fingerprints[i], receivedAt, pending, asOf);
      pending.insert(sql);
      run(sql, "RELEASE SAVEPOINT record");
    } catch (const soci::soci_error& e) {
      if (!isRecordError(e)) throw;
      // Undo whatever part of this record was written; the rest of the batch goes on.
      pending.dropAfter(mark);
      run(sql, "ROLLBACK TO SAVEPOINT record");
      run(sql, "RELEASE SAVEPOINT record");
      auto current = findCurrent(sql, x.key(), false);
      const std::string errorId = base::newCorrelationId();
      spdlog::warn(
          "store: the database refused the record of measure {} in region {} from {} (error id "
          "{}): {}",
          x.measure.id, x.region, x.source, errorId, e.get_error_message());
      results[i] = {Outcome::Rejected,
                    fmt::format("the database refused this record, nothing of it was stored: {} "
                                "(error id {}: the hub's log has the detail)",
                                recordErrorKind(e), errorId),
                    current ? current->revision : 0};
    }
  }
  pending.insert(sql);
  evaluateWritten(sql, pending, asOf);
}

void SqlStore::evaluateWritten(soci::session& sql, PendingRows& pending, const StatusAsOf& asOf) {
  const auto ids = pending.takeWritten();
  if (ids.empty()) return;
  // Under a savepoint of its own: a failure leaves these rows for refreshStatus (their stamps
  // stale), never the records unstored.
  run(sql, "SAVEPOINT evaluations");
  try {
    evaluateImplementationsOf(sql, ids, asOf.day, *asOf.rules);
    run(sql, "RELEASE SAVEPOINT evaluations");
    return;
  } catch (const soci::soci_error& e) {
    if (!isRecordError(e)) throw;
    spdlog::warn("store: storing the evaluation of {} written row(s) failed, left for later: {}",
                 ids.size(), e.get_error_message());
  } catch (const StoreError& e) {
    spdlog::warn("store: evaluating {} written row(s) failed, left for later: {}", ids.size(),
                 e.what());
  }
  run(sql, "ROLLBACK TO SAVEPOINT evaluations");
  run(sql, "RELEASE SAVEPOINT evaluations");
  // What the rows' implementations had stored may no longer hold.
  std::string condition;
  const std::string list = idListParameter(sql, ids, condition, "o.id");
  run(sql,
      "UPDATE implementation SET ev_stamp = NULL WHERE id IN (SELECT s.id FROM implementation o "
      "JOIN implementation s ON s.measure_id = o.measure_id AND s.region = o.region AND "
      "s.organisation_key = o.organisation_key WHERE " +
          condition + ")",
      soci::use(list));
}

// PostgreSQL, the batch's pass: the first record of each key goes in with one statement for all
// of them (a round trip per record would bound the batch by latency, not by the database). What
// that finds already stored, and any later record of a key, is returned, in batch order, to be
// written one by one after.
std::vector<std::size_t> SqlStore::insertNew(
    soci::session& sql, std::span<const model::Implementation> batch,
    const std::vector<std::size_t>& order, const std::vector<std::string>& fingerprints,
    const std::string& receivedAt, std::vector<UpsertResult>& results, PendingRows& pending,
    KeySet& written, const StatusAsOf& asOf) {
  const auto rules = identity();
  std::vector<NewRow> rows;
  std::vector<std::size_t> positions;  // in `order`, of each of `rows`
  std::vector<std::size_t> rest;       // positions in `order`
  KeySet seen;
  for (std::size_t n = 0; n < order.size(); ++n) {
    const auto& x = batch[order[n]];
    if (!seen.insert(keyTuple(x)).second) {
      rest.push_back(n);
      continue;
    }
    rows.push_back({&x, fingerprints[order[n]], rules->organisations.keyOf(x.organisation),
                    rules->priorityOf(x.source)});
    positions.push_back(n);
  }
  // Each row as it will be stored (nothing held yet to merge into: the report's periods are the
  // whole list), and its evaluation where it is known before writing.
  std::vector<std::optional<model::Implementation>> wholes(rows.size());
  std::vector<Identity> identitiesOf(rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto& x = *rows[k].record;
    if (model::hasMergedIndicators(x)) {
      wholes[k] = x;
      model::mergeIndicators(nullptr, *wholes[k]);
    }
    identitiesOf[k] = {x.measure.id, x.region, rows[k].organisationKey};
  }
  // A row alone in its implementation is current as inserted and evaluated on its own; when every
  // row is, no key of them can be stored either, and the rows go in without a conflict check.
  const auto alone = aloneOf(sql, identitiesOf);
  std::vector<std::optional<FigureValues>> figures(rows.size());
  bool allAlone = true;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto& stored = wholes[k] ? *wholes[k] : *rows[k].record;
    figures[k] = figuresOfNewRow(stored, alone[k] ? 0 : 1, asOf);
    if (figures[k]) rows[k].figures = &*figures[k];
    allAlone = allAlone && alone[k];
  }
  const auto ids = insertRows(sql, rows, receivedAt, allAlone);
  std::vector<Identity> shared;  // of the rows inserted beside others of their implementation
  for (std::size_t k = 0; k < rows.size(); ++k) {
    if (!ids[k]) {
      rest.push_back(positions[k]);
      continue;
    }
    const auto& x = *rows[k].record;
    pending.addChildren(*ids[k], wholes[k] ? *wholes[k] : x, receivedAt, figures[k].has_value());
    pending.addHistory(x, receivedAt, "created", rows[k].organisationKey);
    results[order[positions[k]]] = {Outcome::Accepted, "created", x.revision};
    if (!alone[k]) shared.push_back(identitiesOf[k]);
    written.insert(keyTuple(x));
  }
  markCurrent(sql, shared);
  std::sort(rest.begin(), rest.end());
  std::vector<std::size_t> out;
  for (std::size_t n : rest) out.push_back(order[n]);
  return out;
}

// Under groupMutex_. The writer thread starts with the first write.
void SqlStore::enqueue(PendingWrite* w) {
  queue_.push_back(w);
  if (!groupWriter_.joinable()) groupWriter_ = std::thread([this] { writeQueued(); });
  if (writerIdle_) writerWake_.notify_one();
}

// The writer: whatever queued while it wrote is the next group, one transaction and one fsync
// for all of it. A waiting caller is woken once its batch is stored or failed; a submitted
// batch's callback runs here, outside the lock, and then the batch is gone.
void SqlStore::writeQueued() {
  ::pthread_setname_np(::pthread_self(), "store-writer");  // as top and perf show it
  std::unique_lock<std::mutex> lk(groupMutex_);
  std::vector<PendingWrite*> group;
  std::vector<PendingWrite*> submitted;
  for (;;) {
    writerIdle_ = true;
    writerWake_.wait(lk, [&] { return !queue_.empty() || stopWriting_; });
    writerIdle_ = false;
    if (queue_.empty()) return;  // stopping, and every batch is written
    group.clear();
    group.swap(queue_);
    lk.unlock();
    writeGroup(group);
    submitted.clear();
    lk.lock();
    for (auto* g : group) {
      if (g->submission) {
        submitted.push_back(g);
      } else {
        g->done = true;
        g->wake.notify_one();
      }
    }
    if (submitted.empty()) continue;
    lk.unlock();
    for (auto* g : submitted) {
      std::unique_ptr<Submission> s(g->submission);
      try {
        s->done(g->error ? std::vector<UpsertResult>() : std::move(g->results), g->error);
      } catch (const std::exception& e) {
        spdlog::error("store: the callback of a submitted batch failed: {}", e.what());
      } catch (...) {
        spdlog::error("store: the callback of a submitted batch failed");
      }
    }
    lk.lock();
  }
}

void SqlStore::writeGroup(const std::vector<PendingWrite*>& group) noexcept {
  std::size_t records = 0;
  for (const auto* w : group) records += w->batch.size();
  try {
    std::lock_guard<std::mutex> writing(writer_);
    for (int attempt = 1;; ++attempt) {
      Lease l = lease(kLeaseWait);
      try {
        soci::session& sql = l.session();
        Transaction tx(l, writeTransaction());
        for (auto* w : group) {
          w->results = w->initial;
          writeBatch(sql, w->batch, w->order, w->fingerprints, w->receivedAt, w->results,
                     w->options);
        }
        tx.commit();
        return;
      } catch (const soci::soci_error& e) {
        bool transient = isTransient(e);
        if (!transient) l.suspect();
        if (transient && attempt < kMaxBatchAttempts) continue;
        throw StoreError(fmt::format(
            "store: storing {} record(s) failed and was rolled back (sending them again is "
            "safe): {}",
            records, e.what()));
      }
    }
  } catch (...) {
    // Every batch of the group shares the transaction's fate: nothing of any was stored.
    auto error = std::current_exception();
    for (auto* w : group) w->error = error;
  }
}

UpsertResult SqlStore::upsertRecord(soci::session& sql, const model::Implementation& x,
                                    const std::string& fp, const std::string& receivedAt,
                                    PendingRows& pending, const StatusAsOf& asOf) {
  const bool lock = location_.dialect == Dialect::Postgres;
  const auto key = x.key();
  const auto rules = identity();
  const Identity identity{x.measure.id, x.region, rules->organisations.keyOf(x.organisation)};
  // This row becomes the source's latest report; whether it is the implementation's current
  // state depends on the other sources' rows.
  const int priority = rules->priorityOf(x.source);
  // PostgreSQL: the row is locked until the transaction ends. SQLite, one writer: one statement
  // finds the row and counts its implementation's rows.
  long long rowsOfIdentity = 0;
  std::optional<CurrentRow> current =
      lock ? findCurrent(sql, key, true)
           : lookUpRow(sql, key, identity.organisationKey, rowsOfIdentity);
  if (!current) {
    // Nothing held yet to merge into: the report's periods are the whole list.
    std::optional<model::Implementation> whole;
    if (model::hasMergedIndicators(x)) {
      whole = x;
      model::mergeIndicators(nullptr, *whole);
    }
    const model::Implementation& stored = whole ? *whole : x;
    // SQLite: the row's evaluation goes in with it where it can be known before (most new rows),
    // instead of reading the row back after.
    std::optional<FigureValues> figures;
    if (!lock) figures = figuresOfNewRow(stored, rowsOfIdentity, asOf);
    if (auto id = insertRow(sql, x, fp, receivedAt, identity.organisationKey, priority,
                            figures ? &*figures : nullptr)) {
      // The only row of its implementation is current (the column's default): no other row
      // to compare it with, none to mark.
      if (lock || rowsOfIdentity != 0) markCurrent(sql, identity);
      pending.addChildren(*id, stored, receivedAt, figures.has_value());
      pending.addHistory(x, receivedAt, "created", identity.organisationKey);
      return {Outcome::Accepted, "created", x.revision};
    }
    // Another transaction inserted the key after our look-up and has committed since (INSERT ...
    // ON CONFLICT waited for it; PostgreSQL): lock and use its row.
    current = findCurrent(sql, key, lock);
    if (!current) throw StoreError("store: a stored row could not be read back");
  }
  if (current->revision > x.revision)
    return {Outcome::Stale,
            fmt::format("revision {} is older than stored revision {}; nothing changed", x.revision,
                        current->revision),
            current->revision};
  if (current->revision == x.revision) {
    if (current->fingerprint == fp)
      return {Outcome::Duplicate,
              fmt::format("revision {} is already stored with the same content; nothing changed",
                          x.revision),
              current->revision};
    return {Outcome::Rejected,
            fmt::format("revision {} is already stored with different content: send a higher "
                        "revision",
                        x.revision),
            current->revision};
  }
  const UpsertResult replaced{
      Outcome::Accepted,
      fmt::format("revision {} replaces revision {}", x.revision, current->revision), x.revision};
  if (current->fingerprint == fp && !model::hasMergedIndicators(x)) {
    // The row holds this content already (a report sent again under a new revision, the common
    // case of a periodic export): its children stay, nothing is read to compare. Its
    // evaluation stays when nothing it depends on can have moved: the row is its
    // implementation's only one and was evaluated as of this day under these rules.
    const bool keep = current->alone && current->evStamp == asOf.stamp;
    reviseRow(sql, current->id, x.revision, receivedAt, identity.organisationKey, priority, keep);
    if (!keep) {
      markCurrent(sql, identity);
      pending.addWritten(current->id);
    }
    pending.addHistory(x, receivedAt, kNoChanges, identity.organisationKey);
    return replaced;
  }
  std::vector<Loaded> old;
  readRows(
      sql,
      std::string("SELECT ") + kRowColumns + " FROM implementation WHERE id = CAST(:id AS BIGINT)",
      {std::to_string(current->id)}, old);
  if (old.size() != 1) throw StoreError("store: the current row disappeared during an update");
  loadChildren(sql, old, Decisions::OwnRow);
  // Merge mode: the report's periods go into those this row holds, read in this transaction
  // under the row's lock (PostgreSQL) or the single writer (SQLite), so two merges in a row
  // each see the other's periods. The fingerprint stays the report's own, so the same revision
  // sent again is still a duplicate.
  std::optional<model::Implementation> merged;
  std::vector<std::string> mergeLines;
  if (model::hasMergedIndicators(x)) {
    merged = x;
    mergeLines = model::mergeIndicators(&old.front().impl, *merged);
  }
  const model::Implementation& stored = merged ? *merged : x;
  std::string changes = describeChanges(old.front().impl, stored);
  for (const auto& line : mergeLines) changes += (changes.empty() ? "" : "\n") + line;
  if (changes.empty()) changes = kNoChanges;
  updateRow(sql, current->id, stored, fp, receivedAt, identity.organisationKey, priority);
  markCurrent(sql, identity);
  pending.replaceChildren(current->id);
  pending.addChildren(current->id, stored, receivedAt);
  pending.addHistory(stored, receivedAt, std::move(changes), identity.organisationKey);
  return replaced;
}

// ---- reading ----------------------------------------------------------------------------------

void SqlStore::forEach(const Filter& filter,
                       const std::function<void(const model::Implementation&)>& fn) {
  // Fixed SQL fragments only; every value is a bound parameter.
  std::string where;
  BoundParams param;
  auto& params = param.values;
  // (Each placeholder is named in its own statement: the operands of a chain of + are evaluated
  // in no particular order, and the names must follow the order of the values.)
  // Only the current state of each implementation (one source's row).
  where += " AND is_current = 1" + filterClause(filter, identity()->organisations, param);
  const std::size_t fixedParams = params.size();
  const std::string order =
      " ORDER BY measure_id, region, organisation, source LIMIT " + std::to_string(kPageSize);
  // SQLite would otherwise prefer a filter's index and sort every match again for each page;
  // walking the key index makes each page continue where the last one stopped.
  const std::string from = location_.dialect == Dialect::Sqlite
                               ? " FROM implementation INDEXED BY implementation_key WHERE 1 = 1"
                               : " FROM implementation WHERE 1 = 1";
  const std::string first = std::string("SELECT ") + kRowColumns + from + where + order;
  std::string next;
  {
    std::string after = " AND (measure_id, region, organisation, source) > (";
    for (int i = 0; i < 4; ++i) {
      after += param({});
      after += i < 3 ? ", " : ")";
    }
    next = std::string("SELECT ") + kRowColumns + from + where + after + order;
  }

  // Each page is read (its rows and children) in one short transaction. The first page is read
  // here; when it is full, a reader thread reads the next pages one ahead of the caller, on a
  // connection of its own: with a core to spare, reading and the caller's work overlap. At most
  // two pages are held. A walk of one page (most filtered reads) starts no thread. One thread for
  // the whole walk, so that the pages' memory comes and goes in one allocator arena (a thread per
  // page spread it over many, and the hub's resident memory doubled).
  auto readPage = [this, &first, &next, fixedParams](std::vector<std::string> ps, bool isFirst) {
    return withSession(
        "reading implementations",
        [&](Lease& l) {
          Transaction tx(l, readTransaction());
          std::vector<Loaded> rows;
          if (isFirst) {
            ps.resize(fixedParams);
            readRows(l.session(), first, ps, rows);
          } else {
            readRows(l.session(), next, ps, rows);
          }
          loadChildren(l.session(), rows);
          tx.commit();
          return rows;
        },
        true);
  };
  // After a full page: whether there is one, and the key the next one starts after.
  auto continueAfter = [fixedParams](const std::vector<Loaded>& rows,
                                     std::vector<std::string>& ps) {
    if (rows.size() < kPageSize) return false;
    const auto& last = rows.back().impl;
    ps[fixedParams] = last.measure.id;
    ps[fixedParams + 1] = last.region;
    ps[fixedParams + 2] = last.organisation;
    ps[fixedParams + 3] = last.source;
    return true;
  };
  // No connection is held while the caller works on a page.
  auto deliver = [&](std::vector<Loaded>& page) {
    const auto directory = identity();
    for (auto& row : page) {
      directory->organisations.describe(row.impl);
      fn(row.impl);
    }
  };

  std::vector<Loaded> page = readPage(params, true);
  if (!continueAfter(page, params)) {
    deliver(page);
    return;
  }
  struct Ahead {
    std::mutex m;
    std::condition_variable cv;
    std::optional<std::vector<Loaded>> page;  // read, not yet taken
    bool done = false;                        // no page comes after `page`
    bool stop = false;                        // the caller has stopped
    std::exception_ptr error;
  } ahead;
  std::thread reader([&, ps = params]() mutable {
    try {
      for (;;) {
        auto rows = readPage(ps, false);
        const bool more = continueAfter(rows, ps);
        std::unique_lock lock(ahead.m);
        ahead.cv.wait(lock, [&] { return !ahead.page || ahead.stop; });
        if (ahead.stop) return;
        ahead.page = std::move(rows);
        ahead.done = !more;
        ahead.cv.notify_all();
        if (!more) return;
      }
    } catch (...) {
      std::lock_guard lock(ahead.m);
      ahead.error = std::current_exception();
      ahead.done = true;
      ahead.cv.notify_all();
    }
  });
  try {
    for (;;) {
      deliver(page);
      std::unique_lock lock(ahead.m);
      ahead.cv.wait(lock, [&] { return ahead.page || ahead.done; });
      if (!ahead.page) break;  // the end, or the reader's error (below)
      page = std::move(*ahead.page);
      ahead.page.reset();
      ahead.cv.notify_all();
    }
  } catch (...) {
    {
      std::lock_guard lock(ahead.m);
      ahead.stop = true;
      ahead.cv.notify_all();
    }
    reader.join();
    throw;
  }
  reader.join();
  if (ahead.error) std::rethrow_exception(ahead.error);
}

std::optional<model::Implementation> SqlStore::get(const model::ImplementationKey& key) {
  return withSession(
      "reading an implementation",
      [&](Lease& l) -> std::optional<model::Implementation> {
        Transaction tx(l, readTransaction());
        std::vector<Loaded> rows;
        readRows(l.session(),
                 std::string("SELECT ") + kRowColumns +
                     " FROM implementation WHERE measure_id = :m AND region = :r AND "
                     "organisation = :o AND source = :s",
                 {key.measureId, key.region, key.organisation, key.source}, rows);
        loadChildren(l.session(), rows);
        tx.commit();
        if (rows.empty()) return std::nullopt;
        identity()->organisations.describe(rows.front().impl);
        return std::move(rows.front().impl);
      },
      true);
}

std::vector<HistoryEntry> SqlStore::history(const model::ImplementationKey& key) {
  return withSession(
      "reading history",
      [&](Lease& l) {
        std::vector<HistoryEntry> out;
        long long id = 0, revision = 0;
        std::string receivedAt, changes, organisationKey;
        soci::statement st =
            (l.session().prepare << "SELECT id, revision, received_at, changes, organisation_key "
                                    "FROM history WHERE source = :s AND measure_id = :m AND "
                                    "region = :r AND organisation = :o ORDER BY id",
             soci::use(key.source), soci::use(key.measureId), soci::use(key.region),
             soci::use(key.organisation), soci::into(id), soci::into(revision),
             soci::into(receivedAt), soci::into(changes), soci::into(organisationKey));
        st.execute();
        while (st.fetch()) out.push_back({key, revision, receivedAt, changes, id, organisationKey});
        return out;
      },
      true);
}

std::vector<HistoryEntry> SqlStore::historyOf(const HistoryQuery& q) {
  const auto rules = identity();
  BoundParams param;
  auto& params = param.values;
  // Fixed SQL fragments only; every value is a bound parameter.
  std::string where = " WHERE h.measure_id = " + param(q.measureId);
  if (q.region) where += " AND h.region = " + param(*q.region);
  if (q.organisation) {
    // A code, or any spelling of it (which resolves to the code or to the unknown spelling).
    std::string given = param(*q.organisation);
    std::string resolved = param(rules->organisations.keyOf(*q.organisation));
    where += " AND h.organisation_key IN (" + given + ", " + resolved + ")";
  }
  if (!q.regionsIn.empty()) where += " AND " + anyRegionClause("h.region", q.regionsIn, param);
  if (!q.sectorsIn.empty()) {
    std::string list;
    for (const auto& c : q.sectorsIn) {
      list += list.empty() ? "" : ", ";
      list += param(c);
    }
    where +=
        " AND EXISTS (SELECT 1 FROM implementation i WHERE i.source = h.source AND "
        "i.measure_id = h.measure_id AND i.region = h.region AND i.organisation = "
        "h.organisation AND i.sector IN (" +
        list + "))";
  }
  if (q.assignment) {
    // The task's own lines ("assignment ID field: old -> new", "assignment ID added: ...") and
    // the creation of a row that holds it.
    std::string named = param("%assignment " + escapeLike(*q.assignment) + " %");
    std::string id = param(*q.assignment);
    where += " AND (h.changes LIKE " + named +
             " ESCAPE '!' OR (h.changes = 'created' AND EXISTS (SELECT 1 FROM implementation i "
             "JOIN assignment a ON a.implementation_id = i.id WHERE i.source = h.source AND "
             "i.measure_id = h.measure_id AND i.region = h.region AND i.organisation = "
             "h.organisation AND a.assignment_id = " +
             id + ")))";
  }
  const std::string sql =
      "SELECT h.id, h.source, h.measure_id, h.region, h.organisation, h.revision, h.received_at, "
      "h.changes, h.organisation_key FROM history h" +
      where + " ORDER BY h.id " + (q.newestFirst ? "DESC" : "ASC") + " LIMIT " +
      std::to_string(q.limit) + " OFFSET " + std::to_string(q.offset);
  return withSession(
      "reading history",
      [&](Lease& l) {
        std::vector<HistoryEntry> out;
        HistoryEntry e;
        long long id = 0, revision = 0;
        soci::details::prepare_temp_type p = (l.session().prepare << sql);
        p, soci::into(id), soci::into(e.key.source), soci::into(e.key.measureId),
            soci::into(e.key.region), soci::into(e.key.organisation), soci::into(revision),
            soci::into(e.receivedAt), soci::into(e.changes), soci::into(e.organisationKey);
        for (const auto& v : params) p, soci::use(v);
        soci::statement st(p);
        st.execute();
        while (st.fetch()) {
          e.id = id;
          e.revision = revision;
          out.push_back(e);
        }
        return out;
      },
      true);
}

std::vector<Store::TerritoryReceived> SqlStore::lastReceived(const Filter& filter) {
  BoundParams param;
  auto& params = param.values;
  // Fixed SQL fragments only; every value is a bound parameter.
  const std::string sql =
      "SELECT region, max(received_at) FROM implementation WHERE is_current = 1" +
      filterClause(filter, identity()->organisations, param) + " GROUP BY region ORDER BY region";
  return withSession(
      "reading when each territory last reported",
      [&](Lease& l) {
        std::vector<TerritoryReceived> out;
        TerritoryReceived t;
        soci::details::prepare_temp_type p = (l.session().prepare << sql);
        p, soci::into(t.territory), soci::into(t.lastReceivedAt);
        for (const auto& v : params) p, soci::use(v);
        soci::statement st(p);
        st.execute();
        while (st.fetch()) out.push_back(t);
        return out;
      },
      true);
}

std::vector<Store::Revision> SqlStore::revisions(const RevisionQuery& q) {
  const auto rules = identity();
  BoundParams param;
  auto& params = param.values;
  // Fixed SQL fragments only; every value is a bound parameter.
  std::string where = " WHERE h.facts IS NOT NULL AND h.received_at <= " + param(q.until);
  if (q.region) where += " AND " + regionClause("h.region", *q.region, param);
  if (!q.regionsIn.empty()) where += " AND " + anyRegionClause("h.region", q.regionsIn, param);
  if (q.measureId) where += " AND h.measure_id = " + param(*q.measureId);
  if (!q.since.empty()) {
    std::string after = param(q.since);
    std::string upTo = param(q.since);
    where += " AND (h.received_at > " + after +
             " OR h.id IN (SELECT max(l.id) FROM history l WHERE l.facts IS NOT NULL AND "
             "l.received_at <= " +
             upTo + " GROUP BY l.source, l.measure_id, l.region, l.organisation))";
  }
  const std::string sql =
      "SELECT h.id, h.source, h.measure_id, h.region, h.organisation, h.revision, h.received_at, "
      "h.organisation_key, h.facts FROM history h" +
      where + " ORDER BY h.id";
  return withSession(
      "reading past revisions",
      [&](Lease& l) {
        std::vector<Revision> out;
        Revision r;
        long long id = 0, revision = 0;
        std::string facts;
        soci::details::prepare_temp_type p = (l.session().prepare << sql);
        p, soci::into(id), soci::into(r.facts.source), soci::into(r.facts.measure.id),
            soci::into(r.facts.region), soci::into(r.facts.organisation), soci::into(revision),
            soci::into(r.receivedAt), soci::into(r.organisationKey), soci::into(facts);
        for (const auto& v : params) p, soci::use(v);
        soci::statement st(p);
        st.execute();
        while (st.fetch()) {
          Revision one = r;
          one.historyId = id;
          one.facts.revision = revision;
          if (!decodeFacts(facts, one.facts))
            throw StoreError("store: the facts of history row " + std::to_string(id) +
                             " are unreadable");
          one.priority = rules->priorityOf(one.facts.source);
          out.push_back(std::move(one));
        }
        return out;
      },
      true);
}

std::vector<OrganisationSeen> SqlStore::organisationsSeen() {
  return withSession(
      "reading organisation spellings",
      [&](Lease& l) {
        std::vector<OrganisationSeen> out;
        OrganisationSeen o;
        long long reports = 0;
        soci::statement st =
            (l.session().prepare
                 << "SELECT organisation, organisation_key, source, count(*), min(received_at), "
                    "max(received_at) FROM history GROUP BY organisation, organisation_key, "
                    "source ORDER BY organisation_key, organisation, source",
             soci::into(o.spelling), soci::into(o.key), soci::into(o.source), soci::into(reports),
             soci::into(o.firstSeen), soci::into(o.lastSeen));
        st.execute();
        while (st.fetch()) {
          o.reports = reports;
          out.push_back(o);
        }
        return out;
      },
      true);
}

std::shared_ptr<const IdentityRules> SqlStore::identity() const {
  std::lock_guard<std::mutex> lock(identityMutex_);
  return identity_;
}

std::shared_ptr<const model::StatusRules> SqlStore::statusRules() const {
  std::lock_guard<std::mutex> lock(statusRulesMutex_);
  return statusRules_;
}

void SqlStore::setStatusRules(const model::StatusRules& rules) {
  // The stamps name the rules: what was evaluated under others is stale from now on.
  auto next = std::make_shared<const model::StatusRules>(rules);
  std::lock_guard<std::mutex> lock(statusRulesMutex_);
  statusRules_ = next;
}

namespace {

// Three probes of the (is_current, ev_stamp) index, one per range: written as one condition with
// OR, SQLite walks every current row's index entry instead.
bool anyStale(soci::session& sql, const std::string& stamp) {
  int one = 0;
  return run(sql,
             "SELECT 1 FROM implementation WHERE is_current = 1 AND ev_stamp IS NULL UNION ALL "
             "SELECT 1 FROM implementation WHERE is_current = 1 AND ev_stamp < :s1 UNION ALL "
             "SELECT 1 FROM implementation WHERE is_current = 1 AND ev_stamp > :s2 LIMIT 1",
             soci::into(one), soci::use(stamp), soci::use(stamp));
}

// Binds `params` in order and runs a query of one count.
long long countOf(soci::session& sql, const std::string& query,
                  const std::vector<std::string>& params) {
  long long n = 0;
  Statement st(sql, query);
  st, soci::into(n);
  for (const auto& v : params) st, soci::use(v);
  st.execute();
  return n;
}

// The WHERE conditions (each starting with " AND ") of a StatusFilter over the stored figures;
// fixed SQL fragments only, every value a bound parameter made by `param`.
template <typename Param>
std::string statusClause(const StatusFilter& f, Param&& param) {
  std::string where;
  if (!f.statuses.empty()) {
    std::string list;
    for (auto s : f.statuses) {
      list += list.empty() ? "" : ", ";
      list += param(model::toString(s));
    }
    where += " AND ev_status IN (" + list + ")";
  }
  if (f.overdue) {
    where += *f.overdue ? " AND ev_status = " : " AND ev_status <> ";
    where += param(model::toString(model::ExecutionStatus::Overdue));
  }
  if (f.rag) where += " AND ev_rag = " + param(model::toString(*f.rag));
  if (f.earlyWarning) where += " AND ev_early_warning = " + param(*f.earlyWarning ? "1" : "0");
  if (f.minDelay)
    where += " AND ev_delay >= CAST(" + param(std::to_string(*f.minDelay)) + " AS BIGINT)";
  return where;
}

}  // namespace

// PostgreSQL: a refresh that rewrote at least this many rows vacuums the table after it.
constexpr std::size_t kVacuumAfter = 1000;

bool SqlStore::refreshStatus(model::Date today) {
  const auto rules = statusRules();
  const std::string stamp = statusStamp(today, *rules);
  auto fresh = [&] {
    return withSession(
        "checking the stored evaluations", [&](Lease& l) { return !anyStale(l.session(), stamp); },
        true);
  };
  if (fresh()) return true;
  // Another caller is at it: this one does not wait (its reader evaluates by itself meanwhile).
  std::unique_lock<std::mutex> refreshing(refreshing_, std::try_to_lock);
  if (!refreshing.owns_lock()) return false;
  const std::string page = std::string("SELECT ") + kRowColumns + " FROM implementation WHERE " +
                           kStaleCondition + " AND id > CAST(:after AS BIGINT) ORDER BY id LIMIT " +
                           std::to_string(kPageSize);
  long long after = 0;
  std::size_t evaluated = 0;
  for (;;) {
    std::size_t n = 0;
    try {
      n = withWrite(
          "evaluating stored implementations again",
          [&](soci::session& sql) {
            std::vector<Loaded> rows;
            readRows(sql, page, {stamp, stamp, std::to_string(after)}, rows);
            if (rows.empty()) return std::size_t{0};
            after = rows.back().id;
            loadChildren(sql, rows);
            storeEvaluations(sql, rows, today, *rules, stamp);
            return rows.size();
          },
          true);
    } catch (const StoreError& e) {
      // One unreadable page does not stop the others; its rows stay stale (and the reads
      // evaluate by themselves).
      spdlog::warn("store: evaluating stored implementations again failed after row {}: {}", after,
                   e.what());
      return false;
    }
    evaluated += n;
    if (n < kPageSize) break;
  }
  spdlog::info("store: {} implementation(s) evaluated again as of {}", evaluated,
               model::formatDate(today));
  if (location_.dialect == Dialect::Postgres && evaluated >= kVacuumAfter) {
    // Every row rewritten leaves a dead version in the table and its indexes: the stale check
    // and the index-only counts would wade through them until autovacuum came by.
    try {
      withSession(
          "vacuuming the implementation table",
          [](Lease& l) {
            l.session() << "VACUUM (ANALYZE) implementation";
            return 0;
          },
          false);
    } catch (const StoreError& e) {
      spdlog::warn("{}", e.what());
    }
  }
  return fresh();
}

std::optional<StatusPage> SqlStore::statusPage(const Filter& filter, const StatusFilter& status,
                                               model::Date today, const model::StatusRules& rules,
                                               std::size_t offset, std::size_t limit,
                                               StatusOrder order) {
  if (model::fingerprint(rules) != model::fingerprint(*statusRules())) return std::nullopt;
  const std::string stamp = statusStamp(today, rules);
  BoundParams param;
  auto& params = param.values;
  const auto directory = identity();
  std::string where =
      " WHERE is_current = 1" + filterClause(filter, directory->organisations, param);
  where += statusClause(status, param);
  const std::size_t filterParams = params.size();
  // Without a status condition, in the key order, SQLite would otherwise pick an index of the
  // figures for is_current and sort every current row for the page: walking the key index
  // stops after the page.
  const bool anyStatus = !status.statuses.empty() || status.overdue || status.rag ||
                         status.minDelay || status.earlyWarning;
  const bool byKey = order == StatusOrder::Key && !anyStatus;
  const char* from = byKey && location_.dialect == Dialect::Sqlite
                         ? " FROM implementation INDEXED BY implementation_key"
                         : " FROM implementation";
  std::string rowsQuery = std::string("SELECT ") + kRowColumns + from + where + " ORDER BY " +
                          (order == StatusOrder::Deadline ? std::string("ev_deadline, ") : "") +
                          "measure_id, region, organisation, source LIMIT CAST(";
  rowsQuery += param(std::to_string(limit));
  rowsQuery += " AS BIGINT) OFFSET CAST(";
  rowsQuery += param(std::to_string(offset));
  rowsQuery += " AS BIGINT)";
  auto page = withSession(
      "reading implementations by their stored status",
      [&](Lease& l) -> std::optional<StatusPage> {
        soci::session& sql = l.session();
        Transaction tx(l, readTransaction());
        if (anyStale(sql, stamp)) {
          tx.commit();
          return std::nullopt;
        }
        StatusPage out;
        const std::vector<std::string> counted(
            params.begin(), params.begin() + static_cast<std::ptrdiff_t>(filterParams));
        out.total = static_cast<std::size_t>(
            countOf(sql, "SELECT count(*) FROM implementation" + where, counted));
        std::vector<Loaded> rows;
        readRows(sql, rowsQuery, params, rows);
        loadChildren(sql, rows);
        std::vector<long long> ids;
        for (const auto& r : rows) ids.push_back(r.id);
        auto figures = readFigures(sql, ids);
        tx.commit();
        for (auto& r : rows) {
          auto f = figures.find(r.id);
          if (f == figures.end()) return std::nullopt;
          out.rows.push_back({std::move(r.impl), f->second});
        }
        return out;
      },
      true);
  if (page)
    for (auto& r : page->rows) directory->organisations.describe(r.impl);
  return page;
}

std::optional<std::vector<StatusGroup>> SqlStore::statusGroups(const Filter& filter,
                                                               model::RollUpBy by,
                                                               model::Date today,
                                                               const model::StatusRules& rules) {
  // Grouped along the implementation_ev_figures index (the figures, then region, sector and
  // organisation) where the column is in it, so that SQLite walks the index without sorting
  // every row; the finer groups come back several per key and add up in RollUpBuilder.
  // (PostgreSQL aggregates in a hash table whatever the order: there finer groups only cost.)
  const bool sqlite = location_.dialect == Dialect::Sqlite;
  switch (by) {
    case model::RollUpBy::Region:
      return groupStatus(filter, {"region"}, "region", by, today, rules);
    case model::RollUpBy::Sector:
      return groupStatus(filter, {"sector"}, sqlite ? "region, sector" : "sector", by, today,
                         rules);
    case model::RollUpBy::Organisation:
      return groupStatus(filter, {"organisation"},
                         sqlite ? "region, sector, organisation" : "organisation", by, today,
                         rules);
    case model::RollUpBy::Measure:
      break;
  }
  return groupStatus(filter, {"measure_id"}, "measure_id", by, today, rules);
}

std::optional<std::vector<StatusGroup>> SqlStore::statusCells(const Filter& filter,
                                                              model::Date today,
                                                              const model::StatusRules& rules) {
  return groupStatus(filter, {"region", "sector"}, "region, sector", model::RollUpBy::Region, today,
                     rules);
}

std::optional<std::vector<StatusGroup>> SqlStore::groupStatus(
    const Filter& filter, const std::vector<const char*>& columns, const char* groupedBy,
    model::RollUpBy by, model::Date today, const model::StatusRules& rules) {
  if (model::fingerprint(rules) != model::fingerprint(*statusRules())) return std::nullopt;
  const std::string stamp = statusStamp(today, rules);
  BoundParams param;
  auto& params = param.values;
  const auto directory = identity();
  std::string discrete;
  for (const char* c : columns) discrete += std::string(c) + ", ";
  discrete += "ev_status, ev_rag, ev_early_warning, ev_counts_for_delay, ev_due";
  const std::string grouped =
      std::string("ev_status, ev_rag, ev_early_warning, ev_counts_for_delay, ev_due, ") + groupedBy;
  const std::string query =
      "SELECT " + discrete +
      ", count(*), coalesce(sum(ev_tasks), 0), coalesce(sum(ev_tasks_overdue), 0), "
      "coalesce(sum(ev_tasks_done_on_time), 0), coalesce(sum(ev_tasks_done_late), 0), "
      "coalesce(sum(ev_tasks_due_soon), 0), coalesce(sum(ev_tasks_due_or_finished), 0), "
      "coalesce(sum(ev_tasks_cancelled), 0), coalesce(sum(ev_tasks_suspended), 0), "
      "coalesce(sum(CASE WHEN ev_tasks_overdue > 0 THEN 1 ELSE 0 END), 0) FROM implementation "
      "WHERE is_current = 1" +
      filterClause(filter, directory->organisations, param) + " GROUP BY " + grouped;
  return withSession(
      "counting implementations by their stored status",
      [&](Lease& l) -> std::optional<std::vector<StatusGroup>> {
        soci::session& sql = l.session();
        Transaction tx(l, readTransaction());
        if (anyStale(sql, stamp)) {
          tx.commit();
          return std::nullopt;
        }
        std::string value, sector, status, rag;
        int early = 0, counts = 0, due = 0;
        long long n[10] = {};
        Statement st(sql, query);
        st, soci::into(value);
        if (columns.size() > 1) st, soci::into(sector);
        st, soci::into(status), soci::into(rag), soci::into(early), soci::into(counts),
            soci::into(due);
        for (auto& v : n) st, soci::into(v);
        for (const auto& v : params) st, soci::use(v);
        std::vector<StatusGroup> out;
        bool unreadable = false;
        while (st.fetch()) {
          auto s = model::executionStatusFromString(status);
          auto r = model::ragFromString(rag);
          if (!s || !r) {
            unreadable = true;
            continue;
          }
          model::Implementation stub;
          if (by == model::RollUpBy::Measure) stub.measure.id = value;
          if (by == model::RollUpBy::Region) stub.region = value;
          if (by == model::RollUpBy::Sector) stub.sector = value;
          if (by == model::RollUpBy::Organisation) {
            stub.organisation = value;
            directory->organisations.describe(stub);
          }
          StatusGroup g;
          g.key = model::rollUpKey(by, stub);
          g.sector = sector;
          g.sums.status = *s;
          g.sums.rag = *r;
          g.sums.earlyWarning = early != 0;
          g.sums.countsForDelay = counts != 0;
          g.sums.due = due != 0;
          g.count = static_cast<std::size_t>(n[0]);
          g.sums.tasksTotal = static_cast<std::size_t>(n[1]);
          g.sums.tasksOverdue = static_cast<std::size_t>(n[2]);
          g.sums.tasksDoneOnTime = static_cast<std::size_t>(n[3]);
          g.sums.tasksDoneLate = static_cast<std::size_t>(n[4]);
          g.sums.tasksDueSoon = static_cast<std::size_t>(n[5]);
          g.sums.tasksDueOrFinished = static_cast<std::size_t>(n[6]);
          g.sums.tasksCancelled = static_cast<std::size_t>(n[7]);
          g.sums.tasksSuspended = static_cast<std::size_t>(n[8]);
          g.withOverdueTasks = static_cast<std::size_t>(n[9]);
          out.push_back(std::move(g));
        }
        tx.commit();
        if (unreadable) return std::nullopt;
        return out;
      },
      true);
}

void SqlStore::setIdentity(const IdentityRules& rules) {
  auto next = std::make_shared<const IdentityRules>(rules);
  // Under the writer's lock on SQLite, and before new writes use the rules, so that no write
  // keys a row by the old rules after the stored rows were re-keyed.
  withWrite(
      "applying organisation identity and source priorities",
      [&](soci::session& sql) {
        lockHistoryOrder(sql, location_.dialect);
        // Rows that change implementation change what their evaluations merge in.
        const bool rekeyed = rekeyOrganisations(
            sql, [&](const std::string& s) { return next->organisations.keyOf(s); });
        if (rekeyed)
          run(sql, "UPDATE implementation SET ev_stamp = NULL WHERE ev_stamp IS NOT NULL");
        const bool reprioritised =
            applyPriorities(sql, next->sourcePriorities, kDefaultSourcePriority);
        // Every write ranks the rows of the implementations it touches, so the stored ranking
        // holds for the keys and priorities the rows have; only a change of either changes it.
        if (rekeyed || reprioritised) markCurrent(sql, std::nullopt);
        std::lock_guard<std::mutex> lock(identityMutex_);
        identity_ = next;
        return 0;
      },
      true);
}

std::size_t SqlStore::count() {
  return withSession(
      "counting implementations",
      [](Lease& l) {
        long long n = 0;
        l.session() << "SELECT count(*) FROM implementation WHERE is_current = 1", soci::into(n);
        return static_cast<std::size_t>(n);
      },
      true);
}

int SqlStore::schemaVersion() {
  return withSession(
      "reading the schema version", [](Lease& l) { return schemaVersionOf(l.session()); }, true);
}

// ---- plugin state -----------------------------------------------------------------------------

std::optional<std::string> SqlStore::checkpoint(const std::string& instance) {
  return withSession(
      "reading a plugin checkpoint",
      [&](Lease& l) { return readCheckpoint(l.session(), instance); }, true);
}

std::vector<Change> SqlStore::changesAfter(std::int64_t historyId, std::size_t limit) {
  if (limit == 0) return {};
  return withSession(
      "reading the change feed",
      [&](Lease& l) {
        Transaction tx(l, readTransaction());
        auto out = readChangesAfter(l.session(), historyId, limit);
        tx.commit();
        return out;
      },
      true);
}

std::optional<ReceivedBatch> SqlStore::receivedBatch(const std::string& hub,
                                                     std::int64_t sequence) {
  return withSession(
      "reading a received feed batch",
      [&](Lease& l) { return selectReceivedBatch(l.session(), hub, sequence); }, true);
}

std::vector<PeerBatches> SqlStore::peerBatches() {
  return withSession(
      "reading the feed batches received",
      [&](Lease& l) {
        Transaction tx(l, readTransaction());
        auto out = selectPeerBatches(l.session());
        tx.commit();
        return out;
      },
      true);
}

std::vector<Store::KeyedLineage> SqlStore::currentLineages(
    const std::optional<std::string>& measureId) {
  return withSession(
      "reading the lineage of stored records",
      [&](Lease& l) { return selectCurrentLineages(l.session(), measureId); }, true);
}

std::int64_t SqlStore::lastHistoryId() {
  return withSession(
      "reading the last history id", [](Lease& l) { return readLastHistoryId(l.session()); }, true);
}

std::int64_t SqlStore::sinkCursor(const std::string& sink) {
  return withSession(
      "reading a sink cursor", [&](Lease& l) { return readSinkCursor(l.session(), sink); }, true);
}

void SqlStore::advanceSinkCursor(const std::string& sink, std::int64_t historyId,
                                 std::span<const DeadLetter> deadLetters) {
  const std::string at = formatTimestamp(std::chrono::system_clock::now());
  withWrite(
      "advancing the cursor of a sink",
      [&](soci::session& sql) {
        for (const auto& d : deadLetters) insertDeadLetter(sql, d, at);
        writeSinkCursor(sql, sink, historyId, at);
        return 0;
      },
      deadLetters.empty());
}

// ---- the hub's outgoing feed (hub/store/feed_batches.cpp does the SQL) -------------------------

std::optional<FeedBatch> SqlStore::appendFeedBatch(const std::string& hub, std::size_t limit,
                                                   const FeedBatchBuilder& build, bool always) {
  if (limit == 0 && !always) return std::nullopt;
  return withWrite(
      "making a feed batch",
      [&](soci::session& sql) {
        const std::string at = formatTimestamp(std::chrono::system_clock::now());
        return appendBatch(sql, location_.dialect, hub, limit, build, at, always);
      },
      true);
}

std::optional<FeedBatch> SqlStore::feedBatchAfter(std::int64_t sequence) {
  return withSession(
      "reading a feed batch", [&](Lease& l) { return selectBatchAfter(l.session(), sequence); },
      true);
}

std::optional<FeedBatch> SqlStore::claimFeedBatch(const std::string& owner,
                                                  std::chrono::seconds lease) {
  const auto now = std::chrono::system_clock::now();
  const std::string nowText = formatTimestampMillis(now);
  const std::string until = formatTimestampMillis(now + lease);
  return withWrite(
      "claiming a feed batch",
      [&](soci::session& sql) { return claimBatch(sql, location_.dialect, owner, nowText, until); },
      true);
}

void SqlStore::feedBatchDelivered(std::int64_t sequence, const std::string& /*owner*/,
                                  std::span<const DeadLetter> deadLetters) {
  const std::string at = formatTimestamp(std::chrono::system_clock::now());
  withWrite(
      "recording a delivered feed batch",
      [&](soci::session& sql) {
        // Delivered once only: a sender whose lease ran out while another delivered the same
        // batch adds no second set of dead letters.
        if (markBatchDelivered(sql, sequence, at))
          for (const auto& d : deadLetters) insertDeadLetter(sql, d, at);
        return 0;
      },
      true);
}

void SqlStore::feedBatchFailed(std::int64_t sequence, const std::string& owner,
                               const std::string& error) {
  withWrite(
      "recording a failed send of a feed batch",
      [&](soci::session& sql) {
        markBatchFailed(sql, sequence, owner, error);
        return 0;
      },
      false);
}

FeedBacklog SqlStore::feedBacklog() {
  return withSession(
      "reading the feed's backlog",
      [&](Lease& l) {
        Transaction tx(l, readTransaction());
        auto out = selectBacklog(l.session());
        tx.commit();
        return out;
      },
      true);
}

bool SqlStore::issueToken(const AccessToken& token) {
  const std::string at = formatTimestamp(std::chrono::system_clock::now());
  return withWrite(
      "issuing a token", [&](soci::session& sql) { return insertAccessToken(sql, token, at); },
      false);
}

std::vector<AccessToken> SqlStore::accessTokens() {
  return withSession(
      "reading tokens", [&](Lease& l) { return selectAccessTokens(l.session()); }, true);
}

bool SqlStore::revokeToken(const std::string& id) {
  const std::string at = formatTimestamp(std::chrono::system_clock::now());
  return withWrite(
      "revoking a token", [&](soci::session& sql) { return revokeAccessToken(sql, id, at); }, true);
}

std::optional<AccessToken> SqlStore::validToken(const std::string& tokenSha256) {
  return withSession(
      "looking up a token",
      [&](Lease& l) { return selectValidAccessToken(l.session(), tokenSha256); }, true);
}

std::int64_t SqlStore::addDeadLetter(const DeadLetter& letter) {
  const std::string at = formatTimestamp(std::chrono::system_clock::now());
  return withWrite(
      "adding a dead letter", [&](soci::session& sql) { return insertDeadLetter(sql, letter, at); },
      false);
}

std::vector<DeadLetter> SqlStore::deadLetters(const DeadLetterFilter& filter) {
  return withSession(
      "reading dead letters",
      [&](Lease& l) { return selectDeadLetters(l.session(), filter, false); }, true);
}

std::vector<std::int64_t> SqlStore::queueReplay(const DeadLetterFilter& filter) {
  DeadLetterFilter dead = filter;
  dead.states = {ReplayState::Dead};
  const std::string at = formatTimestamp(std::chrono::system_clock::now());
  return withWrite(
      "queueing dead letters for replay",
      [&](soci::session& sql) {
        std::vector<std::int64_t> ids;
        for (const auto& d : selectDeadLetters(sql, dead, location_.dialect == Dialect::Postgres))
          ids.push_back(d.id);
        setQueued(sql, ids, at);
        return ids;
      },
      true);
}

void SqlStore::markReplayed(std::span<const std::int64_t> ids) {
  if (ids.empty()) return;
  const std::string at = formatTimestamp(std::chrono::system_clock::now());
  const std::vector<std::int64_t> all(ids.begin(), ids.end());
  withWrite(
      "marking dead letters replayed",
      [&](soci::session& sql) {
        setReplayed(sql, all, at);
        return 0;
      },
      true);
}

void SqlStore::returnToDeadLetters(std::int64_t id, const std::string& reason) {
  withWrite(
      "returning a dead letter",
      [&](soci::session& sql) {
        setDeadAgain(sql, id, reason);
        return 0;
      },
      false);
}

// ---- evidence (hub/store/evidence_io.cpp does the SQL) -----------------------------------------

bool SqlStore::keepsEvidenceContent() const {
  return location_.dialect == Dialect::Postgres;
}

EvidenceAdded SqlStore::addEvidence(const EvidenceUpload& upload,
                                    const std::optional<std::string>& contentFile) {
  if (contentFile && !keepsEvidenceContent())
    throw StoreError("store: a SQLite store keeps evidence content on disk, not in the database");
  return withWrite(
      "storing an evidence upload",
      [&](soci::session& sql) { return insertEvidence(sql, upload, contentFile); }, false);
}

std::vector<EvidenceUpload> SqlStore::evidenceLinks(const std::string& sha256) {
  return withSession(
      "reading evidence links",
      [&](Lease& l) { return selectEvidence(l.session(), sha256, std::nullopt); }, true);
}

std::vector<EvidenceUpload> SqlStore::evidenceUploads(const std::optional<std::string>& measureId) {
  return withSession(
      "reading evidence uploads",
      [&](Lease& l) { return selectEvidence(l.session(), std::nullopt, measureId); }, true);
}

bool SqlStore::readEvidenceContent(const std::string& sha256,
                                   const std::function<void(std::string_view)>& fn) {
  if (!keepsEvidenceContent()) return false;
  return withSession(
      "reading evidence content",
      [&](Lease& l) {
        // One snapshot for the row and its object.
        Transaction tx(l, readTransaction());
        const bool found = readEvidenceLargeObject(l.session(), sha256, fn);
        tx.commit();
        return found;
      },
      false);
}

bool SqlStore::ping() noexcept {
  try {
    for (int attempt = 0; attempt < 2; ++attempt) {
      Lease l = lease(kPingWait);
      try {
        int one = 0;
        l.session() << "SELECT 1", soci::into(one);
        return one == 1;
      } catch (const soci::soci_error&) {
        l.suspect();  // the next lease of this connection reconnects
      }
    }
  } catch (...) {
  }
  return false;
}

}  // namespace ijro::store::detail
