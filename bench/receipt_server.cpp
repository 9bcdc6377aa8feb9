// The receiver stand-in for the feed drain row: answers POST /api/v1/feeds with a receipt that
// accepts every <implementation> of the batch, and counts what arrived, so that bench/run can
// tell when a hub's backlog has drained and check that no entry was lost or counted twice.
// It parses nothing beyond counting: the root's sequence attribute and the <implementation
// start tags, so the hub, not the receiver, bounds the drain rate.
//   ijro-bench-receipt-server PORT     (0: any free port; prints "port N" once listening)
// GET /count answers the totals as JSON; SIGTERM prints them and ends.
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// What arrived. One thread runs the io_context, so no lock is needed.
struct Totals {
  std::uint64_t posts = 0;            // POSTs answered with a receipt
  std::uint64_t postedEntries = 0;    // entries over all POSTs, resends included
  std::uint64_t resends = 0;          // POSTs of a sequence that had arrived before
  std::uint64_t resentDiffering = 0;  // resends whose entry count differs from the first send
  std::uint64_t refused = 0;          // POSTs without a readable sequence (answered 400)
  // Entries per batch sequence (index = sequence; 0: not arrived). -1 would be ambiguous, so a
  // batch of zero entries is stored as kEmpty.
  std::vector<std::int64_t> bySequence;
};

constexpr std::int64_t kEmpty = -1;

Totals totals;

// The root's sequence="N", looked for in the first start tag named feed only.
std::optional<std::int64_t> sequenceOf(std::string_view body) {
  auto root = body.find("<feed");
  if (root == std::string_view::npos) return std::nullopt;
  auto end = body.find('>', root);
  if (end == std::string_view::npos) return std::nullopt;
  const auto tag = body.substr(root, end - root);
  auto at = tag.find(" sequence=\"");
  if (at == std::string_view::npos) return std::nullopt;
  at += 11;
  std::int64_t value = 0;
  bool digits = false;
  for (; at < tag.size() && tag[at] >= '0' && tag[at] <= '9'; ++at) {
    value = value * 10 + (tag[at] - '0');
    digits = true;
    if (value > 100'000'000) return std::nullopt;  // far beyond any bench backlog
  }
  if (!digits || at >= tag.size() || tag[at] != '"' || value < 1) return std::nullopt;
  return value;
}

// Start tags of <implementation> (followed by a space, '>' or '/', so no longer name counts).
std::size_t implementations(std::string_view body) {
  constexpr std::string_view kTag = "<implementation";
  std::size_t n = 0;
  for (auto at = body.find(kTag); at != std::string_view::npos; at = body.find(kTag, at + 1)) {
    const auto next = at + kTag.size();
    if (next < body.size() && (body[next] == ' ' || body[next] == '>' || body[next] == '/')) ++n;
  }
  return n;
}

std::string countJson() {
  std::uint64_t batches = 0, entries = 0, maxSequence = 0;
  for (std::size_t s = 1; s < totals.bySequence.size(); ++s) {
    if (totals.bySequence[s] == 0) continue;
    ++batches;
    maxSequence = s;
    if (totals.bySequence[s] > 0) entries += static_cast<std::uint64_t>(totals.bySequence[s]);
  }
  // Sequences below the highest that never arrived.
  const std::uint64_t gaps = maxSequence - batches;
  std::ostringstream out;
  out << "{\"posts\":" << totals.posts << ",\"postedEntries\":" << totals.postedEntries
      << ",\"batches\":" << batches << ",\"entries\":" << entries
      << ",\"maxSequence\":" << maxSequence << ",\"gaps\":" << gaps
      << ",\"resends\":" << totals.resends << ",\"resentDiffering\":" << totals.resentDiffering
      << ",\"refused\":" << totals.refused << "}";
  return out.str();
}

http::response<http::string_body> answer(const http::request<http::string_body>& req) {
  http::response<http::string_body> res{http::status::ok, req.version()};
  res.set(http::field::content_type, "application/json");
  if (req.method() == http::verb::get && req.target() == "/count") {
    res.body() = countJson() + "\n";
  } else if (req.method() == http::verb::post && req.target() == "/api/v1/feeds") {
    const auto sequence = sequenceOf(req.body());
    if (!sequence) {
      ++totals.refused;
      res.result(http::status::bad_request);
      res.body() =
          R"({"detail":"the body's root <feed> has no sequence=\"N\" (N >= 1): send a feed batch"})"
          "\n";
    } else {
      const auto n = implementations(req.body());
      ++totals.posts;
      totals.postedEntries += n;
      const auto s = static_cast<std::size_t>(*sequence);
      if (totals.bySequence.size() <= s) totals.bySequence.resize(s + 1, 0);
      const std::int64_t stored = n == 0 ? kEmpty : static_cast<std::int64_t>(n);
      if (totals.bySequence[s] != 0) {
        ++totals.resends;
        if (totals.bySequence[s] != stored) ++totals.resentDiffering;
      } else {
        totals.bySequence[s] = stored;
      }
      std::string& body = res.body();
      body.reserve(64 + n * 36);
      body += "{\"summary\":{\"accepted\":" + std::to_string(n) +
              ",\"duplicate\":0,\"stale\":0,\"rejected\":0},\"records\":[";
      for (std::size_t i = 1; i <= n; ++i) {
        if (i > 1) body += ',';
        body += "{\"index\":";
        body += std::to_string(i);
        body += ",\"outcome\":\"accepted\"}";
      }
      body += "]}\n";
    }
  } else {
    res.result(http::status::not_found);
    res.body() = R"({"detail":"only POST /api/v1/feeds and GET /count are served here"})"
                 "\n";
  }
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

asio::awaitable<void> session(tcp::socket socket) {
  beast::flat_buffer buffer;
  try {
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(256u << 20);  // a batch of a few thousand entries is a few MiB
      co_await http::async_read(socket, buffer, parser, asio::use_awaitable);
      auto res = answer(parser.get());
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
  if (argc != 2) {
    std::cerr << "usage: ijro-bench-receipt-server PORT   (0: any free port)\n";
    return 2;
  }
  const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  asio::io_context io{1};
  tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), port}};
  std::cout << "port " << acceptor.local_endpoint().port() << std::endl;
  asio::signal_set signals{io, SIGINT, SIGTERM};
  signals.async_wait([&](auto, auto) {
    std::cout << countJson() << std::endl;
    io.stop();
  });
  asio::co_spawn(io, listen(acceptor), asio::detached);
  io.run();
}
