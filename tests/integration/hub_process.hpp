// Starts the real ijro-hub binary as a child process for integration tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hub/http/client.hpp"

namespace ijro::test {

struct RunResult {
  int exitCode = -1;
  std::string out, err;
};

// Runs ijro-hub with the arguments to completion, capturing stdout and stderr.
RunResult runHub(const std::vector<std::string>& args);

class HubProcess {
 public:
  // `serve --config CONFIG --listen 127.0.0.1:0 --store STORE` (default sqlite:DIR/hub.db);
  // start() waits until it listens.
  // kConfiguredStore as `store`: no --store, the configuration's own <store> is used.
  static constexpr const char* kConfiguredStore = "(the configuration's store)";
  HubProcess(std::filesystem::path dir, std::filesystem::path config, std::string store = {});
  ~HubProcess();
  void start();
  void signal(int sig);
  int wait();  // exit code, or 128 + signal
  bool running() const { return pid_ > 0; }
  int pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  std::string log() const;

  // Added to (or replacing in) the environment the hub starts with, e.g. LD_PRELOAD.
  std::map<std::string, std::string> env;

  // Set: request(), post() and get() go to https://127.0.0.1:PORT with these options (the hub's
  // configuration has <listen><tls/></listen>).
  std::optional<http::ClientOptions> https;

  http::Response request(const std::string& method, const std::string& target,
                         const std::string& body = {},
                         const std::map<std::string, std::string>& headers = {});
  http::Response post(const std::string& target, const std::string& body,
                      const std::string& contentType, const std::string& token);
  // A GET with "Authorization: Bearer TOKEN" (none when token is empty).
  http::Response get(const std::string& target, const std::string& token);

 private:
  std::filesystem::path dir_, config_;
  std::string store_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace ijro::test
