// A plugin instance in a child process (`ijro-hub plugin-host`), spoken to over a socketpair with
// the framed protocol of protocol.hpp. A crash, a hang past callTimeout or a broken frame costs
// the child, never the hub: the call returns Status::Retry with what happened, the child is
// reaped, and the next call after a back-off starts a new one from the last checkpoint the hub
// handed over with setCheckpoint, so work that was not committed is done again.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>

#include "hub/isolation/runner.hpp"

namespace ijro::isolation {

class IsolatedRunner final : public Runner {
 public:
  // Starts the child and creates the instance in it: throws PluginError as makeRunner does (the
  // child's load and option errors come back with their reason and message).
  explicit IsolatedRunner(RunnerOptions options);
  // Asks the child to shut down (on_destroy), waits a short grace period, then SIGKILLs it; the
  // child is always reaped.
  ~IsolatedRunner() override;
  IsolatedRunner(const IsolatedRunner&) = delete;
  IsolatedRunner& operator=(const IsolatedRunner&) = delete;

  const std::string& name() const override { return name_; }
  Kind kind() const override { return kind_; }
  PollResult poll() override;
  DeliverResult deliver(std::span<const std::string> records) override;
  TransformResult transform(std::string_view record) override;
  void setCheckpoint(std::optional<std::string> checkpoint) override;
  // Summed over every child this runner started, plus the calls the hub answered itself (a crash,
  // a hang, a call refused while backing off count as failed).
  InstanceStats stats() const override;
  RunnerHealth health() const override;
  // The plugin's own counters, summed over every child this runner started (a restarted child
  // counts from zero again), each child's as of its last answer: every answer carries them, so
  // reading them never waits for a call in progress or talks to the child.
  PluginCounters counters() const override;
  // The last value of each gauge any child set: a gauge is a level, so a restarted child's
  // gauges read as the dead one left them until it sets them again.
  PluginGauges gauges() const override;
  // The running child's process id, -1 while none runs.
  pid_t childPid() const { return pid_.load(); }

 private:
  struct Child;
  enum class Call { Poll, Deliver, Transform, Other };

  void start();  // a new child, initialised; throws PluginError
  std::unique_ptr<Child> spawn();
  bool ensureChild(std::string& message);  // false (with why) while backing off or on failure
  std::string failed(const std::exception& e, const char* call);
  void recordFailure(const std::string& message, Call call, std::size_t records = 0);
  static void countFailed(InstanceStats& s, Call call, std::size_t records);
  // A call completed: the child is healthy; what it counted so far.
  void answered(const InstanceStats& childStats, PluginCounters childCounters,
                const PluginGauges& childGauges);
  std::chrono::steady_clock::time_point deadline() const;
  void requireKind(Kind kind, const char* call) const;

  RunnerOptions opts_;  // opts_.checkpoint: the last one the hub committed (guarded by callMutex_)
  std::filesystem::path hubBinary_;  // what is exec'd
  std::string hubName_;              // its name in messages and the child's argv[0]
  std::string name_;
  std::string label_;  // `plugin "name" instance "x" (path)`, for messages
  Kind kind_ = Kind::Source;
  bool started_ = false;

  std::mutex callMutex_;  // one call at a time; guards child_, backoff_, nextStart_, opts_
  std::unique_ptr<Child> child_;
  std::chrono::milliseconds backoff_;
  std::chrono::steady_clock::time_point nextStart_{};
  std::atomic<pid_t> pid_{-1};

  mutable std::mutex stateMutex_;   // guards what stats(), counters() and health() read
  InstanceStats past_;              // children that are gone, and calls answered by the hub
  InstanceStats current_;           // the running child's, as of its last answer
  PluginCounters pastCounters_;     // children that are gone
  PluginCounters currentCounters_;  // the running child's, as of its last answer
  PluginGauges gauges_;             // every gauge's last value, from any child
  RunnerHealth health_;
};

}  // namespace ijro::isolation
