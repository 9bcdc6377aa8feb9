// Ministry mode: feed batches pushed by configured hubs (POST /api/v1/feeds), what the read side
// shows of them (each region's freshness, each implementation's lineage) and their metrics.
//
// Authentication is the batch's signature: the <feed hub="..."> names the sending hub, which
// must be configured (<peers><hub id=...>), and the enveloped signature must verify against one
// of that hub's configured certificates (two during a key rotation). No bearer token is needed:
// a token would only repeat what the signature proves, and the signature also covers the bytes.
// A batch that is unsigned, signed by an unknown key, altered or malformed is refused whole
// and nothing of it is stored.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <string>

#include "hub/api/api.hpp"
#include "hub/api/json_problem.hpp"
#include "hub/base/sha256.hpp"
#include "hub/base/timestamp.hpp"
#include "hub/exchange/batch.hpp"
#include "hub/exchange/receipt.hpp"
#include "hub/intake/accept.hpp"
#include "hub/model/date.hpp"
#include "hub/xml/signature.hpp"

namespace ijro::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

// Seconds since the epoch of a timestamp the store wrote ("2026-11-28T10:00:00Z"); nullopt for
// anything else.
std::optional<std::int64_t> epochSeconds(const std::string& t) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char z = 0;
  if (t.size() != 20 ||
      std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &z) != 7 ||
      z != 'Z')
    return std::nullopt;
  const std::chrono::year_month_day day{std::chrono::year(y), std::chrono::month(mo),
                                        std::chrono::day(d)};
  if (!day.ok()) return std::nullopt;
  return std::chrono::sys_days(day).time_since_epoch() / std::chrono::seconds(1) + h * 3600 +
         mi * 60 + s;
}

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string keyOf(const model::ImplementationKey& k) {
  return k.source + '\x1f' + k.measureId + '\x1f' + k.region + '\x1f' + k.organisation;
}

json::object lineageJson(const model::Lineage& l) {
  json::array hops;
  for (const auto& h : l.hubs)
    hops.push_back(
        json::object{{"hub", h.hub}, {"sequence", h.sequence}, {"receivedAt", h.receivedAt}});
  return {{"source", l.source},
          {"adapter", l.adapter},
          {"receivedAt", l.receivedAt},
          {"revision", l.revision},
          {"hubs", std::move(hops)}};
}

// The receipt's word for an intake verdict: an entry outside the hub's regions is rejected.
const char* outcomeOf(intake::Verdict v) {
  return v == intake::Verdict::OutOfScope ? "rejected" : intake::toString(v);
}

Response receiptResponse(const Request& req, const exchange::Receipt& receipt) {
  if (req.header("accept").find("json") != std::string::npos)
    return {200, "application/json", exchange::writeReceiptJson(receipt), {}};
  return {200, "application/xml; charset=utf-8", exchange::writeReceiptXml(receipt), {}};
}

}  // namespace

