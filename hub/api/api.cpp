#include "hub/api/api.hpp"
#include "hub/api/json_problem.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <ctime>
#include <set>
#include <span>
#include <type_traits>
#include <variant>

#include "hub/api/query.hpp"
#include "hub/api/views.hpp"
#include "hub/base/correlation.hpp"
#include "hub/base/timestamp.hpp"
#include "hub/base/utf8.hpp"
#include "hub/dashboard/dashboard.hpp"
#include "hub/exchange/feed.hpp"
#include "hub/exchange/json_text.hpp"
#include "hub/exchange/receipt.hpp"
#include "hub/exchange/report.hpp"
#include "hub/http/url.hpp"
#include "hub/intake/accept.hpp"
#include "hub/model/regions.hpp"
#include "hub/model/validate.hpp"
#include "hub/store/text.hpp"

namespace ijro::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

// The feed goes into its spool in parts of this size: each part wakes every reader of the feed
// once, so parts much smaller than the socket buffers cost wake-ups for nothing.
constexpr std::size_t kFeedSpoolPart = 512u << 10;

std::string nowIso() {
  return base::formatTimestamp(std::chrono::system_clock::now());
}

std::string mediaType(const std::string& contentType) {
  std::string m = contentType.substr(0, contentType.find(';'));
  while (!m.empty() && m.back() == ' ') m.pop_back();
  for (auto& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return m;
}

bool isJson(const std::string& media) {
  return media == "application/json" || media.ends_with("+json");
}
bool isXml(const std::string& media) {
  return media == "application/xml" || media == "text/xml" || media.ends_with("+xml");
}

// Whether the client wants JSON back: the request's own format, else its Accept header.
bool wantsJson(const Request& req) {
  auto ct = mediaType(req.header("content-type"));
  if (isJson(ct)) return true;
  if (isXml(ct)) return false;
  return req.header("accept").find("json") != std::string::npos;
}

std::string xmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Response jsonResponse(int status, const json::value& v) {
  return {status, "application/json", exchange::toJsonText(v) + "\n", {}};
}

// A 4xx/5xx with a body a person can act on, in the format the client speaks.
Response problem(const Request& req, int status, const std::string& message) {
  if (wantsJson(req))
    return jsonResponse(status,
                        json::object{{"error", {{"status", status}, {"message", message}}}});
  return {status,
          "application/xml; charset=utf-8",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error xmlns=\"urn:ijro-hub:error:1\" "
          "status=\"" +
              std::to_string(status) + "\">" + xmlEscape(message) + "</error>\n",
          {}};
}

template <typename T>
std::optional<T> parseNumber(const std::string& s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Query parameters of the read side, checked; errors name the parameter and the valid values.
struct ReadQuery {
  store::Filter filter;
  std::set<model::ExecutionStatus> statuses;
  std::optional<bool> overdue;
  std::optional<model::Rag> rag;
  model::Date asOf = model::today();
  std::size_t page = 1, pageSize = 50;
  std::string by;
  TaskFilter tasks;
  std::string lang;
  // The list's own filters and order (/api/v1/measures).
  std::optional<std::string> district;  // 7-digit SOATO; becomes filter.region
  std::optional<std::string> decree;    // case folded: the act's number, or its type and number
  std::optional<long> minDelay;         // days late at least (overdue or done late)
  std::string sort = "measure";         // a key of kSortKeys
  bool descending = false;              // sort given with a leading '-'
};

// The orders of /api/v1/measures; ties keep the store's order (measure, region, organisation,
// source), so pages of one order never overlap.
constexpr const char* kSortKeys[] = {"measure",  "region", "organisation",
                                     "deadline", "delay",  "status"};

bool isDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::string> parseReadQuery(const Request& req, ReadQuery& q,
                                          const std::set<std::string>& allowed) {
  for (const auto& [k, v] : req.query) {
    if (auto problem = parameterProblem(k, v, allowed)) return problem;
    if (k == "region") {
      if (auto problem = regionProblem(v)) return problem;
      q.filter.region = v;
    } else if (k == "sector") {
      q.filter.sector = v;
    } else if (k == "organisation") {
      q.filter.organisation = v;
    } else if (k == "measure") {
      q.filter.measureId = v;
    } else if (k == "q") {
      q.filter.text = v;
    } else if (k == "status") {
      std::size_t start = 0;
      while (start <= v.size()) {
        auto end = v.find(',', start);
        auto one = v.substr(start, end == std::string::npos ? std::string::npos : end - start);
        auto s = model::executionStatusFromString(one);
        if (!s)
          return "status \"" + one +
                 "\" is unknown: use notStarted, onTrack, atRisk, overdue, "
                 "doneOnTime, doneLate, cancelled or suspended (comma-separated for several)";
        q.statuses.insert(*s);
        if (end == std::string::npos) break;
        start = end + 1;
      }
    } else if (k == "overdue") {
      if (v != "true" && v != "false") return "overdue must be true or false, not \"" + v + "\"";
      q.overdue = v == "true";
    } else if (k == "rag") {
      static const std::pair<const char*, model::Rag> kRag[] = {
          {"green", model::Rag::Green}, {"amber", model::Rag::Amber}, {"red", model::Rag::Red}};
      bool ok = false;
      for (auto [n, r] : kRag)
        if (v == n) q.rag = r, ok = true;
      if (!ok) return "rag must be green, amber or red, not \"" + v + "\"";
    } else if (k == "asOf") {
      auto d = model::parseDate(v);
      if (!d) return "asOf \"" + v + "\" is not a date: use YYYY-MM-DD";
      q.asOf = *d;
    } else if (k == "page") {
      auto n = parseNumber<std::size_t>(v);
      if (!n || *n < 1) return "page must be a whole number from 1, not \"" + v + "\"";
      q.page = *n;
    } else if (k == "pageSize") {
      auto n = parseNumber<std::size_t>(v);
      if (!n || *n < 1 || *n > 1000) return "pageSize must be from 1 to 1000, not \"" + v + "\"";
      q.pageSize = *n;
    } else if (k == "by") {
      q.by = v;
    } else if (k == "assignee") {
      if (v.empty()) return "assignee is empty: give part of the assignee's name";
      q.tasks.assignee = store::detail::foldCase(v);
    } else if (k == "overdueTasks") {
      if (v != "true")
        return "overdueTasks must be true (leave it out to list every implementation), not \"" + v +
               "\"";
      q.tasks.overdueOnly = true;
    } else if (k == "lang") {
      if (!model::isLanguageTag(v))
        return "lang \"" + v + "\" is not a language tag: use uz-Latn, uz-Cyrl, ru or en";
      q.lang = v;
    } else if (k == "district") {
      if (v.size() != 7 || !isDigits(v) || !model::isKnownTerritory(v))
        return "district \"" + v +
               "\" is not a known district: use a 7-digit SOATO code under a known region (e.g. "
               "1703202)";
      q.district = v;
    } else if (k == "decree") {
      if (v.empty()) return "decree is empty: give the act's number (e.g. UP-6079)";
      q.decree = store::detail::foldCase(v);
    } else if (k == "minDelay") {
      auto n = parseNumber<long>(v);
      if (!n || *n < 0) return "minDelay must be a whole number of days from 0, not \"" + v + "\"";
      q.minDelay = *n;
    } else if (k == "sort") {
      const bool desc = v.starts_with("-");
      const std::string key = desc ? v.substr(1) : v;
      if (std::find(std::begin(kSortKeys), std::end(kSortKeys), key) == std::end(kSortKeys)) {
        std::string list;
        for (const char* s : kSortKeys) list += (list.empty() ? "" : ", ") + std::string(s);
        return "sort \"" + v + "\" is unknown: use one of " + list +
               " (a leading - sorts descending, e.g. sort=-delay)";
      }
      q.sort = key;
      q.descending = desc;
    }
  }
  // A district narrows the region: it must lie in it.
  if (q.district) {
    if (q.filter.region && model::regionOf(*q.district) != model::regionOf(*q.filter.region))
      return "district " + *q.district + " is not in region " + *q.filter.region +
             ": leave one of them out, or give a district of that region";
    q.filter.region = q.district;
  }
  return std::nullopt;
}

bool matches(const ReadQuery& q, const model::Evaluation& ev) {
  if (!q.statuses.empty() && !q.statuses.count(ev.status)) return false;
  if (q.minDelay && ev.delayDays < *q.minDelay) return false;
  if (q.overdue && (ev.status == model::ExecutionStatus::Overdue) != *q.overdue) return false;
  if (q.rag && ev.rag != *q.rag) return false;
  return true;
}

// Whether a listing shows the implementation: the status filters, and with a task filter at least
// one task it selects.
bool listed(const ReadQuery& q, const model::Implementation& impl, const model::Evaluation& ev,
            const std::vector<model::TaskEvaluation>& tasks) {
  if (q.decree) {  // the act's number, or its type and number
    const std::string number = store::detail::foldCase(impl.measure.act.number);
    const std::string typed = store::detail::foldCase(impl.measure.act.type) + " " + number;
    if (*q.decree != number && *q.decree != typed) return false;
  }
  if (!matches(q, ev)) return false;
  if (!q.tasks.any()) return true;
  for (std::size_t i = 0; i < tasks.size() && i < impl.assignments.size(); ++i)
    if (q.tasks.matches(impl.assignments[i], tasks[i])) return true;
  return false;
}

// What the store's stored evaluations answer of the query's status filters.
store::StatusFilter statusFilterOf(const ReadQuery& q) {
  return {q.statuses, q.overdue, q.rag, q.minDelay};
}

// Whether the query is as of today and the store's evaluations are (made) as of today too.
bool indexedAsOfToday(store::Store& store, const ReadQuery& q, bool enabled) {
  if (!enabled) return false;
  const model::Date today = model::today();
  return q.asOf == today && store.refreshStatus(today);
}

// The query parameters of GET /api/v1/measures (and of its export, less the paging).
const std::set<std::string> kMeasuresParameters{
    "region",       "sector", "organisation", "measure", "q",        "status",
    "overdue",      "rag",    "asOf",         "page",    "pageSize", "assignee",
    "overdueTasks", "lang",   "district",     "decree",  "minDelay", "sort"};

// One implementation a listing shows, with what its order needs.
struct Listed {
  model::Implementation impl;
  model::Evaluation ev;
  std::vector<model::TaskEvaluation> tasks;
  std::string organisationName;  // in the reader's language
};

// The store streams in measure order; any other order needs every match first.
bool streamedOrder(const ReadQuery& q) {
  return q.sort == "measure" && !q.descending;
}

// The listing's order. Stable, so equal keys keep the store's order (also when descending).
void sortListed(const ReadQuery& q, std::vector<Listed>& all) {
  auto less = [&](const Listed& a, const Listed& b) {
    if (q.sort == "measure") return a.impl.measure.id < b.impl.measure.id;
    if (q.sort == "region") return a.impl.region < b.impl.region;
    if (q.sort == "organisation") return a.organisationName < b.organisationName;
    if (q.sort == "deadline") return a.ev.deadline < b.ev.deadline;
    if (q.sort == "delay") return a.ev.delayDays < b.ev.delayDays;
    return a.ev.status < b.ev.status;  // status: in the order of model::ExecutionStatus
  };
  std::stable_sort(all.begin(), all.end(), [&](const Listed& a, const Listed& b) {
    return q.descending ? less(b, a) : less(a, b);
  });
}

json::object regionRollUpJson(const model::RollUp& r, model::RollUpBy by) {
  json::object o = rollUpJson(r);
  if (by == model::RollUpBy::Region) {
    if (const auto* reg = model::findRegion(r.key)) {
      o["name"] = reg->nameEn;
      o["iso"] = reg->iso;
    } else if (r.key == model::kNationalCode) {
      o["name"] = "National";
    }
  }
  return o;
}

json::array lines(const std::string& text) {
  json::array out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    out.push_back(json::string(text.substr(start, end == std::string::npos ? end : end - start)));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

std::optional<std::string> parameterProblem(const std::string& name, const std::string& value,
                                            const std::set<std::string>& allowed) {
  // Every parameter is text the store may compare: bytes that are not UTF-8 would be refused
  // by PostgreSQL as a failed statement, so they are the caller's error, said here.
  if (auto bad = base::firstInvalidUtf8(value))
    return "query parameter \"" + base::replaceInvalidUtf8(name) + "\" is not valid UTF-8 (byte " +
           std::to_string(*bad + 1) + " of its value): percent-encode the UTF-8 bytes of the text";
  if (!allowed.count(name)) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return "unknown query parameter \"" + name + "\": valid parameters are " + list;
  }
  return std::nullopt;
}

std::optional<std::string> regionProblem(const std::string& region) {
  if (model::isKnownTerritory(region)) return std::nullopt;
  return "region \"" + region +
         "\" is not a known SOATO code: use a 4-digit region (e.g. 1703), a 7-digit district or "
         "17 for national";
}

std::optional<std::string> narrowToScope(const intake::Scope& reader, store::Filter& filter) {
  if (filter.region && !reader.coversRegion(*filter.region))
    return "region " + *filter.region + " is outside the regions of " + reader.label() +
           ": leave region out to see what the token may read, or ask the hub operator for a "
           "token that covers it";
  if (filter.sector && !reader.coversSector(*filter.sector))
    return "sector " + *filter.sector + " is outside the sectors of " + reader.label() +
           ": leave sector out to see what the token may read, or ask the hub operator for a "
           "token that covers it";
  filter.regionsIn = reader.regions;
  filter.sectorsIn = reader.sectors;
  return std::nullopt;
}

Api::Api(Settings settings, store::Store& store)
    : settings_(std::move(settings)),
      store_(store),
      feedCache_(std::make_unique<FeedCache>(settings_.spoolFolder)) {}

std::span<const Api::Route> Api::routes() {
  // One row per method and path; the rows of a path together give a 405's Allow header.
  static const Route kRoutes[] = {
      {"GET", "/healthz", &Api::healthz, Right::Public},
      {"POST", "/api/v1/feeds", &Api::postFeeds, Right::Public},  // its signature decides
      {"GET", "/api/v1/openapi.json", &Api::getOpenApi, Right::Public},
      {"GET", "/api/v1/labels", &Api::getLabels, Right::Public},  // the catalogue holds no data
      {"HEAD", "/api/v1/labels", &Api::getLabels, Right::Public},
      // The dashboard's files: the app sends the person's token with each API call.
      {"GET", "/", &dashboard::serve, Right::Public},
      {"HEAD", "/", &dashboard::serve, Right::Public},
      {"GET", "/ui/{asset...}", &dashboard::serve, Right::Public},
      {"HEAD", "/ui/{asset...}", &dashboard::serve, Right::Public},
      {"POST", "/api/v1/reports", &Api::postReports, Right::Write},
      {"GET", "/api/v1/measures", &Api::getMeasures, Right::Read},
      {"GET", "/api/v1/measures/{measure}/history", &Api::getHistory, Right::Read},
      {"GET", "/api/v1/summary", &Api::getSummary, Right::Read},
      {"GET", "/api/v1/overview", &Api::getOverview, Right::Read},
      {"GET", "/api/v1/trend", &Api::getTrend, Right::Read},
      {"GET", "/api/v1/feed", &Api::getFeed, Right::Read},
      {"GET", "/api/v1/organisations", &Api::getOrganisations, Right::Read},
      {"GET", "/api/v1/export/measures", &Api::getExportMeasures, Right::Read},
      {"GET", "/api/v1/export/summary", &Api::getExportSummary, Right::Read},
      {"GET", "/api/v1/export/iati", &Api::getExportIati, Right::Read},
      {"GET", "/api/v1/export/adx", &Api::getExportAdx, Right::Read},
      {"POST", "/api/v1/evidence", &Api::postEvidence, Right::Upload},
      {"GET", "/api/v1/evidence/{sha256}", &Api::getEvidence, Right::Read},
      {"HEAD", "/api/v1/evidence/{sha256}", &Api::getEvidence, Right::Read},
      {"POST", "/api/v1/control", &Api::postControl, Right::Token},  // each act checks its role
      {"GET", "/readyz", &Api::readyz, Right::Read},
      {"GET", "/metrics", &Api::metrics, Right::Read},
  };
  return kRoutes;
}

bool Api::matchPath(std::string_view pattern, std::string_view path, std::string& param) {
  param.clear();
  // Segment by segment: a literal segment must be equal, "{name}" takes any non-empty one, and a
  // last "{name...}" the rest of the path (one or more non-empty segments).
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern.front() != '/' || path.front() != '/')
      return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const auto pe = std::min(pattern.find('/'), pattern.size());
    const auto se = std::min(path.find('/'), path.size());
    const auto want = pattern.substr(0, pe), got = path.substr(0, se);
    if (want.size() > 5 && want.front() == '{' && want.ends_with("...}")) {
      if (pe != pattern.size() || path.empty() || path.ends_with("/") ||
          path.find("//") != std::string_view::npos)
        return false;
      param = path;
      return true;
    }
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      if (got.empty()) return false;
      param = got;
    } else if (want != got) {
      return false;
    }
    pattern.remove_prefix(pe);
    path.remove_prefix(se);
  }
  return true;
}

