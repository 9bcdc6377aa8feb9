// One HTTP/1.1 exchange over a fresh connection (plain TCP or TLS), bounded by timeouts and a
// size limit: the part of the client that speaks to the network (Boost.Beast over Boost.Asio and
// OpenSSL). Retries, redirects and conditional requests are the client's (client.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "ijro_http.hpp"
#include "url.hpp"

namespace ijro::sdk::http::detail {

struct Outgoing {
  Method method = Method::Get;
  Headers headers;  // besides Host, User-Agent, Content-Length and Connection, which are set here
  std::string body;
};

struct Limits {
  std::chrono::milliseconds connectTimeout;
  std::chrono::milliseconds requestTimeout;
  std::uint64_t maxResponseBytes;
  std::string userAgent;
};

struct Answer {
  int status = 0;
  std::string reason;
  Headers headers;  // names lower case
  std::string body;
};

// Owns the I/O context and the TLS context that every exchange of one client uses; starts no
// thread: each exchange runs the context on the caller's thread until it is done.
class Connector {
 public:
  // Throws Error (InvalidRequest) when the TLS options cannot be loaded (a file missing, a key that
  // does not match its certificate).
  explicit Connector(const TlsOptions& tls);
  ~Connector();

  // Sends `out` to `target` and reads the answer. Throws Error (Resolve, Connect, Timeout, Tls,
  // CertificateVerify, HostNameMismatch, TooLarge, Protocol) naming `safeUrl`. `sent` tells the
  // caller whether the whole request went out before a failure (whether a retry may repeat it).
  Answer exchange(const Target& target, const Outgoing& out, const Limits& limits,
                  const std::string& safeUrl, bool& sent);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ijro::sdk::http::detail
