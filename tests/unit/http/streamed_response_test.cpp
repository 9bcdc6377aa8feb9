// Responses whose body is written while it is sent (Response::stream): chunked framing, the
// writer held back by a client that does not read, stopped when the client goes, failures before
// and after the first part, HEAD, HTTP/1.0, the gathering without a handler pool, and ranges of
// a file (sent with sendfile over plain TCP, read into bytes otherwise).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
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

// A file of `size` bytes whose every byte tells its offset (so a range sent from the wrong place
// shows), unlinked at once; the descriptor is the caller's.
int patternedFile(std::size_t size, char salt) {
  char path[] = "/tmp/ijro-range-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) return -1;
  ::unlink(path);
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>('a' + (i * 7 + salt) % 26);
  if (::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
    ::close(fd);
    return -1;
  }
  return fd;
}
std::string patterned(std::size_t from, std::size_t length, char salt) {
  std::string bytes(length, '\0');
  for (std::size_t i = 0; i < length; ++i)
    bytes[i] = static_cast<char>('a' + ((from + i) * 7 + salt) % 26);
  return bytes;
}

// Bytes, a range of one file (3 MiB from offset 1000, in two contiguous calls), bytes, a range of
// another file; each file closed by the writer as soon as it has handed its range over.
Response withFileRanges() {
  Response res{200, "application/xml", {}, {}};
  res.stream = [](const BodyWriter& write) {
    write("<head>");
    const int a = patternedFile(4u << 20, 0);
    if (a < 0) throw std::runtime_error("cannot make the test file");
    write.file(a, 1000, 1u << 20);
    write.file(a, 1000 + (1u << 20), 2u << 20);
    ::close(a);
    write("<middle>");
    const int b = patternedFile(100'000, 3);
    if (b < 0) throw std::runtime_error("cannot make the test file");
    write.file(b, 0, 100'000);
    ::close(b);
    write("<tail>");
  };
  return res;
}
std::string withFileRangesBody() {
  return "<head>" + patterned(1000, 3u << 20, 0) + "<middle>" + patterned(0, 100'000, 3) + "<tail>";
}

TEST(StreamedResponseTest, FileRangesAndBytesArriveInOrderThoughTheWriterClosedTheFiles) {
  Running s([](const Request&) { return withFileRanges(); }, options());
  auto r = request("127.0.0.1", s.server.port(), "GET", "/feed");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body == withFileRangesBody()) << r.body.size() << " bytes";
  // Twice on one kept-alive connection, framing intact.
  RawConnection c(s.server.port());
  ASSERT_TRUE(c.send("GET /feed HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(c.send("GET /feed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string all = c.readAll(60s);
  EXPECT_TRUE(c.closed());
  std::size_t last = 0, count = 0;
  while ((last = all.find("\r\n0\r\n\r\n", last)) != std::string::npos) {
    ++count;
    last += 7;
  }
  EXPECT_EQ(count, 2u) << "two complete chunked bodies";
}

TEST(StreamedResponseTest, FileRangesReachAnHttp10ClientAndAGatheredBodyToo) {
  Running s([](const Request&) { return withFileRanges(); }, options());
  RawConnection c(s.server.port());
  ASSERT_TRUE(c.send("GET /feed HTTP/1.0\r\n\r\n"));
  const std::string all = c.readAll(60s);
  const auto cut = all.find("\r\n\r\n");
  ASSERT_NE(cut, std::string::npos);
  EXPECT_TRUE(all.substr(cut + 4) == withFileRangesBody());
  // Without a handler pool the ranges are read into the gathered body.
  Running gathered([](const Request&) { return withFileRanges(); }, options(0));
  EXPECT_TRUE(request("127.0.0.1", gathered.server.port(), "GET", "/feed").body ==
              withFileRangesBody());
}

TEST(StreamedResponseTest, AClientThatTakesNoneOfAFileRangeIsClosedAfterTheReadTimeout) {
  auto o = options();
  o.readTimeout = 300ms;
  Running s(
      [](const Request&) {
        Response res{200, "application/xml", {}, {}};
        res.stream = [](const BodyWriter& write) {
          const int fd = patternedFile(64u << 20, 1);  // more than the socket buffers hold
          if (fd < 0) throw std::runtime_error("cannot make the test file");
          write.file(fd, 0, 64u << 20);
          ::close(fd);
        };
        return res;
      },
      o);
  RawConnection c(s.server.port());
  ASSERT_TRUE(c.send("GET /feed HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(test::waitFor([&] { return s.server.stats().requests.load() == 1; }, 10s));
  EXPECT_TRUE(test::waitFor([&] { return s.server.stats().openConnections.load() == 0; }, 30s))
      << "a client reading nothing kept its connection";
  const std::string all = c.readAll(30s);
  EXPECT_TRUE(c.closed());
  EXPECT_LT(all.size(), std::size_t{64} << 20);
}

}  // namespace
}  // namespace ijro::http
