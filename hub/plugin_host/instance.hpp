// One running plugin instance, in-process: its options, the host services it calls back into and
// every call into its hooks. Nothing a plugin does at the call boundary (an error status, an
// unknown status, an exception thrown across the C ABI, a callback used out of place) escapes as
// an exception: it becomes a Status with a message naming the plugin, the instance and the hook,
// and is logged and counted.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "hub/plugin_host/loader.hpp"
#include "hub/plugin_host/options.hpp"

namespace ijro::plugin_host {

class ReportRead;
class ReportWritten;

enum class Status { Ok, Retry, Error };
const char* toString(Status s);  // "ok" | "retry" | "error"

// The plugin's own counters (callback_counter_add): name -> value.
using PluginCounters = std::map<std::string, std::int64_t>;
// A counter name the ABI allows: 1 to 64 characters of [a-z0-9_]. Checked where a plugin names a
// counter and again where the names cross from a plugin-host child.
inline constexpr std::size_t kMaxCounterName = 64;
bool validCounterName(std::string_view name);
// The plugin's own gauges (callback_gauge_set, ABI 1.2): name -> last value set. Names follow the
// counters' rule.
using PluginGauges = std::map<std::string, double>;

// Replaces every occurrence of each of `secrets` (non-empty values) in text with "***", longest
// secrets first so that one inside another leaves nothing of either.
std::string redactSecrets(std::string_view text, const std::vector<std::string>& secrets);

struct HostLimits {
  std::size_t maxRecordBytes = std::size_t{1} << 20;  // per emitted record
  std::size_t maxRecordsPerPoll = 100000;
  std::size_t maxCheckpointBytes = std::size_t{64} << 10;
  std::size_t messageCapacity = 1024;  // of the ijro_message buffer handed to hooks
};

struct PollResult {
  Status status = Status::Error;
  std::string message;               // empty when Ok
  std::vector<std::string> records;  // emitted JSON text; empty unless Ok
  // The checkpoint committed in this poll (nullopt: none). Only set when Ok. The caller stores it
  // together with the records, then hands it back with Instance::setCheckpoint.
  std::optional<std::string> checkpoint;
};

struct DeliverResult {
  Status status = Status::Error;  // the hook's answer for the batch
  std::string message;
  std::vector<Status> records;  // one answer per record (all equal to status unless it was Ok)
};

struct TransformResult {
  Status status = Status::Error;
  std::string message;
  std::optional<std::string> record;  // the mapped record; nullopt with Ok: dropped
};

// What the host counts per instance (the plugin's own counters are separate).
struct InstanceStats {
  std::uint64_t polls = 0, pollsFailed = 0;
  std::uint64_t recordsEmitted = 0;  // taken in polls that succeeded
  std::uint64_t recordsRefused = 0;  // emit_record answered IJRO_ERROR (too large, too many)
  std::uint64_t batches = 0, batchesFailed = 0;
  std::uint64_t recordsDelivered = 0, recordsRetry = 0, recordsFailed = 0;
  std::uint64_t transforms = 0, transformsDropped = 0, transformsFailed = 0;
  std::uint64_t exceptions = 0;      // C++ exceptions that crossed the C ABI (plugin bugs)
  std::uint64_t callbackMisuse = 0;  // callbacks used outside their context or with bad args
};

class Instance {
 public:
  // Checks the options against the plugin's table (PluginError InvalidOptions), then calls
  // on_create (PluginError CreateFailed with the plugin's message; retryable() for IJRO_RETRY).
  // name: the instance's name in logs, counters and as the "source" of its records.
  // checkpoint: the last committed one, readable by the plugin from on_create on.
  static std::unique_ptr<Instance> create(LoadedPlugin plugin, std::string name,
                                          const OptionValues& options,
                                          std::optional<std::string> checkpoint = std::nullopt,
                                          HostLimits limits = {});
  ~Instance();  // on_destroy
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  const std::string& name() const { return name_; }
  const LoadedPlugin& plugin() const { return plugin_; }
  const ResolvedOptions& options() const { return options_; }

  // Source: one on_poll. The records and checkpoint are returned, not stored: the caller commits
  // them together (the store's transaction) and then calls setCheckpoint.
  PollResult poll();
  // Sink: one on_deliver of the given records (JSON text each).
  DeliverResult deliver(std::span<const std::string> records);
  // Transform: one on_transform.
  TransformResult transform(std::string_view record);

  // The checkpoint the plugin reads with callback_checkpoint_read.
  void setCheckpoint(std::optional<std::string> checkpoint);
  std::optional<std::string> checkpoint() const;

  InstanceStats stats() const;
  PluginCounters counters() const;  // from callback_counter_add
  PluginGauges gauges() const;      // from callback_gauge_set
  // The values of the instance's secret options (IJRO_OPTION_SECRET), for whoever passes on what
  // the plugin says (its log lines and messages are redacted here already).
  const std::vector<std::string>& secrets() const { return secrets_; }

 private:
  enum class Phase { Idle, Creating, Polling, Delivering, Transforming, Destroying };
  struct Callbacks;
  friend struct Callbacks;

  Instance(LoadedPlugin plugin, std::string name, ResolvedOptions options, HostLimits limits);
  // Runs one hook: sets the phase, catches what crosses the ABI, reads the message.
  template <typename F>
  Status callHook(Phase phase, const char* hook, F&& call, std::string& message);
  Status fromPlugin(std::int32_t status, const char* hook, std::string& message);
  std::string context(const char* hook) const;
  void misuse(const std::string& what);

  LoadedPlugin plugin_;
  std::string name_;
  ResolvedOptions options_;
  HostLimits limits_;
  std::vector<std::string> secrets_;  // values of secret options, never logged

  // What the plugin was handed: stable for the instance's lifetime.
  std::vector<ijro_config_entry> configEntries_;
  ijro_config config_{};
  ijro_host host_{};
  void* instance_ = nullptr;
  bool created_ = false;

  mutable std::mutex callMutex_;  // one hook at a time
  std::atomic<Phase> phase_{Phase::Idle};
  std::atomic<std::thread::id> hookThread_{};
  std::optional<std::string> checkpoint_;  // guarded by callMutex_
  // The poll in progress (guarded by callMutex_, touched only on the hook's thread).
  std::vector<std::string> pollRecords_;
  std::optional<std::string> pollCheckpoint_;
  std::string pollRefused_;  // why the host refused a record in this poll, if it did
  // Status reports read and written for the plugin during the current hook: the ABI keeps them
  // valid until the hook returns (touched only on the hook's thread, dropped by callHook).
  std::vector<std::unique_ptr<ReportRead>> reportsRead_;
  std::vector<std::unique_ptr<ReportWritten>> reportsWritten_;

  mutable std::mutex statsMutex_;
  InstanceStats stats_;
  PluginCounters counters_;
  PluginGauges gauges_;
};

}  // namespace ijro::plugin_host
