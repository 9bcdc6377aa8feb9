#include "hub/app/command_line.hpp"

#include <iostream>

namespace ijro::app {

namespace po = boost::program_options;

po::options_description configOptions(const char* title, bool withStore) {
  po::options_description d(title);
  d.add_options()("help,h", "show this help")(
      "config,c", po::value<std::string>()->default_value("config/hub.xml"), "configuration file")(
      "schemas", po::value<std::string>()->default_value(""),
      "directory holding the XSDs (default: found automatically)");
  if (withStore)
    d.add_options()("store", po::value<std::string>(), "store URL (overrides the file)");
  return d;
}

bool parseCommandLine(int argc, char** argv, const po::options_description& desc,
                      po::variables_map& vm, const po::positional_options_description* positional,
                      const char* usage) {
  po::command_line_parser parser(argc, argv);
  parser.options(desc);
  if (positional) parser.positional(*positional);
  po::store(parser.run(), vm);
  if (vm.count("help")) {
    if (usage) std::cout << usage << "\n";
    std::cout << desc << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

std::unique_ptr<store::Store> openConfiguredStore(const po::variables_map& vm, Config& cfg) {
  cfg = loadConfig(vm["config"].as<std::string>(), findSchemaDir(vm["schemas"].as<std::string>()),
                   false);
  if (vm.count("store")) cfg.storeUrl = vm["store"].as<std::string>();
  return store::Store::open(cfg.storeUrl, 1, cfg.storePassword);
}

}  // namespace ijro::app
