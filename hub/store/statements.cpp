#include "hub/store/statements.hpp"

#include <soci/sqlite3/soci-sqlite3.h>

#include <mutex>
#include <unordered_map>

namespace ijro::store::detail {

struct Statement::Entry {
  std::unique_ptr<soci::statement> statement;
  bool busy = false;
};

namespace {

// Texts are fixed fragments; a session keeps at most this many (a statement assembled with a
// varying number of rows is then prepared for one run).
constexpr std::size_t kMaxKept = 256;

struct Kept {
  bool sqlite = false;
  std::unordered_map<std::string, std::unique_ptr<Statement::Entry>> entries;
};

std::mutex& registryMutex() {
  static std::mutex m;
  return m;
}

std::unordered_map<const soci::session*, std::unique_ptr<Kept>>& registry() {
  static std::unordered_map<const soci::session*, std::unique_ptr<Kept>> r;
  return r;
}

// The kept statements of a session, or nullptr. Only the thread holding the session uses them.
Kept* keptFor(const soci::session& sql) {
  std::lock_guard<std::mutex> lock(registryMutex());
  auto it = registry().find(&sql);
  return it == registry().end() ? nullptr : it->second.get();
}

// kept: prepared to run many times (on PostgreSQL a named server-side statement); otherwise as a
// one-time query (on PostgreSQL parsed with its values in one round trip).
std::unique_ptr<soci::statement> prepared(soci::session& sql, const std::string& text, bool kept) {
  auto st = std::make_unique<soci::statement>(sql);
  st->alloc();
  st->prepare(text, kept ? soci::details::st_repeatable_query : soci::details::st_one_time_query);
  return st;
}

}  // namespace

void keepStatements(soci::session& sql) {
  auto kept = std::make_unique<Kept>();
  kept->sqlite = sql.get_backend_name() == "sqlite3";
  std::lock_guard<std::mutex> lock(registryMutex());
  registry()[&sql] = std::move(kept);
}

void dropStatements(soci::session& sql) noexcept {
  std::unique_ptr<Kept> kept;
  {
    std::lock_guard<std::mutex> lock(registryMutex());
    auto it = registry().find(&sql);
    if (it == registry().end()) return;
    kept = std::move(it->second);
    registry().erase(it);
  }
  // Finalized here, outside the lock; a PostgreSQL statement deallocates itself on the server
  // (SOCI ignores a failure there: the connection may already be gone).
}

std::size_t keptStatements(soci::session& sql) {
  auto* kept = keptFor(sql);
  return kept ? kept->entries.size() : 0;
}

Statement::Statement(soci::session& sql, const std::string& text) {
  Kept* kept = keptFor(sql);
  if (kept) {
    sqlite_ = kept->sqlite;
    auto it = kept->entries.find(text);
    if (it != kept->entries.end() && !it->second->busy) {
      kept_ = it->second.get();
    } else if (it == kept->entries.end() && kept->entries.size() < kMaxKept) {
      auto entry = std::make_unique<Entry>();
      entry->statement = prepared(sql, text, true);
      kept_ = entry.get();
      kept->entries.emplace(text, std::move(entry));
    }
  }
  if (kept_) {
    kept_->busy = true;
    st_ = kept_->statement.get();
    st_->bind_clean_up();
  } else {
    once_ = prepared(sql, text, false);
    st_ = once_.get();
  }
}

Statement::~Statement() {
  if (!kept_) return;
  try {
    st_->bind_clean_up();
    // A SQLite statement left part-way through its rows would keep its read snapshot open: the
    // connection would go on seeing the database as it was.
    if (sqlite_) {
      auto* backend = static_cast<soci::sqlite3_statement_backend*>(st_->get_backend());
      if (backend->stmt_ && sqlite_api::sqlite3_reset(backend->stmt_) == SQLITE_OK)
        backend->databaseReady_ = true;
    }
  } catch (...) {
    // Nothing to undo: the next run binds afresh.
  }
  kept_->busy = false;
}

void Statement::bound() {
  st_->define_and_bind();
  ran_ = true;
}

bool Statement::execute() {
  bound();
  return st_->execute(true);
}

bool Statement::fetch() {
  if (!ran_) {
    bound();
    st_->execute(false);
  }
  return st_->fetch();
}

long long Statement::affectedRows() {
  return st_->get_affected_rows();
}

}  // namespace ijro::store::detail
