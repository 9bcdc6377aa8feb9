#include "tests/integration/hub_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>
#include <stdexcept>
#include <thread>

#include "tests/support/test_support.hpp"

namespace ijro::test {

namespace {

pid_t spawn(const std::vector<std::string>& args, const std::string& outPath,
            const std::string& errPath, const std::map<std::string, std::string>& env = {}) {
  // The test's environment with `env` laid over it.
  std::vector<std::string> vars;
  for (char** e = environ; *e; ++e) {
    std::string var = *e;
    if (!env.count(var.substr(0, var.find('=')))) vars.push_back(std::move(var));
  }
  for (const auto& [name, value] : env) vars.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);
  std::vector<char*> argv;
  std::string bin = IJRO_HUB_BINARY;
  argv.push_back(bin.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Everything the child needs is made before fork: between fork and exec it may not allocate,
  // since another thread of the test (a server it runs) may hold the allocator's lock.
  const std::string cwd = sourceDir().string();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int out = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out < 0 || err < 0) ::_exit(127);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (::chdir(cwd.c_str()) != 0) ::_exit(127);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

int waitFor(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

RunResult runHub(const std::vector<std::string>& args) {
  auto dir = tempDir("run");
  auto out = (dir / "out").string(), err = (dir / "err").string();
  RunResult r;
  r.exitCode = waitFor(spawn(args, out, err));
  r.out = readFile(out);
  r.err = readFile(err);
  return r;
}

HubProcess::HubProcess(std::filesystem::path dir, std::filesystem::path config, std::string store)
    : dir_(std::move(dir)),
      config_(std::move(config)),
      store_(store.empty() ? "sqlite:" + (dir_ / "hub.db").string() : std::move(store)) {}

HubProcess::~HubProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitFor(pid_);
  }
}

std::string HubProcess::log() const {
  try {
    return readFile(dir_ / "hub.log");
  } catch (const std::exception&) {
    return {};
  }
}

void HubProcess::start() {
  // Each start appends to the same log; look for the listening line after what was there.
  const std::size_t before = log().size();
  std::vector<std::string> args{"serve", "--config", config_.string(), "--listen", "127.0.0.1:0"};
  if (store_ != kConfiguredStore) {
    args.push_back("--store");
    args.push_back(store_);
  }
  pid_ = spawn(args, (dir_ / "hub.out").string(), (dir_ / "hub.log").string(), env);
  static const std::regex kListening(R"(listening on https?://127\.0\.0\.1:(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto text = log();
    std::smatch m;
    std::string fresh = text.size() > before ? text.substr(before) : std::string{};
    if (std::regex_search(fresh, m, kListening)) {
      port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("ijro-hub exited during start-up:\n" + fresh);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("ijro-hub did not report listening within 60 s:\n" + log());
}

void HubProcess::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

int HubProcess::wait() {
  int code = waitFor(pid_);
  pid_ = -1;
  return code;
}

http::Response HubProcess::request(const std::string& method, const std::string& target,
                                   const std::string& body,
                                   const std::map<std::string, std::string>& headers) {
  if (https)
    return http::request(method, "https://127.0.0.1:" + std::to_string(port_) + target, body,
                         headers, *https);
  return http::request("127.0.0.1", port_, method, target, body, headers,
                       std::chrono::milliseconds(30'000));
}

http::Response HubProcess::post(const std::string& target, const std::string& body,
                                const std::string& contentType, const std::string& token) {
  std::map<std::string, std::string> h{{"Content-Type", contentType}};
  if (!token.empty()) h["Authorization"] = "Bearer " + token;
  return request("POST", target, body, h);
}

http::Response HubProcess::get(const std::string& target, const std::string& token) {
  std::map<std::string, std::string> h;
  if (!token.empty()) h["Authorization"] = "Bearer " + token;
  return request("GET", target, {}, h);
}

}  // namespace ijro::test
