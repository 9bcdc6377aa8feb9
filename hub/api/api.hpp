// The HTTP API (/api/v1/...): routing, authentication, intake of reports and the read side.
// Takes plain http::Request values, so it is tested without sockets. The routes it answers are
// one table (Api::routes()), described for clients in schemas/openapi.yaml.
//
// Every resource but the public ones (/healthz, /api/v1/openapi.json, feed batches from other
// hubs, which their signature authenticates) needs a bearer token (401 without one, also for a
// path that does not exist). Posting reports needs a token with the write right; everything
// else (measures, summary, feed, /metrics, /readyz) one with the read right; uploading evidence
// one that may write, reading it back one that may read. A read token sees only its regions and
// sectors: the store query is narrowed to them, and a query that names a region or sector
// outside them is refused with 403.
// /api/v1/measures/{measure}/history and /api/v1/organisations are read resources too.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "hub/api/feed_cache.hpp"
#include "hub/evidence/blob_store.hpp"
#include "hub/http/server.hpp"
#include "hub/intake/scope.hpp"
#include "hub/metrics/exposition.hpp"
#include "hub/model/lineage.hpp"
#include "hub/model/sectors.hpp"
#include "hub/model/status.hpp"
#include "hub/store/store.hpp"
#include "hub/xml/safe_reader.hpp"

