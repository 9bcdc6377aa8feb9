#include "hub/plugin_host/plugin_info.hpp"

#include <fmt/format.h>

#include "hub/base/enum_names.hpp"
#include "ijro_plugin.h"

namespace ijro::plugin_host {

namespace {

constexpr base::NameTable<Kind, 3> kKinds{{
    {Kind::Source, "source"},
    {Kind::Sink, "sink"},
    {Kind::Transform, "transform"},
}};
static_assert(base::namesEvery(kKinds, Kind::Source, Kind::Transform));
constexpr base::NameTable<OptionType, 7> kOptionTypes{{
    {OptionType::String, "string"},
    {OptionType::Int, "int"},
    {OptionType::Double, "double"},
    {OptionType::Bool, "bool"},
    {OptionType::Path, "path"},
    {OptionType::Table, "table"},
    {OptionType::Secret, "secret"},
}};
static_assert(base::namesEvery(kOptionTypes, OptionType::String, OptionType::Secret));

}  // namespace

const char* toString(Kind k) {
  return base::nameOf(kKinds, k);
}

const char* toString(OptionType t) {
  return base::nameOf(kOptionTypes, t);
}

std::string AbiVersion::str() const {
  return fmt::format("{}.{}", major, minor);
}

AbiVersion hostAbi() {
  return {IJRO_ABI_MAJOR, IJRO_ABI_MINOR};
}

std::string PluginInfo::label() const {
  if (name.empty()) return path.string();
  return fmt::format("\"{}\" {} ({})", name, version, path.string());
}

}  // namespace ijro::plugin_host
