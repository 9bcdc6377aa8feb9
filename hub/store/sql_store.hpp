// The SOCI implementation of Store, for SQLite and PostgreSQL. Internal to hub_store.
#pragma once

#include <soci/connection-pool.h>
#include <soci/session.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "hub/store/store.hpp"
#include "hub/store/url.hpp"

namespace ijro::store::detail {

class PendingRows;  // record_io.hpp
struct StatusAsOf;  // evaluations.hpp
// Implementation keys (measure, region, organisation, source) seen in a batch.
using KeySet = std::set<std::tuple<std::string, std::string, std::string, std::string>>;

class SqlStore final : public Store {
 public:
  SqlStore(Location location, std::size_t poolSize);
  ~SqlStore() override;
  SqlStore(const SqlStore&) = delete;
  SqlStore& operator=(const SqlStore&) = delete;

  using Store::upsert;
  std::vector<UpsertResult> upsert(std::span<const model::Implementation> batch,
                                   std::chrono::system_clock::time_point receivedAt,
                                   const UpsertOptions& options) override;
  bool submits() const override;
  void submit(std::vector<model::Implementation> batch,
              std::chrono::system_clock::time_point receivedAt, UpsertOptions options,
              Submitted done) override;
  std::optional<std::string> checkpoint(const std::string& instance) override;
  std::vector<Change> changesAfter(std::int64_t historyId, std::size_t limit) override;
  std::int64_t lastHistoryId() override;
  std::int64_t sinkCursor(const std::string& sink) override;
  std::optional<FeedBatch> appendFeedBatch(const std::string& hub, std::size_t limit,
                                           const FeedBatchBuilder& build,
                                           bool always = false) override;
  std::optional<FeedBatch> feedBatchAfter(std::int64_t sequence) override;
  std::optional<FeedBatch> claimFeedBatch(const std::string& owner,
                                          std::chrono::seconds lease) override;
  void feedBatchDelivered(std::int64_t sequence, const std::string& owner,
                          std::span<const DeadLetter> deadLetters) override;
  void feedBatchFailed(std::int64_t sequence, const std::string& owner,
                       const std::string& error) override;
  FeedBacklog feedBacklog() override;
  void advanceSinkCursor(const std::string& sink, std::int64_t historyId,
                         std::span<const DeadLetter> deadLetters) override;
  std::int64_t addDeadLetter(const DeadLetter& letter) override;
  std::vector<DeadLetter> deadLetters(const DeadLetterFilter& filter) override;
  std::vector<std::int64_t> queueReplay(const DeadLetterFilter& filter) override;
  void markReplayed(std::span<const std::int64_t> ids) override;
  void returnToDeadLetters(std::int64_t id, const std::string& reason) override;
  void forEach(const Filter& filter,
               const std::function<void(const model::Implementation&)>& fn) override;
  std::optional<model::Implementation> get(const model::ImplementationKey& key) override;
  std::vector<HistoryEntry> history(const model::ImplementationKey& key) override;
  std::vector<HistoryEntry> historyOf(const HistoryQuery& query) override;
  std::vector<OrganisationSeen> organisationsSeen() override;
  void setIdentity(const IdentityRules& rules) override;
  void setStatusRules(const model::StatusRules& rules) override;
  bool refreshStatus(model::Date today) override;
  std::optional<StatusPage> statusPage(const Filter& filter, const StatusFilter& status,
                                       model::Date today, const model::StatusRules& rules,
                                       std::size_t offset, std::size_t limit,
                                       StatusOrder order = StatusOrder::Key) override;
  std::optional<std::vector<StatusGroup>> statusGroups(const Filter& filter, model::RollUpBy by,
                                                       model::Date today,
                                                       const model::StatusRules& rules) override;
  std::optional<std::vector<StatusGroup>> statusCells(const Filter& filter, model::Date today,
                                                      const model::StatusRules& rules) override;
  std::size_t count() override;
  bool issueToken(const AccessToken& token) override;
  std::vector<AccessToken> accessTokens() override;
  bool revokeToken(const std::string& id) override;
  std::optional<AccessToken> validToken(const std::string& tokenSha256) override;
  std::optional<ReceivedBatch> receivedBatch(const std::string& hub,
                                             std::int64_t sequence) override;
  std::vector<PeerBatches> peerBatches() override;
  std::vector<KeyedLineage> currentLineages(const std::optional<std::string>& measureId) override;
  std::vector<TerritoryReceived> lastReceived(const Filter& filter) override;
  std::vector<Revision> revisions(const RevisionQuery& query) override;
  int schemaVersion() override;
  bool ping() noexcept override;
  std::string backend() const override;
  std::vector<std::map<std::string, std::string>> connectionSettings() override;
  std::map<std::string, long long> orphanRows() override;
  bool keepsEvidenceContent() const override;
  EvidenceAdded addEvidence(const EvidenceUpload& upload,
                            const std::optional<std::string>& contentFile) override;
  std::vector<EvidenceUpload> evidenceLinks(const std::string& sha256) override;
  std::vector<EvidenceUpload> evidenceUploads(const std::optional<std::string>& measureId) override;
  bool readEvidenceContent(const std::string& sha256,
                           const std::function<void(std::string_view)>& fn) override;

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
                                       std::vector<UpsertResult> results,
                                       const UpsertOptions& options);
  // Writes one batch inside an open write transaction: each record under its own savepoint, then
  // its dead letters and checkpoint.
  void writeBatch(soci::session& sql, std::span<const model::Implementation> batch,
                  const std::vector<std::size_t>& order,
                  const std::vector<std::string>& fingerprints, const std::string& receivedAt,
                  std::vector<UpsertResult>& results, const UpsertOptions& options);
  void writeRecords(soci::session& sql, std::span<const model::Implementation> batch,
                    const std::vector<std::size_t>& order,
                    const std::vector<std::string>& fingerprints, const std::string& receivedAt,
                    std::vector<UpsertResult>& results, bool immediate);
  std::vector<std::size_t> insertNew(soci::session& sql,
                                     std::span<const model::Implementation> batch,
                                     const std::vector<std::size_t>& order,
                                     const std::vector<std::string>& fingerprints,
                                     const std::string& receivedAt,
                                     std::vector<UpsertResult>& results, PendingRows& pending,
                                     KeySet& written, const StatusAsOf& asOf);
  // SQLite group commit: upserts and submissions queue up and the writer thread writes every
  // queued batch in one transaction, so one fsync acknowledges them all. Nothing is answered
  // before that commit.
  struct PendingWrite;
  struct Submission;
  static bool planWrite(std::span<const model::Implementation> batch, const UpsertOptions& options,
                        std::vector<UpsertResult>& results, std::vector<std::string>& fingerprints,
                        std::vector<std::size_t>& order);
  void enqueue(PendingWrite* w);
  void writeQueued();
  void writeGroup(const std::vector<PendingWrite*>& group) noexcept;
  UpsertResult upsertRecord(soci::session& sql, const model::Implementation& x,
                            const std::string& fingerprint, const std::string& receivedAt,
                            PendingRows& pending, const StatusAsOf& asOf);
  const char* readTransaction() const;
  const char* writeTransaction() const;
  // Runs fn(session) in a write transaction (SQLite: one writer at a time) and commits; soci
  // errors become StoreError naming `what`. Serialization failures and deadlocks are retried;
  // a lost connection only when `idempotent` (a COMMIT may have gone through unseen).
  template <typename F>
  auto withWrite(const char* what, F&& fn, bool idempotent);

