// The ADX aggregate document (adx.hpp).
#include "hub/export/adx.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <stdexcept>
#include <tuple>

#include "hub/model/regions.hpp"
#include "hub/xml/writer.hpp"

namespace ijro::exports {

namespace {

std::string decimalText(double v) {
  if (!std::isfinite(v)) throw std::invalid_argument("ADX export: a value is not a finite number");
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

template <typename T>
std::optional<T> number(std::string_view s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

struct Sums {
  double target = 0, actual = 0;
  bool hasTarget = false, hasActual = false;
};

struct Territory {
  // (sector, status) -> count
  std::map<std::pair<std::string, std::string>, std::size_t> counts;
  // (sector, indicator code, unit) -> sums
  std::map<std::tuple<std::string, std::string, std::string>, Sums> indicators;
};

}  // namespace

std::string AdxPeriod::text() const {
  return model::formatDate(start) + "/" + duration;
}

std::optional<AdxPeriod> parseAdxPeriod(std::string_view text) {
  using namespace std::chrono;
  if (text.size() == 4) {
    auto y = number<int>(text);
    if (!y || *y < 1900 || *y > 9999) return std::nullopt;
    AdxPeriod p;
    p.start = sys_days(year(*y) / January / 1);
    p.end = sys_days(year(*y + 1) / January / 1);
    p.duration = "P1Y";
    return p;
  }
  if (text.size() == 7 && text[4] == '-') {
    auto y = number<int>(text.substr(0, 4));
    auto m = number<unsigned>(text.substr(5, 2));
    if (!y || !m || *y < 1900 || *y > 9999 || *m < 1 || *m > 12) return std::nullopt;
    AdxPeriod p;
    const year_month ym = year(*y) / month(*m);
    p.start = sys_days(ym / 1);
    p.end = sys_days((ym + months(1)) / 1);
    p.duration = "P1M";
    return p;
  }
  return std::nullopt;
}

std::string writeAdx(
    const AdxHeader& header, const model::StatusRules& rules,
    const std::function<void(const std::function<void(const model::Implementation&)>&)>& each,
    std::size_t* groups) {
  const AdxPeriod& period = header.period;
  const model::Date lastDay = period.lastDay();
  // Never evaluated past asOf: what happens after it is not known yet.
  const model::Date evaluatedAt = std::min(lastDay, header.asOf);
  std::map<std::string, Territory> territories;
  each([&](const model::Implementation& impl) {
    if (impl.start > lastDay) return;  // not begun in the period
    const std::string orgUnit = model::regionOf(impl.region).value_or(impl.region);
    Territory& t = territories[orgUnit];
    const auto ev = model::evaluate(impl, evaluatedAt, rules);
    ++t.counts[{impl.sector, model::toString(ev.status)}];
    for (const auto& ind : impl.indicators)
      for (const auto& p : ind.periods) {
        if (p.end < period.start || p.end > lastDay) continue;
        Sums& s = t.indicators[{impl.sector, ind.code, ind.unit}];
        if (p.target) {
          s.target += *p.target;
          s.hasTarget = true;
        }
        if (p.actual) {
          s.actual += *p.actual;
          s.hasActual = true;
        }
      }
  });

  xml::Writer w;
  w.startElement("adx", kAdxNs);
  w.attribute("exported", header.exported);
  for (const auto& [orgUnit, t] : territories) {
    w.startElement("group");
    w.attribute("dataSet", kAdxDataSet);
    w.attribute("orgUnit", orgUnit);
    w.attribute("period", period.text());
    for (const auto& [key, n] : t.counts) {
      w.startElement("dataValue");
      w.attribute("dataElement", "IMPLEMENTATIONS");
      w.attribute("sector", key.first);
      w.attribute("status", key.second);
      w.attribute("value", std::to_string(n));
      w.endElement();
    }
    for (const auto& [key, s] : t.indicators) {
      const auto& [sector, code, unit] = key;
      auto value = [&, &sector = sector, &code = code, &unit = unit](const char* element,
                                                                     double v) {
        w.startElement("dataValue");
        w.attribute("dataElement", element);
        w.attribute("sector", sector);
        w.attribute("indicator", code);
        if (!unit.empty()) w.attribute("unit", unit);
        w.attribute("value", decimalText(v));
        w.endElement();
      };
      if (s.hasTarget) value("INDICATOR_TARGET", s.target);
      if (s.hasActual) value("INDICATOR_ACTUAL", s.actual);
    }
    w.endElement();
  }
  w.endElement();
  if (groups) *groups = territories.size();
  return w.finish();
}

}  // namespace ijro::exports
