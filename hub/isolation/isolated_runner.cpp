#include "hub/isolation/isolated_runner.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "hub/isolation/child.hpp"
#include "hub/isolation/protocol.hpp"

namespace ijro::isolation {

namespace {

using protocol::ChannelError;
using protocol::Frame;
using protocol::FrameType;
using protocol::operator+=;
using Clock = std::chrono::steady_clock;

// Exec, Hello, load and on_create get at least this long, whatever callTimeout says: starting a
// process on a loaded machine must not look like a hang.
constexpr auto kStartFloor = std::chrono::seconds(5);
// How long a child that closed its socket may take to exit before it is killed.
constexpr auto kExitGrace = std::chrono::seconds(1);
// How long the destructor waits for a polite Shutdown.
constexpr auto kShutdownGrace = std::chrono::seconds(2);

std::string duration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return fmt::format("{} s", d.count() / 1000);
  return fmt::format("{} ms", d.count());
}

// The child's whole environment: nothing of the hub's (database URLs, tokens, proxy settings)
// unless the instance names it (env="..."). PATH is fixed, LANG is C.UTF-8, TZ follows the hub's
// so that local times agree. A sanitizer build passes its sanitizers' options on as well, so a
// child reports (or does not report) as the hub does.
std::vector<std::string> childEnvironment(const std::vector<std::string>& names) {
  std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"};
  std::vector<std::string> passed = {"TZ"};
#if defined(__SANITIZE_ADDRESS__)
  passed.insert(passed.end(), {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"});
#endif
  passed.insert(passed.end(), names.begin(), names.end());
  for (const auto& name : passed) {
    if (name.empty() || name == "PATH" || name == "LANG") continue;
    if (std::any_of(env.begin(), env.end(), [&](const std::string& e) {
          return e.size() > name.size() && e.compare(0, name.size(), name) == 0 &&
                 e[name.size()] == '=';
        }))
      continue;
    if (const char* value = std::getenv(name.c_str())) env.push_back(name + "=" + value);
  }
  return env;
}

std::string signalName(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev != nullptr ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", sig);
}

// What the forked child does before exec; async-signal-safe calls only (the hub has threads).
[[noreturn]] void execPluginHost(const char* path, char** argv, char** envp, int fd, int devnull,
                                 pid_t parent, long maxFd, char* execFailed,
                                 std::size_t execFailedLen) noexcept {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);       // dies with the hub
  if (::getppid() != parent) ::_exit(127);  // the hub died before prctl took effect
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Out of the way of 0..3 first, then into place: the socket on 3, stdin from /dev/null, stdout
  // to stderr (a plugin printing must not mix into the hub's own stdout, e.g. `plugin test`).
  const int sock = ::fcntl(fd, F_DUPFD, 10);
  const int null = ::fcntl(devnull, F_DUPFD, 10);
  if (sock < 0 || null < 0 || ::dup2(sock, 3) < 0) ::_exit(127);
  ::dup2(null, 0);
  ::dup2(2, 1);
  // Nothing else of the hub's (listening sockets, the store's files) leaks into the child.
  if (::close_range(4, ~0U, 0) != 0)
    for (long i = 4; i < maxFd; ++i) ::close(static_cast<int>(i));
  ::execve(path, argv, envp);
  const auto err = static_cast<std::uint32_t>(errno);
  for (int i = 0; i < 4; ++i)
    execFailed[protocol::kHeaderBytes + static_cast<std::size_t>(i)] =
        static_cast<char>((err >> (24 - 8 * i)) & 0xff);
  [[maybe_unused]] auto n = ::write(3, execFailed, execFailedLen);
  ::_exit(127);
}

// PR_SET_PDEATHSIG fires when the *thread* that forked the child ends, not the process. So every
// child is forked by this one thread, which lives as long as the hub: a runner called from a
// short-lived thread (std::async, a pool that shrinks) does not see its child killed with it.
class ForkThread {
 public:
  std::pair<pid_t, int> run(std::function<std::pair<pid_t, int>()> fork) {
    std::packaged_task<std::pair<pid_t, int>()> task(std::move(fork));
    auto result = task.get_future();
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(task));
    }
    wake_.notify_one();
    return result.get();
  }

