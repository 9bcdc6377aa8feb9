#include "hub/app/config.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include "hub/model/regions.hpp"
#include "hub/xml/safe_reader.hpp"
#include "hub/xml/schema.hpp"

namespace ijro::app {

namespace {

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
  Loader(std::string path, Config& cfg) : path_(std::move(path)), cfg_(cfg) {}

  void problem(xmlNode* n, const std::string& what) {
    problems.push_back(path_ + ":" + std::to_string(n ? xmlGetLineNo(n) : 0) + ": " + what);
  }

  void load(xmlNode* root) {
    cfg_.hubId = prop(root, "id", cfg_.hubId);
    // Sectors first: sources refer to them.
    for (xmlNode* n = root->children; n; n = n->next)
      if (is(n, "sectors")) sectors(n);
    for (xmlNode* n = root->children; n; n = n->next) {
      if (is(n, "listen")) {
        cfg_.host = prop(n, "host", cfg_.host);
        cfg_.port = number<std::uint16_t>(prop(n, "port"), cfg_.port);
        cfg_.threads = number<int>(prop(n, "threads"), cfg_.threads);
      } else if (is(n, "store")) {
        cfg_.storeUrl = prop(n, "url");
        cfg_.storePool = number<int>(prop(n, "pool"), cfg_.storePool);
        if (cfg_.storeUrl.rfind("sqlite:", 0) != 0 && cfg_.storeUrl.rfind("sqlite3:", 0) != 0 &&
            cfg_.storeUrl.rfind("postgresql://", 0) != 0)
          problem(n, "store url \"" + cfg_.storeUrl +
                         "\" is not supported: use sqlite:PATH or postgresql://CONNINFO");
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
      } else if (is(n, "status")) {
        auto& r = cfg_.rules;
        r.redBelow = std::stod(prop(n, "redBelow", std::to_string(r.redBelow)));
        r.amberBelow = std::stod(prop(n, "amberBelow", std::to_string(r.amberBelow)));
        r.amberWithinDays = number<int>(prop(n, "amberWithinDays"), r.amberWithinDays);
        r.earlyWarningDays = number<int>(prop(n, "earlyWarningDays"), r.earlyWarningDays);
        if (r.redBelow > r.amberBelow) problem(n, "status redBelow must not exceed amberBelow");
      } else if (is(n, "sources")) {
        for (xmlNode* s = n->children; s; s = s->next)
          if (is(s, "source")) source(s);
      }
    }
  }

  std::vector<std::string> problems;

 private:
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

  void source(xmlNode* n) {
    api::SourceScope s;
    s.id = prop(n, "id");
    s.line = static_cast<int>(xmlGetLineNo(n));
    auto token = prop(n, "token");
    auto hash = prop(n, "tokenSha256");
    if (token.empty() == hash.empty()) {
      problem(n, "source \"" + s.id + "\" needs exactly one of token or tokenSha256");
    } else if (!token.empty()) {
      if (token.size() < 16)
        problem(n, "source \"" + s.id + "\" token is shorter than 16 characters: use a longer one");
      s.tokenSha256 = api::sha256Hex(token);
    } else {
      s.tokenSha256 = hash;
    }
    for (const auto& r : words(prop(n, "regions"))) {
      if (r == "*") continue;
      if (r != model::kNationalCode && (r.size() != 4 || !model::findRegion(r)))
        problem(n, "source \"" + s.id + "\" region \"" + r +
                       "\" is not a first-level SOATO code: use one of 1703..1735 (see "
                       "tests/data/regions.csv), 17 for national, or *");
      else
        s.regions.insert(r);
    }
    for (const auto& c : words(prop(n, "sectors"))) {
      if (c == "*") continue;
      if (!cfg_.sectors.contains(c))
        problem(n, "source \"" + s.id + "\" sector \"" + c + "\" is unknown: declare it under " +
                       "<sectors> or use a built-in one");
      else
        s.sectors.insert(c);
    }
    for (const auto& other : cfg_.sources)
      if (other.tokenSha256 == s.tokenSha256)
        problem(n, "source \"" + s.id + "\" has the same token as source \"" + other.id +
                       "\" (line " + std::to_string(other.line) + "): each source needs its own");
    cfg_.sources.push_back(std::move(s));
  }

  std::string path_;
  Config& cfg_;
};

}  // namespace

ConfigError::ConfigError(std::vector<std::string> p)
    : std::runtime_error(p.empty() ? "configuration error" : p.front()), problems(std::move(p)) {}

Config loadConfig(const std::string& path, const std::string& schemaDir) {
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
  Loader loader(path, cfg);
  loader.load(root);
  if (!loader.problems.empty()) throw ConfigError(std::move(loader.problems));
  return cfg;
}

}  // namespace ijro::app
