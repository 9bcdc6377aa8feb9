// URLs for the HTTP client: parsing, resolving and redacting with Boost.URL (see url.hpp).
#include "url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <array>

#include "ijro_http.hpp"

namespace ijro::sdk::http::detail {

namespace urls = boost::urls;

namespace {

// Query parameter names that commonly carry a credential (OAuth, API keys, signed URLs).
constexpr std::array<std::string_view, 16> kSecretParameters = {
    "access_token",  "token",    "api_key",         "apikey",       "key",       "secret",
    "client_secret", "password", "passwd",          "pwd",          "signature", "sig",
    "auth",          "code",     "x-amz-signature", "refresh_token"};

bool isSecretParameter(std::string_view name, const std::vector<std::string>& extra) {
  for (const auto& s : kSecretParameters)
    if (equalsIgnoringCase(name, s)) return true;
  for (const auto& s : extra)
    if (equalsIgnoringCase(name, s)) return true;
  return false;
}

std::string str(urls::string_view s) {
  return std::string(s.data(), s.size());
}

}  // namespace

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

Target parseTarget(const std::string& url, const std::string& safeUrl) {
  auto parsed = urls::parse_uri(url);
  if (!parsed)
    throw Error(
        ErrorKind::InvalidRequest, safeUrl,
        "not a URL (" + parsed.error().message() + "): give an absolute http:// or https:// URL");
  const urls::url_view& u = *parsed;
  Target t;
  const std::string scheme = lower(str(u.scheme()));
  if (scheme != "http" && scheme != "https")
    throw Error(ErrorKind::InvalidRequest, safeUrl,
                "the scheme \"" + scheme + "\" is not supported: use http:// or https://");
  t.https = scheme == "https";
  if (!u.has_authority() || u.encoded_host().empty())
    throw Error(ErrorKind::InvalidRequest, safeUrl, "the URL has no host name");
  const auto type = u.host_type();
  t.hostIsAddress = type == urls::host_type::ipv4 || type == urls::host_type::ipv6;
  t.host = type == urls::host_type::ipv6 ? str(u.host_address()) : lower(str(u.host()));
  const std::string defaultPort = t.https ? "443" : "80";
  t.port = u.has_port() && !u.port().empty() ? str(u.port()) : defaultPort;
  if (u.has_port() && !u.port().empty() && u.port_number() == 0)
    throw Error(ErrorKind::InvalidRequest, safeUrl,
                "the port \"" + str(u.port()) + "\" is not a port number (1 to 65535)");
  const std::string bracketed = type == urls::host_type::ipv6 ? "[" + t.host + "]" : t.host;
  t.hostHeader = t.port == defaultPort ? bracketed : bracketed + ":" + t.port;
  t.target = str(u.encoded_target());
  if (t.target.empty() || t.target[0] != '/') t.target = "/" + t.target;
  t.origin = scheme + "://" + bracketed + ":" + t.port;
  if (u.has_userinfo()) {
    t.hasCredentials = true;
    t.user = u.user();
    t.password = u.password();
  }
  return t;
}

std::string resolveReference(const std::string& base, const std::string& reference,
                             const std::string& safeBase) {
  auto b = urls::parse_uri(base);
  auto r = urls::parse_uri_reference(reference);
  if (!b || !r)
    throw Error(ErrorKind::InvalidRequest, safeBase,
                "the server linked to something that is not a URL (" +
                    (b ? r.error().message() : b.error().message()) +
                    "): the server's answer is malformed");
  urls::url out;
  auto resolved = urls::resolve(*b, *r, out);
  if (!resolved)
    throw Error(ErrorKind::InvalidRequest, safeBase,
                "cannot resolve a link against this URL (" + resolved.error().message() + ")");
  return str(out.buffer());
}

std::string redactUrl(const std::string& url, const std::vector<std::string>& extra) {
  auto parsed = urls::parse_uri_reference(url);
  if (!parsed) return "(a URL that does not parse)";
  urls::url u(*parsed);
  if (u.has_userinfo()) u.remove_userinfo();
  if (u.has_query()) {
    auto params = u.params();
    for (auto it = params.begin(); it != params.end(); ++it) {
      const auto param = *it;
      if (param.has_value && isSecretParameter(param.key, extra)) it = params.set(it, "***");
    }
  }
  return str(u.buffer());
}

std::vector<std::string> secretQueryValues(const std::string& url,
                                           const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  auto parsed = urls::parse_uri_reference(url);
  if (!parsed) return out;
  for (const auto param : parsed->encoded_params()) {
    if (!param.has_value || !isSecretParameter(param.key.decode(), extra)) continue;
    out.push_back(str(param.value));
    out.push_back(param.value.decode());
  }
  return out;
}

std::string validatorKey(const std::string& url) {
  // The key goes into a plugin's checkpoint, so it carries no secret: a URL that differs only
  // by a token is the same resource.
  const std::string redacted = redactUrl(url, {});  // the view below points into it
  auto parsed = urls::parse_uri_reference(redacted);
  if (!parsed) return "(a URL that does not parse)";
  urls::url u(*parsed);
  u.remove_fragment();
  return str(u.buffer());
}

std::string setQueryParameter(const std::string& url, std::string_view name,
                              std::string_view value) {
  auto parsed = urls::parse_uri_reference(url);
  if (!parsed)
    throw Error(ErrorKind::InvalidRequest, "(a URL that does not parse)",
                "cannot set the query parameter \"" + std::string(name) +
                    "\" on something that is not a URL");
  urls::url u(*parsed);
  u.params().set(urls::string_view(name.data(), name.size()),
                 urls::string_view(value.data(), value.size()));
  return str(u.buffer());
}

std::string queryParameter(const std::string& url, std::string_view name) {
  auto parsed = urls::parse_uri_reference(url);
  if (!parsed) return {};
  for (const auto param : parsed->params())
    if (param.key == urls::string_view(name.data(), name.size())) return param.value;
  return {};
}

}  // namespace ijro::sdk::http::detail
