// The plugin runtime of `ijro-hub serve`: owns the configured source, transform and sink instances
// (each a Runner, in-process or isolated) and drives them against the store.
//
// Sources are polled on a schedule (interval with jitter, at most `concurrency` polls at once, an
// optional records-per-second limit). Each poll's records take the same path as an HTTP report
// (intake::accept: the instance's regions and sectors, the model's rules); the valid ones are
// stored together with the poll's checkpoint in one transaction, and only then is the checkpoint
// handed back to the plugin. Invalid and out-of-scope records, and records the store rejects,
// become dead letters with their reason in that same transaction: nothing is dropped silently.
//
// A source may name a chain of transforms, applied in order to each record it emits before
// intake. A transform maps the record (the next one gets the result), drops it (counted, not
// stored), or refuses it with ERROR (that record becomes a dead letter with the transform's
// message; the others go on). RETRY, or a transform that cannot run, fails the whole poll: nothing
// is committed, the checkpoint does not move, and the poll is tried again after the back-off, so
// nothing is lost. A source's dead letters keep the record as the source emitted it, and a replay
// runs it through the chain again.
//
// Sinks follow the store's change feed (history is the outbox): each delivers batches of current
// implementations in their JSON record form; OK moves its cursor, RETRY backs off and sends the
// same records again, a record answered ERROR becomes a dead letter with the sink's message.
//
// Plugin calls block, so they run on the runtime's own threads, never on the HTTP server's. Every
// plugin call is guarded: whatever escapes it is logged with the instance, the plugin file and
// the hook, and counted. Dead letters queued for replay (`ijro-hub dlq replay`) are retried in the
// instance's next cycle.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "hub/runtime/settings.hpp"

namespace ijro::store {
class Store;
}

namespace ijro::runtime {

class Runtime {
 public:
  Runtime(RuntimeSettings settings, store::Store& store);
  ~Runtime();  // stop()
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Creates every instance (reading each source's checkpoint from the store) and starts the
  // schedules. A source naming a transform that is not configured throws RuntimeError. A plugin
  // that cannot be loaded, or whose options do not fit, throws RuntimeError; one whose on_create
  // answers RETRY is created again later, with back-off.
  void start();

  // Stops scheduling, lets the polls and deliveries in progress finish (and commit), then stops
  // the threads and destroys the instances. False if calls were still running after `grace`:
  // they are left to the process's exit (nothing they did is committed).
  bool stop(std::chrono::milliseconds grace = std::chrono::seconds(30));

  // New changes may be waiting: idle sinks look now instead of at their next idle check.
  void wake();

  std::vector<InstanceMetrics> metrics() const;
  // The metrics in the Prometheus text format (ijro_plugin_*, ijro_sink_*), labelled by instance:
  // metricFamilies() (metric_families.hpp) rendered by hub/metrics, as /metrics shows them.
  std::string prometheus() const;
  // One line per instance: "source demo: up" / "transform notes: up" / "sink files: down (...)".
  std::string health() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ijro::runtime
