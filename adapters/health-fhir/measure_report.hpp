// FHIR R4 MeasureReport -> indicator values of configured measures, per region and district.
// Needs no host: the plugin (health_fhir.cpp) feeds it resources and emits what it returns, and
// unit tests call it directly.
#pragma once

#include <ijro_plugin.hpp>
#include <ijro_record.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fhir_tree.hpp"

namespace health_fhir {

// One row of the option "measures": a FHIR Measure canonical URL -> the hub's measure.
struct MeasureRow {
  std::string url;
  std::string measureId, indicatorCode, indicatorName, unit, title;
  std::optional<double> target;  // each period's target, when the row gives one
  std::string start, deadline;   // the row's own, else the options "start" / "deadline"
};

// One row of the option "reporters": a reference or identifier -> region (and district).
struct ReporterRow {
  std::string key;
  std::string region;        // 4-digit SOATO region
  std::string district;      // 7-digit SOATO district within it, or ""
  std::string organisation;  // "" = the reporter's display or name from the report
};

// What every record shares (plain options).
struct Shared {
  std::string sector = "health";
  std::string actType, actNumber, actDate, actItem;
  std::string start, deadline;
  std::string lifecycle = ijro::sdk::lifecycle::kInProgress;
};

class Mapping {
 public:
  // The tables as the hub hands them; throws std::invalid_argument naming the option, the row
  // and what is wrong with it.
  Mapping(const ijro::sdk::Table& measures, const ijro::sdk::Table& reporters, Shared shared);

  const MeasureRow* measure(const std::string& canonical) const;
  const ReporterRow* reporter(const std::string& key) const;
  const Shared& shared() const { return shared_; }

 private:
  std::vector<MeasureRow> measures_;
  std::vector<ReporterRow> reporters_;
  Shared shared_;
};

// A resource that could not be used, and why.
struct Rejection {
  std::string resource;  // "MeasureReport/hiv-indicators (file.json, entry[2])"
  std::string reason;    // what, where (FHIRPath, XML line) and how to fix it
  std::string describe() const { return resource + ": " + reason; }
};

// The values one usable MeasureReport gives.
struct Reading {
  std::string resource;     // as in Rejection::resource
  std::string lastUpdated;  // meta.lastUpdated, "" when absent
  const MeasureRow* measure = nullptr;
  std::string region;  // the record's region: the district when the reporter has one
  std::string organisation;
  std::vector<ijro::sdk::Indicator> indicators;  // each with the report's one period
};

// Reads a MeasureReport, or each entry of a Bundle (other entries are rejected), into readings
// and rejections. `origin` names the file or page.
void read(const Elem& root, const Mapping& mapping, const std::string& origin,
          std::vector<Reading>& readings, std::vector<Rejection>& rejections);

// One record per (measure, region, organisation) holding every period of the readings (a later
// reading of the same period replaces an earlier one), indicators in merge mode.
std::vector<ijro::sdk::Implementation> records(const std::vector<Reading>& readings,
                                               const Mapping& mapping, std::int64_t revision);

}  // namespace health_fhir