  Location location_;
  std::size_t size_;
  soci::connection_pool pool_;
  std::unique_ptr<bool[]> suspect_;  // per pool slot, touched only by the slot's lease holder
  std::mutex writer_;                // SQLite: one writer at a time
  std::mutex groupMutex_;            // guards queue_, the writer's flags and each PendingWrite's
  std::vector<PendingWrite*> queue_;
  std::condition_variable writerWake_;
  bool writerIdle_ = false;
  bool stopWriting_ = false;
  std::thread groupWriter_;  // SQLite: writes the queued batches (writeQueued)
  // Renews the stored evaluation of the rows written (and of their implementations' other rows)
  // in the write transaction, as of today.
  void evaluateWritten(soci::session& sql, PendingRows& pending, const StatusAsOf& asOf);
  std::shared_ptr<const model::StatusRules> statusRules() const;
  // statusGroups and statusCells: `columns` selected (the first names the group, a second the
  // sector), grouped by the figures and `groupedBy` (which holds them, and may be finer).
  std::optional<std::vector<StatusGroup>> groupStatus(const Filter& filter,
                                                      const std::vector<const char*>& columns,
                                                      const char* groupedBy, model::RollUpBy by,
                                                      model::Date today,
                                                      const model::StatusRules& rules);
  mutable std::mutex statusRulesMutex_;
  std::shared_ptr<const model::StatusRules> statusRules_;  // guarded by statusRulesMutex_
  std::mutex refreshing_;                                  // one refreshStatus at a time
  std::shared_ptr<const IdentityRules> identity() const;
  mutable std::mutex identityMutex_;
  std::shared_ptr<const IdentityRules> identity_;  // guarded by identityMutex_

