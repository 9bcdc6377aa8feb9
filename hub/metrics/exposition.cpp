// Families -> prometheus::MetricFamily -> prometheus::TextSerializer. The values are snapshots
// (atomics of the API, the runtime's counts), so they go straight into MetricFamily rather than
// through a prometheus::Registry: a registry's Counter can only be incremented (a plugin counter
// that went below zero would show 0) and would be built and thrown away on every scrape.
#include "hub/metrics/exposition.hpp"

#include <prometheus/check_names.h>
#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>
#include <prometheus/text_serializer.h>

#include <set>
#include <stdexcept>
#include <string_view>

#include "hub/base/utf8.hpp"

namespace ijro::metrics {

namespace {

void check(const Family& f, std::set<std::string_view>& seen) {
  if (!prometheus::CheckMetricName(f.name))
    throw std::invalid_argument("metrics: \"" + f.name + "\" is not a valid metric name");
  if (!seen.insert(f.name).second)
    throw std::invalid_argument("metrics: the family \"" + f.name + "\" is given twice");
  if (f.help.find_first_of("\\\n") != std::string::npos)
    throw std::invalid_argument("metrics: the help of \"" + f.name +
                                "\" has a backslash or a line break");
  std::set<Labels> labelSets;
  for (const auto& s : f.samples) {
    for (const auto& [name, value] : s.labels)
      if (!prometheus::CheckLabelName(name))
        throw std::invalid_argument("metrics: \"" + name + "\" (in \"" + f.name +
                                    "\") is not a valid label name");
    if (!labelSets.insert(s.labels).second)
      throw std::invalid_argument("metrics: \"" + f.name + "\" has two samples with one label set");
  }
}

prometheus::ClientMetric sample(const Sample& s, Type type) {
  prometheus::ClientMetric m;
  m.label.reserve(s.labels.size());
  for (const auto& [name, value] : s.labels)
    m.label.push_back({name, base::replaceInvalidUtf8(value)});
  if (type == Type::Counter)
    m.counter.value = s.value;
  else
    m.gauge.value = s.value;
  return m;
}

}  // namespace

std::string render(std::span<const Family> families) {
  std::vector<prometheus::MetricFamily> out;
  out.reserve(families.size());
  std::set<std::string_view> seen;
  for (const auto& f : families) {
    check(f, seen);
    if (f.samples.empty()) continue;
    prometheus::MetricFamily mf;
    mf.name = f.name;
    mf.help = f.help;
    mf.type =
        f.type == Type::Counter ? prometheus::MetricType::Counter : prometheus::MetricType::Gauge;
    mf.metric.reserve(f.samples.size());
    for (const auto& s : f.samples) mf.metric.push_back(sample(s, f.type));
    out.push_back(std::move(mf));
  }
  return prometheus::TextSerializer().Serialize(out);
}

}  // namespace ijro::metrics
