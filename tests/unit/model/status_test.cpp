// Status rules and roll-ups. Dates are written as day offsets from 2026-01-01 so the arithmetic
// behind each boundary is visible: S = day(0), D = day(100) unless a test says otherwise.
#include "hub/model/status.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "hub/model/indicators.hpp"

namespace ijro::model {
namespace {

using std::chrono::days;

Date day(int n) {
  return Date{std::chrono::year{2026} / 1 / 1} + days{n};
}

Implementation work(int start = 0, int deadline = 100) {
  Implementation impl;
  impl.source = "test";
  impl.measure.id = "DU2030-1.2.15";
  impl.measure.title = "Connect schools to the electronic diary";
  impl.region = "1703";
  impl.organisation = "Ministry of Preschool and School Education";
  impl.sector = "education";
  impl.revision = 1;
  impl.lifecycle = Lifecycle::InProgress;
  impl.start = day(start);
  impl.deadline = day(deadline);
  return impl;
}

// One indicator with a single period carrying both target and actual.
Indicator indicator(double baseline, double target, std::optional<double> actual,
                    bool ascending = true, std::string code = "i1") {
  Indicator ind;
  ind.code = std::move(code);
  ind.name = "schools connected";
  ind.unit = "schools";
  ind.ascending = ascending;
  ind.baseline = baseline;
  ind.periods.push_back({day(0), day(100), target, actual});
  return ind;
}

DeadlineChange extension(int to, bool approved) {
  return DeadlineChange::decided(day(100), day(to), approved ? "Deputy minister" : "",
                                 approved ? std::optional<Date>(day(90)) : std::nullopt,
                                 "equipment delivered late");
}

DeadlineChange change(int previous, int to, Decision decision, std::optional<int> decidedOn) {
  DeadlineChange c;
  c.previous = day(previous);
  c.deadline = day(to);
  c.requestedBy = "Regional department";
  c.requestedOn = day(previous - 20);
  c.reason = "contractor delay";
  c.decision = decision;
  if (decision != Decision::Pending) {
    c.decidedBy = "Deputy minister";
    if (decidedOn) c.decidedOn = day(*decidedOn);
  }
  return c;
}

// --- names --------------------------------------------------------------------------------------

TEST(ModelStatus, ExecutionStatusNames) {
  const std::pair<ExecutionStatus, const char*> all[] = {
      {ExecutionStatus::NotStarted, "notStarted"}, {ExecutionStatus::OnTrack, "onTrack"},
      {ExecutionStatus::AtRisk, "atRisk"},         {ExecutionStatus::Overdue, "overdue"},
      {ExecutionStatus::DoneOnTime, "doneOnTime"}, {ExecutionStatus::DoneLate, "doneLate"},
      {ExecutionStatus::Cancelled, "cancelled"},   {ExecutionStatus::Suspended, "suspended"}};
  for (const auto& [v, n] : all) {
    EXPECT_STREQ(toString(v), n);
    EXPECT_EQ(executionStatusFromString(n), v);
  }
  EXPECT_FALSE(executionStatusFromString("OnTrack"));
  EXPECT_FALSE(executionStatusFromString("on_track"));
  EXPECT_FALSE(executionStatusFromString(""));
}

TEST(ModelStatus, RagNames) {
  const std::pair<Rag, const char*> all[] = {
      {Rag::None, "none"}, {Rag::Green, "green"}, {Rag::Amber, "amber"}, {Rag::Red, "red"}};
  for (const auto& [v, n] : all) {
    EXPECT_STREQ(toString(v), n);
    EXPECT_EQ(ragFromString(n), v);
  }
  EXPECT_FALSE(ragFromString("Red"));
}

TEST(ModelStatus, RollUpByNames) {
  const std::pair<RollUpBy, const char*> all[] = {{RollUpBy::Measure, "measure"},
                                                  {RollUpBy::Region, "region"},
                                                  {RollUpBy::Sector, "sector"},
                                                  {RollUpBy::Organisation, "organisation"}};
  for (const auto& [v, n] : all) {
    EXPECT_STREQ(toString(v), n);
    EXPECT_EQ(rollUpByFromString(n), v);
  }
  EXPECT_FALSE(rollUpByFromString("organization"));
}

// --- cancelled and suspended --------------------------------------------------------------------

TEST(ModelStatus, CancelledIsLeftOutWhateverTheDates) {
  auto impl = work();
  impl.lifecycle = Lifecycle::Cancelled;
  impl.indicators.push_back(indicator(0, 100, 10));
  for (int t : {-10, 50, 95, 200}) {
    auto ev = evaluate(impl, day(t));
    EXPECT_EQ(ev.status, ExecutionStatus::Cancelled) << t;
    EXPECT_EQ(ev.rag, Rag::None);
    EXPECT_FALSE(ev.countsForDelay);
    EXPECT_EQ(ev.delayDays, 0);
    EXPECT_FALSE(ev.earlyWarning);
    EXPECT_EQ(ev.deadline, day(100));
  }
  impl.completed = day(150);  // even a late completion date does not bring it back
  auto ev = evaluate(impl, day(200));
  EXPECT_EQ(ev.status, ExecutionStatus::Cancelled);
  EXPECT_EQ(ev.delayDays, 0);
}

TEST(ModelStatus, SuspendedIsLeftOutWhateverTheDates) {
  auto impl = work();
  impl.lifecycle = Lifecycle::Suspended;
  for (int t : {-10, 50, 95, 200}) {
    auto ev = evaluate(impl, day(t));
    EXPECT_EQ(ev.status, ExecutionStatus::Suspended) << t;
    EXPECT_EQ(ev.rag, Rag::None);
    EXPECT_FALSE(ev.countsForDelay);
    EXPECT_EQ(ev.delayDays, 0);
    EXPECT_FALSE(ev.earlyWarning);
  }
}

// --- completed ----------------------------------------------------------------------------------

TEST(ModelStatus, CompletedExactlyOnTheDeadlineIsOnTime) {
  auto impl = work();
  impl.lifecycle = Lifecycle::Completed;
  impl.completed = day(100);
  auto ev = evaluate(impl, day(120));
  EXPECT_EQ(ev.status, ExecutionStatus::DoneOnTime);
  EXPECT_EQ(ev.rag, Rag::Green);
  EXPECT_EQ(ev.delayDays, 0);
  EXPECT_TRUE(ev.countsForDelay);
  EXPECT_FALSE(ev.earlyWarning);
}

TEST(ModelStatus, CompletedEarlyIsOnTime) {
  auto impl = work();
  impl.lifecycle = Lifecycle::Completed;
  impl.completed = day(40);
  auto ev = evaluate(impl, day(50));  // still before the deadline: no early warning either
  EXPECT_EQ(ev.status, ExecutionStatus::DoneOnTime);
  EXPECT_EQ(ev.rag, Rag::Green);
  EXPECT_FALSE(ev.earlyWarning);
}

TEST(ModelStatus, CompletedOneDayLateIsDoneLateAmber) {
  auto impl = work();
  impl.lifecycle = Lifecycle::Completed;
  impl.completed = day(101);
  auto ev = evaluate(impl, day(300));
  EXPECT_EQ(ev.status, ExecutionStatus::DoneLate);
  EXPECT_EQ(ev.rag, Rag::Amber);  // finished, so not red
  EXPECT_EQ(ev.delayDays, 1);
  EXPECT_TRUE(ev.countsForDelay);
}

TEST(ModelStatus, DoneLateDelayIsCompletionMinusDeadline) {
  auto impl = work();
  impl.lifecycle = Lifecycle::Completed;
  impl.completed = day(145);
  EXPECT_EQ(evaluate(impl, day(146)).delayDays, 45);
  EXPECT_EQ(evaluate(impl, day(400)).delayDays, 45);  // does not grow with the as-of date
}

TEST(ModelStatus, CompletionDateCountsWhateverTheLifecycle) {
  auto impl = work();
  impl.lifecycle = Lifecycle::InProgress;
  impl.completed = day(90);
  EXPECT_EQ(evaluate(impl, day(200)).status, ExecutionStatus::DoneOnTime);
  impl.lifecycle = Lifecycle::Planned;
  impl.completed = day(110);
  EXPECT_EQ(evaluate(impl, day(200)).status, ExecutionStatus::DoneLate);
}

TEST(ModelStatus, CompletionIsJudgedAgainstTheApprovedExtension) {
  auto impl = work();
  impl.lifecycle = Lifecycle::Completed;
  impl.completed = day(110);
  impl.deadlineChanges.push_back(extension(120, true));
  auto ev = evaluate(impl, day(130));
  EXPECT_EQ(ev.status, ExecutionStatus::DoneOnTime);
  EXPECT_EQ(ev.deadline, day(120));

  impl.deadlineChanges = {extension(120, false)};
  ev = evaluate(impl, day(130));
  EXPECT_EQ(ev.status, ExecutionStatus::DoneLate);
  EXPECT_EQ(ev.delayDays, 10);
  EXPECT_EQ(ev.deadline, day(100));
}

// --- overdue ------------------------------------------------------------------------------------

TEST(ModelStatus, OverdueByOneDay) {
  auto impl = work();
  impl.indicators.push_back(indicator(0, 100, 99));
  auto ev = evaluate(impl, day(101));
  EXPECT_EQ(ev.status, ExecutionStatus::Overdue);
  EXPECT_EQ(ev.rag, Rag::Red);
  EXPECT_EQ(ev.delayDays, 1);
  EXPECT_FALSE(ev.earlyWarning);
  EXPECT_TRUE(ev.countsForDelay);
}

TEST(ModelStatus, OnTheDeadlineDayIsNotOverdue) {
  auto impl = work();
  auto ev = evaluate(impl, day(100));
  EXPECT_EQ(ev.status, ExecutionStatus::AtRisk);
  EXPECT_EQ(ev.rag, Rag::Amber);
  EXPECT_EQ(ev.delayDays, 0);
  EXPECT_TRUE(ev.earlyWarning);
}

TEST(ModelStatus, OverdueDelayGrowsWithTheAsOfDate) {
  auto impl = work();
  EXPECT_EQ(evaluate(impl, day(130)).delayDays, 30);
  EXPECT_EQ(evaluate(impl, day(465)).delayDays, 365);
}

TEST(ModelStatus, ApprovedExtensionMovesTheDeadline) {
  auto impl = work();
  impl.deadlineChanges.push_back(extension(200, true));
  auto ev = evaluate(impl, day(105));
  EXPECT_EQ(ev.deadline, day(200));
  EXPECT_EQ(ev.status, ExecutionStatus::OnTrack);  // no indicators, 95 days left
  EXPECT_EQ(ev.rag, Rag::Green);
  EXPECT_EQ(ev.delayDays, 0);
}

TEST(ModelStatus, RequestedButUnapprovedExtensionDoesNot) {
  auto impl = work();
  impl.deadlineChanges.push_back(extension(200, false));
  auto ev = evaluate(impl, day(105));
  EXPECT_EQ(ev.deadline, day(100));
  EXPECT_EQ(ev.status, ExecutionStatus::Overdue);
  EXPECT_EQ(ev.rag, Rag::Red);
  EXPECT_EQ(ev.delayDays, 5);
}

TEST(ModelStatus, LinkedApprovedExtensionsMoveTheDeadlineInTurn) {
  auto impl = work();
  // 100 -> 150 approved on day 90; a request 150 -> 300 still pending; 150 -> 180 approved on
  // day 140 (on or before the 150 then in force).
  impl.deadlineChanges = {extension(150, true), change(150, 300, Decision::Pending, std::nullopt),
                          change(150, 180, Decision::Approved, 140)};
  auto ev = evaluate(impl, day(185));
  EXPECT_EQ(ev.deadline, day(180));
  EXPECT_EQ(ev.status, ExecutionStatus::Overdue);
  EXPECT_EQ(ev.delayDays, 5);  // 185 - 180
  EXPECT_EQ(ev.deadlineChanges,
            (std::vector<ChangeVerdict>{ChangeVerdict::Moved, ChangeVerdict::Pending,
                                        ChangeVerdict::Moved}));
  EXPECT_EQ(ev.lateApprovals, 0u);
}

TEST(ModelStatus, ApprovalOnTheDeadlineDayMovesIt) {
  auto impl = work();
  impl.deadlineChanges = {change(100, 150, Decision::Approved, 100)};
  EXPECT_EQ(evaluate(impl, day(120)).deadline, day(150));
}

TEST(ModelStatus, LateApprovalIsKeptButDoesNotMoveTheDeadline) {
  auto impl = work();
  impl.deadlineChanges = {change(100, 150, Decision::Approved, 101)};  // one day after D = 100
  auto ev = evaluate(impl, day(120));
  EXPECT_EQ(ev.deadline, day(100));
  EXPECT_EQ(ev.status, ExecutionStatus::Overdue);
  EXPECT_EQ(ev.delayDays, 20);  // 120 - 100, against the deadline that was in force
  EXPECT_EQ(ev.lateApprovals, 1u);
  EXPECT_EQ(ev.deadlineChanges, std::vector<ChangeVerdict>{ChangeVerdict::LateApproval});
}

TEST(ModelStatus, RejectedExtensionDoesNotMoveTheDeadline) {
  auto impl = work();
  impl.deadlineChanges = {change(100, 150, Decision::Rejected, 90)};
  auto ev = evaluate(impl, day(120));
  EXPECT_EQ(ev.deadline, day(100));
  EXPECT_EQ(ev.delayDays, 20);
  EXPECT_EQ(ev.deadlineChanges, std::vector<ChangeVerdict>{ChangeVerdict::Rejected});
}

TEST(ModelStatus, UnlinkedApprovalDoesNotMoveTheDeadline) {
  auto impl = work();
  // The second change names 100 as previous, but 150 is in force after the first.
  impl.deadlineChanges = {extension(150, true), change(100, 300, Decision::Approved, 90)};
  auto ev = evaluate(impl, day(120));
  EXPECT_EQ(ev.deadline, day(150));
  EXPECT_EQ(ev.deadlineChanges,
            (std::vector<ChangeVerdict>{ChangeVerdict::Moved, ChangeVerdict::Unlinked}));
}

TEST(ModelStatus, UndatedApprovalFromOldReportsStillMovesTheDeadline) {
  auto impl = work();
  impl.deadlineChanges = {
      DeadlineChange::decided(day(100), day(150), "Deputy minister", std::nullopt, "old")};
  EXPECT_EQ(evaluate(impl, day(120)).deadline, day(150));
}

TEST(ModelStatus, TheChainRestartsFromTheDeadlineStillInForceAfterALateApproval) {
  // 100 -> 150 approved late (day 110); the next change must name 100 again, and approved on
  // day 95 it moves D to 130.
  auto impl = work();
  impl.deadlineChanges = {change(100, 150, Decision::Approved, 110),
                          change(100, 130, Decision::Approved, 95)};
  auto walk = walkDeadlines(impl.deadline, impl.deadlineChanges);
  EXPECT_EQ(walk.deadline, day(130));
  EXPECT_EQ(walk.lateApprovals, 1u);
  EXPECT_EQ(impl.lastApprovedDeadline(), day(130));
}

// --- control state (rule 8) and tasks (rule 7) --------------------------------------------------

ControlEvent controlEvent(ControlStatus state, int on, std::optional<int> completed = {}) {
  ControlEvent e;
  e.state = state;
  e.by = "controller";
  e.on = day(on);
  if (completed) e.completed = day(*completed);
  if (state == ControlStatus::Returned) e.reason = "incomplete";
  return e;
}

Assignment task(std::string id, int deadline) {
  Assignment a;
  a.id = std::move(id);
  a.assignee = "District unit";
  a.deadline = day(deadline);
  return a;
}

TEST(ModelControl, LatestEventByDateDecidesWhateverTheListOrder) {
  // Given out of order: the verification of day 60 comes after the submission of day 50.
  auto out = controlOutcome(
      ControlStatus::OnControl, std::nullopt,
      {controlEvent(ControlStatus::Verified, 60), controlEvent(ControlStatus::Submitted, 50, 48)},
      {});
  EXPECT_EQ(out.state, ControlStatus::Verified);
  EXPECT_TRUE(out.done);
  EXPECT_EQ(out.completed, day(48));
}

TEST(ModelControl, EventsOfTheSameDateKeepTheOrderGiven) {
  auto returnedLast = controlOutcome(
      ControlStatus::OnControl, std::nullopt,
      {controlEvent(ControlStatus::Submitted, 50, 48), controlEvent(ControlStatus::Returned, 50)},
      {});
  EXPECT_EQ(returnedLast.state, ControlStatus::Returned);
  EXPECT_FALSE(returnedLast.done);
  auto submittedLast = controlOutcome(
      ControlStatus::OnControl, std::nullopt,
      {controlEvent(ControlStatus::Returned, 50), controlEvent(ControlStatus::Submitted, 50, 48)},
      {});
  EXPECT_EQ(submittedLast.state, ControlStatus::Submitted);
}

TEST(ModelControl, VerificationDatesTheWorkByTheSubmissionItVerified) {
  // Submitted (done 40), returned, resubmitted (done 55), verified on 70: C = 55.
  auto out = controlOutcome(
      ControlStatus::OnControl, day(30),
      {controlEvent(ControlStatus::Submitted, 42, 40), controlEvent(ControlStatus::Returned, 45),
       controlEvent(ControlStatus::Submitted, 56, 55), controlEvent(ControlStatus::Verified, 70)},
      {});
  EXPECT_EQ(out.completed, day(55));
  // Verified with no submission standing: the reported completion date, else the verification.
  out = controlOutcome(ControlStatus::OnControl, day(30),
                       {controlEvent(ControlStatus::Verified, 70)}, {});
  EXPECT_EQ(out.completed, day(30));
  out = controlOutcome(ControlStatus::OnControl, std::nullopt,
                       {controlEvent(ControlStatus::Verified, 70)}, {});
  EXPECT_EQ(out.completed, day(70));
}

TEST(ModelControl, RemovedAfterVerificationKeepsTheVerifiedDate) {
  auto out = controlOutcome(
      ControlStatus::OnControl, std::nullopt,
      {controlEvent(ControlStatus::Submitted, 42, 40), controlEvent(ControlStatus::Verified, 50),
       controlEvent(ControlStatus::Removed, 90)},
      {});
  EXPECT_EQ(out.state, ControlStatus::Removed);
  EXPECT_TRUE(out.done);
  EXPECT_EQ(out.completed, day(40));
}

TEST(ModelControl, WithoutEventsTheReportedControlStands) {
  auto verified = controlOutcome(ControlStatus::Verified, day(90), {}, {});
  EXPECT_EQ(verified.state, ControlStatus::Verified);
  EXPECT_TRUE(verified.done);
  EXPECT_EQ(verified.completed, day(90));
  // On control with a completion date: the executor's report of completion, i.e. submitted.
  auto reported = controlOutcome(ControlStatus::OnControl, day(90), {}, {});
  EXPECT_EQ(reported.state, ControlStatus::Submitted);
  EXPECT_FALSE(reported.done);
  auto returned = controlOutcome(ControlStatus::Returned, day(90), {}, {});
  EXPECT_FALSE(returned.done);
  EXPECT_FALSE(returned.completed);
}

TEST(ModelControl, SubmittedCountsAsConfigured) {
  StatusRules done;
  done.submitted = SubmittedCounts::Done;
  const std::vector<ControlEvent> events{controlEvent(ControlStatus::Submitted, 42, 40)};
  EXPECT_FALSE(controlOutcome(ControlStatus::OnControl, std::nullopt, events, {}).done);
  auto out = controlOutcome(ControlStatus::OnControl, std::nullopt, events, done);
  EXPECT_TRUE(out.done);
  EXPECT_EQ(out.completed, day(40));
  EXPECT_STREQ(toString(SubmittedCounts::Open), "open");
  EXPECT_EQ(submittedCountsFromString("done"), SubmittedCounts::Done);
  EXPECT_FALSE(submittedCountsFromString("verified"));
}

TEST(ModelControl, ImplementationWithoutEventsCountsItsReportedCompletion) {
  auto impl = work();
  impl.lifecycle = Lifecycle::Completed;
  impl.completed = day(90);
  auto ev = evaluate(impl, day(120));
  EXPECT_EQ(ev.status, ExecutionStatus::DoneOnTime);
  EXPECT_FALSE(ev.control);
}

TEST(ModelControl, ImplementationWithEventsFollowsTheControlState) {
  auto impl = work();
  impl.lifecycle = Lifecycle::Completed;
  impl.completed = day(90);
  impl.controlEvents = {controlEvent(ControlStatus::Submitted, 91, 90),
                        controlEvent(ControlStatus::Returned, 95)};
  auto ev = evaluate(impl, day(120));
  EXPECT_EQ(ev.control, ControlStatus::Returned);
  EXPECT_EQ(ev.status, ExecutionStatus::Overdue);  // open again: 120 - 100
  EXPECT_EQ(ev.delayDays, 20);
  impl.controlEvents.push_back(controlEvent(ControlStatus::Submitted, 110, 108));
  impl.controlEvents.push_back(controlEvent(ControlStatus::Verified, 115));
  ev = evaluate(impl, day(120));
  EXPECT_EQ(ev.status, ExecutionStatus::DoneLate);  // C = 108 > D = 100
  EXPECT_EQ(ev.delayDays, 8);
  EXPECT_EQ(ev.completed, day(108));
}

TEST(ModelTasks, EachTaskAgainstItsOwnDeadline) {
  auto impl = work(0, 200);
  impl.assignments = {task("T1", 100), task("T2", 140)};
  impl.assignments[1].deadlineChanges = {change(140, 160, Decision::Approved, 130)};
  std::vector<TaskEvaluation> tasks;
  evaluate(impl, day(150), {}, tasks);
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].id, "T1");
  EXPECT_EQ(tasks[0].status, ExecutionStatus::Overdue);
  EXPECT_EQ(tasks[0].delayDays, 50);  // 150 - 100
  EXPECT_EQ(tasks[1].deadline, day(160));
  EXPECT_EQ(tasks[1].status, ExecutionStatus::AtRisk);  // 10 days left, no indicators
  EXPECT_EQ(tasks[1].rag, Rag::Amber);
  EXPECT_TRUE(tasks[1].earlyWarning);
}

