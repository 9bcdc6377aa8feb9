// The runtime's schedule: one io_context thread owns every timer and every scheduling decision;
// the blocking work (plugin calls and the store commits that go with them) runs on a thread pool
// of the runtime's own, sized so that every instance can have its calls in flight at once.
#include "hub/runtime/runtime.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <random>
#include <thread>

#include "hub/runtime/runtime_workers.hpp"
#include "hub/store/store.hpp"

namespace ijro::runtime {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

struct SourceSlot {
  SourceSlot(detail::Shared shared, const SourceSettings& s,
             std::vector<detail::TransformWorker*> chain, asio::io_context& io)
      : worker(shared, s, std::move(chain)), timer(io) {}
  detail::SourceWorker worker;
  asio::steady_timer timer;
  // The io thread's only.
  int inFlight = 0;
  bool due = false;  // the timer fired while `concurrency` polls were running
  int failures = 0;
  Clock::time_point rateFree{};  // the rate limit allows the next poll from here on
};

struct SinkSlot {
  SinkSlot(detail::Shared shared, const SinkSettings& s, asio::io_context& io)
      : worker(shared, s), timer(io) {}
  detail::SinkWorker worker;
  asio::steady_timer timer;
  // The io thread's only.
  bool running = false;
  bool idle = false;   // waiting for new changes (wake() cuts the wait short)
  bool woken = false;  // wake() came while a cycle was running
};

std::string escapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

struct Runtime::Impl {
  Impl(RuntimeSettings s, store::Store& st) : settings(std::move(s)), store(st) {}

  RuntimeSettings settings;
  store::Store& store;
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread ioThread;
  std::unique_ptr<asio::thread_pool> pool;
  std::vector<std::unique_ptr<SourceSlot>> sources;
  // Called from the sources' polls only: no schedule of their own.
  std::vector<std::unique_ptr<detail::TransformWorker>> transforms;
  std::vector<std::unique_ptr<SinkSlot>> sinks;
  std::mt19937_64 random{std::random_device{}()};  // io thread only

  std::mutex mutex;  // guards active, stopping (for stop()'s wait)
  std::condition_variable quiet;
  int active = 0;  // polls and delivery cycles in flight
  bool stopping = false;
  std::atomic<bool> started{false};  // read by wake() from other threads
  std::atomic<bool> stopped{false};

  detail::Shared shared() { return {store, settings}; }

  milliseconds jittered(milliseconds base, double jitter) {
    if (jitter <= 0) return base;
    std::uniform_real_distribution<double> d(1.0 - jitter, 1.0 + jitter);
    return milliseconds(static_cast<long long>(static_cast<double>(base.count()) * d(random)));
  }

  bool isStopping() {
    std::lock_guard lock(mutex);
    return stopping;
  }
  // Counts a cycle in flight, unless the runtime is stopping (then nothing new starts).
  bool begin() {
    std::lock_guard lock(mutex);
    if (stopping) return false;
    ++active;
    return true;
  }
  void end() {
    std::lock_guard lock(mutex);
    --active;
    quiet.notify_all();
  }

  // ---- sources ----

  void armSource(SourceSlot& s, milliseconds delay) {
    s.timer.expires_after(delay);
    s.timer.async_wait([this, &s](boost::system::error_code ec) {
      if (!ec) sourceDue(s);
    });
  }

  void sourceDue(SourceSlot& s) {
    const auto& cfg = s.worker.settings();
    const int limit = s.worker.hasRunner() ? std::max(1, cfg.concurrency) : 1;
    if (s.inFlight >= limit) {
      s.due = true;  // started when one of the running polls is done
      return;
    }
    const auto now = Clock::now();
    if (s.rateFree > now) {
      armSource(s, std::chrono::ceil<milliseconds>(s.rateFree - now));
      return;
    }
    if (!begin()) return;
    s.due = false;
    ++s.inFlight;
    asio::post(*pool, [this, &s] {
      detail::SourceWorker::Result r;
      try {
        r = s.worker.poll();
      } catch (const std::exception& e) {
        spdlog::error("source \"{}\": poll cycle failed: {}", s.worker.id(), e.what());
      }
      asio::post(io, [this, &s, r] { pollDone(s, r); });
    });
    armSource(s, jittered(cfg.interval, cfg.jitter));
  }

