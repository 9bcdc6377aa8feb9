#include "hub/http/server.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <unistd.h>

#include "hub/http/client.hpp"
#include "tests/unit/http/raw_socket.hpp"

namespace ijro::http {
namespace {

using namespace std::chrono_literals;
using test::RawConnection;
using Clock = std::chrono::steady_clock;

constexpr const char* kHost = "127.0.0.1";

ServerOptions localOptions() {
  ServerOptions o;
  o.host = kHost;
  o.port = 0;
  o.threads = 2;
  return o;
}

// A Server running on a background thread for the duration of a test.
class Running {
 public:
  explicit Running(Handler handler, ServerOptions options = localOptions(), bool signals = false)
      : server(std::move(options), std::move(handler)),
        thread([this, signals] { server.run(signals); }) {}
  ~Running() { stop(); }
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;

  // Stops the server and waits for run() to return.
  void stop() {
    server.stop();
    join();
  }
  void join() {
    if (thread.joinable()) thread.join();
  }
  std::uint16_t port() const { return server.port(); }

  Server server;
  std::thread thread;
};

std::string header(const Response& r, const std::string& lowerName) {
  for (const auto& [name, value] : r.headers)
    if (name == lowerName) return value;
  return {};
}

bool hasHeader(const Response& r, const std::string& lowerName) {
  for (const auto& [name, value] : r.headers)
    if (name == lowerName) return true;
  return false;
}

Response get(std::uint16_t port, const std::string& target) {
  return request(kHost, port, "GET", target, {}, {}, 5s);
}

Handler echoPath() {
  return [](const Request& r) { return Response{200, "text/plain", r.path, {}}; };
}

// Server-side bookkeeping may lag a moment behind what the client sees (a closed socket).
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 2s) {
  const auto deadline = Clock::now() + limit;
  while (!pred()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// A Handler holds at wait() until the test opens the gate: it is busy for exactly as long as the
// test needs. The wait is bounded (10 s) so that a failed test does not hold the server's drain.
class Gate {
 public:
  void wait() {
    std::unique_lock lock(m_);
    cv_.wait_for(lock, 10s, [&] { return open_; });
  }
  void open() {
    std::lock_guard lock(m_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Sends the head of a request whose body never comes, and waits until the server says it reads
// the body (100 Continue): from then on the connection is in the middle of a request.
void startStuckRequest(RawConnection& c) {
  ASSERT_TRUE(
      c.send("POST /never-finished HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
             "Content-Length: 10\r\n\r\n"));
  ASSERT_NE(c.readUntil("100 Continue", 5s).find("HTTP/1.1 100 Continue"), std::string::npos);
}

long msSince(Clock::time_point t) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

// ---------------------------------------------------------------------------------- basics

TEST(HttpServer, PortZeroGivesARealPort) {
  Server server(localOptions(), echoPath());
  EXPECT_NE(server.port(), 0);
  EXPECT_TRUE(test::canConnect(server.port()));  // listening from construction on
}

TEST(HttpServer, ListenFailureThrows) {
  Server first(localOptions(), echoPath());
  auto o = localOptions();
  o.port = first.port();
  EXPECT_THROW(Server(o, echoPath()).port(), std::runtime_error);
  o.port = 0;
  o.host = "no-such-host.invalid";
  EXPECT_THROW(Server(o, echoPath()).port(), std::runtime_error);
}

TEST(HttpServer, GetRoundTrip) {
  Running srv([](const Request& r) {
    Response res{200, "application/json", R"({"path":")" + r.path + R"("})", {}};
    res.headers.emplace_back("X-Test", "yes");
    res.headers.emplace_back("Cache-Control", "no-store");
    return res;
  });
  const auto res = get(srv.port(), "/api/v1/health");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.contentType, "application/json");
  EXPECT_EQ(res.body, R"({"path":"/api/v1/health"})");
  EXPECT_EQ(header(res, "server"), "ijro-hub");
  EXPECT_NE(header(res, "date").find(" GMT"), std::string::npos) << header(res, "date");
  EXPECT_EQ(header(res, "x-test"), "yes");
  EXPECT_EQ(header(res, "cache-control"), "no-store");
  EXPECT_EQ(header(res, "content-length"), std::to_string(res.body.size()));
  EXPECT_EQ(srv.server.stats().requests.load(), 1u);
  EXPECT_EQ(srv.server.stats().connections.load(), 1u);
}

TEST(HttpServer, PostRoundTripWithHeaders) {
  std::mutex m;
  Request seen;
  Running srv([&](const Request& r) {
    std::lock_guard lock(m);
    seen = r;
    return Response{201, "text/plain; charset=utf-8", "got " + r.body, {}};
  });
  const std::string body =
      "<report>\xD0\xA2\xD0\xBE\xD1\x88\xD0\xBA\xD0\xB5\xD0\xBD\xD1\x82</report>";
  const auto res =
      request(kHost, srv.port(), "POST", "/api/v1/reports", body,
              {{"Content-Type", "application/xml"}, {"X-Source-ID", "tashkent-1"}}, 5s);
  EXPECT_EQ(res.status, 201);
  EXPECT_EQ(res.body, "got " + body);
  std::lock_guard lock(m);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/api/v1/reports");
  EXPECT_EQ(seen.body, body);
  EXPECT_EQ(seen.header("content-type"), "application/xml");
  EXPECT_EQ(seen.header("x-source-id"), "tashkent-1");
  EXPECT_EQ(seen.header("content-length"), std::to_string(body.size()));
  EXPECT_EQ(seen.headers.count("X-Source-ID"), 0u);  // names are lower-case
  EXPECT_EQ(seen.remote.rfind("127.0.0.1:", 0), 0u) << seen.remote;
}

TEST(HttpServer, QueryAndPathAreDecoded) {
  std::mutex m;
  Request seen;
  Running srv([&](const Request& r) {
    std::lock_guard lock(m);
    seen = r;
    return Response{};
  });
  const std::string target =
      "/api/v1/m%C3%A9sures/a%20b?region=1703&name=Tosh+kent&city=%D0%A2%D0%BE%D1%88"
      "&region=1704&empty=&flag&pct=100%25&raw=50%";
  ASSERT_EQ(get(srv.port(), target).status, 200);
  std::lock_guard lock(m);
  EXPECT_EQ(seen.target, target);
  EXPECT_EQ(seen.path, "/api/v1/m\xC3\xA9sures/a b");
  auto [b, e] = seen.query.equal_range("region");
  ASSERT_EQ(std::distance(b, e), 2);
  EXPECT_EQ(b->second, "1703");
  EXPECT_EQ(std::next(b)->second, "1704");
  EXPECT_EQ(seen.query.find("name")->second, "Tosh kent");
  EXPECT_EQ(seen.query.find("city")->second, "\xD0\xA2\xD0\xBE\xD1\x88");
  EXPECT_EQ(seen.query.find("empty")->second, "");
  EXPECT_EQ(seen.query.find("flag")->second, "");
  EXPECT_EQ(seen.query.find("pct")->second, "100%");
  EXPECT_EQ(seen.query.find("raw")->second, "50%");
}

TEST(HttpServer, HeadGetsLengthButNoBody) {
  Running srv([](const Request&) { return Response{200, "text/plain", "hello world", {}}; });
  const auto res = request(kHost, srv.port(), "HEAD", "/", {}, {}, 5s);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(header(res, "content-length"), "11");
  EXPECT_EQ(res.body, "");
}

// A body from a file goes out whole and in chunks; a spooled copy is removed once opened; a file
// that is gone is a 500, and the connection keeps serving.
TEST(HttpServer, ABodyFromAFileIsSentWholeAndASpooledOneIsRemoved) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("ijro-body-file-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string content(3 * 1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>((i * 7919) % 251);
  const auto kept = dir / "kept.bin", spooled = dir / "spooled.bin";
  for (const auto& p : {kept, spooled}) std::ofstream(p, std::ios::binary) << content;
  Running srv([&](const Request& r) {
    Response res{200, "application/pdf", "not this", {}};
    res.bodyFile = (r.path == "/kept"      ? kept
                    : r.path == "/spooled" ? spooled
                                           : dir / "gone")
                       .string();
    res.removeBodyFile = r.path == "/spooled";
    return res;
  });
  auto res = get(srv.port(), "/kept");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.contentType, "application/pdf");
  EXPECT_EQ(header(res, "content-length"), std::to_string(content.size()));
  EXPECT_TRUE(res.body == content) << "a body of " << res.body.size() << " bytes";
  EXPECT_TRUE(std::filesystem::exists(kept));
  const auto head = request(kHost, srv.port(), "HEAD", "/kept", {}, {}, 5s);
  EXPECT_EQ(header(head, "content-length"), std::to_string(content.size()));
  EXPECT_EQ(head.body, "");

  res = get(srv.port(), "/spooled");
  EXPECT_TRUE(res.body == content);
  EXPECT_FALSE(std::filesystem::exists(spooled));

  res = get(srv.port(), "/gone");
  EXPECT_EQ(res.status, 500);
  EXPECT_NE(res.body.find("cannot open the body file"), std::string::npos) << res.body;
  EXPECT_EQ(get(srv.port(), "/kept").status, 200);
  std::filesystem::remove_all(dir);
}

TEST(HttpServer, NoContentHasNoBodyOrLength) {
  Running srv([](const Request&) { return Response{204, "", "ignored", {}}; });
  const auto res = request(kHost, srv.port(), "DELETE", "/x", {}, {}, 5s);
  EXPECT_EQ(res.status, 204);
  EXPECT_EQ(res.body, "");
  EXPECT_FALSE(hasHeader(res, "content-length"));
  EXPECT_FALSE(hasHeader(res, "content-type"));
}

TEST(HttpServer, KeepAliveAndPipelining) {
  Running srv(echoPath());
  RawConnection c(srv.port());
  ASSERT_TRUE(
      c.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
             "GET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const auto got = c.readAll(5s);
  EXPECT_TRUE(c.closed());
  const auto one = got.find("\r\n\r\n/one");
  const auto two = got.find("\r\n\r\n/two");
  ASSERT_NE(one, std::string::npos) << got;
  ASSERT_NE(two, std::string::npos) << got;
  EXPECT_LT(one, two);
  EXPECT_NE(got.find("Connection: close"), std::string::npos) << got;
  EXPECT_EQ(srv.server.stats().connections.load(), 1u);
  EXPECT_EQ(srv.server.stats().requests.load(), 2u);
}

TEST(HttpServer, Http10ClosesAfterResponse) {
  Running srv(echoPath());
  RawConnection c(srv.port());
  ASSERT_TRUE(c.send("GET /old HTTP/1.0\r\n\r\n"));
  const auto got = c.readAll(5s);
  EXPECT_TRUE(c.closed());
  EXPECT_EQ(got.rfind("HTTP/1.0 200", 0), 0u) << got;
  EXPECT_NE(got.find("\r\n\r\n/old"), std::string::npos) << got;
}

TEST(HttpServer, Expect100Continue) {
  Running srv([](const Request& r) { return Response{200, "text/plain", "echo:" + r.body, {}}; });
  RawConnection c(srv.port());
  ASSERT_TRUE(
      c.send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
             "Expect: 100-continue\r\nConnection: close\r\n\r\n"));
  const auto interim = c.readUntil("\r\n\r\n", 5s);
  ASSERT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(c.send("hello"));
  const auto got = c.readAll(5s);
  EXPECT_NE(got.find("HTTP/1.1 200 OK"), std::string::npos) << got;
  EXPECT_NE(got.find("echo:hello"), std::string::npos) << got;
}

// ------------------------------------------------------------------------------- rejections

TEST(HttpServer, BodyOverLimitIs413AndHandlerNotCalled) {
  std::atomic<int> calls{0};
  auto o = localOptions();
  o.bodyLimit = 1000;
  Running srv(
      [&](const Request& r) {
        ++calls;
        return Response{200, "text/plain", std::to_string(r.body.size()), {}};
      },
      o);
  const auto res = request(kHost, srv.port(), "POST", "/api/v1/reports", std::string(2000, 'x'),
                           {{"Content-Type", "application/xml"}}, 5s);
  EXPECT_EQ(res.status, 413);
  EXPECT_NE(res.body.find("1000 bytes"), std::string::npos) << res.body;
  EXPECT_NE(res.body.find("limit"), std::string::npos) << res.body;
  EXPECT_EQ(header(res, "connection"), "close");
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(srv.server.stats().rejected.load(), 1u);

  // exactly at the limit is fine, and the server keeps serving
  const auto ok = request(kHost, srv.port(), "POST", "/", std::string(1000, 'y'), {}, 5s);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "1000");
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServer, HugeBodyGets413NotAReset) {
  // The server answers after the head; the client is still sending megabytes. The response
  // must survive (no RST from closing with unread data).
  std::atomic<int> calls{0};
  auto o = localOptions();
  o.bodyLimit = 1000;
  Running srv(
      [&](const Request&) {
        ++calls;
        return Response{};
      },
      o);
  const auto res = request(kHost, srv.port(), "PUT", "/big", std::string(8u << 20, 'z'), {}, 10s);
  EXPECT_EQ(res.status, 413);
  EXPECT_EQ(calls.load(), 0);
}

TEST(HttpServer, ChunkedBodyOverLimitIs413) {
  std::atomic<int> calls{0};
  auto o = localOptions();
  o.bodyLimit = 1000;
  Running srv(
      [&](const Request&) {
        ++calls;
        return Response{};
      },
      o);
  RawConnection c(srv.port());
  const std::string chunk(800, 'c');
  ASSERT_TRUE(
      c.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             "320\r\n" +
             chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n"));
  const auto got = c.readAll(5s);
  EXPECT_EQ(got.rfind("HTTP/1.1 413", 0), 0u) << got;
  EXPECT_TRUE(c.closed());
  EXPECT_EQ(calls.load(), 0);
}

TEST(HttpServer, MalformedRequestIs400) {
  std::atomic<int> calls{0};
  Running srv([&](const Request&) {
    ++calls;
    return Response{};
  });
  for (const std::string bytes :
       {"this is not http\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
        "GET relative/path HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    RawConnection c(srv.port());
    ASSERT_TRUE(c.send(bytes));
    const auto got = c.readAll(5s);
    EXPECT_EQ(got.rfind("HTTP/1.1 400 Bad Request", 0), 0u) << bytes << " -> " << got;
    EXPECT_NE(got.find("malformed"), std::string::npos) << got;
    EXPECT_TRUE(c.closed()) << bytes;
  }
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(srv.server.stats().rejected.load(), 4u);
  EXPECT_EQ(get(srv.port(), "/still-up").status, 200);
}

TEST(HttpServer, OversizedHeadIs431) {
  auto o = localOptions();
  o.headerLimit = 1024;
  Running srv(echoPath(), o);
  RawConnection c(srv.port());
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'b') + "\r\n\r\n"));
  const auto got = c.readAll(5s);
  EXPECT_EQ(got.rfind("HTTP/1.1 431", 0), 0u) << got;
  EXPECT_NE(got.find("1024 bytes"), std::string::npos) << got;
}

// ------------------------------------------------------------------------------ handler errors

// The client gets a 500 with an id and none of the exception's words (they may hold paths, SQL or
// a driver's message); the log has the words under the same id.
TEST(HttpServer, HandlerExceptionIs500WithAnErrorIdOnlyAndServerKeepsServing) {
  auto captured = std::make_shared<std::ostringstream>();
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*captured);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  struct Restore {
    std::shared_ptr<spdlog::logger> logger;
    ~Restore() { spdlog::set_default_logger(logger); }
  } restore{previous};

  Running srv([](const Request& r) -> Response {
    if (r.path == "/throw") throw std::runtime_error("boom at /var/secret/path");
    if (r.path == "/throw-int") throw 42;
    return Response{200, "text/plain", "fine", {}};
  });
  const auto res = get(srv.port(), "/throw");
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.contentType, "text/plain; charset=utf-8");
  EXPECT_EQ(res.body.find("boom"), std::string::npos) << res.body;
  std::smatch id;
  ASSERT_TRUE(std::regex_search(res.body, id, std::regex("error id ([0-9a-f]{16})"))) << res.body;
  const auto other = get(srv.port(), "/throw-int");
  EXPECT_EQ(other.status, 500);
  EXPECT_NE(other.body.find("error id "), std::string::npos) << other.body;
  EXPECT_NE(other.body, res.body) << "each failure has its own id";
  const auto ok = get(srv.port(), "/ok");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "fine");
  EXPECT_EQ(srv.server.stats().handlerErrors.load(), 2u);
  EXPECT_EQ(srv.server.stats().requests.load(), 3u);
  spdlog::default_logger()->flush();
  EXPECT_NE(captured->str().find("(error id " + id[1].str() + "): boom at /var/secret/path"),
            std::string::npos)
      << captured->str();
}