Response Api::postFeeds(const Request& req) {
  auto refuse = [&](const std::string& reason, int status, const std::string& message) {
    {
      std::lock_guard<std::mutex> lock(feedMutex_);
      ++refusedBatches_[reason];
    }
    if (status == 400 || status == 415) ++counters_.badRequests;
    if (status == 403) ++counters_.forbidden;
    spdlog::warn("feed batch from {} refused ({}): {}", req.remote, reason, message);
    return jsonProblem(status, message);
  };
  if (settings_.peers.empty())
    return jsonProblem(404,
                       "this hub receives no feed batches: configure the hubs that send them "
                       "under <peers> in its configuration");
  if (req.method != "POST") {
    auto res = jsonProblem(405, "method " + req.method + " is not allowed on /api/v1/feeds");
    res.headers.emplace_back("Allow", "POST");
    return res;
  }
  const std::string type = req.header("content-type");
  if (type.find("xml") == std::string::npos)
    return refuse("malformed", 415,
                  "Content-Type \"" + type +
                      "\" is not supported: send a signed feed batch as "
                      "application/xml");

  exchange::ParsedBatch batch;
  try {
    batch = exchange::parseBatch(req.body, settings_.xmlLimits);
  } catch (const xml::XmlError& e) {
    return refuse("malformed", 400, std::string(e.what()) + ": nothing was stored");
  }
  const std::string& hub = batch.header.hub;
  const std::int64_t sequence = batch.header.sequence;
  const auto peer = std::find_if(settings_.peers.begin(), settings_.peers.end(),
                                 [&](const PeerHub& p) { return p.id == hub; });
  if (peer == settings_.peers.end())
    return refuse("unknown hub", 403,
                  "hub \"" + hub +
                      "\" is not configured to send feed batches here: nothing was stored; the "
                      "operator adds <hub id=\"" +
                      hub + "\" regions=\"...\"><certificate file=\"...\"/></hub> under <peers>");

  // Whole or nothing: a batch whose signature does not hold is not read further.
  const auto v = xml::verifyEnveloped(req.body, peer->certificatePems, settings_.xmlLimits);
  if (!v.ok) {
    const std::string why = xml::failureName(v.failure);
    return refuse(why, v.failure == xml::SignatureFailure::Malformed ? 400 : 403,
                  "batch " + std::to_string(sequence) + " of hub \"" + hub +
                      "\" is refused, its signature is " + why + ": " + v.reason +
                      "; nothing was stored");
  }

  const auto now = std::chrono::system_clock::now();
  exchange::Receipt receipt;
  receipt.source = hub;
  receipt.receivedAt = base::formatTimestamp(now);
  receipt.batchHub = hub;
  receipt.batchSequence = sequence;
  for (const auto& e : batch.entries)
    receipt.lines.push_back({e.index, e.measureId, e.region, e.organisation, e.revision, "", ""});

  // The same batch again (a sender that did not see the receipt): nothing is stored again.
  const std::string digest = base::sha256Hex(req.body);
  if (auto known = store_.receivedBatch(hub, sequence)) {
    if (known->digest != digest)
      return jsonProblem(409, "hub \"" + hub + "\" already sent a batch " +
                                  std::to_string(sequence) + " (received " + known->receivedAt +
                                  ") with other content: nothing was stored; a hub's sequence "
                                  "numbers are never reused");
    for (auto& line : receipt.lines) {
      line.outcome = "duplicate";
      line.reason = "batch " + std::to_string(sequence) + " was received at " + known->receivedAt;
    }
    counters_.duplicate += receipt.lines.size();
    return receiptResponse(req, receipt);
  }

  // Each entry's lineage goes on with the hop of the hub that sent it (if it did not write its
  // own) and this hub's, which it has not left yet.
  std::vector<intake::Incoming> records;
  for (auto& e : batch.entries) {
    if (e.entry) {
      auto& hops = e.entry->lineage.hubs;
      if (hops.empty() || hops.back().hub != hub)
        hops.push_back({hub, sequence, batch.header.generatedAt});
      else if (hops.back().sequence == 0)
        hops.back().sequence = sequence;
      hops.push_back({settings_.hubId, 0, receipt.receivedAt});
    }
    records.push_back(intake::fromBatch(std::move(e)));
  }
  intake::Scope scope = intake::Scope::writer(hub);
  scope.regions = peer->regions;
  store::ReceivedBatch row;
  row.hub = hub;
  row.sequence = sequence;
  row.receivedAt = receipt.receivedAt;
  row.digest = digest;
  auto result = intake::accept(scope, std::move(records), intake::Policy::batch(row),
                               {store_, settings_.sectors, model::today(), now});
  for (std::size_t i = 0; i < result.outcomes.size(); ++i) {
    receipt.lines[i].outcome = outcomeOf(result.outcomes[i].verdict);
    receipt.lines[i].reason = std::move(result.outcomes[i].reason);
  }
  using intake::Verdict;
  const std::size_t accepted = result.count(Verdict::Accepted),
                    duplicate = result.count(Verdict::Duplicate),
                    stale = result.count(Verdict::Stale),
                    rejected = result.count(Verdict::Rejected) + result.count(Verdict::OutOfScope);
  if (accepted > 0 && settings_.onAccepted) settings_.onAccepted();
  counters_.accepted += accepted;
  counters_.duplicate += duplicate;
  counters_.stale += stale;
  counters_.rejected += rejected;
  spdlog::info("feed batch {} of {} ({}): {} accepted, {} duplicate, {} stale, {} rejected",
               sequence, hub, req.remote, accepted, duplicate, stale, rejected);
  return receiptResponse(req, receipt);
}

