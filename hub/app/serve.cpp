#include "hub/app/serve.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <mutex>
#include <thread>
#include <vector>

#include <sys/resource.h>

#include "hub/api/api.hpp"
#include "hub/app/feed_delivery.hpp"
#include "hub/app/logging.hpp"
#include "hub/app/paths.hpp"
#include "hub/evidence/blob_store.hpp"
#include "hub/http/server.hpp"
#include "hub/metrics/exposition.hpp"
#include "hub/model/date.hpp"
#include "hub/runtime/metric_families.hpp"
#include "hub/runtime/runtime.hpp"
#include "hub/store/store.hpp"
#include "hub/store/url.hpp"

namespace ijro::app {

namespace {

api::Settings apiSettings(const Config& cfg) {
  api::Settings s;
  s.hubId = cfg.hubId;
  s.rules = cfg.rules;
  s.sectors = cfg.sectors;
  s.scopes = cfg.sources;
  s.scopes.insert(s.scopes.end(), cfg.readers.begin(), cfg.readers.end());
  s.xmlLimits.maxBytes = cfg.bodyLimit;
  s.xmlLimits.maxDepth = cfg.maxXmlDepth;
  s.jsonMaxDepth = static_cast<std::size_t>(cfg.maxXmlDepth);
  s.organisations = store::OrganisationDirectory(cfg.organisations);
  s.peers = cfg.peers;
  s.iati = cfg.iati;
  s.admission = cfg.admission;
  s.largeReads = cfg.largeReads;
  return s;
}

// The evidence folder: configured, else beside the SQLite database file, else var/evidence.
std::filesystem::path evidenceFolder(const Config& cfg) {
  if (!cfg.evidenceDir.empty()) return cfg.evidenceDir;
  const auto location = store::detail::parseStoreUrl(cfg.storeUrl);
  if (location.dialect == store::detail::Dialect::Sqlite && location.path != ":memory:")
    return std::filesystem::path(location.path).parent_path() / "evidence";
  return std::filesystem::path("var") / "evidence";
}

http::ServerOptions serverOptions(const Config& cfg) {
  http::ServerOptions o = cfg.http;  // <limits>: shedding, buffers, handler pool
  o.host = cfg.host;
  o.port = cfg.port;
  o.threads = cfg.threads;
  o.bodyLimit = cfg.bodyLimit;
  o.headerTimeout = cfg.headerTimeout;
  o.readTimeout = cfg.readTimeout;
  o.tls = cfg.tls;  // the certificate and key are read when the server is made
  return o;
}

// Every open connection is a descriptor: the soft RLIMIT_NOFILE is raised (up to the hard
// one) to leave room for maxConnections beside the store, plugins and files.
void raiseFileLimit(std::size_t maxConnections) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  const rlim_t want = static_cast<rlim_t>(maxConnections) + 256;
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < want) {
    const rlim_t before = lim.rlim_cur;
    lim.rlim_cur = lim.rlim_max == RLIM_INFINITY ? want : std::min(want, lim.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) lim.rlim_cur = before;
  }
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < want)
    spdlog::warn(
        "open files are limited to {} (hard limit {}): fewer than limits/@maxConnections ({}) "
        "connections can be open; raise the limit (ulimit -n, LimitNOFILE=) or lower "
        "maxConnections",
        lim.rlim_cur, lim.rlim_max, maxConnections);
}

// The server's own counters on /metrics.
std::vector<metrics::Family> serverMetrics(const http::ServerStats& s) {
  using metrics::Type;
  auto one = [](const char* name, const char* help, Type type, std::uint64_t v) {
    return metrics::Family{name, help, type, {{{}, static_cast<double>(v)}}};
  };
  return {
      one("ijro_http_connections_total", "Connections accepted.", Type::Counter,
          s.connections.load()),
      one("ijro_http_open_connections", "Connections open now.", Type::Gauge,
          s.openConnections.load()),
      one("ijro_http_queued_requests", "Requests waiting for a handler thread now.", Type::Gauge,
          s.queued.load()),
      one("ijro_http_awaiting_store_requests",
          "Requests taken on an I/O thread whose answer waits for the store's commit now.",
          Type::Gauge, s.awaitingReply.load()),
      one("ijro_http_connections_shed_total",
          "Connections answered 503 and closed at once because limits/@maxConnections were open.",
          Type::Counter, s.connectionsShed.load()),
      one("ijro_http_requests_shed_total",
          "Requests answered 503 because the handler queue was full or they could not start "
          "within limits/@queueTimeoutMs.",
          Type::Counter, s.requestsShed.load()),
      one("ijro_http_refused_on_head_total",
          "Requests refused from their head (401, 429) before their body was read.", Type::Counter,
          s.refusedOnHead.load()),
      one("ijro_http_rejected_total",
          "Requests the server refused itself (malformed, too large, too slow).", Type::Counter,
          s.rejected.load()),
  };
}

runtime::RuntimeSettings runtimeSettings(const Config& cfg) {
  runtime::RuntimeSettings s;
  s.sources = cfg.pluginSources;
  s.transforms = cfg.pluginTransforms;
  s.sinks = cfg.pluginSinks;
  s.sectors = cfg.sectors;
  s.hubBinary = executablePath();  // runs `plugin-host` for isolated instances
  return s;
}

