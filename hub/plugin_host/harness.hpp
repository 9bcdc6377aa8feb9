// Runs one plugin in-process, without the rest of the hub: what `ijro-hub plugin test` and the
// adapter test kit build on. A source is polled and its records checked as the hub would check
// them; a sink gets a batch; a transform maps records one by one. Everything the plugin gets
// wrong is reported in the results (and logged and counted), never thrown, except for loading
// and creation errors (PluginError).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hub/model/sectors.hpp"
#include "hub/model/types.hpp"
#include "hub/plugin_host/instance.hpp"
#include "hub/plugin_host/records.hpp"

namespace ijro::plugin_host {

struct HarnessOptions {
  std::string instanceName;               // default: the plugin's name
  std::optional<std::string> checkpoint;  // the checkpoint the first poll starts from
  HostLimits limits;
  bool validateModel = true;  // also apply model::validate (built-in sectors, today's date)
};

struct PollOutcome {
  std::size_t number = 0;  // 1-based
  Status status = Status::Error;
  std::string message;
  std::vector<RecordOutcome> records;     // what the poll emitted, checked (empty unless Ok)
  std::optional<std::string> checkpoint;  // the instance's checkpoint after this poll
  std::size_t valid() const;
  std::size_t invalid() const;
};

// A source instance and what it has produced so far. A poll that returns Ok commits its valid
// records and its checkpoint together, as the hub's store does in one transaction.
class SourceHarness {
 public:
  SourceHarness(const LoadedPlugin& plugin, const OptionValues& options, HarnessOptions opts = {});
  PollOutcome poll();
  Instance& instance() { return *instance_; }
  const std::vector<model::Implementation>& committed() const { return committed_; }

 private:
  HarnessOptions opts_;
  model::SectorCatalogue sectors_;
  std::unique_ptr<Instance> instance_;
  std::size_t polls_ = 0;
  std::vector<model::Implementation> committed_;
};

struct SourceRun {
  std::vector<PollOutcome> polls;
  std::vector<model::Implementation> records;  // every valid record of the polls that succeeded
  std::optional<std::string> checkpoint;       // after the last poll
  InstanceStats stats;
  std::map<std::string, std::int64_t> counters;
  std::size_t invalid() const;  // invalid records over all polls
  std::size_t failedPolls() const;
};
SourceRun runSource(const LoadedPlugin& plugin, const OptionValues& options, std::size_t polls,
                    HarnessOptions opts = {});

struct SinkRun {
  DeliverResult result;
  InstanceStats stats;
  std::map<std::string, std::int64_t> counters;
};
SinkRun runSink(const LoadedPlugin& plugin, const OptionValues& options,
                std::span<const std::string> records, HarnessOptions opts = {});
SinkRun runSink(const LoadedPlugin& plugin, const OptionValues& options,
                const std::vector<model::Implementation>& records, HarnessOptions opts = {});

struct TransformOutcome {
  std::size_t index = 0;  // 1-based
  Status status = Status::Error;
  std::string message;
  std::optional<RecordOutcome> output;  // the mapped record, checked; nullopt: dropped or failed
  bool dropped() const { return status == Status::Ok && !output; }
};
struct TransformRun {
  std::vector<TransformOutcome> records;
  InstanceStats stats;
  std::map<std::string, std::int64_t> counters;
};
TransformRun runTransform(const LoadedPlugin& plugin, const OptionValues& options,
                          std::span<const std::string> records, HarnessOptions opts = {});

}  // namespace ijro::plugin_host
