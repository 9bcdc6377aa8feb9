#include "hub/app/serve.hpp"

#include <spdlog/spdlog.h>

#include "hub/api/api.hpp"
#include "hub/app/logging.hpp"
#include "hub/http/server.hpp"
#include "hub/store/store.hpp"

namespace ijro::app {

namespace {

api::Settings apiSettings(const Config& cfg) {
  api::Settings s;
  s.hubId = cfg.hubId;
  s.rules = cfg.rules;
  s.sectors = cfg.sectors;
  s.sources = cfg.sources;
  s.xmlLimits.maxBytes = cfg.bodyLimit;
  s.xmlLimits.maxDepth = cfg.maxXmlDepth;
  s.jsonMaxDepth = static_cast<std::size_t>(cfg.maxXmlDepth);
  return s;
}

http::ServerOptions serverOptions(const Config& cfg) {
  http::ServerOptions o;
  o.host = cfg.host;
  o.port = cfg.port;
  o.threads = cfg.threads;
  o.bodyLimit = cfg.bodyLimit;
  o.headerTimeout = cfg.headerTimeout;
  o.readTimeout = cfg.readTimeout;
  return o;
}

}  // namespace

int serve(const Config& cfg) {
  setupLogging(cfg.logLevel, cfg.logFormat);
  auto store = store::Store::open(cfg.storeUrl, static_cast<std::size_t>(cfg.storePool));
  spdlog::info("store {} ready ({}, schema version {}, {} implementations)", cfg.storeUrl,
               store->backend(), store->schemaVersion(), store->count());

  api::Api api(apiSettings(cfg), *store);
  http::Server server(serverOptions(cfg), [&api](const http::Request& r) { return api.handle(r); });
  spdlog::info("hub \"{}\" listening on http://{}:{} with {} threads ({} sources)", cfg.hubId,
               cfg.host, server.port(), cfg.threads, cfg.sources.size());
  server.run(true);
  spdlog::info("stopped: every acknowledged report is on disk");
  return 0;
}

}  // namespace ijro::app
