// Field-level parsing and messages shared by the XML and JSON report codecs, so that both forms
// accept the same values and explain a bad one in the same words. Internal to hub/exchange.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hub/model/types.hpp"

namespace ijro::exchange::fields {

// Trims and collapses runs of whitespace to one space (xs:token semantics): identifiers, codes,
// organisation names and other one-line values.
std::string collapse(std::string_view text);
std::string collapse(std::string&& text);  // in place, without a copy
bool isBlank(std::string_view text);

// "17" (national), 4 digits (region) or 7 digits (district). Whether the code is a known territory
// is business validation (model::validate), not parsing.
bool isTerritoryCode(std::string_view code);
// A finite decimal number, optional sign, fraction and exponent ("12", "-0.5", "2.5e6").
std::optional<double> parseNumber(std::string_view text);
// A whole number of 1 or more.
std::optional<std::int64_t> parseRevision(std::string_view text);
// xs:boolean: true, false, 1, 0.
std::optional<bool> parseBoolean(std::string_view text);

// A language tag as BCP 47 writes it, in the subset the hub needs: a 2-3 letter language and
// subtags of 1-8 letters or digits ("uz-Latn", "uz-Cyrl", "ru", "en", "kaa").
bool isLanguageTag(std::string_view text);
// An ISO 8601 date-time with a time zone, seconds and an optional fraction:
// 2026-11-28T09:00:00Z, 2026-11-28T14:00:00+05:00, 2026-11-28T09:00:00.250Z.
bool isTimestamp(std::string_view text);

// The decision on a deadline change as a report gives it: the current names (decision,
// decidedBy, decidedOn) and the deprecated ones of version 1 before decisions (approvedBy,
// approvedOn: approvedBy given means decision approved). Both forms may not contradict.
struct DecisionInput {
  std::optional<std::string> decision;
  std::optional<std::string> decidedBy;
  std::optional<model::Date> decidedOn;
  std::optional<std::string> approvedBy;
  std::optional<model::Date> approvedOn;
};
// Sets c.decision, c.decidedBy and c.decidedOn; returns the problems as (field name, message),
// the format puts the field's place in front.
std::vector<std::pair<std::string, std::string>> applyDecision(const DecisionInput& in,
                                                               model::DeadlineChange& c);

// What is wrong with a value and what is expected, e.g. "\"2026-13-01\" is not a valid date;
// expected YYYY-MM-DD, e.g. 2026-03-31"; the caller puts the field's name in front, as its
// format names it ("<deadline>: ...", "indicators[0].periods[1].start: ...").
std::string badDate(std::string_view value);
std::string badNumber(std::string_view value);
std::string badRevision(std::string_view value);
std::string badBoolean(std::string_view value);
std::string badIndicatorMode(std::string_view value);
std::string badTerritory(std::string_view value);
std::string badLifecycle(std::string_view value);
std::string badControl(std::string_view value);
std::string badEventState(std::string_view value);
std::string badDecision(std::string_view value);
std::string badLanguage(std::string_view value);
std::string badTimestamp(std::string_view value);

// Shortest text that reads back as the same double ("12000", "0.1", "2.5e+20"); throws
// std::invalid_argument for NaN and infinities, which no format here can carry.
std::string formatNumber(double value);

// The current time as ISO 8601 UTC to the second: 2026-11-28T09:00:00Z.
std::string utcNow();

}  // namespace ijro::exchange::fields