TEST(ModelTasks, TasksOfCancelledOrSuspendedWorkAreLeftOutWithIt) {
  auto impl = work();
  impl.assignments = {task("T1", 50)};
  for (auto lc : {Lifecycle::Cancelled, Lifecycle::Suspended}) {
    impl.lifecycle = lc;
    auto te = evaluateAssignment(impl.assignments[0], impl, day(120));
    EXPECT_EQ(te.status,
              lc == Lifecycle::Cancelled ? ExecutionStatus::Cancelled : ExecutionStatus::Suspended);
    EXPECT_EQ(te.rag, Rag::None);
    EXPECT_FALSE(te.countsForDelay);
    EXPECT_EQ(te.delayDays, 0);
  }
}

TEST(ModelTasks, VerifiedWithoutAnyDateIsDoneButUndated) {
  auto impl = work();
  auto t = task("T1", 50);
  t.control = ControlStatus::Verified;
  auto te = evaluateAssignment(t, impl, day(120));
  EXPECT_EQ(te.status, ExecutionStatus::DoneOnTime);
  EXPECT_FALSE(te.completed);
}

TEST(ModelTasks, SummaryCountsAndTheLongestOverdue) {
  auto impl = work(0, 300);
  impl.assignments = {task("late-5", 145),  task("late-20", 130), task("late-20b", 130),
                      task("soon", 160),    task("fine", 250),    task("doneLate", 100),
                      task("returned", 200)};
  impl.assignments[5].control = ControlStatus::Verified;
  impl.assignments[5].completed = day(110);
  impl.assignments[6].control = ControlStatus::Returned;
  auto ev = evaluate(impl, day(150));
  const TaskSummary& s = ev.tasks;
  EXPECT_EQ(s.total, 7u);
  EXPECT_EQ(s.overdue, 3u);
  EXPECT_EQ(s.doneLate, 1u);
  EXPECT_EQ(s.doneOnTime, 0u);
  EXPECT_EQ(s.dueSoon, 1u);  // "soon": 10 days left
  EXPECT_EQ(s.onTrack, 3u);  // soon, fine, returned
  EXPECT_EQ(s.returned, 1u);
  EXPECT_EQ(s.dueOrFinished, 4u);  // three overdue and one done
  EXPECT_EQ(s.longestOverdueId, std::optional<std::string>("late-20"));  // first of the two
  EXPECT_EQ(s.longestOverdueDays, 20);
  // The implementation's own status is its own: 150 days left, no indicators.
  EXPECT_EQ(ev.status, ExecutionStatus::OnTrack);
}