  ForkThread() {
    std::thread([this] {
      for (;;) {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return !jobs_.empty(); });
        auto job = std::move(jobs_.front());
        jobs_.pop_front();
        lock.unlock();
        job();
      }
    }).detach();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::packaged_task<std::pair<pid_t, int>()>> jobs_;
};

ForkThread& forkThread() {
  // Never destroyed: the thread waits on it until the process ends.
  static ForkThread* const instance = new ForkThread();
  return *instance;
}

}  // namespace

// A started plugin-host: its pid and our end of the socketpair. Destroying it kills and reaps the
// process if it still runs, so no path leaves a zombie behind.
struct IsolatedRunner::Child {
  Child(pid_t p, int fd, std::size_t frameLimit) : pid(p), channel(fd, frameLimit) {}
  ~Child() {
    if (!reaped) {
      ::kill(pid, SIGKILL);
      reap(true);
    }
    ::close(channel.fd());
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  // waitpid; true once the child's status is collected.
  bool reap(bool block) {
    if (reaped) return true;
    for (;;) {
      int st = 0;
      pid_t r = ::waitpid(pid, &st, block ? 0 : WNOHANG);
      if (r == pid) {
        reaped = true;
        status = st;
        return true;
      }
      if (r == 0) return false;
      if (errno == EINTR) continue;
      reaped = true;  // ECHILD: collected elsewhere (SIGCHLD ignored); nothing left to wait for
      unknownStatus = true;
      return true;
    }
  }

  // After the socket closed: give the process a moment to finish dying, then kill it.
  void reapAfterClose() {
    const auto until = Clock::now() + kExitGrace;
    while (!reap(false) && Clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (reaped) return;
    ::kill(pid, SIGKILL);
    killedByHub = true;
    reap(true);
  }

  void killNow() {
    if (reaped) return;
    ::kill(pid, SIGKILL);
    killedByHub = true;
    reap(true);
  }

  // "crashed with SIGSEGV", "exited with status 3", ...; a death from one of the child's limits
  // says which limit.
  std::string fate(const ChildLimits& limits) const {
    if (unknownStatus) return "exited (its exit status was collected elsewhere)";
    if (killedByHub) return "closed its connection without exiting and was killed";
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU)
      return fmt::format(
          "used up its CPU time limit of {} s (cpuLimitSeconds) and was ended with "
          "SIGXCPU",
          limits.cpuSeconds);
    if (WIFEXITED(status) && WEXITSTATUS(status) == kExitOutOfMemory)
      return fmt::format(
          "ran out of memory: an allocation failed within its address-space limit "
          "of {} MiB (memoryLimitMb)",
          limits.memoryMb);
    if (WIFSIGNALED(status))
      return fmt::format("crashed with {}{}", signalName(WTERMSIG(status)),
                         WCOREDUMP(status) ? " (core dumped)" : "");
    if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
    return fmt::format("ended with wait status {}", status);
  }

  pid_t pid;
  protocol::Channel channel;
  bool reaped = false;
  bool unknownStatus = false;
  bool killedByHub = false;
  int status = 0;
};

IsolatedRunner::IsolatedRunner(RunnerOptions options)
    : opts_(std::move(options)), backoff_(opts_.restartBackoffMin) {
  if (opts_.checkpoint && opts_.checkpoint->empty()) opts_.checkpoint.reset();
  if (opts_.restartBackoffMin.count() < 1) opts_.restartBackoffMin = std::chrono::milliseconds(1);
  if (opts_.restartBackoffMax < opts_.restartBackoffMin)
    opts_.restartBackoffMax = opts_.restartBackoffMin;
  backoff_ = opts_.restartBackoffMin;
  name_ = opts_.name;
  label_ = fmt::format("plugin {} instance \"{}\"", opts_.pluginPath.string(), name_);

  if (opts_.hubBinary.empty()) {
    // The running binary itself, even when an upgrade has replaced its file since the hub started:
    // a child of another build would speak another protocol.
    hubBinary_ = "/proc/self/exe";
    std::error_code ec;
    auto self = std::filesystem::read_symlink(hubBinary_, ec);
    hubName_ = ec ? std::string("ijro-hub") : self.string();
  } else {
    hubBinary_ = opts_.hubBinary;
    hubName_ = hubBinary_.string();
  }
  if (::access(hubBinary_.c_str(), X_OK) != 0)
    throw PluginError(PluginError::Reason::NotLoadable, opts_.pluginPath,
                      fmt::format("{}: cannot run {} plugin-host ({}); the hub binary must be "
                                  "executable",
                                  label_, hubName_, std::strerror(errno)));
  start();
}

IsolatedRunner::~IsolatedRunner() {
  std::lock_guard lock(callMutex_);
  if (!child_) return;
  try {
    const auto until = Clock::now() + kShutdownGrace;
    child_->channel.send(FrameType::Shutdown, {}, until);
    for (;;) {
      if (child_->channel.receive(until).type == FrameType::Bye) break;
    }
    while (!child_->reap(false) && Clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  } catch (const std::exception& e) {
    spdlog::debug("{}: no polite shutdown ({}); killing it", label_, e.what());
  }
  child_.reset();  // kills it if it is still there, and reaps it
  pid_ = -1;
}

std::unique_ptr<IsolatedRunner::Child> IsolatedRunner::spawn() {
  auto fail = [&](const char* what) {
    return PluginError(
        PluginError::Reason::NotLoadable, opts_.pluginPath,
        fmt::format("{}: cannot start plugin-host: {}: {}", label_, what, std::strerror(errno)));
  };
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) throw fail("socketpair");
  const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull < 0) {
    ::close(sv[0]);
    ::close(sv[1]);
    throw fail("/dev/null");
  }
  // Everything the child needs is prepared here: after fork it may not allocate.
  const std::string path = hubBinary_.string();
  std::vector<std::string> env = childEnvironment(opts_.child.env);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string arg0 = hubName_, arg1 = "plugin-host", arg2 = "--fd", arg3 = "3";
  char* argv[] = {arg0.data(), arg1.data(), arg2.data(), arg3.data(), nullptr};
  std::string execFailed = protocol::encodeFrame(FrameType::ExecFailed, std::string(4, '\0'));
  const long maxFd = std::clamp(::sysconf(_SC_OPEN_MAX), 1024L, 1L << 20);
  const pid_t parent = ::getpid();

