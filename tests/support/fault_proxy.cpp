#include "tests/support/fault_proxy.hpp"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <list>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace ijro::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

std::string FaultProxyCounters::json() const {
  std::ostringstream s;
  s << "{\"connections\":" << connections << ",\"open\":" << open << ",\"refused\":" << refused
    << ",\"blackholed\":" << blackholed << ",\"resets\":" << resets
    << ",\"responseResets\":" << responseResets << ",\"delayedChunks\":" << delayedChunks
    << ",\"targetFailures\":" << targetFailures << ",\"bytesToTarget\":" << bytesToTarget
    << ",\"bytesToClient\":" << bytesToClient << "}";
  return s.str();
}

namespace {

// What happens to one accepted connection, drawn from the mix when it is accepted.
struct Plan {
  bool refuse = false;
  bool blackhole = false;
  bool reset = false;
  std::uint64_t resetAt = 0;  // client bytes forwarded when the reset fires
  bool responseReset = false;
  std::uint64_t responseResetAt = 0;  // target bytes forwarded when the reset fires
};

void checkProbability(double p, const char* name) {
  if (!(p >= 0.0 && p <= 1.0))
    throw std::invalid_argument(std::string("fault proxy: the probability of '") + name + "' is " +
                                std::to_string(p) + "; give a value from 0 to 1");
}

void checkRange(const ByteRange& r, const char* name) {
  if (r.from > r.to)
    throw std::invalid_argument(std::string("fault proxy: the byte range of '") + name +
                                "' starts at " + std::to_string(r.from) + " after its end " +
                                std::to_string(r.to) + "; give from <= to");
}

// Closes a socket so that the peer sees a reset (RST) rather than an orderly end of stream.
void abortSocket(tcp::socket& s) {
  if (!s.is_open()) return;
  error_code ignored;
  s.set_option(asio::socket_base::linger(true, 0), ignored);
  s.close(ignored);
}

}  // namespace

class ProxySession;

// The proxy's state; FaultProxy::Impl is this under the name the header declares.
struct ProxyCore {
  // Counters first: sessions still queued in the io_context when it is destroyed may touch them.
  std::atomic<std::uint64_t> connections{0}, open{0}, refused{0}, blackholed{0}, resets{0},
      responseResets{0}, delayedChunks{0}, targetFailures{0}, bytesToTarget{0}, bytesToClient{0};

  mutable std::mutex mixMutex;  // guards mix and rng (setters run on other threads)
  FaultMix mix{};
  std::mt19937_64 rng{0};

  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  mutable std::mutex targetMutex;  // guards target (setTarget runs on other threads)
  tcp::endpoint target{};
  std::uint16_t boundPort = 0;
  std::thread thread{};
  std::mutex stopMutex;
  // Live sessions, touched on the I/O thread only; stop() closes them.
  std::list<std::weak_ptr<ProxySession>> sessions{};

  Plan drawPlan();
  // The delay for the next chunk, or 0 when this chunk goes through at once.
  std::chrono::milliseconds drawDelay();
  void accept();
  void closeAll();
};

// One client connection and, unless refused or black-holed, its connection to the target.
// Runs on the proxy's single I/O thread, so its state needs no lock.
class ProxySession : public std::enable_shared_from_this<ProxySession> {
 public:
  ProxySession(ProxyCore& proxy, tcp::socket client, Plan plan)
      : proxy_(proxy),
        client_(std::move(client)),
        target_(proxy.io),
        upTimer_(proxy.io),
        downTimer_(proxy.io),
        plan_(plan) {}

  void start() {
    if (plan_.refuse) {
      ++proxy_.refused;
      finish(true);
      return;
    }
    if (plan_.blackhole) {
      ++proxy_.blackholed;
      swallow();
      return;
    }
    auto self = shared_from_this();
    tcp::endpoint to;
    {
      std::lock_guard lock(proxy_.targetMutex);
      to = proxy_.target;
    }
    target_.async_connect(to, [this, self](const error_code& ec) {
      if (closed_) return;
      if (ec) {
        ++proxy_.targetFailures;
        finish(true);
        return;
      }
      pump(true);
      pump(false);
    });
  }

  // Closes both sides; with `abortive` the peers see a reset.
  void finish(bool abortive) {
    if (closed_) return;
    closed_ = true;
    --proxy_.open;  // before the peers see the close, so a test seeing it also sees this
    upTimer_.cancel();
    downTimer_.cancel();
    if (abortive) {
      abortSocket(client_);
      abortSocket(target_);
    } else {
      error_code ignored;
      client_.close(ignored);
      target_.close(ignored);
    }
  }

 private:
  // Blackhole: read and drop what the client sends until it gives up.
  void swallow() {
    auto self = shared_from_this();
    client_.async_read_some(asio::buffer(up_), [this, self](const error_code& ec, std::size_t) {
      if (closed_) return;
      if (ec) {
        finish(ec != asio::error::eof);
        return;
      }
      swallow();
    });
  }

