// ijro_http.hpp: the SDK's HTTP(S) client for source plugins (library IjroHub::http_client).
//
// A source plugin that reads a sector system over HTTP(S) needs the same things every time:
// certificates checked, timeouts, retries that do not hammer a struggling server, redirects,
// conditional requests so an unchanged resource costs nothing, paging (ijro_http_paging.hpp) and
// auth headers that never end up in a log. This client does them once, synchronously: a plugin's
// poll may block, and the client starts no thread and keeps no global state, so it works the same
// in the hub's process and in an isolated plugin-host child.
//
//   ijro::sdk::http::ClientOptions options;
//   options.log = [host = host()](ijro::sdk::LogLevel level, const std::string& line) {
//     host.log(level, line);
//   };
//   ijro::sdk::http::Client client(options);
//   ijro::sdk::http::Response r =
//       client.get("https://fhir.example.uz/MeasureReport", {ijro::sdk::http::bearer(token)});
//   r.requireSuccess();  // throws ijro::sdk::http::Error for a status other than 2xx
//
// Transport problems (name resolution, connection, TLS, timeouts, a response over the size limit,
// a refused redirect) throw ijro::sdk::http::Error, whose what() says what failed, at which URL
// (credentials and secret query values removed) and how to fix it. An HTTP status is not an
// exception until requireSuccess() is called. A Client is not thread-safe: one per thread.
//
// C++17 or later.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ijro_plugin.hpp"

namespace ijro::sdk::http {

enum class Method { Get, Head, Post };

// "GET", "HEAD", "POST".
const char* methodName(Method method);

// One header field. Names compare without regard to case; received names are lower case.
struct Header {
  std::string name;
  std::string value;
};
using Headers = std::vector<Header>;

struct Request {
  Method method = Method::Get;
  std::string url;  // http:// or https://; may carry user:password@, sent as Basic auth
  Headers headers;
  std::string body;  // POST only
  // Whether sending it twice is harmless. Unset: GET and HEAD are, POST is not. A request that is
  // not idempotent is retried only when it was never sent (the connection failed) or on 429.
  std::optional<bool> idempotent;
};

class Error;

struct Response {
  int status = 0;
  std::string reason;        // the status line's text, e.g. "Not Found"
  Headers headers;           // names lower case, in the order received
  std::string body;          // empty for HEAD and 304
  std::string url;           // the URL that answered, after redirects (with its query, as sent)
  std::string safeUrl;       // the same without credentials and secret query values, for messages
  bool notModified = false;  // 304 to a conditional request (see ConditionalState)
  int attempts = 0;          // attempts made for the last URL (1 when not retried)
  int redirects = 0;         // redirects followed
  // The server's Retry-After when it gave one (a 429 or 503 not retried any more).
  std::optional<std::chrono::seconds> retryAfter;
  // For a status other than 2xx: the start of the body with every secret of the request removed,
  // so an error message may quote what the server said.
  std::string safeBodyExcerpt;

  bool ok() const { return status >= 200 && status < 300; }
  // The first value of a header, by name without regard to case.
  std::optional<std::string> header(std::string_view name) const;
  // Every value of a header (a header may be sent more than once, e.g. Link).
  std::vector<std::string> headerValues(std::string_view name) const;
  // Throws Error (kind HttpStatus) unless the status is 2xx or notModified; returns *this.
  const Response& requireSuccess() const;
};

enum class ErrorKind {
  InvalidRequest,     // the request or the options cannot be used as given
  Resolve,            // the host name did not resolve
  Connect,            // no connection to any of the host's addresses
  Timeout,            // connectTimeout or requestTimeout ran out
  Tls,                // the TLS handshake or a TLS read/write failed (not a certificate)
  CertificateVerify,  // the server's certificate chain is not trusted
  HostNameMismatch,   // the certificate is valid but not for the host in the URL
  TooLarge,           // the response is larger than maxResponseBytes
  Redirect,           // a redirect was refused (https to http, too many, no Location)
  Protocol,           // the server's answer is not HTTP/1.x
  HttpStatus,         // requireSuccess() on a status other than 2xx
  Paging,             // a paging rule broke (a page linked to itself or an earlier one)
};

// "timeout", "certificate-verify", ...
const char* errorKindName(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string safeUrl, const std::string& message, int status = 0,
        int attempts = 0);
  ErrorKind kind() const { return kind_; }
  // The URL concerned, without credentials or secret query values.
  const std::string& url() const { return url_; }
  int status() const { return status_; }  // HttpStatus: the status; else 0
  int attempts() const { return attempts_; }
  // what() without the URL in front.
  const std::string& message() const { return message_; }

 private:
  ErrorKind kind_;
  std::string url_;
  std::string message_;
  int status_;
  int attempts_;
};

