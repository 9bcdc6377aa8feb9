#include "hub/model/status.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <utility>

#include "hub/base/enum_names.hpp"
#include "hub/model/indicators.hpp"
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
constexpr base::NameTable<ChangeVerdict, 5> kVerdict{{
    {ChangeVerdict::Moved, "moved"},
    {ChangeVerdict::LateApproval, "lateApproval"},
    {ChangeVerdict::Rejected, "rejected"},
    {ChangeVerdict::Pending, "pending"},
    {ChangeVerdict::Unlinked, "unlinked"},
}};
static_assert(namesEvery(kVerdict, ChangeVerdict::Moved, ChangeVerdict::Unlinked));
constexpr base::NameTable<SubmittedCounts, 2> kSubmitted{{
    {SubmittedCounts::Open, "open"},
    {SubmittedCounts::Done, "done"},
}};
static_assert(namesEvery(kSubmitted, SubmittedCounts::Open, SubmittedCounts::Done));

// Ratios are compared with this tolerance so that a ratio that is mathematically exactly on a
// threshold (0.7, 0.9) but lands a rounding error below it in floating point is NOT below it.
constexpr double kTolerance = 1e-9;
bool below(double value, double threshold) {
  return value < threshold - kTolerance;
}

double share(std::size_t part, std::size_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
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

const char* toString(ChangeVerdict v) {
  return nameOf(kVerdict, v);
}
std::string fingerprint(const StatusRules& rules) {
  // Shortest round-trip text of each number: equal rules give equal text, and back.
  auto number = [](double v) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc{} ? std::string(buf, end) : std::string("?");
  };
  return "red<" + number(rules.redBelow) + ";amber<" + number(rules.amberBelow) +
         ";amberWithin=" + std::to_string(rules.amberWithinDays) +
         ";earlyWarning=" + std::to_string(rules.earlyWarningDays) +
         ";submitted=" + toString(rules.submitted);
}

const char* toString(SubmittedCounts v) {
  return nameOf(kSubmitted, v);
}
std::optional<SubmittedCounts> submittedCountsFromString(std::string_view s) {
  return valueOf(kSubmitted, s);
}

Date Implementation::lastApprovedDeadline() const {
  return walkDeadlines(deadline, deadlineChanges).deadline;
}

std::optional<double> indicatorProgress(const Indicator& ind) {
  auto actual = latest(ind, &IndicatorPeriod::actual);
  auto target = latest(ind, &IndicatorPeriod::target);
  if (!actual || !target || *target == ind.baseline) return std::nullopt;
  // Dividing by (target - baseline) also covers descending indicators: both differences are
  // negative when the value falls towards a target below the baseline.
  // Values beyond the validated range (kept from before the bounds, or from a plugin's own
  // checks) could overflow to infinity and give NaN: no progress rather than a poisoned one.
  const double r = (*actual - ind.baseline) / (*target - ind.baseline);
  if (!std::isfinite(r)) return std::nullopt;
  return std::clamp(r, 0.0, 1.0);
}

DeadlineWalk walkDeadlines(Date original, const std::vector<DeadlineChange>& changes) {
  DeadlineWalk walk;
  walk.deadline = original;
  walk.verdicts.reserve(changes.size());
  for (const auto& c : changes) {
    ChangeVerdict v = ChangeVerdict::Pending;
    if (c.previous != walk.deadline) {
      v = ChangeVerdict::Unlinked;
    } else if (c.decision == Decision::Rejected) {
      v = ChangeVerdict::Rejected;
    } else if (c.decision == Decision::Approved) {
      v = c.decidedOn && *c.decidedOn > walk.deadline ? ChangeVerdict::LateApproval
                                                      : ChangeVerdict::Moved;
    }
    if (v == ChangeVerdict::Moved) walk.deadline = c.deadline;
    if (v == ChangeVerdict::LateApproval) ++walk.lateApprovals;
    walk.verdicts.push_back(v);
  }
  return walk;
}

