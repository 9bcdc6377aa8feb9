#include "hub/model/types.hpp"

#include <array>
#include <utility>

namespace ijro::model {

namespace {
constexpr std::array<std::pair<Lifecycle, const char*>, 5> kLifecycle{{
    {Lifecycle::Planned, "planned"},
    {Lifecycle::InProgress, "inProgress"},
    {Lifecycle::Completed, "completed"},
    {Lifecycle::Cancelled, "cancelled"},
    {Lifecycle::Suspended, "suspended"},
}};
constexpr std::array<std::pair<ControlStatus, const char*>, 5> kControl{{
    {ControlStatus::OnControl, "onControl"},
    {ControlStatus::Submitted, "submitted"},
    {ControlStatus::Returned, "returned"},
    {ControlStatus::Verified, "verified"},
    {ControlStatus::Removed, "removed"},
}};

template <typename E, std::size_t N>
const char* name(const std::array<std::pair<E, const char*>, N>& table, E v) {
  for (const auto& [e, n] : table)
    if (e == v) return n;
  return "?";
}
template <typename E, std::size_t N>
std::optional<E> parse(const std::array<std::pair<E, const char*>, N>& table, std::string_view s) {
  for (const auto& [e, n] : table)
    if (s == n) return e;
  return std::nullopt;
}
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