// --- not started --------------------------------------------------------------------------------

TEST(ModelStatus, BeforeTheStartIsNotStartedGreen) {
  auto impl = work(50, 150);
  impl.indicators.push_back(indicator(0, 100, 0));
  auto ev = evaluate(impl, day(49));
  EXPECT_EQ(ev.status, ExecutionStatus::NotStarted);
  EXPECT_EQ(ev.rag, Rag::Green);
  EXPECT_FALSE(ev.earlyWarning);
  EXPECT_FALSE(ev.ratio);
  EXPECT_FALSE(ev.timeElapsed);
}

TEST(ModelStatus, NotStartedWithin30DaysOfTheDeadlineIsAmber) {
  auto impl = work(50, 60);           // a short task that has not started yet
  auto ev = evaluate(impl, day(30));  // D - T = 30
  EXPECT_EQ(ev.status, ExecutionStatus::NotStarted);
  EXPECT_EQ(ev.rag, Rag::Amber);
  EXPECT_TRUE(ev.earlyWarning);

  ev = evaluate(impl, day(29));  // D - T = 31
  EXPECT_EQ(ev.status, ExecutionStatus::NotStarted);
  EXPECT_EQ(ev.rag, Rag::Green);
  EXPECT_FALSE(ev.earlyWarning);
}

