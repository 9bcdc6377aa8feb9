// Request-target decoding used by the server; plain string work, no Boost.
#pragma once

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

}  // namespace ijro::http