  void pollDone(SourceSlot& s, const detail::SourceWorker::Result& r) {
    --s.inFlight;
    end();
    if (isStopping()) return;
    const auto& cfg = s.worker.settings();
    if (cfg.maxRecordsPerSecond && *cfg.maxRecordsPerSecond > 0 && r.records > 0) {
      const auto cost = std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(static_cast<double>(r.records) / *cfg.maxRecordsPerSecond));
      s.rateFree = std::max(s.rateFree, Clock::now()) + cost;
    }
    if (r.accepted > 0) wakeSinks();
    if (!r.ok) {
      ++s.failures;
      s.due = false;
      armSource(s, detail::backoffFor(s.failures, cfg.retryMin, cfg.retryMax));
      return;
    }
    s.failures = 0;
    if (s.due) sourceDue(s);
  }

  // ---- sinks ----

  void armSink(SinkSlot& s, milliseconds delay, bool idle) {
    s.idle = idle;
    s.timer.expires_after(delay);
    s.timer.async_wait([this, &s](boost::system::error_code ec) {
      if (!ec) sinkDue(s);
    });
  }

  void sinkDue(SinkSlot& s) {
    if (s.running || !begin()) return;
    s.running = true;
    s.idle = false;
    s.woken = false;
    asio::post(*pool, [this, &s] {
      detail::SinkWorker::Result r{detail::SinkWorker::Next::Retry, s.worker.settings().retryMin};
      try {
        r = s.worker.cycle();
      } catch (const std::exception& e) {
        spdlog::error("sink \"{}\": delivery cycle failed: {}", s.worker.id(), e.what());
      }
      asio::post(io, [this, &s, r] { cycleDone(s, r); });
    });
  }

  void cycleDone(SinkSlot& s, const detail::SinkWorker::Result& r) {
    s.running = false;
    end();
    if (isStopping()) return;
    switch (r.next) {
      case detail::SinkWorker::Next::More:
        armSink(s, milliseconds(0), false);
        break;
      case detail::SinkWorker::Next::Idle:
        armSink(s, s.woken ? milliseconds(0) : s.worker.settings().idle, true);
        break;
      case detail::SinkWorker::Next::Retry:
        armSink(s, r.delay, false);
        break;
    }
  }

  void wakeSinks() {
    for (auto& s : sinks) {
      if (s->running)
        s->woken = true;
      else if (s->idle)
        armSink(*s, milliseconds(0), false);
    }
  }
};

Runtime::Runtime(RuntimeSettings settings, store::Store& store)
    : impl_(std::make_unique<Impl>(std::move(settings), store)) {}

Runtime::~Runtime() {
  if (!stop()) {
    // Calls still running use what the runtime owns: leave it to the process's exit.
    spdlog::critical("plugins: calls still running after the grace period; not waiting longer");
    (void)impl_.release();
  }
}

