// Routes that stream their request body to a file (ServerOptions::streamBody): the body arrives
// in a file, under the route's own limit; over it 413 and no file left; a client that goes away
// mid-body leaves nothing either; other routes and keep-alive are as before.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "hub/http/client.hpp"
#include "hub/http/server.hpp"
#include "tests/support/test_support.hpp"
#include "tests/unit/http/raw_socket.hpp"

namespace ijro::http {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using test::RawConnection;

constexpr const char* kHost = "127.0.0.1";

class Running {
 public:
  Running(Handler handler, ServerOptions options)
      : server(std::move(options), std::move(handler)), thread([this] { server.run(false); }) {}
  ~Running() {
    server.stop();
    thread.join();
  }
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;
  std::uint16_t port() const { return server.port(); }
  Server server;
  std::thread thread;
};

// /upload streams into `folder` under `limit`; everything else holds its body in memory.
ServerOptions streamingOptions(const fs::path& folder, std::uint64_t limit) {
  ServerOptions o;
  o.host = kHost;
  o.port = 0;
  o.bodyLimit = 1000;
  o.streamBody = [folder, limit](const std::string& method,
                                 const std::string& path) -> std::optional<StreamedBody> {
    if (method != "POST" || path != "/upload") return std::nullopt;
    return StreamedBody{folder.string(), limit, "send a smaller file", {}};
  };
  return o;
}

std::string readWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + i / 7) & 0xff);
  return s;
}

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 3s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(StreamedBody, BodyArrivesInAFileAndTheFileIsRemovedAfterTheHandler) {
  const auto folder = test::tempDir("stream-file");
  const std::string body = pattern(3u << 20);  // far over bodyLimit, under the route's limit
  std::atomic<bool> sameBytes{false}, emptyMemoryBody{false}, inFolder{false};
  Running srv(
      [&](const Request& r) {
        sameBytes = readWhole(r.bodyFile) == body && r.bodySize == body.size();
        emptyMemoryBody = r.body.empty();
        inFolder = fs::path(r.bodyFile).parent_path() == folder;
        return Response{201, "text/plain", "stored", {}};
      },
      streamingOptions(folder, 8u << 20));
  const auto res = request(kHost, srv.port(), "POST", "/upload?x=1", body,
                           {{"Content-Type", "application/pdf"}}, 20s);
  EXPECT_EQ(res.status, 201) << res.body;
  EXPECT_TRUE(sameBytes);
  EXPECT_TRUE(emptyMemoryBody);
  EXPECT_TRUE(inFolder);
  EXPECT_TRUE(eventually([&] { return fs::is_empty(folder); }));
  fs::remove_all(folder);
}

TEST(StreamedBody, FileRenamedByTheHandlerIsKept) {
  const auto folder = test::tempDir("stream-keep");
  const auto kept = folder / "kept";
  Running srv(
      [&](const Request& r) {
        fs::rename(r.bodyFile, kept);
        return Response{201, "text/plain", "kept", {}};
      },
      streamingOptions(folder, 1u << 20));
  const auto res = request(kHost, srv.port(), "POST", "/upload", "keep me", {}, 5s);
  EXPECT_EQ(res.status, 201);
  EXPECT_EQ(readWhole(kept.string()), "keep me");
  fs::remove_all(folder);
}

TEST(StreamedBody, OtherRoutesKeepTheirBodyInMemoryUnderTheirOwnLimit) {
  const auto folder = test::tempDir("stream-other");
  Running srv(
      [&](const Request& r) {
        return Response{200, "text/plain", r.bodyFile.empty() ? r.body : "file!", {}};
      },
      streamingOptions(folder, 1u << 20));
  EXPECT_EQ(request(kHost, srv.port(), "POST", "/reports", "in memory", {}, 5s).body, "in memory");
  EXPECT_EQ(request(kHost, srv.port(), "POST", "/reports", std::string(2000, 'x'), {}, 5s).status,
            413);
  EXPECT_EQ(request(kHost, srv.port(), "POST", "/upload", std::string(2000, 'x'), {}, 5s).body,
            "file!");
  fs::remove_all(folder);
}

