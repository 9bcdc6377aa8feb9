// Calendar dates as days since the epoch; ISO 8601 (YYYY-MM-DD) text form.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ijro::model {

using Date = std::chrono::sys_days;

// Strict YYYY-MM-DD; nullopt for anything else, including impossible dates (2026-02-30).
std::optional<Date> parseDate(std::string_view text);
std::string formatDate(Date d);
// Whole days from a to b (negative when b is before a).
inline long daysBetween(Date a, Date b) {
  return static_cast<long>((b - a).count());
}
Date today();

}  // namespace ijro::model
