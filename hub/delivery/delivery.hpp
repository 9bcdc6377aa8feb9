// The hub's outgoing feed, from the history outbox to the receiver: changes are grouped into
// batches with a gap-free sequence (written and signed once, stored before their first send),
// and each batch is pushed until a receipt says what became of every entry. The backlog lives
// in the store, never in memory: a restart picks up where the last process left off, and several
// processes of one hub on one PostgreSQL share the work without sending a batch twice at once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hub/metrics/exposition.hpp"
#include "hub/model/status.hpp"
#include "hub/store/store.hpp"

namespace ijro::delivery {

// The owner of the dead letters of entries a receiver rejected for good (`ijro-hub dlq list`).
inline constexpr const char* kDeadLetterOwner = "feed";

// What became of one send.
struct SendResult {
  enum class Kind {
    Delivered,  // a receipt came; `rejected` lists the entries refused for good
    Transient,  // no answer, a 5xx, 408 or 429: sent again after a back-off
    Refused,    // the receiver refused the whole batch (4xx): sent again at the longest back-off,
                // since only someone changing a configuration can fix it
  };
  struct Rejected {
    std::size_t index = 0;  // 1-based position in the batch
    std::string measure, region, organisation;
    std::int64_t revision = 0;
    std::string reason;
  };
  Kind kind = Kind::Transient;
  std::string reason;  // for Transient and Refused: why, for the log and the batch's last error
  std::vector<Rejected> rejected;
  std::size_t accepted = 0, duplicates = 0;
};

// Sends one batch's bytes and reads the receipt. Must not throw (an exception counts as
// Transient).
using Transport = std::function<SendResult(const store::FeedBatch& batch)>;

struct Settings {
  std::string hubId;
  model::StatusRules rules;
  std::size_t batchSize = 500;                 // changes per batch at most
  std::chrono::milliseconds interval{1000};    // how often to look for new changes
  std::chrono::milliseconds retryMin{500};     // back-off after a failed send ...
  std::chrono::milliseconds retryMax{60'000};  // ... doubling up to this, with jitter
  std::chrono::seconds lease{120};             // a send's hold on its batch
  std::string owner;                           // this process, e.g. "host:pid"
  // Signs a batch's bytes (hub/xml/signature); empty: batches are stored unsigned.
  std::function<std::string(const std::string&)> sign;
  // The adapter a source's records came through ("health-fhir 0.2.0", "http").
  std::function<std::string(const std::string& source)> adapterOf;
  // The date statuses are evaluated as of (today in the hub's time zone).
  std::function<model::Date()> today;
  // XML exchange files: every batch also written into this folder as "<hub>-<sequence>.xml"
  // (twelve digits), the same signed bytes, each file whole once it has its name (temporary
  // file, fsync, rename, fsync of the folder). Empty: none.
  std::string exchangeDir;
};

// Makes the next batch from the store (nullopt: nothing new). Used by Delivery; public so the
// command line and the tests can make batches without a loop.
std::optional<store::FeedBatch> makeBatch(store::Store& store, const Settings& settings);

// Sends batches over HTTP(S) to `url` (the receiver's POST /api/v1/feeds) and reads its JSON
// receipt. `request` does the HTTP exchange: (url, body, headers) -> status, body; it throws on
// no answer. Kept apart from the HTTP client so tests can stand in for the network.
struct HttpAnswer {
  int status = 0;
  std::string body;
};
using HttpPost = std::function<HttpAnswer(const std::string& body)>;
Transport receiptTransport(HttpPost post);

class Delivery {
 public:
  // transport empty: batches are made (for GET /api/v1/feed?after=) but not pushed.
  Delivery(store::Store& store, Settings settings, Transport transport);
  ~Delivery();
  Delivery(const Delivery&) = delete;
  Delivery& operator=(const Delivery&) = delete;

  void start();
  void stop();  // waits for the loop; a send under way finishes first
  void wake();  // new changes were committed: look now rather than at the next interval

  // One round: makes the batches that are due (at most a few), then sends one batch if a send
  // is due. Returns whether it did anything. The loop calls it; tests may call it directly.
  bool runOnce();

  // Counters and, read from the store, the backlog.
  std::vector<metrics::Family> metrics();

  struct Counters {
    std::uint64_t batchesMade = 0, entriesBatched = 0;
    std::uint64_t sends = 0, delivered = 0, transientFailures = 0, refusals = 0;
    std::uint64_t entriesAccepted = 0, entriesDuplicate = 0, entriesRejected = 0;
    std::uint64_t storeErrors = 0;
    std::uint64_t filesWritten = 0;  // exchange files
    std::string lastError;
  };
  Counters counters() const;

 private:
  void loop();
  bool sendOne();
  bool writeExchangeFiles();

  store::Store& store_;
  Settings settings_;
  Transport transport_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  Counters counters_;
  int failures_ = 0;  // consecutive failed sends
  std::chrono::steady_clock::time_point nextSend_{};
  std::optional<std::int64_t> exported_;  // the last batch in the exchange folder (read once)
  std::uint64_t random_;
  std::thread thread_;
};

}  // namespace ijro::delivery
