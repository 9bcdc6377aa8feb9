// Records as plugins hand them over (one implementation in the JSON form of a status report, see
// ijro_plugin.h) checked the way the hub checks a report: with the exchange JSON parser, and
// optionally the model's rules. An invalid record is reported with its reasons and never stops
// the valid ones.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hub/model/sectors.hpp"
#include "hub/model/types.hpp"

namespace ijro::plugin_host {

struct RecordOutcome {
  std::size_t index = 0;  // 1-based position among the records checked together
  std::string json;       // as the plugin sent it
  // Whatever identifying fields could be read, also when the record is invalid ("" otherwise).
  std::string measureId, region, organisation;
  std::optional<model::Implementation> record;  // set when it parsed
  std::vector<std::string> errors;              // why it is invalid
  bool valid() const { return record.has_value() && errors.empty(); }
};

struct RecordChecks {
  // Also apply model::validate with these sectors and this date; nullptr: structure only.
  const model::SectorCatalogue* sectors = nullptr;
  model::Date today{};
};

// Checks each record; `source` becomes every parsed record's source.
std::vector<RecordOutcome> checkRecords(const std::vector<std::string>& json,
                                        const std::string& source, const RecordChecks& checks = {});

// One implementation in the record form (the object inside a JSON report's "implementations").
std::string recordJson(const model::Implementation& impl);

}  // namespace ijro::plugin_host
