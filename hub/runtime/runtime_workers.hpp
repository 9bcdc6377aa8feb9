// The work the runtime does for one instance, on a runtime thread: a source's poll (through its
// transforms) and a sink's delivery cycle, each with everything it commits. The schedule (when, how
// many at once) is in runtime.cpp. Internal to the runtime.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hub/base/backoff.hpp"
#include "hub/intake/accept.hpp"
#include "hub/isolation/make_runner.hpp"
#include "hub/plugin_host/records.hpp"
#include "hub/runtime/settings.hpp"
#include "hub/store/store.hpp"

namespace ijro::runtime::detail {

using isolation::makeRunner;
using plugin_host::checkRecords;
using plugin_host::recordJson;

// How a configured instance is run (Source-, Transform- and SinkSettings share these).
template <typename InstanceSettings>
RunnerOptions runnerOptionsOf(const InstanceSettings& s, const RuntimeSettings& rt) {
  RunnerOptions o;
  o.pluginPath = s.library;
  o.name = s.id;
  o.options = s.options;
  o.limits = rt.limits;
  o.isolation = s.isolation;
  o.hubBinary = rt.hubBinary;
  o.callTimeout = s.timeout;
  o.child = s.child;
  return o;
}

struct Counters {
  std::atomic<std::uint64_t> polls{0}, pollFailures{0}, recordsEmitted{0}, recordsStored{0},
      recordsDuplicate{0}, recordsStale{0}, recordsRejected{0}, recordsMapped{0}, recordsDropped{0},
      recordsRefused{0}, transformRetries{0}, batches{0}, batchRetries{0}, recordsDelivered{0},
      deadLetters{0}, replayed{0}, storeErrors{0}, exceptions{0};
  std::atomic<std::int64_t> cursor{0}, lag{0};
};

// What an instance shares with every other: the store and the runtime's settings.
struct Shared {
  store::Store& store;
  const RuntimeSettings& settings;
};

// The runner of one instance and what is known about it, whatever its kind.
class Worker {
 public:
  Worker(Shared shared, Kind kind, std::string id, std::filesystem::path library,
         std::string origin, RunnerOptions runnerOptions);
  virtual ~Worker() = default;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  const std::string& id() const { return id_; }
  Kind kind() const { return kind_; }
  bool hasRunner() const;
  // Creates the runner (start-up). PluginError and other failures propagate.
  void create();
  void destroy();  // the runner goes (on_destroy, or the child is stopped)
  InstanceMetrics metrics() const;
  std::string health() const;

 protected:
  // The runner, creating it first if an earlier attempt failed; nullptr (and the failure
  // recorded) if it still cannot be created.
  std::shared_ptr<Runner> runner();
  // Runs one call into the plugin: anything thrown is logged with the instance, the plugin file
  // and the hook, counted, and becomes what `fallback` makes of its description.
  template <typename F, typename G>
  auto guarded(const char* hook, F&& call, G&& fallback) -> decltype(call()) {
    std::string what;
    try {
      return call();
    } catch (const std::exception& e) {
      what = threw(hook, e.what());
    } catch (...) {
      what = threw(hook, "an exception that is not a std::exception");
    }
    return fallback(what);
  }
  // Logs and counts an exception out of a plugin call; returns "HOOK threw: WHAT".
  std::string threw(const char* hook, const std::string& what);
  void failed(const std::string& what);  // remembered for health() and logged by the caller
  void storeFailed(const char* what, const std::exception& e);
  std::string label() const;  // `source "demo" (plugin /path/x.so)`

  Shared shared_;
  Kind kind_;
  std::string id_;
  std::filesystem::path library_;
  std::string origin_;
  RunnerOptions runnerOptions_;
  Counters counters_;

 private:
  std::shared_ptr<Runner> make();

  mutable std::mutex mutex_;  // guards runner_ and lastFailure_
  std::shared_ptr<Runner> runner_;
  std::string lastFailure_;
};

class TransformWorker final : public Worker {
 public:
  TransformWorker(Shared shared, const TransformSettings& settings);
  // Maps one record: OK with the record, OK without (dropped), ERROR (refused, with the
  // transform's message) or RETRY (also when the instance cannot be created, or the call threw).
  // Never throws; may be called from several sources' polls at once.
  TransformResult apply(std::string_view record);
};

class SourceWorker final : public Worker {
 public:
  // `chain`: the transforms its records go through, in order; the runtime owns them.
  SourceWorker(Shared shared, const SourceSettings& settings,
               std::vector<TransformWorker*> chain = {});
  const SourceSettings& settings() const { return settings_; }

  struct Result {
    bool ok = false;
    std::size_t records = 0;  // emitted by the poll (for the rate limit)
    std::size_t accepted = 0;
  };
  // One cycle: replays queued dead letters, polls, commits. Never throws.
  Result poll();

 private:
  // The records of a poll or a replay after the transform chain, ready for intake.
  struct Prepared {
    // Records for intake, each with its 1-based position among `records` and its text as the
    // source emitted it; the structure is read here, scope and rules are intake's. A record a
    // transform refused comes with that refusal as its error.
    std::vector<intake::Incoming> incoming;
    std::vector<std::size_t> dropped;  // 0-based positions a transform dropped
    std::optional<std::string> retry;  // a transform answered RETRY: commit nothing
  };
  Prepared prepare(const std::vector<std::string>& records);
  intake::Context context() const;
  void replayQueued();

  SourceSettings settings_;
  intake::Scope scope_;  // the configured one, with the instance's id and the write right
  std::vector<TransformWorker*> chain_;
  std::atomic<std::uint64_t> sequence_{0};  // polls started
  std::mutex commitMutex_;                  // one commit at a time, checkpoints in poll order
  std::uint64_t committed_ = 0;             // sequence of the poll whose checkpoint is stored
};

class SinkWorker final : public Worker {
 public:
  SinkWorker(Shared shared, const SinkSettings& settings);
  ~SinkWorker() override;
  const SinkSettings& settings() const { return settings_; }

  enum class Next { More, Idle, Retry };
  struct Result {
    Next next = Next::Idle;
    std::chrono::milliseconds delay{0};  // Retry: the back-off
  };
  // One delivery: of queued replays first, else of the next changes. Never throws.
  Result cycle();

 private:
  struct Pending;
  bool load(Pending& p);  // false: nothing to deliver
  void deliver(Pending& p, const std::shared_ptr<Runner>& runner);
  bool resolve(Pending& p);  // commits what the delivery decided; false on a store failure
  std::chrono::milliseconds backoff(int attempts) const;
  void updateLag();

  SinkSettings settings_;
  std::optional<std::int64_t> cursor_;  // loaded on the first cycle
  std::unique_ptr<Pending> pending_;    // records on their way; touched by one cycle at a time
  int failures_ = 0;                    // consecutive cycles that could not run
};

// Back-off for the n-th consecutive failure (n >= 1): min * 2^(n-1), at most max.
using base::backoffFor;

}  // namespace ijro::runtime::detail
