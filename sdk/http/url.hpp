// URLs for the HTTP client (Boost.URL): where a request goes, redirects and relative links
// resolved, and the form a URL takes in a message (no credentials, no secret query values).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ijro::sdk::http::detail {

// What a request to one URL needs to reach it.
struct Target {
  bool https = false;
  std::string host;  // without IPv6 brackets, as the resolver and TLS want it
  bool hostIsAddress =
      false;               // an IPv4 or IPv6 literal: no SNI, IP checked against the certificate
  std::string port;        // the URL's, else 80 or 443
  std::string hostHeader;  // host[:port] as the Host field says it
  std::string target;      // path and query, "/" when the path is empty
  std::string origin;      // scheme://host:port, to tell whether a redirect leaves the host
  bool hasCredentials = false;  // user:password@ in the URL
  std::string user;             // decoded
  std::string password;         // decoded
};

// Throws Error (InvalidRequest) naming `safeUrl` for a URL that is not absolute http(s) with a
// host.
Target parseTarget(const std::string& url, const std::string& safeUrl);

// `reference` (absolute or relative, e.g. a Location or Link target) resolved against `base`;
// throws Error (InvalidRequest) naming `safeBase` when it does not parse.
std::string resolveReference(const std::string& base, const std::string& reference,
                             const std::string& safeBase);

// The URL without user information, with the value of each secret query parameter (the usual
// names or `extraSecretParameters`, compared without regard to case) replaced by ***. Text that
// is not a URL comes back as "(a URL that does not parse)" rather than as itself.
std::string redactUrl(const std::string& url,
                      const std::vector<std::string>& extraSecretParameters);

// The values of the URL's secret query parameters, each as sent (encoded) and decoded.
std::vector<std::string> secretQueryValues(const std::string& url,
                                           const std::vector<std::string>& extraSecretParameters);

// The URL a ConditionalState keys on: no user information, no fragment, secret query values
// (the usual names) as ***.
std::string validatorKey(const std::string& url);

// `url` with query parameter `name` set to `value`; throws Error (InvalidRequest) if `url` does
// not parse.
std::string setQueryParameter(const std::string& url, std::string_view name,
                              std::string_view value);

// The query parameter's decoded value, or "" when absent.
std::string queryParameter(const std::string& url, std::string_view name);

std::string lower(std::string_view s);
bool equalsIgnoringCase(std::string_view a, std::string_view b);

}  // namespace ijro::sdk::http::detail
