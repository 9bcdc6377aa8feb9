// The fault proxy between a client and a server on loopback: pass-through is byte-transparent,
// and each fault does to the client and to the server what it claims; the counters count it.
#include "tests/support/fault_proxy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "hub/http/client.hpp"
#include "hub/http/server.hpp"
#include "tests/support/wait.hpp"

namespace ijro::test {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr const char* kHost = "127.0.0.1";

// An HTTP server echoing each request's body, counting the requests its handler saw.
class EchoHttp {
 public:
  EchoHttp()
      : server(options(),
               [this](const http::Request& r) {
                 ++handled;
                 http::Response resp;
                 resp.contentType = "application/octet-stream";
                 resp.body = r.body;
                 return resp;
               }),
        thread([this] { server.run(false); }) {}
  ~EchoHttp() {
    server.stop();
    thread.join();
  }
  std::uint16_t port() const { return server.port(); }

  std::atomic<int> handled{0};
  http::Server server;
  std::thread thread;

 private:
  static http::ServerOptions options() {
    http::ServerOptions o;
    o.host = kHost;
    o.threads = 1;
    o.handlerThreads = 1;
    return o;
  }
};

// A raw TCP peer that accepts one connection and reads it to the end, echoing each chunk when
// `echo`. Records how many bytes arrived and how the stream ended.
class RawPeer {
 public:
  explicit RawPeer(bool echo) : acceptor_(io_, tcp::endpoint(asio::ip::make_address(kHost), 0)) {
    thread_ = std::thread([this, echo] { serve(echo); });
  }
  ~RawPeer() {
    // Unblocks accept() if no connection came: a connection of our own, closed at once.
    boost::system::error_code ignored;
    tcp::socket wake(io_);
    wake.connect(tcp::endpoint(asio::ip::make_address(kHost), port()), ignored);
    wake.close(ignored);
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  std::atomic<std::uint64_t> received{0};
  std::atomic<bool> ended{false};
  std::atomic<bool> endedByReset{false};

 private:
  void serve(bool echo) {
    boost::system::error_code ec;
    tcp::socket s = acceptor_.accept(ec);
    if (ec) return;
    std::vector<char> buf(8192);
    for (;;) {
      const std::size_t n = s.read_some(asio::buffer(buf), ec);
      if (ec) {
        endedByReset = ec == asio::error::connection_reset;
        break;
      }
      received += n;
      if (echo) asio::write(s, asio::buffer(buf.data(), n), ec);
    }
    if (ec == asio::error::eof) s.shutdown(tcp::socket::shutdown_send, ec);
    ended = true;
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

std::string binaryBytes(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen() & 0xff);
  return s;
}

http::Response post(std::uint16_t port, const std::string& body,
                    std::chrono::milliseconds timeout = 10'000ms) {
  return http::request(kHost, port, "POST", "/echo", body,
                       {{"Content-Type", "application/octet-stream"}}, timeout);
}

// A port on which nothing listens: bound once, then released.
std::uint16_t deadPort() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address(kHost), 0));
  return a.local_endpoint().port();
}

TEST(FaultProxy, PassThroughCarriesAnHttpRequestAndItsAnswerUnchanged) {
  EchoHttp server;
  FaultProxy proxy(kHost, server.port());
  const std::string body = binaryBytes(1u << 20, 1);
  const auto r = post(proxy.port(), body);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body == body) << "the echoed body differs from the one sent";
  EXPECT_EQ(server.handled.load(), 1);
  const auto c = proxy.counters();
  EXPECT_EQ(c.connections, 1u);
  EXPECT_GT(c.bytesToTarget, body.size());  // body plus request head
  EXPECT_GT(c.bytesToClient, body.size());  // body plus response head
  EXPECT_EQ(c.refused + c.blackholed + c.resets + c.responseResets + c.delayedChunks, 0u);
}

