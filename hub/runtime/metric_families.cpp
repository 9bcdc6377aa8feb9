// The runtime's InstanceMetrics as metric families: names, help texts, types and labels.
#include "hub/runtime/metric_families.hpp"

#include <optional>

namespace ijro::runtime {

namespace {

using M = InstanceMetrics;

// One family with a sample per instance (of `only` kind, if given).
template <typename Value>
metrics::Family perInstance(std::span<const M> all, const char* name, metrics::Type type,
                            const char* help, Value value,
                            std::optional<Kind> only = std::nullopt) {
  metrics::Family f{name, help, type, {}};
  for (const auto& m : all) {
    if (only && m.kind != *only) continue;
    f.samples.push_back(
        {{{"instance", m.id}, {"kind", toString(m.kind)}}, static_cast<double>(value(m))});
  }
  return f;
}

}  // namespace

std::vector<metrics::Family> metricFamilies(std::span<const InstanceMetrics> all) {
  using metrics::Type;
  std::vector<metrics::Family> out;
  auto both = [&](const char* name, Type type, const char* help, auto value) {
    out.push_back(perInstance(all, name, type, help, value));
  };
  auto sources = [&](const char* name, Type type, const char* help, auto value) {
    out.push_back(perInstance(all, name, type, help, value, Kind::Source));
  };
  auto sinks = [&](const char* name, Type type, const char* help, auto value) {
    out.push_back(perInstance(all, name, type, help, value, Kind::Sink));
  };
  both("ijro_plugin_up", Type::Gauge, "1 while the plugin instance runs.",
       [](const M& m) { return m.up ? 1 : 0; });
  both("ijro_plugin_restarts_total", Type::Counter, "Restarts of an isolated instance's child.",
       [](const M& m) { return m.restarts; });
  both("ijro_plugin_exceptions_total", Type::Counter, "Exceptions caught around plugin calls.",
       [](const M& m) { return m.exceptions; });
  both("ijro_plugin_store_errors_total", Type::Counter, "Store failures while committing.",
       [](const M& m) { return m.storeErrors; });
  both("ijro_plugin_dead_letters_total", Type::Counter, "Records dead-lettered, with a reason.",
       [](const M& m) { return m.deadLetters; });
  both("ijro_plugin_replayed_total", Type::Counter, "Dead letters replayed successfully.",
       [](const M& m) { return m.replayed; });
  sources("ijro_plugin_polls_total", Type::Counter, "Polls of a source.",
          [](const M& m) { return m.polls; });
  sources("ijro_plugin_poll_failures_total", Type::Counter, "Polls answered RETRY or ERROR.",
          [](const M& m) { return m.pollFailures; });
  sources("ijro_plugin_records_total", Type::Counter, "Records emitted by successful polls.",
          [](const M& m) { return m.recordsEmitted; });
  sources("ijro_plugin_records_accepted_total", Type::Counter, "Records stored as a new revision.",
          [](const M& m) { return m.recordsStored; });
  sources("ijro_plugin_records_duplicate_total", Type::Counter, "Records already stored.",
          [](const M& m) { return m.recordsDuplicate; });
  sources("ijro_plugin_records_stale_total", Type::Counter,
          "Records older than the stored revision.", [](const M& m) { return m.recordsStale; });
  sources("ijro_plugin_records_rejected_total", Type::Counter,
          "Records invalid, out of scope or refused by the store (all dead-lettered).",
          [](const M& m) { return m.recordsRejected; });
  sinks("ijro_sink_batches_total", Type::Counter, "Deliveries of a batch to a sink.",
        [](const M& m) { return m.batches; });
  sinks("ijro_sink_batch_retries_total", Type::Counter, "Deliveries that left records to retry.",
        [](const M& m) { return m.batchRetries; });
  sinks("ijro_sink_records_delivered_total", Type::Counter, "Records a sink answered OK.",
        [](const M& m) { return m.recordsDelivered; });
  sinks("ijro_sink_cursor", Type::Gauge, "The last history id a sink has dealt with.",
        [](const M& m) { return m.cursor; });
  sinks("ijro_sink_lag", Type::Gauge, "Changes in history a sink has not dealt with yet.",
        [](const M& m) { return m.lag; });

  // The plugin's own counters: what it counts is its business, so the name is a label and one
  // family holds them all (a metric name per plugin counter would let plugins mint metric names).
  metrics::Family own{"ijro_plugin_counter_total",
                      "Counters a plugin keeps itself (callback_counter_add), by name.",
                      Type::Counter,
                      {}};
  for (const auto& m : all)
    for (const auto& [name, value] : m.pluginCounters)
      own.samples.push_back({{{"instance", m.id}, {"kind", toString(m.kind)}, {"name", name}},
                             static_cast<double>(value)});
  out.push_back(std::move(own));

  // The plugin's own gauges (callback_gauge_set): levels it reports, by name, as the counters.
  metrics::Family gauges{"ijro_plugin_gauge",
                         "Gauges a plugin sets itself (callback_gauge_set), by name.",
                         Type::Gauge,
                         {}};
  for (const auto& m : all)
    for (const auto& [name, value] : m.pluginGauges)
      gauges.samples.push_back(
          {{{"instance", m.id}, {"kind", toString(m.kind)}, {"name", name}}, value});
  out.push_back(std::move(gauges));
  return out;
}

}  // namespace ijro::runtime
