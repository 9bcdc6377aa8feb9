#include "hub/model/types.hpp"

#include "hub/model/enum_names.hpp"

namespace ijro::model {

namespace {

using detail::name;
using detail::parse;

constexpr detail::NameTable<Lifecycle, 5> kLifecycle{{
    {Lifecycle::Planned, "planned"},
    {Lifecycle::InProgress, "inProgress"},
    {Lifecycle::Completed, "completed"},
    {Lifecycle::Cancelled, "cancelled"},
    {Lifecycle::Suspended, "suspended"},
}};
constexpr detail::NameTable<ControlStatus, 5> kControl{{
    {ControlStatus::OnControl, "onControl"},
    {ControlStatus::Submitted, "submitted"},
    {ControlStatus::Returned, "returned"},
    {ControlStatus::Verified, "verified"},
    {ControlStatus::Removed, "removed"},
}};

}  // namespace

const char* toString(Lifecycle v) {
  return name(kLifecycle, v);
}
std::optional<Lifecycle> lifecycleFromString(std::string_view s) {
  return parse(kLifecycle, s);
}
const char* toString(ControlStatus v) {
  return name(kControl, v);
}
std::optional<ControlStatus> controlStatusFromString(std::string_view s) {
  return parse(kControl, s);
}

}  // namespace ijro::model
