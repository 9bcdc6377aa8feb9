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

std::optional<std::chrono::system_clock::time_point> parseTimestamp(std::string_view s) {
  using namespace std::chrono;
  auto digits = [&](std::size_t at, std::size_t n) -> int {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (i >= s.size() || s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() != 20 && s.size() != 24) return std::nullopt;
  if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s.back() != 'Z')
    return std::nullopt;
  const int y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2),
            mi = digits(14, 2), se = digits(17, 2);
  int ms = 0;
  if (s.size() == 24) {
    if (s[19] != '.') return std::nullopt;
    ms = digits(20, 3);
  }
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0 || ms < 0 || h > 23 || mi > 59 ||
      se > 59)
    return std::nullopt;
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  return system_clock::time_point(sys_days(date).time_since_epoch() + hours(h) + minutes(mi) +
                                  seconds(se) + milliseconds(ms));
}

}  // namespace ijro::base
