#include "hub/http/url.hpp"

namespace ijro::http {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string percentDecode(std::string_view s, bool plusAsSpace) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      const int hi = hexValue(s[i + 1]);
      const int lo = hexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plusAsSpace && c == '+' ? ' ' : c);
  }
  return out;
}

std::multimap<std::string, std::string> parseQuery(std::string_view query) {
  std::multimap<std::string, std::string> out;
  if (!query.empty() && query.front() == '?') query.remove_prefix(1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (piece.empty()) continue;
    const auto eq = piece.find('=');
    if (eq == std::string_view::npos)
      out.emplace(percentDecode(piece, true), std::string{});
    else
      out.emplace(percentDecode(piece.substr(0, eq), true),
                  percentDecode(piece.substr(eq + 1), true));
  }
  return out;
}

SplitTarget splitTarget(std::string_view target) {
  SplitTarget r;
  if (const auto hash = target.find('#'); hash != std::string_view::npos)
    target = target.substr(0, hash);
  if (target == "*") {
    r.path = "*";
    r.ok = true;
    return r;
  }
  if (target.empty()) return r;
  if (target.front() != '/') {
    // absolute-form: scheme "://" authority [path] ["?" query]
    const auto scheme = target.find("://");
    if (scheme == std::string_view::npos || scheme == 0) return r;
    for (const char c : target.substr(0, scheme)) {
      const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      const bool other = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
      if (!alpha && !other) return r;
    }
    const auto rest = target.substr(scheme + 3);
    const auto start = rest.find_first_of("/?");
    if (start == std::string_view::npos) {
      r.path = "/";
      r.ok = true;
      return r;
    }
    target = rest.substr(start);
    if (target.front() == '?') {
      r.path = "/";
      r.query = std::string(target.substr(1));
      r.ok = true;
      return r;
    }
  }
  const auto q = target.find('?');
  r.path = percentDecode(target.substr(0, q), false);
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  r.ok = true;
  return r;
}

}  // namespace ijro::http
