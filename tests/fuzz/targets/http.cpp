// HTTP requests as raw bytes, through the hub's own server (hub/http/server.cpp: Beast's parser,
// the server's head/body limits, the streamed-body route, keep-alive and pipelining) running
// in-process on a loopback port with a trivial handler. Each input is written to a fresh
// connection, the write side is shut, and the answer read to the end. The server keeps running
// across inputs, so state one input leaves behind meets the next.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "hub/http/server.hpp"

namespace {

ijro::http::Server* server = nullptr;
std::uint16_t port = 0;

ijro::http::Response handle(const ijro::http::Request& r) {
  ijro::http::Response out;
  out.body = r.method + " " + r.path + " " + std::to_string(r.query.size()) + " " +
             std::to_string(r.headers.size()) + " " + std::to_string(r.body.size()) + " " +
             std::to_string(r.bodySize) + "\n";
  if (r.path == "/close") out.headers.emplace_back("Connection", "close");
  return out;
}

int connectOnce() {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return fd;
    ::close(fd);
    ::usleep(10000);
  }
  std::perror("connect to the server under test");
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ijro::http::ServerOptions o;
  o.threads = 1;
  o.handlerThreads = 0;
  o.bodyLimit = 64u << 10;
  o.headerLimit = 8u << 10;
  o.headerTimeout = std::chrono::milliseconds(3000);
  o.readTimeout = std::chrono::milliseconds(3000);
  o.idleTimeout = std::chrono::milliseconds(3000);
  const char* tmp = std::getenv("TMPDIR");
  static const std::string folder = std::string(tmp && *tmp ? tmp : "/tmp");
  o.streamBody = [](const std::string& method,
                    const std::string& path) -> std::optional<ijro::http::StreamedBody> {
    if (method != "POST" || path != "/stream") return std::nullopt;
    ijro::http::StreamedBody s;
    s.folder = folder;
    s.limit = 32u << 10;
    s.limitHint = "send less";
    return s;
  };
  server = new ijro::http::Server(std::move(o), handle);
  port = server->port();
  std::thread([] { server->run(false); }).detach();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = connectOnce();
  timeval tv{10, 0};  // the server's own timeouts are 3 s; past 10 s it hangs
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  std::size_t sent = 0;
  while (sent < size) {
    const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server closed early (a refused head): fine
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      std::fprintf(stderr, "the server neither answered nor closed within 10 s\n");
      std::abort();
    }
    break;
  }
  // No TIME_WAIT on our side: thousands of connections a second would use up the ports.
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
  return 0;
}
