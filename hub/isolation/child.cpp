#include "hub/isolation/child.hpp"

#include <fmt/format.h>
#include <grp.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <new>
#include <optional>
#include <string_view>

#include "hub/isolation/protocol.hpp"
#include "hub/plugin_host/instance.hpp"
#include "hub/plugin_host/loader.hpp"

namespace ijro::isolation {

namespace {

using protocol::ChannelError;
using protocol::Frame;
using protocol::FrameType;

constexpr const char* kUsage =
    "usage: ijro-hub plugin-host --fd N\n"
    "Runs one plugin instance for a hub that isolates it (isolation=\"process\"); the hub starts\n"
    "it with its end of a socketpair on fd N. Not meant to be run by hand.\n";

// The plugin's log lines and the host's own go to stderr (the hub's), marked with this process.
void setupLogging() {
  auto logger = std::make_shared<spdlog::logger>("plugin-host",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l plugin-host[%P]: %v");
  spdlog::set_default_logger(std::move(logger));
}

// An allocation that fails (the address-space limit, or the machine's memory) ends the child
// with a status the hub names, instead of a bad_alloc that plugin code may swallow half-way.
void outOfMemory() {
  static constexpr char kMessage[] =
      "plugin-host: out of memory (an allocation failed within the address-space limit); "
      "exiting\n";
  [[maybe_unused]] auto n = ::write(2, kMessage, sizeof kMessage - 1);
  ::_exit(kExitOutOfMemory);
}

// Sets soft and hard limit, never above the hard limit the child already has (only root could
// raise it, and a lower one is the stricter).
std::optional<std::string> limit(int resource, const char* name, rlim_t soft, rlim_t hard) {
  rlimit now{};
  if (::getrlimit(resource, &now) != 0)
    return fmt::format("getrlimit({}): {}", name, std::strerror(errno));
  if (now.rlim_max != RLIM_INFINITY) {
    hard = std::min(hard, now.rlim_max);
    soft = std::min(soft, hard);
  }
  const rlimit want{soft, hard};
  if (::setrlimit(resource, &want) != 0)
    return fmt::format("setrlimit({}): {}", name, std::strerror(errno));
  return std::nullopt;
}

// The address space mapped now, in bytes (the first field of /proc/self/statm, in pages).
std::optional<std::uint64_t> mappedBytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0;
  if (!(statm >> pages)) return std::nullopt;
  return pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

// Applies the instance's resource limits, then becomes its user: before the plugin is loaded,
// so none of its code (constructors included) runs with more. Empty, or why it could not.
std::optional<std::string> confine(const ChildLimits& c) {
  constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
  if (c.memoryMb > 0) {
    // Relative to what the plugin-host maps already (the hub binary and its libraries, or a
    // sanitizer's shadow memory), so the limit is what the plugin may add.
    auto mapped = mappedBytes();
    if (!mapped) return std::string("cannot read /proc/self/statm for the address-space limit");
    const auto bytes = static_cast<rlim_t>(*mapped + std::min(c.memoryMb, kMiB * kMiB) * kMiB);
    if (auto e = limit(RLIMIT_AS, "RLIMIT_AS", bytes, bytes)) return e;
  }
  if (c.cpuSeconds > 0) {
    rusage used{};
    ::getrusage(RUSAGE_SELF, &used);
    const auto spent =
        static_cast<rlim_t>(used.ru_utime.tv_sec + used.ru_stime.tv_sec + 1);  // rounded up
    // SIGXCPU at the soft limit; SIGKILL a second later for a plugin that ignores it.
    const auto soft = spent + static_cast<rlim_t>(c.cpuSeconds);
    if (auto e = limit(RLIMIT_CPU, "RLIMIT_CPU", soft, soft + 1)) return e;
  }
  if (c.openFiles > 0) {
    const auto n = static_cast<rlim_t>(c.openFiles);
    if (auto e = limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", n, n)) return e;
  }
  if (c.user) {
    const ChildUser& u = *c.user;
    const pid_t parent = ::getppid();
    if (::setgroups(1, &u.gid) != 0)
      return fmt::format("setgroups({}) for user \"{}\": {}", u.gid, u.name, std::strerror(errno));
    if (::setgid(u.gid) != 0)
      return fmt::format("setgid({}) for user \"{}\": {}", u.gid, u.name, std::strerror(errno));
    if (::setuid(u.uid) != 0)
      return fmt::format("setuid({}) for user \"{}\": {}", u.uid, u.name, std::strerror(errno));
    if (::getuid() != u.uid || ::geteuid() != u.uid || ::getgid() != u.gid || ::getegid() != u.gid)
      return fmt::format("the ids after dropping to user \"{}\" are not {}:{}", u.name, u.uid,
                         u.gid);
    if (u.uid != 0 && (::setuid(0) == 0 || ::seteuid(0) == 0))
      return fmt::format("could regain root after dropping to user \"{}\"", u.name);
    // Changing the ids cleared the parent-death signal: set it again.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) return std::string("the hub ended while the child was starting");
  }
  return std::nullopt;
}

[[noreturn]] void unexpected(const Frame& f, const char* why) {
  throw ChannelError(ChannelError::Kind::Malformed,
                     fmt::format("unexpected {} frame: {}", protocol::toString(f.type), why));
}

class PluginHost {
 public:
  explicit PluginHost(int fd) : channel_(fd, protocol::kBaseFrameLimit) {}

  // Serves frames until Shutdown (true) or the end of the stream (false).
  bool serve() {
    channel_.send(FrameType::Hello,
                  protocol::encode(protocol::Hello{protocol::kVersion, hostAbi(), ::getpid()}));
    for (;;) {
      Frame f = channel_.receive();
      switch (f.type) {
        case FrameType::Init:
          init(f);
          break;
        case FrameType::Poll:
          poll(f);
          break;
        case FrameType::Record:
          running(f);
          batch_.push_back(std::move(f.payload));
          break;
        case FrameType::Deliver:
          deliver(f);
          break;
        case FrameType::Transform:
          transform(f);
          break;
        case FrameType::SetCheckpoint:
          running(f).setCheckpoint(protocol::decodeCheckpoint(f));
          break;
        case FrameType::Stats:
          stats(f);
          break;
        case FrameType::Shutdown:
          instance_.reset();  // on_destroy
          channel_.send(FrameType::Bye, {});
          return true;
        default:
          unexpected(f, "the hub sends only requests");
      }
    }
  }

  void reportProtocolError(const std::string& what) {
    try {
      channel_.send(FrameType::ProtocolError, protocol::encodeText(what),
                    std::chrono::steady_clock::now() + std::chrono::seconds(1));
    } catch (const ChannelError&) {
      // The hub is gone or not reading; it learns from the exit status instead.
    }
  }

 private:
  Instance& running(const Frame& f) {
    if (!instance_) unexpected(f, "no plugin instance is running (Init first)");
    return *instance_;
  }

  void init(const Frame& f) {
    if (instance_) unexpected(f, "the instance is already running");
    protocol::Init m = protocol::decodeInit(f);
    spdlog::set_level(static_cast<spdlog::level::level_enum>(
        std::clamp<std::int32_t>(m.logLevel, spdlog::level::trace, spdlog::level::off)));
    std::set_new_handler(outOfMemory);
    if (auto why = confine(m.child)) {
      channel_.send(FrameType::Failed,
                    protocol::encode(protocol::Failed{
                        PluginError::Reason::NotLoadable, false,
                        fmt::format("{}: the plugin-host cannot confine itself before loading "
                                    "the plugin: {}",
                                    m.pluginPath, *why)}));
      return;
    }
    try {
      LoadedPlugin plugin = load(m.pluginPath);
      std::string name = m.instanceName.empty() ? plugin.info().name : m.instanceName;
      instance_ = Instance::create(plugin, std::move(name), m.options, m.checkpoint, m.limits);
    } catch (const PluginError& e) {
      channel_.send(FrameType::Failed,
                    protocol::encode(protocol::Failed{e.reason(), e.retryable(), e.what()}));
      return;
    } catch (const std::exception& e) {
      channel_.send(FrameType::Failed, protocol::encode(protocol::Failed{
                                           PluginError::Reason::NotLoadable, false,
                                           fmt::format("{}: {}", m.pluginPath, e.what())}));
      return;
    }
    channel_.setFrameLimit(protocol::frameLimit(m.limits));
    const PluginInfo& info = instance_->plugin().info();
    channel_.send(FrameType::Ready,
                  protocol::encode(protocol::Ready{info.name, info.version, info.kind}));
  }

  void poll(const Frame& f) {
    Instance& in = running(f);
    PollResult r = in.poll();
    for (const auto& record : r.records) channel_.send(FrameType::Record, record);
    protocol::PollDone done{r.status,
                            std::move(r.message),
                            static_cast<std::uint32_t>(r.records.size()),
                            std::move(r.checkpoint),
                            in.stats(),
                            in.counters(),
                            in.gauges()};
    channel_.send(FrameType::PollDone, protocol::encode(done));
  }

  void deliver(const Frame& f) {
    Instance& in = running(f);
    if (protocol::decodeCount(f) != batch_.size())
      unexpected(f, fmt::format("it announces {} records, {} came", protocol::decodeCount(f),
                                batch_.size())
                        .c_str());
    DeliverResult r = in.deliver(batch_);
    batch_.clear();
    protocol::DeliverDone done{r.status,   std::move(r.message), std::move(r.records),
                               in.stats(), in.counters(),        in.gauges()};
    channel_.send(FrameType::DeliverDone, protocol::encode(done));
  }

  void transform(const Frame& f) {
    Instance& in = running(f);
    TransformResult r = in.transform(protocol::decodeText(f));
    protocol::TransformDone done{r.status,   std::move(r.message), std::move(r.record),
                                 in.stats(), in.counters(),        in.gauges()};
    channel_.send(FrameType::TransformDone, protocol::encode(done));
  }

  void stats(const Frame& f) {
    Instance& in = running(f);
    channel_.send(FrameType::StatsReply,
                  protocol::encode(protocol::StatsReply{in.stats(), in.counters(), in.gauges()}));
  }

  protocol::Channel channel_;
  std::unique_ptr<Instance> instance_;
  std::vector<std::string> batch_;  // records announced for the next Deliver
};

}  // namespace

int pluginHostMain(int argc, char** argv) {
  int fd = -1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--fd" && i + 1 < argc) {
      std::string_view value = argv[++i];
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), fd);
      if (ec != std::errc() || end != value.data() + value.size() || fd < 0) fd = -1;
    } else {
      fd = -1;
      break;
    }
  }
  if (fd < 0) {
    std::cerr << kUsage;
    return 2;
  }
  // Dies with the hub even if the hub is killed outright (the hub sets this too, before exec;
  // repeating it here covers a parent that did not).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  std::signal(SIGPIPE, SIG_IGN);  // a plugin writing to a closed socket gets EPIPE, as in the hub
  setupLogging();

  PluginHost host(fd);
  try {
    host.serve();
    return 0;
  } catch (const ChannelError& e) {
    if (e.kind() == ChannelError::Kind::Closed) return 0;  // the hub closed: nothing to answer
    spdlog::error("protocol error with the hub: {}; exiting", e.what());
    host.reportProtocolError(e.what());
    return 3;
  } catch (const std::exception& e) {
    spdlog::error("plugin-host failed: {}; exiting", e.what());
    host.reportProtocolError(e.what());
    return 3;
  }
}

}  // namespace ijro::isolation
