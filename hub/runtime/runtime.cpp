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

#include "hub/runtime/metric_families.hpp"
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
  return metrics::render(metricFamilies(metrics()));
}

}  // namespace ijro::runtime
