// One delivery cycle of a sink instance: the next batch of the change feed (or of its dead letters
// queued for replay), delivered until every record has a final answer; then the cursor moves and
// the records answered ERROR become dead letters, in one transaction.
#include <spdlog/spdlog.h>

#include "hub/plugin_host/records.hpp"
#include "hub/runtime/runtime_workers.hpp"

namespace ijro::runtime::detail {

// A batch on its way: the records still to deliver and what has been decided about the others.
struct SinkWorker::Pending {
  struct Item {
    std::string json;
    model::ImplementationKey key;
    std::optional<std::int64_t> revision;
    std::optional<std::int64_t> historyId;
    std::int64_t letter = 0;  // replay: the dead letter's id
  };
  bool replay = false;
  std::int64_t endHistoryId = 0;  // the feed: where the cursor moves when this batch is done
  std::vector<Item> items;        // not yet answered OK or ERROR
  std::vector<store::DeadLetter> dead;
  std::vector<std::pair<std::int64_t, std::string>> deadAgain;  // replay: (letter, reason)
  std::vector<std::int64_t> replayed;                           // replay: delivered letters
  std::size_t delivered = 0;
  int attempts = 0;      // deliveries that left records to retry
  int crashes = 0;       // deliveries during which the isolated plugin crashed
  bool decided = false;  // every record answered; only the commit is left
};

SinkWorker::SinkWorker(Shared shared, const SinkSettings& settings)
    : Worker(shared, Kind::Sink, settings.id, settings.library, settings.origin,
             runnerOptionsOf(settings, shared.settings)),
      settings_(settings) {}

SinkWorker::~SinkWorker() = default;

std::chrono::milliseconds SinkWorker::backoff(int attempts) const {
  return backoffFor(attempts, settings_.retryMin, settings_.retryMax);
}

void SinkWorker::updateLag() {
  if (!cursor_) return;
  counters_.cursor = *cursor_;
  counters_.lag = std::max<std::int64_t>(0, shared_.store.lastHistoryId() - *cursor_);
}

bool SinkWorker::load(Pending& p) {
  if (!cursor_) cursor_ = shared_.store.sinkCursor(id_);
  store::DeadLetterFilter f;
  f.kind = store::DeadLetterKind::Sink;
  f.owner = id_;
  f.states = {store::ReplayState::Queued};
  f.limit = std::min(settings_.batchSize, shared_.settings.replayBatch);
  auto letters = shared_.store.deadLetters(f);
  if (!letters.empty()) {
    p.replay = true;
    for (auto& l : letters)
      p.items.push_back({std::move(l.record), std::move(l.key), l.revision, l.historyId, l.id});
    spdlog::info("{}: replaying {} dead letter(s)", label(), p.items.size());
    return true;
  }
  auto changes = shared_.store.changesAfter(*cursor_, settings_.batchSize);
  if (changes.empty()) {
    updateLag();
    return false;
  }
  p.endHistoryId = changes.back().historyId;
  for (auto& c : changes)
    p.items.push_back({recordJson(c.current), c.current.key(), c.current.revision, c.historyId, 0});
  return true;
}

void SinkWorker::deliver(Pending& p, const std::shared_ptr<Runner>& runner) {
  std::vector<std::string> records;
  records.reserve(p.items.size());
  for (const auto& it : p.items) records.push_back(it.json);

  const auto restartsBefore = runner->health().restarts;
  ++counters_.batches;
  // An exception is a bug in the plugin or its runner, not a verdict on the records: retry.
  DeliverResult r = guarded(
      "deliver", [&] { return runner->deliver(records); },
      [](const std::string& what) {
        return DeliverResult{Status::Retry, what, {}};
      });
  r.records.resize(records.size(), r.status == Status::Ok ? Status::Ok : r.status);
  const bool crashed = runner->health().restarts > restartsBefore;
  if (crashed && r.status != Status::Ok) {
    // Not the records' fault as far as anyone knows: send them again, unless the plugin dies on
    // them every time.
    ++p.crashes;
    const bool giveUp = p.crashes >= shared_.settings.crashesPerBatch;
    for (auto& s : r.records) s = giveUp ? Status::Error : Status::Retry;
    if (giveUp)
      r.message = "the plugin crashed " + std::to_string(p.crashes) +
                  " times delivering these records; last: " + r.message;
  }
  const std::string reason =
      r.message.empty() ? std::string("the sink answered ERROR for this record") : r.message;

  std::vector<Pending::Item> retry;
  std::size_t errors = 0;
  for (std::size_t i = 0; i < p.items.size(); ++i) {
    auto& it = p.items[i];
    switch (r.records[i]) {
      case Status::Ok:
        ++p.delivered;
        if (p.replay) p.replayed.push_back(it.letter);
        break;
      case Status::Error:
        ++errors;
        if (p.replay) {
          p.deadAgain.emplace_back(it.letter, reason);
        } else {
          store::DeadLetter d;
          d.kind = store::DeadLetterKind::Sink;
          d.owner = id_;
          d.key = it.key;
          d.revision = it.revision;
          d.historyId = it.historyId;
          d.record = it.json;
          d.reason = reason;
          p.dead.push_back(std::move(d));
        }
        break;
      case Status::Retry:
        retry.push_back(std::move(it));
        break;
    }
  }
  p.items = std::move(retry);
  if (errors > 0) spdlog::warn("{}: {} record(s) answered ERROR: {}", label(), errors, reason);
  if (!p.items.empty()) {
    ++p.attempts;
    ++counters_.batchRetries;
    failed("deliver: " + std::to_string(p.items.size()) + " record(s) to retry: " + r.message);
    spdlog::warn("{}: {} record(s) to retry in {} ms: {}", label(), p.items.size(),
                 backoff(p.attempts).count(), r.message);
    return;
  }
  p.decided = true;
}

bool SinkWorker::resolve(Pending& p) {
  try {
    if (p.replay) {
      for (const auto& [letter, why] : p.deadAgain) shared_.store.returnToDeadLetters(letter, why);
      shared_.store.markReplayed(p.replayed);
      counters_.replayed += p.replayed.size();
    } else {
      shared_.store.advanceSinkCursor(id_, p.endHistoryId, p.dead);
      cursor_ = std::max(*cursor_, p.endHistoryId);
      counters_.deadLetters += p.dead.size();
      updateLag();
    }
  } catch (const store::StoreError& e) {
    storeFailed("committing a delivered batch", e);
    return false;
  }
  counters_.recordsDelivered += p.delivered;
  return true;
}

SinkWorker::Result SinkWorker::cycle() {
  try {
    if (!pending_) {
      auto p = std::make_unique<Pending>();
      if (!load(*p)) {
        failures_ = 0;
        return {Next::Idle, {}};
      }
      pending_ = std::move(p);
    }
    if (!pending_->decided) {
      auto runner = this->runner();
      if (!runner) {
        ++failures_;
        return {Next::Retry, backoff(failures_)};
      }
      deliver(*pending_, runner);
      if (!pending_->decided) return {Next::Retry, backoff(pending_->attempts)};
    }
    if (!resolve(*pending_)) {
      ++failures_;
      return {Next::Retry, backoff(failures_)};
    }
    pending_.reset();
    failures_ = 0;
    return {Next::More, {}};
  } catch (const store::StoreError& e) {
    storeFailed("reading the change feed", e);
  } catch (const std::exception& e) {
    // Building the records (recordJson) or anything else unexpected: logged, counted, retried.
    threw("cycle", e.what());
  }
  ++failures_;
  return {Next::Retry, backoff(failures_)};
}

}  // namespace ijro::runtime::detail
