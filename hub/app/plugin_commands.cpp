#include "hub/app/plugin_commands.hpp"

#include <fmt/format.h>
#include <libxml/tree.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "hub/app/command_line.hpp"
#include "hub/app/option_elements.hpp"
#include "hub/app/paths.hpp"
#include "hub/exchange/report.hpp"
#include "hub/isolation/child.hpp"
#include "hub/isolation/isolated_runner.hpp"
#include "hub/isolation/make_runner.hpp"
#include "hub/model/date.hpp"
#include "hub/plugin_host/harness.hpp"
#include "hub/xml/safe_reader.hpp"
#include "hub/xml/schema.hpp"

namespace ijro::app {

// This file speaks the plugin boundary's and isolation's vocabulary throughout.
using namespace ijro::plugin_host;  // NOLINT(google-build-using-namespace)
using namespace ijro::isolation;    // NOLINT(google-build-using-namespace)

namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
namespace json = boost::json;

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kRefused = 2;

constexpr const char* kUsage =
    "usage: ijro-hub plugin info FILE.so [--json]\n"
    "       ijro-hub plugin test FILE.so [--options FILE] [--input FILE] [--polls N]\n"
    "                                    [--format xml|json] [--isolation in-process|process]\n"
    "\n"
    "  info   what the plugin says about itself: name, version, ABI, kind, options\n"
    "  test   runs the plugin on its own and prints what it produced as a status report\n"
    "\n"
    "Run 'ijro-hub plugin <info|test> --help' for the options of a command.\n";

constexpr const char* kOptionsNs = "urn:ijro-hub:plugin-options:1";

// Something the user gave us that we refuse: printed as it is, exit code 2.
struct Refusal : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Logs (the plugin's and the host's) go to stderr; stdout carries only the result.
void setupLogging(const std::string& level) {
  auto logger =
      std::make_shared<spdlog::logger>("plugin", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("[%l] %v");
  spdlog::set_default_logger(std::move(logger));
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off")
    throw po::validation_error(po::validation_error::invalid_option_value, "log-level", level);
  spdlog::set_level(lvl);
}

std::string readFile(const fs::path& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Refusal(fmt::format("cannot read the {} {}", what, path.string()));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- plugin info -----------------------------------------------------------------------------

std::string padded(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

void printInfo(const PluginInfo& info, std::ostream& out) {
  out << info.name << " " << info.version << " (" << toString(info.kind) << ")\n";
  if (!info.description.empty()) out << "  " << info.description << "\n";
  out << "  file: " << info.path.string() << "\n";
  out << "  ABI:  " << info.abi.str() << " (this hub: " << hostAbi().str() << ")\n";
  if (info.options.empty()) {
    out << "\noptions: none\n";
    return;
  }
  const std::vector<std::string> head = {"NAME", "TYPE", "REQUIRED", "DEFAULT", "DESCRIPTION"};
  std::vector<std::vector<std::string>> rows;
  for (const auto& o : info.options)
    rows.push_back({o.name, toString(o.type), o.required ? "yes" : "no",
                    o.defaultValue ? (o.defaultValue->empty() ? "\"\"" : *o.defaultValue) : "-",
                    o.description});
  std::vector<std::size_t> width(head.size());
  for (std::size_t c = 0; c < head.size(); ++c) {
    width[c] = head[c].size();
    for (const auto& r : rows) width[c] = std::max(width[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s = " ";
    for (std::size_t c = 0; c + 1 < cells.size(); ++c) s += " " + padded(cells[c], width[c] + 1);
    s += " " + cells.back();
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out << s << "\n";
  };
  out << "\noptions:\n";
  line(head);
  for (const auto& r : rows) line(r);
}

json::object infoJson(const PluginInfo& info) {
  json::array options;
  for (const auto& o : info.options) {
    json::object j;
    j["name"] = o.name;
    j["type"] = toString(o.type);
    j["required"] = o.required;
    j["default"] = o.defaultValue ? json::value(*o.defaultValue) : json::value(nullptr);
    j["description"] = o.description;
    options.push_back(std::move(j));
  }
  json::object j;
  j["name"] = info.name;
  j["version"] = info.version;
  j["kind"] = toString(info.kind);
  j["description"] = info.description;
  j["file"] = info.path.string();
  j["abi"] = info.abi.str();
  j["hubAbi"] = hostAbi().str();
  j["options"] = std::move(options);
  return j;
}

int infoCommand(int argc, char** argv) {
  po::options_description desc(
      "ijro-hub plugin info FILE.so: what a plugin says about itself (name, version, ABI, kind, "
      "options)");
  desc.add_options()("help,h", "show this help")("json", "print it as JSON")(
      "plugin", po::value<std::string>()->required(), "the plugin's shared library");
  po::positional_options_description positional;
  positional.add("plugin", 1);
  po::variables_map vm;
  if (!parseCommandLine(argc, argv, desc, vm, &positional)) return kOk;
  setupLogging("warn");
  LoadedPlugin plugin = load(vm["plugin"].as<std::string>());
  if (vm.count("json"))
    std::cout << json::serialize(infoJson(plugin.info())) << "\n";
  else
    printInfo(plugin.info(), std::cout);
  return kOk;
}

// ---- options files ---------------------------------------------------------------------------

// The XSD `file` where the hub's schemas are (hub/app/paths): --schemas, else $IJRO_SCHEMA_DIR,
// else beside the binary.
fs::path schemaFile(const std::string& flag, const char* file) {
  try {
    return findSchema(file, flag);
  } catch (const SchemaNotFound& e) {
    throw Refusal(e.what());
  }
}

std::string trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return std::string(s.substr(first, last - first + 1));
}

// NAME = VALUE per line; blank lines and lines starting with # are ignored.
OptionValues readConfOptions(const fs::path& path) {
  std::istringstream in(readFile(path, "options file"));
  OptionValues values;
  std::string line;
  std::vector<std::string> problems;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string text = trimmed(line);
    if (text.empty() || text.front() == '#') continue;
    const auto eq = text.find('=');
    if (eq == std::string::npos || trimmed(text.substr(0, eq)).empty()) {
      problems.push_back(
          fmt::format("{}:{}: expected NAME = VALUE, got \"{}\"", path.string(), number, text));
      continue;
    }
    std::string name = trimmed(text.substr(0, eq));
    if (!values.emplace(name, trimmed(text.substr(eq + 1))).second)
      problems.push_back(
          fmt::format("{}:{}: option \"{}\" is set a second time", path.string(), number, name));
  }
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "\n") + p;
    throw Refusal(all);
  }
  return values;
}

OptionValues readXmlOptions(const fs::path& path, const std::string& schemas) {
  const std::string bytes = readFile(path, "options file");
  xml::DocPtr doc = xml::parseDocument(bytes, path.string());
  xml::Schema schema(schemaFile(schemas, "plugin-options.xsd").string());
  if (auto problems = schema.validate(doc.get(), path.string()); !problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "\n") + p;
    throw Refusal(fmt::format("{}\n{}: not a valid options file (<options xmlns=\"{}\">)", all,
                              path.string(), kOptionsNs));
  }
  OptionValues values;
  std::vector<std::string> problems;
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  for (xmlNode* n = xmlDocGetRootElement(doc.get())->children; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    // Rows, a table's CSV file and a secret's file or variable, as in hub.xml.
    if (auto o = readOptionElement(n, path.string(), dir, "options file", problems))
      values[o->name] = std::move(o->value);
  }
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "\n") + p;
    throw Refusal(all);
  }
  return values;
}