TEST(FaultProxy, PassThroughIsByteTransparentAndCountsEveryByteEachWay) {
  RawPeer peer(/*echo=*/true);
  FaultProxy proxy(kHost, peer.port());
  const std::string sent = binaryBytes(300'000, 2);

  asio::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::make_address(kHost), proxy.port()));
  // Write from a second thread while reading here, so neither side's buffers fill up.
  std::thread writer([&] {
    asio::write(s, asio::buffer(sent));
    s.shutdown(tcp::socket::shutdown_send);
  });
  std::string back;
  boost::system::error_code ec;
  asio::read(s, asio::dynamic_buffer(back), ec);
  writer.join();
  EXPECT_EQ(ec, asio::error::eof);  // the target's half-close reached the client
  EXPECT_TRUE(back == sent) << "got " << back.size() << " bytes back of " << sent.size();
  ASSERT_TRUE(waitFor([&] { return proxy.counters().open == 0; }, 10s));
  const auto c = proxy.counters();
  EXPECT_EQ(c.connections, 1u);
  EXPECT_EQ(c.bytesToTarget, sent.size());
  EXPECT_EQ(c.bytesToClient, sent.size());
  EXPECT_EQ(peer.received.load(), sent.size());
}

TEST(FaultProxy, ConcurrentConnectionsEachGetTheirOwnAnswer) {
  EchoHttp server;
  FaultProxy proxy(kHost, server.port());
  constexpr int kClients = 8;
  std::vector<std::string> answers(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i)
    clients.emplace_back([&, i] {
      try {
        answers[static_cast<std::size_t>(i)] =
            post(proxy.port(), binaryBytes(50'000, 100u + static_cast<unsigned>(i))).body;
      } catch (const std::exception& e) {
        answers[static_cast<std::size_t>(i)] = std::string("error: ") + e.what();
      }
    });
  for (auto& t : clients) t.join();
  for (int i = 0; i < kClients; ++i)
    EXPECT_TRUE(answers[static_cast<std::size_t>(i)] ==
                binaryBytes(50'000, 100u + static_cast<unsigned>(i)))
        << "client " << i
        << " got another answer: " << answers[static_cast<std::size_t>(i)].substr(0, 80);
  EXPECT_EQ(proxy.counters().connections, static_cast<std::uint64_t>(kClients));
}

TEST(FaultProxy, RefusedConnectionGivesTheClientAnErrorAndNeverReachesTheTarget) {
  EchoHttp server;
  FaultProxy proxy(kHost, server.port());
  proxy.setRefuse();
  try {
    post(proxy.port(), "hello");
    FAIL() << "a refused connection returned a response";
  } catch (const http::ClientError& e) {
    EXPECT_FALSE(e.timedOut()) << e.what();
  }
  const auto c = proxy.counters();
  EXPECT_EQ(c.connections, 1u);
  EXPECT_EQ(c.refused, 1u);
  EXPECT_EQ(c.bytesToTarget, 0u);
  EXPECT_EQ(server.server.stats().connections.load(), 0u);
}

TEST(FaultProxy, ResetAfterNClientBytesForwardsExactlyNBytesThenResetsBothSides) {
  RawPeer peer(/*echo=*/false);
  FaultProxy proxy(kHost, peer.port());
  proxy.setResetAfter(100);

  asio::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::make_address(kHost), proxy.port()));
  asio::write(s, asio::buffer(binaryBytes(1000, 3)));
  std::string back;
  boost::system::error_code ec;
  asio::read(s, asio::dynamic_buffer(back), ec);
  EXPECT_EQ(ec, asio::error::connection_reset) << ec.message();
  EXPECT_TRUE(back.empty());

  ASSERT_TRUE(waitFor([&] { return peer.ended.load(); }, 10s));
  EXPECT_EQ(peer.received.load(), 100u);
  EXPECT_TRUE(peer.endedByReset.load()) << "the target saw an orderly close, not a reset";
  const auto c = proxy.counters();
  EXPECT_EQ(c.resets, 1u);
  EXPECT_EQ(c.bytesToTarget, 100u);
  EXPECT_EQ(c.open, 0u);
}

TEST(FaultProxy, MidRequestResetKeepsTheRequestFromTheServerAndFailsTheClient) {
  EchoHttp server;
  FaultProxy proxy(kHost, server.port());
  proxy.setResetAfter(40);  // inside the request head
  EXPECT_THROW(post(proxy.port(), std::string(5000, 'x')), http::ClientError);
  ASSERT_TRUE(waitFor([&] { return proxy.counters().open == 0; }, 10s));
  EXPECT_EQ(proxy.counters().resets, 1u);
  EXPECT_EQ(server.handled.load(), 0);
}

TEST(FaultProxy, ResponseResetLetsTheServerHandleTheRequestButTheClientGetsAnError) {
  EchoHttp server;
  FaultProxy proxy(kHost, server.port());
  proxy.setResponseResetAfter(10);
  try {
    post(proxy.port(), "did it commit?");
    FAIL() << "a reset response was returned as complete";
  } catch (const http::ClientError& e) {
    EXPECT_FALSE(e.timedOut()) << e.what();
  }
  EXPECT_EQ(server.handled.load(), 1);  // the request reached the handler
  const auto c = proxy.counters();
  EXPECT_EQ(c.responseResets, 1u);
  EXPECT_EQ(c.resets, 0u);
  EXPECT_EQ(c.bytesToClient, 10u);
}

TEST(FaultProxy, DelayHoldsEachChunkBackSoARequestAndItsAnswerTakeTwiceTheDelay) {
  EchoHttp server;
  FaultProxy proxy(kHost, server.port());
  constexpr auto kDelay = 150ms;
  proxy.setDelay(kDelay);
  const auto start = Clock::now();
  const auto r = post(proxy.port(), "slowly");
  const auto elapsed = Clock::now() - start;
  EXPECT_EQ(r.body, "slowly");
  // The request's chunk waits before it reaches the server, the answer's before it reaches
  // the client, and the answer cannot leave before the request has arrived.
  EXPECT_GE(elapsed, 2 * kDelay)
      << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms";
  EXPECT_GE(proxy.counters().delayedChunks, 2u);
}

TEST(FaultProxy, BlackholeMakesTheClientTimeOutAndNeverReachesTheTarget) {
  EchoHttp server;
  FaultProxy proxy(kHost, server.port());
  proxy.setBlackhole();
  try {
    post(proxy.port(), "anyone?", 300ms);
    FAIL() << "a black-holed request got a response";
  } catch (const http::ClientError& e) {
    EXPECT_TRUE(e.timedOut()) << e.what();
  }
  const auto c = proxy.counters();
  EXPECT_EQ(c.blackholed, 1u);
  EXPECT_EQ(c.bytesToTarget, 0u);
  EXPECT_EQ(server.server.stats().connections.load(), 0u);
}

TEST(FaultProxy, FaultsSetFromAnotherThreadApplyToTheNextConnection) {
  EchoHttp server;
  FaultProxy proxy(kHost, server.port());
  std::thread([&] { proxy.setRefuse(); }).join();
  EXPECT_THROW(post(proxy.port(), "one"), http::ClientError);
  std::thread([&] { proxy.passThrough(); }).join();
  EXPECT_EQ(post(proxy.port(), "two").body, "two");
  const auto c = proxy.counters();
  EXPECT_EQ(c.connections, 2u);
  EXPECT_EQ(c.refused, 1u);
  EXPECT_EQ(server.handled.load(), 1);
}

// The outcome (true: answered) of `n` sequential requests through a proxy with the mix.
std::vector<bool> outcomes(std::uint16_t target, std::uint64_t seed, const FaultMix& mix, int n,
                           FaultProxyCounters& counters) {
  FaultProxy proxy(kHost, target);
  proxy.setRandom(seed, mix);
  std::vector<bool> out;
  for (int i = 0; i < n; ++i) {
    try {
      out.push_back(post(proxy.port(), "x").body == "x");
    } catch (const http::ClientError&) {
      out.push_back(false);
    }
  }
  counters = proxy.counters();
  return out;
}

TEST(FaultProxy, SeededMixRepeatsItsFaultsForTheSameSeedAndCountsEach) {
  EchoHttp server;
  FaultMix mix;
  mix.refuse = 0.3;
  mix.responseReset = 0.3;
  mix.responseResetAfter = {0, 20};
  FaultProxyCounters a, b;
  const auto first = outcomes(server.port(), 42, mix, 30, a);
  const auto second = outcomes(server.port(), 42, mix, 30, b);
  EXPECT_EQ(first, second);
  const auto failed = static_cast<std::uint64_t>(std::count(first.begin(), first.end(), false));
  EXPECT_GT(failed, 0u);
  EXPECT_LT(failed, 30u);
  EXPECT_EQ(a.refused + a.responseResets, failed);
  EXPECT_EQ(a.connections, 30u);
  EXPECT_GT(a.refused, 0u);
  EXPECT_GT(a.responseResets, 0u);
  EXPECT_EQ(b.refused, a.refused);
}

TEST(FaultProxy, SetRandomRefusesAProbabilityOutsideZeroToOneOrAnInvertedRange) {
  EchoHttp server;
  FaultProxy proxy(kHost, server.port());
  FaultMix bad;
  bad.reset = 1.5;
  try {
    proxy.setRandom(1, bad);
    FAIL() << "a probability of 1.5 was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'reset'"), std::string::npos) << e.what();
  }
  FaultMix inverted;
  inverted.responseResetAfter = {10, 5};
  EXPECT_THROW(proxy.setRandom(1, inverted), std::invalid_argument);
  // The mix in force is unchanged by a refused one.
  EXPECT_EQ(proxy.mix().reset, 0.0);
  EXPECT_EQ(post(proxy.port(), "still fine").body, "still fine");
}

