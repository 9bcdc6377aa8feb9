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
  return collapse(std::string(text));
}

std::string collapse(std::string&& text) {
  // In place: each run of whitespace becomes one space, none at either end.
  std::size_t out = 0;
  bool pending = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (space(c)) {
      pending = out != 0;
      continue;
    }
    if (pending) text[out++] = ' ';
    pending = false;
    text[out++] = c;
  }
  text.resize(out);
  return text;  // moved (an rvalue reference parameter)
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

bool isLanguageTag(std::string_view text) {
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  std::size_t i = 0;
  while (i < text.size() && alpha(text[i])) ++i;
  if (i < 2 || i > 3) return false;
  while (i < text.size()) {
    if (text[i] != '-') return false;
    const std::size_t begin = ++i;
    while (i < text.size() && (alpha(text[i]) || digit(text[i]))) ++i;
    if (i == begin || i - begin > 8) return false;
  }
  return true;
}

bool isTimestamp(std::string_view text) {
  // YYYY-MM-DDThh:mm:ss[.f+](Z|+hh:mm|-hh:mm)
  if (text.size() < 20 || text[10] != 'T') return false;
  if (!model::parseDate(text.substr(0, 10))) return false;
  auto two = [&](std::size_t at, int max) {
    if (at + 2 > text.size() || !digit(text[at]) || !digit(text[at + 1])) return false;
    return (text[at] - '0') * 10 + (text[at + 1] - '0') <= max;
  };
  if (!two(11, 23) || text[13] != ':' || !two(14, 59) || text[16] != ':' || !two(17, 60))
    return false;
  std::size_t i = 19;
  if (i < text.size() && text[i] == '.') {
    const std::size_t begin = ++i;
    while (i < text.size() && digit(text[i])) ++i;
    if (i == begin) return false;
  }
  if (i < text.size() && text[i] == 'Z') return i + 1 == text.size();
  if (i < text.size() && (text[i] == '+' || text[i] == '-'))
    return i + 6 == text.size() && two(i + 1, 14) && text[i + 3] == ':' && two(i + 4, 59);
  return false;
}

std::vector<std::pair<std::string, std::string>> applyDecision(const DecisionInput& in,
                                                               model::DeadlineChange& c) {
  std::vector<std::pair<std::string, std::string>> problems;
  std::optional<model::Decision> decision;
  if (in.decision) {
    decision = model::decisionFromString(*in.decision);
    if (!decision) problems.emplace_back("decision", badDecision(*in.decision));
  }
  c.decidedBy = in.decidedBy.value_or("");
  c.decidedOn = in.decidedOn;
  const bool approvedByGiven = in.approvedBy && !in.approvedBy->empty();
  if (approvedByGiven || in.approvedOn) {
    // The deprecated names state an approval; they may not contradict the current ones.
    const char* field = approvedByGiven ? "approvedBy" : "approvedOn";
    if (decision && *decision != model::Decision::Approved)
      problems.emplace_back(field, std::string("states an approval but decision is ") +
                                       model::toString(*decision) +
                                       ": leave out approvedBy and approvedOn (deprecated) and "
                                       "give decision, decidedBy and decidedOn");
    if (approvedByGiven && in.decidedBy)
      problems.emplace_back("approvedBy",
                            "is the deprecated name of decidedBy and both are given: keep "
                            "decidedBy only");
    if (in.approvedOn && in.decidedOn)
      problems.emplace_back("approvedOn",
                            "is the deprecated name of decidedOn and both are given: keep "
                            "decidedOn only");
    if (approvedByGiven) c.decidedBy = *in.approvedBy;
    if (in.approvedOn) c.decidedOn = in.approvedOn;
    // As before decisions were separate: approved when approvedBy is given, else pending.
    if (!decision && approvedByGiven) decision = model::Decision::Approved;
  }
  c.decision = decision.value_or(model::Decision::Pending);
  return problems;
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
std::string badIndicatorMode(std::string_view value) {
  return quoted(value) +
         " is not an indicator mode; expected replace (the report's periods are the whole list, "
         "the default) or merge (the report's periods are merged by start and end into those "
         "held)";
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

std::string badEventState(std::string_view value) {
  return "unknown value " + quoted(value) +
         "; expected one of submitted, verified, returned, removed";
}
std::string badDecision(std::string_view value) {
  return "unknown value " + quoted(value) + "; expected one of pending, approved, rejected";
}
std::string badLanguage(std::string_view value) {
  return quoted(value) +
         " is not a language tag; expected a BCP 47 tag such as uz-Latn, uz-Cyrl, ru or en";
}
std::string badTimestamp(std::string_view value) {
  return quoted(value) +
         " is not a timestamp; expected ISO 8601 with seconds and a time zone, e.g. "
         "2026-11-28T09:00:00Z or 2026-11-28T14:00:00+05:00";
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
