// education-oneroster: a source that reads OneRoster 1.1 CSV packages (bulk and delta) from a
// folder or over HTTP and reports, per region and district, the schools connected and the active
// teachers and pupils as indicator values of one configured measure (see README.md).
//
// Each poll:
//   1. takes the checkpoint the hub committed: its generation names the state file that holds the
//      roster as of the last committed poll (STATE_DIR/roster.<generation>.state); older state
//      files are removed, and the packages that poll read are moved to processed_dir;
//   2. applies the settled packages of the folder in name order, then the package at `url` if it
//      changed (a conditional request: an unchanged package answers 304 and is not read again);
//      a package refused as a whole is quarantined with its reason, a bad row is rejected with its
//      reason and the other rows count;
//   3. when a package was applied: emits one record per region and district code, writes the
//      roster of the next generation (temporary file, then rename) and commits a checkpoint naming
//      that generation. The new state counts only once the hub has committed that checkpoint with
//      the records: after a failed poll or a crash the next poll starts again from the state the
//      committed checkpoint names.
#include <ijro_folder.hpp>
#include <ijro_http.hpp>
#include <ijro_plugin.hpp>
#include <ijro_progress.hpp>
#include <ijro_record.hpp>

#include <tables/table_error.hpp>
#include <tables/zip.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "roster.hpp"

namespace {

namespace fs = std::filesystem;
namespace http = ijro::sdk::http;
namespace folder = ijro::sdk::folder;
using ijro::oneroster::PackageError;
using ijro::oneroster::PackageReport;
using ijro::oneroster::Roster;
using ijro::sdk::Context;
using ijro::sdk::Host;
using ijro::sdk::OptionType;
using ijro::sdk::Status;

std::string optionOr(const Host& host, const char* name) {
  const auto v = host.option(name);
  return v ? std::string(*v) : std::string();
}

bool isDate(const std::string& s) {
  return s.size() == 10 && s[4] == '-' && s[7] == '-' &&
         s.find_first_not_of("0123456789-") == std::string::npos;
}

std::string dateOption(const Host& host, const char* name, const std::string& fallback = {}) {
  std::string v = optionOr(host, name);
  if (v.empty()) v = fallback;
  if (!isDate(v))
    throw std::invalid_argument(std::string("option \"") + name +
                                "\" is not a date (YYYY-MM-DD): \"" + v + "\"");
  return v;
}

// The checkpoint: the roster generation the hub holds records of, the packages of the folder read
// by that poll (moved aside at the next poll) and the validators of the URL.
struct Checkpoint {
  std::int64_t generation = 0;
  std::vector<folder::FileId> files;
  std::string http;  // http::ConditionalState::serialize()