TEST(HttpServer, InvalidResponseFromHandlerIs500) {
  Running srv([](const Request& r) {
    Response res{200, "text/plain", "x", {}};
    if (r.path == "/inject") res.headers.emplace_back("X-A", "1\r\nX-Injected: 1");
    if (r.path == "/status") res.status = 42;
    return res;
  });
  const auto inject = get(srv.port(), "/inject");
  EXPECT_EQ(inject.status, 500);
  EXPECT_FALSE(hasHeader(inject, "x-injected"));
  EXPECT_FALSE(hasHeader(inject, "x-a"));
  EXPECT_EQ(get(srv.port(), "/status").status, 500);
  EXPECT_EQ(srv.server.stats().handlerErrors.load(), 2u);
}

TEST(HttpServer, HandlerCannotBreakFraming) {
  Running srv([](const Request&) {
    Response res{200, "text/plain", "abc", {}};
    res.headers.emplace_back("Content-Length", "999");
    res.headers.emplace_back("Transfer-Encoding", "chunked");
    res.headers.emplace_back("Content-Type", "text/csv");
    return res;
  });
  const auto res = get(srv.port(), "/");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "abc");
  EXPECT_EQ(header(res, "content-length"), "3");
  EXPECT_EQ(res.contentType, "text/csv");
}