ControlOutcome controlOutcome(ControlStatus reported, std::optional<Date> completed,
                              const std::vector<ControlEvent>& events, const StatusRules& rules) {
  ControlOutcome out;
  const bool submittedIsDone = rules.submitted == SubmittedCounts::Done;
  if (events.empty()) {
    out.state =
        reported == ControlStatus::OnControl && completed ? ControlStatus::Submitted : reported;
    switch (out.state) {
      case ControlStatus::Verified:
      case ControlStatus::Removed:
        out.done = true;
        break;
      case ControlStatus::Submitted:
        out.done = submittedIsDone;
        break;
      case ControlStatus::OnControl:
      case ControlStatus::Returned:
        break;
    }
    if (out.done) out.completed = completed;
    return out;
  }

  // By date; the same date keeps the order given.
  std::vector<const ControlEvent*> order;
  order.reserve(events.size());
  for (const auto& e : events) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(),
                   [](const ControlEvent* a, const ControlEvent* b) { return a->on < b->on; });

  std::optional<Date> submission;  // completion date of the latest submission still standing
  std::optional<Date> verified;    // C once verified
  bool standing = false;           // a submission is standing (not returned, not yet verified)
  for (const ControlEvent* e : order) {
    switch (e->state) {
      case ControlStatus::Submitted:
        standing = true;
        submission = e->completed ? e->completed : std::optional<Date>(e->on);
        verified.reset();
        break;
      case ControlStatus::Returned:
      case ControlStatus::OnControl:
        standing = false;
        submission.reset();
        verified.reset();
        break;
      case ControlStatus::Verified:
      case ControlStatus::Removed:
        if (standing)
          verified = submission;
        else if (!verified)
          verified = completed ? completed : std::optional<Date>(e->on);
        standing = false;
        break;
    }
  }
  out.state = order.back()->state;
  switch (out.state) {
    case ControlStatus::Verified:
    case ControlStatus::Removed:
      out.done = true;
      out.completed = verified;
      break;
    case ControlStatus::Submitted:
      out.done = submittedIsDone;
      if (out.done) out.completed = submission;
      break;
    case ControlStatus::OnControl:
    case ControlStatus::Returned:
      break;
  }
  return out;
}