  const auto [pid, forkErrno] = forkThread().run([&]() -> std::pair<pid_t, int> {
    const pid_t p = ::fork();
    if (p == 0)
      execPluginHost(path.c_str(), argv, envp.data(), sv[1], devnull, parent, maxFd,
                     execFailed.data(), execFailed.size());
    return {p, errno};
  });
  ::close(sv[1]);
  ::close(devnull);
  if (pid < 0) {
    ::close(sv[0]);
    errno = forkErrno;
    throw fail("fork");
  }
  return std::make_unique<Child>(pid, sv[0], protocol::kStartReplyLimit);
}

void IsolatedRunner::start() {
  std::unique_ptr<Child> child = spawn();
  const auto until =
      Clock::now() + std::max<std::chrono::milliseconds>(opts_.callTimeout, kStartFloor);
  protocol::Ready ready;
  try {
    Frame f = child->channel.receive(until);
    if (f.type == FrameType::ExecFailed) {
      const int err = static_cast<int>(protocol::decodeCount(f));
      throw PluginError(
          PluginError::Reason::NotLoadable, opts_.pluginPath,
          fmt::format("{}: cannot run {} plugin-host: {}", label_, hubName_, std::strerror(err)));
    }
    protocol::Hello hello = protocol::decodeHello(f);
    if (hello.version != protocol::kVersion)
      throw PluginError(PluginError::Reason::NotLoadable, opts_.pluginPath,
                        fmt::format("{}: {} plugin-host speaks protocol version {}, this hub "
                                    "version {}: run the plugin-host of the same ijro-hub build",
                                    label_, hubName_, hello.version, protocol::kVersion));

    protocol::Init init;
    init.pluginPath = opts_.pluginPath.string();
    init.instanceName = opts_.name;
    init.options = opts_.options;
    init.checkpoint = opts_.checkpoint;
    init.limits = opts_.limits;
    init.logLevel = static_cast<std::int32_t>(spdlog::get_level());
    init.child = opts_.child;
    init.child.env.clear();  // the environment was set at exec
    child->channel.send(FrameType::Init, protocol::encode(init), until);

    f = child->channel.receive(until);
    if (f.type == FrameType::Failed) {
      protocol::Failed m = protocol::decodeFailed(f);
      throw PluginError(m.reason, opts_.pluginPath, m.message, m.retryable);
    }
    ready = protocol::decodeReady(f);
  } catch (const ChannelError& e) {
    std::string what;
    bool retryable = false;
    switch (e.kind()) {
      case ChannelError::Kind::Closed:
        child->reapAfterClose();
        what = fmt::format("its plugin-host {} while starting", child->fate(opts_.child));
        break;
      case ChannelError::Kind::Timeout:
        what = fmt::format(
            "its plugin-host did not start within {} (loading, on_create): killed",
            duration(std::max<std::chrono::milliseconds>(opts_.callTimeout, kStartFloor)));
        retryable = true;
        break;
      default:
        what =
            fmt::format("its plugin-host broke the protocol while starting ({}): killed", e.what());
        break;
    }
    throw PluginError(PluginError::Reason::CreateFailed, opts_.pluginPath,
                      fmt::format("{}: {}", label_, what), retryable);
  }

  if (started_ && ready.kind != kind_)
    throw PluginError(PluginError::Reason::BadDescriptor, opts_.pluginPath,
                      fmt::format("{}: the plugin is now a {}, it was a {} when the hub started: "
                                  "the file was replaced; restart the hub",
                                  label_, toString(ready.kind), toString(kind_)));
  child->channel.setFrameLimit(protocol::replyLimit(opts_.limits));
  if (!started_) {  // set once: name(), kind() and messages read them without the call lock
    kind_ = ready.kind;
    if (name_.empty()) name_ = ready.pluginName;
    label_ = fmt::format("plugin \"{}\" instance \"{}\" ({})", ready.pluginName, name_,
                         opts_.pluginPath.string());
  }
  pid_ = child->pid;
  spdlog::debug("{} started in plugin-host pid {}", label_, child->pid);
  child_ = std::move(child);
  started_ = true;
  std::lock_guard lock(stateMutex_);
  current_ = {};
  currentCounters_.clear();
  health_.up = true;
}

