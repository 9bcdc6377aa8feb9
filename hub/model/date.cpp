#include "hub/model/date.hpp"

#include <cstdio>
#include <ctime>

namespace ijro::model {

namespace {
bool digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}
int toInt(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}
}  // namespace

std::optional<Date> parseDate(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  auto y = t.substr(0, 4), m = t.substr(5, 2), d = t.substr(8, 2);
  if (!digits(y) || !digits(m) || !digits(d)) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{toInt(y)},
                                  std::chrono::month{static_cast<unsigned>(toInt(m))},
                                  std::chrono::day{static_cast<unsigned>(toInt(d))}};
  if (!ymd.ok()) return std::nullopt;
  return Date{ymd};
}

std::string formatDate(Date d) {
  std::chrono::year_month_day ymd{d};
  const int year = static_cast<int>(ymd.year());
  if (year >= 0 && year <= 9999) {  // every date a record may carry: digits by hand (a feed
    const auto month = static_cast<unsigned>(ymd.month());  // writes several per record)
    const auto day = static_cast<unsigned>(ymd.day());
    std::string out(10, '-');
    out[0] = static_cast<char>('0' + year / 1000);
    out[1] = static_cast<char>('0' + year / 100 % 10);
    out[2] = static_cast<char>('0' + year / 10 % 10);
    out[3] = static_cast<char>('0' + year % 10);
    out[5] = static_cast<char>('0' + month / 10);
    out[6] = static_cast<char>('0' + month % 10);
    out[8] = static_cast<char>('0' + day / 10);
    out[9] = static_cast<char>('0' + day % 10);
    return out;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

// The calendar date where the hub runs (TZ, e.g. Asia/Tashkent), not UTC: a report of work
// completed today, sent at 01:00 Tashkent time, must not look like a date in the future.
Date today() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  return Date{std::chrono::year{tm.tm_year + 1900} / (tm.tm_mon + 1) / tm.tm_mday};
}

}  // namespace ijro::model
