// The client's plain values: method and error-kind names, Error, Response's accessors and its
// requireSuccess(), the auth headers and the query-parameter helper (see ijro_http.hpp).
#include <array>

#include "ijro_http.hpp"
#include "url.hpp"

namespace ijro::sdk::http {

const char* methodName(Method method) {
  switch (method) {
    case Method::Head:
      return "HEAD";
    case Method::Post:
      return "POST";
    case Method::Get:
      break;
  }
  return "GET";
}

const char* errorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidRequest:
      return "invalid-request";
    case ErrorKind::Resolve:
      return "resolve";
    case ErrorKind::Connect:
      return "connect";
    case ErrorKind::Timeout:
      return "timeout";
    case ErrorKind::Tls:
      return "tls";
    case ErrorKind::CertificateVerify:
      return "certificate-verify";
    case ErrorKind::HostNameMismatch:
      return "host-name-mismatch";
    case ErrorKind::TooLarge:
      return "too-large";
    case ErrorKind::Redirect:
      return "redirect";
    case ErrorKind::Protocol:
      return "protocol";
    case ErrorKind::HttpStatus:
      return "http-status";
    case ErrorKind::Paging:
      return "paging";
  }
  return "unknown";
}

Error::Error(ErrorKind kind, std::string safeUrl, const std::string& message, int status,
             int attempts)
    : std::runtime_error(safeUrl.empty() ? message : safeUrl + ": " + message),
      kind_(kind),
      url_(std::move(safeUrl)),
      message_(message),
      status_(status),
      attempts_(attempts) {}

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& h : headers)
    if (detail::equalsIgnoringCase(h.name, name)) return h.value;
  return std::nullopt;
}

std::vector<std::string> Response::headerValues(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& h : headers)
    if (detail::equalsIgnoringCase(h.name, name)) out.push_back(h.value);
  return out;
}

const Response& Response::requireSuccess() const {
  if (ok() || notModified) return *this;
  std::string hint;
  if (status == 401 || status == 403)
    hint = "check the credentials the plugin sends (token, user and password) and their rights";
  else if (status == 404 || status == 410)
    hint = "check the URL (path and query) in the plugin's options";
  else if (status == 429 || status >= 500)
    hint = "the server is overloaded or failing; the poll may be retried later";
  else
    hint = "the server refused the request as sent; see what it said";
  std::string message = "HTTP " + std::to_string(status) + (reason.empty() ? "" : " " + reason);
  if (attempts > 1) message += " after " + std::to_string(attempts) + " attempts";
  message += ": " + hint;
  if (!safeBodyExcerpt.empty()) message += " (the server said: " + safeBodyExcerpt + ")";
  throw Error(ErrorKind::HttpStatus, safeUrl, message, status, attempts);
}

namespace {

void requirePrintable(std::string_view value, const char* what) {
  for (const char c : value)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
      throw std::invalid_argument(std::string(what) +
                                  " contains a control character (a line break?): remove it; "
                                  "a value read from a file often ends with a newline");
}

std::string base64(std::string_view in) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  if (i + 1 == in.size()) {
    const unsigned n = static_cast<unsigned char>(in[i]) << 16;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const unsigned n =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

}  // namespace

Header bearer(std::string_view token) {
  if (token.empty())
    throw std::invalid_argument("the bearer token is empty: check the plugin's token option");
  requirePrintable(token, "the bearer token");
  return {"Authorization", "Bearer " + std::string(token)};
}

Header basic(std::string_view user, std::string_view password) {
  requirePrintable(user, "the user name");
  requirePrintable(password, "the password");
  if (user.find(':') != std::string_view::npos)
    throw std::invalid_argument(
        "the user name contains ':', which Basic authentication cannot "
        "carry: check the plugin's user option");
  return {"Authorization", "Basic " + base64(std::string(user) + ":" + std::string(password))};
}

std::string withQueryParameter(const std::string& url, std::string_view name,
                               std::string_view value) {
  return detail::setQueryParameter(url, name, value);
}

}  // namespace ijro::sdk::http