namespace ijro::api {

// Evidence uploads (POST /api/v1/evidence, GET /api/v1/evidence/{sha256}; see evidence.cpp).
struct EvidenceSettings {
  // Content on disk; with a store that keeps content itself (PostgreSQL) only its temporary
  // folder is used. Null: the evidence resources answer 503.
  evidence::BlobStore* blobs = nullptr;
  std::set<std::string> allowedTypes;  // media types accepted (each also checked by content)
  std::uint64_t maxBytes = 50u << 20;
};

// A hub that sends feed batches to this one (POST /api/v1/feeds, feeds.cpp): configured as
// <peers><hub id regions><certificate file/>{1,2}</hub></peers>.
struct PeerHub {
  std::string id;
  std::set<std::string> regions;  // first-level SOATO codes its entries may be for (any sector)
  std::vector<std::string> certificatePems;       // trusted signers, at most two (key rotation)
  std::vector<std::string> certificateNames;      // where each came from (its file), for metrics
  std::vector<std::int64_t> certificateNotAfter;  // each one's expiry, unix seconds
};

// The IATI export's reporting organisation: its IATI identifier (also the prefix of every
// activity's identifier), its OrganisationType code and its names. No identifier: the export
// answers 503 naming the configuration it needs.
struct IatiSettings {
  std::string reportingOrgRef;
  std::string reportingOrgType = "10";  // government
  model::Translations reportingOrgNames;
  std::string mainLanguage{};  // the language of titles' main text (BCP 47); empty: unknown
};

// Admission of a request from its head (Api::admit), before its body is read: each token may
// make tokenRate requests per second with bursts of tokenBurst (a token bucket; 429 past it),
// and an address that sent authFailures unknown tokens within authWindow gets 429 for
// everything that needs a token until that window ends, without its token being looked up.
struct AdmissionSettings {
  double tokenRate = 1000;  // 0: no limit per token
  double tokenBurst = 2000;
  std::uint32_t authFailures = 50;               // 0: no throttle per address
  std::chrono::milliseconds authWindow{60'000};  // from the address's first failure
  // Addresses of the reverse proxies in front of the hub (exact addresses, as the connection's
  // peer shows them). A request whose peer is one of them is counted against the client address
  // its X-Forwarded-For names: the nearest entry, read from the right, that is not a trusted
  // proxy (entries further left were written by the client and are not believed). Empty: the
  // peer is always the address, and every client behind a proxy shares the proxy's.
  std::vector<std::string> trustedProxies{};
  // The clock of both (steady); empty: std::chrono::steady_clock::now. Tests set their own.
  std::function<std::chrono::steady_clock::time_point()> clock{};
};

struct Settings {
  std::string hubId = "ijro-hub";
  model::StatusRules rules;
  model::SectorCatalogue sectors;
  std::vector<intake::Scope> scopes;  // every bearer token: HTTP sources and readers
  xml::Limits xmlLimits;
  std::size_t jsonMaxDepth = 64;
  store::OrganisationDirectory organisations;  // for /api/v1/organisations
  // Hooks for what runs beside the API (the plugin runtime); each may be empty.
  std::function<std::vector<metrics::Family>()> extraMetrics;  // more families for /metrics
  std::function<std::string()> health;  // lines appended to /readyz (informational)
  std::function<void()> onAccepted;     // a report stored new revisions
  EvidenceSettings evidence;
  // Ministry mode: the hubs whose batches are received. Empty: POST /api/v1/feeds answers 404.
  std::vector<PeerHub> peers{};
  // GET /api/v1/export/iati (standards.cpp): the reporting organisation (<iati> in hub.xml).
  IatiSettings iati{};
  AdmissionSettings admission{};
  // Reads whose answer grows with the data (the feed, the exports) that may run at once; past
  // it a reader gets 503 with Retry-After. Each holds a handler thread and a bounded buffer while
  // it streams. 0: no limit.
  std::size_t largeReads = 8;
  // Where the feed is spooled for its readers (files unlinked at once); empty: the system's
  // temporary folder.
  std::string spoolFolder{};
  // Reads as of today answered from the evaluation the store keeps with each row (status filters,
  // counts and summaries in SQL; see Store::statusPage). Off: every read evaluates every
  // implementation it looks at, as for any other date (the tests compare the two).
  bool indexedStatus = true;
};

struct Counters {
  std::atomic<std::uint64_t> reports{0}, accepted{0}, duplicate{0}, stale{0}, rejected{0},
      badRequests{0}, unauthorized{0}, forbidden{0}, errors{0},
      rateLimited{0},        // 429: the token's requests per second
      authThrottled{0},      // 429: too many unknown tokens from the address
      largeReadsRefused{0},  // 503: Settings::largeReads were running
      feedsWritten{0};       // feed documents written (readers of one feed share one)
};

// Who may call a route.
enum class Right {
  Public,  // no token: health, signed feed batches (their signature decides), the description
  Read,    // a token with the read right; reads are narrowed to the token's regions and sectors
  Write,   // a token with the write right (a source's)
  Upload,  // the write right, or the executor role (evidence of its own work)
  Token,   // any valid token: the handler checks the role each act needs (control acts)
};

class Api {
 public:
  // One route the server answers. `path` is a template: a segment "{name}" stands for any one
  // non-empty segment, a last segment "{name...}" for the rest of the path (one or more
  // segments). A handler that takes a std::string gets the value of the path's one parameter; a
  // handler without a scope (a member, or a free function of the request) serves public routes
  // only.
  struct Route {
    using Free = http::Response (*)(const http::Request&);
    using Plain = http::Response (Api::*)(const http::Request&);
    using PlainParam = http::Response (Api::*)(const http::Request&, const std::string&);
    using Scoped = http::Response (Api::*)(const http::Request&, const intake::Scope&);
    using ScopedParam = http::Response (Api::*)(const http::Request&, const intake::Scope&,
                                                const std::string&);
    std::string_view method;  // GET, HEAD, POST
    std::string_view path;    // "/api/v1/measures/{measure}/history"
    std::variant<Free, Plain, PlainParam, Scoped, ScopedParam> handler;
    Right right = Right::Read;
  };

  Api(Settings settings, store::Store& store);
  http::Response handle(const http::Request& req);
  // The server's head check (http::ServerOptions::checkHead): for a route that needs a token,
  // 401 for a missing or unknown one and 429 past the token's rate or the address's failures
  // (AdmissionSettings); nullopt admits the request (handle() then decides the rest).
  std::optional<http::Response> admit(const http::Request& head);
  // The server's fast lanes (http::ServerOptions::quick and quickCheckHead), on an I/O thread: a
  // report posted with the token of a configured source, to a store that writes without waiting
  // (store::Store::submits), is parsed there and answered once the store has committed it; a
  // head with a configured token (or none needed) is admitted there. Everything else is left
  // to handle() and admit() on the handler pool.
  std::optional<http::Response> quick(const http::Request& req);
  http::HeadVerdict admitQuickly(const http::Request& head);
  const Counters& counters() const { return counters_; }
  // Every route the server answers, one row per method and path, in the order they are matched.
  static std::span<const Route> routes();
  // Whether `path` fits the template `pattern`; then `param` holds the value of its parameter
  // (empty for a template without one). The description writes "{name...}" as "{name}".
  static bool matchPath(std::string_view pattern, std::string_view path, std::string& param);