TEST(StreamedBody, OverTheRouteLimitIs413WithoutCallingTheHandlerAndNoFileIsLeft) {
  const auto folder = test::tempDir("stream-413");
  std::atomic<int> calls{0};
  Running srv(
      [&](const Request&) {
        ++calls;
        return Response{};
      },
      streamingOptions(folder, 5000));
  const auto res = request(kHost, srv.port(), "POST", "/upload", pattern(6000), {}, 5s);
  EXPECT_EQ(res.status, 413);
  EXPECT_NE(res.body.find("5000 bytes for /upload; send a smaller file"), std::string::npos)
      << res.body;
  EXPECT_EQ(calls.load(), 0);
  EXPECT_TRUE(fs::is_empty(folder));
  // Exactly at the limit is taken.
  EXPECT_EQ(request(kHost, srv.port(), "POST", "/upload", pattern(5000), {}, 5s).status, 200);
  fs::remove_all(folder);
}

TEST(StreamedBody, ChunkedBodyOverTheLimitIs413AndItsPartialFileIsRemoved) {
  const auto folder = test::tempDir("stream-chunked");
  std::atomic<int> calls{0};
  Running srv(
      [&](const Request&) {
        ++calls;
        return Response{};
      },
      streamingOptions(folder, 100000));
  RawConnection c(srv.port());
  // The first chunk is written to the file before the second one passes the limit.
  const std::string chunk(70000, 'c');
  ASSERT_TRUE(
      c.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             "11170\r\n" +
             chunk + "\r\n"));
  c.send("11170\r\n" + chunk + "\r\n0\r\n\r\n");
  const auto got = c.readAll(5s);
  EXPECT_EQ(got.rfind("HTTP/1.1 413", 0), 0u) << got.substr(0, 200);
  EXPECT_EQ(calls.load(), 0);
  EXPECT_TRUE(eventually([&] { return fs::is_empty(folder); }));
  fs::remove_all(folder);
}

TEST(StreamedBody, ChunkedBodyWithinTheLimitArrivesWhole) {
  const auto folder = test::tempDir("stream-chunked-ok");
  Running srv(
      [&](const Request& r) {
        return Response{200, "text/plain", readWhole(r.bodyFile), {}};
      },
      streamingOptions(folder, 100000));
  RawConnection c(srv.port());
  ASSERT_TRUE(
      c.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
             "Connection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  const auto got = c.readAll(5s);
  EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got;
  EXPECT_NE(got.find("\r\n\r\nhello world"), std::string::npos) << got;
  fs::remove_all(folder);
}

TEST(StreamedBody, ClientGoneMidBodyLeavesNoFile) {
  const auto folder = test::tempDir("stream-gone");
  std::atomic<int> calls{0};
  Running srv(
      [&](const Request&) {
        ++calls;
        return Response{};
      },
      streamingOptions(folder, 1u << 20));
  {
    RawConnection c(srv.port());
    ASSERT_TRUE(c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" +
                       pattern(100000)));
    // The server has made its file once the first bytes arrived.
    EXPECT_TRUE(eventually([&] { return !fs::is_empty(folder); }));
  }  // closed with half the body sent
  EXPECT_TRUE(eventually([&] { return fs::is_empty(folder); }));
  EXPECT_EQ(calls.load(), 0);
  fs::remove_all(folder);
}

TEST(StreamedBody, KeepAliveConnectionServesTheNextRequestAfterAStreamedOne) {
  const auto folder = test::tempDir("stream-keepalive");
  Running srv(
      [&](const Request& r) {
        return Response{200, "text/plain", r.bodyFile.empty() ? "memory" : "streamed", {}};
      },
      streamingOptions(folder, 1u << 20));
  RawConnection c(srv.port());
  ASSERT_TRUE(
      c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
             "GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const auto got = c.readAll(5s);
  const auto first = got.find("streamed");
  const auto second = got.find("memory");
  ASSERT_NE(first, std::string::npos) << got;
  ASSERT_NE(second, std::string::npos) << got;
  EXPECT_LT(first, second);
  fs::remove_all(folder);
}

}  // namespace
}  // namespace ijro::http
