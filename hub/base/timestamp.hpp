// Timestamps as the hub writes them: ISO 8601 in UTC, "2026-03-01T10:00:00Z" (received-at times,
// history, dead letters, receipts, the feed) or with milliseconds, "2026-03-01T10:00:00.123Z"
// (log lines). Independent of the process's locale and time zone.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ijro::base {

// Second precision; the fraction is dropped (rounded down, also before 1970).
std::string formatTimestamp(std::chrono::system_clock::time_point t);

// Millisecond precision, rounded down.
std::string formatTimestampMillis(std::chrono::system_clock::time_point t);

// Reads what the two above write ("...T10:00:00Z", "...T10:00:00.123Z"); nullopt for anything
// else (another form, an impossible date or time).
std::optional<std::chrono::system_clock::time_point> parseTimestamp(std::string_view text);

}  // namespace ijro::base
