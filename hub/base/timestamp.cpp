// ISO 8601 UTC timestamps from std::chrono's calendar.
#include "hub/base/timestamp.hpp"

#include <cstdio>

namespace ijro::base {

namespace {

// The calendar from <chrono> rather than gmtime_r: no time_t range limits, no C library state,
// and floor() rounds instants before the epoch down as it does after it.
std::string format(std::chrono::system_clock::time_point t, bool millis) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  char buf[48];
  int n =
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                    static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                    static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                    static_cast<int>(hms.seconds().count()));
  if (millis)
    std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%03dZ",
                  static_cast<int>(hms.subseconds().count()));
  else
    std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), "Z");
  return buf;
}

}  // namespace

std::string formatTimestamp(std::chrono::system_clock::time_point t) {
  return format(t, false);
}

std::string formatTimestampMillis(std::chrono::system_clock::time_point t) {
  return format(t, true);
}

}  // namespace ijro::base
