// One poll of a source instance: replays queued dead letters, polls the plugin, checks what it
// emitted, and commits the valid records, the dead letters and the checkpoint in one transaction.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "hub/model/regions.hpp"
#include "hub/plugin_host/records.hpp"
#include "hub/runtime/runtime_workers.hpp"

namespace ijro::runtime::detail {

namespace {

std::string joined(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : "; ") + e;
  return out.empty() ? "the record could not be read" : out;
}

}  // namespace

// The records of one poll (or one replay), sorted out.
struct SourceWorker::Checked {
  std::vector<model::Implementation> batch;  // to store
  std::vector<std::size_t> from;             // batch[i] is records[from[i]]
  std::vector<store::DeadLetter> dead;       // refused before the store
};

SourceWorker::SourceWorker(Shared shared, const SourceSettings& settings)
    : Worker(shared, Kind::Source, settings.id, settings.library, settings.origin,
             runnerOptionsOf(settings, shared.settings)),
      settings_(settings) {}

std::optional<std::string> SourceWorker::outOfScope(const model::Implementation& x) const {
  std::string why;
  if (!settings_.regions.empty()) {
    auto top = model::regionOf(x.region);
    if (!top || settings_.regions.count(*top) == 0)
      why = "region " + x.region + " is outside the regions of source \"" + id_ + "\"";
  }
  if (!settings_.sectors.empty() && settings_.sectors.count(x.sector) == 0)
    why += (why.empty() ? "" : "; ") + std::string("sector ") + x.sector +
           " is outside the sectors of source \"" + id_ + "\"";
  if (why.empty()) return std::nullopt;
  return why + " (extend regions/sectors in its configuration, then `ijro-hub dlq replay`)";
}

store::DeadLetter SourceWorker::deadLetter(const std::string& record,
                                           const model::Implementation* parsed,
                                           std::string reason) const {
  store::DeadLetter d;
  d.kind = store::DeadLetterKind::Source;
  d.owner = id_;
  d.key.source = id_;
  if (parsed) {
    d.key = parsed->key();
    d.revision = parsed->revision;
  }
  d.record = record;
  d.reason = std::move(reason);
  return d;
}

SourceWorker::Checked SourceWorker::check(const std::vector<std::string>& records) const {
  RecordChecks checks;
  checks.sectors = &shared_.settings.sectors;
  checks.today = model::today();
  Checked out;
  for (auto& o : checkRecords(records, id_, checks)) {
    const std::string& text = records[o.index - 1];
    if (!o.valid()) {
      out.dead.push_back(deadLetter(text, o.record ? &*o.record : nullptr, joined(o.errors)));
      continue;
    }
    if (auto why = outOfScope(*o.record)) {
      out.dead.push_back(deadLetter(text, &*o.record, *why));
      continue;
    }
    out.from.push_back(o.index - 1);
    out.batch.push_back(std::move(*o.record));
  }
  return out;
}

void SourceWorker::replayQueued() {
  store::DeadLetterFilter f;
  f.kind = store::DeadLetterKind::Source;
  f.owner = id_;
  f.states = {store::ReplayState::Queued};
  f.limit = shared_.settings.replayBatch;
  try {
    auto letters = shared_.store.deadLetters(f);
    if (letters.empty()) return;
    std::vector<std::string> records;
    for (const auto& l : letters) records.push_back(l.record);
    Checked c = check(records);
    std::vector<std::int64_t> done;
    std::size_t again = 0;
    // A record still refused goes back with today's reason.
    for (std::size_t i = 0, d = 0; i < letters.size(); ++i) {
      const bool stored = std::find(c.from.begin(), c.from.end(), i) != c.from.end();
      if (stored) continue;
      shared_.store.returnToDeadLetters(letters[i].id, c.dead.at(d++).reason);
      ++again;
    }
    if (!c.batch.empty()) {
      auto results = shared_.store.upsert(c.batch, std::chrono::system_clock::now());
      for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& letter = letters[c.from[i]];
        if (results[i].outcome == store::Outcome::Rejected) {
          shared_.store.returnToDeadLetters(letter.id,
                                            "the store refused it: " + results[i].reason);
          ++again;
          continue;
        }
        if (results[i].outcome == store::Outcome::Accepted) ++counters_.recordsStored;
        done.push_back(letter.id);
      }
    }
    shared_.store.markReplayed(done);
    counters_.replayed += done.size();
    spdlog::info("{}: replayed {} dead letter(s): {} stored, {} refused again", label(),
                 letters.size(), done.size(), again);
  } catch (const store::StoreError& e) {
    storeFailed("replaying dead letters", e);
  }
}

SourceWorker::Result SourceWorker::poll() {
  auto runner = this->runner();
  if (!runner) return {};
  replayQueued();

  const std::uint64_t sequence = ++sequence_;
  ++counters_.polls;
  PollResult pr = guarded(
      "poll", [&] { return runner->poll(); },
      [](const std::string& what) {
        return PollResult{Status::Error, what, {}, {}};
      });
  if (pr.status != Status::Ok) {
    ++counters_.pollFailures;
    failed("poll answered " + std::string(toString(pr.status)) + ": " + pr.message);
    spdlog::warn("{}: poll answered {}, next try after a back-off: {}", label(),
                 toString(pr.status), pr.message);
    return {};
  }
  counters_.recordsEmitted += pr.records.size();

  Checked c = check(pr.records);
  store::UpsertOptions opts;
  opts.deadLetters = c.dead;
  opts.deadLetterRejected = [&](std::size_t i, const std::string& reason) {
    return deadLetter(pr.records[c.from[i]], &c.batch[i], "the store refused it: " + reason);
  };

  std::vector<store::UpsertResult> results;
  {
    std::lock_guard lock(commitMutex_);
    // With concurrent polls, a poll that started earlier but commits later keeps its records
    // and leaves the newer checkpoint in place.
    const bool moves = pr.checkpoint && sequence > committed_;
    if (moves) opts.checkpoint = store::Checkpoint{id_, *pr.checkpoint};
    try {
      results = shared_.store.upsert(c.batch, std::chrono::system_clock::now(), opts);
    } catch (const std::exception& e) {
      // Nothing of the poll is stored and the checkpoint has not moved: the plugin is not told
      // either, so the next poll fetches the same again.
      storeFailed("storing the poll's records", e);
      return {false, pr.records.size(), 0};
    }
    if (moves) {
      committed_ = sequence;
      guarded(
          "setCheckpoint",
          [&] {
            runner->setCheckpoint(pr.checkpoint);
            return true;
          },
          [](const std::string&) { return false; });
    }
  }

  std::size_t n[4] = {0, 0, 0, 0};
  for (const auto& r : results) ++n[static_cast<int>(r.outcome)];
  const std::size_t dead = c.dead.size() + n[static_cast<int>(store::Outcome::Rejected)];
  counters_.recordsStored += n[0];
  counters_.recordsDuplicate += n[1];
  counters_.recordsStale += n[2];
  counters_.recordsRejected += dead;
  counters_.deadLetters += dead;
  if (dead > 0)
    spdlog::warn("{}: {} of {} record(s) dead-lettered (see `ijro-hub dlq list --source {}`)",
                 label(), dead, pr.records.size(), id_);
  if (!pr.records.empty())
    spdlog::info("{}: poll: {} record(s): {} accepted, {} duplicate, {} stale, {} dead-lettered",
                 label(), pr.records.size(), n[0], n[1], n[2], dead);
  return {true, pr.records.size(), n[0]};
}

}  // namespace ijro::runtime::detail
