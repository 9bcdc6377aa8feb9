// One HTTP/1.1 exchange over a fresh connection, plain or TLS (see connection.hpp).
//
// Each step (connect, handshake, write, read) is started asynchronously and the I/O context is
// run on the caller's thread until the step completes: that gives Beast's stream timeouts to a
// synchronous caller without a thread. Name resolution is the one blocking call (getaddrinfo):
// Asio's asynchronous resolver would start a thread of its own; the system resolver's timeouts
// (resolv.conf) bound it, and the time it takes counts against the request's deadline.
#include "connection.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace ijro::sdk::http::detail {

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

std::string ms(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

// The OpenSSL reason for the last failure, or the error code's message.
std::string describe(const error_code& ec) {
  std::string text = ec.message();
  if (ec.category() == net::error::get_ssl_category()) {
    char buf[256];
    ERR_error_string_n(static_cast<unsigned long>(ec.value()), buf, sizeof buf);
    text = buf;
  }
  return text;
}

// Runs the context until the started operation (and its timer) completed.
void runStep(net::io_context& ioc) {
  ioc.restart();
  ioc.run();
}

}  // namespace

namespace {
bhttp::verb verbOf(Method m) {
  switch (m) {
    case Method::Head:
      return bhttp::verb::head;
    case Method::Post:
      return bhttp::verb::post;
    case Method::Get:
      break;
  }
  return bhttp::verb::get;
}
}  // namespace

struct Connector::Impl {
  net::io_context ioc{1};
  ssl::context tls{ssl::context::tls_client};
  bool verifyPeer = true;
};

Connector::Connector(const TlsOptions& options) : impl_(std::make_unique<Impl>()) {
  auto& ctx = impl_->tls;
  impl_->verifyPeer = options.verifyPeer;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  error_code ec;
  if (options.verifyPeer) {
    if (options.caFile.empty()) {
      ctx.set_default_verify_paths(ec);
      if (ec)
        throw Error(ErrorKind::InvalidRequest, "",
                    "cannot load the system's certificate store (" + describe(ec) +
                        "): install ca-certificates or set tls.caFile");
    } else {
      ctx.load_verify_file(options.caFile, ec);
      if (ec)
        throw Error(ErrorKind::InvalidRequest, "",
                    "cannot read the CA file \"" + options.caFile + "\" (" + describe(ec) +
                        "): tls.caFile must name a readable PEM file of the certificate "
                        "authorities to trust");
    }
    ctx.set_verify_mode(ssl::verify_peer);
  } else {
    ctx.set_verify_mode(ssl::verify_none);
  }
  if (options.clientCertificateFile.empty() != options.clientKeyFile.empty())
    throw Error(ErrorKind::InvalidRequest, "",
                "a client certificate needs both tls.clientCertificateFile and "
                "tls.clientKeyFile: set both, or neither");
  if (!options.clientCertificateFile.empty()) {
    ctx.use_certificate_chain_file(options.clientCertificateFile, ec);
    if (ec)
      throw Error(ErrorKind::InvalidRequest, "",
                  "cannot read the client certificate \"" + options.clientCertificateFile + "\" (" +
                      describe(ec) + "): give a PEM file, the certificate first");
    ctx.use_private_key_file(options.clientKeyFile, ssl::context::pem, ec);
    if (ec)
      throw Error(ErrorKind::InvalidRequest, "",
                  "cannot read the client key \"" + options.clientKeyFile + "\" (" + describe(ec) +
                      "): give an unencrypted PEM private key");
    if (SSL_CTX_check_private_key(ctx.native_handle()) != 1)
      throw Error(ErrorKind::InvalidRequest, "",
                  "the client key \"" + options.clientKeyFile +
                      "\" does not belong to the certificate \"" + options.clientCertificateFile +
                      "\": give the key of that certificate");
  }
}

Connector::~Connector() = default;