Api::Match Api::match(const Request& req) {
  // Routing looks at the path as sent, before percent-decoding, so an encoded '/' inside a
  // value ("/api/v1/measures/M%2F1/history") stays inside that value instead of becoming a
  // separator; the value a handler gets is decoded. (A target that is not a plain path, e.g.
  // absolute-form, is routed by its decoded path.)
  const std::string_view raw =
      req.target.starts_with('/')
          ? std::string_view(req.target)
                .substr(0, std::min(req.target.find('?'), req.target.size()))
          : std::string_view(req.path);
  // The rows whose template fits the path, and the one among them for this method.
  Match m;
  for (const auto& r : routes()) {
    std::string value;
    if (!matchPath(r.path, raw, value)) continue;
    m.pathKnown = true;
    m.everyPublic = m.everyPublic && r.right == Right::Public;
    m.allow += (m.allow.empty() ? "" : ", ") + std::string(r.method);
    if (!m.hit && r.method == req.method) m.hit = &r, m.param = http::percentDecode(value, false);
  }
  return m;
}

const intake::Scope* Api::authenticate(const Request& req, std::optional<intake::Scope>& issued) {
  const intake::Scope* scope = intake::authenticate(settings_.scopes, req.header("authorization"));
  // Tokens issued at run time (`ijro-hub token issue`) are looked up in the store on each
  // request, so an issue or a revocation counts at once, in every process on the store.
  if (!scope)
    if (auto hash = intake::bearerSha256(req.header("authorization")))
      if (auto token = store_.validToken(*hash)) {
        issued = intake::scopeOf(*token);
        scope = &*issued;
      }
  return scope;
}

