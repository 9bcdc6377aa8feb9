#include "hub/app/config.hpp"

#include <arpa/inet.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "hub/app/option_elements.hpp"
#include "hub/app/paths.hpp"
#include "hub/base/sha256.hpp"
#include "hub/model/regions.hpp"
#include "hub/plugin_host/loader.hpp"
#include "hub/plugin_host/options.hpp"
#include "hub/store/store.hpp"
#include "hub/xml/safe_reader.hpp"
#include "hub/xml/schema.hpp"
#include "hub/xml/signature.hpp"

namespace ijro::app {

namespace fs = std::filesystem;
namespace ph = ijro::plugin_host;
namespace rt = ijro::runtime;

namespace {

std::string text(xmlNode* n) {
  xmlChar* v = xmlNodeGetContent(n);
  if (!v) return {};
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

// "500ms", "30s", "5m", "1h" (the schema's Duration); nullopt for anything else.
std::optional<std::chrono::milliseconds> duration(const std::string& s) {
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits == 0 || digits > 9) return std::nullopt;
  const long long n = std::stoll(s.substr(0, digits));
  const std::string unit = s.substr(digits);
  if (unit == "ms") return std::chrono::milliseconds(n);
  if (unit == "s") return std::chrono::seconds(n);
  if (unit == "m") return std::chrono::minutes(n);
  if (unit == "h") return std::chrono::hours(n);
  return std::nullopt;
}

std::string prop(xmlNode* n, const char* name, std::string fallback = {}) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  if (!v) return fallback;
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

bool is(xmlNode* n, const char* name) {
  return n->type == XML_ELEMENT_NODE &&
         xmlStrEqual(n->name, reinterpret_cast<const xmlChar*>(name));
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

template <typename T>
T number(const std::string& s, T fallback) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return (ec == std::errc{} && p == s.data() + s.size()) ? v : fallback;
}

class Loader {
 public:
  Loader(std::string path, Config& cfg, bool checkPlugins)
      : path_(std::move(path)), cfg_(cfg), checkPlugins_(checkPlugins) {}

  void problem(xmlNode* n, const std::string& what) {
    problems.push_back(path_ + ":" + std::to_string(n ? xmlGetLineNo(n) : 0) + ": " + what);
  }