OptionValues readOptions(const po::variables_map& vm) {
  if (!vm.count("options")) return {};
  const fs::path path = vm["options"].as<std::string>();
  if (path.extension() == ".conf") return readConfOptions(path);
  return readXmlOptions(path, vm["schemas"].as<std::string>());
}

// ---- input records ---------------------------------------------------------------------------

// A status report (XML or JSON); every record must be valid.
std::vector<model::Implementation> readInput(const fs::path& path) {
  const std::string bytes = readFile(path, "input report");
  const auto first = bytes.find_first_not_of(" \t\r\n");
  exchange::ParsedReport report;
  try {
    report = first != std::string::npos && bytes[first] == '{' ? exchange::parseReportJson(bytes)
                                                               : exchange::parseReportXml(bytes);
  } catch (const std::exception& e) {
    throw Refusal(fmt::format("{}: {}", path.string(), e.what()));
  }
  std::vector<model::Implementation> records;
  std::string problems;
  for (auto& r : report.records) {
    if (r.record && r.errors.empty()) {
      records.push_back(std::move(*r.record));
      continue;
    }
    std::string why;
    for (const auto& e : r.errors) why += (why.empty() ? "" : "; ") + e;
    problems += fmt::format("{}{}: record {} is invalid: {}", problems.empty() ? "" : "\n",
                            path.string(), r.index, why);
  }
  if (!problems.empty()) throw Refusal(problems + "\nfix the input report: it must be valid");
  return records;
}

std::vector<std::string> recordsJson(const std::vector<model::Implementation>& records) {
  std::vector<std::string> out;
  out.reserve(records.size());
  for (const auto& r : records) out.push_back(recordJson(r));
  return out;
}