struct TlsOptions {
  // Certificates are checked against the system store (or caFile), and the host name in the URL
  // against the certificate. Turning this off is for a test system only: the client then needs
  // ClientOptions::log, which gets a warning naming each host it does not check.
  bool verifyPeer = true;
  // A PEM file of the certificate authorities to trust instead of the system store (a ministry's
  // own CA). Empty: the system store (/etc/ssl/certs).
  std::string caFile;
  // A client certificate (PEM, its chain after it) and its private key, for servers that ask for
  // one. Both or neither.
  std::string clientCertificateFile;
  std::string clientKeyFile;
};

struct RetryPolicy {
  // Attempts per URL, the first included: 1 turns retries off.
  int maxAttempts = 4;
  // Back-off: the n-th retry waits a random time between half and all of
  // min(maxDelay, initialDelay * 2^(n-1)), so clients that failed together do not return together.
  std::chrono::milliseconds initialDelay{500};
  std::chrono::milliseconds maxDelay{30'000};
  // A Retry-After up to this long is waited exactly; a longer one is not waited for: the response
  // is returned (with retryAfter set) so the plugin can answer RETRY and let the hub schedule it.
  std::chrono::seconds retryAfterCap{120};
  // Retries the client may spend over all its requests until resetRetryBudget() (call it at the
  // start of each poll), so a server that fails every page is not retried page after page.
  int budget = 16;
};

using LogFunction = std::function<void(LogLevel, const std::string&)>;
using SleepFunction = std::function<void(std::chrono::milliseconds)>;

struct ClientOptions {
  std::chrono::milliseconds connectTimeout{10'000};  // name resolution and TCP connect
  // One attempt, from name resolution to the last byte of the response.
  std::chrono::milliseconds requestTimeout{60'000};
  // A larger response (by Content-Length or as read) is refused with ErrorKind::TooLarge.
  std::uint64_t maxResponseBytes = 32u << 20;
  int maxRedirects = 5;
  std::string userAgent = "ijro-hub-plugin";
  TlsOptions tls;
  RetryPolicy retry;
  // Header names whose values are secrets besides Authorization, Proxy-Authorization and Cookie
  // (e.g. "X-Api-Key"): never logged, never in an error, not sent on to another host by a redirect.
  std::vector<std::string> secretHeaders;
  // Query parameter names whose values are secrets besides the usual ones (access_token, token,
  // api_key, apikey, key, secret, client_secret, password, signature, sig, auth, ...): replaced by
  // *** in every URL a message shows.
  std::vector<std::string> secretQueryParameters;
  // Where the client logs retries, redirects and warnings; unset: nowhere (then verifyPeer cannot
  // be turned off). Lines carry no secret.
  LogFunction log;
  // How the client waits between retries; unset: std::this_thread::sleep_for. Tests inject one.
  SleepFunction sleep;
};

// The validators (ETag, Last-Modified) last seen per URL, so the next request for that URL is
// conditional (If-None-Match, If-Modified-Since) and an unchanged resource answers 304. Small and
// plain text, so a plugin keeps it in its checkpoint: serialize() after a poll, parse() before.
// URLs are kept without credentials, fragment and the values of the usual secret query
// parameters (access_token, api_key, ...), so the checkpoint holds no secret.
class ConditionalState {
 public:
  struct Validators {
    std::string etag;
    std::string lastModified;
  };

  // The validators for a URL, if any.
  std::optional<Validators> find(const std::string& url) const;
  void remember(const std::string& url, Validators validators);
  void forget(const std::string& url);
  std::size_t size() const { return byUrl_.size(); }

  // One line per URL: URL, ETag and Last-Modified separated by tabs, with \t \n \\ escaped.
  std::string serialize() const;
  // The inverse of serialize(); throws std::invalid_argument naming the line for anything else.
  static ConditionalState parse(std::string_view text);

 private:
  std::map<std::string, Validators> byUrl_;
};

// Authorization headers from values the caller has. Their values are never logged nor shown in
// an error. Throw std::invalid_argument for a value with a line break or other control character.
Header bearer(std::string_view token);
Header basic(std::string_view user, std::string_view password);

// `url` with the query parameter `name` set to `value` (added, or replaced where present).
// Throws Error (InvalidRequest) for a URL that does not parse.
std::string withQueryParameter(const std::string& url, std::string_view name,
                               std::string_view value);

class Client {
 public:
  // Throws Error (InvalidRequest) for options that cannot work: a CA or client certificate file
  // that cannot be read, verifyPeer off without a log function, a limit of zero.
  explicit Client(ClientOptions options = {});
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends the request, following redirects and retrying as the options say, and returns the last
  // response whatever its status. With `state`, the request is conditional on what `state`
  // remembers for its URL, and a 2xx answer's validators are remembered.
  Response send(const Request& request);
  Response send(const Request& request, ConditionalState& state);

  Response get(const std::string& url, Headers headers = {});
  Response head(const std::string& url, Headers headers = {});
  Response post(const std::string& url, std::string body, std::string contentType,
                Headers headers = {});

  // Retries left of RetryPolicy::budget, and a fresh budget.
  int retryBudgetLeft() const;
  void resetRetryBudget();

  // `url` as messages show it: no credentials, secret query values as ***.
  std::string safeUrl(const std::string& url) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ijro::sdk::http
