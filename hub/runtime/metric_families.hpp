// The runtime's metrics as families for /metrics (rendered by hub/metrics): per instance, labelled
// by instance and kind, what the runtime counts (ijro_plugin_*, ijro_sink_*) and the counters the
// plugin keeps itself through callback_counter_add (ijro_plugin_counter_total, by name).
#pragma once

#include <span>
#include <vector>

#include "hub/metrics/exposition.hpp"
#include "hub/runtime/settings.hpp"

namespace ijro::runtime {

std::vector<metrics::Family> metricFamilies(std::span<const InstanceMetrics> instances);

}  // namespace ijro::runtime
