// A plain POSIX TCP connection for sending bytes the HTTP client would never send.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ijro::test {

class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port);  // 127.0.0.1; throws if the connect fails
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // false if the peer has gone (EPIPE, ECONNRESET)
  bool send(const std::string& bytes);
  // Reads until `needle` is in what was received, the peer closes, or the timeout passes.
  std::string readUntil(const std::string& needle, std::chrono::milliseconds timeout);
  // Reads until the peer closes or the timeout passes; closed() tells which.
  std::string readAll(std::chrono::milliseconds timeout);
  bool closed() const { return closed_; }

 private:
  // One recv with a poll timeout: appends to received_, sets closed_ on EOF/reset.
  void readSome(std::chrono::milliseconds timeout);

  int fd_ = -1;
  bool closed_ = false;
  std::string received_;
};

// true if a TCP connect to 127.0.0.1:port succeeds
bool canConnect(std::uint16_t port);

}  // namespace ijro::test