Response Api::unauthorized(const Request& req) {
  ++counters_.unauthorized;
  const bool posting = req.path == "/api/v1/reports" || req.path == "/api/v1/evidence";
  const std::string which = posting ? "the token configured for your source"
                                    : "a read token configured for you (<reader> in the "
                                      "hub's configuration)";
  auto res = problem(req, 401,
                     req.header("authorization").empty()
                         ? "missing Authorization header: send \"Authorization: Bearer "
                           "TOKEN\" with " +
                               which
                         : "unknown token: send \"Authorization: Bearer TOKEN\" with " + which);
  res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"ijro-hub\"");
  return res;
}

namespace {

// The address of "127.0.0.1:54321" or "[::1]:54321", without the port.
std::string addressOf(const std::string& remote) {
  if (remote.starts_with('[')) return remote.substr(1, remote.find(']') - 1);
  return remote.substr(0, remote.rfind(':'));
}

// An address as an X-Forwarded-For entry gives it ("203.0.113.7", "2001:db8::1", and with a
// port "203.0.113.7:4711" or "[2001:db8::1]:4711"), without the port; empty when it is not one.
std::string forwardedAddress(std::string_view entry) {
  while (!entry.empty() && (entry.front() == ' ' || entry.front() == '\t')) entry.remove_prefix(1);
  while (!entry.empty() && (entry.back() == ' ' || entry.back() == '\t')) entry.remove_suffix(1);
  if (entry.starts_with('[')) {
    const auto end = entry.find(']');
    if (end == std::string_view::npos) return {};
    entry = entry.substr(1, end - 1);
  } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
    entry = entry.substr(0, entry.find(':'));
  }
  if (entry.empty() || entry.size() > 45 ||
      entry.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos)
    return {};
  return std::string(entry);
}

// The address a request is counted against (AdmissionSettings::trustedProxies).
std::string clientAddress(const Request& head, const std::vector<std::string>& trusted) {
  std::string address = addressOf(head.remote);
  auto isTrusted = [&](const std::string& a) {
    return std::find(trusted.begin(), trusted.end(), a) != trusted.end();
  };
  if (trusted.empty() || !isTrusted(address)) return address;
  const std::string forwarded = head.header("x-forwarded-for");
  std::string_view rest = forwarded;
  while (!rest.empty()) {
    const auto comma = rest.rfind(',');
    const std::string_view entry = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    std::string hop = forwardedAddress(entry);
    if (hop.empty()) break;  // not an address: believe nothing further left
    if (!isTrusted(hop)) return hop;
    address = std::move(hop);
  }
  return address;
}

