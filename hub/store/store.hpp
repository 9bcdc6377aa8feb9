// Durable storage of implementations and their history, through SOCI.
// URLs: "sqlite:/path/to/hub.db" (embedded default; also "sqlite3:", "sqlite:///abs/path" and
// "sqlite::memory:"), "postgresql://dbname=ijro host=/run/postgresql port=5432 user=hub" (a libpq
// key=value string after "postgresql://" or "postgresql:") or a libpq URI
// "postgresql://user@host:port/db". The schema is versioned (schema_version table) and migrated
// on open. Every member function may be called from several threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "hub/model/types.hpp"

namespace ijro::store {

enum class Outcome { Accepted, Duplicate, Stale, Rejected };
const char* toString(Outcome o);

struct UpsertResult {
  Outcome outcome = Outcome::Rejected;
  // Why: for Stale / Rejected / Duplicate; "created" or "revision 3 replaces revision 2" when
  // Accepted.
  std::string reason;
  // The revision in the store after the call; 0 if there is none, or if the record was rejected
  // before the store was consulted.
  std::int64_t storedRevision = 0;
};

// What the SQL side can filter on; execution status is evaluated in C++ on top.
struct Filter {
  std::optional<std::string> region;  // 4-digit region: also matches its 7-digit districts
  std::optional<std::string> sector;
  std::optional<std::string> organisation;
  std::optional<std::string> measureId;
  std::optional<std::string> text;  // case-insensitive substring of measure id, title or note
};

struct HistoryEntry {
  model::ImplementationKey key;
  std::int64_t revision = 0;
  std::string receivedAt;  // ISO 8601 UTC
  std::string changes;     // human-readable list of what changed, one "field: old -> new" per line
};

class Store {
 public:
  virtual ~Store() = default;

  // Opens (creating if needed) and migrates to the latest schema version. Throws StoreError.
  static std::unique_ptr<Store> open(const std::string& url, std::size_t poolSize = 4);

  // Stores a batch in one transaction. When this returns, every Accepted record is on disk
  // (SQLite: WAL + synchronous=FULL; PostgreSQL: committed). Each record's source must be set.
  // Same key and revision with the same content: Duplicate, nothing written.
  // Same key and revision with other content: Rejected (send a higher revision).
  // Lower revision than stored: Stale, nothing written.
  // Higher revision: the row and all its children are replaced and history records what changed.
  // Results come back in batch order; records with the same key are applied in batch order.
  // A record the store cannot hold (no source, text that is not UTF-8 or contains NUL, a
  // non-finite number, a date outside 0001..9999) or that the database refuses (a constraint or
  // data error) is Rejected without leaving anything behind, and the rest of the batch goes on.
  // Any other database failure throws StoreError and nothing of the batch is committed; sending
  // the batch again is always safe.
  virtual std::vector<UpsertResult> upsert(std::span<const model::Implementation> batch,
                                           std::chrono::system_clock::time_point receivedAt) = 0;

  // Streams every current implementation matching the filter, with all children, ordered by
  // (measure id, region, organisation, source). Rows are read in pages of a few hundred, each in
  // its own short read transaction, and no database connection is held while fn runs (so fn may
  // call the store). A row updated during the stream appears once, in either version.
  virtual void forEach(const Filter& filter,
                       const std::function<void(const model::Implementation&)>& fn) = 0;

  virtual std::optional<model::Implementation> get(const model::ImplementationKey& key) = 0;
  virtual std::vector<HistoryEntry> history(const model::ImplementationKey& key) = 0;  // oldest 1st
  virtual std::size_t count() = 0;
  virtual int schemaVersion() = 0;
  virtual bool ping() noexcept = 0;         // for /readyz
  virtual std::string backend() const = 0;  // "sqlite3" | "postgresql"
};

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace ijro::store
