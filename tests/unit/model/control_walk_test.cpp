// One delegated task walked through execution control around its deadline: an extension request
// that is rejected, one approved in time, a submission, its return, a late approval, a
// resubmission, the verification and the removal from control. Each row adds one step to the
// task's journal and states, worked out by hand, what the rules must say as of that row's date.
//
// Dates are day offsets from 2026-01-01: the implementation starts on day 0 (S), the task is due
// on day 100 (D0). Rules are the defaults: amber and early warning within 30 days of D.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>

#include "hub/model/status.hpp"

namespace ijro::model {
namespace {

using std::chrono::days;

Date day(int n) {
  return Date{std::chrono::year{2026} / 1 / 1} + days{n};
}

DeadlineChange request(int previous, int to, int requestedOn) {
  DeadlineChange c;
  c.previous = day(previous);
  c.deadline = day(to);
  c.requestedBy = "Yunusobod District Medical Association";
  c.requestedOn = day(requestedOn);
  c.reason = "equipment delivered late";
  return c;
}

void decide(Assignment& a, std::size_t change, Decision d, int on) {
  auto& c = a.deadlineChanges.at(change);
  c.decision = d;
  c.decidedBy = "Head of the Tashkent City Health Department";
  c.decidedOn = day(on);
}

ControlEvent event(ControlStatus state, int on, std::optional<int> completed = std::nullopt,
                   std::string reason = {}) {
  ControlEvent e;
  e.state = state;
  e.by = state == ControlStatus::Submitted ? "specialist" : "controller";
  e.on = day(on);
  if (completed) e.completed = day(*completed);
  e.reason = std::move(reason);
  return e;
}

struct Row {
  const char* step;
  std::function<void(Assignment&)> apply;  // the step, added to what the rows above did
  int asOf;                                // T
  SubmittedCounts submitted;
  // expected
  ExecutionStatus status;
  long delayDays;
  Rag rag;
  bool earlyWarning;
  int deadline;  // D in force
  ControlStatus control;
  std::size_t lateApprovals;
};

using CS = ControlStatus;
using ES = ExecutionStatus;
constexpr auto kOpen = SubmittedCounts::Open;
constexpr auto kDone = SubmittedCounts::Done;

const Row kRows[] = {
    // 1. Set on control. T=50, D=100: D-T = 50 > 30, open, no indicators -> onTrack, green.
    {"set on control", [](Assignment&) {}, 50, kOpen, ES::OnTrack, 0, Rag::Green, false, 100,
     CS::OnControl, 0},
    // 2. Extension 100 -> 130 asked on day 80, pending: D stays 100. T=80: D-T = 20 <= 30 ->
    //    atRisk, amber, early warning.
    {"extension requested",
     [](Assignment& a) { a.deadlineChanges.push_back(request(100, 130, 80)); }, 80, kOpen,
     ES::AtRisk, 0, Rag::Amber, true, 100, CS::OnControl, 0},
    // 3. The controller rejects it on day 85: D stays 100. T=85: D-T = 15 -> atRisk, amber.
    {"extension rejected", [](Assignment& a) { decide(a, 0, Decision::Rejected, 85); }, 85, kOpen,
     ES::AtRisk, 0, Rag::Amber, true, 100, CS::OnControl, 0},
    // 4. A new request 100 -> 140 (previous = 100, the deadline still in force) on day 88,
    //    approved on day 95 <= 100: D becomes 140. T=95: D-T = 45 > 30 -> onTrack, green.
    {"second extension approved in time",
     [](Assignment& a) {
       a.deadlineChanges.push_back(request(100, 140, 88));
       decide(a, 1, Decision::Approved, 95);
     },
     95, kOpen, ES::OnTrack, 0, Rag::Green, false, 140, CS::OnControl, 0},
    // 5. The executor submits on day 120, work completed on day 118. Submitted counts as open
    //    (default): T=120, D-T = 20 -> atRisk, amber, early warning.
    {"submitted", [](Assignment& a) { a.controlEvents.push_back(event(CS::Submitted, 120, 118)); },
     120, kOpen, ES::AtRisk, 0, Rag::Amber, true, 140, CS::Submitted, 0},
    // 6. Same facts with submittedCounts = done: C = 118 <= D = 140 -> doneOnTime, green, 0.
    {"submitted, counted as done by configuration", [](Assignment&) {}, 120, kDone, ES::DoneOnTime,
     0, Rag::Green, false, 140, CS::Submitted, 0},
    // 7. The controller returns it on day 125 with a reason: open again. T=125: D-T = 15 ->
    //    atRisk, amber, early warning.
    {"returned",
     [](Assignment& a) {
       a.controlEvents.push_back(
           event(CS::Returned, 125, std::nullopt, "act of acceptance unsigned"));
     },
     125, kOpen, ES::AtRisk, 0, Rag::Amber, true, 140, CS::Returned, 0},
    // 8. Returned work past its deadline: T=150 > D=140 -> overdue, red, delay = 150-140 = 10.
    {"returned and past the deadline", [](Assignment&) {}, 150, kOpen, ES::Overdue, 10, Rag::Red,
     false, 140, CS::Returned, 0},
    // 9. Extension 140 -> 170 asked on day 138 but approved only on day 145 > 140: a late
    //    approval, kept and counted, D stays 140. T=150: overdue, delay = 150-140 = 10.
    {"late approval",
     [](Assignment& a) {
       a.deadlineChanges.push_back(request(140, 170, 138));
       decide(a, 2, Decision::Approved, 145);
     },
     150, kOpen, ES::Overdue, 10, Rag::Red, false, 140, CS::Returned, 1},
    // 10. Resubmitted on day 155, completed on day 152. Still open by default: lateness keeps
    //     growing, T=155: delay = 155-140 = 15, overdue, red.
    {"resubmitted",
     [](Assignment& a) { a.controlEvents.push_back(event(CS::Submitted, 155, 152)); }, 155, kOpen,
     ES::Overdue, 15, Rag::Red, false, 140, CS::Submitted, 1},
    // 11. Same facts with submittedCounts = done: C = 152 > 140 -> doneLate, amber,
    //     delay = 152-140 = 12.
    {"resubmitted, counted as done by configuration", [](Assignment&) {}, 155, kDone, ES::DoneLate,
     12, Rag::Amber, false, 140, CS::Submitted, 1},
    // 12. Verified on day 160: C = 152, the completion date of the submission verified (not the
    //     returned one of day 118, not the verification day 160). 152 > 140 -> doneLate, amber,
    //     delay = 152-140 = 12.
    {"verified", [](Assignment& a) { a.controlEvents.push_back(event(CS::Verified, 160)); }, 160,
     kOpen, ES::DoneLate, 12, Rag::Amber, false, 140, CS::Verified, 1},
    // 13. Later as-of dates do not change a finished task: T=200, still delay 12.
    {"verified, seen later", [](Assignment&) {}, 200, kOpen, ES::DoneLate, 12, Rag::Amber, false,
     140, CS::Verified, 1},
    // 14. Removed from control on day 205: C stays 152 -> doneLate, delay 12.
    {"removed from control",
     [](Assignment& a) { a.controlEvents.push_back(event(CS::Removed, 205)); }, 205, kOpen,
     ES::DoneLate, 12, Rag::Amber, false, 140, CS::Removed, 1},
};

TEST(ModelControlWalk, OneTaskThroughExecutionControlAroundItsDeadline) {
  Implementation impl;
  impl.measure.id = "DU2030-2.4.1";
  impl.lifecycle = Lifecycle::InProgress;
  impl.start = day(0);
  impl.deadline = day(200);
  Assignment task;
  task.id = "TSH-HLT-1.2";
  task.assignee = "Yunusobod District Medical Association";
  task.deadline = day(100);

  for (const Row& row : kRows) {
    SCOPED_TRACE(row.step);
    row.apply(task);
    StatusRules rules;
    rules.submitted = row.submitted;
    impl.assignments = {task};
    const TaskEvaluation te = evaluateAssignment(task, impl, day(row.asOf), rules);
    EXPECT_EQ(toString(te.status), std::string(toString(row.status)));
    EXPECT_EQ(te.delayDays, row.delayDays);
    EXPECT_EQ(toString(te.rag), std::string(toString(row.rag)));
    EXPECT_EQ(te.earlyWarning, row.earlyWarning);
    EXPECT_EQ(te.deadline, day(row.deadline));
    ASSERT_TRUE(te.control);
    EXPECT_EQ(toString(*te.control), std::string(toString(row.control)));
    EXPECT_EQ(te.lateApprovals, row.lateApprovals);

    // The implementation's task summary says the same about its one task.
    const Evaluation ev = evaluate(impl, day(row.asOf), rules);
    EXPECT_EQ(ev.tasks.total, 1u);
    EXPECT_EQ(ev.tasks.overdue, row.status == ES::Overdue ? 1u : 0u);
    EXPECT_EQ(ev.tasks.doneLate, row.status == ES::DoneLate ? 1u : 0u);
    EXPECT_EQ(ev.tasks.dueSoon, row.earlyWarning ? 1u : 0u);
    EXPECT_EQ(ev.tasks.lateApprovals, row.lateApprovals);
    if (row.status == ES::Overdue) {
      EXPECT_EQ(ev.tasks.longestOverdueId, std::optional<std::string>("TSH-HLT-1.2"));
      EXPECT_EQ(ev.tasks.longestOverdueDays, row.delayDays);
    } else {
      EXPECT_FALSE(ev.tasks.longestOverdueId);
    }
  }
  // The journal the walk built: the verdict on each deadline change.
  const auto walk = walkDeadlines(task.deadline, task.deadlineChanges);
  EXPECT_EQ(walk.verdicts,
            (std::vector<ChangeVerdict>{ChangeVerdict::Rejected, ChangeVerdict::Moved,
                                        ChangeVerdict::LateApproval}));
}

}  // namespace
}  // namespace ijro::model
