// The intake baselines: a minimal Beast HTTP server that reads each request whole and answers
// 200 with a fixed small body, parsing and storing nothing. Same thread count as the hub.
//   ijro-bench-null-server PORT THREADS             answers at once
//   ijro-bench-null-server PORT THREADS --sync FILE  appends each body to FILE and answers once
//       an fdatasync that began after the append returned: the requests waiting meanwhile share
//       one fdatasync (group commit), as a durable server at best would.
//   ijro-bench-null-server PORT THREADS --body FILE  answers every request with FILE's bytes,
//       read once and held in memory: the raw writer a streamed feed of that size is held
//       against (no store, no XML, nothing but the socket).
#include <fcntl.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Appends bodies to one file and makes them durable in groups: a waiter is woken (its timer
// cancelled on its own strand) once an fdatasync that started after its append has returned.
class GroupSync {
 public:
  explicit GroupSync(const std::string& path)
      : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644)) {
    if (fd_ < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    thread_ = std::thread([this] { loop(); });
  }
  ~GroupSync() {
    {
      std::lock_guard lk(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
    ::close(fd_);
  }

  // Appends `body` and registers `timer` to be cancelled once it is on disk.
  void append(const std::string& body, std::shared_ptr<asio::steady_timer> timer) {
    std::lock_guard lk(mu_);
    for (std::size_t done = 0; done < body.size();) {
      auto n = ::write(fd_, body.data() + done, body.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(std::string("write: ") + std::strerror(errno));
      }
      done += static_cast<std::size_t>(n);
    }
    waiting_.push_back(std::move(timer));
    cv_.notify_one();
  }

 private:
  void loop() {
    std::unique_lock lk(mu_);
    for (;;) {
      cv_.wait(lk, [this] { return stop_ || !waiting_.empty(); });
      if (stop_ && waiting_.empty()) return;
      auto group = std::move(waiting_);
      waiting_.clear();
      lk.unlock();
      ::fdatasync(fd_);
      for (auto& t : group) asio::post(t->get_executor(), [t] { t->cancel(); });
      lk.lock();
    }
  }

  int fd_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<asio::steady_timer>> waiting_;
  bool stop_ = false;
  std::thread thread_;
};

// --body: what every answer carries.
std::string fixedBody;

asio::awaitable<void> session(tcp::socket socket, GroupSync* sync) {
  beast::flat_buffer buffer;
  // Only the --sync mode waits on it; it shares the session's strand.
  auto timer = std::make_shared<asio::steady_timer>(socket.get_executor());
  try {
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(8u << 20);
      co_await http::async_read(socket, buffer, parser, asio::use_awaitable);
      auto req = parser.release();
      if (sync != nullptr) {
        // The session runs on its own strand, so the cancel posted by the sync thread cannot run
        // before this wait has begun.
        timer->expires_at(asio::steady_timer::time_point::max());
        sync->append(req.body(), timer);
        boost::system::error_code ec;
        co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      if (!fixedBody.empty()) {
        http::response<http::span_body<const char>> big{http::status::ok, req.version()};
        big.set(http::field::content_type, "application/xml");
        big.body() = {fixedBody.data(), fixedBody.size()};
        big.keep_alive(req.keep_alive());
        big.prepare_payload();
        co_await http::async_write(socket, big, asio::use_awaitable);
        if (!big.keep_alive()) break;
        continue;
      }
      http::response<http::string_body> res{http::status::ok, req.version()};
      res.set(http::field::content_type, "application/xml");
      res.body() = "<receipt/>\n";
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      co_await http::async_write(socket, res, asio::use_awaitable);
      if (!res.keep_alive()) break;
    }
  } catch (const std::exception&) {
    // The peer closed the connection: the session ends.
  }
}

asio::awaitable<void> listen(tcp::acceptor& acceptor, GroupSync* sync) {
  for (;;) {
    if (sync == nullptr) {  // the plain baseline, as it always was
      auto socket = co_await acceptor.async_accept(asio::use_awaitable);
      asio::co_spawn(acceptor.get_executor(), session(std::move(socket), nullptr), asio::detached);
      continue;
    }
    auto strand = asio::make_strand(acceptor.get_executor());
    auto socket = co_await acceptor.async_accept(strand, asio::use_awaitable);
    asio::co_spawn(strand, session(std::move(socket), sync), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 5 ? argv[3] : "";
  if (argc != 3 && !(argc == 5 && (mode == "--sync" || mode == "--body"))) {
    std::cerr << "usage: ijro-bench-null-server PORT THREADS [--sync FILE | --body FILE]\n";
    return 2;
  }
  const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  const int threads = std::atoi(argv[2]);
  std::unique_ptr<GroupSync> sync;
  if (mode == "--sync") sync = std::make_unique<GroupSync>(argv[4]);
  if (mode == "--body") {
    std::ifstream in(argv[4], std::ios::binary);
    fixedBody.assign(std::istreambuf_iterator<char>(in), {});
    if (fixedBody.empty()) {
      std::cerr << "ijro-bench-null-server: " << argv[4] << " is empty or unreadable\n";
      return 2;
    }
  }
  asio::io_context io{threads};
  tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), port}};
  asio::signal_set signals{io, SIGINT, SIGTERM};
  signals.async_wait([&](auto, auto) { io.stop(); });
  asio::co_spawn(io, listen(acceptor, sync.get()), asio::detached);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
}