json::value Api::freshness(const intake::Scope& reader) {
  if (settings_.peers.empty()) return nullptr;
  std::map<std::string, store::PeerBatches> batches;
  for (auto& p : store_.peerBatches()) batches.emplace(p.hub, std::move(p));
  std::map<std::string, std::vector<const PeerHub*>> byRegion;
  for (const auto& peer : settings_.peers) {
    // A hub that speaks for every region (regions="*") is listed once, under "*".
    if (peer.regions.empty()) byRegion["*"].push_back(&peer);
    for (const auto& r : peer.regions)
      if (reader.regions.empty() || reader.regions.count(r)) byRegion[r].push_back(&peer);
  }
  const std::int64_t now = nowSeconds();
  json::array out;
  for (const auto& [region, peers] : byRegion) {
    json::array hubs;
    json::value last = nullptr, age = nullptr;
    std::optional<std::int64_t> newest;
    for (const PeerHub* peer : peers) {
      json::object h{{"hub", peer->id},
                     {"lastSequence", nullptr},
                     {"lastBatchAt", nullptr},
                     {"ageSeconds", nullptr}};
      if (auto b = batches.find(peer->id); b != batches.end()) {
        h["lastSequence"] = b->second.lastSequence;
        h["lastBatchAt"] = b->second.lastReceivedAt;
        if (auto at = epochSeconds(b->second.lastReceivedAt)) {
          h["ageSeconds"] = std::max<std::int64_t>(0, now - *at);
          if (!newest || *at > *newest) {
            newest = *at;
            last = b->second.lastReceivedAt;
            age = std::max<std::int64_t>(0, now - *at);
          }
        }
      }
      hubs.push_back(std::move(h));
    }
    out.push_back(json::object{
        {"region", region}, {"lastBatchAt", last}, {"ageSeconds", age}, {"hubs", std::move(hubs)}});
  }
  return out;
}

Api::LineageIndex Api::lineageIndex(const std::optional<std::string>& measureId) {
  LineageIndex index;
  if (settings_.peers.empty()) return index;
  for (auto& k : store_.currentLineages(measureId))
    index.emplace(keyOf(k.key), std::move(k.lineage));
  return index;
}

void Api::addLineage(json::object& item, const model::Implementation& impl,
                     const LineageIndex& index) {
  if (index.empty()) return;
  if (auto it = index.find(keyOf(impl.key())); it != index.end())
    item["lineage"] = lineageJson(it->second);
}

std::vector<metrics::Family> Api::feedMetrics() {
  using metrics::Type;
  std::vector<metrics::Family> families;
  if (settings_.peers.empty()) return families;
  std::map<std::string, store::PeerBatches> batches;
  for (auto& p : store_.peerBatches()) batches.emplace(p.hub, std::move(p));
  metrics::Family last{"ijro_feed_last_sequence",
                       "Sequence of the last feed batch received from each hub (0: none yet).",
                       Type::Gauge,
                       {}};
  metrics::Family gaps{"ijro_feed_gaps",
                       "Sequences below the highest received from each hub that never came.",
                       Type::Gauge,
                       {}};
  metrics::Family age{"ijro_feed_last_batch_age_seconds",
                      "Seconds since the last feed batch from each hub was received.",
                      Type::Gauge,
                      {}};
  metrics::Family expiry{"ijro_feed_certificate_expiry_timestamp_seconds",
                         "When each configured certificate of a sending hub expires (unix time).",
                         Type::Gauge,
                         {}};
  const std::int64_t now = nowSeconds();
  for (const auto& peer : settings_.peers) {
    const auto b = batches.find(peer.id);
    const bool any = b != batches.end();
    last.samples.push_back({{{"hub", peer.id}}, any ? double(b->second.lastSequence) : 0.0});
    gaps.samples.push_back({{{"hub", peer.id}}, any ? double(b->second.gaps) : 0.0});
    if (any)
      if (auto at = epochSeconds(b->second.lastReceivedAt))
        age.samples.push_back({{{"hub", peer.id}}, double(std::max<std::int64_t>(0, now - *at))});
    for (std::size_t i = 0; i < peer.certificateNotAfter.size(); ++i)
      expiry.samples.push_back(
          {{{"hub", peer.id},
            {"certificate",
             i < peer.certificateNames.size() ? peer.certificateNames[i] : std::to_string(i + 1)}},
           double(peer.certificateNotAfter[i])});
  }
  metrics::Family refused{"ijro_feed_batches_refused_total",
                          "Feed batches refused whole, by reason (unsigned, unknown key, altered, "
                          "malformed, expired, unknown hub).",
                          Type::Counter,
                          {}};
  {
    std::lock_guard<std::mutex> lock(feedMutex_);
    for (const auto& [reason, n] : refusedBatches_)
      refused.samples.push_back({{{"reason", reason}}, double(n)});
  }
  for (auto* f : {&last, &gaps, &age, &expiry, &refused}) families.push_back(std::move(*f));
  return families;
}

}  // namespace ijro::api