// Whole seconds, rounded up, at least 1: the value of a Retry-After.
std::string retryAfter(std::chrono::steady_clock::duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return std::to_string(std::max<long long>(1, (ms + 999) / 1000));
}

constexpr std::size_t kMaxTrackedAddresses = 65'536;

}  // namespace

std::optional<Response> Api::admit(const Request& head) {
  try {
    const auto m = match(head);
    if ((m.hit && m.hit->right == Right::Public) || (m.pathKnown && m.everyPublic))
      return std::nullopt;  // handle() answers, a token is not needed
    const auto& a = settings_.admission;
    const auto now = a.clock ? a.clock() : std::chrono::steady_clock::now();
    const std::string address = clientAddress(head, a.trustedProxies);
    const bool throttling = a.authFailures > 0 && a.authWindow.count() > 0;
    if (throttling) {
      std::lock_guard lock(admissionMutex_);
      if (auto it = failures_.find(address); it != failures_.end()) {
        const auto end = it->second.since + a.authWindow;
        if (now >= end) {
          failures_.erase(it);
        } else if (it->second.count >= a.authFailures) {
          ++counters_.authThrottled;
          const auto wait = retryAfter(end - now);
          auto res = problem(head, 429,
                             std::to_string(it->second.count) +
                                 " requests with unknown tokens came from " + address + " within " +
                                 std::to_string(a.authWindow.count()) +
                                 " ms: requests from it are refused for " + wait +
                                 " s; send the token configured for you");
          res.headers.emplace_back("Retry-After", wait);
          return res;
        }
      }
    }
    std::optional<intake::Scope> issued;
    const intake::Scope* scope = authenticate(head, issued);
    if (!scope) {
      if (throttling && !head.header("authorization").empty()) {
        std::lock_guard lock(admissionMutex_);
        if (failures_.size() >= kMaxTrackedAddresses && !failures_.count(address)) {
          std::erase_if(failures_,
                        [&](const auto& f) { return now >= f.second.since + a.authWindow; });
          if (failures_.size() >= kMaxTrackedAddresses) failures_.clear();  // a wide attack
        }
        auto& f = failures_[address];
        if (f.count == 0) f.since = now;
        ++f.count;
      }
      return unauthorized(head);
    }
    if (a.tokenRate > 0) {
      const auto key =
          intake::bearerSha256(head.header("authorization")).value_or("scope:" + scope->label());
      const double burst = std::max(1.0, a.tokenBurst);
      std::lock_guard lock(admissionMutex_);
      auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst, now});
      auto& b = it->second;
      if (!fresh) {
        const double elapsed = std::chrono::duration<double>(now - b.last).count();
        b.tokens = std::min(burst, b.tokens + std::max(0.0, elapsed) * a.tokenRate);
        b.last = now;
      }
      if (b.tokens < 1.0) {
        ++counters_.rateLimited;
        const auto wait =
            retryAfter(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                std::chrono::duration<double>((1.0 - b.tokens) / a.tokenRate)));
        auto res = problem(head, 429,
                           "the token of " + scope->label() + " made more than " +
                               std::to_string(static_cast<long long>(a.tokenRate)) +
                               " requests per second: retry after " + wait +
                               " s, or ask the hub operator to raise limits/@tokenRate");
        res.headers.emplace_back("Retry-After", wait);
        return res;
      }
      b.tokens -= 1.0;
    }
    return std::nullopt;
  } catch (const store::StoreError& e) {
    ++counters_.errors;
    const std::string errorId = base::newCorrelationId();
    spdlog::error("store error checking the token of {} {} (error id {}): {}", head.method,
                  head.target, errorId, e.what());
    auto res = problem(head, 503,
                       "store unavailable, nothing was stored; retry later (error id " + errorId +
                           ": the hub's log has the detail)");
    res.headers.emplace_back("Retry-After", "5");
    return res;
  }
}

Response Api::handle(const Request& req) {
  try {
    const auto& p = req.path;
    auto m = match(req);
    const Route* hit = m.hit;
    const std::string& param = m.param;
    const std::string& allow = m.allow;
    const bool pathKnown = m.pathKnown, everyPublic = m.everyPublic;
    auto notAllowed = [&] {
      auto res = problem(req, 405, "method " + req.method + " is not allowed on " + p);
      res.headers.emplace_back("Allow", allow);
      return res;
    };
    auto call = [&](const Route& r, const intake::Scope* scope) {
      return std::visit(
          [&](auto fn) -> Response {
            using Fn = decltype(fn);
            if constexpr (std::is_same_v<Fn, Route::Free>)
              return fn(req);
            else if constexpr (std::is_same_v<Fn, Route::Plain>)
              return (this->*fn)(req);
            else if constexpr (std::is_same_v<Fn, Route::PlainParam>)
              return (this->*fn)(req, param);
            else if constexpr (std::is_same_v<Fn, Route::Scoped>)
              return (this->*fn)(req, *scope);
            else
              return (this->*fn)(req, *scope, param);
          },
          r.handler);
    };
    // Public routes answer without a token, and so does a wrong method on a public path.
    if (hit && hit->right == Right::Public) return call(*hit, nullptr);
    if (pathKnown && everyPublic) return notAllowed();

    // Everything else needs a token, whatever the path: an unknown path tells nothing to a
    // caller without one.
    std::optional<intake::Scope> issued;
    const intake::Scope* scope = authenticate(req, issued);
    if (!scope) return unauthorized(req);
    if (!pathKnown) {
      // The resources, from the table itself, so the list never falls behind it.
      std::string list;
      std::set<std::string_view> seen;
      for (const auto& r : routes())
        if (std::string_view(r.path).starts_with("/api/") && seen.insert(r.path).second)
          list += (list.empty() ? "" : ", ") + std::string(r.path);
      return problem(
          req, 404,
          "no such resource " + p + ": see " + list + " (described in /api/v1/openapi.json)");
    }
    if (!hit) return notAllowed();

    // An executor uploads the evidence of its own work; reports are a source's.
    const bool uploading = hit->right == Right::Upload;
    if ((hit->right == Right::Write || uploading) && !scope->write &&
        !(uploading && scope->executor)) {
      ++counters_.forbidden;
      return problem(req, 403,
                     "the token of " + scope->label() +
                         (uploading ? " may not upload evidence: upload with the token of a "
                                      "source or an executor"
                                    : " may read but not post reports: post with the token of "
                                      "a source"));
    }
    if (hit->right == Right::Read && !scope->read) {
      ++counters_.forbidden;
      return problem(req, 403,
                     "the token of " + scope->label() +
                         " may post reports but not read: read with a token that has the read "
                         "right (a <reader>, or rights=\"write read\" on the source); ask the "
                         "hub operator");
    }
    return call(*hit, scope);
  } catch (const store::StoreError& e) {
    return storeUnavailable(req, e.what());
  }
}

