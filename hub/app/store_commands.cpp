#include "hub/app/store_commands.hpp"

#include <boost/program_options.hpp>
#include <iostream>
#include <string>
#include <utility>

#include "hub/app/command_line.hpp"
#include "hub/app/config.hpp"
#include "hub/store/store.hpp"

namespace ijro::app {

namespace po = boost::program_options;

namespace {

constexpr const char* kUsage =
    "usage: ijro-hub store history (--store URL | --config FILE) --measure ID [--region R]\n"
    "                              [--organisation O] [--task ID] [--order newest|oldest]\n"
    "                              [--page N] [--page-size N]\n"
    "       ijro-hub store check (--store URL | --config FILE)\n"
    "\n"
    "Every accepted change of the measure's implementations, from every source: the history id,\n"
    "when it was received, the source, the revision, region and organisation as the source "
    "spelled\n"
    "it, then what changed, one line each. --organisation takes the organisation's code or any of\n"
    "its spellings; --task keeps the changes that name that task and the report that created it.\n"
    "Newest first unless --order oldest.\n"
    "\n"
    "check opens the store (applying any migration, as serve does) and prints its backend, schema\n"
    "version and the settings in force on each pooled connection, then looks for child rows "
    "(tasks,\n"
    "indicators, periods, evidence, journals) whose parent row is missing. Exit status 0 when "
    "there\n"
    "are none, 1 when there are (the store never writes such rows: they come from a change made\n"
    "outside ijro-hub), 2 on bad arguments.\n";

// --store URL, or the store of --config FILE: the URL and the password kept out of it.
std::pair<std::string, std::string> storeOf(const po::variables_map& vm) {
  if (vm.count("store")) return {vm["store"].as<std::string>(), ""};
  if (vm.count("config")) {
    const auto cfg = loadConfig(vm["config"].as<std::string>(),
                                findSchemaDir(vm["schemas"].as<std::string>()), false);
    return {cfg.storeUrl, cfg.storePassword};
  }
  throw po::error("give --store URL (or --config FILE to use its store)");
}

int check(int argc, char** argv) {
  po::options_description desc("ijro-hub store check");
  desc.add_options()("help,h", "show this help")("store", po::value<std::string>(), "store URL")(
      "config", po::value<std::string>(), "configuration file (uses its store)")(
      "schemas", po::value<std::string>()->default_value(""), "directory holding the XSDs");
  po::variables_map vm;
  if (!parseCommandLine(argc, argv, desc, vm, nullptr, kUsage)) return 0;
  const auto [url, password] = storeOf(vm);
  auto store = store::Store::open(url, 1, password);
  std::cout << "store: " << store::redactStoreUrl(url) << "\n"
            << "backend: " << store->backend() << ", schema version " << store->schemaVersion()
            << "\n";
  int n = 0;
  for (const auto& settings : store->connectionSettings()) {
    std::cout << "connection " << ++n << ":";
    for (const auto& [name, value] : settings) std::cout << " " << name << "=" << value;
    std::cout << "\n";
  }
  const auto orphans = store->orphanRows();
  if (orphans.empty()) {
    std::cout << "child rows: every one has its parent row\n";
    return 0;
  }
  long long total = 0;
  for (const auto& [table, count] : orphans) total += count;
  std::cout << "child rows without their parent row: " << total << "\n";
  for (const auto& [table, count] : orphans) std::cout << "  " << table << ": " << count << "\n";
  std::cout << "ijro-hub never writes such rows: the database was changed outside it (by hand, "
               "or a partial restore). Reading an implementation whose rows are incomplete fails "
               "with a store error, and a new implementation could be given a missing parent's id "
               "and show its rows. Restore the database from a backup taken before the change, or "
               "delete those rows.\n";
  return 1;
}

int history(int argc, char** argv) {
  po::options_description desc("ijro-hub store history");
  desc.add_options()("help,h", "show this help")("store", po::value<std::string>(), "store URL")(
      "config,c", po::value<std::string>(), "take the store URL from this configuration")(
      "schemas", po::value<std::string>()->default_value(""), "directory holding the XSDs")(
      "measure", po::value<std::string>(), "measure id (required)")(
      "region", po::value<std::string>(), "region or district code")(
      "organisation", po::value<std::string>(), "organisation code or spelling")(
      "task", po::value<std::string>(), "task (assignment) id")(
      "order", po::value<std::string>()->default_value("newest"), "newest or oldest first")(
      "page", po::value<std::size_t>()->default_value(1), "page, from 1")(
      "page-size", po::value<std::size_t>()->default_value(100), "entries per page");
  po::variables_map vm;
  if (!parseCommandLine(argc, argv, desc, vm, nullptr, kUsage)) return 0;
  if (!vm.count("measure")) throw po::error("--measure ID is required");
  const auto [url, password] = storeOf(vm);
  const auto order = vm["order"].as<std::string>();
  if (order != "newest" && order != "oldest")
    throw po::error("--order must be newest or oldest, not \"" + order + "\"");
  const auto page = vm["page"].as<std::size_t>(), size = vm["page-size"].as<std::size_t>();
  if (page < 1 || size < 1) throw po::error("--page and --page-size start at 1");

  store::HistoryQuery q{vm["measure"].as<std::string>()};
  if (vm.count("region")) q.region = vm["region"].as<std::string>();
  if (vm.count("organisation")) q.organisation = vm["organisation"].as<std::string>();
  if (vm.count("task")) q.assignment = vm["task"].as<std::string>();
  q.newestFirst = order == "newest";
  q.offset = (page - 1) * size;
  q.limit = size;
  auto store = store::Store::open(url, 1, password);
  auto entries = store->historyOf(q);
  if (entries.empty()) {
    std::cout << "no accepted changes of " << q.measureId << " match\n";
    return 0;
  }
  for (const auto& e : entries) {
    std::cout << "#" << e.id << "  " << e.receivedAt << "  " << e.key.source << "  revision "
              << e.revision << "  " << e.key.region << "  " << e.key.organisation;
    if (e.organisationKey != e.key.organisation) std::cout << "  [" << e.organisationKey << "]";
    std::cout << "\n";
    std::size_t start = 0;
    while (start <= e.changes.size()) {
      auto end = e.changes.find('\n', start);
      std::cout << "    " << e.changes.substr(start, end == std::string::npos ? end : end - start)
                << "\n";
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return 0;
}

}  // namespace

int storeCommand(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string sub = argv[1];
  if (sub == "history") return history(argc - 1, argv + 1);
  if (sub == "check") return check(argc - 1, argv + 1);
  std::cerr << "ijro-hub store: unknown command \"" << sub << "\"\n\n" << kUsage;
  return 2;
}

}  // namespace ijro::app
