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

struct StatusRules {
  double redBelow = 0.7;      // r below this: red
  double amberBelow = 0.9;    // r below this: amber
  int amberWithinDays = 30;   // D - T <= this: amber at best
  int earlyWarningDays = 30;  // deadline within this many days: early warning
};

struct Evaluation {
  ExecutionStatus status = ExecutionStatus::NotStarted;
  Rag rag = Rag::None;
  Date deadline{};     // D, the last approved deadline
  long delayDays = 0;  // DONE_LATE: C - D; OVERDUE: T - D; else 0
  // p, mean indicator progress, if any indicator has data (any status but cancelled/suspended)
  std::optional<double> progress;
  std::optional<double> timeElapsed;  // tau; set only for ON_TRACK / AT_RISK
  std::optional<double> ratio;  // r = p / tau; set only for ON_TRACK / AT_RISK with p and tau > 0
  bool earlyWarning = false;
  bool countsForDelay = true;  // false for cancelled and suspended work
};

// Progress p_i of one indicator: (current actual - baseline) / (final target - baseline), clamped
// to [0, 1]. current actual = actual of the latest period (by end) that has one; final target =
// target of the latest period (by end) that has one. nullopt when either is missing or the final
// target equals the baseline. Works unchanged for descending indicators (target < baseline).
std::optional<double> indicatorProgress(const Indicator& ind);

Evaluation evaluate(const Implementation& impl, Date asOf, const StatusRules& rules = {});

// Roll-up over a group of implementations (per measure, region, sector or organisation).
struct RollUp {
  std::string key;
  std::size_t total = 0;
  std::map<ExecutionStatus, std::size_t> byStatus;
  Rag rag = Rag::None;   // red if any part is red, amber if any is amber, else green
  std::size_t done = 0;  // DONE_ON_TIME + DONE_LATE
  std::size_t doneLate = 0;
  double shareDoneLate = 0;  // doneLate / done, 0 when nothing done
  std::size_t earlyWarnings = 0;
};

enum class RollUpBy { Measure, Region, Sector, Organisation };
std::optional<RollUpBy> rollUpByFromString(std::string_view s);
const char* toString(RollUpBy v);

// Incremental accumulator so large stores can be rolled up while streaming.
class RollUpBuilder {
 public:
  explicit RollUpBuilder(RollUpBy by) : by_(by) {}
  void add(const Implementation& impl, const Evaluation& ev);
  std::vector<RollUp> result() const;  // sorted by key

 private:
  RollUpBy by_;
  std::map<std::string, RollUp> groups_;
};

}  // namespace ijro::model
