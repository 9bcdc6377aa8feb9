#include "hub/model/status.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "hub/base/enum_names.hpp"
#include "hub/model/regions.hpp"

namespace ijro::model {

namespace {

using base::nameOf;
using base::namesEvery;
using base::valueOf;

constexpr base::NameTable<ExecutionStatus, 8> kStatus{{
    {ExecutionStatus::NotStarted, "notStarted"},
    {ExecutionStatus::OnTrack, "onTrack"},
    {ExecutionStatus::AtRisk, "atRisk"},
    {ExecutionStatus::Overdue, "overdue"},
    {ExecutionStatus::DoneOnTime, "doneOnTime"},
    {ExecutionStatus::DoneLate, "doneLate"},
    {ExecutionStatus::Cancelled, "cancelled"},
    {ExecutionStatus::Suspended, "suspended"},
}};
static_assert(namesEvery(kStatus, ExecutionStatus::NotStarted, ExecutionStatus::Suspended));
constexpr base::NameTable<Rag, 4> kRag{{
    {Rag::None, "none"},
    {Rag::Green, "green"},
    {Rag::Amber, "amber"},
    {Rag::Red, "red"},
}};
static_assert(namesEvery(kRag, Rag::None, Rag::Red));
constexpr base::NameTable<RollUpBy, 4> kRollUpBy{{
    {RollUpBy::Measure, "measure"},
    {RollUpBy::Region, "region"},
    {RollUpBy::Sector, "sector"},
    {RollUpBy::Organisation, "organisation"},
}};
static_assert(namesEvery(kRollUpBy, RollUpBy::Measure, RollUpBy::Organisation));

// Ratios are compared with this tolerance so that a ratio that is mathematically exactly on a
// threshold (0.7, 0.9) but lands a rounding error below it in floating point is NOT below it.
constexpr double kTolerance = 1e-9;
bool below(double value, double threshold) {
  return value < threshold - kTolerance;
}

// Value of the latest period (by end date; on equal ends, the later one in the list) for which
// `field` has a value.
std::optional<double> latest(const Indicator& ind, std::optional<double> IndicatorPeriod::*field) {
  const IndicatorPeriod* best = nullptr;
  for (const auto& p : ind.periods)
    if ((p.*field).has_value() && (best == nullptr || p.end >= best->end)) best = &p;
  if (best == nullptr) return std::nullopt;
  return best->*field;
}

// Mean of indicatorProgress over the indicators that have one.
std::optional<double> meanProgress(const std::vector<Indicator>& indicators) {
  double sum = 0;
  int n = 0;
  for (const auto& ind : indicators)
    if (auto p = indicatorProgress(ind)) {
      sum += *p;
      ++n;
    }
  if (n == 0) return std::nullopt;
  return sum / n;
}

}  // namespace

const char* toString(ExecutionStatus v) {
  return nameOf(kStatus, v);
}
std::optional<ExecutionStatus> executionStatusFromString(std::string_view s) {
  return valueOf(kStatus, s);
}
const char* toString(Rag v) {
  return nameOf(kRag, v);
}
std::optional<Rag> ragFromString(std::string_view s) {
  return valueOf(kRag, s);
}
const char* toString(RollUpBy v) {
  return nameOf(kRollUpBy, v);
}
std::optional<RollUpBy> rollUpByFromString(std::string_view s) {
  return valueOf(kRollUpBy, s);
}

std::optional<double> indicatorProgress(const Indicator& ind) {
  auto actual = latest(ind, &IndicatorPeriod::actual);
  auto target = latest(ind, &IndicatorPeriod::target);
  if (!actual || !target || *target == ind.baseline) return std::nullopt;
  // Dividing by (target - baseline) also covers descending indicators: both differences are
  // negative when the value falls towards a target below the baseline.
  return std::clamp((*actual - ind.baseline) / (*target - ind.baseline), 0.0, 1.0);
}

Evaluation evaluate(const Implementation& impl, Date asOf, const StatusRules& rules) {
  Evaluation ev;
  const Date d = impl.lastApprovedDeadline();
  const Date t = asOf;
  const Date s = impl.start;
  ev.deadline = d;

  // Rule 1: cancelled and suspended work has no RAG and is left out of delay statistics.
  if (impl.lifecycle == Lifecycle::Cancelled || impl.lifecycle == Lifecycle::Suspended) {
    ev.status = impl.lifecycle == Lifecycle::Cancelled ? ExecutionStatus::Cancelled
                                                       : ExecutionStatus::Suspended;
    ev.rag = Rag::None;
    ev.countsForDelay = false;
    return ev;
  }

  ev.progress = meanProgress(impl.indicators);

  // Rule 2: completed work, judged by the completion date whatever the lifecycle says.
  if (impl.completed) {
    const Date c = *impl.completed;
    if (c <= d) {
      ev.status = ExecutionStatus::DoneOnTime;
      ev.rag = Rag::Green;
    } else {
      // Done late is amber, not red: the work is finished, nothing is left to rescue; the
      // lateness is kept in delayDays and in the roll-up's share done late.
      ev.status = ExecutionStatus::DoneLate;
      ev.rag = Rag::Amber;
      ev.delayDays = daysBetween(d, c);
    }
    return ev;
  }

  // Rule 3: past the deadline and not done.
  if (t > d) {
    ev.status = ExecutionStatus::Overdue;
    ev.rag = Rag::Red;
    ev.delayDays = daysBetween(d, t);
    return ev;
  }

  const long daysLeft = daysBetween(t, d);  // D - T >= 0 from here on
  const bool nearDeadline = daysLeft <= rules.amberWithinDays;
  ev.earlyWarning = daysLeft <= rules.earlyWarningDays;

  // Not yet due to start.
  if (t < s) {
    ev.status = ExecutionStatus::NotStarted;
    ev.rag = nearDeadline ? Rag::Amber : Rag::Green;
    return ev;
  }

  // Rule 4: progress against time. Here S <= T <= D.
  const long span = daysBetween(s, d);
  const double tau =
      span <= 0 ? 1.0 : std::clamp(static_cast<double>(daysBetween(s, t)) / span, 0.0, 1.0);
  ev.timeElapsed = tau;

  bool red = false;
  bool amber = nearDeadline;
  if (ev.progress && tau > 0) {
    const double r = *ev.progress / tau;
    ev.ratio = r;
    red = below(r, rules.redBelow);
    amber = amber || below(r, rules.amberBelow);
  }
  // Without indicators (or at tau == 0) only the deadline rule can make the work amber.
  if (red) {
    ev.status = ExecutionStatus::AtRisk;
    ev.rag = Rag::Red;
  } else if (amber) {
    ev.status = ExecutionStatus::AtRisk;
    ev.rag = Rag::Amber;
  } else {
    ev.status = ExecutionStatus::OnTrack;
    ev.rag = Rag::Green;
  }
  return ev;
}

void RollUpBuilder::add(const Implementation& impl, const Evaluation& ev) {
  std::string key;
  switch (by_) {
    case RollUpBy::Measure:
      key = impl.measure.id;
      break;
    case RollUpBy::Region:
      // First-level unit: districts roll up into their region; "17" (national) stays "17";
      // an unknown code is kept as it is rather than dropped.
      key = regionOf(impl.region).value_or(impl.region);
      break;
    case RollUpBy::Sector:
      key = impl.sector;
      break;
    case RollUpBy::Organisation:
      key = impl.organisation;
      break;
  }
  auto [it, inserted] = groups_.try_emplace(key);
  RollUp& g = it->second;
  if (inserted) g.key = std::move(key);

  ++g.total;
  ++g.byStatus[ev.status];
  g.rag = std::max(g.rag, ev.rag);  // None < Green < Amber < Red
  if (ev.earlyWarning) ++g.earlyWarnings;
  // Cancelled and suspended work is left out of delay statistics.
  if (ev.countsForDelay && ev.status != ExecutionStatus::Cancelled &&
      ev.status != ExecutionStatus::Suspended) {
    if (ev.status == ExecutionStatus::DoneOnTime || ev.status == ExecutionStatus::DoneLate)
      ++g.done;
    if (ev.status == ExecutionStatus::DoneLate) ++g.doneLate;
  }
  g.shareDoneLate = g.done == 0 ? 0.0 : static_cast<double>(g.doneLate) / g.done;
}

std::vector<RollUp> RollUpBuilder::result() const {
  std::vector<RollUp> out;
  out.reserve(groups_.size());
  for (const auto& [key, g] : groups_) out.push_back(g);
  return out;
}

}  // namespace ijro::model