bool IsolatedRunner::ensureChild(std::string& message) {
  if (child_) return true;
  const auto now = Clock::now();
  if (now < nextStart_) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(nextStart_ - now);
    std::lock_guard lock(stateMutex_);
    message = fmt::format("{} is restarting in {} ms (after: {})", label_, left.count(),
                          health_.lastFailure);
    return false;
  }
  try {
    start();
  } catch (const PluginError& e) {
    message = fmt::format("restarting {} failed: {}", label_, e.what());
    recordFailure(message, Call::Other);
    return false;
  }
  std::lock_guard lock(stateMutex_);
  ++health_.restarts;
  spdlog::info("{} restarted (restart {}) from checkpoint {}", label_, health_.restarts,
               opts_.checkpoint ? "\"" + *opts_.checkpoint + "\"" : std::string("(none)"));
  return true;
}

std::string IsolatedRunner::failed(const std::exception& e, const char* call) {
  const auto* ce = dynamic_cast<const ChannelError*>(&e);
  const char* redo = kind_ == Kind::Source ? "restarting from the last checkpoint" : "restarting";
  std::string message;
  if (ce != nullptr && ce->kind() == ChannelError::Kind::Timeout) {
    child_->killNow();
    message = fmt::format("{} did not answer {} within {}: killed; restarting", label_, call,
                          duration(opts_.callTimeout));
  } else if (ce != nullptr && ce->kind() == ChannelError::Kind::Closed) {
    child_->reapAfterClose();
    message = fmt::format("{} {} during {}; {}", label_, child_->fate(opts_.child), call, redo);
  } else {
    child_->killNow();
    message = fmt::format("{} broke the plugin-host protocol during {} ({}): killed; {}", label_,
                          call, e.what(), redo);
  }
  return message;
}