namespace {

// The whole exchange on a connected stream (tcp_stream, or ssl::stream over one).
template <class Stream>
Answer talk(net::io_context& ioc, Stream& stream, const Target& target, const Outgoing& out,
            const Limits& limits, Clock::time_point deadline, const std::string& safeUrl,
            bool& sent) {
  const std::string where = target.host + ":" + target.port;
  auto timeout = [&] {
    return Error(ErrorKind::Timeout, safeUrl,
                 "no complete response from " + where + " within " + ms(limits.requestTimeout) +
                     " (requestTimeout): the server is slow or stuck; raise requestTimeout or "
                     "ask for less per request");
  };

  bhttp::request<bhttp::string_body> req{verbOf(out.method), target.target, 11};
  req.set(bhttp::field::host, target.hostHeader);
  req.set(bhttp::field::user_agent, limits.userAgent);
  for (const auto& h : out.headers) {
    // A caller's Host or User-Agent replaces the client's own rather than doubling it.
    if (equalsIgnoringCase(h.name, "host") || equalsIgnoringCase(h.name, "user-agent"))
      req.set(h.name, h.value);
    else
      req.insert(h.name, h.value);
  }
  req.set(bhttp::field::connection, "close");
  if (out.method == Method::Post || !out.body.empty()) {
    req.body() = out.body;
    req.prepare_payload();
  }

  error_code ec;
  beast::get_lowest_layer(stream).expires_at(deadline);
  bhttp::async_write(stream, req, [&](error_code e, std::size_t) { ec = e; });
  runStep(ioc);
  if (ec == beast::error::timeout) throw timeout();
  if (ec)
    throw Error(ErrorKind::Connect, safeUrl,
                "the connection to " + where + " failed while sending the request (" +
                    describe(ec) + "): the server closed it; check the server's log");
  sent = true;

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.header_limit(64 * 1024);
  parser.body_limit(limits.maxResponseBytes);
  if (out.method == Method::Head) parser.skip(true);
  beast::get_lowest_layer(stream).expires_at(deadline);
  bhttp::async_read(stream, buffer, parser, [&](error_code e, std::size_t) { ec = e; });
  runStep(ioc);
  // A TLS server that closes without close_notify after a complete message did no harm.
  if (ec == ssl::error::stream_truncated && parser.is_done()) ec = {};
  if (ec == bhttp::error::body_limit)
    throw Error(ErrorKind::TooLarge, safeUrl,
                "the response from " + where + " is larger than " +
                    std::to_string(limits.maxResponseBytes) +
                    " bytes (maxResponseBytes): raise maxResponseBytes or ask for smaller pages");
  if (ec == bhttp::error::header_limit)
    throw Error(ErrorKind::TooLarge, safeUrl,
                "the response headers from " + where +
                    " are larger than 64 KiB: the server's answer is not usable");
  if (ec == beast::error::timeout) throw timeout();
  if (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
      ec == ssl::error::stream_truncated)
    throw Error(ErrorKind::Connect, safeUrl,
                "the server at " + where +
                    " closed the connection without a complete answer: check the server's log");
  if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category())
    throw Error(ErrorKind::Protocol, safeUrl,
                "the answer from " + where + " is not HTTP/1.x (" + ec.message() +
                    "): check the URL's scheme and port (https:// for a TLS port)");
  // TLS 1.3 servers refuse a missing or unknown client certificate only after the handshake.
  if (ec && ec.category() == net::error::get_ssl_category())
    throw Error(ErrorKind::Tls, safeUrl,
                "TLS failed while reading the response from " + where + " (" + describe(ec) +
                    "): if the server wants a client certificate, set "
                    "tls.clientCertificateFile and tls.clientKeyFile");
  if (ec)
    throw Error(
        ErrorKind::Connect, safeUrl,
        "the connection to " + where + " failed while reading the response (" + describe(ec) + ")");

  auto& res = parser.get();
  Answer answer;
  answer.status = static_cast<int>(res.result_int());
  answer.reason = std::string(res.reason());
  for (const auto& field : res)
    answer.headers.push_back({lower(field.name_string()), std::string(field.value())});
  answer.body = std::move(res.body());
  return answer;
}

}  // namespace

