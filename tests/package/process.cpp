// Child processes for the packaging tests (see process.hpp).
#include "tests/package/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ijro::test {

namespace fs = std::filesystem;

namespace {

int exitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Everything the child needs is prepared before fork(): after it, only async-signal-safe calls.
pid_t spawn(const Command& command, const fs::path& log) {
  if (command.argv.empty()) throw std::invalid_argument("an empty command line");
  std::vector<std::string> args = command.argv;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> removed = command.unset;
  for (const auto& s : command.set) removed.push_back(s.substr(0, s.find('=')));
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (std::find(removed.begin(), removed.end(), name) == removed.end()) env.push_back(entry);
  }
  env.insert(env.end(), command.set.begin(), command.set.end());
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  const std::string logPath = log.string();
  const std::string cwd = command.cwd.string();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in < 0 || out < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execvpe(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

std::string readAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int waitFor(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return exitCodeOf(status);
}

fs::path freshLog() {
  static int n = 0;
  return fs::temp_directory_path() /
         ("ijro-package-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".log");
}

}  // namespace

Finished run(const Command& command) {
  const fs::path log = freshLog();
  fs::remove(log);
  Finished f;
  f.exitCode = waitFor(spawn(command, log));
  f.output = readAll(log);
  fs::remove(log);
  if (f.exitCode == 127 && f.output.empty())
    f.output = "could not run " + command.argv.front() + " (not installed, or not on PATH?)";
  return f;
}

Started::Started(const Command& command, fs::path log) : log_(std::move(log)) {
  pid_ = spawn(command, log_);
}

Started::~Started() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    waitFor(pid_);
  }
}

std::string Started::output() const {
  return readAll(log_);
}

bool Started::exited() {
  if (pid_ <= 0) return true;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
  exitCode_ = exitCodeOf(status);
  pid_ = -1;
  return true;
}

int Started::stop(int signal, std::chrono::seconds grace) {
  if (pid_ <= 0) return exitCode_;
  ::kill(pid_, signal);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (!exited()) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      exitCode_ = waitFor(pid_);
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return exitCode_;
}

std::string joined(const std::vector<std::string>& words, const std::string& between) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : between) + w;
  return s;
}

}  // namespace ijro::test