void Runtime::start() {
  auto& d = *impl_;
  if (d.started) return;
  // Instances first: a configuration that cannot work stops the hub before anything runs.
  auto create = [](detail::Worker& w, const std::string& origin) {
    const std::string what = std::string(toString(w.kind())) + " \"" + w.id() + "\"";
    try {
      w.create();
      spdlog::info("plugins: {} created", what);
    } catch (const PluginError& e) {
      if (!e.retryable()) throw RuntimeError(origin + ": " + what + " cannot start: " + e.what());
      spdlog::warn("plugins: {}: the plugin asked to retry its creation; trying again later: {}",
                   what, e.what());
    } catch (const store::StoreError& e) {
      throw RuntimeError(origin + ": " + what + ": cannot read its state: " + e.what());
    } catch (const std::exception& e) {
      throw RuntimeError(origin + ": " + what + " cannot start: " + e.what());
    }
  };
  // Transforms first: sources refer to them.
  for (const auto& t : d.settings.transforms) {
    d.transforms.push_back(std::make_unique<detail::TransformWorker>(d.shared(), t));
    create(*d.transforms.back(), t.origin);
  }
  std::size_t threads = 0;
  for (const auto& s : d.settings.sources) {
    std::vector<detail::TransformWorker*> chain;
    for (const auto& id : s.transforms) {
      auto it = std::find_if(d.transforms.begin(), d.transforms.end(),
                             [&](const auto& t) { return t->id() == id; });
      if (it == d.transforms.end())
        throw RuntimeError(s.origin + ": source \"" + s.id + "\" names transform \"" + id +
                           "\", which is not configured: declare it as <transform id=\"" + id +
                           "\"> in <plugins>");
      chain.push_back(it->get());
    }
    d.sources.push_back(std::make_unique<SourceSlot>(d.shared(), s, std::move(chain), d.io));
    create(d.sources.back()->worker, s.origin);
    threads += static_cast<std::size_t>(std::max(1, s.concurrency));
  }
  for (const auto& s : d.settings.sinks) {
    d.sinks.push_back(std::make_unique<SinkSlot>(d.shared(), s, d.io));
    create(d.sinks.back()->worker, s.origin);
    ++threads;
  }
  d.started = true;
  if (d.sources.empty() && d.sinks.empty()) return;

  d.pool = std::make_unique<asio::thread_pool>(threads);
  d.guard.emplace(asio::make_work_guard(d.io));
  asio::post(d.io, [&d] {
    for (auto& s : d.sources) {
      const auto& cfg = s->worker.settings();
      // The first poll is right away (within a second, spread by the jitter so that instances
      // do not all start at the same moment), whatever the interval.
      const double spread =
          std::min(1000.0, static_cast<double>(cfg.interval.count()) * std::max(0.0, cfg.jitter));
      std::uniform_real_distribution<double> first(0.0, spread);
      d.armSource(*s, milliseconds(static_cast<long long>(first(d.random))));
    }
    for (auto& s : d.sinks) d.armSink(*s, milliseconds(0), false);
  });
  d.ioThread = std::thread([&d] { d.io.run(); });
  spdlog::info("plugins: {} source(s), {} transform(s) and {} sink(s) running on {} thread(s)",
               d.sources.size(), d.transforms.size(), d.sinks.size(), threads);
}

bool Runtime::stop(std::chrono::milliseconds grace) {
  if (!impl_) return true;
  auto& d = *impl_;
  if (!d.started || d.stopped) return true;
  {
    std::lock_guard lock(d.mutex);
    d.stopping = true;
  }
  if (d.ioThread.joinable()) {
    asio::post(d.io, [&d] {
      for (auto& s : d.sources) s->timer.cancel();
      for (auto& s : d.sinks) s->timer.cancel();
    });
    std::unique_lock lock(d.mutex);
    if (d.active > 0)
      spdlog::info("plugins: stopping; waiting for {} poll(s)/deliveries in progress", d.active);
    if (!d.quiet.wait_for(lock, grace, [&d] { return d.active == 0; })) return false;
    lock.unlock();
    d.guard.reset();
    d.io.stop();
    d.ioThread.join();
    d.pool->join();
  }
  for (auto& s : d.sources) s->worker.destroy();
  for (auto& s : d.sinks) s->worker.destroy();
  for (auto& t : d.transforms) t->destroy();  // after the sources that call them
  d.stopped = true;
  spdlog::info("plugins: stopped");
  return true;
}

void Runtime::wake() {
  auto& d = *impl_;
  if (!d.started || d.stopped || !d.ioThread.joinable()) return;
  asio::post(d.io, [&d] { d.wakeSinks(); });
}

