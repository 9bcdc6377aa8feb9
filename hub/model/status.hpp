// Execution status rules (see ARCHITECTURE.md and the domain brief): pure functions of the
// stored facts and an as-of date.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/model/types.hpp"

namespace ijro::model {

enum class ExecutionStatus {
  NotStarted,
  OnTrack,
  AtRisk,
  Overdue,
  DoneOnTime,
  DoneLate,
  Cancelled,
  Suspended
};
enum class Rag { None, Green, Amber, Red };

const char* toString(ExecutionStatus v);
std::optional<ExecutionStatus> executionStatusFromString(std::string_view s);
const char* toString(Rag v);
std::optional<Rag> ragFromString(std::string_view s);

// What a submitted report of completion counts as until the controller verifies or returns it.
//   open (default): the task stays open and its lateness keeps growing. Completion counts only
//     when the controller verifies it, so an executor cannot stop the clock by submitting; and
//     nothing is lost by waiting: once verified, C is the completion date of that submission, so
//     the evaluation becomes on time again if the work was in fact done on time.
//   done: the submission counts as done at its completion date at once (a provisional view for
//     a hub whose controllers verify in bulk long after the fact).
enum class SubmittedCounts { Open, Done };
const char* toString(SubmittedCounts v);
std::optional<SubmittedCounts> submittedCountsFromString(std::string_view s);

struct StatusRules {
  double redBelow = 0.7;      // r below this: red
  double amberBelow = 0.9;    // r below this: amber
  int amberWithinDays = 30;   // D - T <= this: amber at best
  int earlyWarningDays = 30;  // deadline within this many days: early warning
  SubmittedCounts submitted = SubmittedCounts::Open;
};

// A stable text naming every field of the rules that evaluate() reads: two rules with the same
// fingerprint evaluate everything alike (the store keeps it beside each stored evaluation).
std::string fingerprint(const StatusRules& rules);

// --- the deadline in force (rule 8) -------------------------------------------------------------
//
// D starts as the original deadline. The changes are walked in the order given; each is judged
// against the deadline in force at that point, i.e. after the changes before it that moved D:
//   moved         approved, `previous` equals the deadline in force, and decidedOn on or before
//                 it (or no decidedOn: a report from before decisions were dated, whose approval
//                 cannot be shown to be late). D becomes its `deadline`.
//   lateApproval  approved and linked, but decided after the deadline in force: kept and shown,
//                 D does not move, lateness is measured against the deadline that was in force.
//   rejected      rejected: D does not move.
//   pending       not decided yet: D does not move.
//   unlinked      `previous` is not the deadline in force: D does not move. Validation refuses
//                 such a chain (validate.hpp); this verdict only shows in data stored before the
//                 rule existed.
// A change that did not move D (late, rejected, pending) leaves the deadline in force where it
// was, so the next change must again name that deadline as `previous`.
enum class ChangeVerdict { Moved, LateApproval, Rejected, Pending, Unlinked };
const char* toString(ChangeVerdict v);

struct DeadlineWalk {
  Date deadline{};                      // D, the deadline in force after every change
  std::vector<ChangeVerdict> verdicts;  // one per change, in the order given
  std::size_t lateApprovals = 0;
};
DeadlineWalk walkDeadlines(Date original, const std::vector<DeadlineChange>& changes);

// --- control state (rule 8) ---------------------------------------------------------------------
//
// The control state is the state of the latest control event: events are ordered by their `on`
// date, and events of the same date keep the order given (a later one in the list is later).
// Without events the reported `control` stands; a completion date on a task still reported as
// onControl is the executor's report of completion, so it counts as submitted.
// Whether the work counts as done:
//   verified, removed  done; C = the completion date of the submission that was verified (the
//                      latest submission not returned before it), else the reported completion
//                      date, else the date of the verification. Removed after a verification
//                      keeps the verified C.
//   submitted          as StatusRules::submitted says; C = that submission's completion date.
//   returned           open again (the returned submission's date no longer counts).
//   onControl          open.
struct ControlOutcome {
  ControlStatus state = ControlStatus::OnControl;  // the control state in force
  bool done = false;
  std::optional<Date> completed;  // C when done (may be unknown for verified without any date)
};
ControlOutcome controlOutcome(ControlStatus reported, std::optional<Date> completed,
                              const std::vector<ControlEvent>& events, const StatusRules& rules);

// --- evaluations --------------------------------------------------------------------------------

// What the deadline rules (2-4) say about one piece of work: an implementation or a task.
struct Judgement {
  ExecutionStatus status = ExecutionStatus::NotStarted;
  Rag rag = Rag::None;
  Date deadline{};     // D, the deadline in force (see walkDeadlines)
  long delayDays = 0;  // DONE_LATE: C - D; OVERDUE: T - D; else 0
  bool earlyWarning = false;
  bool countsForDelay = true;  // false for cancelled and suspended work
  bool due = false;  // D <= T: the work is due in the period (the published share's denominator)
  // The control state in force; always set for a task, for an implementation only when it
  // carries control events (without them its reported completion counts, as before).
  std::optional<ControlStatus> control;
  std::optional<Date> completed;               // C as counted; empty while the work is open
  std::vector<ChangeVerdict> deadlineChanges;  // per change, see walkDeadlines
  std::size_t lateApprovals = 0;
};

// One delegated task, evaluated by rules 2-4 against its own deadline in force. Tasks carry no
// indicators, so only the deadline rules apply; its start is the implementation's start. Tasks
// of a cancelled or suspended implementation are cancelled or suspended with it.
struct TaskEvaluation : Judgement {
  std::string id;
};

// What an implementation's tasks add up to (BRIEF rule 7).
struct TaskSummary {
  std::size_t total = 0;
  std::map<ExecutionStatus, std::size_t> byStatus;
  std::size_t overdue = 0;
  std::size_t doneLate = 0;
  std::size_t doneOnTime = 0;
  std::size_t dueSoon = 0;        // early warning: open and due within earlyWarningDays
  std::size_t onTrack = 0;        // onTrack, atRisk and notStarted: open and not yet due
  std::size_t submitted = 0;      // control state submitted: awaiting the controller
  std::size_t returned = 0;       // control state returned
  std::size_t dueOrFinished = 0;  // done, or open with D <= T (see RollUp)
  std::size_t lateApprovals = 0;
  std::optional<std::string> longestOverdueId;  // the task overdue longest (first on a tie)
  long longestOverdueDays = 0;
};

struct Evaluation : Judgement {
  // p, mean indicator progress, if any indicator has data (any status but cancelled/suspended)
  std::optional<double> progress;
  std::optional<double> timeElapsed;  // tau; set only for ON_TRACK / AT_RISK
  std::optional<double> ratio;  // r = p / tau; set only for ON_TRACK / AT_RISK with p and tau > 0
  TaskSummary tasks;
  // Indicator periods outside the work's start and deadline in force (a warning, never a
  // refusal: see outsideWork in indicators.hpp). Counted whatever the status.
  std::size_t periodsOutsideWork = 0;
};

// Progress p_i of one indicator: (current actual - baseline) / (final target - baseline), clamped
// to [0, 1]. current actual = actual of the latest period (by end) that has one; final target =
// target of the latest period (by end) that has one. nullopt when either is missing or the final
// target equals the baseline. Works unchanged for descending indicators (target < baseline).
std::optional<double> indicatorProgress(const Indicator& ind);

// The implementation by rules 1-4 and 8, with the summary of its tasks.
Evaluation evaluate(const Implementation& impl, Date asOf, const StatusRules& rules = {});
// The same, also handing back every task's evaluation (in the order of impl.assignments).
Evaluation evaluate(const Implementation& impl, Date asOf, const StatusRules& rules,
                    std::vector<TaskEvaluation>& tasks);
// One task of `impl` (rule 7).
TaskEvaluation evaluateAssignment(const Assignment& task, const Implementation& impl, Date asOf,
                                  const StatusRules& rules = {});
TaskSummary summarise(const std::vector<TaskEvaluation>& tasks);

// Roll-ups (rule 5 and 9). Two shares of work done late are published, over two denominators:
//   shareDoneLateOfDueOrFinished = doneLate / dueOrFinished, where dueOrFinished is the work due
//     in the period: finished (done on time or late) or with D <= T. This is the published
//     figure ("1,965 of 8,963 tasks done late").
//   shareDoneLate (= shareDoneLateOfFinished) = doneLate / done, the share of finished work.
// Cancelled and suspended work is counted apart and is in neither denominator. Each share is 0
// when its denominator is 0.
struct TaskRollUp {
  std::size_t total = 0;
  std::size_t overdue = 0;
  std::size_t doneOnTime = 0;
  std::size_t doneLate = 0;
  std::size_t dueSoon = 0;
  std::size_t dueOrFinished = 0;
  std::size_t done = 0;  // doneOnTime + doneLate
  std::size_t cancelled = 0;
  std::size_t suspended = 0;
  std::size_t withOverdueTasks = 0;  // implementations with at least one overdue task
  double shareDoneLateOfDueOrFinished = 0;
  double shareDoneLateOfFinished = 0;
};

// Roll-up over a group of implementations (per measure, region, sector or organisation).
struct RollUp {
  std::string key;
  std::size_t total = 0;
  std::map<ExecutionStatus, std::size_t> byStatus;
  // Red if any part is red, amber if any is amber, else green. Done-late work is amber (see
  // evaluate), so a group with late finished work is amber at least, never red on its account:
  // red stays for work that still needs action.
  Rag rag = Rag::None;
  std::size_t done = 0;  // DONE_ON_TIME + DONE_LATE
  std::size_t doneLate = 0;
  double shareDoneLate = 0;  // doneLate / done, 0 when nothing done (the share of finished work)
  std::size_t earlyWarnings = 0;
  std::size_t overdue = 0;
  std::size_t dueOrFinished = 0;            // done, or open with D <= T; cancelled/suspended never
  double shareDoneLateOfDueOrFinished = 0;  // doneLate / dueOrFinished: the published figure
  std::size_t cancelled = 0;
  std::size_t suspended = 0;
  TaskRollUp tasks;  // the tasks of the group's implementations
};

enum class RollUpBy { Measure, Region, Sector, Organisation };
std::optional<RollUpBy> rollUpByFromString(std::string_view s);
const char* toString(RollUpBy v);

// The group an implementation rolls up into: its measure id; its first-level region (a district
// rolls up into its region, "17" stays "17", an unknown code stays as it is); its sector; its
// organisation's code when the directory knows it (impl.organisationCode), else its spelling.
std::string rollUpKey(RollUpBy by, const Implementation& impl);

// What a store keeps of an evaluation, and what a roll-up counts of it: the judgement's figures
// and the task summary's counts. For one implementation, or (in the task fields) the sums over
// several that share the discrete fields (see RollUpBuilder::add with a count).
struct StatusFigures {
  ExecutionStatus status = ExecutionStatus::NotStarted;
  Rag rag = Rag::None;
  long delayDays = 0;
  Date deadline{};
  bool earlyWarning = false;
  bool countsForDelay = true;
  bool due = false;
  std::size_t tasksTotal = 0;
  std::size_t tasksOverdue = 0;
  std::size_t tasksDoneOnTime = 0;
  std::size_t tasksDoneLate = 0;
  std::size_t tasksDueSoon = 0;
  std::size_t tasksDueOrFinished = 0;
  std::size_t tasksCancelled = 0;
  std::size_t tasksSuspended = 0;
  bool operator==(const StatusFigures&) const = default;
};
StatusFigures figuresOf(const Evaluation& ev);

// Incremental accumulator so large stores can be rolled up while streaming.
class RollUpBuilder {
 public:
  explicit RollUpBuilder(RollUpBy by) : by_(by) {}
  void add(const Implementation& impl, const Evaluation& ev);
  // The same into the group named `key`, whatever `by` says: for groupings the enum does not name
  // (all work as one group, a region and sector pair).
  void add(std::string key, const Evaluation& ev);
  // `count` implementations at once, all with the discrete fields of `sums` (status, rag, the
  // flags); its task fields are their sums, and withOverdueTasks of them have an overdue task.
  // The same as adding each one's evaluation (delayDays and deadline are not counted).
  void add(std::string key, const StatusFigures& sums, std::size_t count,
           std::size_t withOverdueTasks);
  std::vector<RollUp> result() const;  // sorted by key

 private:
  RollUpBy by_;
  std::map<std::string, RollUp> groups_;
};

}  // namespace ijro::model