  std::string serialize() const {
    std::string out = "oneroster 1\ngeneration\t" + std::to_string(generation) + "\n";
    for (const auto& f : files)
      out += "file\t" + std::to_string(f.size) + "\t" + std::to_string(f.mtimeNs) + "\t" + f.name +
             "\n";
    return out + "http\n" + http;
  }
  static Checkpoint parse(const std::optional<std::string>& text) {
    Checkpoint cp;
    if (!text) return cp;
    std::istringstream in(*text);
    std::string line;
    if (!std::getline(in, line) || line != "oneroster 1")
      throw std::runtime_error(
          "the checkpoint is not one of this adapter (first line \"" + line.substr(0, 40) +
          "\"): give the instance a new id, or clear its checkpoint, and send a bulk package");
    while (std::getline(in, line)) {
      if (line == "http") {
        std::ostringstream rest;
        rest << in.rdbuf();
        cp.http = rest.str();
        break;
      }
      std::vector<std::string> f;
      std::istringstream fields(line);
      for (std::string part; std::getline(fields, part, '\t');) f.push_back(part);
      if (f.size() == 2 && f[0] == "generation") cp.generation = std::stoll(f[1]);
      if (f.size() == 4 && f[0] == "file")
        cp.files.push_back(folder::FileId{f[3], std::stoull(f[1]), std::stoll(f[2])});
    }
    return cp;
  }
};

// One indicator the records carry: which total, its code and its name.
struct IndicatorKind {
  std::string code;
  const char* name;
  const char* unit;
  std::int64_t ijro::oneroster::Totals::*value;
};

class OneRoster : public ijro::sdk::Source {
 public:
  explicit OneRoster(Host& host)
      : dir_(optionOr(host, "directory")),
        url_(optionOr(host, "url")),
        stateDir_(host.optionString("state_dir")),
        processedDir_(host.option("processed_dir") ? fs::path(*host.option("processed_dir"))
                                                   : dir_ / "processed"),
        quarantineDir_(host.option("quarantine_dir") ? fs::path(*host.option("quarantine_dir"))
                                                     : dir_ / "rejected"),
        settle_(host.optionInt("settle_ms")),
        maxPackageBytes_(host.optionInt("max_package_bytes")),
        inbox_(dir_, {"*.zip"}, std::chrono::milliseconds(settle_ < 0 ? 0 : settle_)),
        client_(clientOptions(host)) {
    if (dir_.empty() && url_.empty())
      throw std::invalid_argument(
          "set option \"directory\" (a folder of OneRoster .zip packages) or \"url\" (where a "
          "package is served), or both");
    if (settle_ < 0) throw std::invalid_argument("option \"settle_ms\" must be 0 or more");
    if (maxPackageBytes_ <= 0)
      throw std::invalid_argument("option \"max_package_bytes\" must be more than 0");
    if (!optionOr(host, "token").empty() && !optionOr(host, "username").empty())
      throw std::invalid_argument(
          "set option \"token\" (Bearer) or \"username\" and \"password\" (Basic), not both");
    if (!optionOr(host, "token").empty()) auth_.push_back(http::bearer(optionOr(host, "token")));
    if (!optionOr(host, "username").empty())
      auth_.push_back(http::basic(optionOr(host, "username"), optionOr(host, "password")));
    const ijro::sdk::Table regions = host.optionTable("regions");
    for (const auto& [key, code] : regions.rows()) {
      if (!ijro::oneroster::soatoCode(code))
        throw std::invalid_argument("option \"regions\": row \"" + key + "\" maps to \"" + code +
                                    "\", not a SOATO region (4 digits, e.g. 1703) or district "
                                    "(7 digits, e.g. 1703202) code");
      codeByOrg_[key] = code;
    }
    const ijro::sdk::Table targets =
        host.option("targets") ? host.optionTable("targets") : ijro::sdk::Table();
    for (const auto& [key, value] : targets.rows()) {
      std::size_t used = 0;
      double v = 0;
      try {
        v = std::stod(value, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (key.find('@') == std::string::npos || used == 0 || used != value.size())
        throw std::invalid_argument("option \"targets\": row \"" + key + "\" = \"" + value +
                                    "\": a row is INDICATOR@SOATO (e.g. EDU-SCHOOLS@1703) "
                                    "with a number as value");
      targets_[key] = v;
    }
    measure_.id = host.optionString("measure_id");
    measure_.title = host.optionString("measure_title");
    measure_.act = {host.optionString("act_type"), host.optionString("act_number"),
                    dateOption(host, "act_date"), optionOr(host, "act_item")};
    organisation_ = host.optionString("organisation");
    start_ = dateOption(host, "start");
    deadline_ = dateOption(host, "deadline");
    periodStart_ = dateOption(host, "period_start", start_);
    periodEnd_ = dateOption(host, "period_end", deadline_);
    for (const auto& [option, kind] :
         {std::pair{
              "schools_indicator",
              IndicatorKind{{}, "Schools connected", "schools", &ijro::oneroster::Totals::schools}},
          std::pair{
              "teachers_indicator",
              IndicatorKind{{}, "Active teachers", "teachers", &ijro::oneroster::Totals::teachers}},
          std::pair{
              "pupils_indicator",
              IndicatorKind{{}, "Active pupils", "pupils", &ijro::oneroster::Totals::pupils}}}) {
      IndicatorKind k = kind;
      k.code = optionOr(host, option);
      if (!k.code.empty()) indicators_.push_back(k);
    }
    fs::create_directories(stateDir_);
  }

  Status poll(Context& ctx) override {
    client_.resetRetryBudget();
    const Checkpoint committed = Checkpoint::parse(ctx.checkpoint());
    settleCommitted(committed);
    Roster roster = loadRoster(committed.generation);

    Checkpoint next;
    next.generation = committed.generation;
    http::ConditionalState conditional = http::ConditionalState::parse(committed.http);
    bool applied = false;
    if (!dir_.empty()) {
      for (const folder::FileId& f : inbox_.settled()) {
        const fs::path path = dir_ / f.name;
        try {
          if (f.size > static_cast<std::uintmax_t>(maxPackageBytes_))
            throw PackageError(f.name + ": " + std::to_string(f.size) + " bytes, more than the " +
                                   std::to_string(maxPackageBytes_) +
                                   " of option max_package_bytes",
                               "Split the roster, or raise max_package_bytes.");
          auto zip = ijro::tables::ZipArchive::openFile(path);
          const PackageReport report = apply(zip, f.name, roster);
          writeRejectedList(f.name, report);
          next.files.push_back(f);
          applied = true;
        } catch (const PackageError& e) {
          refuse(path, e.what(), e.fix());
        } catch (const ijro::tables::TableError& e) {
          refuse(path, f.name + ": " + e.what(), e.fix());
        }
      }
    }
    if (!url_.empty()) {
      http::Request request{http::Method::Get, url_, auth_, {}, {}};
      const http::Response response = client_.send(request, conditional);
      if (response.notModified) {
        host().counterAdd("packages_not_modified");
        host().debug("oneroster: " + response.safeUrl + " has not changed (304): not read again");
      } else {
        if (response.status == 408 || response.status == 429 || response.status >= 500)
          throw ijro::sdk::RetryLater("oneroster: " + response.safeUrl + " answered " +
                                      std::to_string(response.status) + " " + response.reason +
                                      ": the system is busy or down; trying again later");
        response.requireSuccess();
        const std::string name = urlName(response.safeUrl);
        try {
          auto zip = ijro::tables::ZipArchive::openMemory(response.body, name);
          apply(zip, name, roster);
          applied = true;
        } catch (const PackageError& e) {
          refuseFetched(e.what(), e.fix());
        } catch (const ijro::tables::TableError& e) {
          refuseFetched(name + ": " + e.what(), e.fix());
        }
      }
    }
    next.http = conditional.serialize();
    if (applied) {
      emitRecords(ctx, roster);
      next.generation = roster.generation;
      writeState(roster);
    }
    ctx.commitCheckpoint(next.serialize());
    return Status::Ok;
  }

 private:
  static http::ClientOptions clientOptions(const Host& host) {
    http::ClientOptions o;
    o.tls.caFile = optionOr(host, "ca_file");
    o.maxResponseBytes = static_cast<std::uint64_t>(host.optionInt("max_package_bytes"));
    o.log = [host](ijro::sdk::LogLevel level, const std::string& line) { host.log(level, line); };
    return o;
  }

  static std::string urlName(const std::string& url) {
    const auto q = url.find('?');
    const std::string path = url.substr(0, q);
    const auto slash = path.rfind('/');
    return slash == std::string::npos || slash + 1 == path.size() ? path : path.substr(slash + 1);
  }

  fs::path statePath(std::int64_t generation) const {
    return stateDir_ / ("roster." + std::to_string(generation) + ".state");
  }

  // After a committed poll: its packages go to processed_dir, older state files go away.
  void settleCommitted(const Checkpoint& committed) {
    for (const auto& m : inbox_.moveCommitted(committed.files, processedDir_))
      if (m.to) host().counterAdd("packages_processed");
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(stateDir_, ec)) {
      const std::string name = entry.path().filename().string();
      long long g = -1;
      if (std::sscanf(name.c_str(), "roster.%lld.state", &g) == 1 &&
          name == "roster." + std::to_string(g) + ".state" && g < committed.generation)
        fs::remove(entry.path(), ec);
    }
  }

  Roster loadRoster(std::int64_t generation) const {
    if (generation == 0) return Roster{};
    const fs::path path = statePath(generation);
    std::string text;
    try {
      text = folder::readFile(path, std::uintmax_t{1} << 31);
    } catch (const std::exception& e) {
      throw std::runtime_error("oneroster: the roster of generation " + std::to_string(generation) +
                               " that the committed checkpoint names cannot be read (" + e.what() +
                               "): was state_dir moved or cleaned? Restore " + path.string() +
                               ", or give the instance a new id and send a bulk package");
    }
    return Roster::parse(text, path.string());
  }

  // Writes the roster of a new generation: a temporary file, flushed, then renamed.
  void writeState(const Roster& roster) const {
    const fs::path path = statePath(roster.generation);
    const fs::path temporary = path.string() + ".tmp";
    folder::writeTextFile(temporary, roster.serialize());
    fs::rename(temporary, path);
  }

  PackageReport apply(ijro::tables::ZipArchive& zip, const std::string& name, Roster& roster) {
    ijro::sdk::Progress progress(host(), "oneroster: " + name);
    const PackageReport report = ijro::oneroster::applyPackage(
        zip, name, roster, [&](bool ok) { ok ? progress.done() : progress.rejected(); });
    progress.finish();
    host().counterAdd("packages_applied");
    host().counterAdd("rows_read", static_cast<std::int64_t>(report.rowsRead));
    if (!report.rejected.empty())
      host().counterAdd("rows_rejected", static_cast<std::int64_t>(report.rejected.size()));
    std::size_t shown = 0;
    for (const std::string& r : report.rejected)
      if (++shown <= 100) host().warn("oneroster: row rejected: " + r);
    if (report.rejected.size() > 100)
      host().warn("oneroster: " + name + ": " + std::to_string(report.rejected.size() - 100) +
                  " more rows rejected (the folder's rejected list has them all)");
    std::string files;
    for (const auto& [file, mode] : report.files)
      files += (files.empty() ? "" : ", ") + file + ".csv " + mode;
    host().info("oneroster: applied " + report.mode + " package " + name + " (" + files + "): " +
                std::to_string(report.rowsApplied) + " of " + std::to_string(report.rowsRead) +
                " rows, " + std::to_string(report.rejected.size()) + " rejected");
    return report;
  }

  void writeRejectedList(const std::string& name, const PackageReport& report) const {
    if (report.rejected.empty()) return;
    std::string list;
    for (const auto& r : report.rejected) list += "  " + r + "\n";
    fs::create_directories(quarantineDir_);
    folder::writeTextFile(quarantineDir_ / (name + ".rejected.txt"),
                          "education-oneroster applied " + name +
                              " and counted its other rows; these rows were rejected:\n\n" + list +
                              "\nCorrect them and send them again (a delta package will do).\n");
  }

  void refuse(const fs::path& path, const std::string& problem, const std::string& fix) {
    host().error("oneroster: package refused: " + problem + ". " + fix);
    host().counterAdd("packages_refused");
    folder::quarantine(path, quarantineDir_,
                       "education-oneroster refused this package; nothing of it was counted.\n\n"
                       "What is wrong:\n  " +
                           problem + "\n\nHow to fix it:\n  " + fix);
  }

  void refuseFetched(const std::string& problem, const std::string& fix) {
    // Its validators are kept: the same package is not fetched again until it changes.
    host().error("oneroster: package refused: " + problem + ". " + fix + " (from " +
                 client_.safeUrl(url_) + ")");
    host().counterAdd("packages_refused");
  }

  void emitRecords(const Context& ctx, Roster& roster) {
    const auto summary = ijro::oneroster::summarize(roster, codeByOrg_);
    if (!summary.unmapped.empty()) {
      std::string list;
      for (std::size_t i = 0; i < summary.unmapped.size() && i < 20; ++i)
        list += (i > 0 ? ", " : "") + summary.unmapped[i];
      if (summary.unmapped.size() > 20)
        list += " and " + std::to_string(summary.unmapped.size() - 20) + " more";
      host().warn("oneroster: " + std::to_string(summary.unmapped.size()) +
                  " active schools are not counted: option \"regions\" maps neither them nor an "
                  "org above them to a SOATO code: " +
                  list);
    }
    host().counterAdd("schools_unmapped", static_cast<std::int64_t>(summary.unmapped.size()));
    if (host().hasGauges())
      host().gaugeSet("schools_unmapped", static_cast<double>(summary.unmapped.size()));
    std::map<std::string, ijro::oneroster::Totals> byCode = summary.byCode;
    for (const std::string& code : roster.emitted) byCode.try_emplace(code);  // now zero
    roster.emitted.clear();
    for (const auto& [code, totals] : byCode) {
      ijro::sdk::Implementation impl;
      impl.revision = roster.generation;
      impl.measure = measure_;
      impl.region = code;
      impl.organisation = organisation_;
      impl.sector = "education";
      impl.lifecycle = ijro::sdk::lifecycle::kInProgress;
      impl.start = start_;
      impl.deadline = deadline_;
      for (const IndicatorKind& k : indicators_) {
        ijro::sdk::IndicatorPeriod period;
        period.start = periodStart_;
        period.end = periodEnd_;
        period.actual = static_cast<double>(totals.*k.value);
        if (auto t = targets_.find(k.code + "@" + code); t != targets_.end())
          period.target = t->second;
        ijro::sdk::Indicator indicator;
        indicator.code = k.code;
        indicator.name = k.name;
        indicator.unit = k.unit;
        indicator.periods.push_back(period);
        impl.indicators.push_back(indicator);
      }
      ctx.emit(impl.toJson());
      roster.emitted.insert(code);
    }
    host().counterAdd("records_emitted", static_cast<std::int64_t>(byCode.size()));
  }

  fs::path dir_;
  std::string url_;
  fs::path stateDir_, processedDir_, quarantineDir_;
  std::int64_t settle_;
  std::int64_t maxPackageBytes_;
  folder::Inbox inbox_;
  http::Client client_;
  http::Headers auth_;
  std::map<std::string, std::string> codeByOrg_;
  std::map<std::string, double> targets_;
  ijro::sdk::Measure measure_;
  std::string organisation_, start_, deadline_, periodStart_, periodEnd_;
  std::vector<IndicatorKind> indicators_;
};

}  // namespace

IJRO_DEFINE_SOURCE_PLUGIN(
    OneRoster, "education-oneroster", "1.0.0",
    "OneRoster 1.1 CSV packages (bulk and delta) from a folder or a URL: schools connected, active "
    "teachers and pupils per region and district.",
    ijro::sdk::option(OptionType::Path, "directory", nullptr,
                      "Folder OneRoster .zip packages are dropped into."),
    ijro::sdk::option(OptionType::String, "url", nullptr,
                      "URL of a OneRoster .zip package, fetched with a conditional request."),
    ijro::sdk::option(OptionType::Secret, "token", nullptr, "Bearer token for url."),
    ijro::sdk::option(OptionType::String, "username", nullptr, "Basic auth user for url."),
    ijro::sdk::option(OptionType::Secret, "password", nullptr, "Basic auth password for url."),
    ijro::sdk::option(OptionType::Path, "ca_file", nullptr,
                      "PEM file of the CA to trust for url instead of the system store."),
    ijro::sdk::required(OptionType::Path, "state_dir",
                        "Folder of the roster state between packages (one per instance)."),
    ijro::sdk::required(OptionType::Table, "regions",
                        "Org identifier or sourcedId (school or district) -> SOATO region "
                        "(4 digits) or district (7 digits) code."),
    ijro::sdk::option(OptionType::Table, "targets", nullptr,
                      "INDICATOR@SOATO -> target, e.g. EDU-SCHOOLS@1703 = 120."),
    ijro::sdk::required(OptionType::String, "measure_id", "The measure's id, e.g. DU2030-3.1.7."),
    ijro::sdk::required(OptionType::String, "measure_title", "The measure's title."),
    ijro::sdk::option(OptionType::String, "act_type", "decree", "Type of the act."),
    ijro::sdk::required(OptionType::String, "act_number", "Number of the act, e.g. UP-6079."),
    ijro::sdk::required(OptionType::String, "act_date", "Date of the act (YYYY-MM-DD)."),
    ijro::sdk::option(OptionType::String, "act_item", nullptr, "Item of the act, e.g. 3.1."),
    ijro::sdk::option(OptionType::String, "organisation",
                      "Department of Preschool and School Education",
                      "Responsible organisation of every record."),
    ijro::sdk::required(OptionType::String, "start", "Start of the measure (YYYY-MM-DD)."),
    ijro::sdk::required(OptionType::String, "deadline", "Deadline of the measure (YYYY-MM-DD)."),
    ijro::sdk::option(OptionType::String, "period_start", nullptr,
                      "Start of the indicator period; default: start."),
    ijro::sdk::option(OptionType::String, "period_end", nullptr,
                      "End of the indicator period; default: deadline."),
    ijro::sdk::option(OptionType::String, "schools_indicator", "EDU-SCHOOLS",
                      "Indicator code of schools connected; empty leaves it out."),
    ijro::sdk::option(OptionType::String, "teachers_indicator", "EDU-TEACHERS",
                      "Indicator code of active teachers; empty leaves it out."),
    ijro::sdk::option(OptionType::String, "pupils_indicator", "EDU-PUPILS",
                      "Indicator code of active pupils; empty leaves it out."),
    ijro::sdk::option(OptionType::Path, "processed_dir", nullptr,
                      "Where applied packages go; default DIRECTORY/processed."),
    ijro::sdk::option(OptionType::Path, "quarantine_dir", nullptr,
                      "Where refused packages and lists of rejected rows go; default "
                      "DIRECTORY/rejected."),
    ijro::sdk::option(OptionType::Int, "settle_ms", "5000",
                      "A package is read once unchanged this long."),
    ijro::sdk::option(OptionType::Int, "max_package_bytes", "67108864",
                      "Larger packages are refused."))
