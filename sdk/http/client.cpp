// The client: options checked, requests validated, retries with back-off, redirects, conditional
// requests, and secrets kept out of every message (see ijro_http.hpp). The network is
// connection.cpp's.
#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "connection.hpp"
#include "ijro_http.hpp"
#include "retry.hpp"
#include "url.hpp"

namespace ijro::sdk::http {

namespace {

using detail::equalsIgnoringCase;

constexpr std::size_t kExcerptBytes = 300;

bool validHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos)
      return false;
  }
  return true;
}

bool validHeaderValue(std::string_view value) {
  return std::none_of(value.begin(), value.end(),
                      [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// Occurrences of each secret replaced by ***, longest secret first (one may contain another).
// Secrets shorter than 3 characters are left alone: replacing them would garble every message
// and hide nothing worth hiding.
std::string scrub(std::string text, std::vector<std::string> secrets) {
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& secret : secrets) {
    if (secret.size() < 3) continue;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
      text.replace(at, secret.size(), "***");
  }
  return text;
}

std::string excerpt(std::string_view body) {
  std::string out;
  for (const char c : body.substr(0, kExcerptBytes))
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  if (body.size() > kExcerptBytes) out += "...";
  return out;
}

std::string ms(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

}  // namespace

struct Client::Impl {
  ClientOptions options;
  detail::Connector connector;
  std::minstd_rand random;
  int budgetLeft;
  std::set<std::string> unverifiedHostsWarned;

  explicit Impl(ClientOptions o)
      : options(std::move(o)),
        connector(options.tls),
        random(std::random_device{}()),
        budgetLeft(options.retry.budget) {}

  void log(LogLevel level, const std::string& line, const std::vector<std::string>& secrets) {
    if (options.log) options.log(level, scrub(line, secrets));
  }

  std::string safe(const std::string& url) const {
    return detail::redactUrl(url, options.secretQueryParameters);
  }

  bool isSecretHeader(std::string_view name) const {
    if (equalsIgnoringCase(name, "authorization") ||
        equalsIgnoringCase(name, "proxy-authorization") || equalsIgnoringCase(name, "cookie"))
      return true;
    return std::any_of(options.secretHeaders.begin(), options.secretHeaders.end(),
                       [&](const std::string& s) { return equalsIgnoringCase(name, s); });
  }

  // Every value of the request that must not appear in a message: secret headers (and the
  // credentials after their scheme), the URL's password and secret query values.
  std::vector<std::string> secretsOf(const Request& request) const {
    std::vector<std::string> out;
    for (const auto& h : request.headers) {
      if (!isSecretHeader(h.name)) continue;
      out.push_back(h.value);
      const auto space = h.value.find(' ');
      if (space != std::string::npos) out.push_back(h.value.substr(space + 1));
    }
    try {
      const auto target = detail::parseTarget(request.url, "");
      if (!target.password.empty()) out.push_back(target.password);
      for (auto& value : detail::secretQueryValues(request.url, options.secretQueryParameters))
        out.push_back(std::move(value));
    } catch (const Error&) {
      // A URL that does not parse carries nothing to find; its error shows no URL.
    }
    return out;
  }

  void validate(const Request& request) const {
    const std::string safeUrl = safe(request.url);
    for (const auto& h : request.headers) {
      if (!validHeaderName(h.name))
        throw Error(ErrorKind::InvalidRequest, safeUrl,
                    "the header name \"" + h.name + "\" is not a valid HTTP field name");
      if (!validHeaderValue(h.value))
        throw Error(ErrorKind::InvalidRequest, safeUrl,
                    "the value of the header " + h.name +
                        " contains a line break or NUL: remove it (a value read from a file "
                        "often ends with a newline)");
    }
    if (request.method == Method::Head && !request.body.empty())
      throw Error(ErrorKind::InvalidRequest, safeUrl, "a HEAD request cannot carry a body");
    detail::parseTarget(request.url, safeUrl);
  }

  Response send(const Request& original, ConditionalState* state) {
    const auto secrets = secretsOf(original);
    try {
      return follow(original, state, secrets);
    } catch (const Error& e) {
      throw Error(e.kind(), scrub(e.url(), secrets), scrub(e.message(), secrets), e.status(),
                  e.attempts());
    }
  }

  // The request through its redirects.
  Response follow(const Request& original, ConditionalState* state,
                  const std::vector<std::string>& secrets) {
    validate(original);
    Request current = original;
    const std::string key = detail::validatorKey(original.url);
    bool conditional = false;
    if (state != nullptr && original.method != Method::Post) {
      if (const auto v = state->find(key)) {
        if (!v->etag.empty()) current.headers.push_back({"If-None-Match", v->etag});
        if (!v->lastModified.empty())
          current.headers.push_back({"If-Modified-Since", v->lastModified});
        conditional = !v->etag.empty() || !v->lastModified.empty();
      }
    }
    for (int redirects = 0;; ++redirects) {
      Response r = withRetries(current, secrets);
      r.redirects = redirects;
      const int s = r.status;
      const bool redirect = s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
      if (!redirect) {
        finish(r, current, conditional, state, key, secrets);
        return r;
      }
      const auto location = r.header("location");
      if (!location || location->empty())
        throw Error(ErrorKind::Redirect, r.safeUrl,
                    "the server answered " + std::to_string(s) +
                        " (a redirect) without a Location: the server's answer is malformed");
      const std::string next = detail::resolveReference(current.url, *location, r.safeUrl);
      const std::string safeNext = safe(next);
      if (redirects >= options.maxRedirects)
        throw Error(ErrorKind::Redirect, r.safeUrl,
                    "more than " + std::to_string(options.maxRedirects) +
                        " redirects (maxRedirects), the last to " + safeNext +
                        ": use the final URL directly or raise maxRedirects");
      const auto from = detail::parseTarget(current.url, r.safeUrl);
      const auto to = detail::parseTarget(next, safeNext);
      if (from.https && !to.https)
        throw Error(ErrorKind::Redirect, r.safeUrl,
                    "refused the redirect from https to " + safeNext +
                        ": it would send the request unencrypted; use an https URL that is not "
                        "redirected, or ask the server's operators to redirect to https");
      if (from.origin != to.origin) {
        // Credentials were given for one server: another one does not get them.
        current.headers.erase(
            std::remove_if(current.headers.begin(), current.headers.end(),
                           [&](const Header& h) { return isSecretHeader(h.name); }),
            current.headers.end());
      }
      if (s == 303 || ((s == 301 || s == 302) && current.method == Method::Post)) {
        current.method = Method::Get;
        current.body.clear();
        current.headers.erase(std::remove_if(current.headers.begin(), current.headers.end(),
                                             [](const Header& h) {
                                               return equalsIgnoringCase(h.name, "content-type");
                                             }),
                              current.headers.end());
      }
      log(LogLevel::Debug,
          std::string(methodName(current.method)) + " " + r.safeUrl + ": " + std::to_string(s) +
              ", following the redirect to " + safeNext,
          secrets);
      current.url = next;
    }
  }

  void finish(Response& r, const Request& sent, bool conditional, ConditionalState* state,
              const std::string& key, const std::vector<std::string>& secrets) {
    r.notModified = conditional && r.status == 304;
    if (state != nullptr && r.ok() && sent.method != Method::Post) {
      ConditionalState::Validators v{r.header("etag").value_or(""),
                                     r.header("last-modified").value_or("")};
      if (v.etag.empty() && v.lastModified.empty())
        state->forget(key);
      else
        state->remember(key, std::move(v));
    }
    if (!r.ok() && !r.notModified) r.safeBodyExcerpt = scrub(excerpt(r.body), secrets);
  }

  // One URL, attempted as often as the retry policy allows.
  Response withRetries(const Request& request, const std::vector<std::string>& secrets) {
    const std::string safeUrl = safe(request.url);
    const auto target = detail::parseTarget(request.url, safeUrl);
    if (target.https && !options.tls.verifyPeer && unverifiedHostsWarned.insert(target.host).second)
      log(LogLevel::Warn,
          "TLS certificate verification is off (tls.verifyPeer = false): the certificate of " +
              target.host +
              " is not checked, so anyone on the path can read and change what "
              "is exchanged; use this only with a test system",
          secrets);

    detail::Outgoing out{request.method, request.headers, request.body};
    const bool hasAuthorization =
        std::any_of(out.headers.begin(), out.headers.end(),
                    [](const Header& h) { return equalsIgnoringCase(h.name, "authorization"); });
    if (target.hasCredentials && !hasAuthorization)
      out.headers.push_back(basic(target.user, target.password));
    const detail::Limits limits{options.connectTimeout, options.requestTimeout,
                                options.maxResponseBytes, options.userAgent};
    const bool idempotent = request.idempotent.value_or(request.method != Method::Post);
    const auto& policy = options.retry;
    const std::string what = std::string(methodName(request.method)) + " " + safeUrl;

    for (int attempt = 1;; ++attempt) {
      bool sent = false;
      detail::Answer answer;
      try {
        answer = connector.exchange(target, out, limits, safeUrl, sent);
      } catch (const Error& e) {
        const bool worthIt = detail::retryableError(e.kind()) && (idempotent || !sent);
        if (!worthIt || !mayRetry(attempt, what, secrets)) {
          const std::string after =
              attempt > 1 ? " (after " + std::to_string(attempt) + " attempts)" : "";
          throw Error(e.kind(), e.url(), e.message() + after, 0, attempt);
        }
        const auto wait = detail::backoff(policy, attempt, random);
        log(LogLevel::Warn,
            what + ": " + e.message() + "; retry " + std::to_string(attempt) + " of " +
                std::to_string(policy.maxAttempts - 1) + " in " + ms(wait),
            secrets);
        pause(wait);
        continue;
      }

      Response r;
      r.status = answer.status;
      r.reason = std::move(answer.reason);
      r.headers = std::move(answer.headers);
      r.body = std::move(answer.body);
      r.url = request.url;
      r.safeUrl = safeUrl;
      r.attempts = attempt;
      if (const auto header = r.header("retry-after"))
        r.retryAfter = detail::parseRetryAfter(*header, std::chrono::system_clock::now());

      const bool worthIt = detail::retryableStatus(r.status) && (idempotent || r.status == 429);
      if (!worthIt) return r;
      std::chrono::milliseconds wait{};
      if (r.retryAfter) {
        if (*r.retryAfter > policy.retryAfterCap) {
          log(LogLevel::Warn,
              what + ": HTTP " + std::to_string(r.status) + " asks to wait " +
                  std::to_string(r.retryAfter->count()) + " s, longer than retryAfterCap (" +
                  std::to_string(policy.retryAfterCap.count()) + " s): not retried now",
              secrets);
          return r;
        }
        wait = *r.retryAfter;
      } else {
        wait = detail::backoff(policy, attempt, random);
      }
      if (!mayRetry(attempt, what, secrets)) return r;
      log(LogLevel::Warn,
          what + ": HTTP " + std::to_string(r.status) + "; retry " + std::to_string(attempt) +
              " of " + std::to_string(policy.maxAttempts - 1) + " in " + ms(wait) +
              (r.retryAfter ? " (Retry-After)" : ""),
          secrets);
      pause(wait);
    }
  }

  // Whether another attempt is allowed after `attempt`; spends one retry of the budget if so.
  bool mayRetry(int attempt, const std::string& what, const std::vector<std::string>& secrets) {
    if (attempt >= options.retry.maxAttempts) return false;
    if (budgetLeft <= 0) {
      log(LogLevel::Warn,
          what + ": not retried: the client's retry budget (" +
              std::to_string(options.retry.budget) + " retries) is spent until resetRetryBudget()",
          secrets);
      return false;
    }
    --budgetLeft;
    return true;
  }

  void pause(std::chrono::milliseconds wait) {
    if (options.sleep)
      options.sleep(wait);
    else
      std::this_thread::sleep_for(wait);
  }
};

namespace {

ClientOptions checked(ClientOptions o) {
  auto refuse = [](const std::string& why) { throw Error(ErrorKind::InvalidRequest, "", why); };
  if (o.connectTimeout.count() <= 0) refuse("connectTimeout must be positive");
  if (o.requestTimeout.count() <= 0) refuse("requestTimeout must be positive");
  if (o.maxResponseBytes == 0) refuse("maxResponseBytes must be positive");
  if (o.maxRedirects < 0) refuse("maxRedirects cannot be negative (0 follows none)");
  if (o.retry.maxAttempts < 1) refuse("retry.maxAttempts must be 1 or more (1: no retries)");
  if (o.retry.budget < 0) refuse("retry.budget cannot be negative (0: no retries)");
  if (o.retry.initialDelay.count() < 0 || o.retry.maxDelay.count() < 0 ||
      o.retry.retryAfterCap.count() < 0)
    refuse("retry delays cannot be negative");
  if (!o.tls.verifyPeer && !o.log)
    refuse(
        "tls.verifyPeer = false needs a log function (ClientOptions::log) for the warning "
        "it gives: set log, or keep verification on and set tls.caFile");
  for (const auto& c : o.userAgent)
    if (c == '\r' || c == '\n') refuse("userAgent contains a line break");
  return o;
}

}  // namespace

Client::Client(ClientOptions options)
    : impl_(std::make_unique<Impl>(checked(std::move(options)))) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

Response Client::send(const Request& request) {
  return impl_->send(request, nullptr);
}

Response Client::send(const Request& request, ConditionalState& state) {
  return impl_->send(request, &state);
}

Response Client::get(const std::string& url, Headers headers) {
  return send({Method::Get, url, std::move(headers), {}, std::nullopt});
}

Response Client::head(const std::string& url, Headers headers) {
  return send({Method::Head, url, std::move(headers), {}, std::nullopt});
}

Response Client::post(const std::string& url, std::string body, std::string contentType,
                      Headers headers) {
  if (!contentType.empty()) headers.push_back({"Content-Type", std::move(contentType)});
  return send({Method::Post, url, std::move(headers), std::move(body), std::nullopt});
}

int Client::retryBudgetLeft() const {
  return impl_->budgetLeft;
}

void Client::resetRetryBudget() {
  impl_->budgetLeft = impl_->options.retry.budget;
}

std::string Client::safeUrl(const std::string& url) const {
  return impl_->safe(url);
}

}  // namespace ijro::sdk::http
