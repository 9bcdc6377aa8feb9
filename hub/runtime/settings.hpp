// What the plugin runtime is given (the configured source, transform and sink instances and their
// schedules) and what it counts per instance: the vocabulary the runtime's schedule, its workers
// and its metric families share, apart from the Runtime class that drives them (runtime.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "hub/intake/scope.hpp"
#include "hub/isolation/runner.hpp"
#include "hub/model/sectors.hpp"

namespace ijro::store {
class Store;
}

namespace ijro::runtime {

// What the runtime speaks of, from the floors below it.
using isolation::Isolation;
using isolation::Runner;
using isolation::RunnerOptions;
using plugin_host::DeliverResult;
using plugin_host::HostLimits;
using plugin_host::Kind;
using plugin_host::OptionValues;
using plugin_host::PluginError;
using plugin_host::PollResult;
using plugin_host::Status;
using plugin_host::toString;
using plugin_host::TransformResult;

// A source instance (<plugins><source> in the configuration).
struct SourceSettings {
  std::string id;  // instance name: the source of its records, the owner of its checkpoint
  std::filesystem::path library;
  OptionValues options;
  Isolation isolation = Isolation::InProcess;
  std::chrono::milliseconds interval{30'000};
  double jitter = 0.1;  // each wait is interval * (1 +- jitter), drawn uniformly
  std::chrono::milliseconds timeout{30'000};  // process isolation: a longer call is a hang
  isolation::ChildLimits child;               // process isolation: the child's env, limits and user
  int concurrency = 1;                        // polls running at once
  std::optional<double> maxRecordsPerSecond;  // averaged over polls
  // The regions and sectors its records may cover, checked by intake as for an HTTP source
  // (empty: any). The runtime gives the scope the instance's id and the write right.
  intake::Scope scope = intake::Scope::writer({});
  std::vector<std::string> transforms;  // ids of TransformSettings, applied in this order
  // Back-off after a failed poll (RETRY, ERROR, a store failure): doubles from min up to max.
  std::chrono::milliseconds retryMin{1'000};
  std::chrono::milliseconds retryMax{300'000};
  std::string origin;  // "FILE:LINE" where it is configured, for messages
};

// A transform instance (<plugins><transform>), shared by every source that names it: the ABI
// never has two calls in one instance at once, so their records take turns.
struct TransformSettings {
  std::string id;
  std::filesystem::path library;
  OptionValues options;
  Isolation isolation = Isolation::InProcess;
  std::chrono::milliseconds timeout{30'000};  // process isolation: a longer call is a hang
  isolation::ChildLimits child;               // process isolation: the child's env, limits and user
  std::string origin;
};

// A sink instance (<plugins><sink>).
struct SinkSettings {
  std::string id;
  std::filesystem::path library;
  OptionValues options;
  Isolation isolation = Isolation::InProcess;
  std::size_t batchSize = 100;
  std::chrono::milliseconds retryMin{1'000};
  std::chrono::milliseconds retryMax{300'000};
  std::chrono::milliseconds timeout{30'000};
  isolation::ChildLimits child;           // process isolation: the child's env, limits and user
  std::chrono::milliseconds idle{1'000};  // how often a sink with nothing to do looks again
  std::string origin;
};

using RunnerFactory = std::function<std::unique_ptr<Runner>(const RunnerOptions&)>;

struct RuntimeSettings {
  std::vector<SourceSettings> sources;
  std::vector<TransformSettings> transforms;
  std::vector<SinkSettings> sinks;
  model::SectorCatalogue sectors;   // what records are validated against
  std::filesystem::path hubBinary;  // runs `plugin-host` for process isolation
  HostLimits limits;
  RunnerFactory makeRunner;       // empty: plugin_host::makeRunner
  std::size_t replayBatch = 100;  // dead letters replayed per cycle at most
  // After this many crashes of an isolated sink on the same records, they are dead-lettered.
  int crashesPerBatch = 5;
};

// What the runtime counts per instance; exported in /metrics.
struct InstanceMetrics {
  std::string id;
  Kind kind = Kind::Source;
  std::string plugin;  // the library file
  bool up = false;     // created, and (process isolation) its child is running
  std::uint64_t restarts = 0;
  std::string lastFailure;
  // Sources.
  std::uint64_t polls = 0, pollFailures = 0;
  std::uint64_t recordsEmitted = 0, recordsStored = 0, recordsDuplicate = 0, recordsStale = 0;
  std::uint64_t recordsRejected = 0;  // invalid, out of scope, refused by a transform or the store
  // Transforms: records mapped, dropped, and refused (ERROR: a dead letter of the source), and
  // calls answered RETRY (the source's poll is tried again). A source counts in recordsDropped
  // what its chain dropped.
  std::uint64_t recordsMapped = 0, recordsDropped = 0, recordsRefused = 0, transformRetries = 0;
  // Sinks.
  std::uint64_t batches = 0, batchRetries = 0, recordsDelivered = 0;
  std::int64_t cursor = 0, lag = 0;  // lag: history rows the sink has not dealt with yet
  // Both.
  std::uint64_t deadLetters = 0, replayed = 0, storeErrors = 0, exceptions = 0;
  // What the plugin counts itself (callback_counter_add), by name; see Runner::counters().
  plugin_host::PluginCounters pluginCounters;
  // The plugin's gauges (callback_gauge_set), by name; see Runner::gauges().
  plugin_host::PluginGauges pluginGauges;
};

// start() could not start an instance: names it, where it is configured and the plugin file.
struct RuntimeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace ijro::runtime