Response Api::healthz(const Request&) {
  return {200, "text/plain; charset=utf-8", "ok\n", {}};
}

Response Api::readyz(const Request&, const intake::Scope&) {
  // Readiness is the store's: a plugin that is down does not stop the API from serving, so its
  // state is only reported.
  std::string plugins = settings_.health ? settings_.health() : std::string();
  if (store_.ping()) return {200, "text/plain; charset=utf-8", "ready\n" + plugins, {}};
  return {503,
          "text/plain; charset=utf-8",
          "store unreachable: check the store URL and the database\n" + plugins,
          {}};
}

Response Api::postReports(const Request& req, const intake::Scope& source) {
  return receiveReport(req, source, false);
}

std::optional<Response> Api::quick(const Request& req) {
  if (req.method != "POST" || req.path != "/api/v1/reports" || !store_.submits())
    return std::nullopt;
  // A token issued at run time is looked up in the store: that request waits for the pool.
  const intake::Scope* scope = intake::authenticate(settings_.scopes, req.header("authorization"));
  if (!scope || !scope->write) return std::nullopt;
  try {
    return receiveReport(req, *scope, true);
  } catch (const store::StoreError& e) {
    return storeUnavailable(req, e.what());
  }
}

http::HeadVerdict Api::admitQuickly(const Request& head) {
  using Kind = http::HeadVerdict::Kind;
  // admit() reads the store only for a token it does not find in the configuration.
  const auto m = match(head);
  const bool open = (m.hit && m.hit->right == Right::Public) || (m.pathKnown && m.everyPublic);
  if (!open && !intake::authenticate(settings_.scopes, head.header("authorization")))
    return {Kind::Defer, {}};
  auto refusal = admit(head);
  if (!refusal) return {Kind::Admit, {}};
  return {Kind::Refuse, std::move(*refusal)};
}

Response Api::storeUnavailable(const Request& req, const std::string& detail) {
  // The driver's words stay in the log (they may name tables, hosts or values); the client
  // gets the id to quote.
  ++counters_.errors;
  const std::string errorId = base::newCorrelationId();
  spdlog::error("store error on {} {} (error id {}): {}", req.method, req.target, errorId, detail);
  auto res = problem(req, 503,
                     "store unavailable, nothing was stored; retry later (error id " + errorId +
                         ": the hub's log has the detail)");
  res.headers.emplace_back("Retry-After", "5");
  return res;
}

// What the receipt of a report needs once its records are stored.
struct Api::ReportInFlight {
  Request request;  // method, target and the headers that choose the format of an error
  bool json = false;
  exchange::Receipt receipt;
  intake::Prepared prepared;
};

Response Api::receiveReport(const Request& req, const intake::Scope& source, bool submit) {
  const auto media = mediaType(req.header("content-type"));
  const bool json = isJson(media);
  if (!json && !isXml(media)) {
    ++counters_.badRequests;
    return problem(req, 415,
                   "Content-Type \"" + req.header("content-type") +
                       "\" is not supported: send application/xml or application/json");
  }
  if (req.body.empty()) {
    ++counters_.badRequests;
    return problem(req, 400, "empty body: send a status report");
  }

  exchange::ParsedReport report;
  try {
    report = json ? exchange::parseReportJson(req.body, settings_.jsonMaxDepth)
                  : exchange::parseReportXml(req.body, settings_.xmlLimits);
  } catch (const xml::XmlError& e) {
    ++counters_.badRequests;
    return problem(req, 400, e.what());  // "status report:LINE:COL: what to fix"
  } catch (const std::invalid_argument& e) {
    ++counters_.badRequests;
    return problem(req, 400, std::string("request body: ") + e.what());
  }
  if (!report.source.empty() && report.source != source.id) {
    ++counters_.forbidden;
    return problem(req, 403,
                   "the report names source \"" + report.source + "\" but the token belongs to \"" +
                       source.id + "\": nothing was stored");
  }

  auto flight = std::make_shared<ReportInFlight>();
  flight->request.method = req.method;
  flight->request.target = req.target;
  flight->request.remote = req.remote;
  for (const char* name : {"content-type", "accept"})
    if (auto it = req.headers.find(name); it != req.headers.end())
      flight->request.headers.emplace(name, it->second);
  flight->json = json;
  auto& receipt = flight->receipt;
  receipt.source = source.id;
  receipt.receivedAt = nowIso();
  std::vector<intake::Incoming> records;
  records.reserve(report.records.size());
  for (auto& r : report.records) {
    receipt.lines.push_back({r.index, r.measureId, r.region, r.organisation, r.revision, "", ""});
    records.push_back(intake::fromReport(std::move(r)));
  }
  const auto receivedAt = std::chrono::system_clock::now();
  flight->prepared = intake::prepare(source, std::move(records), intake::Policy::request(),
                                     {store_, settings_.sectors, model::today(), receivedAt});
  auto& prepared = flight->prepared;
  if (prepared.result.refusal) {
    ++counters_.forbidden;
    return problem(req, 403, *prepared.result.refusal);
  }
  if (!prepared.write) return reportReceipt(*flight, {});
  if (!submit)
    return reportReceipt(*flight, store_.upsert(prepared.batch, receivedAt, prepared.options));
  // Answered once the store has committed the records (or failed to), from its writer thread.
  Response later;
  later.later = [this, flight, receivedAt](http::Reply reply) {
    auto& p = flight->prepared;
    // The receipt is written on the connection's thread: the store's writer goes on at once.
    store_.submit(std::move(p.batch), receivedAt, std::move(p.options),
                  [this, flight, reply = std::move(reply)](std::vector<store::UpsertResult> stored,
                                                           std::exception_ptr error) {
                    reply([this, flight, stored = std::move(stored), error] {
                      if (!error) return reportReceipt(*flight, stored);
                      try {
                        std::rethrow_exception(error);
                      } catch (const std::exception& e) {
                        return storeUnavailable(flight->request, e.what());
                      } catch (...) {
                        return storeUnavailable(flight->request, "unknown error");
                      }
                    });
                  });
  };
  return later;
}

Response Api::reportReceipt(ReportInFlight& flight,
                            const std::vector<store::UpsertResult>& stored) {
  auto result = intake::complete(std::move(flight.prepared), stored);
  auto& receipt = flight.receipt;
  for (std::size_t i = 0; i < result.outcomes.size(); ++i) {
    receipt.lines[i].outcome = intake::toString(result.outcomes[i].verdict);
    receipt.lines[i].reason = std::move(result.outcomes[i].reason);
  }

  using intake::Verdict;
  const std::size_t accepted = result.count(Verdict::Accepted),
                    duplicate = result.count(Verdict::Duplicate),
                    stale = result.count(Verdict::Stale),
                    rejected = result.count(Verdict::Rejected);
  ++counters_.reports;
  if (accepted > 0 && settings_.onAccepted) settings_.onAccepted();
  counters_.accepted += accepted;
  counters_.duplicate += duplicate;
  counters_.stale += stale;
  counters_.rejected += rejected;
  spdlog::info("report from {} ({}): {} accepted, {} duplicate, {} stale, {} rejected",
               receipt.source, flight.request.remote, accepted, duplicate, stale, rejected);
  if (flight.json) return {200, "application/json", exchange::writeReceiptJson(receipt), {}};
  return {200, "application/xml; charset=utf-8", exchange::writeReceiptXml(receipt), {}};
}

