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

ParsedUrl parseUrl(std::string_view url) {
  ParsedUrl r;
  const auto fail = [&](std::string why) {
    r = ParsedUrl{};
    r.error = std::move(why);
    return r;
  };
  for (const char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return fail("the URL contains a space or a control character");
  if (const auto hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) return fail("the URL has no scheme (write https://host/...)");
  std::string scheme(url.substr(0, sep));
  for (auto& c : scheme)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (scheme == "https")
    r.https = true;
  else if (scheme != "http")
    return fail("the URL's scheme \"" + scheme + "\" is neither http nor https");
  const auto rest = url.substr(sep + 3);
  const auto end = rest.find_first_of("/?");
  const auto authority = rest.substr(0, end);
  r.target = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
  if (r.target.front() == '?') r.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos)
    return fail("the URL carries user information (user@host): give credentials another way");
  std::string_view portText;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("the URL's IPv6 address lacks its ']'");
    r.host = std::string(authority.substr(1, close - 1));
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after the URL's IPv6 address");
      portText = after.substr(1);
      if (portText.empty()) return fail("the URL's port is empty");
    }
  } else {
    const auto colon = authority.rfind(':');
    r.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      portText = authority.substr(colon + 1);
      if (portText.empty()) return fail("the URL's port is empty");
    }
  }
  if (r.host.empty()) return fail("the URL has no host");
  if (authority.front() != '[' && r.host.find(':') != std::string::npos)
    return fail("the URL's IPv6 address must be in brackets: https://[::1]:8443/");
  if (portText.empty()) {
    r.port = r.https ? 443 : 80;
  } else {
    unsigned long value = 0;
    for (const char c : portText) {
      if (c < '0' || c > '9' || value > 65535)
        return fail("the URL's port \"" + std::string(portText) + "\" is not a number 1..65535");
      value = value * 10 + static_cast<unsigned long>(c - '0');
    }
    if (value == 0 || value > 65535)
      return fail("the URL's port \"" + std::string(portText) + "\" is not a number 1..65535");
    r.port = static_cast<std::uint16_t>(value);
  }
  return r;
}

}  // namespace ijro::http