std::vector<InstanceMetrics> Runtime::metrics() const {
  std::vector<InstanceMetrics> out;
  for (const auto& s : impl_->sources) out.push_back(s->worker.metrics());
  for (const auto& t : impl_->transforms) out.push_back(t->metrics());
  for (const auto& s : impl_->sinks) out.push_back(s->worker.metrics());
  return out;
}

std::string Runtime::health() const {
  std::string out;
  for (const auto& s : impl_->sources) out += s->worker.health() + "\n";
  for (const auto& t : impl_->transforms) out += t->health() + "\n";
  for (const auto& s : impl_->sinks) out += s->worker.health() + "\n";
  return out;
}

std::string Runtime::prometheus() const {
  const auto all = metrics();
  if (all.empty()) return {};
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help, auto value,
                    std::optional<Kind> only = std::nullopt) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    for (const auto& m : all) {
      if (only && m.kind != *only) continue;
      out += std::string(name) + "{instance=\"" + escapeLabel(m.id) + "\",kind=\"" +
             toString(m.kind) + "\"} " + std::to_string(value(m)) + "\n";
    }
  };
  using M = InstanceMetrics;
  family("ijro_plugin_up", "gauge", "1 while the plugin instance runs.",
         [](const M& m) { return m.up ? 1 : 0; });
  family("ijro_plugin_restarts_total", "counter", "Restarts of an isolated instance's child.",
         [](const M& m) { return m.restarts; });
  family("ijro_plugin_exceptions_total", "counter", "Exceptions caught around plugin calls.",
         [](const M& m) { return m.exceptions; });
  family("ijro_plugin_store_errors_total", "counter", "Store failures while committing.",
         [](const M& m) { return m.storeErrors; });
  family("ijro_plugin_dead_letters_total", "counter", "Records dead-lettered, with a reason.",
         [](const M& m) { return m.deadLetters; });
  family("ijro_plugin_replayed_total", "counter", "Dead letters replayed successfully.",
         [](const M& m) { return m.replayed; });
  family(
      "ijro_plugin_polls_total", "counter", "Polls of a source.",
      [](const M& m) { return m.polls; }, Kind::Source);
  family(
      "ijro_plugin_poll_failures_total", "counter", "Polls answered RETRY or ERROR.",
      [](const M& m) { return m.pollFailures; }, Kind::Source);
  family(
      "ijro_plugin_records_total", "counter", "Records emitted by successful polls.",
      [](const M& m) { return m.recordsEmitted; }, Kind::Source);
  family(
      "ijro_plugin_records_accepted_total", "counter", "Records stored as a new revision.",
      [](const M& m) { return m.recordsStored; }, Kind::Source);
  family(
      "ijro_plugin_records_duplicate_total", "counter", "Records already stored.",
      [](const M& m) { return m.recordsDuplicate; }, Kind::Source);
  family(
      "ijro_plugin_records_stale_total", "counter", "Records older than the stored revision.",
      [](const M& m) { return m.recordsStale; }, Kind::Source);
  family(
      "ijro_plugin_records_rejected_total", "counter",
      "Records invalid, out of scope or refused by the store (all dead-lettered).",
      [](const M& m) { return m.recordsRejected; }, Kind::Source);
  family(
      "ijro_sink_batches_total", "counter", "Deliveries of a batch to a sink.",
      [](const M& m) { return m.batches; }, Kind::Sink);
  family(
      "ijro_sink_batch_retries_total", "counter", "Deliveries that left records to retry.",
      [](const M& m) { return m.batchRetries; }, Kind::Sink);
  family(
      "ijro_sink_records_delivered_total", "counter", "Records a sink answered OK.",
      [](const M& m) { return m.recordsDelivered; }, Kind::Sink);
  family(
      "ijro_sink_cursor", "gauge", "The last history id a sink has dealt with.",
      [](const M& m) { return m.cursor; }, Kind::Sink);
  family(
      "ijro_sink_lag", "gauge", "Changes in history a sink has not dealt with yet.",
      [](const M& m) { return m.lag; }, Kind::Sink);
  return out;
}

}  // namespace ijro::runtime