Response Api::getMeasures(const Request& req, const intake::Scope& reader) {
  ReadQuery q;
  if (auto err = parseReadQuery(req, q, kMeasuresParameters)) {
    ++counters_.badRequests;
    return problem(req, 400, *err);
  }
  if (auto err = narrowToScope(reader, q.filter)) {
    ++counters_.forbidden;
    return problem(req, 403, *err);
  }
  const auto languages = languagePreferences(q.lang, req.header("accept-language"));
  json::array items;
  std::size_t total = 0;
  const std::size_t first = (q.page - 1) * q.pageSize;
  std::vector<model::TaskEvaluation> tasks;
  const auto lineage = lineageIndex(q.filter.measureId);
  const bool streamed = streamedOrder(q);
  std::vector<Listed> all;
  auto each = [&](const model::Implementation& impl) {
    auto ev = model::evaluate(impl, q.asOf, settings_.rules, tasks);
    if (!listed(q, impl, ev, tasks)) return;
    if (!streamed) {
      ++total;
      all.push_back({impl, std::move(ev), tasks,
                     pickText(impl.organisation, impl.organisationNames, languages)});
      return;
    }
    if (total++ < first || items.size() >= q.pageSize) return;
    auto item = measureJson(impl, ev, tasks, q.tasks, languages);
    addLineage(item, impl, lineage);
    items.push_back(std::move(item));
  };
  // As of today in the store's order, with only filters SQL expresses: the store counts the
  // matches and reads the page's rows alone, by the evaluation it keeps. Each row of the page is
  // still evaluated here for its JSON; should that disagree with what the store kept, the page
  // is made the long way below.
  bool answered = false;
  if (streamed && !q.decree && !q.tasks.any() &&
      indexedAsOfToday(store_, q, settings_.indexedStatus)) {
    if (auto page = store_.statusPage(q.filter, statusFilterOf(q), q.asOf, settings_.rules, first,
                                      q.pageSize)) {
      answered = true;
      const model::StatusFigures* stored = nullptr;
      std::function<void(const model::Implementation&)> emit =
          [&](const model::Implementation& impl) {
            auto ev = model::evaluate(impl, q.asOf, settings_.rules, tasks);
            if (!listed(q, impl, ev, tasks) || model::figuresOf(ev) != *stored) answered = false;
            auto item = measureJson(impl, ev, tasks, q.tasks, languages);
            addLineage(item, impl, lineage);
            items.push_back(std::move(item));
          };
      if (q.filter.measureId) emit = withUploadedEvidence(emit);
      for (const auto& row : page->rows) {
        stored = &row.figures;
        emit(row.impl);
        if (!answered) break;
      }
      if (answered) {
        total = page->total;
      } else {
        spdlog::warn(
            "the stored evaluation of a page of implementations disagrees with their "
            "evaluation; the page is made from every implementation instead");
        items.clear();
      }
    }
  }
  // One measure's implementations (its page) carry the files uploaded for them too.
  if (!answered) {
    if (q.filter.measureId)
      store_.forEach(q.filter, withUploadedEvidence(each));
    else
      store_.forEach(q.filter, each);
  }
  if (!streamed) {
    sortListed(q, all);
    for (std::size_t i = first; i < all.size() && items.size() < q.pageSize; ++i) {
      auto item = measureJson(all[i].impl, all[i].ev, all[i].tasks, q.tasks, languages);
      addLineage(item, all[i].impl, lineage);
      items.push_back(std::move(item));
    }
  }
  json::object out{{"asOf", model::formatDate(q.asOf)},
                   {"total", total},
                   {"page", q.page},
                   {"pageSize", q.pageSize},
                   {"sort", (q.descending ? "-" : "") + q.sort},
                   {"items", std::move(items)}};
  // Ministry mode: how fresh each region's data is (the last batch from the hubs covering it).
  if (auto fresh = freshness(reader); !fresh.is_null()) out["freshness"] = std::move(fresh);
  return jsonResponse(200, out);
}

std::optional<Response> Api::listMeasures(const Request& req, const intake::Scope& reader,
                                          MeasureListing& listing, const ListedFn& each) {
  ReadQuery q;
  std::set<std::string> allowed = kMeasuresParameters;
  allowed.erase("page");
  allowed.erase("pageSize");
  if (auto err = parseReadQuery(req, q, allowed)) {
    ++counters_.badRequests;
    return problem(req, 400, *err);
  }
  if (auto err = narrowToScope(reader, q.filter)) {
    ++counters_.forbidden;
    return problem(req, 403, *err);
  }
  listing.asOf = q.asOf;
  listing.languages = languagePreferences(q.lang, req.header("accept-language"));
  std::vector<model::TaskEvaluation> tasks;
  // In the list's order: streamed in the store's, else every match sorted first.
  const bool streamed = streamedOrder(q);
  std::vector<Listed> all;
  store_.forEach(q.filter, [&](const model::Implementation& impl) {
    auto ev = model::evaluate(impl, q.asOf, settings_.rules, tasks);
    if (!listed(q, impl, ev, tasks)) return;
    if (streamed) return each(impl, ev);
    all.push_back({impl, std::move(ev), tasks,
                   pickText(impl.organisation, impl.organisationNames, listing.languages)});
  });
  sortListed(q, all);
  for (const auto& m : all) each(m.impl, m.ev);
  return std::nullopt;
}

std::optional<Response> Api::summarise(const Request& req, const intake::Scope& reader,
                                       SummaryResult& out) {
  ReadQuery q;
  if (auto err = parseReadQuery(
          req, q, {"by", "region", "sector", "organisation", "measure", "q", "asOf"})) {
    ++counters_.badRequests;
    return problem(req, 400, *err);
  }
  if (auto err = narrowToScope(reader, q.filter)) {
    ++counters_.forbidden;
    return problem(req, 403, *err);
  }
  auto by = model::rollUpByFromString(q.by.empty() ? "region" : q.by);
  if (!by) {
    ++counters_.badRequests;
    return problem(req, 400,
                   "by \"" + q.by + "\" is unknown: use region, sector, organisation or measure");
  }
  model::RollUpBuilder groups(*by);
  out.implementations = 0;
  out.asOf = q.asOf;
  out.by = *by;
  // As of today: the store counts its stored evaluations per group.
  if (indexedAsOfToday(store_, q, settings_.indexedStatus)) {
    if (auto counted = store_.statusGroups(q.filter, *by, q.asOf, settings_.rules)) {
      for (auto& g : *counted) {
        out.implementations += g.count;
        groups.add(std::move(g.key), g.sums, g.count, g.withOverdueTasks);
      }
      out.groups = groups.result();
      return std::nullopt;
    }
  }
  store_.forEach(q.filter, [&](const model::Implementation& impl) {
    auto ev = model::evaluate(impl, q.asOf, settings_.rules);
    groups.add(impl, ev);
    ++out.implementations;
  });
  out.groups = groups.result();
  return std::nullopt;
}

