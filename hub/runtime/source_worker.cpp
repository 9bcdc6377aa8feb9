// One poll of a source instance: replays queued dead letters, polls the plugin, runs what it
// emitted through the source's transforms and hands the result to intake, which commits the valid
// records, the dead letters and the checkpoint in one transaction.
#include <spdlog/spdlog.h>

#include "hub/plugin_host/records.hpp"
#include "hub/runtime/runtime_workers.hpp"

namespace ijro::runtime::detail {

SourceWorker::SourceWorker(Shared shared, const SourceSettings& settings,
                           std::vector<TransformWorker*> chain)
    : Worker(shared, Kind::Source, settings.id, settings.library, settings.origin,
             runnerOptionsOf(settings, shared.settings)),
      settings_(settings),
      scope_(settings.scope),
      chain_(std::move(chain)) {
  // A source instance writes, and what it writes is stored under its own id.
  scope_.id = settings.id;
  scope_.write = true;
}

SourceWorker::Prepared SourceWorker::prepare(const std::vector<std::string>& records) {
  Prepared out;
  std::vector<std::string> mapped;  // what the chain made of each record it kept
  std::vector<std::size_t> from;    // mapped[k] is records[from[k]]
  std::vector<std::pair<std::size_t, std::string>> refused;  // position, why
  for (std::size_t i = 0; i < records.size(); ++i) {
    std::string text = records[i];
    bool kept = true;
    for (auto* t : chain_) {
      TransformResult r = t->apply(text);
      if (r.status == Status::Retry) {
        out.retry = "transform \"" + t->id() + "\" answered RETRY: " + r.message;
        return out;
      }
      if (r.status == Status::Error) {
        refused.emplace_back(i, "transform \"" + t->id() + "\" refused it: " + r.message);
        kept = false;
        break;
      }
      if (!r.record) {
        out.dropped.push_back(i);
        kept = false;
        break;
      }
      text = std::move(*r.record);
    }
    if (!kept) continue;
    mapped.push_back(std::move(text));
    from.push_back(i);
  }

  // Structure only: the scope and the model's rules are intake's.
  std::vector<intake::Incoming> read(records.size());
  std::vector<bool> present(records.size(), false);
  for (auto& o : checkRecords(mapped, id_)) {
    const std::size_t i = from[o.index - 1];
    intake::Incoming& in = read[i];
    if (o.record) {
      in.measureId = o.record->measure.id;
      in.region = o.record->region;
      in.organisation = o.record->organisation;
      in.revision = o.record->revision;
    }
    in.record = std::move(o.record);
    in.errors = std::move(o.errors);
    present[i] = true;
  }
  for (auto& [i, why] : refused) {
    read[i].errors.push_back(std::move(why));
    present[i] = true;
  }
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (!present[i]) continue;  // dropped
    read[i].index = i + 1;
    read[i].text = records[i];  // as emitted: a replay runs it through the chain again
    out.incoming.push_back(std::move(read[i]));
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
    Prepared p = prepare(records);
    if (p.retry) {
      // They stay queued for the next cycle.
      spdlog::warn("{}: replay of {} dead letter(s) postponed: {}", label(), letters.size(),
                   *p.retry);
      return;
    }
    auto result =
        intake::accept(scope_, std::move(p.incoming), intake::Policy::replay(), context());
    std::vector<std::int64_t> done;
    // A record its transforms drop now is taken care of: nobody wants it stored.
    for (std::size_t i : p.dropped) done.push_back(letters[i].id);
    counters_.recordsDropped += p.dropped.size();
    std::size_t again = 0;
    for (const auto& o : result.outcomes) {
      const auto& letter = letters.at(o.index - 1);
      if (o.verdict == intake::Verdict::Rejected || o.verdict == intake::Verdict::OutOfScope) {
        // Still refused: back to the dead letters with today's reason.
        shared_.store.returnToDeadLetters(letter.id, o.reason);
        ++again;
        continue;
      }
      if (o.verdict == intake::Verdict::Accepted) ++counters_.recordsStored;
      done.push_back(letter.id);
    }
    shared_.store.markReplayed(done);
    counters_.replayed += done.size();
    spdlog::info("{}: replayed {} dead letter(s): {} taken, {} refused again", label(),
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

  Prepared p = prepare(pr.records);
  if (p.retry) {
    // Nothing of the poll is committed and the checkpoint has not moved: the plugin is not told
    // either, so the next poll, after the back-off, fetches the same records again.
    ++counters_.pollFailures;
    failed(*p.retry);
    spdlog::warn("{}: poll not committed, next try after a back-off: {}", label(), *p.retry);
    return {false, emitted, 0};
  }
  intake::Result result;
  {
    std::lock_guard lock(commitMutex_);
    // With concurrent polls, a poll that started earlier but commits later keeps its records
    // and leaves the newer checkpoint in place.
    const bool moves = pr.checkpoint && sequence > committed_;
    try {
      result =
          intake::accept(scope_, std::move(p.incoming),
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
                    stale = result.count(Verdict::Stale), dead = result.deadLetters,
                    dropped = p.dropped.size();
  counters_.recordsStored += accepted;
  counters_.recordsDuplicate += duplicate;
  counters_.recordsStale += stale;
  counters_.recordsDropped += dropped;
  counters_.recordsRejected += dead;
  counters_.deadLetters += dead;
  if (dead > 0)
    spdlog::warn("{}: {} of {} record(s) dead-lettered (see `ijro-hub dlq list --source {}`)",
                 label(), dead, emitted, id_);
  if (emitted > 0)
    spdlog::info(
        "{}: poll: {} record(s): {} accepted, {} duplicate, {} stale, {} dropped by its "
        "transforms, {} dead-lettered",
        label(), emitted, accepted, duplicate, stale, dropped, dead);
  return {true, emitted, accepted};
}

}  // namespace ijro::runtime::detail
