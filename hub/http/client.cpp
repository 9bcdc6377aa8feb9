#include "hub/http/client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "hub/http/url.hpp"

namespace ijro::http {

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
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

bool isAddress(const std::string& host) {
  beast::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

// What to connect to and how: one request, from either overload.
struct Target {
  bool https = false;
  std::string host;
  std::uint16_t port = 0;
  std::string target;
};

bhttp::request<bhttp::string_body> buildRequest(const std::string& authority,
                                                const std::string& method,
                                                const std::string& target, const std::string& body,
                                                const std::map<std::string, std::string>& headers) {
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
  return req;
}

// The state of one exchange, shared by its asynchronous steps.
struct Exchange {
  bhttp::request<bhttp::string_body> req;
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  std::string stage = "connect";
  beast::error_code failure, writeFailure;
};

// Writes the request and reads the response on a connected stream (plain or TLS); the deadline
// of the stream's lowest layer bounds both.
template <typename Stream>
void writeThenRead(Stream& stream, Exchange& x) {
  x.stage = "write";
  bhttp::async_write(stream, x.req, [&stream, &x](beast::error_code wec, std::size_t) {
    // The server may answer early (413) and close before taking the whole body: read anyway.
    if (wec == beast::error::timeout) {
      x.failure = wec;
      return;
    }
    x.writeFailure = wec;
    x.stage = "read";
    bhttp::async_read(stream, x.buffer, x.parser, [&x](beast::error_code rec, std::size_t) {
      // A TLS peer that closes without close_notify after a body framed by its length has sent
      // all there is; one whose body runs to the end of the connection has too, once told so.
      if (rec == ssl::error::stream_truncated) {
        beast::error_code eof;
        if (!x.parser.is_done()) x.parser.put_eof(eof);
        if (!eof && x.parser.is_done()) rec = {};
      }
      if (rec) x.failure = rec;
    });
  });
}

bool isTlsError(const beast::error_code& ec) {
  return ec.category() == net::error::get_ssl_category() ||
         ec.category() == ssl::error::get_stream_category();
}

std::string sslReason(const beast::error_code& ec) {
  if (ec.category() == net::error::get_ssl_category()) {
    if (const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value())))
      return reason;
  }
  return ec.message();
}

// A client context: TLS 1.2+, security level 2 or above, the trust anchors and the client's
// own certificate as the options say. Throws ClientError naming a file that cannot be used.
void configure(ssl::context& ctx, const TlsClientOptions& o, const std::string& what) {
  SSL_CTX* native = ctx.native_handle();
  // SSL_CTX_set_min_proto_version without the macro's C cast.
  SSL_CTX_ctrl(native, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, nullptr);
  if (SSL_CTX_get_security_level(native) < 2) SSL_CTX_set_security_level(native, 2);
  beast::error_code ec;
  if (!o.insecure) {
    if (o.caFile.empty())
      ctx.set_default_verify_paths(ec);
    else
      ctx.load_verify_file(o.caFile, ec);
    if (ec)
      throw ClientError(what + ": TLS: cannot load the certificate authorities " +
                            (o.caFile.empty() ? std::string("of the system") : o.caFile) + ": " +
                            sslReason(ec) + "; give a PEM file of the CAs (tls caFile)",
                        false);
    ctx.set_verify_mode(ssl::verify_peer);
  } else {
    ctx.set_verify_mode(ssl::verify_none);
  }
  if (o.certificateFile.empty() != o.keyFile.empty())
    throw ClientError(what + ": TLS: a client certificate needs both its certificate file and " +
                          "its key file (only " +
                          (o.keyFile.empty() ? "the certificate \"" + o.certificateFile
                                             : "the key \"" + o.keyFile) +
                          "\" is given)",
                      false);
  if (o.certificateFile.empty()) return;
  ctx.use_certificate_chain_file(o.certificateFile, ec);
  if (ec)
    throw ClientError(what + ": TLS: cannot load the client certificate " + o.certificateFile +
                          ": " + sslReason(ec) + "; give a PEM certificate chain",
                      false);
  ctx.use_private_key_file(o.keyFile, ssl::context::pem, ec);
  const bool mismatch =
      ec && ec.category() == net::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH;
  if (mismatch || (!ec && SSL_CTX_check_private_key(native) != 1))
    throw ClientError(what + ": TLS: the client key " + o.keyFile +
                          " does not belong to the certificate " + o.certificateFile,
                      false);
  if (ec)
    throw ClientError(what + ": TLS: cannot load the client key " + o.keyFile + ": " +
                          sslReason(ec) + "; give an unencrypted PEM private key",
                      false);
}

Response toResponse(Exchange& x) {
  auto& res = x.parser.get();
  Response out;
  out.status = static_cast<int>(res.result_int());
  out.contentType = toString(res[bhttp::field::content_type]);
  for (const auto& field : res)
    out.headers.emplace_back(lower(toString(field.name_string())), toString(field.value()));
  out.body = std::move(res.body());
  return out;
}

