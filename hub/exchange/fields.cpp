#include "hub/exchange/fields.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "hub/base/timestamp.hpp"

namespace ijro::exchange::fields {

namespace {
bool space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool digit(char c) {
  return c >= '0' && c <= '9';
}

std::string quoted(std::string_view value) {
  // Long or multi-line values are cut so that a message stays one readable line.
  std::string v(value.substr(0, 60));
  for (char& c : v)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return "\"" + v + (value.size() > 60 ? "...\"" : "\"");
}
}  // namespace

std::string collapse(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending = false;
  for (char c : text) {
    if (space(c)) {
      pending = !out.empty();
      continue;
    }
    if (pending) out += ' ';
    pending = false;
    out += c;
  }
  return out;
}

bool isBlank(std::string_view text) {
  for (char c : text)
    if (!space(c)) return false;
  return true;
}

bool isTerritoryCode(std::string_view code) {
  if (code.size() != 2 && code.size() != 4 && code.size() != 7) return false;
  for (char c : code)
    if (!digit(c)) return false;
  return code.size() != 2 || code == "17";
}

std::optional<double> parseNumber(std::string_view text) {
  // Check the lexical form first: from_chars alone would also take "inf", "nan" and hex floats.
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  std::size_t digits = 0;
  while (i < text.size() && digit(text[i])) ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && digit(text[i])) ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    std::size_t expDigits = 0;
    while (i < text.size() && digit(text[i])) ++i, ++expDigits;
    if (expDigits == 0) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  // from_chars takes no leading '+'.
  std::string_view number = text.substr(text[0] == '+' ? 1 : 0);
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

std::optional<std::int64_t> parseRevision(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  for (char c : text)
    if (!digit(c)) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1) return std::nullopt;
  return value;
}

std::optional<bool> parseBoolean(std::string_view text) {
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  return std::nullopt;
}

std::string badDate(std::string_view value) {
  return quoted(value) + " is not a valid date; expected YYYY-MM-DD, e.g. 2026-03-31";
}
std::string badNumber(std::string_view value) {
  return quoted(value) +
         " is not a number; expected digits with an optional sign, decimal point and exponent, "
         "e.g. 12000, 24.5 or 1.5e6";
}
std::string badRevision(std::string_view value) {
  return quoted(value) +
         " is not a revision; expected a whole number of 1 or more, increased with every change";
}
std::string badBoolean(std::string_view value) {
  return quoted(value) + " is not a boolean; expected true or false";
}
std::string badTerritory(std::string_view value) {
  return quoted(value) +
         " is not a SOATO code; expected 17 (the whole republic), 4 digits for a region (e.g. "
         "1726) or 7 digits for a district (e.g. 1703202)";
}
std::string badLifecycle(std::string_view value) {
  return "unknown value " + quoted(value) +
         "; expected one of planned, inProgress, completed, cancelled, suspended";
}
std::string badControl(std::string_view value) {
  return "unknown value " + quoted(value) +
         "; expected one of onControl, submitted, returned, verified, removed";
}

std::string formatNumber(double value) {
  if (!std::isfinite(value))
    throw std::invalid_argument("cannot write a number that is not finite (NaN or infinity)");
  return fmt::format("{}", value);
}

std::string utcNow() {
  return base::formatTimestamp(std::chrono::system_clock::now());
}

}  // namespace ijro::exchange::fields
