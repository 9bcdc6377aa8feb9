// A small synchronous HTTP/1.1 client: one request per connection ("Connection: close"), over
// plain TCP or TLS. Used by the tests and by feed push. Beast and OpenSSL stay in client.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#include "hub/http/server.hpp"

namespace ijro::http {

// Thrown when no response could be obtained: resolve/connect/TLS/write/read failure or timeout.
// An HTTP error status is not an exception: it is returned in Response::status.
class ClientError : public std::runtime_error {
 public:
  ClientError(const std::string& what, bool timedOut)
      : std::runtime_error(what), timedOut_(timedOut) {}
  bool timedOut() const { return timedOut_; }

 private:
  bool timedOut_;
};

// How an https:// request proves who it talks to, and who it is. TLS 1.2 or later, OpenSSL's
// default ciphers at security level 2 or above.
struct TlsClientOptions {
  // PEM file of the certificate authorities that sign the server's certificate; empty: the
  // system's trust store (/etc/ssl/certs). The server's certificate must chain to one of them
  // and name the URL's host (a DNS name, or an IP address for an address URL).
  std::string caFile{};
  // Mutual TLS: the client's certificate chain (PEM, the client's own certificate first) and its
  // private key (PEM, not encrypted). Both or neither.
  std::string certificateFile{};
  std::string keyFile{};
  // Skips the check of the server's certificate and host name: anyone in the path can read and
  // change the exchange. Only for a test against a throwaway certificate; never the default.
  bool insecure = false;
};

struct ClientOptions {
  std::chrono::milliseconds timeout{10'000};  // the whole exchange: connect, TLS, write, read
  TlsClientOptions tls{};                     // used for https:// URLs only
};

// Sends one request to http://host:port<target> and reads the whole response. `timeout` bounds
// the whole exchange (connect, write, read). Host, User-Agent and Content-Length are set unless
// `headers` sets them (Content-Length is always computed from `body`). In the returned Response,
// `headers` holds every response field with a lower-case name (content-type and content-length
// included) and `contentType` the Content-Type value, empty if none was sent.
// Throws ClientError if there is no complete response, std::invalid_argument for a header
// name or value that cannot be sent.
Response request(const std::string& host, std::uint16_t port, const std::string& method,
                 const std::string& target, const std::string& body = {},
                 const std::map<std::string, std::string>& headers = {},
                 std::chrono::milliseconds timeout = std::chrono::milliseconds{10'000});

// The same for a URL, "https://hub.example:8443/api/v1/reports" or "http://127.0.0.1:8080/x".
// For https the server's certificate and host name are verified as options.tls says, the host
// name is sent as SNI (not an address), and a failure is a ClientError whose message starts
// with the method and URL and says "TLS" and what failed: "certificate verify failed: <reason>",
// "certificate does not name host <host>", "handshake failed: <reason>", or that a CA,
// certificate or key file cannot be used (naming the file). Throws std::invalid_argument for a
// URL parseUrl refuses (the message says why).
Response request(const std::string& method, const std::string& url, const std::string& body = {},
                 const std::map<std::string, std::string>& headers = {},
                 const ClientOptions& options = {});

}  // namespace ijro::http