  void load(xmlNode* root) {
    cfg_.hubId = prop(root, "id", cfg_.hubId);
    if (auto dir = prop(root, "pluginDir"); !dir.empty())
      cfg_.pluginDirs = {fs::path(dir).is_absolute() ? fs::path(dir) : configDir() / dir};
    else
      cfg_.pluginDirs = defaultPluginDirs();
    // Sectors first: sources refer to them.
    for (xmlNode* n = root->children; n; n = n->next)
      if (is(n, "sectors")) sectors(n);
    for (xmlNode* n = root->children; n; n = n->next) {
      if (is(n, "listen")) {
        cfg_.host = prop(n, "host", cfg_.host);
        cfg_.port = number<std::uint16_t>(prop(n, "port"), cfg_.port);
        cfg_.threads = number<int>(prop(n, "threads"), cfg_.threads);
        listen(n);
      } else if (is(n, "store")) {
        cfg_.storeUrl = prop(n, "url");
        cfg_.storePool = number<int>(prop(n, "pool"), cfg_.storePool);
        if (cfg_.storeUrl.rfind("sqlite:", 0) != 0 && cfg_.storeUrl.rfind("sqlite3:", 0) != 0 &&
            cfg_.storeUrl.rfind("postgresql://", 0) != 0)
          problem(n, "store url \"" + store::redactStoreUrl(cfg_.storeUrl) +
                         "\" is not supported: use sqlite:PATH or postgresql://CONNINFO");
        storePassword(n);
      } else if (is(n, "log")) {
        cfg_.logLevel = prop(n, "level", cfg_.logLevel);
        cfg_.logFormat = prop(n, "format", cfg_.logFormat);
      } else if (is(n, "limits")) {
        cfg_.bodyLimit = number<std::size_t>(prop(n, "bodyBytes"), cfg_.bodyLimit);
        cfg_.maxXmlDepth = number<int>(prop(n, "xmlDepth"), cfg_.maxXmlDepth);
        cfg_.headerTimeout = std::chrono::milliseconds(
            number<long>(prop(n, "headerTimeoutMs"), cfg_.headerTimeout.count()));
        cfg_.readTimeout = std::chrono::milliseconds(
            number<long>(prop(n, "readTimeoutMs"), cfg_.readTimeout.count()));
        auto& h = cfg_.http;
        h.maxConnections = number<std::size_t>(prop(n, "maxConnections"), h.maxConnections);
        h.handlerThreads = number<int>(prop(n, "handlerThreads"), h.handlerThreads);
        h.handlerQueue = number<std::size_t>(prop(n, "handlerQueue"), h.handlerQueue);
        h.queueTimeout = std::chrono::milliseconds(
            number<long>(prop(n, "queueTimeoutMs"), h.queueTimeout.count()));
        h.idleTimeout = std::chrono::milliseconds(
            number<long>(prop(n, "idleTimeoutMs"), h.idleTimeout.count()));
        h.headerLimit = number<std::size_t>(prop(n, "headerBytes"), h.headerLimit);
        h.maxBuffer = number<std::size_t>(prop(n, "bufferBytes"), h.maxBuffer);
        h.chunkLineLimit = number<std::size_t>(prop(n, "chunkLineBytes"), h.chunkLineLimit);
        cfg_.largeReads = number<std::size_t>(prop(n, "largeReads"), cfg_.largeReads);
        h.streamWindow = number<std::size_t>(prop(n, "streamBytes"), h.streamWindow);
        auto& a = cfg_.admission;
        a.tokenRate = number<double>(prop(n, "tokenRate"), a.tokenRate);
        a.tokenBurst = number<double>(prop(n, "tokenBurst"), a.tokenBurst);
        a.authFailures = number<std::uint32_t>(prop(n, "authFailures"), a.authFailures);
        a.authWindow =
            std::chrono::milliseconds(number<long>(prop(n, "authWindowMs"), a.authWindow.count()));
        a.trustedProxies.clear();
        for (const auto& proxy : words(prop(n, "trustedProxies"))) {
          // Kept in the form the connection's peer is shown in (inet_ntop's), to compare as text.
          unsigned char bytes[sizeof(in6_addr)];
          char text[INET6_ADDRSTRLEN];
          const int family = proxy.find(':') == std::string::npos ? AF_INET : AF_INET6;
          if (::inet_pton(family, proxy.c_str(), bytes) != 1 ||
              ::inet_ntop(family, bytes, text, sizeof text) == nullptr) {
            problem(n, "limits trustedProxies: \"" + proxy +
                           "\" is not an IP address; list the proxies' addresses (not ranges or "
                           "names), separated by spaces");
            continue;
          }
          a.trustedProxies.emplace_back(text);
        }
        if (h.maxBuffer < h.headerLimit)
          problem(n, "limits bufferBytes (" + std::to_string(h.maxBuffer) +
                         ") is smaller than headerBytes (" + std::to_string(h.headerLimit) +
                         "): a connection's buffer must hold a whole request head; raise "
                         "bufferBytes");
      } else if (is(n, "evidence")) {
        cfg_.evidenceDir = prop(n, "dir");
        cfg_.evidenceMaxBytes = number<std::uint64_t>(prop(n, "maxBytes"), cfg_.evidenceMaxBytes);
        cfg_.evidenceReadTimeout = std::chrono::milliseconds(
            number<long>(prop(n, "readTimeoutMs"), cfg_.evidenceReadTimeout.count()));
        if (auto types = words(prop(n, "types")); !types.empty()) {
          static const std::set<std::string> kCheckable = {
              "application/pdf", "image/png", "image/jpeg",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"};
          cfg_.evidenceTypes.clear();
          for (const auto& t : types) {
            if (kCheckable.count(t))
              cfg_.evidenceTypes.insert(t);
            else
              problem(n, "evidence type \"" + t +
                             "\" cannot be checked against its content: use application/pdf, "
                             "image/png, image/jpeg, the DOCX type "
                             "(application/vnd.openxmlformats-officedocument.wordprocessingml."
                             "document) or the XLSX type "
                             "(application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)");
          }
        }
      } else if (is(n, "status")) {
        auto& r = cfg_.rules;
        r.redBelow = std::stod(prop(n, "redBelow", std::to_string(r.redBelow)));
        r.amberBelow = std::stod(prop(n, "amberBelow", std::to_string(r.amberBelow)));
        r.amberWithinDays = number<int>(prop(n, "amberWithinDays"), r.amberWithinDays);
        r.earlyWarningDays = number<int>(prop(n, "earlyWarningDays"), r.earlyWarningDays);
        if (r.redBelow > r.amberBelow) problem(n, "status redBelow must not exceed amberBelow");
        if (auto v = prop(n, "submittedCounts"); !v.empty()) {
          if (auto counts = model::submittedCountsFromString(v))
            r.submitted = *counts;
          else
            problem(n, "status submittedCounts=\"" + v +
                           "\" is unknown: use open (a submitted report of completion counts "
                           "only once the controller verifies it; the default) or done (it "
                           "counts at its completion date at once)");
        }
      } else if (is(n, "organisations")) {
        for (xmlNode* o = n->children; o; o = o->next)
          if (is(o, "organisation")) organisation(o);
      } else if (is(n, "sources")) {
        for (xmlNode* s = n->children; s; s = s->next)
          if (is(s, "source")) source(s);
      } else if (is(n, "readers")) {
        for (xmlNode* r = n->children; r; r = r->next)
          if (is(r, "reader")) reader(r);
      } else if (is(n, "feed")) {
        feed(n);
      } else if (is(n, "plugins")) {
        for (xmlNode* p = n->children; p; p = p->next) {
          if (is(p, "source")) pluginSource(p);
          if (is(p, "transform")) pluginTransform(p);
          if (is(p, "sink")) pluginSink(p);
        }
      } else if (is(n, "peers")) {
        for (xmlNode* h = n->children; h; h = h->next)
          if (is(h, "hub")) peer(h);
      } else if (is(n, "iati")) {
        iati(n);
      }
    }
    // A source may name transforms declared after it.
    for (std::size_t i = 0; i < cfg_.pluginSources.size(); ++i)
      transformChain(sourceNodes_[i], cfg_.pluginSources[i]);
  }

  std::vector<std::string> problems;

 private:
  // <iati>: the schema checks the identifier's form and the languages; one name per language.
  void iati(xmlNode* n) {
    cfg_.iati.reportingOrgRef = prop(n, "reportingOrg");
    cfg_.iati.reportingOrgType = prop(n, "type", cfg_.iati.reportingOrgType);
    cfg_.iati.mainLanguage = prop(n, "mainLanguage");
    for (xmlNode* c = n->children; c; c = c->next) {
      if (!is(c, "name")) continue;
      const auto lang = prop(c, "lang");
      for (const auto& existing : cfg_.iati.reportingOrgNames)
        if (existing.lang == lang) problem(c, "iati has two names in " + lang + ": keep one");
      cfg_.iati.reportingOrgNames.push_back({lang, ::ijro::app::text(c)});
    }
  }

  void sectors(xmlNode* n) {
    for (xmlNode* s = n->children; s; s = s->next) {
      if (!is(s, "sector")) continue;
      auto code = prop(s, "code");
      if (cfg_.sectors.contains(code)) {
        problem(s, "sector \"" + code + "\" is already defined (built in or above): remove it");
        continue;
      }
      try {
        cfg_.sectors.add(code);
      } catch (const std::exception& e) {
        problem(s, e.what());
      }
    }
  }

  // <feed key certificate batchSize intervalMs> <push url ca clientCertificate clientKey
  // allowPlainHttp timeoutMs retryMinMs retryMaxMs/>? </feed>
  void feed(xmlNode* n) {
    Config::Feed f;
    auto file = [&](xmlNode* e, const char* attribute) -> std::string {
      const auto value = prop(e, attribute);
      if (value.empty()) return {};
      fs::path p(value);
      if (!p.is_absolute()) p = configDir() / p;
      std::error_code ec;
      if (!fs::is_regular_file(p, ec))
        problem(e, std::string(attribute) + "=\"" + value + "\": no such file (" + p.string() +
                       "); paths are relative to the configuration file's folder");
      return p.string();
    };
    f.keyFile = file(n, "key");
    f.certificateFile = file(n, "certificate");
    f.batchSize = number<std::size_t>(prop(n, "batchSize"), f.batchSize);
    if (f.batchSize == 0) problem(n, "feed batchSize must be at least 1");
    f.interval = std::chrono::milliseconds(number<long>(prop(n, "intervalMs"), f.interval.count()));
    for (xmlNode* e = n->children; e; e = e->next) {
      if (is(e, "exchange")) {
        fs::path dir(prop(e, "dir"));
        f.exchangeDir = (dir.is_absolute() ? dir : configDir() / dir).lexically_normal().string();
        continue;
      }
      if (!is(e, "push")) continue;
      Config::Push p;
      p.url = prop(e, "url");
      p.caFile = file(e, "ca");
      p.clientCertFile = file(e, "clientCertificate");
      p.clientKeyFile = file(e, "clientKey");
      p.allowPlainHttp = prop(e, "allowPlainHttp") == "true";
      p.timeout = std::chrono::milliseconds(number<long>(prop(e, "timeoutMs"), p.timeout.count()));
      p.retryMin =
          std::chrono::milliseconds(number<long>(prop(e, "retryMinMs"), p.retryMin.count()));
      p.retryMax =
          std::chrono::milliseconds(number<long>(prop(e, "retryMaxMs"), p.retryMax.count()));
      if (p.url.rfind("https://", 0) != 0) {
        if (p.url.rfind("http://", 0) != 0)
          problem(e, "push url=\"" + p.url +
                         "\" must be the receiver's https://HOST:PORT/api/v1/feeds");
        else if (!p.allowPlainHttp)
          problem(e, "push url=\"" + p.url +
                         "\" is plain HTTP: batches and their receipts would cross the network "
                         "in clear text; use https:// (with ca=\"...\" for a private CA), or "
                         "say allowPlainHttp=\"true\" for a receiver on loopback or a trusted "
                         "network");
      }
      if (p.clientCertFile.empty() != p.clientKeyFile.empty())
        problem(e,
                "push clientCertificate and clientKey go together (mutual TLS): give both or "
                "neither");
      if (p.retryMax < p.retryMin) problem(e, "push retryMaxMs must not be below retryMinMs");
      f.push = std::move(p);
    }
    cfg_.feed = std::move(f);
  }

  // The roles of a bearer token: roles="source controller", or the older rights="write read".
  void roles(xmlNode* n, const std::string& what, intake::Scope& s, const char* fallback) {
    const auto roles = prop(n, "roles"), rights = prop(n, "rights");
    if (!roles.empty() && !rights.empty())
      problem(n, what +
                     " has both roles and rights: keep roles (rights=\"write read\" is the "
                     "older spelling of roles=\"source reader\")");
    if (auto err = intake::grantRoles(s, words(!roles.empty()    ? roles
                                               : !rights.empty() ? rights
                                                                 : std::string(fallback))))
      problem(n, what + ": " + *err);
  }

  // <source>: a token that posts reports; roles may add reader, executor or controller.
  void source(xmlNode* n) {
    intake::Scope s;
    s.id = prop(n, "id");
    const std::string what = "source \"" + s.id + "\"";
    roles(n, what, s, "source");
    if (!s.write)
      problem(n, what + " has roles \"" + s.roleList() +
                     "\" without source: a source posts reports; declare a token that does not "
                     "as <reader> under <readers>");
    token(n, what, s);
    priority(n, what, s.id);
    cfg_.sources.push_back(std::move(s));
  }

  // priority="N": whose report is an implementation's current state when several sources report
  // it (the highest; among equals the latest received).
  void priority(xmlNode* n, const std::string& what, const std::string& id) {
    auto text = prop(n, "priority");
    if (text.empty()) return;
    auto p = number<int>(text, std::numeric_limits<int>::min());
    if (p == std::numeric_limits<int>::min() || p < -1000000 || p > 1000000)
      problem(n, what + " priority \"" + text +
                     "\" is not a whole number from -1000000 to 1000000 (higher wins)");
    else
      cfg_.sourcePriorities[id] = p;
  }

  // <organisation code kind>: one organisation, its names and aliases. Every spelling (code, name
  // or alias) names one organisation only.
  void organisation(xmlNode* n) {
    store::Organisation o;
    o.code = prop(n, "code");
    const std::string kind = prop(n, "kind", "stir");
    const std::string what = "organisation \"" + o.code + "\"";
    o.kind = kind == "configured" ? store::OrganisationCodeKind::Configured
                                  : store::OrganisationCodeKind::Stir;
    if (o.kind == store::OrganisationCodeKind::Stir && !store::isStir(o.code))
      problem(n, what +
                     " has kind=\"stir\" but a STIR is exactly 9 digits: correct the code, or "
                     "give an organisation without a STIR kind=\"configured\"");
    if (o.kind == store::OrganisationCodeKind::Configured && store::isStir(o.code))
      problem(n, what +
                     " looks like a STIR (9 digits) but has kind=\"configured\": use "
                     "kind=\"stir\", or a code that is not 9 digits");
    if (auto [it, fresh] = orgCodes_.emplace(o.code, xmlGetLineNo(n)); !fresh)
      problem(n, what + " is already configured on line " + std::to_string(it->second) +
                     ": configure each organisation once");
    auto claim = [&](xmlNode* at, const std::string& spelling, const char* as) {
      auto key = store::normaliseOrganisation(spelling);
      auto [it, fresh] = spellings_.emplace(key, std::make_pair(o.code, xmlGetLineNo(at)));
      if (fresh) return;
      if (it->second.first == o.code && std::string(as) != "alias") return;
      problem(at, what + " " + as + " \"" + spelling + "\" " +
                      (it->second.first == o.code
                           ? "is given twice (also line " + std::to_string(it->second.second) +
                                 "): remove one"
                           : "already names organisation \"" + it->second.first + "\" (line " +
                                 std::to_string(it->second.second) +
                                 "): a spelling may name one organisation only") +
                      " (spellings are compared ignoring case, spaces and apostrophe forms)");
    };
    claim(n, o.code, "code");
    for (xmlNode* c = n->children; c; c = c->next) {
      if (is(c, "name")) {
        auto lang = prop(c, "lang");
        auto text = ::ijro::app::text(c);
        if (!o.names.emplace(lang, text).second)
          problem(c, what + " has two names in " + lang + ": keep one");
        claim(c, text, "name");
      } else if (is(c, "alias")) {
        auto text = ::ijro::app::text(c);
        o.aliases.push_back(text);
        claim(c, text, "alias");
      }
    }
    cfg_.organisations.push_back(std::move(o));
  }

  // <reader>: a token that does not post reports: it reads within its regions and sectors, and
  // with roles="reader controller" (or executor) also takes part in execution control.
  void reader(xmlNode* n) {
    intake::Scope s;
    s.id = prop(n, "id");
    const std::string what = "reader \"" + s.id + "\"";
    roles(n, what, s, "reader");
    if (s.write)
      problem(n, what + " has the source role: a token that posts reports is a <source>");
    token(n, what, s);
    cfg_.readers.push_back(std::move(s));
  }

  // <listen allowPlainHttp><tls certificate key clientCa requireClientCert/></listen>.
  void listen(xmlNode* n) {
    cfg_.listenLine = static_cast<int>(xmlGetLineNo(n));
    cfg_.allowPlainHttp = prop(n, "allowPlainHttp") == "true" || prop(n, "allowPlainHttp") == "1";
    for (xmlNode* t = n->children; t; t = t->next) {
      if (!is(t, "tls")) continue;
      http::ServerTls tls;
      const auto file = [&](const char* attribute, bool secret) {
        const auto value = prop(t, attribute);
        if (value.empty()) return std::string{};
        const fs::path p = fs::path(value).is_absolute() ? fs::path(value) : configDir() / value;
        if (!std::ifstream(p, std::ios::binary))
          problem(t, std::string("listen tls ") + attribute + " file " + p.string() +
                         " cannot be read: check the path (relative to the configuration "
                         "file) and that the hub's user may read it");
        struct stat st {};
        if (secret && ::stat(p.c_str(), &st) == 0 && (st.st_mode & S_IROTH) != 0)
          spdlog::warn(
              "{}: listen tls key file {} can be read by every user of this machine: "
              "chmod o-r {}",
              origin(t), p.string(), p.string());
        return p.string();
      };
      tls.certificateFile = file("certificate", false);
      tls.keyFile = file("key", true);
      tls.clientCaFile = file("clientCa", false);
      tls.requireClientCert =
          prop(t, "requireClientCert") == "true" || prop(t, "requireClientCert") == "1";
      if (tls.requireClientCert && tls.clientCaFile.empty())
        problem(t,
                "listen tls requireClientCert=\"true\" needs clientCa=\"...\": the PEM file "
                "of the CAs that sign the clients' certificates");
      cfg_.tls = std::move(tls);
    }
  }

  // <store passwordFromFile="..."> or passwordFromEnv="...": read like a token's secret.
  void storePassword(xmlNode* n) {
    const auto fromFile = prop(n, "passwordFromFile"), fromEnv = prop(n, "passwordFromEnv");
    if (fromFile.empty() && fromEnv.empty()) return;
    if (!fromFile.empty() && !fromEnv.empty()) {
      problem(n, "store: give passwordFromFile or passwordFromEnv, not both");
      return;
    }
    std::string why;
    const auto value = !fromFile.empty() ? readSecretFile(fs::path(fromFile).is_absolute()
                                                              ? fs::path(fromFile)
                                                              : configDir() / fromFile,
                                                          origin(n), "store password", why)
                                         : readSecretEnv(fromEnv, why);
    if (!value)
      problem(n, "store password: " + why);
    else
      cfg_.storePassword = *value;
  }

  // The token and scope every bearer token has, and what must differ between them. The token is
  // given one way: token (inline), tokenSha256 (its hash), tokenFromFile or tokenFromEnv (read
  // like a plugin's secret option).
  void token(xmlNode* n, const std::string& what, intake::Scope& s) {
    s.line = static_cast<int>(xmlGetLineNo(n));
    auto token = prop(n, "token");
    auto hash = prop(n, "tokenSha256");
    const auto fromFile = prop(n, "tokenFromFile"), fromEnv = prop(n, "tokenFromEnv");
    const int ways = (token.empty() ? 0 : 1) + (hash.empty() ? 0 : 1) + (fromFile.empty() ? 0 : 1) +
                     (fromEnv.empty() ? 0 : 1);
    if (ways != 1) {
      problem(n, what + " needs exactly one of token, tokenSha256, tokenFromFile or tokenFromEnv");
    } else if (!fromFile.empty() || !fromEnv.empty()) {
      std::string why;
      const auto value = !fromFile.empty() ? readSecretFile(fs::path(fromFile).is_absolute()
                                                                ? fs::path(fromFile)
                                                                : configDir() / fromFile,
                                                            origin(n), what + " token", why)
                                           : readSecretEnv(fromEnv, why);
      if (!value)
        problem(n, what + " token: " + why);
      else if (value->size() < 16)
        problem(n, what + " token (from " +
                       (fromFile.empty() ? "the environment variable " + fromEnv
                                         : "the file " + fromFile) +
                       ") is shorter than 16 characters: use a longer one");
      else
        s.tokenSha256 = base::sha256Hex(*value);
    } else if (!token.empty()) {
      if (token.size() < 16)
        problem(n, what + " token is shorter than 16 characters: use a longer one");
      s.tokenSha256 = base::sha256Hex(token);
    } else {
      s.tokenSha256 = hash;
    }
    scope(n, what, s.regions, s.sectors);
    claimId(n, what, s.id);
    for (const auto* others : {&cfg_.sources, &cfg_.readers})
      for (const auto& other : *others)
        if (!s.tokenSha256.empty() && other.tokenSha256 == s.tokenSha256)
          problem(n, what + " has the same token as " + other.label() + " (line " +
                         std::to_string(other.line) + "): each source and reader needs its own");
  }

  fs::path configDir() const {
    auto dir = fs::absolute(fs::path(path_)).parent_path();
    return dir.empty() ? fs::current_path() : dir;
  }

  std::string origin(xmlNode* n) const { return path_ + ":" + std::to_string(xmlGetLineNo(n)); }

  // Regions and sectors of a scope, checked the same way for HTTP sources, readers and plugin
  // sources.
  void scope(xmlNode* n, const std::string& what, std::set<std::string>& regions,
             std::set<std::string>& sectors) {
    for (const auto& r : words(prop(n, "regions"))) {
      if (r == "*") continue;
      if (r != model::kNationalCode && (r.size() != 4 || !model::findRegion(r)))
        problem(n, what + " region \"" + r +
                       "\" is not a first-level SOATO code: use one of 1703..1735 (see "
                       "tests/data/regions.csv), 17 for national, or *");
      else
        regions.insert(r);
    }
    for (const auto& c : words(prop(n, "sectors"))) {
      if (c == "*") continue;
      if (!cfg_.sectors.contains(c))
        problem(n, what + " sector \"" + c + "\" is unknown: declare it under " +
                       "<sectors> or use a built-in one");
      else
        sectors.insert(c);
    }
  }

  // An id names one thing: an HTTP source, a reader, a plugin source (the source of its records)
  // or a sink (the owner of its dead letters and cursor).
  void claimId(xmlNode* n, const std::string& what, const std::string& id) {
    auto [it, fresh] = ids_.emplace(id, what + " (line " + std::to_string(xmlGetLineNo(n)) + ")");
    if (!fresh)
      problem(n, what + ": the id \"" + id + "\" is already used by " + it->second +
                     ": give each source, reader and plugin instance its own id");
  }

  // library: absolute, relative to the configuration's folder (it has a '/'), or a bare name in
  // the plugin folders.
  std::optional<fs::path> library(xmlNode* n, const std::string& what) {
    const std::string lib = prop(n, "library");
    fs::path p(lib);
    if (p.is_absolute() || lib.find('/') != std::string::npos) {
      if (!p.is_absolute()) p = configDir() / p;
      p = p.lexically_normal();
      if (fs::is_regular_file(p) || !checkPlugins_) return p;
      problem(n, what + ": plugin library " + p.string() +
                     " does not exist (a library path with a '/' is relative to the folder of " +
                     path_ + ")");
      return std::nullopt;
    }
    std::vector<std::string> names = {lib};
    if (p.extension() != ".so") names.push_back(lib + ".so");
    std::string looked;
    for (const auto& dir : cfg_.pluginDirs) {
      for (const auto& name : names)
        if (fs::is_regular_file(dir / name)) return (dir / name).lexically_normal();
      looked += (looked.empty() ? "" : ", ") + dir.string();
    }
    if (!checkPlugins_) return p;  // not needed by whoever asked (`dlq`)
    problem(n, what + ": plugin library \"" + lib + "\" is not in the plugin folder (looked in " +
                   (looked.empty() ? std::string("none") : looked) +
                   "): give an absolute path, a path relative to this file, or set <hub "
                   "pluginDir=\"...\">");
    return std::nullopt;
  }

  ph::OptionValues options(xmlNode* n, const std::string& what, std::map<std::string, int>& lines) {
    ph::OptionValues out;
    forms_.clear();
    for (xmlNode* o = n->children; o; o = o->next) {
      if (!is(o, "option")) continue;
      auto name = prop(o, "name");
      if (out.count(name)) {
        problem(o, what + ": option \"" + name + "\" is set twice (first on line " +
                       std::to_string(lines[name]) + ")");
        continue;
      }
      lines[name] = static_cast<int>(xmlGetLineNo(o));
      auto element = readOptionElement(o, path_, configDir(), what, problems);
      if (!element) continue;
      forms_[name] = element->form;
      out.emplace(name, std::move(element->value));
    }
    return out;
  }

  // Loads the library (its descriptor only) and checks the options against its table, each
  // problem on the line that causes it.
  void checkPlugin(xmlNode* n, const std::string& what, const fs::path& lib, ph::Kind kind,
                   const ph::OptionValues& values, const std::map<std::string, int>& lines) {
    if (!checkPlugins_) return;
    try {
      auto plugin = ph::load(lib);
      const auto& info = plugin.info();
      cfg_.pluginVersions[lib.string()] = info.name + " " + info.version;
      if (info.kind != kind) {
        problem(n, what + ": " + info.label() + " is a " + ph::toString(info.kind) +
                       " plugin, not a " + ph::toString(kind) + ": configure it as <" +
                       ph::toString(info.kind) + ">");
        return;
      }
      const std::size_t before = problems.size();
      auto lineOf = [&](const std::string& name) {
        auto it = lines.find(name);
        return path_ + ":" + std::to_string(it == lines.end() ? xmlGetLineNo(n) : it->second);
      };
      for (const auto& [name, value] : values) {
        auto spec = std::find_if(info.options.begin(), info.options.end(),
                                 // (an init-capture: clang 14 cannot capture a structured binding)
                                 [&key = name](const ph::OptionSpec& o) { return o.name == key; });
        if (spec == info.options.end()) {
          problems.push_back(lineOf(name) + ": " + what + ": plugin " + info.label() +
                             " has no option \"" + name +
                             "\"; its options are: " + ph::describeOptions(info.options));
        } else if (auto misfit = optionFormProblem(forms_[name], ph::toString(spec->type), name)) {
          problems.push_back(lineOf(name) + ": " + what + ": " + *misfit);
        } else if (!ph::canonicalOptionValue(spec->type, value)) {
          problems.push_back(lineOf(name) + ": " + what + ": option \"" + name + "\" must be " +
                             ph::describeOptionType(spec->type) + ", not \"" + value + "\"");
        }
      }
      for (const auto& spec : info.options)
        if (spec.required && !values.count(spec.name))
          problem(n, what + ": plugin " + info.label() + " requires option \"" + spec.name +
                         "\" (" + ph::toString(spec.type) + (spec.description.empty() ? "" : ": ") +
                         spec.description + ")");
      if (problems.size() == before) ph::resolveOptions(info, values);  // anything else it checks
    } catch (const ph::PluginError& e) {
      problem(n, what + ": " + e.what());
    }
  }

  // isolation and timeoutMs: how every kind of instance is run.
  void howToRun(xmlNode* n, rt::Isolation& mode, std::chrono::milliseconds& timeout) {
    mode = prop(n, "isolation") == "process" ? rt::Isolation::Process : rt::Isolation::InProcess;
    timeout = std::chrono::milliseconds(number<long long>(prop(n, "timeoutMs"), timeout.count()));
  }

  // env, memoryLimitMb, cpuLimitSeconds, openFilesLimit and user: what an isolated instance's
  // child may see and use (hub/isolation/child_limits.hpp).
  void childLimits(xmlNode* n, const std::string& what, rt::Isolation mode,
                   isolation::ChildLimits& c) {
    const char* const attributes[] = {"env", "memoryLimitMb", "cpuLimitSeconds", "openFilesLimit",
                                      "user"};
    if (mode != rt::Isolation::Process) {
      for (const char* a : attributes)
        if (!prop(n, a).empty())
          problem(n, what + ": " + a +
                         " applies to a plugin-host child only: add isolation=\"process\" or "
                         "remove it");
      return;
    }
    c.env = words(prop(n, "env"));
    c.memoryMb = number<std::uint64_t>(prop(n, "memoryLimitMb"), c.memoryMb);
    c.cpuSeconds = number<std::uint64_t>(prop(n, "cpuLimitSeconds"), c.cpuSeconds);
    c.openFiles = number<std::uint64_t>(prop(n, "openFilesLimit"), c.openFiles);
    if (c.openFiles > 0 && c.openFiles < 16)
      problem(n, what + ": openFilesLimit=\"" + std::to_string(c.openFiles) +
                     "\" leaves the plugin-host too few files: give 0 (no limit) or 16 or more");
    if (auto name = prop(n, "user"); !name.empty()) {
      std::vector<char> buffer(16384);
      passwd pw{};
      passwd* found = nullptr;
      const int err = ::getpwnam_r(name.c_str(), &pw, buffer.data(), buffer.size(), &found);
      if (found == nullptr)
        problem(n, what + ": user=\"" + name + "\" " +
                       (err != 0 ? std::string("cannot be looked up: ") + std::strerror(err)
                                 : std::string("is no user on this machine")) +
                       ": give an existing user (e.g. nobody) or remove user=");
      else
        c.user = isolation::ChildUser{name, pw.pw_uid, pw.pw_gid};
    }
  }

  void retry(xmlNode* n, const std::string& what, std::chrono::milliseconds& retryMin,
             std::chrono::milliseconds& retryMax) {
    retryMin =
        std::chrono::milliseconds(number<long long>(prop(n, "retryMinMs"), retryMin.count()));
    retryMax =
        std::chrono::milliseconds(number<long long>(prop(n, "retryMaxMs"), retryMax.count()));
    if (retryMin > retryMax)
      problem(n, what + ": retryMinMs (" + std::to_string(retryMin.count()) +
                     ") is larger than retryMaxMs (" + std::to_string(retryMax.count()) + ")");
  }

  std::chrono::milliseconds interval(xmlNode* n, const std::string& what,
                                     std::chrono::milliseconds fallback) {
    auto text = prop(n, "interval");
    if (text.empty()) return fallback;
    auto d = duration(text);
    if (!d || d->count() <= 0) {
      problem(n, what + ": interval \"" + text +
                     "\" must be a positive duration such as 500ms, 30s, 5m or 1h");
      return fallback;
    }
    return *d;
  }

  void pluginSource(xmlNode* n) {
    rt::SourceSettings s;
    s.id = prop(n, "id");
    s.origin = origin(n);
    const std::string what = "plugin source \"" + s.id + "\"";
    claimId(n, what, s.id);
    howToRun(n, s.isolation, s.timeout);
    childLimits(n, what, s.isolation, s.child);
    retry(n, what, s.retryMin, s.retryMax);
    s.interval = interval(n, what, s.interval);
    s.jitter = number<double>(prop(n, "jitter"), s.jitter);
    s.concurrency = number<int>(prop(n, "concurrency"), s.concurrency);
    if (auto rate = prop(n, "maxRecordsPerSecond"); !rate.empty())
      s.maxRecordsPerSecond = std::stod(rate);
    s.scope = intake::Scope::writer(s.id);
    if (auto r = prop(n, "roles"); !r.empty()) {
      intake::Scope granted;
      if (auto err = intake::grantRoles(granted, words(r))) problem(n, what + ": " + *err);
      if (!granted.write || granted.read || granted.executor)
        problem(n, what + " has roles=\"" + r +
                       "\": a source plugin takes the roles source and (optionally) controller");
      s.scope.controller = granted.controller;
    }
    scope(n, what, s.scope.regions, s.scope.sectors);
    priority(n, what, s.id);
    s.transforms = words(prop(n, "transforms"));
    std::map<std::string, int> lines;
    s.options = options(n, what, lines);
    if (auto lib = library(n, what)) {
      s.library = *lib;
      checkPlugin(n, what, s.library, ph::Kind::Source, s.options, lines);
    }
    cfg_.pluginSources.push_back(std::move(s));
    sourceNodes_.push_back(n);
  }

  void pluginTransform(xmlNode* n) {
    rt::TransformSettings t;
    t.id = prop(n, "id");
    t.origin = origin(n);
    const std::string what = "plugin transform \"" + t.id + "\"";
    claimId(n, what, t.id);
    howToRun(n, t.isolation, t.timeout);
    childLimits(n, what, t.isolation, t.child);
    std::map<std::string, int> lines;
    t.options = options(n, what, lines);
    if (auto lib = library(n, what)) {
      t.library = *lib;
      checkPlugin(n, what, t.library, ph::Kind::Transform, t.options, lines);
    }
    cfg_.pluginTransforms.push_back(std::move(t));
  }

  // Every id in a source's transforms names a <transform>, once.
  void transformChain(xmlNode* n, const rt::SourceSettings& s) {
    const std::string what = "plugin source \"" + s.id + "\"";
    std::set<std::string> seen;
    for (const auto& id : s.transforms) {
      if (!seen.insert(id).second) {
        problem(n, what + ": transform \"" + id + "\" is listed twice in transforms: list it once");
        continue;
      }
      const bool isTransform =
          std::any_of(cfg_.pluginTransforms.begin(), cfg_.pluginTransforms.end(),
                      [&](const rt::TransformSettings& t) { return t.id == id; });
      if (isTransform) continue;
      auto used = ids_.find(id);
      if (used != ids_.end())
        problem(n, what + ": transforms names \"" + id + "\", which is " + used->second +
                       ", not a transform");
      else
        problem(n, what + ": transform \"" + id +
                       "\" is not configured: declare it as <transform id=\"" + id +
                       "\" library=\"...\"> in <plugins>");
    }
  }

  void pluginSink(xmlNode* n) {
    rt::SinkSettings s;
    s.id = prop(n, "id");
    s.origin = origin(n);
    const std::string what = "plugin sink \"" + s.id + "\"";
    claimId(n, what, s.id);
    howToRun(n, s.isolation, s.timeout);
    childLimits(n, what, s.isolation, s.child);
    retry(n, what, s.retryMin, s.retryMax);
    s.idle = interval(n, what, s.idle);
    s.batchSize = number<std::size_t>(prop(n, "batchSize"), s.batchSize);
    std::map<std::string, int> lines;
    s.options = options(n, what, lines);
    if (auto lib = library(n, what)) {
      s.library = *lib;
      checkPlugin(n, what, s.library, ph::Kind::Sink, s.options, lines);
    }
    cfg_.pluginSinks.push_back(std::move(s));
  }

  // <hub id regions><certificate file/>{1,2}</hub> in <peers>: a hub that sends feed batches.
  void peer(xmlNode* n) {
    api::PeerHub p;
    p.id = prop(n, "id");
    const std::string what = "peer hub \"" + p.id + "\"";
    if (p.id == cfg_.hubId)
      problem(n, what + " is this hub's own id: a hub does not receive its own batches");
    for (const auto& other : cfg_.peers)
      if (other.id == p.id) problem(n, what + " is declared twice: declare each hub once");
    std::set<std::string> sectors;  // a hub's batches may carry every sector
    scope(n, what, p.regions, sectors);
    if (words(prop(n, "regions")).empty())
      problem(n, what +
                     " has no regions: give the SOATO codes of the regions it covers, e.g. "
                     "regions=\"1726\" (or * for every region)");
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    for (xmlNode* c = n->children; c; c = c->next) {
      if (!is(c, "certificate")) continue;
      const std::string file = prop(c, "file");
      const fs::path path = fs::path(file).is_absolute() ? fs::path(file) : configDir() / file;
      if (p.certificatePems.size() == 2) {
        problem(c, what +
                       ": at most two certificates (the current one and the next, during a "
                       "key rotation); remove \"" +
                       file + "\"");
        continue;
      }
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        problem(c, what + ": certificate file " + path.string() +
                       " cannot be read (a relative path is relative to the folder of this "
                       "file): check the path and its permissions");
        continue;
      }
      std::ostringstream pem;
      pem << in.rdbuf();
      try {
        const auto info = xml::readCertificate(pem.str());
        if (info.notAfter < now) {
          problem(c, what + ": certificate " + path.string() + " (" + info.subject +
                         ") has expired: configure the hub's current certificate");
          continue;
        }
        p.certificatePems.push_back(pem.str());
        p.certificateNames.push_back(file);
        p.certificateNotAfter.push_back(info.notAfter);
      } catch (const std::exception& e) {
        problem(c,
                what + ": certificate " + path.string() + " is not a PEM certificate: " + e.what());
      }
    }
    if (p.certificatePems.empty())
      problem(n, what +
                     " has no usable certificate: add <certificate file=\"...pem\"/>, the "
                     "certificate the hub signs its batches with");
    cfg_.peers.push_back(std::move(p));
  }

