#include "hub/app/cli.hpp"

#include <boost/program_options.hpp>
#include <cstdlib>
#include <iostream>
#include <string>

#include "hub/app/command_line.hpp"
#include "hub/app/config.hpp"
#include "hub/app/dlq.hpp"
#include "hub/app/export_commands.hpp"
#include "hub/app/feed_commands.hpp"
#include "hub/app/plugin_commands.hpp"
#include "hub/app/serve.hpp"
#include "hub/app/store_commands.hpp"
#include "hub/app/token_commands.hpp"
#include "hub/store/store.hpp"

namespace ijro::app {

namespace po = boost::program_options;

namespace {

constexpr const char* kUsage =
    "usage: ijro-hub <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve --config FILE [--listen HOST:PORT] [--store URL]   run the hub\n"
    "  validate --config FILE                                    check a configuration file\n"
    "  plugin info FILE.so [--json]                              describe a plugin\n"
    "  plugin test FILE.so [--options FILE] [--input FILE]       run a plugin on its own\n"
    "  dlq list|replay --config FILE ...                         dead letters of plugin instances\n"
    "  store history --store URL --measure ID [...]             accepted changes, every source\n"
    "  token issue|list|revoke --config FILE ...                 bearer tokens issued at run time\n"
    "  feed verify FILE --cert PEM | keygen | sign ...           signatures of feed batches\n"
    "  export --config FILE --format xlsx|csv --what ... --out F  the list or summary as a file\n"
    "  plugin-host --fd N               (internal) one isolated plugin, started by the hub\n"
    "\n"
    "Run 'ijro-hub <command> --help' for the options of a command.\n";

Config load(const po::variables_map& vm) {
  return loadConfig(vm["config"].as<std::string>(), findSchemaDir(vm["schemas"].as<std::string>()));
}

int validateCommand(int argc, char** argv) {
  auto desc = configOptions(
      "ijro-hub validate: check a configuration file and report every problem", false);
  po::variables_map vm;
  if (!parseCommandLine(argc, argv, desc, vm)) return 0;
  auto cfg = load(vm);
  std::cout << cfg.path << ": valid (hub \"" << cfg.hubId << "\", " << cfg.sources.size()
            << " sources, store " << store::redactStoreUrl(cfg.storeUrl) << ")\n";
  return 0;
}

// "HOST:PORT" or ":PORT" or "[v6]:PORT".
void applyListen(Config& cfg, const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    throw std::invalid_argument("--listen \"" + listen +
                                "\" must be HOST:PORT, e.g. 127.0.0.1:8080");
  std::string host = listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535)
    throw std::invalid_argument("--listen \"" + listen + "\": the port must be 0..65535");
  if (!host.empty()) cfg.host = host;
  cfg.port = static_cast<std::uint16_t>(port);
}

int serveCommand(int argc, char** argv) {
  auto desc = configOptions("ijro-hub serve: run the hub", true);
  desc.add_options()("listen", po::value<std::string>(),
                     "HOST:PORT to listen on (overrides the file)");
  po::variables_map vm;
  if (!parseCommandLine(argc, argv, desc, vm)) return 0;
  auto cfg = load(vm);
  if (vm.count("listen")) applyListen(cfg, vm["listen"].as<std::string>());
  // --listen may have moved the hub off loopback: the same rule as the file's.
  if (auto p = plainHttpProblem(cfg)) throw ConfigError({*p});
  if (vm.count("store")) cfg.storeUrl = vm["store"].as<std::string>();
  return serve(cfg);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  try {
    if (command == "serve") return serveCommand(argc - 1, argv + 1);
    if (command == "validate") return validateCommand(argc - 1, argv + 1);
    if (command == "plugin") return app::pluginCommand(argc - 1, argv + 1);
    if (command == "dlq") return dlqCommand(argc - 1, argv + 1);
    if (command == "store") return storeCommand(argc - 1, argv + 1);
    if (command == "token") return tokenCommand(argc - 1, argv + 1);
    if (command == "feed") return feedCommand(argc - 1, argv + 1);
    if (command == "export") return exportCommand(argc - 1, argv + 1);
    if (command == "plugin-host") return app::pluginHostCommand(argc - 1, argv + 1);
    std::cerr << "ijro-hub: unknown command \"" << command << "\"\n\n" << kUsage;
    return 2;
  } catch (const ConfigError& e) {
    for (const auto& p : e.problems) std::cerr << p << "\n";
    std::cerr << "ijro-hub: the configuration has " << e.problems.size()
              << (e.problems.size() == 1 ? " problem" : " problems") << "; nothing was started\n";
    return 2;
  } catch (const po::error& e) {
    std::cerr << "ijro-hub " << command << ": " << e.what() << " (see --help)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ijro-hub " << command << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace ijro::app