// A call that failed without an answer from the plugin (a crash, a hang, refused while the child
// restarts) counts as a failed one, as an error status from the plugin would.
void IsolatedRunner::countFailed(InstanceStats& s, Call call, std::size_t records) {
  switch (call) {
    case Call::Poll:
      ++s.polls;
      ++s.pollsFailed;
      break;
    case Call::Deliver:
      ++s.batches;
      ++s.batchesFailed;
      s.recordsRetry += records;
      break;
    case Call::Transform:
      ++s.transforms;
      ++s.transformsFailed;
      break;
    case Call::Other:
      break;
  }
}

void IsolatedRunner::recordFailure(const std::string& message, Call call, std::size_t records) {
  child_.reset();
  pid_ = -1;
  nextStart_ = Clock::now() + backoff_;
  const auto wait = backoff_;
  backoff_ = std::min(backoff_ * 2, opts_.restartBackoffMax);
  {
    std::lock_guard lock(stateMutex_);
    past_ += current_;
    current_ = {};
    protocol::addCounters(pastCounters_, currentCounters_);
    currentCounters_.clear();
    countFailed(past_, call, records);
    health_.up = false;
    health_.lastFailure = message;
  }
  spdlog::error("{} (next start in {} ms at the earliest)", message, wait.count());
}

void IsolatedRunner::answered(const InstanceStats& childStats, PluginCounters childCounters,
                              const PluginGauges& childGauges) {
  backoff_ = opts_.restartBackoffMin;
  std::lock_guard lock(stateMutex_);
  current_ = childStats;
  currentCounters_ = std::move(childCounters);
  for (const auto& [name, value] : childGauges) gauges_[name] = value;
}

Clock::time_point IsolatedRunner::deadline() const {
  return Clock::now() + opts_.callTimeout;
}

void IsolatedRunner::requireKind(Kind kind, const char* call) const {
  if (kind_ != kind)
    throw std::logic_error(fmt::format("{}() on {}, a {}", call, label_, toString(kind_)));
}

namespace {

// The next frame of an answer; a ProtocolError frame from the child becomes a ChannelError.
Frame answer(protocol::Channel& channel, Clock::time_point until) {
  Frame f = channel.receive(until);
  if (f.type == FrameType::ProtocolError)
    throw ChannelError(ChannelError::Kind::Malformed,
                       fmt::format("it reported: {}", protocol::decodeText(f)));
  return f;
}

}  // namespace

