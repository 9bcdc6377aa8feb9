// The ijro-fault-proxy program: it says where it listens, forwards with the faults of its
// options, and on SIGTERM prints its counters as one JSON line and exits 0.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "hub/http/client.hpp"
#include "hub/http/server.hpp"

namespace ijro::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The program as a child process, its stdout and stderr on pipes.
class ProxyProcess {
 public:
  explicit ProxyProcess(const std::vector<std::string>& args) {
    int outPipe[2], errPipe[2];
    if (::pipe(outPipe) != 0 || ::pipe(errPipe) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> copy = args;
    std::string bin = IJRO_FAULT_PROXY_BINARY;
    std::vector<char*> argv{bin.data()};
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::dup2(outPipe[1], 1);
      ::dup2(errPipe[1], 2);
      ::close(outPipe[0]);
      ::close(errPipe[0]);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(outPipe[1]);
    ::close(errPipe[1]);
    out_ = outPipe[0];
    err_ = errPipe[0];
  }
  ~ProxyProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
    ::close(out_);
    ::close(err_);
  }

  // Reads stdout until it holds `needle` or the stream ends or `timeout` passes.
  std::string readOutUntil(const std::string& needle, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (out.find(needle) == std::string::npos && !outEnded_) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) break;
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      const auto n = ::read(out_, buf, sizeof buf);
      if (n <= 0)
        outEnded_ = true;
      else
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }
  std::string readErr() {
    std::string s;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(err_, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
    return s;
  }
  void signal(int sig) { ::kill(pid_, sig); }
  int wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
  }

  std::string out;

 private:
  pid_t pid_ = -1;
  int out_ = -1, err_ = -1;
  bool outEnded_ = false;
};

class EchoServer {
 public:
  EchoServer()
      : server(options(),
               [](const http::Request& r) {
                 http::Response resp;
                 resp.body = r.body;
                 return resp;
               }),
        thread([this] { server.run(false); }) {}
  ~EchoServer() {
    server.stop();
    thread.join();
  }
  http::Server server;
  std::thread thread;

 private:
  static http::ServerOptions options() {
    http::ServerOptions o;
    o.host = "127.0.0.1";
    o.threads = 1;
    o.handlerThreads = 1;
    return o;
  }
};

std::uint16_t listeningPort(const std::string& out) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex(R"(listening on 127\.0\.0\.1:(\d+)\n)"))) return 0;
  return static_cast<std::uint16_t>(std::stoi(m[1]));
}

TEST(FaultProxyProgram, ForwardsWithItsFaultsAndPrintsItsCountersAsJsonOnSigterm) {
  EchoServer server;
  ProxyProcess proc({"--listen", "127.0.0.1:0", "--to",
                     "127.0.0.1:" + std::to_string(server.server.port()), "--seed", "5",
                     "--delay-ms", "20", "--response-reset", "0"});
  const auto port = listeningPort(proc.readOutUntil("\n", 30s));
  ASSERT_NE(port, 0) << "no 'listening on' line; stdout: " << proc.out
                     << "\nstderr: " << proc.readErr();
  EXPECT_EQ(http::request("127.0.0.1", port, "POST", "/", "through").body, "through");
  EXPECT_EQ(http::request("127.0.0.1", port, "POST", "/", "again").body, "again");

  proc.signal(SIGTERM);
  const auto all = proc.readOutUntil("}\n", 30s);
  EXPECT_EQ(proc.wait(), 0);
  const auto line = all.substr(all.find('\n') + 1);
  const boost::json::value counters = boost::json::parse(line);
  const auto& o = counters.as_object();
  EXPECT_EQ(o.at("connections").as_int64(), 2);
  EXPECT_EQ(o.at("open").as_int64(), 0);
  EXPECT_GE(o.at("delayedChunks").as_int64(), 4);  // a request and an answer each, twice
  EXPECT_GT(o.at("bytesToTarget").as_int64(), 0);
  EXPECT_GT(o.at("bytesToClient").as_int64(), 0);
  EXPECT_EQ(o.at("refused").as_int64(), 0);
}

TEST(FaultProxyProgram, RefuseOneRefusesEveryConnectionAndCountsIt) {
  EchoServer server;
  ProxyProcess proc({"--to", "127.0.0.1:" + std::to_string(server.server.port()), "--refuse", "1"});
  const auto port = listeningPort(proc.readOutUntil("\n", 30s));
  ASSERT_NE(port, 0) << "stdout: " << proc.out << "\nstderr: " << proc.readErr();
  EXPECT_THROW(http::request("127.0.0.1", port, "GET", "/"), http::ClientError);
  proc.signal(SIGTERM);
  const auto all = proc.readOutUntil("}\n", 30s);
  EXPECT_EQ(proc.wait(), 0);
  const boost::json::value counters = boost::json::parse(all.substr(all.find('\n') + 1));
  EXPECT_EQ(counters.as_object().at("refused").as_int64(), 1);
  EXPECT_EQ(server.server.stats().connections.load(), 0u);
}

TEST(FaultProxyProgram, ABadProbabilityExitsTwoNamingTheOptionAndTheRange) {
  ProxyProcess proc({"--to", "127.0.0.1:9", "--reset", "1.5"});
  EXPECT_EQ(proc.wait(), 2);
  const auto err = proc.readErr();
  EXPECT_NE(err.find("--reset: '1.5' is not a probability; give a number from 0 to 1"),
            std::string::npos)
      << err;
}

TEST(FaultProxyProgram, AnInvertedByteRangeExitsTwoNamingTheOption) {
  ProxyProcess proc({"--to", "127.0.0.1:9", "--reset", "0.5", "--reset-after", "100-10"});
  EXPECT_EQ(proc.wait(), 2);
  const auto err = proc.readErr();
  EXPECT_NE(err.find("--reset-after: the range '100-10' ends before it starts"), std::string::npos)
      << err;
}

TEST(FaultProxyProgram, AMissingTargetExitsTwoSayingToIsRequired) {
  ProxyProcess proc({"--delay-ms", "10"});
  EXPECT_EQ(proc.wait(), 2);
  const auto err = proc.readErr();
  EXPECT_NE(err.find("--to HOST:PORT is required"), std::string::npos) << err;
}

}  // namespace
}  // namespace ijro::test