// When the day turns, every stored evaluation is as of yesterday: this evaluates them again
// as of the new day on a thread of its own, checked each minute, so that the first reads of the
// day find them ready (until it is done, reads evaluate by themselves).
class DayTurn {
 public:
  explicit DayTurn(store::Store& store)
      : store_(store), day_(model::today()), thread_([this] { loop(); }) {}
  ~DayTurn() {
    {
      std::lock_guard lock(m_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  DayTurn(const DayTurn&) = delete;
  DayTurn& operator=(const DayTurn&) = delete;

 private:
  void loop() {
    std::unique_lock lock(m_);
    while (!cv_.wait_for(lock, std::chrono::minutes(1), [&] { return stop_; })) {
      const auto today = model::today();
      if (today == day_) continue;
      lock.unlock();
      try {
        if (store_.refreshStatus(today)) day_ = today;  // else: another caller is at it; again
      } catch (const std::exception& e) {
        spdlog::warn("evaluating the stored implementations as of {} failed: {}",
                     model::formatDate(today), e.what());
      }
      lock.lock();
    }
  }

  store::Store& store_;
  model::Date day_;
  std::mutex m_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;  // last: it starts once the rest is made
};

}  // namespace

int serve(const Config& cfg) {
  setupLogging(cfg.logLevel, cfg.logFormat);
  auto store =
      store::Store::open(cfg.storeUrl, static_cast<std::size_t>(cfg.storePool), cfg.storePassword);
  // Before anything writes: stored rows follow the configured aliases and priorities.
  store->setIdentity({store::OrganisationDirectory(cfg.organisations), cfg.sourcePriorities});
  // Each row keeps its evaluation under these rules; what a new day or new rules left stale is
  // evaluated again now rather than on the first read, and again each time the day turns
  // (DayTurn; a read that finds them stale meanwhile evaluates by itself or refreshes them).
  store->setStatusRules(cfg.rules);
  store->refreshStatus(model::today());
  spdlog::info("store {} ready ({}, schema version {}, {} implementations)",
               store::redactStoreUrl(cfg.storeUrl), store->backend(), store->schemaVersion(),
               store->count());

  // The plugin runtime has threads of its own: plugin calls block, the HTTP threads must not.
  // It is declared before the API and the server, so it stops after them (and before the store).
  runtime::Runtime plugins(runtimeSettings(cfg), *store);
  // The outgoing feed: batches made and pushed on a thread of its own, from the store.
  auto feed = makeDelivery(cfg, *store);
  auto settings = apiSettings(cfg);
  http::Server* server = nullptr;  // made below, after the API it calls
  settings.extraMetrics = [&plugins, &feed, &server] {
    auto families = runtime::metricFamilies(plugins.metrics());
    if (server) {
      auto more = serverMetrics(server->stats());
      families.insert(families.end(), std::make_move_iterator(more.begin()),
                      std::make_move_iterator(more.end()));
    }
    if (feed) {
      auto more = feed->metrics();
      families.insert(families.end(), std::make_move_iterator(more.begin()),
                      std::make_move_iterator(more.end()));
    }
    return families;
  };
  settings.health = [&plugins] { return plugins.health(); };
  settings.onAccepted = [&plugins, &feed] {
    plugins.wake();
    if (feed) feed->wake();
  };
  // Opening the blob store removes the temporary files of uploads a crash interrupted.
  evidence::BlobStore blobs(evidenceFolder(cfg));
  if (blobs.leftoversRemoved() > 0)
    spdlog::warn("evidence: removed {} unfinished uploads left by an earlier run in {}",
                 blobs.leftoversRemoved(), blobs.tempFolder().string());
  settings.evidence.blobs = &blobs;
  settings.evidence.allowedTypes = cfg.evidenceTypes;
  settings.evidence.maxBytes = cfg.evidenceMaxBytes;
  auto options = serverOptions(cfg);
  options.streamBody = api::evidenceUploadRoute(settings.evidence, cfg.evidenceReadTimeout);
  api::Api api(std::move(settings), *store);
  // The token is checked from the request head, before the body is read.
  options.checkHead = [&api](const http::Request& head) { return api.admit(head); };
  // Tokens of the configuration are checked on the I/O thread, and small reports parsed there and
  // handed to the store without holding a thread while they are committed.
  options.quickCheckHead = [&api](const http::Request& head) { return api.admitQuickly(head); };
  options.quick = [&api](const http::Request& r) { return api.quick(r); };
  raiseFileLimit(options.maxConnections);
  http::Server httpServer(std::move(options),
                          [&api](const http::Request& r) { return api.handle(r); });
  server = &httpServer;
  plugins.start();
  if (feed) feed->start();
  DayTurn dayTurn(*store);
  spdlog::info(
      "hub \"{}\" listening on {}://{}:{} with {} threads ({} sources, {} readers, {} "
      "plugin sources, {} plugin transforms, {} plugin sinks)",
      cfg.hubId, cfg.tls ? "https" : "http", cfg.host, httpServer.port(), cfg.threads,
      cfg.sources.size(), cfg.readers.size(), cfg.pluginSources.size(), cfg.pluginTransforms.size(),
      cfg.pluginSinks.size());
  httpServer.run(true);
  if (feed) feed->stop();  // a send under way finishes; the next process resends what it held
  // The server has drained; now the polls and deliveries in progress finish and commit.
  if (!plugins.stop()) {
    spdlog::critical(
        "plugin calls still running after the grace period: exiting without them "
        "(what they had not committed is done again at the next start)");
    spdlog::shutdown();
    std::_Exit(1);
  }
  spdlog::info("stopped: every acknowledged report is on disk");
  return 0;
}

}  // namespace ijro::app
