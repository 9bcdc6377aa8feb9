#include "hub/app/dlq.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "hub/app/command_line.hpp"
#include "hub/app/config.hpp"
#include "hub/exchange/json_text.hpp"
#include "hub/store/store.hpp"

namespace ijro::app {

namespace po = boost::program_options;
namespace json = boost::json;

namespace {

constexpr const char* kUsage =
    "usage: ijro-hub dlq list   --config FILE [--store URL] [--source ID | --sink ID] [--all] "
    "[--json]\n"
    "       ijro-hub dlq replay --config FILE [--store URL] (--id N ... | --all) "
    "[--source ID | --sink ID]\n"
    "\n"
    "Dead letters are the records a plugin instance could not take, kept with the reason: a\n"
    "source's records that are invalid, outside its regions/sectors or refused by the store, and\n"
    "a sink's records it answered ERROR for. `list` shows those not yet replayed (--all: every\n"
    "one). `replay` queues them: the running hub retries them in the instance's next cycle (a\n"
    "source checks and stores them again, a sink delivers them again); one that fails again goes\n"
    "back to the dead letters with the new reason.\n";

struct Selection {
  std::optional<store::DeadLetterKind> kind;
  std::optional<std::string> owner;
};

Selection selection(const po::variables_map& vm) {
  Selection s;
  if (vm.count("source") && vm.count("sink")) throw po::error("give --source or --sink, not both");
  if (vm.count("source")) {
    s.kind = store::DeadLetterKind::Source;
    s.owner = vm["source"].as<std::string>();
  }
  if (vm.count("sink")) {
    s.kind = store::DeadLetterKind::Sink;
    s.owner = vm["sink"].as<std::string>();
  }
  return s;
}

std::string keyText(const store::DeadLetter& d) {
  if (d.key.measureId.empty() && d.key.region.empty() && d.key.organisation.empty())
    return "(record not readable)";
  std::string out = d.key.measureId + " / " + d.key.region + " / " + d.key.organisation;
  if (d.revision) out += " rev " + std::to_string(*d.revision);
  return out;
}

std::string oneLine(std::string s, std::size_t max) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (s.size() > max) s = s.substr(0, max) + "...";
  return s;
}

json::object toJson(const store::DeadLetter& d) {
  json::object o;
  o["id"] = d.id;
  o["kind"] = store::toString(d.kind);
  o["owner"] = d.owner;
  o["state"] = store::toString(d.state);
  o["createdAt"] = d.createdAt;
  o["replayedAt"] = d.replayedAt.empty() ? json::value(nullptr) : json::value(d.replayedAt);
  o["attempts"] = d.attempts;
  o["key"] = json::object{{"source", d.key.source},
                          {"measure", d.key.measureId},
                          {"region", d.key.region},
                          {"organisation", d.key.organisation}};
  o["revision"] = d.revision ? json::value(*d.revision) : json::value(nullptr);
  o["historyId"] = d.historyId ? json::value(*d.historyId) : json::value(nullptr);
  o["reason"] = d.reason;
  o["record"] = d.record;
  return o;
}

// Every dead letter matching, in pages.
std::vector<store::DeadLetter> fetchAll(store::Store& st, store::DeadLetterFilter f) {
  std::vector<store::DeadLetter> out;
  f.limit = 1000;
  for (;;) {
    auto page = st.deadLetters(f);
    out.insert(out.end(), page.begin(), page.end());
    if (page.size() < f.limit) return out;
    f.afterId = page.back().id;
  }
}

po::options_description options(const char* title) {
  auto d = configOptions(title, true);
  d.add_options()("source", po::value<std::string>(), "only this source instance's dead letters")(
      "sink", po::value<std::string>(), "only this sink instance's dead letters");
  return d;
}

bool configured(const Config& cfg, store::DeadLetterKind kind, const std::string& owner) {
  if (kind == store::DeadLetterKind::Source) {
    for (const auto& s : cfg.pluginSources)
      if (s.id == owner) return true;
    return false;
  }
  for (const auto& s : cfg.pluginSinks)
    if (s.id == owner) return true;
  return false;
}

int list(int argc, char** argv) {
  auto desc = options("ijro-hub dlq list: show dead letters");
  desc.add_options()("all", "also those already replayed")("json", "JSON instead of text");
  po::variables_map vm;
  if (!parseCommandLine(argc, argv, desc, vm, nullptr, kUsage)) return 0;
  auto sel = selection(vm);
  Config cfg;
  auto st = openConfiguredStore(vm, cfg);
  store::DeadLetterFilter f;
  f.kind = sel.kind;
  f.owner = sel.owner;
  if (!vm.count("all")) f.states = {store::ReplayState::Dead, store::ReplayState::Queued};
  auto letters = fetchAll(*st, f);

  if (vm.count("json")) {
    json::array a;
    for (const auto& d : letters) a.push_back(toJson(d));
    std::cout << exchange::toJsonText(a) << "\n";
    return 0;
  }
  if (letters.empty()) {
    std::cout << "no dead letters" << (vm.count("all") ? "" : " waiting") << "\n";
    return 0;
  }
  for (const auto& d : letters) {
    std::cout << "#" << d.id << "  " << store::toString(d.kind) << " " << d.owner << "  "
              << store::toString(d.state) << "  " << d.createdAt << "  " << keyText(d);
    if (d.attempts > 0) std::cout << "  (" << d.attempts << " failed replays)";
    std::cout << "\n    reason: " << oneLine(d.reason, 400)
              << "\n    record: " << oneLine(d.record, 200) << "\n";
  }
  std::map<std::string, std::size_t> byOwner;
  for (const auto& d : letters) ++byOwner[std::string(store::toString(d.kind)) + " " + d.owner];
  std::cout << letters.size() << " dead letter(s):";
  for (const auto& [owner, n] : byOwner) std::cout << " " << owner << ": " << n << ";";
  std::cout << " full records: --json; queue for replay: ijro-hub dlq replay --id N\n";
  return 0;
}

int replay(int argc, char** argv) {
  auto desc = options("ijro-hub dlq replay: queue dead letters for the running hub to retry");
  desc.add_options()("id", po::value<std::vector<std::int64_t>>()->multitoken(),
                     "the dead letters to replay (ids from `dlq list`)")(
      "all", "every dead letter waiting (of --source/--sink if given)");
  po::variables_map vm;
  if (!parseCommandLine(argc, argv, desc, vm, nullptr, kUsage)) return 0;
  if (vm.count("id") == vm.count("all"))
    throw po::error("give the dead letters to replay with --id N ... or --all");
  auto sel = selection(vm);
  Config cfg;
  auto st = openConfiguredStore(vm, cfg);

  store::DeadLetterFilter f;
  f.kind = sel.kind;
  f.owner = sel.owner;
  std::vector<std::int64_t> wanted;
  if (vm.count("id")) wanted = vm["id"].as<std::vector<std::int64_t>>();
  int exit = 0;
  std::vector<std::int64_t> queued;
  if (!wanted.empty()) {
    // Say what becomes of every id asked for.
    f.ids = wanted;
    std::map<std::int64_t, store::DeadLetter> found;
    for (auto& d : fetchAll(*st, f)) found.emplace(d.id, std::move(d));
    queued = st->queueReplay(f);
    std::set<std::int64_t> now(queued.begin(), queued.end());
    for (auto id : wanted) {
      auto it = found.find(id);
      if (it == found.end()) {
        std::cerr << "#" << id << ": no such dead letter"
                  << (sel.owner
                          ? " of " + std::string(store::toString(*sel.kind)) + " " + *sel.owner
                          : std::string())
                  << "\n";
        exit = 1;
      } else if (!now.count(id)) {
        std::cerr << "#" << id << ": not queued, it is " << store::toString(it->second.state)
                  << (it->second.state == store::ReplayState::Replayed
                          ? " already (" + it->second.replayedAt + ")"
                          : std::string(" for replay already"))
                  << "\n";
      }
    }
  } else {
    queued = st->queueReplay(f);
  }

  if (queued.empty()) {
    std::cout << "nothing was queued for replay\n";
    return exit;
  }
  store::DeadLetterFilter back;
  back.ids = queued;
  auto letters = fetchAll(*st, back);
  std::map<std::pair<store::DeadLetterKind, std::string>, std::size_t> byOwner;
  std::cout << "queued " << letters.size() << " dead letter(s) for replay:\n";
  for (const auto& d : letters) {
    std::cout << "  #" << d.id << "  " << store::toString(d.kind) << " " << d.owner << "  "
              << keyText(d) << "\n";
    ++byOwner[{d.kind, d.owner}];
  }
  for (const auto& [who, n] : byOwner) {
    const auto& [kind, owner] = who;
    const bool source = kind == store::DeadLetterKind::Source;
    std::cout << (source ? "source " : "sink ") << owner << ": " << n << " record(s) "
              << (source ? "are checked and stored again at its next poll"
                         : "are delivered again in its next delivery cycle");
    if (!configured(cfg, kind, owner))
      std::cout << " (note: " << cfg.path << " has no " << (source ? "source" : "sink") << " \""
                << owner << "\": nothing replays them until a hub runs one)";
    std::cout << "\n";
  }
  return exit;
}

}  // namespace

int dlqCommand(int argc, char** argv) {
  const std::string sub = argc >= 2 ? argv[1] : "";
  if (sub == "list") return list(argc - 1, argv + 1);
  if (sub == "replay") return replay(argc - 1, argv + 1);
  if (sub == "--help" || sub == "-h" || sub == "help") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << (sub.empty() ? std::string("ijro-hub dlq: say what to do\n\n")
                            : "ijro-hub dlq: unknown subcommand \"" + sub + "\"\n\n")
            << kUsage;
  return 2;
}

}  // namespace ijro::app