PollResult IsolatedRunner::poll() {
  requireKind(Kind::Source, "poll");
  std::lock_guard lock(callMutex_);
  PollResult out;
  out.status = Status::Retry;
  if (!ensureChild(out.message)) {
    std::lock_guard state(stateMutex_);
    countFailed(past_, Call::Poll, 0);
    return out;
  }
  try {
    const auto until = deadline();
    child_->channel.send(FrameType::Poll, {}, until);
    std::vector<std::string> records;
    std::size_t came = 0;     // Record frames, taken or refused
    std::size_t refused = 0;  // larger than maxRecordBytes
    for (;;) {
      Frame f = answer(child_->channel, until);
      if (f.type != FrameType::Record) {
        protocol::PollDone done = protocol::decodePollDone(f);
        if (done.records != came)
          throw ChannelError(
              ChannelError::Kind::Malformed,
              fmt::format("PollDone counts {} records, {} came", done.records, came));
        if (done.checkpoint && done.checkpoint->size() > opts_.limits.maxCheckpointBytes)
          throw ChannelError(ChannelError::Kind::Malformed,
                             fmt::format("a checkpoint of {} bytes, more than the limit of {} "
                                         "bytes (maxCheckpointBytes)",
                                         done.checkpoint->size(), opts_.limits.maxCheckpointBytes));
        out.status = done.status;
        out.message = std::move(done.message);
        if (out.status == Status::Ok) {
          out.records = std::move(records);
          out.checkpoint = std::move(done.checkpoint);
        }
        answered(done.stats, std::move(done.counters), done.gauges);
        if (refused > 0) {
          std::lock_guard state(stateMutex_);
          past_.recordsRefused += refused;
        }
        return out;
      }
      if (came >= opts_.limits.maxRecordsPerPoll)
        throw ChannelError(
            ChannelError::Kind::Malformed,
            fmt::format("more than {} records in one poll", opts_.limits.maxRecordsPerPoll));
      ++came;
      if (f.payload.size() > opts_.limits.maxRecordBytes) {
        // Only a plugin that writes frames itself gets here (the host in the child refuses such
        // an emit): this record is refused, the rest of the poll stands.
        ++refused;
        spdlog::error(
            "{}: record {} of a poll is {} bytes, more than the limit of {} bytes "
            "(maxRecordBytes): refused",
            label_, came, f.payload.size(), opts_.limits.maxRecordBytes);
        continue;
      }
      records.push_back(std::move(f.payload));
    }
  } catch (const std::exception& e) {
    out = PollResult{};
    out.status = Status::Retry;
    out.message = failed(e, "poll");
    recordFailure(out.message, Call::Poll);
  }
  return out;
}

DeliverResult IsolatedRunner::deliver(std::span<const std::string> records) {
  requireKind(Kind::Sink, "deliver");
  if (records.size() > std::numeric_limits<std::uint32_t>::max())
    throw std::invalid_argument("a batch of more than 2^32-1 records");
  std::lock_guard lock(callMutex_);
  DeliverResult out;
  out.status = Status::Retry;
  out.records.assign(records.size(), Status::Retry);
  if (!ensureChild(out.message)) {
    std::lock_guard state(stateMutex_);
    countFailed(past_, Call::Deliver, records.size());
    return out;
  }
  const std::size_t limit = protocol::frameLimit(opts_.limits);
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].size() <= limit) continue;
    out.status = Status::Error;
    out.records.assign(records.size(), Status::Error);
    out.message = fmt::format(
        "{} on_deliver not called: record {} of the batch is {} bytes, more than the {} bytes a "
        "frame to an isolated plugin carries",
        label_, i + 1, records[i].size(), limit);
    std::lock_guard state(stateMutex_);
    ++past_.batches;
    ++past_.batchesFailed;
    past_.recordsFailed += records.size();
    return out;
  }
  try {
    const auto until = deadline();
    for (const auto& r : records) child_->channel.send(FrameType::Record, r, until);
    child_->channel.send(FrameType::Deliver,
                         protocol::encodeCount(static_cast<std::uint32_t>(records.size())), until);
    child_->channel.setFrameLimit(protocol::replyLimit(opts_.limits, records.size()));
    protocol::DeliverDone done = protocol::decodeDeliverDone(answer(child_->channel, until));
    child_->channel.setFrameLimit(protocol::replyLimit(opts_.limits));
    if (done.records.size() != records.size())
      throw ChannelError(ChannelError::Kind::Malformed,
                         fmt::format("DeliverDone answers for {} records, the batch had {}",
                                     done.records.size(), records.size()));
    out.status = done.status;
    out.message = std::move(done.message);
    out.records = std::move(done.records);
    answered(done.stats, std::move(done.counters), done.gauges);
  } catch (const std::exception& e) {
    out.status = Status::Retry;
    out.records.assign(records.size(), Status::Retry);
    out.message = failed(e, "deliver");
    recordFailure(out.message, Call::Deliver, records.size());
  }
  return out;
}

