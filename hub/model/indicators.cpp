// Derived actuals, merge mode and the outside-work flag (see indicators.hpp).
#include "hub/model/indicators.hpp"

#include <algorithm>
#include <cmath>

namespace ijro::model {

namespace {

void derive(std::optional<double>& actual, std::optional<double> numerator,
            std::optional<double> denominator, std::string_view unit) {
  if (actual) return;
  actual = ratioOf(numerator, denominator, unit);
}

std::string span(const IndicatorPeriod& p) {
  return formatDate(p.start) + ".." + formatDate(p.end);
}

}  // namespace

bool isPercentUnit(std::string_view unit) {
  return unit == "%";
}

std::optional<double> ratioOf(std::optional<double> numerator, std::optional<double> denominator,
                              std::string_view unit) {
  if (!numerator || !denominator || *denominator == 0) return std::nullopt;
  const double r = *numerator / *denominator * (isPercentUnit(unit) ? 100 : 1);
  if (!std::isfinite(r)) return std::nullopt;  // no derived actual rather than an infinite one
  return r;
}

bool actualMatchesRatio(double actual, double ratio) {
  return std::fabs(actual - ratio) <= 0.005 + 1e-12 * std::fabs(ratio);
}

void deriveActuals(Implementation& impl) {
  for (auto& ind : impl.indicators)
    for (auto& p : ind.periods) {
      derive(p.actual, p.numerator, p.denominator, ind.unit);
      for (auto& b : p.breakdowns) derive(b.actual, b.numerator, b.denominator, ind.unit);
    }
}

std::vector<std::string> mergeIndicators(const Implementation* stored, Implementation& incoming) {
  std::vector<std::string> lines;
  const bool merging = hasMergedIndicators(incoming);
  for (auto& ind : incoming.indicators) {
    if (ind.mode != IndicatorMode::Merge) continue;
    ind.mode = IndicatorMode::Replace;
    const Indicator* before = nullptr;
    if (stored)
      for (const auto& s : stored->indicators)
        if (s.code == ind.code) before = &s;
    std::vector<IndicatorPeriod> merged = before ? before->periods : std::vector<IndicatorPeriod>{};
    for (auto& p : ind.periods) {
      auto same = std::find_if(merged.begin(), merged.end(), [&](const IndicatorPeriod& q) {
        return q.start == p.start && q.end == p.end;
      });
      const std::string head = "indicator '" + ind.code + "' merged: period " + span(p);
      if (same == merged.end()) {
        lines.push_back(head + " added");
        merged.push_back(std::move(p));
      } else {
        lines.push_back(head + (*same == p ? " replaced (same values)" : " replaced"));
        *same = std::move(p);
      }
    }
    ind.periods = std::move(merged);
  }
  // A report that merges updates the indicators it names; those it does not name stay as held.
  if (merging && stored)
    for (const auto& held : stored->indicators)
      if (std::none_of(incoming.indicators.begin(), incoming.indicators.end(),
                       [&](const Indicator& i) { return i.code == held.code; }))
        incoming.indicators.push_back(held);
  return lines;
}

bool hasMergedIndicators(const Implementation& impl) {
  for (const auto& ind : impl.indicators)
    if (ind.mode == IndicatorMode::Merge) return true;
  return false;
}

bool outsideWork(const IndicatorPeriod& p, const Implementation& impl) {
  return p.end < impl.start || p.start > impl.lastApprovedDeadline();
}

std::size_t periodsOutsideWork(const Implementation& impl) {
  std::size_t n = 0;
  for (const auto& ind : impl.indicators)
    for (const auto& p : ind.periods)
      if (outsideWork(p, impl)) ++n;
  return n;
}

}  // namespace ijro::model
