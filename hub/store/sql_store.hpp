// The SOCI implementation of Store, for SQLite and PostgreSQL. Internal to hub_store.
#pragma once

#include <soci/connection-pool.h>
#include <soci/session.h>

#include <chrono>
#include <mutex>

#include "hub/store/store.hpp"
#include "hub/store/url.hpp"

namespace ijro::store::detail {

class SqlStore final : public Store {
 public:
  SqlStore(Location location, std::size_t poolSize);
  ~SqlStore() override;
  SqlStore(const SqlStore&) = delete;
  SqlStore& operator=(const SqlStore&) = delete;

  std::vector<UpsertResult> upsert(std::span<const model::Implementation> batch,
                                   std::chrono::system_clock::time_point receivedAt) override;
  void forEach(const Filter& filter,
               const std::function<void(const model::Implementation&)>& fn) override;
  std::optional<model::Implementation> get(const model::ImplementationKey& key) override;
  std::vector<HistoryEntry> history(const model::ImplementationKey& key) override;
  std::size_t count() override;
  int schemaVersion() override;
  bool ping() noexcept override;
  std::string backend() const override;

  // Rows per page in forEach (each page is read in its own short transaction).
  static constexpr std::size_t kPageSize = 500;

 private:
  class Lease;
  class Transaction;

  Lease lease(std::chrono::milliseconds wait);
  void setUpSession(soci::session& sql);
  // Runs fn(session) on a leased session; soci errors become StoreError naming `what`. Read-only
  // work is retried once on a fresh connection if the PostgreSQL connection was lost.
  template <typename F>
  auto withSession(const char* what, F&& fn, bool retryOnLostConnection);
  std::vector<UpsertResult> upsertOnce(Lease& lease, std::span<const model::Implementation> batch,
                                       const std::vector<std::size_t>& order,
                                       const std::vector<std::string>& fingerprints,
                                       const std::string& receivedAt,
                                       std::vector<UpsertResult> results);
  UpsertResult upsertRecord(soci::session& sql, const model::Implementation& x,
                            const std::string& fingerprint, const std::string& receivedAt);
  const char* readTransaction() const;

  Location location_;
  std::size_t size_;
  soci::connection_pool pool_;
  std::unique_ptr<bool[]> suspect_;  // per pool slot, touched only by the slot's lease holder
  std::mutex writer_;                // SQLite: one writer at a time
};

}  // namespace ijro::store::detail