TransformResult IsolatedRunner::transform(std::string_view record) {
  requireKind(Kind::Transform, "transform");
  std::lock_guard lock(callMutex_);
  TransformResult out;
  out.status = Status::Retry;
  if (!ensureChild(out.message)) {
    std::lock_guard state(stateMutex_);
    countFailed(past_, Call::Transform, 0);
    return out;
  }
  if (record.size() > protocol::frameLimit(opts_.limits)) {
    out.status = Status::Error;
    out.message = fmt::format(
        "{} on_transform not called: the record is {} bytes, more than the {} bytes a frame to "
        "an isolated plugin carries",
        label_, record.size(), protocol::frameLimit(opts_.limits));
    std::lock_guard state(stateMutex_);
    ++past_.transforms;
    ++past_.transformsFailed;
    return out;
  }
  try {
    const auto until = deadline();
    child_->channel.send(FrameType::Transform, protocol::encodeText(record), until);
    protocol::TransformDone done = protocol::decodeTransformDone(answer(child_->channel, until));
    answered(done.stats, std::move(done.counters), done.gauges);
    if (done.record && done.record->size() > opts_.limits.maxRecordBytes) {
      // As in poll: only a plugin writing frames itself gets here; this record is refused.
      out.status = Status::Error;
      out.message = fmt::format(
          "{}: on_transform returned a record of {} bytes, more than the limit of {} bytes "
          "(maxRecordBytes): refused",
          label_, done.record->size(), opts_.limits.maxRecordBytes);
      std::lock_guard state(stateMutex_);
      ++past_.transformsFailed;
      return out;
    }
    out.status = done.status;
    out.message = std::move(done.message);
    out.record = std::move(done.record);
  } catch (const std::exception& e) {
    out = TransformResult{};
    out.status = Status::Retry;
    out.message = failed(e, "transform");
    recordFailure(out.message, Call::Transform);
  }
  return out;
}

void IsolatedRunner::setCheckpoint(std::optional<std::string> checkpoint) {
  std::lock_guard lock(callMutex_);
  if (checkpoint && checkpoint->empty()) checkpoint.reset();  // zero bytes: none
  opts_.checkpoint = std::move(checkpoint);
  if (!child_) return;  // the next child starts from it
  try {
    child_->channel.send(FrameType::SetCheckpoint, protocol::encodeCheckpoint(opts_.checkpoint),
                         deadline());
  } catch (const std::exception& e) {
    recordFailure(failed(e, "setCheckpoint"), Call::Other);
  }
}

InstanceStats IsolatedRunner::stats() const {
  std::lock_guard lock(stateMutex_);
  InstanceStats s = past_;
  s += current_;
  return s;
}

PluginCounters IsolatedRunner::counters() const {
  std::lock_guard lock(stateMutex_);
  PluginCounters all = pastCounters_;
  protocol::addCounters(all, currentCounters_);
  return all;
}

PluginGauges IsolatedRunner::gauges() const {
  std::lock_guard lock(stateMutex_);
  return gauges_;
}

RunnerHealth IsolatedRunner::health() const {
  std::lock_guard lock(stateMutex_);
  return health_;
}

}  // namespace ijro::isolation