Response Api::getSummary(const Request& req, const intake::Scope& reader) {
  SummaryResult summary;
  if (auto refused = summarise(req, reader, summary)) return std::move(*refused);
  json::array out;
  for (const auto& r : summary.groups) out.push_back(regionRollUpJson(r, summary.by));
  json::object doc{{"asOf", model::formatDate(summary.asOf)},
                   {"by", model::toString(summary.by)},
                   {"implementations", summary.implementations},
                   {"groups", std::move(out)}};
  if (auto fresh = freshness(reader); !fresh.is_null()) doc["freshness"] = std::move(fresh);
  return jsonResponse(200, doc);
}

Response Api::getFeed(const Request& req, const intake::Scope& reader) {
  if (req.query.count("after") > 0) return getFeedBatch(req, reader);
  ReadQuery q;
  if (auto err = parseReadQuery(req, q, {"asOf", "region", "sector"})) {
    ++counters_.badRequests;
    return problem(req, 400, *err);
  }
  if (auto err = narrowToScope(reader, q.filter)) {
    ++counters_.forbidden;
    return problem(req, 403, *err);
  }
  auto place = largeRead();
  if (!place) return refuseLargeRead(req, "feed");
  // Written once per feed and state of the store, a store page at a time, into a spool that
  // each reader of the same feed sends from at its own pace: what a reader holds does not grow
  // with the data, and readers of one feed share its writing.
  auto spool = feedCache_->spool(
      feedKey(q.filter, q.asOf),
      [this, place, filter = q.filter,
       header = exchange::FeedHeader{settings_.hubId, nowIso(), q.asOf}](FeedSpool& out) {
        ++counters_.feedsWritten;
        try {
          exchange::writeFeed(
              header, settings_.rules,
              [&](const auto& emit) { store_.forEach(filter, withUploadedEvidence(emit)); },
              [&](std::string&& part) { out.append(part); }, kFeedSpoolPart);
        } catch (const store::StoreError&) {
          ++counters_.errors;  // logged by the cache
          throw;
        }
      });
  Response res{200, "application/xml; charset=utf-8", {}, {}};
  res.stream = [place, spool](const http::BodyWriter& write) { spool->readInto(write); };
  return res;
}

// What a feed shows (its filter, the reader's scope, the day) and the state of the store it
// shows it from (the last accepted change, the evidence uploaded): equal keys, equal bytes but
// for generatedAt.
std::string Api::feedKey(const store::Filter& filter, model::Date asOf) {
  std::string key = model::formatDate(asOf);
  auto add = [&](const std::string& v) {
    key += '\x1f';
    key += v;
  };
  for (const auto* v :
       {&filter.region, &filter.sector, &filter.organisation, &filter.measureId, &filter.text})
    add(v->has_value() ? "=" + **v : std::string("*"));
  for (const auto* set : {&filter.regionsIn, &filter.sectorsIn}) {
    std::string all;
    for (const auto& v : *set) all += v + ",";
    add(all);
  }
  add(std::to_string(store_.lastHistoryId()));
  const auto uploads = store_.evidenceUploads(std::nullopt);
  add(std::to_string(uploads.size()));
  if (!uploads.empty()) add(uploads.back().sha256 + uploads.back().uploadedAt);
  return key;
}

std::shared_ptr<void> Api::largeRead() {
  const std::size_t limit = settings_.largeReads;
  auto running = largeReadsRunning_;
  if (running->fetch_add(1) >= limit && limit > 0) {
    running->fetch_sub(1);
    return nullptr;
  }
  struct Place {
    std::shared_ptr<std::atomic<std::size_t>> running;
    ~Place() {
      if (running) running->fetch_sub(1);
    }
  };
  auto place = std::make_shared<Place>();
  place->running = std::move(running);
  return place;
}

Response Api::refuseLargeRead(const Request& req, const char* what, bool json) {
  ++counters_.largeReadsRefused;
  const std::string message =
      "the hub is writing " + std::to_string(settings_.largeReads) +
      " feeds or exports already, the most it writes at once: retry the " + what +
      " after a few seconds (or ask the hub operator to raise limits/@largeReads)";
  auto res = json ? jsonProblem(503, message) : problem(req, 503, message);
  res.headers.emplace_back("Retry-After", "5");
  return res;
}

// GET /api/v1/feed?after=SEQ: the hub's first signed feed batch after SEQ, byte for byte as it
// is pushed (so a receiver may pull instead); 204 when there is none yet. One batch per
// response: the Link header names the next one.
Response Api::getFeedBatch(const Request& req, const intake::Scope& reader) {
  if (req.query.size() != 1) {
    ++counters_.badRequests;
    return problem(req, 400,
                   "GET /api/v1/feed?after=SEQ takes no other parameter: a batch holds whatever "
                   "the hub accepted, in every region and sector");
  }
  const std::string& text = req.query.find("after")->second;
  std::int64_t after = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), after);
  if (ec != std::errc{} || end != text.data() + text.size() || after < 0) {
    ++counters_.badRequests;
    return problem(req, 400,
                   "after=\"" + text +
                       "\" is not a batch sequence: give the last sequence you hold (0 for the "
                       "first batch)");
  }
  if (!reader.regions.empty() || !reader.sectors.empty()) {
    ++counters_.forbidden;
    return problem(req, 403,
                   "the token of " + reader.label() +
                       " reads only some regions or sectors, but a feed batch holds every one: "
                       "pull batches with a token for all regions and sectors (regions=\"*\" "
                       "sectors=\"*\")");
  }
  auto batch = store_.feedBatchAfter(after);
  if (!batch) return {204, "text/plain; charset=utf-8", {}, {}};
  Response res{200, "application/xml; charset=utf-8", std::move(batch->body), {}};
  res.headers.emplace_back("Ijro-Feed-Sequence", std::to_string(batch->sequence));
  res.headers.emplace_back(
      "Link", "</api/v1/feed?after=" + std::to_string(batch->sequence) + ">; rel=\"next\"");
  return res;
}

