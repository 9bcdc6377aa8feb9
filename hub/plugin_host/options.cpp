#include "hub/plugin_host/options.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>

#include "hub/base/enum_names.hpp"
#include "ijro_plugin.hpp"

namespace ijro::plugin_host {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// What a value of each type looks like, for messages about a value that does not fit.
constexpr base::NameTable<OptionType, 7> kOptionTypeDescriptions{{
    {OptionType::String, "text"},
    {OptionType::Int, "an integer (e.g. 42)"},
    {OptionType::Double, "a number (e.g. 0.5)"},
    {OptionType::Bool, "true or false"},
    {OptionType::Path, "a non-empty path"},
    {OptionType::Table,
     "a table: <row key=\"...\" value=\"...\"/> elements, a two-column CSV file (file=\"...\") "
     "or its JSON object text {\"key\":\"value\"}"},
    {OptionType::Secret, "a secret: text, fromFile=\"...\" or fromEnv=\"NAME\""},
}};
static_assert(base::namesEvery(kOptionTypeDescriptions, OptionType::String, OptionType::Secret));

std::string_view withoutPlus(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  return s;
}

}  // namespace

std::optional<std::string> canonicalOptionValue(OptionType type, std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  switch (type) {
    case OptionType::String:
    case OptionType::Secret:
      return std::string(text);
    case OptionType::Table:
      try {
        return sdk::tableText(sdk::parseTable(text).rows());  // one canonical text
      } catch (const std::invalid_argument&) {
        return std::nullopt;
      }
    case OptionType::Path:
      if (text.empty()) return std::nullopt;
      return std::string(text);
    case OptionType::Int: {
      std::string_view digits = withoutPlus(text);
      if (digits.empty() || (digits.front() == '-' && text.front() == '+')) return std::nullopt;
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, 10);
      if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
      return std::to_string(v);
    }
    case OptionType::Double: {
      std::string_view number = withoutPlus(text);
      if (number.empty() || (number.front() == '-' && text.front() == '+')) return std::nullopt;
      double v = 0;
      auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), v,
                                       std::chars_format::general);
      if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(v))
        return std::nullopt;
      return std::string(number);
    }
    case OptionType::Bool: {
      std::string v = lower(text);
      if (v == "true" || v == "yes" || v == "on" || v == "1") return "true";
      if (v == "false" || v == "no" || v == "off" || v == "0") return "false";
      return std::nullopt;
    }
  }
  return std::nullopt;
}

const char* describeOptionType(OptionType type) {
  return base::nameOf(kOptionTypeDescriptions, type);
}

const std::string* ResolvedOptions::find(std::string_view name) const {
  for (const auto& [k, v] : values)
    if (k == name) return &v;
  return nullptr;
}

std::string describeOptions(const std::vector<OptionSpec>& options) {
  if (options.empty()) return "none";
  std::string out;
  for (const auto& o : options) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} ({}", o.name, toString(o.type));
    if (o.required) out += ", required";
    if (o.defaultValue) out += fmt::format(", default \"{}\"", *o.defaultValue);
    out += ")";
  }
  return out;
}

ResolvedOptions resolveOptions(const PluginInfo& info, const OptionValues& configured) {
  std::vector<std::string> problems;
  for (const auto& [name, value] : configured) {
    bool known = false;
    for (const auto& o : info.options) known = known || o.name == name;
    if (!known) problems.push_back(fmt::format("unknown option \"{}\"", name));
  }

  ResolvedOptions out;
  for (const auto& o : info.options) {
    auto given = configured.find(o.name);
    if (given == configured.end()) {
      if (o.required)
        problems.push_back(
            fmt::format("option \"{}\" is required ({})", o.name, describeOptionType(o.type)));
      else if (o.defaultValue)
        out.values.emplace_back(o.name, *o.defaultValue);
      continue;
    }
    auto value = canonicalOptionValue(o.type, given->second);
    if (!value) {
      problems.push_back(fmt::format("option \"{}\" must be {}, not \"{}\"", o.name,
                                     describeOptionType(o.type), given->second));
      continue;
    }
    out.values.emplace_back(o.name, std::move(*value));
  }

  if (problems.empty()) return out;
  std::string list;
  for (const auto& p : problems) list += (list.empty() ? "" : "; ") + p;
  throw PluginError(PluginError::Reason::InvalidOptions, info.path,
                    fmt::format("invalid options for plugin {}: {}. Valid options: {}",
                                info.label(), list, describeOptions(info.options)));
}

}  // namespace ijro::plugin_host