Response perform(const Target& t, const std::string& method, const std::string& body,
                 const std::map<std::string, std::string>& headers, const ClientOptions& options) {
  const bool v6 = t.host.find(':') != std::string::npos;
  const std::string authority = (v6 ? "[" + t.host + "]" : t.host) + ":" + std::to_string(t.port);
  const std::string what = method + (t.https ? " https://" : " http://") + authority + t.target;

  Exchange x{buildRequest(authority, method, t.target, body, headers), {}, {}, "connect", {}, {}};
  x.parser.body_limit(kMaxResponseBody);
  if (x.req.method() == bhttp::verb::head) x.parser.skip(true);

  // Checked before any connection: a file that cannot be used is the caller's to fix.
  std::optional<ssl::context> ctx;
  if (t.https) {
    ctx.emplace(ssl::context::tls_client);
    configure(*ctx, options.tls, what);
  }

  net::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(t.host, std::to_string(t.port), ec);
  if (ec) throw ClientError(what + ": cannot resolve host: " + ec.message(), false);

  std::optional<beast::tcp_stream> plain;
  std::optional<ssl::stream<beast::tcp_stream>> tls;
  beast::tcp_stream* lowest = nullptr;
  if (t.https) {
    tls.emplace(ioc, *ctx);
    SSL* native = tls->native_handle();
    const bool address = isAddress(t.host);
    // SNI names the host, so a server with several names picks its certificate; never an
    // address (RFC 6066). SSL_set_tlsext_host_name without the macro's C cast.
    if (!address)
      SSL_ctrl(native, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(t.host.c_str()));
    if (!options.tls.insecure) {
      const int set = address
                          ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(native), t.host.c_str())
                          : SSL_set1_host(native, t.host.c_str());
      if (set != 1)
        throw ClientError(what + ": TLS: cannot set the host name to verify: " + t.host, false);
    }
    lowest = &beast::get_lowest_layer(*tls);
  } else {
    plain.emplace(ioc);
    lowest = &*plain;
  }

  lowest->expires_after(options.timeout);  // one deadline for the whole exchange
  lowest->async_connect(endpoints, [&](beast::error_code cec, const tcp::endpoint&) {
    if (cec) {
      x.failure = cec;
      return;
    }
    if (!tls) {
      writeThenRead(*plain, x);
      return;
    }
    x.stage = "TLS handshake";
    tls->async_handshake(ssl::stream_base::client, [&](beast::error_code hec) {
      if (hec) {
        x.failure = hec;
        return;
      }
      writeThenRead(*tls, x);
    });
  });
  ioc.run();

  if (x.failure) {
    const bool timedOut = x.failure == beast::error::timeout;
    std::string msg;
    const long verify = tls ? SSL_get_verify_result(tls->native_handle()) : X509_V_OK;
    if (timedOut) {
      msg = what + ": " + x.stage + " failed: timed out after " +
            std::to_string(options.timeout.count()) + " ms";
    } else if (x.stage == "TLS handshake" && (verify == X509_V_ERR_HOSTNAME_MISMATCH ||
                                              verify == X509_V_ERR_IP_ADDRESS_MISMATCH)) {
      msg = what + ": TLS certificate verify failed: the server's certificate does not name host " +
            t.host + " (" + X509_verify_cert_error_string(verify) + ")";
    } else if (x.stage == "TLS handshake" && verify != X509_V_OK) {
      msg = what + ": TLS certificate verify failed: " + X509_verify_cert_error_string(verify) +
            (options.tls.caFile.empty() ? std::string(" (trusting the system's CAs)")
                                        : " (trusting the CAs in " + options.tls.caFile + ")");
    } else if (x.stage == "TLS handshake") {
      msg = what + ": TLS handshake failed: " + sslReason(x.failure);
    } else {
      msg = what + ": " + (isTlsError(x.failure) ? "TLS " : "") + x.stage +
            " failed: " + (isTlsError(x.failure) ? sslReason(x.failure) : x.failure.message());
    }
    if (x.writeFailure) msg += " (write failed before: " + x.writeFailure.message() + ")";
    throw ClientError(msg, timedOut);
  }
  beast::error_code ignored;
  lowest->socket().shutdown(tcp::socket::shutdown_both, ignored);
  return toResponse(x);
}

}  // namespace

Response request(const std::string& host, std::uint16_t port, const std::string& method,
                 const std::string& target, const std::string& body,
                 const std::map<std::string, std::string>& headers,
                 std::chrono::milliseconds timeout) {
  ClientOptions options;
  options.timeout = timeout;
  return perform(Target{false, host, port, target}, method, body, headers, options);
}

Response request(const std::string& method, const std::string& url, const std::string& body,
                 const std::map<std::string, std::string>& headers, const ClientOptions& options) {
  const auto parsed = parseUrl(url);
  if (!parsed.error.empty())
    throw std::invalid_argument("http request: cannot use the URL \"" + url +
                                "\": " + parsed.error);
  return perform(Target{parsed.https, parsed.host, parsed.port, parsed.target}, method, body,
                 headers, options);
}

}  // namespace ijro::http
