#include "hub/http/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace ijro::http {

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::uint64_t kMaxResponseBody = 64u << 20;

std::string toString(beast::string_view s) {
  return std::string(s.data(), s.size());
}

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

bool validToken(const std::string& name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos)
      return false;
  }
  return true;
}

}  // namespace

Response request(const std::string& host, std::uint16_t port, const std::string& method,
                 const std::string& target, const std::string& body,
                 const std::map<std::string, std::string>& headers,
                 std::chrono::milliseconds timeout) {
  const bool v6 = host.find(':') != std::string::npos;
  const std::string authority = (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  const std::string what = method + " http://" + authority + target;

  if (!validToken(method))
    throw std::invalid_argument("http request: invalid method \"" + method + "\"");
  if (target.empty() || target.find_first_of(" \r\n") != std::string::npos)
    throw std::invalid_argument("http request: invalid target \"" + target + "\"");

  bhttp::request<bhttp::string_body> req;
  req.version(11);
  req.method_string(method);
  req.target(target);
  req.set(bhttp::field::host, authority);
  req.set(bhttp::field::user_agent, "ijro-hub");
  for (const auto& [name, value] : headers) {
    if (!validToken(name) ||
        value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
      throw std::invalid_argument("http request: invalid header field \"" + name + "\"");
    req.set(name, value);
  }
  req.keep_alive(false);
  req.body() = body;
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
    req.content_length(body.size());
  else
    req.erase(bhttp::field::content_length);
  req.erase(bhttp::field::transfer_encoding);

  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  tcp::resolver resolver(ioc);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) throw ClientError(what + ": cannot resolve host: " + ec.message(), false);

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  if (req.method() == bhttp::verb::head) parser.skip(true);

  std::string stage = "connect";
  beast::error_code failure, writeFailure;
  stream.expires_after(timeout);  // one deadline for the whole exchange
  stream.async_connect(endpoints, [&](beast::error_code cec, const tcp::endpoint&) {
    if (cec) {
      failure = cec;
      return;
    }
    stage = "write";
    bhttp::async_write(stream, req, [&](beast::error_code wec, std::size_t) {
      // The server may answer early (413) and close before taking the whole body: read anyway.
      if (wec == beast::error::timeout) {
        failure = wec;
        return;
      }
      writeFailure = wec;
      stage = "read";
      bhttp::async_read(stream, buffer, parser, [&](beast::error_code rec, std::size_t) {
        if (rec) failure = rec;
      });
    });
  });
  ioc.run();

  if (failure) {
    const bool timedOut = failure == beast::error::timeout;
    std::string msg = what + ": " + stage + " failed: " +
                      (timedOut ? "timed out after " + std::to_string(timeout.count()) + " ms"
                                : failure.message());
    if (writeFailure) msg += " (write failed before: " + writeFailure.message() + ")";
    throw ClientError(msg, timedOut);
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);

  auto& res = parser.get();
  Response out;
  out.status = static_cast<int>(res.result_int());
  out.contentType = toString(res[bhttp::field::content_type]);
  for (const auto& field : res)
    out.headers.emplace_back(lower(toString(field.name_string())), toString(field.value()));
  out.body = std::move(res.body());
  return out;
}

}  // namespace ijro::http
