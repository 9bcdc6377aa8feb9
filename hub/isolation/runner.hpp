// One configured plugin instance as the rest of the hub sees it, whether it runs in-process or
// isolated in a child process (`ijro-hub plugin-host`). Calls never throw for anything the plugin
// does: a crash, a hang past the timeout or an error status comes back as a Status with a message.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "hub/isolation/boundary.hpp"
#include "hub/isolation/child_limits.hpp"

namespace ijro::isolation {

enum class Isolation { InProcess, Process };

struct RunnerOptions {
  std::filesystem::path pluginPath;
  std::string name;  // instance name: logs, counters, and the source of its records
  OptionValues options;
  std::optional<std::string> checkpoint;  // last committed, from the store
  HostLimits limits;
  Isolation isolation = Isolation::InProcess;
  // Process isolation only:
  std::filesystem::path hubBinary;                // the ijro-hub executable to run `plugin-host`
  std::chrono::milliseconds callTimeout{30'000};  // a hook running longer is a hang: kill, restart
  std::chrono::milliseconds restartBackoffMin{200};
  std::chrono::milliseconds restartBackoffMax{30'000};
  ChildLimits child;  // the child's environment, resource limits and user
};

struct RunnerHealth {
  bool up = true;              // false while a crashed child waits for its restart
  std::uint64_t restarts = 0;  // child restarts after a crash or hang
  std::string lastFailure;     // why the last child died, empty if never
};

class Runner {
 public:
  virtual ~Runner() = default;
  virtual const std::string& name() const = 0;
  virtual Kind kind() const = 0;
  // Same contracts as Instance::poll/deliver/transform/setCheckpoint.
  virtual PollResult poll() = 0;
  virtual DeliverResult deliver(std::span<const std::string> records) = 0;
  virtual TransformResult transform(std::string_view record) = 0;
  virtual void setCheckpoint(std::optional<std::string> checkpoint) = 0;
  virtual InstanceStats stats() const = 0;
  virtual RunnerHealth health() const = 0;
  // The plugin's own counters (callback_counter_add), for /metrics. Never blocks on a call in
  // progress. The default is for runners with no plugin behind them (test doubles): none.
  virtual PluginCounters counters() const { return {}; }
  // The plugin's own gauges (callback_gauge_set), for /metrics; the same rules as counters().
  virtual PluginGauges gauges() const { return {}; }
};

}  // namespace ijro::isolation