// ---------------------------------------------------------------------------------- timeouts

TEST(HttpServer, HeaderTimeoutClosesSlowloris) {
  std::atomic<int> calls{0};
  auto o = localOptions();
  o.headerTimeout = 200ms;
  Running srv(
      [&](const Request&) {
        ++calls;
        return Response{};
      },
      o);
  RawConnection c(srv.port());
  const auto start = Clock::now();
  ASSERT_TRUE(c.send("GET / HTTP/1.1\r\nHost: x\r\n"));
  // one more header line every 50 ms: each byte is "progress", but the head never completes
  for (int i = 0; i < 100 && !c.closed(); ++i) {
    c.send("X-Drip-" + std::to_string(i) + ": y\r\n");
    c.readAll(50ms);
  }
  const auto elapsed = msSince(start);
  EXPECT_TRUE(c.closed());
  EXPECT_GE(elapsed, 150);
  EXPECT_LT(elapsed, 2000);
  EXPECT_EQ(calls.load(), 0);
  EXPECT_TRUE(eventually([&] { return srv.server.stats().rejected.load() == 1u; }));
  EXPECT_EQ(get(srv.port(), "/").status, 200);  // others are unaffected
}

TEST(HttpServer, SilentConnectionClosedAfterHeaderTimeout) {
  auto o = localOptions();
  o.headerTimeout = 200ms;
  Running srv(echoPath(), o);
  RawConnection c(srv.port());
  const auto start = Clock::now();
  c.readAll(3s);
  EXPECT_TRUE(c.closed());
  EXPECT_GE(msSince(start), 150);
  EXPECT_LT(msSince(start), 2000);
}

