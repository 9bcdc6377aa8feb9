// Where a fact came from, as it travels from hub to hub: the source that first reported it,
// through which adapter, when the first hub accepted it, the source's revision, and the hubs it
// passed through (the origin first).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ijro::model {

// One hub an entry passed through: the hub, the sequence of the batch it left that hub in
// (0 while it has not left it yet) and when that hub accepted it.
struct Hop {
  std::string hub;
  std::int64_t sequence = 0;
  std::string receivedAt;  // ISO 8601 UTC
};

// The adapter is the plugin library's name and version ("health-fhir 0.2.0"), or "http" for
// POST /api/v1/reports and "feed" for an entry that came in a batch whose sender did not say.
struct Lineage {
  std::string source;
  std::string adapter;
  std::string receivedAt;  // ISO 8601 UTC, at the first hub
  std::int64_t revision = 0;
  std::vector<Hop> hubs;
};

}  // namespace ijro::model