// --- deadline rule, no indicators ---------------------------------------------------------------

TEST(ModelStatus, NoIndicatorsOnlyTheDeadlineRuleApplies) {
  auto impl = work();
  auto ev = evaluate(impl, day(60));
  EXPECT_EQ(ev.status, ExecutionStatus::OnTrack);
  EXPECT_EQ(ev.rag, Rag::Green);
  EXPECT_FALSE(ev.progress);
  EXPECT_FALSE(ev.ratio);
  ASSERT_TRUE(ev.timeElapsed);
  EXPECT_DOUBLE_EQ(*ev.timeElapsed, 0.6);
}

TEST(ModelStatus, NoIndicators30DaysBeforeTheDeadlineIsAtRiskAmber) {
  auto impl = work();
  auto ev = evaluate(impl, day(70));  // D - T = 30
  EXPECT_EQ(ev.status, ExecutionStatus::AtRisk);
  EXPECT_EQ(ev.rag, Rag::Amber);
  EXPECT_TRUE(ev.earlyWarning);
}

TEST(ModelStatus, NoIndicators31DaysBeforeTheDeadlineIsOnTrack) {
  auto impl = work();
  auto ev = evaluate(impl, day(69));  // D - T = 31
  EXPECT_EQ(ev.status, ExecutionStatus::OnTrack);
  EXPECT_EQ(ev.rag, Rag::Green);
  EXPECT_FALSE(ev.earlyWarning);
}

