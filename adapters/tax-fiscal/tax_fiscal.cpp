// tax-fiscal: a source that reads the online cash-register (fiscal) system's exports dropped into
// a folder (JSON lines or XML: registrations and receipts) and reports, per region with its
// districts as breakdowns, the registers installed and the registers online as indicator values
// (see README.md).
//
// Each poll:
//   1. reads the checkpoint: the state generation G the hub committed and the files that poll
//      read; moves those files to processed_dir and deletes every state file but state-G.json
//      (an uncommitted poll's state is dropped with it);
//   2. loads state-G.json (registers, their last receipt, the document numbers seen per fiscal
//      drive) and reads the settled files in name order, registrations of every file first and
//      then receipts, so a receipt may come before its register's registration in the folder;
//      a bad entry is rejected with its reason (log, counter, NAME.rejected.txt) and the others
//      go on; a file that is not an export at all is quarantined with NAME.reason.txt;
//   3. writes state-(G+1).json, emits one record per region (revision G+1) and commits the
//      checkpoint naming G+1 and the files read.
#include <ijro_folder.hpp>
#include <ijro_plugin.hpp>
#include <ijro_progress.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "fiscal_export.hpp"

namespace {

namespace fs = std::filesystem;
namespace folder = ijro::sdk::folder;
namespace tf = ijro::tax_fiscal;
using ijro::sdk::Context;
using ijro::sdk::Host;
using ijro::sdk::OptionType;
using ijro::sdk::Status;

constexpr const char* kCheckpointHeader = "tax-fiscal 1";

struct Checkpoint {
  std::uint64_t generation = 0;
  std::vector<folder::FileId> files;
};

// "tax-fiscal 1\ngeneration G\nSIZE<TAB>MTIME_NS<TAB>NAME\n..."
std::string checkpointText(const Checkpoint& c) {
  std::string out =
      std::string(kCheckpointHeader) + "\ngeneration " + std::to_string(c.generation) + "\n";
  for (const auto& f : c.files)
    out += std::to_string(f.size) + "\t" + std::to_string(f.mtimeNs) + "\t" + f.name + "\n";
  return out;
}

Checkpoint checkpointOf(const std::optional<std::string>& text) {
  Checkpoint c;
  if (!text) return c;
  std::istringstream in(*text);
  std::string line;
  if (!std::getline(in, line) || line != kCheckpointHeader) return c;
  if (!std::getline(in, line) || line.rfind("generation ", 0) != 0) return c;
  try {
    c.generation = std::stoull(line.substr(11));
    while (std::getline(in, line)) {
      const auto a = line.find('\t');
      const auto b = a == std::string::npos ? a : line.find('\t', a + 1);
      if (b == std::string::npos) continue;
      c.files.push_back(folder::FileId{line.substr(b + 1), std::stoull(line.substr(0, a)),
                                       std::stoll(line.substr(a + 1, b - a - 1))});
    }
  } catch (const std::logic_error&) {
    throw std::runtime_error("the checkpoint is not one tax-fiscal wrote (\"" + line +
                             "\"): clear the instance's checkpoint to start again");
  }
  return c;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string piece;
  while (std::getline(in, piece, sep)) {
    while (!piece.empty() && piece.front() == ' ') piece.erase(piece.begin());
    while (!piece.empty() && piece.back() == ' ') piece.pop_back();
    if (!piece.empty()) out.push_back(piece);
  }
  return out;
}

std::string optionOr(const Host& host, const char* name, const std::string& otherwise) {
  auto v = host.option(name);
  return v && !v->empty() ? std::string(*v) : otherwise;
}

std::string dateOption(const Host& host, const char* name, const std::string& otherwise = {}) {
  const std::string v = optionOr(host, name, otherwise);
  if (!tf::parseDate(v))
    throw std::invalid_argument(std::string("option \"") + name +
                                "\" must be a date YYYY-MM-DD, not \"" + v + "\"");
  return v;
}

std::map<std::string, double> targets(const Host& host, const char* name) {
  std::map<std::string, double> out;
  if (!host.option(name)) return out;
  const ijro::sdk::Table table = host.optionTable(name);
  for (const auto& [region, value] : table.rows()) {
    const bool soato = (region.size() == 4 || region.size() == 7) &&
                       region.find_first_not_of("0123456789") == std::string::npos;
    std::size_t used = 0;
    double target = -1;
    try {
      target = std::stod(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (!soato || used != value.size() || target < 0)
      throw std::invalid_argument(std::string("option \"") + name + "\": row \"" + region +
                                  "\" -> \"" + value +
                                  "\": each row is a SOATO region code and a target of 0 or more, "
                                  "e.g. 1703 -> 12000");
    out[region] = target;
  }
  return out;
}

tf::RecordSettings recordSettings(const Host& host) {
  tf::RecordSettings s;
  s.installed.id = host.optionString("measure_id");
  s.installed.title = host.optionString("measure_title");
  s.installed.deadline = dateOption(host, "deadline");
  s.online.id = optionOr(host, "online_measure_id", s.installed.id);
  s.online.title = optionOr(host, "online_measure_title", s.installed.title);
  s.online.deadline = dateOption(host, "online_deadline", s.installed.deadline);
  s.installedCode = host.optionString("installed_indicator");
  s.onlineCode = host.optionString("online_indicator");
  if (s.installedCode == s.onlineCode)
    throw std::invalid_argument(
        "options \"installed_indicator\" and \"online_indicator\" must differ");
  s.organisation = host.optionString("organisation");
  s.actType = host.optionString("act_type");
  s.actNumber = host.optionString("act_number");
  s.actDate = dateOption(host, "act_date");
  s.start = dateOption(host, "start", s.actDate);
  s.installedTargets = targets(host, "installed_targets");
  s.onlineTargets = targets(host, "online_targets");
  const std::string period = host.optionString("period");
  if (period != "day" && period != "month")
    throw std::invalid_argument("option \"period\" must be day or month, not \"" + period + "\"");
  s.monthly = period == "month";
  return s;
}

class TaxFiscal : public ijro::sdk::Source {
 public:
  explicit TaxFiscal(Host& host)
      : dir_(host.optionString("directory")),
        processedDir_(host.option("processed_dir") ? fs::path(*host.option("processed_dir"))
                                                   : dir_ / "processed"),
        quarantineDir_(host.option("quarantine_dir") ? fs::path(*host.option("quarantine_dir"))
                                                     : dir_ / "quarantine"),
        stateDir_(host.option("state_dir") ? fs::path(*host.option("state_dir")) : dir_ / "state"),
        inbox_(dir_, split(host.optionString("pattern"), ';'),
               std::chrono::milliseconds(host.optionInt("settle_ms"))),
        maxXmlBytes_(host.optionInt("max_xml_bytes")),
        windowSeconds_(host.optionInt("online_window_hours") * 3600),
        settings_(recordSettings(host)) {
    if (host.optionInt("settle_ms") < 0)
      throw std::invalid_argument("option \"settle_ms\" must be 0 or more");
    if (windowSeconds_ <= 0)
      throw std::invalid_argument("option \"online_window_hours\" must be 1 or more");
    if (maxXmlBytes_ <= 0) throw std::invalid_argument("option \"max_xml_bytes\" must be positive");
  }

  Status poll(Context& ctx) override {
    const Checkpoint committed = checkpointOf(ctx.checkpoint());
    for (const auto& m : inbox_.moveCommitted(committed.files, processedDir_))
      if (m.to) host().counterAdd("files_processed");
    tf::State state = loadState(committed.generation);

    // Files that are exports, in name order; the others quarantined now.
    std::vector<std::pair<folder::FileId, tf::ExportFile>> files;
    for (const auto& f : inbox_.settled()) {
      try {
        files.emplace_back(
            f, tf::ExportFile(dir_ / f.name, f.name, static_cast<std::uintmax_t>(maxXmlBytes_)));
      } catch (const tf::FileError& e) {
        quarantine(f.name, e.what(), e.fix());
      }
    }
    if (files.empty()) {
      ctx.commitCheckpoint(checkpointText({committed.generation, {}}));
      return Status::Ok;
    }

    std::map<std::string, std::vector<std::string>> rejected;  // file -> messages
    std::map<std::string, std::int64_t> counters;
    std::vector<ijro::sdk::Progress> progress;
    for (const auto& [f, file] : files) progress.emplace_back(host(), f.name);
    auto refuse = [&](std::size_t i, const tf::Rejection& r) {
      rejected[files[i].first.name].push_back(r.message);
      ++counters["rejected_" + r.kind];
      progress[i].rejected();
    };
    // Registrations of every file first, then receipts: a register is known to all receipts of
    // the poll whatever the order of the files.
    for (int pass = 0; pass < 2; ++pass)
      for (std::size_t i = 0; i < files.size(); ++i) {
        tf::Intake intake(state, files[i].second);
        files[i].second.forEach([&](const tf::Entry& e) {
          const bool registration = e.problem.empty() && e.type == "registration";
          const bool receipt = e.problem.empty() && e.type == "receipt";
          if (pass == 0 && !registration && !receipt) return refuse(i, tf::Intake::unreadable(e));
          if ((pass == 0 && !registration) || (pass == 1 && !receipt)) return;
          const auto r = registration ? intake.registration(e) : intake.receipt(e);
          if (r) return refuse(i, *r);
          ++counters[registration ? "registrations_read" : "receipts_read"];
          progress[i].done();
        });
      }
    for (auto& p : progress) p.finish();

    std::vector<folder::FileId> read;
    for (const auto& [f, file] : files) {
      read.push_back(f);
      if (!state.asOf || file.asOf() > *state.asOf) state.asOf = file.asOf();
    }
    for (const auto& [name, messages] : rejected) writeRejected(name, messages);
    std::int64_t rejectedTotal = 0;
    for (const auto& [name, n] : counters) {
      host().counterAdd(name.c_str(), n);
      if (name.rfind("rejected_", 0) == 0) rejectedTotal += n;
    }
    if (rejectedTotal > 0) host().counterAdd("records_rejected", rejectedTotal);
    host().counterAdd("files_read", static_cast<std::int64_t>(files.size()));

    state.generation = committed.generation + 1;
    folder::writeTextFile(statePath(state.generation), state.serialize());
    const auto counts = tf::countByRegion(state, *state.asOf, windowSeconds_);
    for (const auto& record :
         tf::records(settings_, counts, *state.asOf, static_cast<std::int64_t>(state.generation)))
      ctx.emit(record);
    ctx.commitCheckpoint(checkpointText({state.generation, read}));
    return Status::Ok;
  }

 private:
  fs::path statePath(std::uint64_t generation) const {
    return stateDir_ / ("state-" + std::to_string(generation) + ".json");
  }

  // The committed state; other generations (older, or written by a poll the hub did not commit)
  // are deleted.
  tf::State loadState(std::uint64_t generation) {
    fs::create_directories(stateDir_);
    const fs::path keep = statePath(generation);
    for (const auto& e : fs::directory_iterator(stateDir_)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("state-", 0) == 0 && e.path() != keep) fs::remove(e.path());
    }
    if (generation == 0) return {};
    if (!fs::exists(keep))
      throw std::runtime_error(
          "the state " + keep.string() + " of the committed checkpoint (generation " +
          std::to_string(generation) +
          ") is missing: restore it from a backup, or clear the instance's checkpoint to read "
          "the registrations again from a full export");
    tf::State s = tf::State::parse(folder::readFile(keep, std::uintmax_t(1) << 34), keep.string());
    if (s.generation != generation)
      throw std::runtime_error(keep.string() + " holds generation " + std::to_string(s.generation) +
                               ", not " + std::to_string(generation));
    return s;
  }

  void writeRejected(const std::string& name, const std::vector<std::string>& messages) {
    std::string text =
        "tax-fiscal read " + name + " and counted its other entries; these were rejected:\n\n";
    for (const auto& m : messages) {
      host().warn("tax-fiscal: rejected: " + m);
      text += m + "\n";
    }
    text += "\nCorrect them in the tax system's export; the next export may carry them again.\n";
    fs::create_directories(quarantineDir_);
    folder::writeTextFile(quarantineDir_ / (name + ".rejected.txt"), text);
  }

  void quarantine(const std::string& name, const std::string& problem, const std::string& fix) {
    host().warn("tax-fiscal: " + name + " quarantined: " + problem);
    host().counterAdd("files_quarantined");
    folder::quarantine(dir_ / name, quarantineDir_,
                       "tax-fiscal could not read " + name +
                           " as an export of the fiscal "
                           "system and moved it here.\n\nWhat is wrong:\n  " +
                           problem + "\n\nHow to fix it:\n  " + fix +
                           " Then drop it into the folder again.");
  }

  fs::path dir_, processedDir_, quarantineDir_, stateDir_;
  folder::Inbox inbox_;
  std::int64_t maxXmlBytes_;
  std::int64_t windowSeconds_;
  tf::RecordSettings settings_;
};

}  // namespace

IJRO_DEFINE_SOURCE_PLUGIN(
    TaxFiscal, "tax-fiscal", "1.0.0",
    "Online cash registers installed and online per region and district, from the fiscal "
    "system's exports (JSON lines or XML) dropped into a folder.",
    ijro::sdk::required(OptionType::Path, "directory", "The folder exports are dropped into."),
    ijro::sdk::required(OptionType::String, "measure_id",
                        "The measure the counts are indicators of, e.g. PQ-4525-1."),
    ijro::sdk::required(OptionType::String, "measure_title", "The measure's title."),
    ijro::sdk::required(OptionType::String, "deadline", "The measure's deadline (YYYY-MM-DD)."),
    ijro::sdk::required(OptionType::String, "act_number",
                        "Number of the act that set the measure."),
    ijro::sdk::required(OptionType::String, "act_date", "Date of the act (YYYY-MM-DD)."),
    ijro::sdk::option(OptionType::String, "act_type", "resolution", "Type of the act."),
    ijro::sdk::option(OptionType::String, "start", nullptr,
                      "Start of the measure (YYYY-MM-DD); default: act_date."),
    ijro::sdk::option(OptionType::String, "online_measure_id", nullptr,
                      "Report registers online under this measure instead; default: measure_id."),
    ijro::sdk::option(OptionType::String, "online_measure_title", nullptr,
                      "Title of online_measure_id; default: measure_title."),
    ijro::sdk::option(OptionType::String, "online_deadline", nullptr,
                      "Deadline of online_measure_id; default: deadline."),
    ijro::sdk::option(OptionType::Table, "installed_targets", nullptr,
                      "Region (SOATO) -> target number of registers installed."),
    ijro::sdk::option(OptionType::Table, "online_targets", nullptr,
                      "Region (SOATO) -> target number of registers online."),
    ijro::sdk::option(OptionType::String, "installed_indicator", "KKM-INSTALLED",
                      "Indicator code of registers installed."),
    ijro::sdk::option(OptionType::String, "online_indicator", "KKM-ONLINE",
                      "Indicator code of registers online."),
    ijro::sdk::option(OptionType::String, "organisation", "State Tax Committee",
                      "The responsible organisation named in each region's record."),
    ijro::sdk::option(OptionType::Int, "online_window_hours", "72",
                      "A register is online when its last receipt is at most this many hours "
                      "before the export's as-of time."),
    ijro::sdk::option(OptionType::String, "period", "day",
                      "The indicator period of an export: day (its as-of date) or month."),
    ijro::sdk::option(OptionType::String, "pattern", "*.jsonl;*.xml",
                      "Files to read: globs separated by ';', case-insensitive."),
    ijro::sdk::option(OptionType::Int, "settle_ms", "5000",
                      "A file is read once unchanged this long."),
    ijro::sdk::option(OptionType::Path, "processed_dir", nullptr,
                      "Where read files go; default DIRECTORY/processed."),
    ijro::sdk::option(OptionType::Path, "quarantine_dir", nullptr,
                      "Where unreadable files and lists of rejected entries go; default "
                      "DIRECTORY/quarantine."),
    ijro::sdk::option(OptionType::Path, "state_dir", nullptr,
                      "Where the registers and documents seen are kept; default DIRECTORY/state."),
    ijro::sdk::option(OptionType::Int, "max_xml_bytes", "268435456",
                      "Larger XML exports are quarantined (JSON lines are streamed)."))
