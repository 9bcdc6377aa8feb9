// Retry decisions, back-off and Retry-After (see retry.hpp).
#include "retry.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <ctime>
#include <string>

namespace ijro::sdk::http::detail {

bool retryableStatus(int status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

bool retryableError(ErrorKind kind) {
  return kind == ErrorKind::Connect || kind == ErrorKind::Timeout;
}

std::chrono::milliseconds backoff(const RetryPolicy& policy, int retry, std::minstd_rand& random) {
  using std::chrono::milliseconds;
  const std::int64_t cap = std::max<std::int64_t>(0, policy.maxDelay.count());
  std::int64_t base = std::max<std::int64_t>(0, policy.initialDelay.count());
  for (int i = 1; i < retry && base < cap; ++i) base *= 2;
  base = std::min(base, cap);
  if (base <= 1) return milliseconds(base);
  std::uniform_int_distribution<std::int64_t> draw(base / 2, base);
  return milliseconds(draw(random));
}

namespace {

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int number(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

}  // namespace

std::optional<std::chrono::seconds> parseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (digits(value)) {
    if (value.size() > 9) return std::chrono::seconds(999'999'999);
    return std::chrono::seconds(number(value));
  }
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (29 characters).
  if (value.size() != 29 || value.substr(3, 2) != ", " || value.substr(25) != " GMT") return {};
  static constexpr std::array<std::string_view, 12> months = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = value.substr(5, 2), month = value.substr(8, 3), year = value.substr(12, 4),
             hh = value.substr(17, 2), mm = value.substr(20, 2), ss = value.substr(23, 2);
  if (!digits(day) || !digits(year) || !digits(hh) || !digits(mm) || !digits(ss) ||
      value[7] != ' ' || value[11] != ' ' || value[16] != ' ' || value[19] != ':' ||
      value[22] != ':')
    return {};
  const auto m = std::find(months.begin(), months.end(), month);
  if (m == months.end()) return {};
  std::tm tm{};
  tm.tm_year = number(year) - 1900;
  tm.tm_mon = static_cast<int>(m - months.begin());
  tm.tm_mday = number(day);
  tm.tm_hour = number(hh);
  tm.tm_min = number(mm);
  tm.tm_sec = number(ss);
  if (tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
    return {};
  const std::time_t at = timegm(&tm);
  const auto when = std::chrono::system_clock::from_time_t(at);
  if (when <= now) return std::chrono::seconds(0);
  return std::chrono::duration_cast<std::chrono::seconds>(when - now);
}

}  // namespace ijro::sdk::http::detail
