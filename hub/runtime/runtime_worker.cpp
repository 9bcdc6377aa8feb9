#include <spdlog/spdlog.h>

#include "hub/runtime/runtime_workers.hpp"

namespace ijro::runtime::detail {

Worker::Worker(Shared shared, Kind kind, std::string id, std::filesystem::path library,
               std::string origin, RunnerOptions runnerOptions)
    : shared_(shared),
      kind_(kind),
      id_(std::move(id)),
      library_(std::move(library)),
      origin_(std::move(origin)),
      runnerOptions_(std::move(runnerOptions)) {}

std::string Worker::label() const {
  return std::string(toString(kind_)) + " \"" + id_ + "\" (plugin " + library_.string() + ")";
}

bool Worker::hasRunner() const {
  std::lock_guard lock(mutex_);
  return runner_ != nullptr;
}

std::shared_ptr<Runner> Worker::make() {
  RunnerOptions opts = runnerOptions_;
  if (kind_ == Kind::Source) opts.checkpoint = shared_.store.checkpoint(id_);
  const auto& factory = shared_.settings.makeRunner;
  std::unique_ptr<Runner> r = factory ? factory(opts) : makeRunner(opts);
  if (!r) throw std::runtime_error("the runner factory returned nothing");
  if (r->kind() != kind_)
    throw PluginError(PluginError::Reason::BadDescriptor, library_,
                      label() + " is configured as a " + toString(kind_) + " but the plugin is a " +
                          toString(r->kind()) + ": configure it under <" + toString(r->kind()) +
                          ">");
  return std::shared_ptr<Runner>(std::move(r));
}

void Worker::create() {
  auto r = make();
  std::lock_guard lock(mutex_);
  runner_ = std::move(r);
  lastFailure_.clear();
}

void Worker::destroy() {
  std::shared_ptr<Runner> r;
  {
    std::lock_guard lock(mutex_);
    r = std::move(runner_);
  }
  if (!r) return;
  try {
    r.reset();
  } catch (const std::exception& e) {
    threw("destroy", e.what());
  }
}

std::shared_ptr<Runner> Worker::runner() {
  {
    std::lock_guard lock(mutex_);
    if (runner_) return runner_;
  }
  try {
    create();
    spdlog::info("{}: created", label());
    std::lock_guard lock(mutex_);
    return runner_;
  } catch (const PluginError& e) {
    failed(std::string("cannot create the instance: ") + e.what());
    spdlog::warn("{}: cannot create the instance ({}); trying again later: {}", label(),
                 e.retryable() ? "the plugin asked to retry" : "error", e.what());
  } catch (const store::StoreError& e) {
    storeFailed("reading the checkpoint", e);
  } catch (const std::exception& e) {
    threw("create", e.what());
  }
  return nullptr;
}

std::string Worker::threw(const char* hook, const std::string& what) {
  ++counters_.exceptions;
  std::string text = std::string(hook) + " threw: " + what;
  failed(text);
  spdlog::error("{}: {}", label(), text);
  return text;
}

void Worker::failed(const std::string& what) {
  std::lock_guard lock(mutex_);
  lastFailure_ = what;
}

void Worker::storeFailed(const char* what, const std::exception& e) {
  ++counters_.storeErrors;
  failed(std::string(what) + ": " + e.what());
  spdlog::error("{}: {} failed, will try again: {}", label(), what, e.what());
}

InstanceMetrics Worker::metrics() const {
  InstanceMetrics m;
  m.id = id_;
  m.kind = kind_;
  m.plugin = library_.string();
  std::shared_ptr<Runner> r;
  {
    std::lock_guard lock(mutex_);
    r = runner_;
    m.lastFailure = lastFailure_;
  }
  if (r) {
    auto h = r->health();
    m.up = h.up;
    m.restarts = h.restarts;
    if (!h.lastFailure.empty()) m.lastFailure = h.lastFailure;
    m.pluginCounters = r->counters();
    m.pluginGauges = r->gauges();
  }
  const auto& c = counters_;
  m.polls = c.polls;
  m.pollFailures = c.pollFailures;
  m.recordsEmitted = c.recordsEmitted;
  m.recordsStored = c.recordsStored;
  m.recordsDuplicate = c.recordsDuplicate;
  m.recordsStale = c.recordsStale;
  m.recordsRejected = c.recordsRejected;
  m.recordsMapped = c.recordsMapped;
  m.recordsDropped = c.recordsDropped;
  m.recordsRefused = c.recordsRefused;
  m.transformRetries = c.transformRetries;
  m.batches = c.batches;
  m.batchRetries = c.batchRetries;
  m.recordsDelivered = c.recordsDelivered;
  m.cursor = c.cursor;
  m.lag = c.lag;
  m.deadLetters = c.deadLetters;
  m.replayed = c.replayed;
  m.storeErrors = c.storeErrors;
  m.exceptions = c.exceptions;
  return m;
}

std::string Worker::health() const {
  auto m = metrics();
  std::string line = std::string(toString(kind_)) + " " + id_ + ": " + (m.up ? "up" : "down");
  if (m.restarts > 0) line += ", " + std::to_string(m.restarts) + " restarts";
  // The failure's text (a plugin's or a driver's words, perhaps a path or a host) is in the log,
  // not here: /readyz is read by probes and dashboards.
  if (!m.up && !m.lastFailure.empty()) line += " (the hub's log says why)";
  return line;
}

}  // namespace ijro::runtime::detail
