// A source that reports, or tries, what a plugin-host child is allowed to, for the isolation
// tests: each poll does `mode` once and emits one record saying what happened.
//   env    {"env": value of the variable `arg`, or null}
//   ids    {"uid", "euid", "gid", "egid", "read": whether the file `arg` could be opened}
//   alloc  allocates and touches `arg` MiB, then {"allocated": arg}
//   spin   burns CPU for ever (until a limit ends the process)
//   files  opens /dev/null up to `arg` times: {"opened": how many, "errno": the first failure}
#include <ijro_plugin.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using ijro::sdk::Context;
using ijro::sdk::Host;
using ijro::sdk::OptionType;
using ijro::sdk::Status;

std::string quoted(const char* text) {
  if (text == nullptr) return "null";
  std::string out = "\"";
  for (const char* p = text; *p != '\0'; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += "?";
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

class ChildProbe : public ijro::sdk::Source {
 public:
  explicit ChildProbe(Host& host)
      : mode_(host.optionString("mode")), arg_(host.optionString("arg")) {}

  Status poll(Context& ctx) override {
    if (mode_ == "env") {
      ctx.emit("{\"env\":" + quoted(std::getenv(arg_.c_str())) + "}");
    } else if (mode_ == "ids") {
      const int fd = ::open(arg_.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) ::close(fd);
      ctx.emit(
          "{\"uid\":" + std::to_string(::getuid()) + ",\"euid\":" + std::to_string(::geteuid()) +
          ",\"gid\":" + std::to_string(::getgid()) + ",\"egid\":" + std::to_string(::getegid()) +
          ",\"read\":" + (fd >= 0 ? "true" : "false") + "}");
    } else if (mode_ == "alloc") {
      const std::size_t bytes = std::stoull(arg_) << 20;
      std::vector<char> block(bytes);
      for (std::size_t i = 0; i < bytes; i += 4096) block[i] = 1;
      ctx.emit("{\"allocated\":" + arg_ + "}");
    } else if (mode_ == "spin") {
      volatile unsigned long long n = 0;
      for (;;) n = n + 1;
    } else if (mode_ == "files") {
      std::vector<int> fds;
      int error = 0;
      for (long long i = 0; i < std::stoll(arg_); ++i) {
        const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
          error = errno;
          break;
        }
        fds.push_back(fd);
      }
      for (int fd : fds) ::close(fd);
      ctx.emit("{\"opened\":" + std::to_string(fds.size()) + ",\"errno\":" + std::to_string(error) +
               "}");
    }
    return Status::Ok;
  }

 private:
  std::string mode_;
  std::string arg_;
};

}  // namespace

IJRO_DEFINE_SOURCE_PLUGIN(ChildProbe, "child-probe", "1.0.0",
                          "Reports what its process may see and use.",
                          ijro::sdk::required(OptionType::String, "mode",
                                              "env, ids, alloc, spin or files."),
                          ijro::sdk::option(OptionType::String, "arg", "", "What mode works on."))
