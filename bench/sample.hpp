// Realistic implementations for the benchmarks: one indicator with two periods, one assignment,
// one piece of evidence and one approved deadline change, like the example reports.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hub/model/types.hpp"

namespace ijro::bench {

inline model::Implementation sampleImplementation(std::int64_t n, std::int64_t revision = 1,
                                                  const std::string& prefix = "B") {
  using model::parseDate;
  model::Implementation m;
  m.source = "bench";
  m.measure.id = prefix + "-" + std::to_string(n);
  m.measure.title =
      "Connect general schools to the electronic school diary, stage " + std::to_string(n % 7 + 1);
  m.measure.act = {"decree", "UP-6079", *parseDate("2020-10-05"), std::to_string(n % 300 + 1)};
  static const char* kRegions[] = {"1703", "1706", "1708", "1710", "1712", "1714", "1718",
                                   "1722", "1724", "1726", "1727", "1730", "1733", "1735"};
  static const char* kSectors[] = {"health", "education", "tax", "construction", "banking"};
  m.region = kRegions[n % 14];
  m.organisation = "Ministry " + std::to_string(n % 40);
  m.sector = kSectors[n % 5];
  m.revision = revision;
  m.lifecycle = n % 5 == 0 ? model::Lifecycle::Completed : model::Lifecycle::InProgress;
  m.start = *parseDate("2026-01-15");
  m.deadline = *parseDate("2026-06-30");
  if (n % 5 == 0) m.completed = *parseDate(n % 2 ? "2026-06-20" : "2026-07-15");
  model::DeadlineChange extension;
  extension.previous = *parseDate("2026-06-30");
  extension.deadline = *parseDate("2026-12-31");
  extension.reason = "procurement delay";
  extension.decision = model::Decision::Approved;
  extension.decidedBy = "Deputy Minister";
  extension.decidedOn = *parseDate("2026-05-10");
  m.deadlineChanges.push_back(extension);
  model::Indicator ind;
  ind.code = "schools-connected";
  ind.name = "Schools connected to the e-diary";
  ind.unit = "schools";
  ind.baseline = 100;
  ind.periods.push_back(
      {*parseDate("2026-01-01"), *parseDate("2026-06-30"), 400.0, 250.0 + n % 100});
  ind.periods.push_back({*parseDate("2026-07-01"), *parseDate("2026-12-31"), 900.0, std::nullopt});
  m.indicators.push_back(ind);
  model::Assignment a;
  a.id = "A1";
  a.assignee = "Regional department of public education";
  a.title = "Connect the district schools";
  a.deadline = *parseDate("2026-10-31");
  a.control = model::ControlStatus::OnControl;
  m.assignments.push_back(a);
  m.evidence.push_back({"https://example.uz/docs/" + std::to_string(n) + ".pdf", "Connection act",
                        "application/pdf", *parseDate("2026-05-20"), "specialist"});
  m.note = "Works proceed by stage.";
  return m;
}

inline std::vector<model::Implementation> sampleBatch(std::int64_t first, std::size_t count,
                                                      std::int64_t revision = 1,
                                                      const std::string& prefix = "B") {
  std::vector<model::Implementation> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    out.push_back(sampleImplementation(first + static_cast<std::int64_t>(i), revision, prefix));
  return out;
}

}  // namespace ijro::bench
