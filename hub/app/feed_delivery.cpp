#include "hub/app/feed_delivery.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "hub/http/client.hpp"
#include "hub/xml/signature.hpp"

namespace ijro::app {

namespace {

// Source id -> "name version" of the plugin library behind it (as the configuration's check
// read it); token sources post over HTTP.
std::map<std::string, std::string> adapters(const Config& cfg) {
  std::map<std::string, std::string> out;
  for (const auto& s : cfg.pluginSources) {
    auto it = cfg.pluginVersions.find(s.library.string());
    out[s.id] = it != cfg.pluginVersions.end() ? it->second : s.library.stem().string();
  }
  return out;
}

std::string processName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + ":" + std::to_string(getpid());
}

}  // namespace

std::unique_ptr<delivery::Delivery> makeDelivery(const Config& cfg, store::Store& store) {
  if (!cfg.feed) return nullptr;
  const auto& feed = *cfg.feed;
  auto key = xml::loadSigningKey(feed.keyFile, feed.certificateFile);

  delivery::Settings s;
  s.hubId = cfg.hubId;
  s.rules = cfg.rules;
  s.batchSize = feed.batchSize;
  s.interval = feed.interval;
  s.owner = processName();
  s.exchangeDir = feed.exchangeDir;
  // The hub signs what it wrote itself: the size limit follows the batch (a large batchSize
  // must not stall the feed on the reader's default limit).
  s.sign = [key](const std::string& xml) {
    xml::Limits limits;
    limits.maxBytes = std::max<std::size_t>(limits.maxBytes, xml.size() + (1u << 20));
    return xml::signEnveloped(xml, *key, limits);
  };
  s.adapterOf = [map = adapters(cfg)](const std::string& source) {
    auto it = map.find(source);
    return it == map.end() ? std::string("http") : it->second;
  };

  delivery::Transport transport;
  if (feed.push) {
    const auto push = *feed.push;
    s.retryMin = push.retryMin;
    s.retryMax = push.retryMax;
    // A send holds its batch no longer than the HTTP exchange can last (the client's timeout
    // bounds the whole exchange) plus a margin for recording its outcome. A process killed
    // mid-send leaves its lease behind, and its successor (another pid, so another owner) waits
    // for that lease to run out before it sends the batch again: with the default lease of two
    // minutes a SIGKILL stalled the batch, and the hub's lag, for two minutes.
    s.lease = std::chrono::ceil<std::chrono::seconds>(push.timeout) + std::chrono::seconds(5);
    http::ClientOptions options;
    options.timeout = push.timeout;
    options.tls.caFile = push.caFile;
    options.tls.certificateFile = push.clientCertFile;
    options.tls.keyFile = push.clientKeyFile;
    transport = delivery::receiptTransport([url = push.url, options](const std::string& body) {
      auto r = http::request(
          "POST", url, body,
          {{"Content-Type", "application/xml; charset=utf-8"}, {"Accept", "application/json"}},
          options);
      return delivery::HttpAnswer{r.status, std::move(r.body)};
    });
    spdlog::info("feed: signed batches of up to {} changes, pushed to {}", s.batchSize, push.url);
  } else {
    spdlog::info("feed: signed batches of up to {} changes, served at /api/v1/feed?after=SEQ",
                 s.batchSize);
  }
  if (!s.exchangeDir.empty())
    spdlog::info("feed: every batch also written as an XML exchange file into {}", s.exchangeDir);
  return std::make_unique<delivery::Delivery>(store, std::move(s), std::move(transport));
}

}  // namespace ijro::app