TEST(ModelStatus, FullProgress30DaysBeforeTheDeadlineIsStillAmber) {
  auto impl = work();
  impl.indicators.push_back(indicator(0, 100, 100));
  auto ev = evaluate(impl, day(70));
  EXPECT_EQ(ev.status, ExecutionStatus::AtRisk);
  EXPECT_EQ(ev.rag, Rag::Amber);
  EXPECT_DOUBLE_EQ(*ev.ratio, 1.0 / 0.7);

  ev = evaluate(impl, day(69));
  EXPECT_EQ(ev.status, ExecutionStatus::OnTrack);
  EXPECT_EQ(ev.rag, Rag::Green);
}

TEST(ModelStatus, IndicatorsWithoutDataCountAsNone) {
  auto impl = work();
  impl.indicators.push_back(indicator(0, 100, std::nullopt));    // no actual yet
  impl.indicators.push_back(indicator(50, 50, 10, true, "i2"));  // target == baseline
  Indicator noTarget = indicator(0, 0, 30, true, "i3");
  noTarget.periods[0].target = std::nullopt;
  impl.indicators.push_back(noTarget);
  Indicator noPeriods;
  noPeriods.code = "i4";
  impl.indicators.push_back(noPeriods);
  auto ev = evaluate(impl, day(50));
  EXPECT_FALSE(ev.progress);
  EXPECT_FALSE(ev.ratio);
  EXPECT_EQ(ev.status, ExecutionStatus::OnTrack);
  EXPECT_EQ(ev.rag, Rag::Green);
}

TEST(ModelStatus, CustomDeadlineWindows) {
  StatusRules rules;
  rules.amberWithinDays = 10;
  rules.earlyWarningDays = 20;
  auto impl = work();
  auto ev = evaluate(impl, day(85), rules);  // D - T = 15
  EXPECT_EQ(ev.rag, Rag::Green);
  EXPECT_TRUE(ev.earlyWarning);
  ev = evaluate(impl, day(90), rules);  // D - T = 10
  EXPECT_EQ(ev.rag, Rag::Amber);
  ev = evaluate(impl, day(79), rules);  // D - T = 21
  EXPECT_FALSE(ev.earlyWarning);
}

// --- progress against time ----------------------------------------------------------------------

// tau = 50/100 = 0.5 and p = 35/100, so r = 0.7 exactly: not below the red threshold.
TEST(ModelStatus, RatioExactly07IsAmberNotRed) {
  auto impl = work();
  impl.indicators.push_back(indicator(0, 100, 35));
  auto ev = evaluate(impl, day(50));
  ASSERT_TRUE(ev.ratio);
  EXPECT_DOUBLE_EQ(*ev.ratio, 0.7);
  EXPECT_DOUBLE_EQ(*ev.progress, 0.35);
  EXPECT_DOUBLE_EQ(*ev.timeElapsed, 0.5);
  EXPECT_EQ(ev.status, ExecutionStatus::AtRisk);
  EXPECT_EQ(ev.rag, Rag::Amber);
}

TEST(ModelStatus, RatioJustBelow07IsRed) {
  auto impl = work();
  impl.indicators.push_back(indicator(0, 100, 34.5));  // r = 0.69
  auto ev = evaluate(impl, day(50));
  EXPECT_EQ(ev.status, ExecutionStatus::AtRisk);
  EXPECT_EQ(ev.rag, Rag::Red);
  EXPECT_FALSE(ev.earlyWarning);
}

// Mathematically r = (35/134) / (25/67) = 0.7, but in doubles it comes out a hair below 0.7.
// The tolerance keeps it amber; D - T = 42 so the deadline rule plays no part.
TEST(ModelStatus, RatioOf07WithRoundingErrorIsStillNotRed) {
  auto impl = work(0, 67);
  impl.indicators.push_back(indicator(0, 134, 35));
  auto ev = evaluate(impl, day(25));
  ASSERT_TRUE(ev.ratio);
  EXPECT_LT(*ev.ratio, 0.7);  // the case this test is about
  EXPECT_NEAR(*ev.ratio, 0.7, 1e-12);
  EXPECT_EQ(ev.status, ExecutionStatus::AtRisk);
  EXPECT_EQ(ev.rag, Rag::Amber);
}

// tau = 0.5 and p = 0.45, so r = 0.9 exactly: not below the amber threshold.
TEST(ModelStatus, RatioExactly09IsOnTrackGreen) {
  auto impl = work();
  impl.indicators.push_back(indicator(0, 100, 45));
  auto ev = evaluate(impl, day(50));
  ASSERT_TRUE(ev.ratio);
  EXPECT_DOUBLE_EQ(*ev.ratio, 0.9);
  EXPECT_EQ(ev.status, ExecutionStatus::OnTrack);
  EXPECT_EQ(ev.rag, Rag::Green);
}

TEST(ModelStatus, RatioJustBelow09IsAmber) {
  auto impl = work();
  impl.indicators.push_back(indicator(0, 100, 44.5));  // r = 0.89
  auto ev = evaluate(impl, day(50));
  EXPECT_EQ(ev.status, ExecutionStatus::AtRisk);
  EXPECT_EQ(ev.rag, Rag::Amber);
}

