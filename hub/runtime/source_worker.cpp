// One poll of a source instance: replays queued dead letters, polls the plugin, and hands what it
// emitted to intake, which commits the valid records, the dead letters and the checkpoint in one
// transaction.
#include <spdlog/spdlog.h>

#include "hub/plugin_host/records.hpp"
#include "hub/runtime/runtime_workers.hpp"

namespace ijro::runtime::detail {

SourceWorker::SourceWorker(Shared shared, const SourceSettings& settings)
    : Worker(shared, Kind::Source, settings.id, settings.library, settings.origin,
             runnerOptionsOf(settings, shared.settings)),
      settings_(settings),
      scope_(settings.scope) {
  // A source instance writes, and what it writes is stored under its own id.
  scope_.id = settings.id;
  scope_.write = true;
}

std::vector<intake::Incoming> SourceWorker::incoming(
    const std::vector<std::string>& records) const {
  std::vector<intake::Incoming> out;
  out.reserve(records.size());
  for (auto& o : checkRecords(records, id_)) {
    intake::Incoming in;
    in.index = o.index;
    if (o.record) {
      in.measureId = o.record->measure.id;
      in.region = o.record->region;
      in.organisation = o.record->organisation;
      in.revision = o.record->revision;
    }
    in.record = std::move(o.record);
    in.errors = std::move(o.errors);
    in.text = std::move(o.json);
    out.push_back(std::move(in));
  }
  return out;
}

intake::Context SourceWorker::context() const {
  return {shared_.store, shared_.settings.sectors, model::today(),
          std::chrono::system_clock::now()};
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
    auto result = intake::accept(scope_, incoming(records), intake::Policy::replay(), context());
    std::vector<std::int64_t> done;
    std::size_t again = 0;
    for (std::size_t i = 0; i < letters.size(); ++i) {
      const auto& o = result.outcomes.at(i);
      if (o.verdict == intake::Verdict::Rejected || o.verdict == intake::Verdict::OutOfScope) {
        // Still refused: back to the dead letters with today's reason.
        shared_.store.returnToDeadLetters(letters[i].id, o.reason);
        ++again;
        continue;
      }
      if (o.verdict == intake::Verdict::Accepted) ++counters_.recordsStored;
      done.push_back(letters[i].id);
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
  const std::size_t emitted = pr.records.size();
  counters_.recordsEmitted += emitted;

  auto records = incoming(pr.records);
  intake::Result result;
  {
    std::lock_guard lock(commitMutex_);
    // With concurrent polls, a poll that started earlier but commits later keeps its records
    // and leaves the newer checkpoint in place.
    const bool moves = pr.checkpoint && sequence > committed_;
    try {
      result =
          intake::accept(scope_, std::move(records),
                         intake::Policy::poll(moves ? pr.checkpoint : std::nullopt), context());
    } catch (const std::exception& e) {
      // Nothing of the poll is stored and the checkpoint has not moved: the plugin is not told
      // either, so the next poll fetches the same again.
      storeFailed("storing the poll's records", e);
      return {false, emitted, 0};
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

  using intake::Verdict;
  const std::size_t accepted = result.count(Verdict::Accepted),
                    duplicate = result.count(Verdict::Duplicate),
                    stale = result.count(Verdict::Stale), dead = result.deadLetters;
  counters_.recordsStored += accepted;
  counters_.recordsDuplicate += duplicate;
  counters_.recordsStale += stale;
  counters_.recordsRejected += dead;
  counters_.deadLetters += dead;
  if (dead > 0)
    spdlog::warn("{}: {} of {} record(s) dead-lettered (see `ijro-hub dlq list --source {}`)",
                 label(), dead, emitted, id_);
  if (emitted > 0)
    spdlog::info("{}: poll: {} record(s): {} accepted, {} duplicate, {} stale, {} dead-lettered",
                 label(), emitted, accepted, duplicate, stale, dead);
  return {true, emitted, accepted};
}

}  // namespace ijro::runtime::detail
