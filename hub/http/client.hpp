// A small synchronous HTTP/1.1 client: one request per connection ("Connection: close").
// Used by the tests and by feed push. Beast stays in client.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#include "hub/http/server.hpp"

namespace ijro::http {

// Thrown when no response could be obtained: resolve/connect/write/read failure or timeout.
// An HTTP error status is not an exception: it is returned in Response::status.
class ClientError : public std::runtime_error {
 public:
  ClientError(const std::string& what, bool timedOut)
      : std::runtime_error(what), timedOut_(timedOut) {}
  bool timedOut() const { return timedOut_; }

 private:
  bool timedOut_;
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

}  // namespace ijro::http
