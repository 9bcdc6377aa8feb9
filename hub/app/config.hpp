// The hub's configuration (config/hub.xml, schema schemas/hub-config.xsd).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "hub/api/api.hpp"
#include "hub/http/server.hpp"
#include "hub/intake/scope.hpp"
#include "hub/model/sectors.hpp"
#include "hub/model/status.hpp"
#include "hub/runtime/runtime.hpp"
#include "hub/store/organisations.hpp"

namespace ijro::app {

inline constexpr const char* kConfigNs = "urn:ijro-hub:config:1";

struct Config {
  std::string path;  // the file it came from
  std::string hubId = "ijro-hub";
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 2;
  std::string storeUrl = "sqlite:var/hub.db";
  int storePool = 4;
  // <store passwordFromFile|passwordFromEnv>: the PostgreSQL password, kept out of the URL (and
  // so out of logs, `validate` and `ps`). Never printed.
  std::string storePassword;
  std::string logLevel = "info";
  std::string logFormat = "text";  // text | json
  std::size_t bodyLimit = 4u << 20;
  int maxXmlDepth = 64;
  std::chrono::milliseconds headerTimeout{10'000};
  std::chrono::milliseconds readTimeout{30'000};
  // <limits>: the HTTP server's load shedding and admission (http::ServerOptions and
  // api::AdmissionSettings hold what each one means and its default).
  http::ServerOptions http{};
  api::AdmissionSettings admission{};
  std::size_t largeReads = 8;  // api::Settings::largeReads
  // <evidence>: uploaded files. dir empty: "evidence" beside the SQLite database file (with
  // PostgreSQL, which keeps the content itself, var/evidence holds only uploads in transit).
  std::string evidenceDir;
  std::uint64_t evidenceMaxBytes = 50u << 20;
  std::set<std::string> evidenceTypes = {
      "application/pdf", "image/png", "image/jpeg",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"};
  std::chrono::milliseconds evidenceReadTimeout{300'000};  // a whole upload must arrive within
  model::StatusRules rules;
  model::SectorCatalogue sectors;
  std::vector<intake::Scope> sources;  // <sources>: bearer tokens that post reports
  std::vector<intake::Scope> readers;  // <readers>: bearer tokens that only read
  // <plugins>: instances with their library paths resolved (see <hub pluginDir>).
  std::vector<runtime::SourceSettings> pluginSources;
  std::vector<runtime::TransformSettings> pluginTransforms;
  std::vector<runtime::SinkSettings> pluginSinks;
  std::vector<std::filesystem::path> pluginDirs;  // where bare library names were looked for
  // <organisations>: codes, names per language and the spellings sources use for each.
  std::vector<store::Organisation> organisations;
  // priority="N" on HTTP and plugin sources (those without it: store::kDefaultSourcePriority).
  std::map<std::string, int> sourcePriorities;
  // <feed>: the hub's outgoing feed of signed batches (absent: the hub makes no batches).
  struct Push {
    std::string url;  // the receiver's POST /api/v1/feeds, https:// (http:// only when allowed)
    std::string caFile, clientCertFile, clientKeyFile;  // resolved against the file's folder
    bool allowPlainHttp = false;
    std::chrono::milliseconds timeout{30'000};
    std::chrono::milliseconds retryMin{500}, retryMax{60'000};
  };
  struct Feed {
    std::string keyFile, certificateFile;  // the hub's signing key and its certificate
    std::size_t batchSize = 500;
    std::chrono::milliseconds interval{1000};
    std::optional<Push> push;
    std::string exchangeDir;  // <exchange dir>: batches also as XML exchange files (resolved)
  };
  std::optional<Feed> feed;
  // "name version" of each plugin library, by its resolved path, when the libraries were loaded
  // to check their options (loadConfig with checkPlugins).
  std::map<std::string, std::string> pluginVersions;
  // <listen><tls certificate key clientCa requireClientCert/></listen>: HTTPS on the port, the
  // files resolved against the configuration file's folder. Unset: plain HTTP.
  std::optional<http::ServerTls> tls{};
  // <listen allowPlainHttp="true">: plain HTTP on an address other than loopback is accepted.
  bool allowPlainHttp = false;
  int listenLine = 0;  // the <listen> element's line, for problems about it (0: none)
  // <peers>: the hubs whose signed feed batches this hub receives (POST /api/v1/feeds), each
  // with its regions and its certificates read and checked at load.
  std::vector<api::PeerHub> peers{};
  // <iati reportingOrg type><name lang/>+</iati>: the IATI export's reporting organisation.
  api::IatiSettings iati{};
};

// Every problem found, as "file:line: what is wrong and how to fix it".
struct ConfigError : std::runtime_error {
  explicit ConfigError(std::vector<std::string> problems);
  std::vector<std::string> problems;
};

// Loads, schema-validates and checks a configuration file. Relative store paths
// ("sqlite:var/hub.db") are kept as written: they resolve against the working directory; so are
// plugin options of type path. schemaDir: where hub-config.xsd lives. With checkPlugins, each
// plugin library is loaded (its descriptor, not its hooks) and the instance's options checked
// against its option table. Throws ConfigError listing every problem.
Config loadConfig(const std::string& path, const std::string& schemaDir, bool checkPlugins = true);

// Plain HTTP where other machines can reach it carries bearer tokens and data in clear text: the
// problem ("FILE:LINE: ...", saying to add <tls> or allowPlainHttp="true") when the hub would
// listen without TLS on an address other than loopback (127.0.0.0/8, ::1, localhost) and
// allowPlainHttp is not set; nullopt otherwise. loadConfig checks it; `serve` checks it again
// after --listen changed the address.
std::optional<std::string> plainHttpProblem(const Config& cfg);

// The folder holding hub-config.xsd: `flag` (--schemas) if not empty, else $IJRO_SCHEMA_DIR, else
// ../share/ijro-hub/schemas beside the binary (see paths.hpp). Throws SchemaNotFound.
std::string findSchemaDir(const std::string& flag);

// Where a library given by bare name is looked for when <hub pluginDir> is not set:
// ../lib/ijro-hub/plugins beside the binary (see paths.hpp); none if the binary is unknown.
std::vector<std::filesystem::path> defaultPluginDirs();

}  // namespace ijro::app
