#include "hub/app/serve.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>

#include "hub/api/api.hpp"
#include "hub/app/feed_delivery.hpp"
#include "hub/app/logging.hpp"
#include "hub/app/paths.hpp"
#include "hub/evidence/blob_store.hpp"
#include "hub/http/server.hpp"
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
  http::ServerOptions o;
  o.host = cfg.host;
  o.port = cfg.port;
  o.threads = cfg.threads;
  o.bodyLimit = cfg.bodyLimit;
  o.headerTimeout = cfg.headerTimeout;
  o.readTimeout = cfg.readTimeout;
  o.tls = cfg.tls;  // the certificate and key are read when the server is made
  return o;
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

}  // namespace

int serve(const Config& cfg) {
  setupLogging(cfg.logLevel, cfg.logFormat);
  auto store =
      store::Store::open(cfg.storeUrl, static_cast<std::size_t>(cfg.storePool), cfg.storePassword);
  // Before anything writes: stored rows follow the configured aliases and priorities.
  store->setIdentity({store::OrganisationDirectory(cfg.organisations), cfg.sourcePriorities});
  spdlog::info("store {} ready ({}, schema version {}, {} implementations)",
               store::redactStoreUrl(cfg.storeUrl), store->backend(), store->schemaVersion(),
               store->count());

  // The plugin runtime has threads of its own: plugin calls block, the HTTP threads must not.
  // It is declared before the API and the server, so it stops after them (and before the store).
  runtime::Runtime plugins(runtimeSettings(cfg), *store);
  // The outgoing feed: batches made and pushed on a thread of its own, from the store.
  auto feed = makeDelivery(cfg, *store);
  auto settings = apiSettings(cfg);
  settings.extraMetrics = [&plugins, &feed] {
    auto families = runtime::metricFamilies(plugins.metrics());
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
  http::Server server(std::move(options), [&api](const http::Request& r) { return api.handle(r); });
  plugins.start();
  if (feed) feed->start();
  spdlog::info(
      "hub \"{}\" listening on {}://{}:{} with {} threads ({} sources, {} readers, {} "
      "plugin sources, {} plugin transforms, {} plugin sinks)",
      cfg.hubId, cfg.tls ? "https" : "http", cfg.host, server.port(), cfg.threads,
      cfg.sources.size(), cfg.readers.size(), cfg.pluginSources.size(), cfg.pluginTransforms.size(),
      cfg.pluginSinks.size());
  server.run(true);
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