// Mathematically r = 0.18 / 0.2 = 0.9; in doubles a hair below. D - T = 40.
TEST(ModelStatus, RatioOf09WithRoundingErrorIsStillGreen) {
  auto impl = work(0, 50);
  impl.indicators.push_back(indicator(0, 100, 18));
  auto ev = evaluate(impl, day(10));
  ASSERT_TRUE(ev.ratio);
  EXPECT_LT(*ev.ratio, 0.9);  // the case this test is about
  EXPECT_NEAR(*ev.ratio, 0.9, 1e-12);
  EXPECT_EQ(ev.status, ExecutionStatus::OnTrack);
  EXPECT_EQ(ev.rag, Rag::Green);
}

TEST(ModelStatus, CustomRatioThresholds) {
  StatusRules rules;
  rules.redBelow = 0.5;
  rules.amberBelow = 0.6;
  auto impl = work();
  impl.indicators.push_back(indicator(0, 100, 25));  // r = 0.5
  EXPECT_EQ(evaluate(impl, day(50), rules).rag, Rag::Amber);
  impl.indicators[0].periods[0].actual = 30;  // r = 0.6
  EXPECT_EQ(evaluate(impl, day(50), rules).rag, Rag::Green);
  impl.indicators[0].periods[0].actual = 20;  // r = 0.4
  EXPECT_EQ(evaluate(impl, day(50), rules).rag, Rag::Red);
}

TEST(ModelStatus, TauIsZeroOnTheStartDay) {
  auto impl = work();
  impl.indicators.push_back(indicator(0, 100, 0));  // nothing achieved yet
  auto ev = evaluate(impl, day(0));
  ASSERT_TRUE(ev.timeElapsed);
  EXPECT_EQ(*ev.timeElapsed, 0.0);
  ASSERT_TRUE(ev.progress);
  EXPECT_EQ(*ev.progress, 0.0);
  EXPECT_FALSE(ev.ratio);  // p / 0 is not computed
  EXPECT_EQ(ev.status, ExecutionStatus::OnTrack);
  EXPECT_EQ(ev.rag, Rag::Green);
}

TEST(ModelStatus, TauZeroStillHonoursTheDeadlineRule) {
  auto impl = work(0, 20);
  impl.indicators.push_back(indicator(0, 100, 0));
  auto ev = evaluate(impl, day(0));
  EXPECT_FALSE(ev.ratio);
  EXPECT_EQ(ev.status, ExecutionStatus::AtRisk);
  EXPECT_EQ(ev.rag, Rag::Amber);
}

TEST(ModelStatus, StartEqualsDeadlineMeansTauOne) {
  auto impl = work(100, 100);
  impl.indicators.push_back(indicator(0, 100, 50));
  auto ev = evaluate(impl, day(100));
  ASSERT_TRUE(ev.timeElapsed);
  EXPECT_EQ(*ev.timeElapsed, 1.0);
  ASSERT_TRUE(ev.ratio);
  EXPECT_DOUBLE_EQ(*ev.ratio, 0.5);
  EXPECT_EQ(ev.rag, Rag::Red);
}

TEST(ModelStatus, DescendingIndicatorProgress) {
  // Days to issue a construction permit: baseline 20, target 5, now 11 -> (11-20)/(5-20) = 0.6.
  auto impl = work();
  impl.indicators.push_back(indicator(20, 5, 11, /*ascending=*/false));
  auto ev = evaluate(impl, day(50));
  ASSERT_TRUE(ev.progress);
  EXPECT_DOUBLE_EQ(*ev.progress, 0.6);
  EXPECT_DOUBLE_EQ(*ev.ratio, 1.2);
  EXPECT_EQ(ev.status, ExecutionStatus::OnTrack);
  EXPECT_EQ(ev.rag, Rag::Green);
}

TEST(ModelStatus, DescendingIndicatorThatGotWorseIsZero) {
  auto impl = work();
  impl.indicators.push_back(indicator(20, 5, 25, /*ascending=*/false));
  auto ev = evaluate(impl, day(50));
  EXPECT_EQ(*ev.progress, 0.0);
  EXPECT_EQ(ev.status, ExecutionStatus::AtRisk);
  EXPECT_EQ(ev.rag, Rag::Red);
}

TEST(ModelStatus, DescendingIndicatorBeyondTargetIsOne) {
  auto impl = work();
  impl.indicators.push_back(indicator(20, 5, 3, /*ascending=*/false));
  EXPECT_EQ(*evaluate(impl, day(50)).progress, 1.0);
}

TEST(ModelStatus, IndicatorProgressIsClamped) {
  EXPECT_EQ(indicatorProgress(indicator(0, 100, 150)), 1.0);
  EXPECT_EQ(indicatorProgress(indicator(10, 100, 5)), 0.0);
  EXPECT_DOUBLE_EQ(*indicatorProgress(indicator(10, 110, 60)), 0.5);
}

// Values past the validated range (stored before the bounds existed) overflow the difference to
// infinity; the indicator then has no progress instead of NaN, and the others still count.
TEST(ModelStatus, ExtremeFiniteValuesNeverMakeProgressNaN) {
  EXPECT_EQ(indicatorProgress(indicator(-1e308, 1e308, 1e308)), std::nullopt);
  auto impl = work();
  impl.indicators.push_back(indicator(-1e308, 1e308, 1e308, true, "extreme"));
  impl.indicators.push_back(indicator(0, 100, 50, true, "plain"));
  auto ev = evaluate(impl, day(50));
  ASSERT_TRUE(ev.progress);
  EXPECT_DOUBLE_EQ(*ev.progress, 0.5);
  ASSERT_TRUE(ev.ratio);
  EXPECT_TRUE(std::isfinite(*ev.ratio));
}

TEST(ModelStatus, AShareOfHugeCountsIsNotDerivedAsInfinity) {
  EXPECT_EQ(ratioOf(1e308, 1e-308, "%"), std::nullopt);
  EXPECT_DOUBLE_EQ(*ratioOf(1, 4, "%"), 25.0);
}

TEST(ModelStatus, IndicatorUsesLatestActualAndFinalTarget) {
  Indicator ind;
  ind.code = "schools";
  ind.baseline = 0;
  // Listed out of order on purpose: the latest period by end date decides.
  ind.periods.push_back({day(90), day(180), 50, 40});              // Q2: latest actual
  ind.periods.push_back({day(270), day(364), 100, std::nullopt});  // Q4: final target
  ind.periods.push_back({day(0), day(89), 25, 30});                // Q1
  ind.periods.push_back({day(181), day(269), std::nullopt, std::nullopt});
  EXPECT_DOUBLE_EQ(*indicatorProgress(ind), 0.4);
}

