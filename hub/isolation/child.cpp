#include "hub/isolation/child.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <charconv>
#include <csignal>
#include <iostream>
#include <memory>
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