 private:
  http::Response healthz(const http::Request& req);
  // GET /api/v1/openapi.json: the API's description (openapi.cpp).
  http::Response getOpenApi(const http::Request& req);
  // POST /api/v1/feeds (feeds.cpp): a signed feed batch from a configured hub.
  http::Response postFeeds(const http::Request& req);
  // Per sending hub: its batches, refusals and certificates (feeds.cpp).
  std::vector<metrics::Family> feedMetrics();
  // Each region a configured hub covers (within the reader's regions) with the last batch
  // received from it and its age in seconds (feeds.cpp). Null when no hub is configured.
  boost::json::value freshness(const intake::Scope& reader);
  // The lineage of current implementations by their source row's key, for /api/v1/measures
  // (feeds.cpp): read only when hubs are configured (nothing else stores lineage).
  using LineageIndex = std::map<std::string, model::Lineage>;
  LineageIndex lineageIndex(const std::optional<std::string>& measureId);
  static void addLineage(boost::json::object& item, const model::Implementation& impl,
                         const LineageIndex& index);
  http::Response postReports(const http::Request& req, const intake::Scope& source);
  // POST /api/v1/reports; with `submit`, the answer comes later, once the store has committed.
  struct ReportInFlight;
  http::Response receiveReport(const http::Request& req, const intake::Scope& source, bool submit);
  http::Response reportReceipt(ReportInFlight& flight,
                               const std::vector<store::UpsertResult>& stored);
  // 503 with Retry-After and an error id; the detail goes to the log.
  http::Response storeUnavailable(const http::Request& req, const std::string& detail);
  http::Response getMeasures(const http::Request& req, const intake::Scope& reader);
  http::Response getSummary(const http::Request& req, const intake::Scope& reader);
  // GET /api/v1/overview and GET /api/v1/trend (overview.cpp): the dashboard's reads.
  http::Response getOverview(const http::Request& req, const intake::Scope& reader);
  http::Response getTrend(const http::Request& req, const intake::Scope& reader);
  http::Response getFeedBatch(const http::Request& req, const intake::Scope& reader);
  http::Response getFeed(const http::Request& req, const intake::Scope& reader);
  http::Response readyz(const http::Request& req, const intake::Scope& reader);
  // The implementations GET /api/v1/measures lists for `req` (its filters and asOf within the
  // reader's scope; every page, no paging parameters), each with its evaluation, in the store's
  // order; for the exports (exports.cpp). A problem response when the query is refused.
  struct MeasureListing {
    model::Date asOf{};
    std::vector<std::string> languages;  // the reader's, best first (languagePreferences)
  };
  using ListedFn = std::function<void(const model::Implementation&, const model::Evaluation&)>;
  std::optional<http::Response> listMeasures(const http::Request& req, const intake::Scope& reader,
                                             MeasureListing& listing, const ListedFn& each);
  // The groups of GET /api/v1/summary for `req`; a problem response when the query is refused.
  struct SummaryResult {
    model::Date asOf{};
    model::RollUpBy by = model::RollUpBy::Region;
    std::size_t implementations = 0;
    std::vector<model::RollUp> groups;
  };
  std::optional<http::Response> summarise(const http::Request& req, const intake::Scope& reader,
                                          SummaryResult& out);
  // GET /api/v1/labels (public), GET /api/v1/export/measures and /api/v1/export/summary:
  // the label catalogue and the list and summary as XLSX or CSV (exports.cpp).
  http::Response getLabels(const http::Request& req);
  http::Response getExportMeasures(const http::Request& req, const intake::Scope& reader);
  http::Response getExportSummary(const http::Request& req, const intake::Scope& reader);
  // GET /api/v1/measures/{measure}/history: every accepted change, from every source.
  http::Response getHistory(const http::Request& req, const intake::Scope& reader,
                            const std::string& measureId);
  // GET /api/v1/organisations[?unmatched=true]: the configured organisations, or the spellings
  // that match none.
  http::Response getOrganisations(const http::Request& req, const intake::Scope& reader);
  http::Response metrics(const http::Request& req, const intake::Scope& reader);
  http::Response postEvidence(const http::Request& req, const intake::Scope& source);
  // POST /api/v1/control: submit, verify, return, remove or comment on a task (control.cpp).
  http::Response postControl(const http::Request& req, const intake::Scope& actor);
  http::Response getEvidence(const http::Request& req, const intake::Scope& reader);
  // The feed's hook: the implementations it loads carry the evidence uploaded for them.
  std::function<void(const model::Implementation&)> withUploadedEvidence(
      const std::function<void(const model::Implementation&)>& emit);