TEST(ModelStatus, ProgressIsTheMeanOverUsableIndicators) {
  auto impl = work();
  impl.indicators.push_back(indicator(0, 100, 100, true, "a"));           // 1.0
  impl.indicators.push_back(indicator(0, 100, 50, true, "b"));            // 0.5
  impl.indicators.push_back(indicator(20, 5, 20, false, "c"));            // 0.0
  impl.indicators.push_back(indicator(0, 100, std::nullopt, true, "d"));  // skipped
  impl.indicators.push_back(indicator(7, 7, 9, true, "e"));               // skipped
  auto ev = evaluate(impl, day(50));
  ASSERT_TRUE(ev.progress);
  EXPECT_DOUBLE_EQ(*ev.progress, 0.5);
  EXPECT_DOUBLE_EQ(*ev.ratio, 1.0);
  EXPECT_EQ(ev.rag, Rag::Green);
}

TEST(ModelStatus, TimeElapsedFollowsTheApprovedDeadline) {
  auto impl = work();
  impl.deadlineChanges.push_back(extension(200, true));
  impl.indicators.push_back(indicator(0, 100, 35));
  auto ev = evaluate(impl, day(100));  // tau = 100/200 = 0.5, r = 0.7
  EXPECT_DOUBLE_EQ(*ev.timeElapsed, 0.5);
  EXPECT_EQ(ev.rag, Rag::Amber);
  EXPECT_EQ(ev.status, ExecutionStatus::AtRisk);
}

// --- early warning ------------------------------------------------------------------------------

TEST(ModelStatus, EarlyWarningOnlyForOpenWorkNearTheDeadline) {
  auto impl = work();
  EXPECT_TRUE(evaluate(impl, day(70)).earlyWarning);
  EXPECT_TRUE(evaluate(impl, day(100)).earlyWarning);
  EXPECT_FALSE(evaluate(impl, day(69)).earlyWarning);
  EXPECT_FALSE(evaluate(impl, day(101)).earlyWarning);  // overdue, past warning

  impl.lifecycle = Lifecycle::Completed;
  impl.completed = day(60);
  EXPECT_FALSE(evaluate(impl, day(80)).earlyWarning);
}

// --- roll-up ------------------------------------------------------------------------------------

struct Item {
  Implementation impl;
  Evaluation ev;
};

Item item(std::string measure, std::string region, std::string sector, std::string org,
          Evaluation ev) {
  auto impl = work();
  impl.measure.id = std::move(measure);
  impl.region = std::move(region);
  impl.sector = std::move(sector);
  impl.organisation = std::move(org);
  return {impl, ev};
}

Evaluation eval(ExecutionStatus s, Rag r, bool warning = false) {
  Evaluation ev;
  ev.status = s;
  ev.rag = r;
  ev.earlyWarning = warning;
  ev.countsForDelay = s != ExecutionStatus::Cancelled && s != ExecutionStatus::Suspended;
  return ev;
}

TEST(ModelRollUp, CountsRagAndShareDoneLate) {
  RollUpBuilder b(RollUpBy::Measure);
  b.add(work(), eval(ExecutionStatus::DoneOnTime, Rag::Green));
  b.add(work(), eval(ExecutionStatus::DoneOnTime, Rag::Green));
  b.add(work(), eval(ExecutionStatus::DoneOnTime, Rag::Green));
  b.add(work(), eval(ExecutionStatus::DoneLate, Rag::Amber));
  b.add(work(), eval(ExecutionStatus::AtRisk, Rag::Red, true));
  b.add(work(), eval(ExecutionStatus::OnTrack, Rag::Green, true));
  auto out = b.result();
  ASSERT_EQ(out.size(), 1u);
  const RollUp& g = out[0];
  EXPECT_EQ(g.key, "DU2030-1.2.15");
  EXPECT_EQ(g.total, 6u);
  EXPECT_EQ(g.byStatus.at(ExecutionStatus::DoneOnTime), 3u);
  EXPECT_EQ(g.byStatus.at(ExecutionStatus::DoneLate), 1u);
  EXPECT_EQ(g.byStatus.at(ExecutionStatus::AtRisk), 1u);
  EXPECT_EQ(g.byStatus.at(ExecutionStatus::OnTrack), 1u);
  EXPECT_EQ(g.byStatus.count(ExecutionStatus::Overdue), 0u);
  EXPECT_EQ(g.rag, Rag::Red);
  EXPECT_EQ(g.done, 4u);
  EXPECT_EQ(g.doneLate, 1u);
  EXPECT_DOUBLE_EQ(g.shareDoneLate, 0.25);
  EXPECT_EQ(g.earlyWarnings, 2u);
}

TEST(ModelRollUp, CancelledAndSuspendedAreLeftOutOfDelayStatistics) {
  auto base = work();
  base.lifecycle = Lifecycle::Completed;
  base.completed = day(90);
  auto late = base;
  late.completed = day(120);
  auto cancelled = late;
  cancelled.lifecycle = Lifecycle::Cancelled;  // would be done late, but it was cancelled
  auto suspended = work();
  suspended.lifecycle = Lifecycle::Suspended;

  RollUpBuilder b(RollUpBy::Measure);
  for (const auto* impl : {&base, &late, &cancelled, &suspended, &cancelled})
    b.add(*impl, evaluate(*impl, day(150)));
  const RollUp g = b.result().at(0);
  EXPECT_EQ(g.total, 5u);
  EXPECT_EQ(g.byStatus.at(ExecutionStatus::Cancelled), 2u);
  EXPECT_EQ(g.byStatus.at(ExecutionStatus::Suspended), 1u);
  EXPECT_EQ(g.done, 2u);
  EXPECT_EQ(g.doneLate, 1u);
  EXPECT_DOUBLE_EQ(g.shareDoneLate, 0.5);
  EXPECT_EQ(g.rag, Rag::Amber);  // cancelled and suspended have no RAG to contribute
}

TEST(ModelRollUp, RagPrecedence) {
  auto rag = [](std::initializer_list<Rag> rags) {
    RollUpBuilder b(RollUpBy::Sector);
    for (Rag r : rags) b.add(work(), eval(ExecutionStatus::OnTrack, r));
    return b.result().at(0).rag;
  };
  EXPECT_EQ(rag({Rag::Green, Rag::Amber, Rag::Green}), Rag::Amber);
  EXPECT_EQ(rag({Rag::Amber, Rag::Red, Rag::Green}), Rag::Red);
  EXPECT_EQ(rag({Rag::None, Rag::Green}), Rag::Green);
  EXPECT_EQ(rag({Rag::None, Rag::None}), Rag::None);
  EXPECT_EQ(rag({Rag::Red, Rag::None}), Rag::Red);
}