namespace {

// Rules 2-4 for work that is neither cancelled nor suspended. `done` with no date: the work was
// accepted as done but nothing dates it (an old report saying control="verified" alone); it is
// counted done on time, and `completed` stays empty so readers can see the date is unknown.
void judge(Evaluation& ev, Date s, Date d, bool done, std::optional<Date> c, Date t,
           const StatusRules& rules) {
  ev.deadline = d;
  ev.due = d <= t;

  // Rule 2: completed work, judged by the completion date.
  if (done) {
    ev.completed = c;
    if (!c || *c <= d) {
      ev.status = ExecutionStatus::DoneOnTime;
      ev.rag = Rag::Green;
    } else {
      // Done late is amber, not red: the work is finished, nothing is left to rescue; the
      // lateness is kept in delayDays and in the roll-up's shares done late.
      ev.status = ExecutionStatus::DoneLate;
      ev.rag = Rag::Amber;
      ev.delayDays = daysBetween(d, *c);
    }
    return;
  }

  // Rule 3: past the deadline and not done.
  if (t > d) {
    ev.status = ExecutionStatus::Overdue;
    ev.rag = Rag::Red;
    ev.delayDays = daysBetween(d, t);
    return;
  }

  const long daysLeft = daysBetween(t, d);  // D - T >= 0 from here on
  const bool nearDeadline = daysLeft <= rules.amberWithinDays;
  ev.earlyWarning = daysLeft <= rules.earlyWarningDays;

  // Not yet due to start.
  if (t < s) {
    ev.status = ExecutionStatus::NotStarted;
    ev.rag = nearDeadline ? Rag::Amber : Rag::Green;
    return;
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
}

// Rule 1: cancelled and suspended work has no RAG and is left out of delay statistics.
bool leftOut(Judgement& j, Lifecycle lifecycle) {
  if (lifecycle != Lifecycle::Cancelled && lifecycle != Lifecycle::Suspended) return false;
  j.status =
      lifecycle == Lifecycle::Cancelled ? ExecutionStatus::Cancelled : ExecutionStatus::Suspended;
  j.rag = Rag::None;
  j.countsForDelay = false;
  return true;
}

void applyDeadlines(Judgement& j, Date original, const std::vector<DeadlineChange>& changes) {
  DeadlineWalk walk = walkDeadlines(original, changes);
  j.deadline = walk.deadline;
  j.deadlineChanges = std::move(walk.verdicts);
  j.lateApprovals = walk.lateApprovals;
}

}  // namespace

TaskEvaluation evaluateAssignment(const Assignment& task, const Implementation& impl, Date asOf,
                                  const StatusRules& rules) {
  TaskEvaluation te;
  te.id = task.id;
  applyDeadlines(te, task.deadline, task.deadlineChanges);
  const ControlOutcome control =
      controlOutcome(task.control, task.completed, task.controlEvents, rules);
  te.control = control.state;
  if (leftOut(te, impl.lifecycle)) return te;
  Evaluation ev;  // tasks have no indicators: progress stays empty, only deadline rules apply
  judge(ev, impl.start, te.deadline, control.done, control.completed, asOf, rules);
  te.status = ev.status;
  te.rag = ev.rag;
  te.delayDays = ev.delayDays;
  te.earlyWarning = ev.earlyWarning;
  te.due = ev.due;
  te.completed = ev.completed;
  return te;
}

TaskSummary summarise(const std::vector<TaskEvaluation>& tasks) {
  TaskSummary sum;
  for (const auto& t : tasks) {
    ++sum.total;
    ++sum.byStatus[t.status];
    sum.lateApprovals += t.lateApprovals;
    if (t.control == ControlStatus::Submitted) ++sum.submitted;
    if (t.control == ControlStatus::Returned) ++sum.returned;
    if (t.earlyWarning) ++sum.dueSoon;
    if (t.countsForDelay &&
        (t.due || t.status == ExecutionStatus::DoneOnTime || t.status == ExecutionStatus::DoneLate))
      ++sum.dueOrFinished;
    switch (t.status) {
      case ExecutionStatus::Overdue:
        ++sum.overdue;
        if (!sum.longestOverdueId || t.delayDays > sum.longestOverdueDays) {
          sum.longestOverdueId = t.id;
          sum.longestOverdueDays = t.delayDays;
        }
        break;
      case ExecutionStatus::DoneLate:
        ++sum.doneLate;
        break;
      case ExecutionStatus::DoneOnTime:
        ++sum.doneOnTime;
        break;
      case ExecutionStatus::NotStarted:
      case ExecutionStatus::OnTrack:
      case ExecutionStatus::AtRisk:
        ++sum.onTrack;
        break;
      case ExecutionStatus::Cancelled:
      case ExecutionStatus::Suspended:
        break;
    }
  }
  return sum;
}

Evaluation evaluate(const Implementation& impl, Date asOf, const StatusRules& rules,
                    std::vector<TaskEvaluation>& tasks) {
  tasks.clear();
  tasks.reserve(impl.assignments.size());
  for (const auto& a : impl.assignments) tasks.push_back(evaluateAssignment(a, impl, asOf, rules));

  Evaluation ev;
  ev.tasks = summarise(tasks);
  ev.periodsOutsideWork = periodsOutsideWork(impl);
  applyDeadlines(ev, impl.deadline, impl.deadlineChanges);
  // With control events the control rule decides whether the completion counts; without them
  // the reported completion date counts, as it did before control events existed.
  bool done = impl.completed.has_value();
  std::optional<Date> c = impl.completed;
  if (!impl.controlEvents.empty()) {
    const ControlOutcome control =
        controlOutcome(ControlStatus::OnControl, impl.completed, impl.controlEvents, rules);
    ev.control = control.state;
    done = control.done;
    c = control.completed;
  }
  if (leftOut(ev, impl.lifecycle)) return ev;
  ev.progress = meanProgress(impl.indicators);
  judge(ev, impl.start, ev.deadline, done, c, asOf, rules);
  return ev;
}

Evaluation evaluate(const Implementation& impl, Date asOf, const StatusRules& rules) {
  std::vector<TaskEvaluation> tasks;
  return evaluate(impl, asOf, rules, tasks);
}

std::string rollUpKey(RollUpBy by, const Implementation& impl) {
  switch (by) {
    case RollUpBy::Measure:
      return impl.measure.id;
    case RollUpBy::Region:
      // First-level unit: districts roll up into their region; "17" (national) stays "17";
      // an unknown code is kept as it is rather than dropped.
      return regionOf(impl.region).value_or(impl.region);
    case RollUpBy::Sector:
      return impl.sector;
    case RollUpBy::Organisation:
      // One organisation spelled two ways is one organisation once the directory knows both.
      return impl.organisationCode.empty() ? impl.organisation : impl.organisationCode;
  }
  return impl.measure.id;
}

StatusFigures figuresOf(const Evaluation& ev) {
  StatusFigures f;
  f.status = ev.status;
  f.rag = ev.rag;
  f.delayDays = ev.delayDays;
  f.deadline = ev.deadline;
  f.earlyWarning = ev.earlyWarning;
  f.countsForDelay = ev.countsForDelay;
  f.due = ev.due;
  const TaskSummary& ts = ev.tasks;
  f.tasksTotal = ts.total;
  f.tasksOverdue = ts.overdue;
  f.tasksDoneOnTime = ts.doneOnTime;
  f.tasksDoneLate = ts.doneLate;
  f.tasksDueSoon = ts.dueSoon;
  f.tasksDueOrFinished = ts.dueOrFinished;
  auto count = [&](ExecutionStatus s) {
    auto found = ts.byStatus.find(s);
    return found == ts.byStatus.end() ? std::size_t{0} : found->second;
  };
  f.tasksCancelled = count(ExecutionStatus::Cancelled);
  f.tasksSuspended = count(ExecutionStatus::Suspended);
  return f;
}

void RollUpBuilder::add(const Implementation& impl, const Evaluation& ev) {
  add(rollUpKey(by_, impl), ev);
}

void RollUpBuilder::add(std::string key, const Evaluation& ev) {
  add(std::move(key), figuresOf(ev), 1, ev.tasks.overdue > 0 ? 1 : 0);
}

void RollUpBuilder::add(std::string key, const StatusFigures& ev, std::size_t n,
                        std::size_t withOverdueTasks) {
  if (n == 0) return;
  auto [it, inserted] = groups_.try_emplace(key);
  RollUp& g = it->second;
  if (inserted) g.key = std::move(key);

  g.total += n;
  g.byStatus[ev.status] += n;
  g.rag = std::max(g.rag, ev.rag);  // None < Green < Amber < Red
  if (ev.earlyWarning) g.earlyWarnings += n;
  // Cancelled and suspended work is counted apart and left out of delay statistics.
  if (ev.status == ExecutionStatus::Cancelled) g.cancelled += n;
  if (ev.status == ExecutionStatus::Suspended) g.suspended += n;
  if (ev.countsForDelay && ev.status != ExecutionStatus::Cancelled &&
      ev.status != ExecutionStatus::Suspended) {
    const bool finished =
        ev.status == ExecutionStatus::DoneOnTime || ev.status == ExecutionStatus::DoneLate;
    if (finished) g.done += n;
    if (ev.status == ExecutionStatus::DoneLate) g.doneLate += n;
    if (ev.status == ExecutionStatus::Overdue) g.overdue += n;
    if (finished || ev.due || ev.status == ExecutionStatus::Overdue) g.dueOrFinished += n;
  }
  g.shareDoneLate = share(g.doneLate, g.done);
  g.shareDoneLateOfDueOrFinished = share(g.doneLate, g.dueOrFinished);

  TaskRollUp& tr = g.tasks;
  tr.total += ev.tasksTotal;
  tr.overdue += ev.tasksOverdue;
  tr.doneOnTime += ev.tasksDoneOnTime;
  tr.doneLate += ev.tasksDoneLate;
  tr.dueSoon += ev.tasksDueSoon;
  tr.dueOrFinished += ev.tasksDueOrFinished;
  tr.done += ev.tasksDoneOnTime + ev.tasksDoneLate;
  tr.cancelled += ev.tasksCancelled;
  tr.suspended += ev.tasksSuspended;
  tr.withOverdueTasks += withOverdueTasks;
  tr.shareDoneLateOfDueOrFinished = share(tr.doneLate, tr.dueOrFinished);
  tr.shareDoneLateOfFinished = share(tr.doneLate, tr.done);
}

std::vector<RollUp> RollUpBuilder::result() const {
  std::vector<RollUp> out;
  out.reserve(groups_.size());
  for (const auto& [key, g] : groups_) out.push_back(g);
  return out;
}

}  // namespace ijro::model