  // GET /api/v1/export/iati and GET /api/v1/export/adx?period= (standards.cpp): the reader's
  // implementations in IATI 2.03 and in ADX, filtered like the feed (region, sector, asOf).
  http::Response getExportIati(const http::Request& req, const intake::Scope& reader);
  http::Response getExportAdx(const http::Request& req, const intake::Scope& reader);
  // For the exports: the feed's query checks (region, sector, asOf, and the parameters in
  // `extra`, left to the caller) narrowed to the reader's scope; a problem response when wrong.
  std::optional<http::Response> exportQuery(const http::Request& req, const intake::Scope& reader,
                                            const std::set<std::string>& extra,
                                            store::Filter& filter, model::Date& asOf);
  // A problem response (JSON or XML as the client speaks), counted as a bad request for 400.
  http::Response exportProblem(const http::Request& req, int status, const std::string& message);

  // The route table's rows for the request's path and method.
  struct Match {
    const Route* hit = nullptr;  // the row for the method
    std::string param;           // the value of its path parameter, decoded
    std::string allow;           // the methods of the path, for a 405
    bool pathKnown = false, everyPublic = true;
  };
  static Match match(const http::Request& req);
  // The scope of the request's bearer token (configured, else issued: then held in `issued`);
  // null when there is none or it is unknown.
  const intake::Scope* authenticate(const http::Request& req, std::optional<intake::Scope>& issued);
  http::Response unauthorized(const http::Request& req);  // the 401, counted

  Settings settings_;
  store::Store& store_;
  // Admission (admit()): the token buckets by the token's SHA-256, the failures by address.
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point last{};
  };
  struct Failures {
    std::uint32_t count = 0;
    std::chrono::steady_clock::time_point since{};
  };
  std::mutex admissionMutex_;
  std::map<std::string, Bucket> buckets_;
  std::map<std::string, Failures> failures_;
  Counters counters_;
  // A place among Settings::largeReads, held until the read's body is written (or dropped);
  // null when every place is taken. refuseLargeRead() is the 503 then.
  std::shared_ptr<void> largeRead();
  // (`json`: a JSON problem whatever the client accepts, as the table exports answer.)
  http::Response refuseLargeRead(const http::Request& req, const char* what, bool json = false);
  std::shared_ptr<std::atomic<std::size_t>> largeReadsRunning_ =
      std::make_shared<std::atomic<std::size_t>>(0);
  // GET /api/v1/feed: one generation per feed and store state, read by every reader of it.
  std::string feedKey(const store::Filter& filter, model::Date asOf);
  std::unique_ptr<FeedCache> feedCache_;
  std::mutex feedMutex_;                                 // guards refusedBatches_
  std::map<std::string, std::uint64_t> refusedBatches_;  // by reason
};

// The route of the server that streams its body to a file: POST /api/v1/evidence, into the
// blob store's temporary folder, under the evidence size limit.
http::StreamBodyRoute evidenceUploadRoute(const EvidenceSettings& settings,
                                          std::chrono::milliseconds readTimeout);

}  // namespace ijro::api
