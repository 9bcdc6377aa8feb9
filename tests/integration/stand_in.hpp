// Starts one of the stand-ins for an external system (examples/stand-ins) as a child process for
// integration tests: `python3 SCRIPT --listen 127.0.0.1:0 ARGS...`, run from the source tree. A
// stand-in prints "listening on http://127.0.0.1:PORT" on stdout once it accepts connections.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ijro::test {

class StandIn {
 public:
  // script: relative to the source tree (examples/stand-ins/...); output goes to DIR/NAME.log.
  StandIn(std::filesystem::path dir, std::string script, std::vector<std::string> args = {});
  ~StandIn();  // SIGTERM, then SIGKILL if it has not gone within 5 s
  StandIn(const StandIn&) = delete;
  StandIn& operator=(const StandIn&) = delete;

  // Starts it and waits (up to 30 s) for its listening line; throws with its output otherwise.
  void start();
  std::uint16_t port() const { return port_; }
  std::string url() const;  // http://127.0.0.1:PORT
  std::string log() const;

 private:
  std::filesystem::path dir_, logPath_;
  std::string script_;
  std::vector<std::string> args_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace ijro::test
