// Request-target decoding used by the server; plain string work, no Boost.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace ijro::http {

// Decodes %XX escapes (and '+' as a space when plusAsSpace, as in a query string). An escape
// that is not '%' followed by two hex digits is kept literally: "100%" stays "100%".
std::string percentDecode(std::string_view s, bool plusAsSpace);

// "a=1&b=x+y&a=2&flag" -> {a:1, a:2, b:"x y", flag:""}; names and values decoded, empty pieces
// skipped, a leading '?' ignored.
std::multimap<std::string, std::string> parseQuery(std::string_view query);

struct SplitTarget {
  std::string path;   // decoded, never empty on success
  std::string query;  // raw, without the '?'
  bool ok = false;    // false: not origin-form ("/..."), absolute-form ("http://h/...") or "*"
};
// Splits a request-target into decoded path and raw query; a fragment is dropped.
SplitTarget splitTarget(std::string_view target);

// An absolute http or https URL taken apart for the client: "https://hub.example:8443/a?b=1".
struct ParsedUrl {
  bool https = false;
  std::string host;        // a name or an address, an IPv6 one without its brackets
  std::uint16_t port = 0;  // the URL's port, else 80 (http) or 443 (https)
  std::string target;      // path and query as written ("/a?b=1"), "/" when the URL has none
  std::string error;       // empty on success; else what is wrong with the URL
};
// Parses scheme, host, optional port and target. A fragment is dropped. Refused (error set): a
// scheme other than http/https, user information ("user@"), an empty host, a port that is not a
// number in 1..65535, and spaces or control characters anywhere.
ParsedUrl parseUrl(std::string_view url);

}  // namespace ijro::http