  std::string path_;
  std::map<std::string, OptionForm> forms_;  // how each option of the instance at hand was given
  Config& cfg_;
  bool checkPlugins_;
  std::map<std::string, std::string> ids_;  // id -> what uses it
  std::vector<xmlNode*> sourceNodes_;       // where each of cfg_.pluginSources is declared
  std::map<std::string, long> orgCodes_;    // organisation code -> line
  // normalised spelling -> (organisation code, line)
  std::map<std::string, std::pair<std::string, long>> spellings_;
};

}  // namespace

ConfigError::ConfigError(std::vector<std::string> p)
    : std::runtime_error(p.empty() ? "configuration error" : p.front()), problems(std::move(p)) {}

Config loadConfig(const std::string& path, const std::string& schemaDir, bool checkPlugins) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError({path + ": cannot read the configuration file"});
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string bytes = buf.str();

  xml::DocPtr doc;
  try {
    doc = xml::parseDocument(bytes, path);
  } catch (const xml::XmlError& e) {
    throw ConfigError({path + ":" + std::to_string(e.line) + ": " + e.what()});
  }
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!root || !is(root, "hub") || !root->ns ||
      !xmlStrEqual(root->ns->href, reinterpret_cast<const xmlChar*>(kConfigNs)))
    throw ConfigError(
        {path + ":1: the root element must be <hub xmlns=\"" + std::string(kConfigNs) + "\">"});

  xml::Schema schema(schemaDir + "/hub-config.xsd");
  auto schemaProblems = schema.validate(doc.get(), path);
  if (!schemaProblems.empty()) throw ConfigError(std::move(schemaProblems));

  Config cfg;
  cfg.path = path;
  Loader loader(path, cfg, checkPlugins);
  loader.load(root);
  if (auto p = plainHttpProblem(cfg)) loader.problems.push_back(std::move(*p));
  if (!loader.problems.empty()) throw ConfigError(std::move(loader.problems));
  return cfg;
}

namespace {

// 127.0.0.0/8, ::1 (also written out, or as ::ffff:127.x.y.z) and the name localhost.
bool isLoopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

}  // namespace

std::optional<std::string> plainHttpProblem(const Config& cfg) {
  if (cfg.tls || cfg.allowPlainHttp || isLoopback(cfg.host)) return std::nullopt;
  return cfg.path + ":" + std::to_string(cfg.listenLine) + ": listen host \"" + cfg.host +
         "\" without TLS would send bearer tokens and data in clear text to other machines: "
         "add <tls certificate=\"...\" key=\"...\"/> inside <listen>, or allowPlainHttp=\"true\" "
         "on <listen> when a TLS proxy in front of the hub is the only client";
}

std::string findSchemaDir(const std::string& flag) {
  return findSchema("hub-config.xsd", flag).parent_path().string();
}

std::vector<fs::path> defaultPluginDirs() {
  const fs::path exe = executablePath();
  if (exe.empty()) return {};
  return {pluginDirBeside(exe)};
}

}  // namespace ijro::app