  // PostgreSQL: the planner's statistics of the implementation table, renewed by a thread of the
  // store once the rows written since the last renewal reach the table's size then (at least
  // kAnalyzeRows): each time it has doubled, so a table growing from nothing is renewed a few
  // times (a tenth, as autovacuum uses, renewed it dozens of times and took 40% of a steady
  // bulk write). Autovacuum would do it within a minute or more; until then a table grown from
  // nothing is planned as if nearly empty, and the status counts read it the slow way. Between
  // renewals the estimate is off by at most half, which does not change the plans.
  void noteWritten(std::size_t rows);
  bool analyzeDue() const;  // with analyzeMutex_ held
  void analyzeLoop();
  std::mutex analyzeMutex_;
  std::condition_variable analyzeWake_;
  std::size_t writtenSinceAnalyze_ = 0;  // guarded by analyzeMutex_
  std::size_t rowsAtAnalyze_ = 0;        // guarded by analyzeMutex_
  bool stopAnalyzing_ = false;           // guarded by analyzeMutex_
  std::thread analyzer_;

  // SQLite (a file): the write-ahead log is copied into the database by a thread of the store
  // rather than by the commit that makes it long (SQLite's default), so no writer waits for a
  // checkpoint and, with a core to spare, the copy overlaps the next writes. Each connection's
  // WAL hook wakes the thread once the log holds kCheckpointPages; a commit that finds it
  // kInlineCheckpointPages long (the thread held up) checkpoints itself, as SQLite would.
 public:
  // Pages of write-ahead log (4 KiB each) at which the thread copies it into the database, and at
  // which a commit does it itself because the thread has not (a long read can hold a checkpoint
  // back). A checkpoint writes each page the log holds once, whatever number of commits changed
  // it: under a steady intake the same index pages change at every commit, and with a log of
  // 4,000 pages (SQLite's default is 1,000) an intake request costs about 5% less CPU (two hubs
  // measured side by side under the same load).
  static constexpr int kCheckpointPages = 4000;
  static constexpr int kInlineCheckpointPages = 16000;
  void walCommitted(void* db, int pages);  // called by SQLite after a commit (sql_store.cpp)
  // How many checkpoints the thread has run (for tests).
  std::size_t checkpointsRun() const { return checkpoints_.load(); }

 private:
  void checkpointLoop();
  std::unique_ptr<soci::session> checkpointSession_;  // the thread's own connection
  std::thread checkpointer_;
  std::mutex checkpointMutex_;
  std::condition_variable checkpointWake_;
  int walPages_ = 0;                // guarded by checkpointMutex_
  bool stopCheckpointing_ = false;  // guarded by checkpointMutex_
  // The log's length when the thread was last woken (0 once the log has started again): a log
  // that a checkpoint could not empty (a commit or a reader came in between) wakes it again only
  // after kCheckpointPages / 4 more pages, not at every commit. Guarded by checkpointMutex_.
  int checkpointedAt_ = 0;
  std::atomic<std::size_t> checkpoints_{0};
};

}  // namespace ijro::store::detail