TEST(FaultProxy, UnreachableTargetResetsTheClientAndCountsTheFailure) {
  FaultProxy proxy(kHost, deadPort());
  EXPECT_THROW(post(proxy.port(), "nobody home"), http::ClientError);
  ASSERT_TRUE(waitFor([&] { return proxy.counters().targetFailures == 1; }, 10s));
  EXPECT_EQ(proxy.counters().bytesToTarget, 0u);
}

TEST(FaultProxy, SetTargetSendsLaterConnectionsToTheNewTargetOnly) {
  EchoHttp first, second;
  FaultProxy proxy(kHost, first.port());
  EXPECT_EQ(post(proxy.port(), "to the first").body, "to the first");
  proxy.setTarget(kHost, second.port());
  EXPECT_EQ(post(proxy.port(), "to the second").body, "to the second");
  EXPECT_EQ(first.handled.load(), 1);
  EXPECT_EQ(second.handled.load(), 1);
  EXPECT_THROW(proxy.setTarget("no-such-host.invalid", 1), std::runtime_error);
  EXPECT_EQ(post(proxy.port(), "still the second").body, "still the second");
  EXPECT_EQ(second.handled.load(), 2);
}

TEST(FaultProxy, StopClosesOpenConnectionsAndReturns) {
  EchoHttp server;
  FaultProxy proxy(kHost, server.port());
  proxy.setBlackhole();
  asio::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::make_address(kHost), proxy.port()));
  asio::write(s, asio::buffer(std::string("held")));
  ASSERT_TRUE(waitFor([&] { return proxy.counters().blackholed == 1; }, 10s));
  EXPECT_EQ(proxy.counters().open, 1u);
  proxy.stop();
  EXPECT_EQ(proxy.counters().open, 0u);
  std::string back;
  boost::system::error_code ec;
  asio::read(s, asio::dynamic_buffer(back), ec);  // returns at once: the proxy closed its side
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  proxy.stop();  // a second stop is harmless
}

}  // namespace
}  // namespace ijro::test
