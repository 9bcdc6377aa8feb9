// Load shedding and bounded work per connection: the connection cap, the handler queue's bound
// and deadline, the head check before the body, and the bounds on a connection's buffer and on
// chunk-size lines.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hub/http/client.hpp"
#include "hub/http/server.hpp"
#include "tests/unit/http/raw_socket.hpp"

namespace ijro::http {
namespace {

using namespace std::chrono_literals;
using test::RawConnection;
using Clock = std::chrono::steady_clock;

ServerOptions localOptions() {
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.threads = 2;
  return o;
}

class Running {
 public:
  Running(Handler handler, ServerOptions options)
      : server(std::move(options), std::move(handler)), thread([this] { server.run(false); }) {}
  ~Running() {
    server.stop();
    if (thread.joinable()) thread.join();
  }
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;
  std::uint16_t port() const { return server.port(); }
  Server server;
  std::thread thread;
};

// Polls `ok` until it holds or 5 s pass.
bool eventually(const std::function<bool()>& ok) {
  const auto end = Clock::now() + 5s;
  while (Clock::now() < end) {
    if (ok()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return ok();
}

// A gate the Handler waits at until the test opens it.
class Gate {
 public:
  void wait() {
    std::unique_lock lock(m_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  void open() {
    std::lock_guard lock(m_);
    open_ = true;
    cv_.notify_all();
  }
  int waiting() {
    std::lock_guard lock(m_);
    return waiting_;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool open_ = false;
  int waiting_ = 0;
};

std::string getRequest(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
}

TEST(Shedding, ConnectionsPastTheCapGet503WithRetryAfterAndAreClosed) {
  auto o = localOptions();
  o.maxConnections = 2;
  Running srv([](const Request&) { return Response{200, "text/plain", "ok", {}}; }, o);
  RawConnection a(srv.port()), b(srv.port());
  ASSERT_TRUE(eventually([&] { return srv.server.stats().openConnections.load() == 2; }));

  RawConnection c(srv.port());
  const auto answer = c.readAll(5s);
  EXPECT_TRUE(c.closed());
  EXPECT_NE(answer.find("HTTP/1.1 503"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Retry-After: 1"), std::string::npos) << answer;
  EXPECT_EQ(srv.server.stats().connectionsShed.load(), 1u);

  // The open ones are still served; once one closes, a new one is too.
  ASSERT_TRUE(a.send(getRequest("/a")));
  EXPECT_NE(a.readUntil("ok", 5s).find("200 OK"), std::string::npos);
}

TEST(Shedding, ConnectionsUnderTheCapAreServedAfterOthersClose) {
  auto o = localOptions();
  o.maxConnections = 1;
  Running srv([](const Request&) { return Response{200, "text/plain", "ok", {}}; }, o);
  {
    RawConnection a(srv.port());
    ASSERT_TRUE(eventually([&] { return srv.server.stats().openConnections.load() == 1; }));
  }
  ASSERT_TRUE(eventually([&] { return srv.server.stats().openConnections.load() == 0; }));
  EXPECT_EQ(request("127.0.0.1", srv.port(), "GET", "/", {}, {}, 5s).status, 200);
  EXPECT_EQ(srv.server.stats().connectionsShed.load(), 0u);
}

TEST(Shedding, RequestFindingTheHandlerQueueFullGets503AtOnce) {
  auto o = localOptions();
  o.handlerThreads = 1;
  o.handlerQueue = 1;
  o.queueTimeout = 60s;  // only the bound can answer within the test
  Gate gate;
  std::atomic<int> calls{0};
  Running srv(
      [&](const Request&) {
        ++calls;
        gate.wait();
        return Response{200, "text/plain", "done", {}};
      },
      o);
  RawConnection running(srv.port()), waiting(srv.port()), refused(srv.port());
  ASSERT_TRUE(running.send(getRequest("/1")));
  ASSERT_TRUE(eventually([&] { return gate.waiting() == 1; }));
  ASSERT_TRUE(waiting.send(getRequest("/2")));
  ASSERT_TRUE(eventually([&] { return srv.server.stats().queued.load() == 1; }));

  const auto start = Clock::now();
  ASSERT_TRUE(refused.send(getRequest("/3")));
  const auto answer = refused.readAll(5s);
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_NE(answer.find("HTTP/1.1 503"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Retry-After: 1"), std::string::npos) << answer;
  EXPECT_TRUE(refused.closed());
  EXPECT_EQ(srv.server.stats().requestsShed.load(), 1u);

  gate.open();
  EXPECT_NE(running.readUntil("done", 5s).find("200 OK"), std::string::npos);
  EXPECT_NE(waiting.readUntil("done", 5s).find("200 OK"), std::string::npos);
  EXPECT_EQ(calls.load(), 2);
}

TEST(Shedding, RequestThatCannotStartWithinTheDeadlineGets503AndIsNeverHandled) {
  auto o = localOptions();
  o.handlerThreads = 1;
  o.queueTimeout = 200ms;
  Gate gate;
  std::atomic<int> calls{0};
  Running srv(
      [&](const Request&) {
        ++calls;
        gate.wait();
        return Response{200, "text/plain", "done", {}};
      },
      o);
  RawConnection running(srv.port()), late(srv.port());
  ASSERT_TRUE(running.send(getRequest("/1")));
  ASSERT_TRUE(eventually([&] { return gate.waiting() == 1; }));
  const auto start = Clock::now();
  ASSERT_TRUE(late.send("POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
  const auto answer = late.readAll(5s);
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_NE(answer.find("HTTP/1.1 503"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Retry-After: 1"), std::string::npos) << answer;
  EXPECT_NE(answer.find("within 200 ms"), std::string::npos) << answer;

  gate.open();
  EXPECT_NE(running.readUntil("done", 5s).find("200 OK"), std::string::npos);
  ASSERT_TRUE(eventually([&] { return srv.server.stats().queued.load() == 0; }));
  EXPECT_EQ(calls.load(), 1);  // the shed request never reached the Handler
  EXPECT_EQ(srv.server.stats().requestsShed.load(), 1u);
}

// The head check: refuses without "Authorization", as the API does for a missing token.
ServerOptions checkedOptions(std::atomic<int>& checks) {
  auto o = localOptions();
  o.checkHead = [&checks](const Request& head) -> std::optional<Response> {
    ++checks;
    if (head.header("authorization").empty())
      return Response{401, "text/plain", "no token\n", {{"WWW-Authenticate", "Bearer"}}};
    if (head.path != "/upload" || head.method != "POST")
      return Response{500, "text/plain", "the check saw the wrong head\n", {}};
    return std::nullopt;
  };
  return o;
}

TEST(HeadCheck, RefusalComesBeforeTheBodyIsSentAndTheConnectionCloses) {
  std::atomic<int> checks{0}, calls{0};
  Running srv(
      [&](const Request&) {
        ++calls;
        return Response{200, "text/plain", "stored", {}};
      },
      checkedOptions(checks));
  RawConnection c(srv.port());
  // A head announcing 4 MiB, and none of the body: the answer must not wait for it.
  ASSERT_TRUE(c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4194304\r\n\r\n"));
  const auto answer = c.readUntil("no token", 5s);
  EXPECT_NE(answer.find("HTTP/1.1 401"), std::string::npos) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  c.readAll(5s);
  EXPECT_TRUE(c.closed());
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(checks.load(), 1);
  EXPECT_EQ(srv.server.stats().refusedOnHead.load(), 1u);
}

TEST(HeadCheck, NoContinueIsSentToARefusedRequest) {
  std::atomic<int> checks{0};
  Running srv(
      [](const Request&) {
        return Response{200, "text/plain", "stored", {}};
      },
      checkedOptions(checks));
  RawConnection c(srv.port());
  ASSERT_TRUE(c.send(
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n"));
  const auto answer = c.readAll(5s);
  EXPECT_EQ(answer.find("100 Continue"), std::string::npos) << answer;
  EXPECT_EQ(answer.rfind("HTTP/1.1 401", 0), 0u) << answer;
  EXPECT_TRUE(c.closed());
}

TEST(HeadCheck, AdmittedRequestGetsContinueThenItsBodyReachesTheHandler) {
  std::atomic<int> checks{0};
  Running srv(
      [](const Request& r) {
        return Response{200, "text/plain", "got " + r.body, {}};
      },
      checkedOptions(checks));
  RawConnection c(srv.port());
  ASSERT_TRUE(
      c.send("POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nContent-Length: "
             "5\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_NE(c.readUntil("100 Continue\r\n\r\n", 5s).find("HTTP/1.1 100 Continue"),
            std::string::npos);
  ASSERT_TRUE(c.send("hello"));
  EXPECT_NE(c.readUntil("got hello", 5s).find("200 OK"), std::string::npos);
  // Kept alive: a refused request without a body keeps the connection too.
  ASSERT_TRUE(c.send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_NE(c.readUntil("no token", 5s).find("401"), std::string::npos);
  EXPECT_FALSE(c.closed());
  EXPECT_EQ(checks.load(), 2);
}

TEST(HeadCheck, ACheckThatThrowsIsA500) {
  auto o = localOptions();
  o.checkHead = [](const Request&) -> std::optional<Response> {
    throw std::runtime_error("the token table is gone");
  };
  Running srv([](const Request&) { return Response{200, "text/plain", "ok", {}}; }, o);
  const auto res = request("127.0.0.1", srv.port(), "GET", "/", {}, {}, 5s);
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body.find("token table"), std::string::npos) << res.body;  // in the log only
}

std::string chunkedHead() {
  return "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
}

TEST(BoundedBuffers, ChunkExtensionOverTheLimitIs400) {
  auto o = localOptions();
  o.chunkLineLimit = 1024;
  std::atomic<int> calls{0};
  Running srv(
      [&](const Request&) {
        ++calls;
        return Response{200, "text/plain", "ok", {}};
      },
      o);
  RawConnection c(srv.port());
  ASSERT_TRUE(c.send(chunkedHead() + "5;ext=" + std::string(2000, 'a') + "\r\nhello\r\n0\r\n\r\n"));
  const auto answer = c.readAll(5s);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
  EXPECT_NE(answer.find("chunk-size line"), std::string::npos) << answer;
  EXPECT_TRUE(c.closed());
  EXPECT_EQ(calls.load(), 0);

  // Within the limit an extension is fine.
  RawConnection d(srv.port());
  ASSERT_TRUE(d.send(chunkedHead() + "5;ext=" + std::string(500, 'a') + "\r\nhello\r\n0\r\n\r\n"));
  EXPECT_NE(d.readUntil("ok", 5s).find("200 OK"), std::string::npos);
}

TEST(BoundedBuffers, ChunkLineWithoutAnEndIsRefusedOnceTheBufferIsFull) {
  auto o = localOptions();
  o.maxBuffer = 64u << 10;
  o.bodyLimit = 64u << 20;  // not the body limit: the line never ends, no chunk is ever read
  o.readTimeout = 60s;      // nor the read timeout
  Running srv([](const Request&) { return Response{200, "text/plain", "ok", {}}; }, o);
  RawConnection c(srv.port());
  ASSERT_TRUE(c.send(chunkedHead() + "5;x="));
  // Up to 4 MiB of one line; the server refuses long before and drains the rest.
  const std::string block(64u << 10, 'a');
  const auto start = Clock::now();
  for (int i = 0; i < 64; ++i)
    if (!c.send(block)) break;
  const auto answer = c.readAll(10s);
  EXPECT_LT(Clock::now() - start, 15s);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer.substr(0, 200);
  EXPECT_NE(answer.find("chunk-size line"), std::string::npos) << answer.substr(0, 300);
  EXPECT_TRUE(c.closed());
}

}  // namespace
}  // namespace ijro::http