Answer Connector::exchange(const Target& target, const Outgoing& out, const Limits& limits,
                           const std::string& safeUrl, bool& sent) {
  sent = false;
  auto& ioc = impl_->ioc;
  const auto started = Clock::now();
  const auto deadline = started + limits.requestTimeout;
  const auto connectDeadline = std::min(deadline, started + limits.connectTimeout);
  const std::string where = target.host + ":" + target.port;

  error_code ec;
  tcp::resolver resolver(ioc);
  const auto flags = target.hostIsAddress ? tcp::resolver::numeric_host : tcp::resolver::flags{};
  auto endpoints = resolver.resolve(target.host, target.port, flags, ec);
  if (ec)
    throw Error(ErrorKind::Resolve, safeUrl,
                "cannot resolve the host name \"" + target.host + "\" (" + ec.message() +
                    "): check the host name in the URL and this machine's DNS settings");
  if (Clock::now() >= connectDeadline)
    throw Error(ErrorKind::Timeout, safeUrl,
                "resolving \"" + target.host + "\" took longer than " + ms(limits.connectTimeout) +
                    " (connectTimeout): check this machine's DNS settings");

  auto connect = [&](beast::tcp_stream& tcpStream) {
    tcpStream.expires_at(connectDeadline);
    tcpStream.async_connect(endpoints, [&](error_code e, const tcp::endpoint&) { ec = e; });
    runStep(ioc);
    if (ec == beast::error::timeout)
      throw Error(ErrorKind::Timeout, safeUrl,
                  "no connection to " + where + " within " + ms(limits.connectTimeout) +
                      " (connectTimeout): the host is down or a firewall drops the packets");
    if (ec)
      throw Error(ErrorKind::Connect, safeUrl,
                  "cannot connect to " + where + " (" + ec.message() +
                      "): check that the server runs and listens on that port");
  };

  if (!target.https) {
    beast::tcp_stream stream(ioc);
    connect(stream);
    Answer answer = talk(ioc, stream, target, out, limits, deadline, safeUrl, sent);
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return answer;
  }

  ssl::stream<beast::tcp_stream> stream(ioc, impl_->tls);
  SSL* ssl = stream.native_handle();
  // SNI names the host so a server with several sites picks the right certificate; an address
  // is not a name and is not sent.
  // (SSL_set_tlsext_host_name, without the macro's C cast.)
  if (!target.hostIsAddress &&
      SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(target.host.c_str())) != 1)
    throw Error(ErrorKind::Tls, safeUrl, "cannot set the TLS server name \"" + target.host + "\"");
  if (impl_->verifyPeer) {
    // The certificate must name the host of the URL, as a DNS name or an IP address.
    const int set = target.hostIsAddress
                        ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), target.host.c_str())
                        : SSL_set1_host(ssl, target.host.c_str());
    if (set != 1)
      throw Error(ErrorKind::Tls, safeUrl,
                  "cannot check the certificate against the host \"" + target.host + "\"");
  }
  connect(beast::get_lowest_layer(stream));
  beast::get_lowest_layer(stream).expires_at(deadline);
  stream.async_handshake(ssl::stream_base::client, [&](error_code e) { ec = e; });
  runStep(ioc);
  if (ec == beast::error::timeout)
    throw Error(ErrorKind::Timeout, safeUrl,
                "the TLS handshake with " + where + " did not finish within " +
                    ms(limits.requestTimeout) + " (requestTimeout)");
  if (ec) {
    const long verify = SSL_get_verify_result(ssl);
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH)
      throw Error(ErrorKind::HostNameMismatch, safeUrl,
                  "the server's certificate is not for host " + target.host +
                      ": use the host name the certificate names in the URL, or ask the "
                      "server's operators for a certificate that names " +
                      target.host);
    if (verify != X509_V_OK)
      throw Error(ErrorKind::CertificateVerify, safeUrl,
                  "certificate verify failed for host " + target.host + " (" +
                      X509_verify_cert_error_string(verify) +
                      "): set tls.caFile to the PEM file of the certificate authority that "
                      "issued the server's certificate, or add that authority to the system "
                      "store (/usr/local/share/ca-certificates, then update-ca-certificates)");
    throw Error(ErrorKind::Tls, safeUrl,
                "the TLS handshake with " + where + " failed (" + describe(ec) +
                    "): check that the port speaks TLS (else use http://) and whether the "
                    "server wants a client certificate (tls.clientCertificateFile)");
  }
  Answer answer = talk(ioc, stream, target, out, limits, deadline, safeUrl, sent);
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ec);
  return answer;
}

}  // namespace ijro::sdk::http::detail
