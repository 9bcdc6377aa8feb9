// Durable storage of implementations and their history, through SOCI.
// URLs: "sqlite:/path/to/hub.db" (embedded default) or "postgresql://user@host:port/db"
// (any libpq connection string after "postgresql:" is accepted too).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hub/model/types.hpp"

namespace ijro::store {

enum class Outcome { Accepted, Duplicate, Stale, Rejected };
const char* toString(Outcome o);

struct UpsertResult {
  Outcome outcome = Outcome::Rejected;
  std::string reason;             // for Stale / Rejected (and a short note for Duplicate)
  std::int64_t storedRevision = 0;  // the revision in the store after the call
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
  virtual std::vector<UpsertResult> upsert(std::span<const model::Implementation> batch,
                                           std::chrono::system_clock::time_point receivedAt) = 0;

  // Streams every current implementation matching the filter, ordered by
  // (measure id, region, organisation, source).
  virtual void forEach(const Filter& filter,
                       const std::function<void(const model::Implementation&)>& fn) = 0;

  virtual std::optional<model::Implementation> get(const model::ImplementationKey& key) = 0;
  virtual std::vector<HistoryEntry> history(const model::ImplementationKey& key) = 0;
  virtual std::size_t count() = 0;
  virtual int schemaVersion() = 0;
  virtual bool ping() noexcept = 0;  // for /readyz
  virtual std::string backend() const = 0;  // "sqlite3" | "postgresql"
};

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace ijro::store
