// Field-level parsing and messages shared by the XML and JSON report codecs, so that both forms
// accept the same values and explain a bad one in the same words. Internal to hub/exchange.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ijro::exchange::fields {

// Trims and collapses runs of whitespace to one space (xs:token semantics): identifiers, codes,
// organisation names and other one-line values.
std::string collapse(std::string_view text);
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

// What is wrong with a value and what is expected, e.g. "\"2026-13-01\" is not a valid date;
// expected YYYY-MM-DD, e.g. 2026-03-31"; the caller puts the field's name in front, as its
// format names it ("<deadline>: ...", "indicators[0].periods[1].start: ...").
std::string badDate(std::string_view value);
std::string badNumber(std::string_view value);
std::string badRevision(std::string_view value);
std::string badBoolean(std::string_view value);
std::string badTerritory(std::string_view value);
std::string badLifecycle(std::string_view value);
std::string badControl(std::string_view value);

// Shortest text that reads back as the same double ("12000", "0.1", "2.5e+20"); throws
// std::invalid_argument for NaN and infinities, which no format here can carry.
std::string formatNumber(double value);

// The current time as ISO 8601 UTC to the second: 2026-11-28T09:00:00Z.
std::string utcNow();

}  // namespace ijro::exchange::fields
