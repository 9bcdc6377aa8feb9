// Running the tools a packaging test needs (cpack, lintian, dpkg-deb, cmake, the installed hub)
// as child processes, with their output captured.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace ijro::test {

struct Finished {
  int exitCode = -1;   // or 128 + signal
  std::string output;  // stdout and stderr, interleaved as written
};

// How a child is started: argv[0] is a path or a name looked up on PATH; stdin is /dev/null.
struct Command {
  std::vector<std::string> argv;
  std::filesystem::path cwd;       // empty: the test's own
  std::vector<std::string> unset;  // variables removed from the child's environment
  std::vector<std::string> set;    // NAME=VALUE added to (or replacing in) it
};

// Runs the command to completion.
Finished run(const Command& command);

// One running child (the installed hub): killed on destruction if still running.
class Started {
 public:
  Started(const Command& command, std::filesystem::path log);
  ~Started();
  Started(const Started&) = delete;
  Started& operator=(const Started&) = delete;

  std::string output() const;  // what it has written so far
  bool exited();               // true once it has ended (its exit code is then in exitCode())
  int exitCode() const { return exitCode_; }
  int stop(int signal, std::chrono::seconds grace);  // its exit code; SIGKILL after `grace`

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
  int exitCode_ = -1;
};

// "a b c" for messages.
std::string joined(const std::vector<std::string>& words, const std::string& between = " ");

}  // namespace ijro::test
