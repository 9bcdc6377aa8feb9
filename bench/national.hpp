// The national data set for the national benchmarks: every measure of a strategy carried out in
// each of the 14 regions, with the distributions of a real year of execution control (deadlines
// spread over the strategy's years, completions on time and late, delays, extensions asked for
// and decided, indicators with periods, delegated tasks). Deterministic for a seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hub/model/date.hpp"
#include "hub/model/types.hpp"

namespace ijro::bench {

struct NationalOptions {
  double factor = 1.0;        // 1.0: 1,600 measures (22,400 implementations)
  std::uint64_t seed = 2030;  // the same seed gives the same data
  model::Date asOf{};         // the day the data describes (default 2026-12-01)
};

// The 14 regions, by their SOATO code.
const std::vector<std::string>& nationalRegions();

// How many measures the options give (1,600 x factor, at least 1).
std::size_t nationalMeasures(const NationalOptions& options);

// The implementations region `region` (an index into nationalRegions()) reports: one per measure,
// each from the source "region-<code>".
std::vector<model::Implementation> nationalRegion(const NationalOptions& options,
                                                  std::size_t region);

}  // namespace ijro::bench
