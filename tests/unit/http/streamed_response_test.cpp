// Responses whose body is written while it is sent (Response::stream): chunked framing, the
// writer held back by a client that does not read, stopped when the client goes, failures before
// and after the first part, HEAD, HTTP/1.0, and the gathering without a handler pool.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "hub/http/client.hpp"
#include "hub/http/server.hpp"
#include "tests/support/wait.hpp"
#include "tests/unit/http/raw_socket.hpp"

namespace ijro::http {
namespace {

using namespace std::chrono_literals;
using test::RawConnection;

ServerOptions options(int handlerThreads = 4) {
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.threads = 2;
  o.handlerThreads = handlerThreads;
  o.streamWindow = 64u << 10;
  return o;
}

class Running {
 public:
  Running(Handler handler, ServerOptions o) : server(std::move(o), std::move(handler)) {
    thread = std::thread([this] { server.run(false); });
  }
  ~Running() {
    server.stop();
    thread.join();
  }
  Server server;
  std::thread thread;
};

// Part i of a streamed body: its number and a fixed filler, so order and loss both show.
std::string part(std::size_t i, std::size_t size) {
  std::string p = "<part n=\"" + std::to_string(i) + "\">";
  p.resize(size, 'x');
  return p;
}

Response streaming(std::size_t parts, std::size_t size, std::atomic<std::size_t>* handed = nullptr,
                   std::atomic<bool>* gone = nullptr) {
  Response res{200, "application/xml", {}, {}};
  res.headers.emplace_back("X-Kind", "streamed");
  res.stream = [=](const BodyWriter& write) {
    try {
      for (std::size_t i = 0; i < parts; ++i) {
        write(part(i, size));
        if (handed) *handed += size;
      }
    } catch (const ClientGone&) {
      if (gone) *gone = true;
      throw;
    }
  };
  return res;
}

std::string expected(std::size_t parts, std::size_t size) {
  std::string all;
  for (std::size_t i = 0; i < parts; ++i) all += part(i, size);
  return all;
}

TEST(StreamedResponseTest, BodyArrivesWholeAndInOrderWithChunkedFramingOnAKeptAliveConnection) {
  Running s(
      [](const Request& req) {
        if (req.path == "/small") return Response{200, "text/plain", "after\n", {}};
        return streaming(300, 10'000);
      },
      options());
  RawConnection c(s.server.port());
  ASSERT_TRUE(c.send("GET /feed HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string head = c.readUntil("\r\n\r\n", 10s);
  EXPECT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
  EXPECT_NE(head.find("X-Kind: streamed"), std::string::npos) << head;
  // The same connection answers the next request after the last chunk.
  auto full = request("127.0.0.1", s.server.port(), "GET", "/feed");
  EXPECT_EQ(full.status, 200);
  EXPECT_EQ(full.body, expected(300, 10'000));
  auto small = request("127.0.0.1", s.server.port(), "GET", "/small");
  EXPECT_EQ(small.body, "after\n");
}

TEST(StreamedResponseTest, AClientThatDoesNotReadHoldsTheWriterBackThenGetsEverything) {
  // 128 MiB offered; a writer not held back would hand it all over at once.
  constexpr std::size_t kParts = 2048, kSize = 64u << 10;
  std::atomic<std::size_t> handed{0};
  Running s([&](const Request&) { return streaming(kParts, kSize, &handed); }, options());
  RawConnection c(s.server.port());
  ASSERT_TRUE(c.send("GET /feed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  ASSERT_TRUE(test::waitFor([&] { return handed.load() > 0; }, 10s));
  // The writer stops: nothing read, so nothing more is taken once the socket's buffers and the
  // window are full. Wait until it has stood still for a while.
  std::size_t last = 0;
  int still = 0;
  ASSERT_TRUE(test::waitFor(
      [&] {
        const std::size_t now = handed.load();
        still = now == last ? still + 1 : 0;
        last = now;
        return still >= 6;
      },
      30s));
  EXPECT_LT(handed.load(), std::size_t{48} << 20)
      << "the writer ran ahead of a client that read nothing";
  // Reading on lets the writer finish, and every byte arrives.
  const std::string all = c.readAll(120s);
  EXPECT_TRUE(c.closed());
  EXPECT_EQ(handed.load(), kParts * kSize);
  EXPECT_GT(all.size(), kParts * kSize);
  EXPECT_NE(all.find(part(kParts - 1, kSize)), std::string::npos);
  EXPECT_NE(all.find("\r\n0\r\n\r\n"), std::string::npos) << "no last chunk";
}

TEST(StreamedResponseTest, AClientThatGoesStopsTheWriter) {
  std::atomic<std::size_t> handed{0};
  std::atomic<bool> gone{false};
  Running s(
      [&](const Request& req) {
        if (req.path == "/small") return Response{200, "text/plain", "after\n", {}};
        return streaming(1'000'000, 64u << 10, &handed, &gone);
      },
      options());
  {
    RawConnection c(s.server.port());
    ASSERT_TRUE(c.send("GET /feed HTTP/1.1\r\nHost: x\r\n\r\n"));
    c.readUntil("\r\n\r\n", 10s);
  }  // closed after the head
  EXPECT_TRUE(test::waitFor([&] { return gone.load(); }, 30s))
      << "the writer went on after its client closed, " << handed.load() << " bytes handed";
  // The server serves on.
  EXPECT_EQ(request("127.0.0.1", s.server.port(), "GET", "/small").body, "after\n");
}

TEST(StreamedResponseTest, WriterFailingBeforeItsFirstPartIsAPlain500) {
  Running s(
      [](const Request&) {
        Response res{200, "application/xml", {}, {}};
        res.stream = [](const BodyWriter&) { throw std::runtime_error("store gone"); };
        return res;
      },
      options());
  auto r = request("127.0.0.1", s.server.port(), "GET", "/feed");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("internal error"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("store gone"), std::string::npos) << "the detail is for the log only";
  EXPECT_EQ(s.server.stats().handlerErrors.load(), 1u);
}

TEST(StreamedResponseTest, WriterFailingAfterItsFirstPartCutsTheBodyShort) {
  Running s(
      [](const Request&) {
        Response res{200, "application/xml", {}, {}};
        res.stream = [](const BodyWriter& write) {
          write("<feed>");
          throw std::runtime_error("store gone");
        };
        return res;
      },
      options());
  RawConnection c(s.server.port());
  ASSERT_TRUE(c.send("GET /feed HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string all = c.readAll(10s);
  EXPECT_TRUE(c.closed());
  EXPECT_NE(all.find("200 OK"), std::string::npos) << all;
  EXPECT_NE(all.find("<feed>"), std::string::npos) << all;
  EXPECT_EQ(all.find("\r\n0\r\n\r\n"), std::string::npos) << "a cut body must not look complete";
  // A client library sees the body as incomplete, not as a short document.
  EXPECT_THROW(request("127.0.0.1", s.server.port(), "GET", "/feed"), ClientError);
}

TEST(StreamedResponseTest, HeadDoesNotRunTheWriter) {
  std::atomic<int> runs{0};
  Running s(
      [&](const Request&) {
        Response res{200, "application/xml", {}, {}};
        res.stream = [&](const BodyWriter& write) {
          ++runs;
          write("x");
        };
        return res;
      },
      options());
  RawConnection c(s.server.port());
  ASSERT_TRUE(c.send("HEAD /feed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string all = c.readAll(10s);
  EXPECT_NE(all.find("200 OK"), std::string::npos) << all;
  EXPECT_EQ(all.find("Content-Length: 0"), std::string::npos) << all;
  EXPECT_TRUE(all.ends_with("\r\n\r\n")) << all;
  EXPECT_EQ(runs.load(), 0);
}

TEST(StreamedResponseTest, Http10ClientGetsTheBodyUntilTheClose) {
  Running s([](const Request&) { return streaming(20, 1'000); }, options());
  RawConnection c(s.server.port());
  ASSERT_TRUE(c.send("GET /feed HTTP/1.0\r\n\r\n"));
  const std::string all = c.readAll(10s);
  EXPECT_TRUE(c.closed());
  const auto cut = all.find("\r\n\r\n");
  ASSERT_NE(cut, std::string::npos);
  EXPECT_EQ(all.substr(0, cut).find("chunked"), std::string::npos) << all.substr(0, cut);
  EXPECT_EQ(all.substr(cut + 4), expected(20, 1'000));
}

TEST(StreamedResponseTest, WithoutAHandlerPoolTheBodyIsGatheredAndSentWhole) {
  Running s([](const Request&) { return streaming(50, 1'000); }, options(0));
  auto r = request("127.0.0.1", s.server.port(), "GET", "/feed");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, expected(50, 1'000));
}

}  // namespace
}  // namespace ijro::http