TEST(ModelRollUp, OnlyCancelledGivesNoRagAndNoShare) {
  RollUpBuilder b(RollUpBy::Organisation);
  b.add(work(), eval(ExecutionStatus::Cancelled, Rag::None));
  const RollUp g = b.result().at(0);
  EXPECT_EQ(g.rag, Rag::None);
  EXPECT_EQ(g.done, 0u);
  EXPECT_EQ(g.shareDoneLate, 0.0);
}

TEST(ModelRollUp, ByRegionUsesTheFirstLevelUnit) {
  RollUpBuilder b(RollUpBy::Region);
  auto add = [&](std::string region, Rag r) {
    auto it = item("m", std::move(region), "health", "org", eval(ExecutionStatus::OnTrack, r));
    b.add(it.impl, it.ev);
  };
  add("1726", Rag::Green);
  add("1703202", Rag::Red);
  add("1703", Rag::Green);
  add("17", Rag::Amber);
  add("1703207", Rag::Green);
  auto out = b.result();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].key, "17");
  EXPECT_EQ(out[0].total, 1u);
  EXPECT_EQ(out[0].rag, Rag::Amber);
  EXPECT_EQ(out[1].key, "1703");
  EXPECT_EQ(out[1].total, 3u);
  EXPECT_EQ(out[1].rag, Rag::Red);
  EXPECT_EQ(out[2].key, "1726");
  EXPECT_EQ(out[2].total, 1u);
  EXPECT_EQ(out[2].rag, Rag::Green);
}

TEST(ModelRollUp, BySectorMeasureAndOrganisationSortedByKey) {
  std::vector<Item> items{
      item("M-2", "1703", "tax", "Tax Committee", eval(ExecutionStatus::OnTrack, Rag::Green)),
      item("M-1", "1706", "health", "Ministry of Health", eval(ExecutionStatus::Overdue, Rag::Red)),
      item("M-2", "1706", "health", "Ministry of Health",
           eval(ExecutionStatus::DoneLate, Rag::Amber)),
  };
  auto keys = [&](RollUpBy by) {
    RollUpBuilder b(by);
    for (const auto& it : items) b.add(it.impl, it.ev);
    std::vector<std::pair<std::string, std::size_t>> out;
    for (const auto& g : b.result()) out.emplace_back(g.key, g.total);
    return out;
  };
  using V = std::vector<std::pair<std::string, std::size_t>>;
  EXPECT_EQ(keys(RollUpBy::Measure), (V{{"M-1", 1}, {"M-2", 2}}));
  EXPECT_EQ(keys(RollUpBy::Sector), (V{{"health", 2}, {"tax", 1}}));
  EXPECT_EQ(keys(RollUpBy::Organisation), (V{{"Ministry of Health", 2}, {"Tax Committee", 1}}));
  EXPECT_EQ(keys(RollUpBy::Region), (V{{"1703", 1}, {"1706", 2}}));
}

TEST(ModelRollUp, BothSharesOverTheirDenominators) {
  // At T = 150, D = 100 unless said: 2 done on time, 1 done late, 1 overdue, 1 due today
  // (D = 150, open), 1 not yet due (D = 200), 1 cancelled (late) and 1 suspended.
  auto done = work();
  done.lifecycle = Lifecycle::Completed;
  done.completed = day(90);
  auto late = done;
  late.completed = day(120);
  auto overdue = work();
  auto dueToday = work(0, 150);
  auto notDue = work(0, 200);
  auto cancelled = late;
  cancelled.lifecycle = Lifecycle::Cancelled;
  auto suspended = work();
  suspended.lifecycle = Lifecycle::Suspended;
  RollUpBuilder b(RollUpBy::Measure);
  for (const auto* impl :
       {&done, &done, &late, &overdue, &dueToday, &notDue, &cancelled, &suspended})
    b.add(*impl, evaluate(*impl, day(150)));
  const RollUp g = b.result().at(0);
  EXPECT_EQ(g.total, 8u);
  EXPECT_EQ(g.done, 3u);
  EXPECT_EQ(g.doneLate, 1u);
  EXPECT_EQ(g.overdue, 1u);
  EXPECT_EQ(g.dueOrFinished, 5u);  // 3 finished + overdue + due today
  EXPECT_EQ(g.cancelled, 1u);
  EXPECT_EQ(g.suspended, 1u);
  EXPECT_DOUBLE_EQ(g.shareDoneLateOfDueOrFinished, 1.0 / 5);
  EXPECT_DOUBLE_EQ(g.shareDoneLate, 1.0 / 3);
}

TEST(ModelRollUp, TasksRollUpWithTheirShares) {
  auto a = work(0, 300);
  a.assignments = {task("T1", 100), task("T2", 100), task("T3", 200)};
  a.assignments[1].control = ControlStatus::Verified;
  a.assignments[1].completed = day(120);  // done late by 20
  auto b = work(0, 300);
  b.assignments = {task("U1", 100)};
  b.assignments[0].control = ControlStatus::Removed;
  b.assignments[0].completed = day(90);  // done on time
  auto c = work(0, 300);
  c.lifecycle = Lifecycle::Cancelled;
  c.assignments = {task("V1", 100)};
  RollUpBuilder builder(RollUpBy::Measure);
  for (const auto* impl : {&a, &b, &c}) builder.add(*impl, evaluate(*impl, day(150)));
  const TaskRollUp t = builder.result().at(0).tasks;
  EXPECT_EQ(t.total, 5u);
  EXPECT_EQ(t.overdue, 1u);  // T1
  EXPECT_EQ(t.doneLate, 1u);
  EXPECT_EQ(t.doneOnTime, 1u);
  EXPECT_EQ(t.done, 2u);
  EXPECT_EQ(t.dueOrFinished, 3u);  // T1, T2, U1; T3 not due, V1 cancelled
  EXPECT_EQ(t.cancelled, 1u);
  EXPECT_EQ(t.withOverdueTasks, 1u);
  EXPECT_DOUBLE_EQ(t.shareDoneLateOfDueOrFinished, 1.0 / 3);
  EXPECT_DOUBLE_EQ(t.shareDoneLateOfFinished, 1.0 / 2);
}

TEST(ModelRollUp, EmptyBuilderGivesNothing) {
  EXPECT_TRUE(RollUpBuilder(RollUpBy::Measure).result().empty());
}

}  // namespace
}  // namespace ijro::model
