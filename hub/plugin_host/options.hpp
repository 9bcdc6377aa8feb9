// A plugin instance's options: checked against the plugin's option table before on_create runs,
// in the spirit of Fluent Bit's config maps (unknown keys are refused with the list of valid ones).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hub/plugin_host/plugin_info.hpp"

namespace ijro::plugin_host {

// Options as configured: name -> text.
using OptionValues = std::map<std::string, std::string, std::less<>>;

// The text a plugin receives for a value of `type`, or nullopt when it is not valid for the type
// (rules in ijro_plugin.h: enum ijro_option_type). BOOL becomes "true"/"false", INT loses a '+'
// and leading zeros; other values pass unchanged. No type accepts an embedded NUL.
std::optional<std::string> canonicalOptionValue(OptionType type, std::string_view text);

// What a value of `type` looks like, for messages: "an integer (e.g. 42)".
const char* describeOptionType(OptionType type);

// Every option of the table that has a value (configured or default), in table order, with
// canonical text.
struct ResolvedOptions {
  std::vector<std::pair<std::string, std::string>> values;
  const std::string* find(std::string_view name) const;
};

// Checks the configured options against the plugin's table and applies defaults. Throws
// PluginError(InvalidOptions) naming every problem (unknown option, wrong type, missing required
// option) and listing the valid options with their types.
ResolvedOptions resolveOptions(const PluginInfo& info, const OptionValues& configured);

// "count (int, default 3), input (path, required)"; "none" for an empty table.
std::string describeOptions(const std::vector<OptionSpec>& options);

}  // namespace ijro::plugin_host