// ---- plugin test -----------------------------------------------------------------------------

struct TestSettings {
  fs::path plugin;
  OptionValues options;
  HarnessOptions harness;
  std::size_t polls = 1;
  bool json = false;
  bool isolated = false;
  std::chrono::milliseconds timeout{30'000};
  std::optional<fs::path> input;
};

// The harness's checks (harness.cpp), for records that came through a runner.
RecordChecks checksFor(const model::SectorCatalogue& sectors, bool validateModel) {
  if (!validateModel) return {};
  return RecordChecks{&sectors, model::today()};
}

// What the harness does in-process, through a runner (in a child process).
SourceRun runSourceVia(Runner& runner, std::size_t polls, bool validateModel) {
  model::SectorCatalogue sectors;
  SourceRun run;
  run.checkpoint = std::nullopt;
  for (std::size_t i = 1; i <= polls; ++i) {
    PollResult r = runner.poll();
    PollOutcome o;
    o.number = i;
    o.status = r.status;
    o.message = std::move(r.message);
    if (r.status == Status::Ok) {
      o.records = checkRecords(r.records, runner.name(), checksFor(sectors, validateModel));
      for (const auto& rec : o.records)
        if (rec.valid()) run.records.push_back(*rec.record);
      if (r.checkpoint) {
        run.checkpoint = r.checkpoint;
        runner.setCheckpoint(std::move(r.checkpoint));
      }
    }
    o.checkpoint = run.checkpoint;
    run.polls.push_back(std::move(o));
  }
  return run;
}

std::string joined(const std::vector<std::string>& errors) {
  std::string s;
  for (const auto& e : errors) s += (s.empty() ? "" : "; ") + e;
  return s;
}

std::string shortJson(const std::string& text) {
  constexpr std::size_t kMax = 300;
  return text.size() <= kMax ? text : text.substr(0, kMax) + "...";
}

void printCounters(const std::map<std::string, std::int64_t>& counters) {
  if (counters.empty()) return;
  std::string s;
  for (const auto& [k, v] : counters) s += fmt::format("{}{}={}", s.empty() ? "" : " ", k, v);
  std::cerr << "counters: " << s << "\n";
}

void printReport(const std::string& source, const std::vector<model::Implementation>& records,
                 bool asJson) {
  if (records.empty()) {
    std::cerr << "no valid records: no report written\n";
    return;
  }
  std::cout << (asJson ? exchange::writeReportJson(source, records)
                       : exchange::writeReportXml(source, records));
  if (asJson) std::cout << "\n";
}

int reportSource(const std::string& name, const SourceRun& run,
                 const std::map<std::string, std::int64_t>& counters, bool asJson) {
  for (const auto& p : run.polls) {
    if (p.status != Status::Ok) {
      std::cerr << fmt::format("poll {} failed ({}): {}\n", p.number, toString(p.status),
                               p.message);
      continue;
    }
    std::cerr << fmt::format("poll {}: ok, {} records ({} valid, {} invalid), checkpoint {}\n",
                             p.number, p.records.size(), p.valid(), p.invalid(),
                             p.checkpoint ? "\"" + *p.checkpoint + "\"" : "none");
    for (const auto& r : p.records) {
      if (r.valid()) continue;
      std::cerr << fmt::format("poll {} record {} is invalid: {}\n  {}\n", p.number, r.index,
                               joined(r.errors), shortJson(r.json));
    }
  }
  printCounters(counters);
  std::cerr << fmt::format("{}: {} poll{}, {} failed; {} valid records, {} invalid\n", name,
                           run.polls.size(), run.polls.size() == 1 ? "" : "s", run.failedPolls(),
                           run.records.size(), run.invalid());
  printReport(name, run.records, asJson);
  return run.invalid() == 0 && run.failedPolls() == 0 ? kOk : kFailed;
}

int reportSink(const std::vector<model::Implementation>& input, const SinkRun& run, bool asJson) {
  const DeliverResult& r = run.result;
  bool allOk = r.status == Status::Ok;
  for (Status s : r.records) allOk = allOk && s == Status::Ok;
  if (asJson) {
    json::array records;
    for (std::size_t i = 0; i < r.records.size(); ++i) {
      json::object j;
      j["index"] = i + 1;
      if (i < input.size()) {
        j["measure"] = input[i].measure.id;
        j["region"] = input[i].region;
        j["organisation"] = input[i].organisation;
        j["revision"] = input[i].revision;
      }
      j["status"] = toString(r.records[i]);
      records.push_back(std::move(j));
    }
    json::object doc;
    doc["status"] = toString(r.status);
    doc["message"] = r.message;
    doc["records"] = std::move(records);
    std::cout << json::serialize(doc) << "\n";
  } else {
    std::cout << fmt::format("batch of {} records: {}{}{}\n", r.records.size(), toString(r.status),
                             r.message.empty() ? "" : ": ", r.message);
    for (std::size_t i = 0; i < r.records.size() && i < input.size(); ++i)
      std::cout << fmt::format("record {} (measure {}, region {}, revision {}): {}\n", i + 1,
                               input[i].measure.id, input[i].region, input[i].revision,
                               toString(r.records[i]));
  }
  printCounters(run.counters);
  return allOk ? kOk : kFailed;
}

int reportTransform(const std::string& name, const TransformRun& run, bool asJson) {
  std::vector<model::Implementation> mapped;
  bool allOk = true;
  for (const auto& o : run.records) {
    if (o.status != Status::Ok) {
      allOk = false;
      std::cerr << fmt::format("record {} failed ({}): {}\n", o.index, toString(o.status),
                               o.message);
    } else if (o.dropped()) {
      std::cerr << fmt::format("record {}: dropped\n", o.index);
    } else if (!o.output->valid()) {
      allOk = false;
      std::cerr << fmt::format("record {}: the mapped record is invalid: {}\n  {}\n", o.index,
                               joined(o.output->errors), shortJson(o.output->json));
    } else {
      std::cerr << fmt::format("record {}: mapped\n", o.index);
      mapped.push_back(*o.output->record);
    }
  }
  printCounters(run.counters);
  printReport(name, mapped, asJson);
  return allOk ? kOk : kFailed;
}

TransformRun runTransformVia(Runner& runner, std::span<const std::string> records,
                             bool validateModel) {
  model::SectorCatalogue sectors;
  TransformRun run;
  for (std::size_t i = 0; i < records.size(); ++i) {
    TransformOutcome o;
    o.index = i + 1;
    TransformResult r = runner.transform(records[i]);
    o.status = r.status;
    o.message = std::move(r.message);
    if (r.record) {
      auto checked = checkRecords({*r.record}, runner.name(), checksFor(sectors, validateModel));
      checked[0].index = o.index;
      o.output = std::move(checked[0]);
    }
    run.records.push_back(std::move(o));
  }
  return run;
}

int runTest(const TestSettings& t) {
  std::vector<model::Implementation> input;
  if (t.input) input = readInput(*t.input);
  auto needInput = [&](Kind kind) {
    if (!t.input)
      throw Refusal(
          fmt::format("a {} needs --input REPORT: the records to hand to it", toString(kind)));
  };

  if (!t.isolated) {
    LoadedPlugin plugin = load(t.plugin);
    const std::string name =
        t.harness.instanceName.empty() ? plugin.info().name : t.harness.instanceName;
    switch (plugin.info().kind) {
      case Kind::Source: {
        SourceRun run = runSource(plugin, t.options, t.polls, t.harness);
        return reportSource(name, run, run.counters, t.json);
      }
      case Kind::Sink:
        needInput(Kind::Sink);
        return reportSink(input, runSink(plugin, t.options, input, t.harness), t.json);
      case Kind::Transform: {
        needInput(Kind::Transform);
        const auto records = recordsJson(input);
        return reportTransform(name, runTransform(plugin, t.options, records, t.harness), t.json);
      }
    }
    return kFailed;
  }

  RunnerOptions ro;
  ro.pluginPath = t.plugin;
  ro.name = t.harness.instanceName;
  ro.options = t.options;
  ro.checkpoint = t.harness.checkpoint;
  ro.limits = t.harness.limits;
  ro.isolation = Isolation::Process;
  ro.callTimeout = t.timeout;
  IsolatedRunner runner(ro);
  switch (runner.kind()) {
    case Kind::Source: {
      SourceRun run = runSourceVia(runner, t.polls, t.harness.validateModel);
      return reportSource(runner.name(), run, runner.counters(), t.json);
    }
    case Kind::Sink: {
      needInput(Kind::Sink);
      const auto records = recordsJson(input);
      SinkRun run;
      run.result = runner.deliver(records);
      run.counters = runner.counters();
      return reportSink(input, run, t.json);
    }
    case Kind::Transform: {
      needInput(Kind::Transform);
      const auto records = recordsJson(input);
      TransformRun run = runTransformVia(runner, records, t.harness.validateModel);
      run.counters = runner.counters();
      return reportTransform(runner.name(), run, t.json);
    }
  }
  return kFailed;
}

int testCommand(int argc, char** argv) {
  po::options_description desc(
      "ijro-hub plugin test FILE.so: runs one plugin on its own and prints what it produced.\n"
      "A source is polled and its valid records printed as a status report (stdout), invalid\n"
      "records and failed polls listed on stderr. A sink gets the records of --input and its\n"
      "answers are printed. A transform maps the records of --input one by one.\n"
      "Exit code: 0 all good, 1 an invalid record or a failed call, 2 refused (usage, plugin,\n"
      "options or input)");
  desc.add_options()("help,h", "show this help")("plugin", po::value<std::string>()->required(),
                                                 "the plugin's shared library")(
      "options", po::value<std::string>(),
      "the instance's options: XML (<options xmlns=\"urn:ijro-hub:plugin-options:1\"><option "
      "name=\"..\">value</option></options>) or NAME = VALUE lines in a file ending in .conf")(
      "input", po::value<std::string>(),
      "a status report (XML or JSON) whose records a sink or transform gets")(
      "polls", po::value<std::size_t>()->default_value(1), "how often to poll a source")(
      "format", po::value<std::string>()->default_value("xml"),
      "xml|json: the report's format; a sink's answers are a text table, or JSON with json")(
      "isolation", po::value<std::string>()->default_value("in-process"),
      "in-process|process: run the plugin in this process or in a plugin-host child")(
      "timeout", po::value<std::size_t>()->default_value(30'000),
      "with --isolation process: milliseconds a call may take before the child is killed")(
      "name", po::value<std::string>()->default_value(""),
      "the instance's name, the source of its records (default: the plugin's name)")(
      "checkpoint", po::value<std::string>(), "the checkpoint the first poll starts from")(
      "no-model-checks", "check records' structure only, not the model's rules")(
      "schemas", po::value<std::string>()->default_value(""),
      "directory holding the XSDs (default: found automatically)")(
      "log-level", po::value<std::string>()->default_value("info"),
      "trace|debug|info|warn|error|off: the plugin's log lines on stderr");
  po::positional_options_description positional;
  positional.add("plugin", 1);
  po::variables_map vm;
  if (!parseCommandLine(argc, argv, desc, vm, &positional)) return kOk;
  setupLogging(vm["log-level"].as<std::string>());

  TestSettings t;
  t.plugin = vm["plugin"].as<std::string>();
  t.polls = vm["polls"].as<std::size_t>();
  const std::string format = vm["format"].as<std::string>();
  if (format != "xml" && format != "json")
    throw po::validation_error(po::validation_error::invalid_option_value, "format", format);
  t.json = format == "json";
  const std::string isolation = vm["isolation"].as<std::string>();
  if (isolation != "in-process" && isolation != "process")
    throw po::validation_error(po::validation_error::invalid_option_value, "isolation", isolation);
  t.isolated = isolation == "process";
  t.timeout = std::chrono::milliseconds(vm["timeout"].as<std::size_t>());
  t.harness.instanceName = vm["name"].as<std::string>();
  if (vm.count("checkpoint")) t.harness.checkpoint = vm["checkpoint"].as<std::string>();
  t.harness.validateModel = !vm.count("no-model-checks");
  if (vm.count("input")) t.input = vm["input"].as<std::string>();
  t.options = readOptions(vm);
  return runTest(t);
}

}  // namespace

int pluginCommand(int argc, char** argv) {
  const std::string sub = argc >= 2 ? argv[1] : "";
  try {
    if (sub == "info") return infoCommand(argc - 1, argv + 1);
    if (sub == "test") return testCommand(argc - 1, argv + 1);
    if (sub == "--help" || sub == "-h" || sub == "help") {
      std::cout << kUsage;
      return kOk;
    }
    std::cerr << (sub.empty() ? std::string()
                              : "ijro-hub plugin: unknown command \"" + sub + "\"\n\n")
              << kUsage;
    return kRefused;
  } catch (const PluginError& e) {
    std::cerr << e.what() << "\n";  // the loader's words: file, versions, what to do
    return kRefused;
  } catch (const Refusal& e) {
    std::cerr << e.what() << "\n";
    return kRefused;
  } catch (const xml::XmlError& e) {
    std::cerr << e.what() << "\n";
    return kRefused;
  } catch (const po::error& e) {
    std::cerr << "ijro-hub plugin " << sub << ": " << e.what() << " (see --help)\n";
    return kRefused;
  } catch (const std::exception& e) {
    std::cerr << "ijro-hub plugin " << sub << ": " << e.what() << "\n";
    return kFailed;
  }
}

int pluginHostCommand(int argc, char** argv) {
  return pluginHostMain(argc, argv);
}

}  // namespace ijro::app