  // Forwards one chunk in one direction (up: client -> target), then the next.
  void pump(bool up) {
    auto self = shared_from_this();
    tcp::socket& from = up ? client_ : target_;
    auto& buf = up ? up_ : down_;
    from.async_read_some(asio::buffer(buf), [this, self, up](const error_code& ec, std::size_t n) {
      if (closed_) return;
      if (ec == asio::error::eof) {
        endOfStream(up);
        return;
      }
      if (ec) {
        finish(true);  // a reset (or other failure) on one side is passed on to the other
        return;
      }
      // Does this chunk bring the forwarded count to the reset point? Then forward only up to it.
      const bool armed = up ? plan_.reset : plan_.responseReset;
      const std::uint64_t at = up ? plan_.resetAt : plan_.responseResetAt;
      const std::uint64_t done = up ? upBytes_ : downBytes_;
      bool fire = false;
      if (armed && done + n >= at) {
        fire = true;
        n = static_cast<std::size_t>(at - done);
      }
      if (const auto delay = proxy_.drawDelay(); delay.count() > 0) {
        ++proxy_.delayedChunks;
        auto& timer = up ? upTimer_ : downTimer_;
        timer.expires_after(delay);
        timer.async_wait([this, self, up, n, fire](const error_code& tec) {
          if (closed_ || tec) return;
          forward(up, n, fire);
        });
        return;
      }
      forward(up, n, fire);
    });
  }

  void forward(bool up, std::size_t n, bool fire) {
    auto self = shared_from_this();
    tcp::socket& to = up ? target_ : client_;
    auto& buf = up ? up_ : down_;
    asio::async_write(to, asio::buffer(buf.data(), n),
                      [this, self, up, fire](const error_code& ec, std::size_t written) {
                        if (closed_) return;
                        (up ? upBytes_ : downBytes_) += written;
                        (up ? proxy_.bytesToTarget : proxy_.bytesToClient) += written;
                        if (ec) {
                          finish(true);
                          return;
                        }
                        if (fire) {
                          ++(up ? proxy_.resets : proxy_.responseResets);
                          finish(true);
                          return;
                        }
                        pump(up);
                      });
  }

  // One side finished sending: pass the half-close on; when both have, close.
  void endOfStream(bool up) {
    error_code ignored;
    (up ? target_ : client_).shutdown(tcp::socket::shutdown_send, ignored);
    (up ? upEnded_ : downEnded_) = true;
    if (upEnded_ && downEnded_) finish(false);
  }

  ProxyCore& proxy_;
  tcp::socket client_;
  tcp::socket target_;
  asio::steady_timer upTimer_;
  asio::steady_timer downTimer_;
  Plan plan_;
  std::array<char, 16384> up_{};
  std::array<char, 16384> down_{};
  std::uint64_t upBytes_ = 0;
  std::uint64_t downBytes_ = 0;
  bool upEnded_ = false;
  bool downEnded_ = false;
  bool closed_ = false;
};

Plan ProxyCore::drawPlan() {
  std::lock_guard lock(mixMutex);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Plan p;
  if (unit(rng) < mix.refuse) {
    p.refuse = true;
    return p;
  }
  if (unit(rng) < mix.blackhole) {
    p.blackhole = true;
    return p;
  }
  if (unit(rng) < mix.reset) {
    p.reset = true;
    p.resetAt =
        std::uniform_int_distribution<std::uint64_t>(mix.resetAfter.from, mix.resetAfter.to)(rng);
  }
  if (unit(rng) < mix.responseReset) {
    p.responseReset = true;
    p.responseResetAt = std::uniform_int_distribution<std::uint64_t>(
        mix.responseResetAfter.from, mix.responseResetAfter.to)(rng);
  }
  return p;
}

std::chrono::milliseconds ProxyCore::drawDelay() {
  std::lock_guard lock(mixMutex);
  if (mix.delay <= 0.0 || mix.delayBy.count() <= 0) return std::chrono::milliseconds{0};
  if (std::uniform_real_distribution<double>(0.0, 1.0)(rng) < mix.delay) return mix.delayBy;
  return std::chrono::milliseconds{0};
}

void ProxyCore::accept() {
  acceptor.async_accept([this](const error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      ++connections;
      ++open;
      auto session = std::make_shared<ProxySession>(*this, std::move(socket), drawPlan());
      sessions.remove_if([](const std::weak_ptr<ProxySession>& w) { return w.expired(); });
      sessions.push_back(session);
      session->start();
    }
    accept();
  });
}

struct FaultProxy::Impl : ProxyCore {};

void ProxyCore::closeAll() {
  error_code ignored;
  acceptor.close(ignored);
  for (auto& w : sessions)
    if (auto s = w.lock()) s->finish(false);
  sessions.clear();
}

