#include "hub/model/types.hpp"

#include "hub/base/enum_names.hpp"

namespace ijro::model {

namespace {

using base::nameOf;
using base::namesEvery;
using base::valueOf;

constexpr base::NameTable<Lifecycle, 5> kLifecycle{{
    {Lifecycle::Planned, "planned"},
    {Lifecycle::InProgress, "inProgress"},
    {Lifecycle::Completed, "completed"},
    {Lifecycle::Cancelled, "cancelled"},
    {Lifecycle::Suspended, "suspended"},
}};
static_assert(namesEvery(kLifecycle, Lifecycle::Planned, Lifecycle::Suspended));
constexpr base::NameTable<ControlStatus, 5> kControl{{
    {ControlStatus::OnControl, "onControl"},
    {ControlStatus::Submitted, "submitted"},
    {ControlStatus::Returned, "returned"},
    {ControlStatus::Verified, "verified"},
    {ControlStatus::Removed, "removed"},
}};
static_assert(namesEvery(kControl, ControlStatus::OnControl, ControlStatus::Removed));
constexpr base::NameTable<Decision, 3> kDecision{{
    {Decision::Pending, "pending"},
    {Decision::Approved, "approved"},
    {Decision::Rejected, "rejected"},
}};
static_assert(namesEvery(kDecision, Decision::Pending, Decision::Rejected));
constexpr base::NameTable<IndicatorMode, 2> kIndicatorMode{{
    {IndicatorMode::Replace, "replace"},
    {IndicatorMode::Merge, "merge"},
}};
static_assert(namesEvery(kIndicatorMode, IndicatorMode::Replace, IndicatorMode::Merge));

}  // namespace

const char* toString(Lifecycle v) {
  return nameOf(kLifecycle, v);
}
std::optional<Lifecycle> lifecycleFromString(std::string_view s) {
  return valueOf(kLifecycle, s);
}
const char* toString(ControlStatus v) {
  return nameOf(kControl, v);
}
std::optional<ControlStatus> controlStatusFromString(std::string_view s) {
  return valueOf(kControl, s);
}

const char* toString(Decision v) {
  return nameOf(kDecision, v);
}
std::optional<Decision> decisionFromString(std::string_view s) {
  return valueOf(kDecision, s);
}

const char* toString(IndicatorMode v) {
  return nameOf(kIndicatorMode, v);
}
std::optional<IndicatorMode> indicatorModeFromString(std::string_view s) {
  return valueOf(kIndicatorMode, s);
}

}  // namespace ijro::model
