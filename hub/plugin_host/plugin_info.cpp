#include "hub/plugin_host/plugin_info.hpp"

#include <fmt/format.h>

#include "ijro_plugin.h"

namespace ijro::plugin_host {

const char* toString(Kind k) {
  switch (k) {
    case Kind::Source:
      return "source";
    case Kind::Sink:
      return "sink";
    case Kind::Transform:
      return "transform";
  }
  return "?";
}

const char* toString(OptionType t) {
  switch (t) {
    case OptionType::String:
      return "string";
    case OptionType::Int:
      return "int";
    case OptionType::Double:
      return "double";
    case OptionType::Bool:
      return "bool";
    case OptionType::Path:
      return "path";
  }
  return "?";
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
