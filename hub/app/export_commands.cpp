#include "hub/app/export_commands.hpp"

#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <string>

#include "hub/api/views.hpp"
#include "hub/app/config.hpp"
#include "hub/base/timestamp.hpp"
#include "hub/export/adx.hpp"
#include "hub/export/csv.hpp"
#include "hub/export/format.hpp"
#include "hub/export/iati.hpp"
#include "hub/export/table.hpp"
#include "hub/export/xlsx.hpp"
#include "hub/i18n/catalogue.hpp"
#include "hub/model/regions.hpp"
#include "hub/model/validate.hpp"
#include "hub/store/store.hpp"

namespace ijro::app {

namespace po = boost::program_options;

namespace {

constexpr const char* kUsage =
    "usage: ijro-hub export --config FILE --format xlsx|csv --what measures|summary --out FILE\n"
    "       ijro-hub export --config FILE --format iati|adx [--period YYYY-MM|YYYY] --out FILE\n"
    "                       [--by region|sector|organisation|measure] [--region CODE]\n"
    "                       [--sector CODE] [--status S[,S...]] [--as-of YYYY-MM-DD]\n"
    "                       [--lang en|ru|uz-Latn|uz-Cyrl] [--store URL]\n"
    "\n"
    "Writes the measures list (one row per implementation) or the summary (one row per group,\n"
    "--by region by default) from the store of the configuration, evaluated as of --as-of\n"
    "(default today), with headers in --lang (default en): the same rows as\n"
    "GET /api/v1/export/measures and /api/v1/export/summary. --status (the list only) takes\n"
    "notStarted, onTrack, atRisk, overdue, doneOnTime, doneLate, cancelled or suspended.\n"
    "--format iati writes the IATI 2.03 activities (one per measure; needs <iati> in the\n"
    "configuration), --format adx the ADX aggregates of --period (a month or a year): the\n"
    "same documents as GET /api/v1/export/iati and /api/v1/export/adx, with --region,\n"
    "--sector and --as-of.\n"
    "The file is written beside --out under a temporary name, then renamed over it.\n";

// What the options select, checked; a bad option throws po::error naming it and the fix.
struct Selection {
  exports::Format format = exports::Format::Xlsx;
  std::string standard;  // "iati" or "adx": a standard document instead of a table
  std::optional<exports::AdxPeriod> period;  // --period, for adx
  bool summary = false;
  model::RollUpBy by = model::RollUpBy::Region;
  store::Filter filter;
  std::set<model::ExecutionStatus> statuses;
  model::Date asOf = model::today();
  std::string lang;
};

Selection select(const po::variables_map& vm) {
  Selection s;
  const auto format = vm["format"].as<std::string>();
  // The table formats; the IATI and ADX documents (hub/export/iati.hpp, adx.hpp) are written
  // from the store without a table and join this list as their own branch.
  if (format == "iati" || format == "adx") {
    s.standard = format;
    for (const char* table : {"what", "by", "status", "lang"})
      if (vm.count(table))
        throw po::error(std::string("--") + table +
                        " is for the xlsx and csv tables, not --format " + format +
                        ": leave it out");
    if (format == "adx") {
      if (!vm.count("period"))
        throw po::error("--format adx needs --period YYYY-MM (a month) or YYYY (a year)");
      s.period = exports::parseAdxPeriod(vm["period"].as<std::string>());
      if (!s.period)
        throw po::error("--period \"" + vm["period"].as<std::string>() +
                        "\" is not a month or a year: use YYYY-MM (e.g. 2026-03) or YYYY");
    }
  } else if (auto f = exports::formatFromString(format)) {
    s.format = *f;
  } else {
    throw po::error("--format \"" + format +
                    "\" is unknown: use xlsx or csv (tables), iati or adx (standard documents)");
  }
  if (vm.count("period") && s.standard != "adx")
    throw po::error("--period is for --format adx: leave it out");
  // What every format takes: where and as of when.
  if (vm.count("region")) {
    const auto region = vm["region"].as<std::string>();
    if (!model::isKnownTerritory(region))
      throw po::error("--region \"" + region +
                      "\" is not a known SOATO code: use a 4-digit region (e.g. 1703), a "
                      "7-digit district or 17 for national");
    s.filter.region = region;
  }
  if (vm.count("sector")) s.filter.sector = vm["sector"].as<std::string>();
  if (vm.count("as-of")) {
    auto d = model::parseDate(vm["as-of"].as<std::string>());
    if (!d) throw po::error("--as-of \"" + vm["as-of"].as<std::string>() + "\" is not YYYY-MM-DD");
    s.asOf = *d;
  }
  if (!s.standard.empty()) {
    if (s.period && s.period->start > s.asOf)
      throw po::error("--period " + vm["period"].as<std::string>() + " begins after --as-of " +
                      model::formatDate(s.asOf) + ": ask for a period that has begun");
    return s;
  }
  if (!vm.count("what")) throw po::error("--what is required");
  const auto what = vm["what"].as<std::string>();
  if (what != "measures" && what != "summary")
    throw po::error("--what \"" + what + "\" is unknown: use measures or summary");
  s.summary = what == "summary";
  if (vm.count("by")) {
    if (!s.summary) throw po::error("--by groups the summary: use it with --what summary");
    auto by = model::rollUpByFromString(vm["by"].as<std::string>());
    if (!by)
      throw po::error("--by \"" + vm["by"].as<std::string>() +
                      "\" is unknown: use region, sector, organisation or measure");
    s.by = *by;
  }
  if (vm.count("status")) {
    if (s.summary)
      throw po::error("--status filters the measures list: the summary counts every status");
    const auto list = vm["status"].as<std::string>();
    std::size_t start = 0;
    while (start <= list.size()) {
      const auto end = list.find(',', start);
      const auto one =
          list.substr(start, end == std::string::npos ? std::string::npos : end - start);
      auto status = model::executionStatusFromString(one);
      if (!status)
        throw po::error("--status \"" + one +
                        "\" is unknown: use notStarted, onTrack, atRisk, overdue, doneOnTime, "
                        "doneLate, cancelled or suspended (comma-separated for several)");
      s.statuses.insert(*status);
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  if (vm.count("lang")) {
    s.lang = vm["lang"].as<std::string>();
    if (!model::isLanguageTag(s.lang))
      throw po::error("--lang \"" + s.lang +
                      "\" is not a language tag: use en, ru, uz-Latn or uz-Cyrl");
  }
  return s;
}

// The file written under a temporary name beside `out`, then renamed over it, so a job that
// mails `out` never sends half a file.
void writeFile(const exports::Table& table, exports::Format format,
               const std::filesystem::path& out) {
  const auto tmp = out.parent_path() / ("." + out.filename().string() + ".tmp");
  try {
    if (format == exports::Format::Xlsx) {
      exports::writeXlsx(table, tmp);
    } else {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      f << exports::toCsv(table);
      f.close();
      if (!f) throw std::runtime_error("cannot write " + tmp.string());
    }
    std::filesystem::rename(tmp, out);
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
}

// A standard document (IATI, ADX) written like the tables: temporary name, then rename.
void writeText(const std::string& text, const std::filesystem::path& out) {
  const auto tmp = out.parent_path() / ("." + out.filename().string() + ".tmp");
  std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw std::runtime_error("cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, out);
}

// --format iati|adx: the document from the store, as the API writes it.
int exportStandard(const Selection& s, const Config& cfg, store::Store& store,
                   const std::filesystem::path& out) {
  const std::string now = base::formatTimestamp(std::chrono::system_clock::now());
  std::size_t count = 0;
  std::string text;
  if (s.standard == "iati") {
    if (cfg.iati.reportingOrgRef.empty())
      throw std::runtime_error(
          "--format iati needs the reporting organisation: add <iati "
          "reportingOrg=\"AGENCY-NUMBER\">"
          "<name lang=\"en\">...</name></iati> to " +
          cfg.path);
    exports::IatiHeader header;
    header.reportingOrgRef = cfg.iati.reportingOrgRef;
    header.reportingOrgType = cfg.iati.reportingOrgType;
    header.reportingOrgNames = cfg.iati.reportingOrgNames;
    if (!cfg.iati.mainLanguage.empty())
      header.defaultLang = exports::iatiLanguage(cfg.iati.mainLanguage);
    header.generatedAt = now;
    header.asOf = s.asOf;
    text = exports::writeIati(header, cfg.rules, [&](const auto& emit) {
      store.forEach(s.filter, [&](const model::Implementation& impl) {
        ++count;
        emit(impl);
      });
    });
  } else {
    exports::AdxHeader header;
    header.exported = now;
    header.asOf = s.asOf;
    header.period = *s.period;
    text = exports::writeAdx(
        header, cfg.rules, [&](const auto& emit) { store.forEach(s.filter, emit); }, &count);
  }
  // Both standards refuse an empty document: say so instead of writing one.
  if (count == 0)
    throw std::runtime_error("nothing to export: no implementations in the store" +
                             std::string(s.standard == "adx" ? " begun by the period's end" : "") +
                             " for the region and sector asked for");
  writeText(text, out);
  std::cout << "wrote " << out.string() << ": " << count
            << (s.standard == "iati" ? (count == 1 ? " implementation" : " implementations")
                                     : (count == 1 ? " territory" : " territories"))
            << " (" << s.standard << ", as of " << model::formatDate(s.asOf) << ")\n";
  return 0;
}

}  // namespace

int exportCommand(int argc, char** argv) {
  po::options_description desc("ijro-hub export");
  desc.add_options()("help,h", "show this help")("config,c", po::value<std::string>(),
                                                 "the hub's configuration (store, rules, sectors)")(
      "store", po::value<std::string>(), "read this store instead of the configuration's")(
      "schemas", po::value<std::string>()->default_value(""), "directory holding the XSDs")(
      "format", po::value<std::string>(), "xlsx, csv, iati or adx")(
      "period", po::value<std::string>(), "adx: the month (YYYY-MM) or year (YYYY)")(
      "what", po::value<std::string>(), "measures or summary")(
      "by", po::value<std::string>(), "summary groups: region, sector, organisation, measure")(
      "region", po::value<std::string>(), "region or district code")(
      "sector", po::value<std::string>(), "sector code")(
      "status", po::value<std::string>(), "execution statuses, comma-separated (list only)")(
      "as-of", po::value<std::string>(), "evaluate as of this date (default today)")(
      "lang", po::value<std::string>(), "language of headers and labels (default en)")(
      "out,o", po::value<std::string>(), "the file to write");
  po::variables_map vm;
  po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << kUsage << "\n" << desc << "\n";
    return 0;
  }
  for (const char* required : {"config", "format", "out"})
    if (!vm.count(required)) throw po::error(std::string("--") + required + " is required");
  const Selection s = select(vm);
  const auto cfg = loadConfig(vm["config"].as<std::string>(),
                              findSchemaDir(vm["schemas"].as<std::string>()), false);
  if (s.filter.sector && !cfg.sectors.contains(*s.filter.sector))
    throw po::error("--sector \"" + *s.filter.sector +
                    "\" is not a sector of the configuration: use one of its <sectors> or a "
                    "built-in one (health, education, tax, construction, banking, other)");
  const std::string url = vm.count("store") ? vm["store"].as<std::string>() : cfg.storeUrl;
  auto store = store::Store::open(url, 1);
  // Organisation names and current rows as the serving hub sees them (with its configuration
  // this changes nothing stored).
  store->setIdentity({store::OrganisationDirectory(cfg.organisations), cfg.sourcePriorities});
  store->setStatusRules(cfg.rules);
  if (!s.standard.empty()) return exportStandard(s, cfg, *store, vm["out"].as<std::string>());

  const auto preferences = api::languagePreferences(s.lang, {});
  const auto language = i18n::supportedLanguage(preferences);
  exports::Table table;
  std::size_t rows = 0;
  if (s.summary) {
    model::RollUpBuilder groups(s.by);
    store->forEach(s.filter, [&](const model::Implementation& impl) {
      groups.add(impl, model::evaluate(impl, s.asOf, cfg.rules));
    });
    table = exports::summaryTable(groups.result(), s.by, language);
  } else {
    exports::MeasuresTable measures(language, preferences);
    store->forEach(s.filter, [&](const model::Implementation& impl) {
      const auto ev = model::evaluate(impl, s.asOf, cfg.rules);
      if (s.statuses.empty() || s.statuses.count(ev.status)) measures.add(impl, ev);
    });
    table = measures.take();
  }
  rows = table.rows.size();
  const std::filesystem::path out = vm["out"].as<std::string>();
  writeFile(table, s.format, out);
  std::cout << "wrote " << out.string() << ": " << rows << (rows == 1 ? " row" : " rows") << " ("
            << exports::toString(s.format) << ", " << i18n::tag(language) << ", as of "
            << model::formatDate(s.asOf) << ")\n";
  return 0;
}

}  // namespace ijro::app
