#include "tests/integration/stand_in.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <stdexcept>
#include <thread>

#include "tests/support/test_support.hpp"

namespace ijro::test {

StandIn::StandIn(std::filesystem::path dir, std::string script, std::vector<std::string> args)
    : dir_(std::move(dir)), script_(std::move(script)), args_(std::move(args)) {
  logPath_ = dir_ / (std::filesystem::path(script_).parent_path().filename().string() + ".log");
}

StandIn::~StandIn() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string StandIn::log() const {
  try {
    return readFile(logPath_);
  } catch (const std::exception&) {
    return {};
  }
}

std::string StandIn::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void StandIn::start() {
  std::vector<std::string> args{"python3", "-u", script_, "--listen", "127.0.0.1:0"};
  args.insert(args.end(), args_.begin(), args_.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log = logPath_.string();
  // Made before fork: the child may not allocate before exec (another thread may hold the lock).
  const std::string cwd = sourceDir().string();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // Gone with the test process, also when it aborts before the destructor runs.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0) ::_exit(127);
    ::dup2(out, 1);
    ::dup2(out, 2);
    if (::chdir(cwd.c_str()) != 0) ::_exit(127);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  static const std::regex kListening(R"(listening on http://127\.0\.0\.1:(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    const std::string text = this->log();
    if (std::regex_search(text, m, kListening)) {
      port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("stand-in " + script_ + " exited during start-up:\n" + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("stand-in " + script_ + " did not report listening within 30 s:\n" +
                           this->log());
}

}  // namespace ijro::test
