// IHE ADX aggregate data (urn:ihe:qrph:adx:2015) as the hub's data structure definition says
// (schemas/adx/ijro-hub-dsd.xml, SDMX 2.1): per first-level territory and reporting period, the
// number of implementations in each execution status and the indicators' summed targets and
// actuals, each by sector.
//
//   <adx xmlns="urn:ihe:qrph:adx:2015" exported>
//     <group dataSet="IJRO_MONITORING" orgUnit="SOATO" period="2026-01-01/P1M">
//       <dataValue dataElement="IMPLEMENTATIONS" sector status value/>*
//       <dataValue dataElement="INDICATOR_ACTUAL|INDICATOR_TARGET" sector indicator unit value/>*
//     </group>*
//   </adx>
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "hub/model/status.hpp"
#include "hub/model/types.hpp"

namespace ijro::exports {

inline constexpr const char* kAdxNs = "urn:ihe:qrph:adx:2015";
// The DataStructure id of the hub's DSD: every group's dataSet.
inline constexpr const char* kAdxDataSet = "IJRO_MONITORING";

// A reporting period: a calendar month or year, written as ADX wants it (start/duration).
struct AdxPeriod {
  model::Date start{};
  model::Date end{};         // the day after the period (exclusive)
  std::string duration;      // "P1M" or "P1Y"
  std::string text() const;  // "2026-01-01/P1M"
  model::Date lastDay() const { return end - std::chrono::days{1}; }
};

// "YYYY-MM" (a month) or "YYYY" (a year); nullopt for anything else.
std::optional<AdxPeriod> parseAdxPeriod(std::string_view text);

struct AdxHeader {
  std::string exported;  // ISO 8601 UTC
  model::Date asOf{};    // no evaluation looks past this day
  AdxPeriod period;
};

// Streams implementations from `each` into an ADX document with one group per first-level
// territory (a district's work counts in its region; national work under "17") that has work
// begun by the period's last day:
//   IMPLEMENTATIONS (by sector and status): implementations started on or before the period's
//     last day, each evaluated with `rules` as of that day, or as of header.asOf when earlier.
//   INDICATOR_TARGET, INDICATOR_ACTUAL (by sector, indicator code and unit): the sum of the
//     targets and actuals of the indicator periods that end within the period.
// Groups by territory code, values by data element, sector, status or indicator. A document
// without groups is possible (no work in the period): the ADX schema refuses it, so a caller
// answers "nothing to export" instead (countGroups tells). Throws std::invalid_argument for text
// XML cannot carry.
std::string writeAdx(
    const AdxHeader& header, const model::StatusRules& rules,
    const std::function<void(const std::function<void(const model::Implementation&)>&)>& each,
    std::size_t* groups = nullptr);

}  // namespace ijro::exports