Response Api::getHistory(const Request& req, const intake::Scope& reader,
                         const std::string& measureId) {
  store::HistoryQuery q{measureId};
  std::size_t page = 1, pageSize = 50;
  for (const auto& [k, v] : req.query) {
    if (k == "region") {
      if (!model::isKnownTerritory(v)) {
        ++counters_.badRequests;
        return problem(req, 400,
                       "region \"" + v +
                           "\" is not a known SOATO code: use a 4-digit region (e.g. 1703), a "
                           "7-digit district or 17 for national");
      }
      if (!reader.coversRegion(v)) {
        ++counters_.forbidden;
        return problem(req, 403,
                       "region " + v + " is outside the regions of " + reader.label() +
                           ": leave region out to see what the token may read");
      }
      q.region = v;
    } else if (k == "organisation") {
      q.organisation = v;
    } else if (k == "task") {
      q.assignment = v;
    } else if (k == "order") {
      if (v != "newest" && v != "oldest") {
        ++counters_.badRequests;
        return problem(req, 400, "order must be newest or oldest, not \"" + v + "\"");
      }
      q.newestFirst = v == "newest";
    } else if (k == "page" || k == "pageSize") {
      auto n = parseNumber<std::size_t>(v);
      if (!n || *n < 1 || (k == "pageSize" && *n > 1000)) {
        ++counters_.badRequests;
        return problem(req, 400,
                       k == "page" ? "page must be a whole number from 1, not \"" + v + "\""
                                   : "pageSize must be from 1 to 1000, not \"" + v + "\"");
      }
      (k == "page" ? page : pageSize) = *n;
    } else {
      ++counters_.badRequests;
      return problem(req, 400,
                     "unknown query parameter \"" + k +
                         "\": valid parameters are region, organisation, task, order, page, "
                         "pageSize");
    }
  }
  q.regionsIn = reader.regions;
  q.sectorsIn = reader.sectors;
  q.offset = (page - 1) * pageSize;
  q.limit = pageSize;
  json::array items;
  for (const auto& e : store_.historyOf(q)) {
    const auto* known = settings_.organisations.find(e.organisationKey);
    items.push_back(json::object{
        {"id", e.id},
        {"source", e.key.source},
        {"receivedAt", e.receivedAt},
        {"revision", e.revision},
        {"region", e.key.region},
        {"organisation", e.key.organisation},
        {"organisationCode", known ? json::value(known->code) : json::value(nullptr)},
        {"changes", lines(e.changes)},
    });
  }
  return jsonResponse(200, json::object{{"measure", measureId},
                                        {"order", q.newestFirst ? "newest" : "oldest"},
                                        {"page", page},
                                        {"pageSize", pageSize},
                                        {"items", std::move(items)}});
}

Response Api::getOrganisations(const Request& req, const intake::Scope&) {
  bool unmatched = false;
  for (const auto& [k, v] : req.query) {
    if (k != "unmatched" || (v != "true" && v != "false")) {
      ++counters_.badRequests;
      return problem(req, 400,
                     k == "unmatched" ? "unmatched must be true or false, not \"" + v + "\""
                                      : "unknown query parameter \"" + k +
                                            "\": the only parameter is unmatched=true|false");
    }
    unmatched = v == "true";
  }
  json::array items;
  if (!unmatched) {
    for (const auto& o : settings_.organisations.all()) {
      json::object names;
      for (const auto& [lang, name] : o.names) names[lang] = name;
      json::array aliases;
      for (const auto& a : o.aliases) aliases.push_back(json::string(a));
      items.push_back(json::object{{"code", o.code},
                                   {"kind", store::toString(o.kind)},
                                   {"names", std::move(names)},
                                   {"aliases", std::move(aliases)}});
    }
    return jsonResponse(200, json::object{{"items", std::move(items)}});
  }
  // Spellings that name no configured organisation, with where they were seen.
  for (const auto& s : store_.organisationsSeen()) {
    if (settings_.organisations.codeOf(s.spelling)) continue;
    items.push_back(json::object{{"spelling", s.spelling},
                                 {"normalised", s.key},
                                 {"source", s.source},
                                 {"count", s.reports},
                                 {"firstSeen", s.firstSeen},
                                 {"lastSeen", s.lastSeen}});
  }
  return jsonResponse(200, json::object{{"unmatched", true}, {"items", std::move(items)}});
}

Response Api::metrics(const Request&, const intake::Scope&) {
  using metrics::Type;
  std::vector<metrics::Family> families;
  auto counter = [&](const char* name, const char* help, const std::atomic<std::uint64_t>& v) {
    families.push_back({name, help, Type::Counter, {{{}, static_cast<double>(v.load())}}});
  };
  counter("ijro_reports_total", "Status reports processed.", counters_.reports);
  counter("ijro_records_accepted_total", "Records stored as a new revision.", counters_.accepted);
  counter("ijro_records_duplicate_total", "Records already stored.", counters_.duplicate);
  counter("ijro_records_stale_total", "Records older than the stored revision.", counters_.stale);
  counter("ijro_records_rejected_total", "Records refused as invalid.", counters_.rejected);
  counter("ijro_bad_requests_total", "Requests refused as malformed.", counters_.badRequests);
  counter("ijro_unauthorized_total", "Requests without a valid token.", counters_.unauthorized);
  counter("ijro_forbidden_total",
          "Requests refused by the token's scope or rights (records or queries outside its "
          "regions and sectors, a read with a write-only token, a post with a read token).",
          counters_.forbidden);
  counter("ijro_errors_total", "Requests failed by a store error.", counters_.errors);
  counter("ijro_rate_limited_total",
          "Requests refused with 429 because their token made more than limits/@tokenRate "
          "requests per second.",
          counters_.rateLimited);
  counter("ijro_auth_throttled_total",
          "Requests refused with 429 because their address sent limits/@authFailures unknown "
          "tokens within limits/@authWindowMs.",
          counters_.authThrottled);
  counter("ijro_large_reads_refused_total",
          "Feeds and exports refused with 503 because limits/@largeReads of them were being "
          "written.",
          counters_.largeReadsRefused);
  counter("ijro_feeds_written_total",
          "Feed documents written from the store (readers of the same feed while the store has "
          "not changed share one).",
          counters_.feedsWritten);
  families.push_back({"ijro_large_reads",
                      "Feeds and exports being written now.",
                      Type::Gauge,
                      {{{}, static_cast<double>(largeReadsRunning_->load())}}});
  families.push_back({"ijro_implementations",
                      "Current implementations in the store.",
                      Type::Gauge,
                      {{{}, static_cast<double>(store_.count())}}});
  for (auto& f : feedMetrics()) families.push_back(std::move(f));
  if (settings_.extraMetrics)
    for (auto& f : settings_.extraMetrics()) families.push_back(std::move(f));
  return {200, metrics::kContentType, metrics::render(families), {}};
}

// The exports' query (standards.cpp) with the read side's own checks and scope narrowing.
std::optional<Response> Api::exportQuery(const Request& req, const intake::Scope& reader,
                                         const std::set<std::string>& extra, store::Filter& filter,
                                         model::Date& asOf) {
  Request common = req;
  for (const auto& k : extra) common.query.erase(k);
  ReadQuery q;
  if (auto err = parseReadQuery(common, q, {"asOf", "region", "sector"})) {
    std::string message = *err;
    if (!extra.empty() && message.starts_with("unknown query parameter"))
      for (const auto& k : extra) message += ", " + k;
    return exportProblem(req, 400, message);
  }
  if (auto err = narrowToScope(reader, q.filter)) {
    ++counters_.forbidden;
    return problem(req, 403, *err);
  }
  filter = q.filter;
  asOf = q.asOf;
  return std::nullopt;
}

Response Api::exportProblem(const Request& req, int status, const std::string& message) {
  if (status == 400) ++counters_.badRequests;
  return problem(req, status, message);
}

}  // namespace ijro::api
