// What the HTTP client's tests share: a small Beast server on 127.0.0.1 (an ephemeral port),
// plain or TLS, answering each request with a handler and recording what it was sent; and a
// throwaway certificate authority generated at test time with OpenSSL, to issue the server's
// certificate for any host name or address.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ijro::test::http {

// One request as the server received it; header names lower case, the values of a field sent
// more than once joined by ", ".
struct Received {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;
  std::string body;
  std::string serverName;  // TLS: the name the client sent (SNI), "" if none
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Reply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Never answer: the connection stays open until the server stops.
  bool hang = false;
};

using Handler = std::function<Reply(const Received&)>;

// A certificate and its private key, PEM.
struct Identity {
  std::string certificatePem;
  std::string keyPem;
};

// A throwaway CA (EC P-256, valid a day) made when constructed; its certificate can be written to
// a file for the client's tls.caFile. Nothing of it is kept after the test.
class TestAuthority {
 public:
  TestAuthority();
  ~TestAuthority();
  TestAuthority(const TestAuthority&) = delete;
  TestAuthority& operator=(const TestAuthority&) = delete;

  const std::string& certificatePem() const { return caPem_; }
  // A certificate signed by this CA whose subjectAltName is `san`, e.g. "IP:127.0.0.1" or
  // "DNS:wrong.example", good for a server or a client.
  Identity issue(const std::string& san);

 private:
  struct Keys;
  std::unique_ptr<Keys> keys_;
  std::string caPem_;
};

class TestServer {
 public:
  // Listens on 127.0.0.1 at an ephemeral port; with `tls`, speaks TLS with that identity, and
  // with `clientCaPem` also demands a client certificate that CA issued.
  explicit TestServer(Handler handler, std::optional<Identity> tls = std::nullopt,
                      const std::string& clientCaPem = "");
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:PORT" + path (https:// with TLS).
  std::string url(const std::string& path) const;
  std::vector<Received> received() const;
  // Waits (on a condition, up to 10 s) until `n` requests arrived; whether they did.
  bool waitForRequests(std::size_t n) const;

 private:
  void run();
  void serve(int fd);

  struct State;
  std::unique_ptr<State> state_;
  Handler handler_;
  bool tls_ = false;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace ijro::test::http
