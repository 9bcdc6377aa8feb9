// The intake baseline: a minimal Beast HTTP server that reads each request whole and answers
// 200 with a fixed small body, parsing and storing nothing. Same thread count as the hub.
//   ijro-bench-null-server PORT THREADS
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

asio::awaitable<void> session(tcp::socket socket) {
  beast::flat_buffer buffer;
  try {
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(8u << 20);
      co_await http::async_read(socket, buffer, parser, asio::use_awaitable);
      auto req = parser.release();
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

asio::awaitable<void> listen(tcp::acceptor& acceptor) {
  for (;;) {
    auto socket = co_await acceptor.async_accept(asio::use_awaitable);
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket)), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: ijro-bench-null-server PORT THREADS\n";
    return 2;
  }
  const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  const int threads = std::atoi(argv[2]);
  asio::io_context io{threads};
  tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), port}};
  asio::signal_set signals{io, SIGINT, SIGTERM};
  signals.async_wait([&](auto, auto) { io.stop(); });
  asio::co_spawn(io, listen(acceptor), asio::detached);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
}