TEST(HttpServer, ReadTimeoutClosesSlowBody) {
  std::atomic<int> calls{0};
  auto o = localOptions();
  o.headerTimeout = 5s;
  o.readTimeout = 300ms;
  Running srv(
      [&](const Request&) {
        ++calls;
        return Response{};
      },
      o);
  RawConnection c(srv.port());
  const auto start = Clock::now();
  ASSERT_TRUE(c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"));
  for (int i = 0; i < 100 && !c.closed(); ++i) {
    c.send("b");
    c.readAll(50ms);
  }
  EXPECT_TRUE(c.closed());
  EXPECT_GE(msSince(start), 250);
  EXPECT_LT(msSince(start), 2500);
  EXPECT_EQ(calls.load(), 0);
}

TEST(HttpServer, IdleKeepAliveConnectionClosedAfterIdleTimeout) {
  auto o = localOptions();
  o.idleTimeout = 200ms;
  Running srv(echoPath(), o);
  RawConnection c(srv.port());
  ASSERT_TRUE(c.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_NE(c.readUntil("/first", 5s).find("\r\n\r\n/first"), std::string::npos);
  const auto start = Clock::now();
  c.readAll(3s);
  EXPECT_TRUE(c.closed());
  EXPECT_GE(msSince(start), 150);
  EXPECT_LT(msSince(start), 2000);
}

// ------------------------------------------------------------------------------------- stop

TEST(HttpServer, GracefulStopFinishesInFlightRequest) {
  std::promise<void> entered;
  Gate release;
  auto o = localOptions();
  o.drainTimeout = 5s;
  Running srv(
      [&](const Request&) {
        entered.set_value();
        release.wait();
        return Response{200, "text/plain", "done", {}};
      },
      o);
  const auto port = srv.port();
  auto reply = std::async(std::launch::async, [port] { return get(port, "/slow"); });
  entered.get_future().wait();
  const auto start = Clock::now();
  srv.server.stop();
  srv.server.stop();  // idempotent
  // The server has taken the stop in (it refuses connections) while the Handler still runs.
  ASSERT_TRUE(eventually([&] { return !test::canConnect(port); }));
  release.open();
  const auto res = reply.get();
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "done");
  EXPECT_EQ(header(res, "connection"), "close");
  srv.join();  // run() returns once drained
  EXPECT_LT(msSince(start), 3000);
  EXPECT_FALSE(test::canConnect(port));  // no longer accepting
}

TEST(HttpServer, StopStopsAcceptingImmediately) {
  std::promise<void> entered;
  Gate release;
  Running srv([&](const Request&) {
    entered.set_value();
    release.wait();
    return Response{};
  });
  const auto port = srv.port();
  auto reply = std::async(std::launch::async, [port] { return get(port, "/slow"); });
  entered.get_future().wait();
  srv.server.stop();
  // while the slow request is still running, new connections are refused
  bool refused = false;
  for (int i = 0; i < 20 && !refused; ++i) {
    refused = !test::canConnect(port);
    if (!refused) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(refused);
  EXPECT_EQ(reply.wait_for(0ms), std::future_status::timeout);
  release.open();
  EXPECT_EQ(reply.get().status, 200);
}

TEST(HttpServer, StopClosesIdleKeepAliveConnections) {
  auto o = localOptions();
  o.idleTimeout = 60s;
  o.drainTimeout = 10s;
  Running srv(echoPath(), o);
  RawConnection c(srv.port());
  ASSERT_TRUE(c.send("GET /ka HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_NE(c.readUntil("/ka", 5s).find("\r\n\r\n/ka"), std::string::npos);
  const auto start = Clock::now();
  srv.stop();
  EXPECT_LT(msSince(start), 2000);  // not idleTimeout, not drainTimeout
  c.readAll(2s);
  EXPECT_TRUE(c.closed());
}

TEST(HttpServer, DrainTimeoutClosesStuckConnections) {
  auto o = localOptions();
  o.headerTimeout = 30s;
  o.readTimeout = 30s;
  o.drainTimeout = 200ms;
  Running srv(echoPath(), o);
  RawConnection c(srv.port());
  ASSERT_NO_FATAL_FAILURE(startStuckRequest(c));
  const auto start = Clock::now();
  srv.stop();
  const auto elapsed = msSince(start);
  EXPECT_GE(elapsed, 150);
  EXPECT_LT(elapsed, 3000);
  c.readAll(2s);
  EXPECT_TRUE(c.closed());
}

TEST(HttpServer, StopBeforeRunReturnsImmediately) {
  Server server(localOptions(), echoPath());
  server.stop();
  const auto start = Clock::now();
  server.run(false);
  EXPECT_LT(msSince(start), 1000);
  EXPECT_THROW(server.run(false), std::logic_error);
}

TEST(HttpServer, SigtermStopsRun) {
  Running srv(echoPath(), localOptions(), /*signals=*/true);
  // a served request proves run() is going, and it installs the signal set before serving
  ASSERT_EQ(get(srv.port(), "/").status, 200);
  const auto start = Clock::now();
  ASSERT_EQ(std::raise(SIGTERM), 0);
  srv.join();
  EXPECT_LT(msSince(start), 3000);
}

TEST(HttpServer, SecondSignalClosesStuckConnections) {
  auto o = localOptions();
  o.headerTimeout = 30s;
  o.readTimeout = 30s;
  o.drainTimeout = 30s;
  Running srv(echoPath(), o, /*signals=*/true);
  ASSERT_EQ(get(srv.port(), "/").status, 200);
  RawConnection c(srv.port());
  ASSERT_NO_FATAL_FAILURE(startStuckRequest(c));
  RawConnection idle(srv.port());  // kept alive between requests: the first signal closes it
  ASSERT_TRUE(idle.send("GET /idle HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_NE(idle.readUntil("/idle", 5s).find("\r\n\r\n/idle"), std::string::npos);
  const auto start = Clock::now();
  ASSERT_EQ(std::raise(SIGINT), 0);
  // The idle connection closing shows the server has acted on the first signal, on every
  // connection at once. The stuck one stays open: 100 ms is the window in which a close
  // would show (the drain itself lasts 30 s).
  idle.readAll(5s);
  ASSERT_TRUE(idle.closed());
  c.readAll(100ms);
  EXPECT_FALSE(c.closed());  // still draining
  ASSERT_EQ(std::raise(SIGINT), 0);
  srv.join();
  EXPECT_LT(msSince(start), 3000);
  c.readAll(2s);
  EXPECT_TRUE(c.closed());
}

// ------------------------------------------------------------------------------- concurrency

TEST(HttpServer, FiftyConcurrentClientsAllGetAnswers) {
  auto o = localOptions();
  o.threads = 4;
  Running srv(
      [](const Request& r) {
        std::this_thread::sleep_for(5ms);
        return Response{200, "text/plain", "n=" + r.query.find("n")->second, {}};
      },
      o);
  constexpr int kClients = 50;
  std::vector<std::thread> clients;
  clients.reserve(kClients);
  std::vector<std::string> bodies(kClients);
  std::vector<int> statuses(kClients, 0);
  std::atomic<int> failures{0};
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      try {
        const auto res = get(srv.port(), "/n?n=" + std::to_string(i));
        statuses[static_cast<std::size_t>(i)] = res.status;
        bodies[static_cast<std::size_t>(i)] = res.body;
      } catch (const std::exception&) {
        ++failures;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(failures.load(), 0);
  for (int i = 0; i < kClients; ++i) {
    EXPECT_EQ(statuses[static_cast<std::size_t>(i)], 200) << i;
    EXPECT_EQ(bodies[static_cast<std::size_t>(i)], "n=" + std::to_string(i)) << i;
  }
  EXPECT_EQ(srv.server.stats().requests.load(), static_cast<std::uint64_t>(kClients));
  EXPECT_EQ(srv.server.stats().connections.load(), static_cast<std::uint64_t>(kClients));
}

// ------------------------------------------------------------------------------------ client

// ---------------------------------------------------------------------------------- fast lanes

// A Handler that must not be reached: it counts its calls and answers 599.
Handler unreachable(std::atomic<int>& calls) {
  return [&calls](const Request&) {
    ++calls;
    return Response{599, "text/plain", "the handler pool answered", {}};
  };
}

// The quick handler runs on the I/O thread and defers its answer; another thread replies once the
// test opens the gate. The client gets that reply, and the Handler is never called.
TEST(HttpServer, QuickHandlerAnswersLaterFromAnotherThread) {
  std::atomic<int> calls{0};
  Gate gate;
  std::vector<std::thread> repliers;
  std::mutex repliersMutex;
  auto o = localOptions();
  o.quick = [&](const Request& r) -> std::optional<Response> {
    Response later;
    later.later = [&, body = r.body](Reply reply) {
      std::lock_guard lock(repliersMutex);
      repliers.emplace_back([&gate, body, reply] {
        gate.wait();
        reply([body] {
          return Response{201, "text/plain", "stored " + body, {{"X-Lane", "quick"}}};
        });
        reply([] { return Response{500, "text/plain", "a second reply is ignored", {}}; });
      });
    };
    return later;
  };
  {
    Running srv(unreachable(calls), o);
    auto res = std::async(std::launch::async,
                          [&] { return request(kHost, srv.port(), "POST", "/r", "abc", {}, 5s); });
    EXPECT_EQ(res.wait_for(200ms), std::future_status::timeout);  // waits for its reply
    gate.open();
    const auto got = res.get();
    EXPECT_EQ(got.status, 201);
    EXPECT_EQ(got.body, "stored abc");
    EXPECT_EQ(header(got, "x-lane"), "quick");
    // The connection stays usable: the next request on it is answered too.
    EXPECT_EQ(request(kHost, srv.port(), "POST", "/r", "d", {}, 5s).body, "stored d");
  }
  for (auto& t : repliers) t.join();
  EXPECT_EQ(calls.load(), 0);
}

// What the quick handler declines, and a body over quickBodyLimit, go to the Handler.
TEST(HttpServer, QuickHandlerDeclinesAndLargeBodiesGoToTheHandler) {
  std::atomic<int> quickCalls{0};
  auto o = localOptions();
  o.quickBodyLimit = 8;
  o.quick = [&](const Request& r) -> std::optional<Response> {
    ++quickCalls;
    if (r.path == "/decline") return std::nullopt;
    return Response{200, "text/plain", "quick", {}};
  };
  Running srv([](const Request&) { return Response{200, "text/plain", "pool", {}}; }, o);
  EXPECT_EQ(request(kHost, srv.port(), "POST", "/take", "12345678", {}, 5s).body, "quick");
  EXPECT_EQ(request(kHost, srv.port(), "POST", "/decline", "1", {}, 5s).body, "pool");
  EXPECT_EQ(request(kHost, srv.port(), "POST", "/take", "123456789", {}, 5s).body, "pool");
  EXPECT_EQ(quickCalls.load(), 2);
}

// A quick handler that throws, a later that throws before replying, or one that drops its Reply
// uncalled, is answered 500 with an error id, and the server goes on serving.
TEST(HttpServer, QuickHandlerOrLaterThatThrowsOrDropsItsReplyIs500) {
  std::atomic<int> calls{0};
  auto o = localOptions();
  o.quick = [](const Request& r) -> std::optional<Response> {
    if (r.path == "/throw") throw std::runtime_error("secret detail");
    Response later;
    if (r.path == "/drop")
      later.later = [](const Reply&) {};
    else
      later.later = [](const Reply&) { throw std::runtime_error("secret detail"); };
    return later;
  };
  Running srv(unreachable(calls), o);
  for (const char* path : {"/throw", "/later", "/drop"}) {
    const auto res = request(kHost, srv.port(), "POST", path, "x", {}, 5s);
    EXPECT_EQ(res.status, 500) << path;
    EXPECT_NE(res.body.find("error id"), std::string::npos) << res.body;
    EXPECT_EQ(res.body.find("secret"), std::string::npos) << res.body;
  }
  EXPECT_EQ(srv.server.stats().handlerErrors.load(), 3u);
  EXPECT_EQ(srv.server.stats().awaitingReply.load(), 0u);
  EXPECT_EQ(calls.load(), 0);
}

// Stopping the server while a reply is outstanding: run() returns only after the reply was sent.
TEST(HttpServer, StopWaitsForAnOutstandingReply) {
  std::atomic<int> calls{0};
  std::promise<Reply> pending;
  auto o = localOptions();
  o.drainTimeout = 5s;
  o.quick = [&](const Request&) -> std::optional<Response> {
    Response later;
    later.later = [&](Reply reply) { pending.set_value(std::move(reply)); };
    return later;
  };
  Running srv(unreachable(calls), o);
  auto res = std::async(std::launch::async,
                        [&] { return request(kHost, srv.port(), "POST", "/r", "x", {}, 5s); });
  Reply reply = pending.get_future().get();
  std::atomic<bool> returned{false};
  std::thread stopper([&] {
    srv.stop();
    returned = true;
  });
  ASSERT_TRUE(eventually([&] { return !test::canConnect(srv.port()); }));
  // Drained only once the reply is out: run() does not return meanwhile.
  EXPECT_FALSE(eventually([&] { return returned.load(); }, 300ms));
  reply([] { return Response{200, "text/plain", "late but whole", {}}; });
  const auto got = res.get();
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, "late but whole");
  stopper.join();
  EXPECT_TRUE(returned.load());
}

// The quick head check admits, refuses (nothing of the body is read, the Handler is not called)
// or defers to checkHead on the pool.
TEST(HttpServer, QuickHeadCheckAdmitsRefusesOrDefers) {
  std::atomic<int> deferred{0};
  auto o = localOptions();
  o.quickCheckHead = [](const Request& head) {
    if (head.path == "/refuse")
      return HeadVerdict{HeadVerdict::Kind::Refuse, Response{401, "text/plain", "no", {}}};
    if (head.path == "/admit") return HeadVerdict{HeadVerdict::Kind::Admit, {}};
    return HeadVerdict{};
  };
  o.checkHead = [&](const Request& head) -> std::optional<Response> {
    ++deferred;
    if (head.path == "/pool-refuses") return Response{403, "text/plain", "pool says no", {}};
    return std::nullopt;
  };
  Running srv(echoPath(), o);
  EXPECT_EQ(request(kHost, srv.port(), "POST", "/admit", "b", {}, 5s).body, "/admit");
  const auto refused = request(kHost, srv.port(), "POST", "/refuse", "b", {}, 5s);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.body, "no");
  EXPECT_EQ(deferred.load(), 0);
  EXPECT_EQ(request(kHost, srv.port(), "POST", "/other", "b", {}, 5s).body, "/other");
  EXPECT_EQ(request(kHost, srv.port(), "POST", "/pool-refuses", "b", {}, 5s).status, 403);
  EXPECT_EQ(deferred.load(), 2);
  EXPECT_EQ(srv.server.stats().refusedOnHead.load(), 2u);
}

TEST(HttpClient, TimeoutThrows) {
  Gate release;  // the server does not answer until the client has given up
  Running srv([&](const Request&) {
    release.wait();
    return Response{};
  });
  const auto start = Clock::now();
  bool threw = false;
  try {
    request(kHost, srv.port(), "GET", "/slow", {}, {}, 100ms);
  } catch (const ClientError& e) {
    threw = true;
    EXPECT_TRUE(e.timedOut()) << e.what();
    EXPECT_NE(std::string(e.what()).find("/slow"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(threw) << "no timeout";
  EXPECT_LT(msSince(start), 450);  // the timeout (100 ms) is what is measured here
  release.open();
}

TEST(HttpClient, ConnectionRefusedThrows) {
  std::uint16_t port = 0;
  {
    Server gone(localOptions(), echoPath());
    port = gone.port();
  }
  try {
    request(kHost, port, "GET", "/", {}, {}, 2s);
    FAIL() << "connected to a closed port";
  } catch (const ClientError& e) {
    EXPECT_FALSE(e.timedOut()) << e.what();
    EXPECT_NE(std::string(e.what()).find("connect"), std::string::npos) << e.what();
  }
}

TEST(HttpClient, RejectsHeaderInjection) {
  EXPECT_THROW(request(kHost, 1, "GET", "/", {}, {{"X-A", "1\r\nX-B: 2"}}, 1s),
               std::invalid_argument);
  EXPECT_THROW(request(kHost, 1, "GET", "/a b", {}, {}, 1s), std::invalid_argument);
  EXPECT_THROW(request(kHost, 1, "G ET", "/", {}, {}, 1s), std::invalid_argument);
}

TEST(HttpClient, ReturnsErrorStatusesWithoutThrowing) {
  Running srv([](const Request&) {
    return Response{404, "application/json", R"({"error":"x"})", {}};
  });
  const auto res = request(kHost, srv.port(), "GET", "/missing", {}, {}, 5s);
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.contentType, "application/json");
  EXPECT_EQ(res.body, R"({"error":"x"})");
}

}  // namespace
}  // namespace ijro::http