FaultProxy::FaultProxy(const std::string& targetHost, std::uint16_t targetPort,
                       const std::string& listenHost, std::uint16_t listenPort)
    : impl_(std::make_unique<Impl>()) {
  auto& d = *impl_;
  error_code ec;
  tcp::resolver resolver(d.io);
  auto found = resolver.resolve(targetHost, std::to_string(targetPort), ec);
  if (ec || found.empty())
    throw std::runtime_error("fault proxy: cannot resolve the target " + targetHost + ":" +
                             std::to_string(targetPort) + ": " + ec.message());
  d.target = found.begin()->endpoint();
  auto listenAt = tcp::resolver(d.io).resolve(listenHost, std::to_string(listenPort), ec);
  if (ec || listenAt.empty())
    throw std::runtime_error("fault proxy: cannot resolve the listen address " + listenHost + ": " +
                             ec.message());
  const tcp::endpoint local = listenAt.begin()->endpoint();
  d.acceptor.open(local.protocol(), ec);
  if (!ec) d.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) d.acceptor.bind(local, ec);
  if (!ec) d.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("fault proxy: cannot listen on " + listenHost + ":" +
                             std::to_string(listenPort) + ": " + ec.message());
  d.boundPort = d.acceptor.local_endpoint().port();
  d.accept();
  d.thread = std::thread([&d] { d.io.run(); });
}

FaultProxy::~FaultProxy() {
  stop();
}

std::uint16_t FaultProxy::port() const {
  return impl_->boundPort;
}

void FaultProxy::setTarget(const std::string& targetHost, std::uint16_t targetPort) {
  asio::io_context io;
  error_code ec;
  auto found = tcp::resolver(io).resolve(targetHost, std::to_string(targetPort), ec);
  if (ec || found.empty())
    throw std::runtime_error("fault proxy: cannot resolve the new target " + targetHost + ":" +
                             std::to_string(targetPort) + ": " + ec.message());
  std::lock_guard lock(impl_->targetMutex);
  impl_->target = found.begin()->endpoint();
}

void FaultProxy::passThrough() {
  setRandom(0, FaultMix{});
}

void FaultProxy::setRefuse() {
  FaultMix m;
  m.refuse = 1;
  setRandom(0, m);
}

void FaultProxy::setBlackhole() {
  FaultMix m;
  m.blackhole = 1;
  setRandom(0, m);
}

void FaultProxy::setResetAfter(std::uint64_t clientBytes) {
  FaultMix m;
  m.reset = 1;
  m.resetAfter = {clientBytes, clientBytes};
  setRandom(0, m);
}

void FaultProxy::setResponseResetAfter(std::uint64_t targetBytes) {
  FaultMix m;
  m.responseReset = 1;
  m.responseResetAfter = {targetBytes, targetBytes};
  setRandom(0, m);
}

void FaultProxy::setDelay(std::chrono::milliseconds perChunk) {
  FaultMix m;
  m.delay = perChunk.count() > 0 ? 1 : 0;
  m.delayBy = perChunk;
  setRandom(0, m);
}

void FaultProxy::setRandom(std::uint64_t seed, const FaultMix& mix) {
  checkProbability(mix.refuse, "refuse");
  checkProbability(mix.blackhole, "blackhole");
  checkProbability(mix.reset, "reset");
  checkProbability(mix.responseReset, "responseReset");
  checkProbability(mix.delay, "delay");
  checkRange(mix.resetAfter, "resetAfter");
  checkRange(mix.responseResetAfter, "responseResetAfter");
  if (mix.delayBy.count() < 0)
    throw std::invalid_argument("fault proxy: the delay is negative (" +
                                std::to_string(mix.delayBy.count()) + " ms); give 0 or more");
  std::lock_guard lock(impl_->mixMutex);
  impl_->mix = mix;
  impl_->rng.seed(seed);
}

FaultMix FaultProxy::mix() const {
  std::lock_guard lock(impl_->mixMutex);
  return impl_->mix;
}

FaultProxyCounters FaultProxy::counters() const {
  const auto& d = *impl_;
  FaultProxyCounters c;
  c.connections = d.connections;
  c.open = d.open;
  c.refused = d.refused;
  c.blackholed = d.blackholed;
  c.resets = d.resets;
  c.responseResets = d.responseResets;
  c.delayedChunks = d.delayedChunks;
  c.targetFailures = d.targetFailures;
  c.bytesToTarget = d.bytesToTarget;
  c.bytesToClient = d.bytesToClient;
  return c;
}

void FaultProxy::stop() {
  std::lock_guard lock(impl_->stopMutex);
  if (!impl_->thread.joinable()) return;
  auto* d = impl_.get();
  asio::post(d->io, [d] { d->closeAll(); });
  d->thread.join();
}

}  // namespace ijro::test
