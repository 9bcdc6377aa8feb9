// What an isolated plugin's child process (`ijro-hub plugin-host`) may use and see. The parent
// builds the child's environment from it before exec; the child applies the resource limits and
// drops to `user` after it reads Init and before it loads the plugin.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ijro::isolation {

struct ChildUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

struct ChildLimits {
  // Address space (RLIMIT_AS) the child may map beyond what the plugin-host itself had mapped
  // when it started, in MiB; an allocation past it fails and ends the child. 0: no limit.
  std::uint64_t memoryMb = 2048;
  // CPU seconds one child may use in its life (RLIMIT_CPU): past it the kernel ends it with
  // SIGXCPU and the hub restarts it as after a crash. 0: no limit.
  std::uint64_t cpuSeconds = 3600;
  // Open file descriptors (RLIMIT_NOFILE), sockets included; past it open() fails with EMFILE.
  // 0: no limit (the hub's own).
  std::uint64_t openFiles = 1024;
  // Names of the hub's environment variables the child gets as well; every other one is dropped
  // (the child gets PATH, LANG and TZ of its own; see isolated_runner.cpp).
  std::vector<std::string> env;
  // Run the child as this user (setgroups, setgid, setuid before the plugin is loaded).
  std::optional<ChildUser> user;
};

}  // namespace ijro::isolation
