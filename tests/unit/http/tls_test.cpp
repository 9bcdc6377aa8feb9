// HTTPS: the server's TLS (one code path with plain HTTP, mutual TLS, the client certificate's
// subject in the Request, handshake failures counted) and the client's certificate and host
// checks. Certificates are made at run time (tests/support/test_certs): a CA, a server
// certificate for localhost and 127.0.0.1, client certificates.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

#include "hub/http/client.hpp"
#include "hub/http/server.hpp"
#include "tests/support/test_certs.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/wait.hpp"
#include "tests/unit/http/raw_socket.hpp"

namespace ijro::http {
namespace {

using namespace std::chrono_literals;

// The certificates every test here uses, made once: "test-ca" signs the server's certificate
// (localhost, 127.0.0.1), one for another host and a client's; "other-ca" signs a stranger's.
struct Pki {
  std::filesystem::path dir = test::tempDir("tls-pki");
  test::TestCa ca{dir, "test-ca"};
  test::TestCa other{dir, "other-ca"};
  test::PemFiles server = ca.issue("server", "hub.test", {"DNS:localhost", "IP:127.0.0.1"}, false);
  test::PemFiles elsewhere =
      ca.issue("elsewhere", "elsewhere.test", {"DNS:elsewhere.test", "IP:10.9.9.9"}, false);
  test::PemFiles client = ca.issue("client", "region-1703", {}, true, "Toshkent viloyati");
  test::PemFiles stranger = other.issue("stranger", "stranger", {}, true);
};

const Pki& pki() {
  static const Pki p;
  return p;
}

ServerTls serverTls(const test::PemFiles& cert, const std::string& clientCa = {},
                    bool require = false) {
  return ServerTls{cert.certificate.string(), cert.key.string(), clientCa, require};
}

// A TLS Server on loopback, running on a background thread for the duration of a test. Its
// Handler answers 200 with "<method> <target> [<client subject>] <body>" and counts its calls.
class Running {
 public:
  explicit Running(ServerTls tls, std::chrono::milliseconds headerTimeout = 10s)
      : server(options(std::move(tls), headerTimeout),
               [this](const Request& r) {
                 ++calls;
                 if (r.path == "/file") return fileRange();
                 return Response{200,
                                 "text/plain",
                                 r.method + " " + r.target + " [" + r.clientSubject + "] " + r.body,
                                 {}};
               }),
        thread([this] { server.run(false); }) {}
  ~Running() {
    server.stop();
    thread.join();
  }
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;

  std::uint16_t port() const { return server.port(); }
  std::uint64_t handshakeFailures() const { return server.stats().tlsHandshakeFailures.load(); }

  // A streamed body of bytes and a range of a file (kFileRangeBody's last 200,000 bytes).
  static Response fileRange() {
    Response res{200, "text/plain", {}, {}};
    res.stream = [](const BodyWriter& write) {
      write("range:");
      char path[] = "/tmp/ijro-tls-range-XXXXXX";
      const int fd = ::mkstemp(path);
      if (fd < 0) throw std::runtime_error("cannot make the test file");
      ::unlink(path);
      const std::string bytes = fileBytes();
      const bool whole =
          ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
      if (whole) write.file(fd, 100'000, 200'000);
      ::close(fd);
      if (!whole) throw std::runtime_error("cannot write the test file");
    };
    return res;
  }
  static std::string fileBytes() {
    std::string bytes(300'000, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>('a' + i % 23);
    return bytes;
  }

  std::atomic<int> calls{0};
  Server server;
  std::thread thread;

 private:
  static ServerOptions options(ServerTls tls, std::chrono::milliseconds headerTimeout) {
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    o.handlerThreads = 2;
    o.headerTimeout = headerTimeout;
    o.tls = std::move(tls);
    return o;
  }
};

ClientOptions trusting(const std::filesystem::path& ca) {
  ClientOptions o;
  o.timeout = 5s;
  o.tls.caFile = ca.string();
  return o;
}

ClientOptions withClientCert(const test::PemFiles& cert) {
  auto o = trusting(pki().ca.files().certificate);
  o.tls.certificateFile = cert.certificate.string();
  o.tls.keyFile = cert.key.string();
  return o;
}

std::string url(std::uint16_t port, const std::string& host = "127.0.0.1") {
  return "https://" + host + ":" + std::to_string(port) + "/api/v1/health?x=1";
}

// Runs f and returns the message of the ClientError it throws ("" when it throws none).
template <typename F>
std::string clientError(F f) {
  try {
    f();
  } catch (const ClientError& e) {
    return e.what();
  }
  return {};
}

// Makes a Server and returns the message of the std::runtime_error it throws ("" if none).
std::string startError(const ServerTls& tls) {
  ServerOptions o;
  o.host = "127.0.0.1";
  o.tls = tls;
  try {
    Server s(o, [](const Request&) { return Response{}; });
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

// ------------------------------------------------------------------------------ server and client

TEST(HttpsServer, RequestOverTlsReachesTheHandlerAndTheAnswerComesBack) {
  Running srv(serverTls(pki().server));
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    const auto res =
        request("POST", url(srv.port(), host), "<report/>", {{"Content-Type", "application/xml"}},
                trusting(pki().ca.files().certificate));
    EXPECT_EQ(res.status, 200) << host;
    EXPECT_EQ(res.body, "POST /api/v1/health?x=1 [] <report/>") << host;
  }
  EXPECT_EQ(srv.calls.load(), 2);
  EXPECT_EQ(srv.handshakeFailures(), 0u);
}

// Over TLS a file range cannot go with sendfile: the server reads it and sends it encrypted.
TEST(HttpsServer, AStreamedFileRangeArrivesWholeOverTls) {
  Running srv(serverTls(pki().server));
  auto o = trusting(pki().ca.files().certificate);
  const auto res =
      request("GET", "https://127.0.0.1:" + std::to_string(srv.port()) + "/file", {}, {}, o);
  EXPECT_EQ(res.status, 200);
  EXPECT_TRUE(res.body == "range:" + Running::fileBytes().substr(100'000, 200'000))
      << res.body.size() << " bytes";
}

TEST(HttpsClient, ServerSignedByAnUntrustedCaFailsWithAVerifyError) {
  Running srv(serverTls(pki().server));
  const auto error = clientError(
      [&] { request("GET", url(srv.port()), {}, {}, trusting(pki().other.files().certificate)); });
  EXPECT_NE(error.find("TLS certificate verify failed: unable to get local issuer certificate"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("GET https://127.0.0.1:"), std::string::npos) << error;
  EXPECT_EQ(srv.calls.load(), 0);
}

TEST(HttpsClient, CertificateForAnotherHostIsRefused) {
  Running srv(serverTls(pki().elsewhere));
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    const auto error = clientError([&] {
      request("GET", url(srv.port(), host), {}, {}, trusting(pki().ca.files().certificate));
    });
    EXPECT_NE(error.find("TLS certificate verify failed: the server's certificate does not name "
                         "host " +
                         host),
              std::string::npos)
        << error;
  }
  EXPECT_EQ(srv.calls.load(), 0);
}

TEST(HttpsClient, InsecureSkipsTheChecksOnlyWhenAskedFor) {
  Running srv(serverTls(pki().elsewhere));
  ClientOptions o;
  o.timeout = 5s;
  EXPECT_FALSE(o.tls.insecure);
  // The system's trust store does not know the test CA: refused by default.
  const auto error = clientError([&] { request("GET", url(srv.port()), {}, {}, o); });
  EXPECT_NE(error.find("TLS certificate verify failed"), std::string::npos) << error;
  EXPECT_NE(error.find("trusting the system's CAs"), std::string::npos) << error;
  o.tls.insecure = true;
  EXPECT_EQ(request("GET", url(srv.port()), {}, {}, o).status, 200);
}

// ------------------------------------------------------------------------------------ mutual TLS

TEST(HttpsServer, RequireClientCertRefusesAClientWithoutOneInTheHandshake) {
  Running srv(serverTls(pki().server, pki().ca.files().certificate.string(), true));
  const auto error = clientError(
      [&] { request("GET", url(srv.port()), {}, {}, trusting(pki().ca.files().certificate)); });
  EXPECT_NE(error.find("TLS"), std::string::npos) << error;
  EXPECT_NE(error.find("certificate required"), std::string::npos) << error;
  EXPECT_TRUE(test::waitFor([&] { return srv.handshakeFailures() == 1; }, 5s));
  EXPECT_EQ(srv.calls.load(), 0);
}

TEST(HttpsServer, ClientCertificateSignedByTheCaGetsThroughWithItsSubjectInTheRequest) {
  Running srv(serverTls(pki().server, pki().ca.files().certificate.string(), true));
  const auto res = request("GET", url(srv.port()), {}, {}, withClientCert(pki().client));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "GET /api/v1/health?x=1 [CN=region-1703,O=Toshkent viloyati] ");
  EXPECT_EQ(srv.handshakeFailures(), 0u);
}

TEST(HttpsServer, ClientCertificateFromAnotherCaIsRefused) {
  Running srv(serverTls(pki().server, pki().ca.files().certificate.string(), true));
  const auto error =
      clientError([&] { request("GET", url(srv.port()), {}, {}, withClientCert(pki().stranger)); });
  EXPECT_NE(error.find("TLS"), std::string::npos) << error;
  EXPECT_TRUE(test::waitFor([&] { return srv.handshakeFailures() == 1; }, 5s));
  EXPECT_EQ(srv.calls.load(), 0);
}

TEST(HttpsServer, OptionalClientCertificateLetsAClientWithoutOneThroughWithNoSubject) {
  Running srv(serverTls(pki().server, pki().ca.files().certificate.string(), false));
  auto res = request("GET", url(srv.port()), {}, {}, trusting(pki().ca.files().certificate));
  EXPECT_EQ(res.body, "GET /api/v1/health?x=1 [] ");
  res = request("GET", url(srv.port()), {}, {}, withClientCert(pki().client));
  EXPECT_EQ(res.body, "GET /api/v1/health?x=1 [CN=region-1703,O=Toshkent viloyati] ");
}

TEST(HttpsServer, KeptAliveTlsConnectionServesSeveralRequests) {
  namespace net = boost::asio;
  namespace beast = boost::beast;
  namespace bhttp = boost::beast::http;
  Running srv(serverTls(pki().server));
  net::io_context ioc;
  net::ssl::context ctx(net::ssl::context::tls_client);
  ctx.load_verify_file(pki().ca.files().certificate.string());
  ctx.set_verify_mode(net::ssl::verify_peer);
  net::ssl::stream<net::ip::tcp::socket> stream(ioc, ctx);
  net::ip::tcp::resolver resolver(ioc);
  net::connect(stream.next_layer(), resolver.resolve("127.0.0.1", std::to_string(srv.port())));
  stream.handshake(net::ssl::stream_base::client);
  beast::flat_buffer buffer;
  for (const std::string target : {"/one", "/two", "/three"}) {
    bhttp::request<bhttp::string_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.keep_alive(true);
    bhttp::write(stream, req);
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream, buffer, res);
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res.body(), "GET " + target + " [] ");
    EXPECT_TRUE(res.keep_alive());
  }
  EXPECT_EQ(srv.calls.load(), 3);
  EXPECT_EQ(srv.server.stats().connections.load(), 1u);
}

TEST(HttpsServer, ClientOfferingOnlyTls11IsRefusedInTheHandshake) {
  namespace net = boost::asio;
  Running srv(serverTls(pki().server));
  net::io_context ioc;
  net::ssl::context ctx(net::ssl::context::tls_client);
  SSL_CTX_set_security_level(ctx.native_handle(), 0);  // let this client offer TLS 1.1 at all
  SSL_CTX_ctrl(ctx.native_handle(), SSL_CTRL_SET_MAX_PROTO_VERSION, TLS1_1_VERSION, nullptr);
  ctx.set_verify_mode(net::ssl::verify_none);
  net::ssl::stream<net::ip::tcp::socket> stream(ioc, ctx);
  net::ip::tcp::resolver resolver(ioc);
  net::connect(stream.next_layer(), resolver.resolve("127.0.0.1", std::to_string(srv.port())));
  boost::system::error_code ec;
  stream.handshake(net::ssl::stream_base::client, ec);
  EXPECT_TRUE(ec) << "a TLS 1.1 handshake succeeded";
  EXPECT_TRUE(test::waitFor([&] { return srv.handshakeFailures() == 1; }, 5s));
  EXPECT_EQ(srv.calls.load(), 0);
}

// --------------------------------------------------------------------- what is not TLS, timeouts

TEST(HttpsServer, PlainHttpClientOnTheTlsPortGetsNoResponseAndTheServerServesTheNextOne) {
  Running srv(serverTls(pki().server));
  {
    test::RawConnection raw(srv.port());
    raw.send("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const auto got = raw.readAll(5s);
    EXPECT_TRUE(raw.closed());
    EXPECT_EQ(got.find("HTTP/1."), std::string::npos) << got;
  }
  EXPECT_THROW(request("127.0.0.1", srv.port(), "GET", "/api/v1/health", {}, {}, 5s), ClientError);
  EXPECT_TRUE(test::waitFor([&] { return srv.handshakeFailures() == 2; }, 5s));
  EXPECT_EQ(srv.calls.load(), 0);
  const auto res = request("GET", url(srv.port()), {}, {}, trusting(pki().ca.files().certificate));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(srv.calls.load(), 1);
}

TEST(HttpsServer, HandshakeThatDoesNotStartWithinTheHeaderTimeoutIsClosedAndCounted) {
  Running srv(serverTls(pki().server), 300ms);
  test::RawConnection raw(srv.port());
  const auto start = std::chrono::steady_clock::now();
  raw.readAll(5s);  // nothing sent: the server closes once the header timeout passes
  EXPECT_TRUE(raw.closed());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
  EXPECT_TRUE(test::waitFor([&] { return srv.handshakeFailures() == 1; }, 5s));
}

// ------------------------------------------------------------------------------ files, URLs

TEST(HttpsServer, UnusableCertificateOrKeyFilesStopTheStartNamingThem) {
  const auto& p = pki();
  auto error =
      startError(ServerTls{(p.dir / "none.crt").string(), p.server.key.string(), {}, false});
  EXPECT_NE(error.find("cannot load the certificate " + (p.dir / "none.crt").string()),
            std::string::npos)
      << error;
  error = startError(ServerTls{p.server.certificate.string(), p.client.key.string(), {}, false});
  EXPECT_NE(error.find("the key " + p.client.key.string() + " does not belong to the certificate"),
            std::string::npos)
      << error;
  const auto garbage = p.dir / "garbage.key";
  std::ofstream(garbage) << "not a key\n";
  error = startError(ServerTls{p.server.certificate.string(), garbage.string(), {}, false});
  EXPECT_NE(error.find("cannot load the key " + garbage.string()), std::string::npos) << error;
  error = startError(ServerTls{p.server.certificate.string(), p.server.key.string(),
                               (p.dir / "none-ca.crt").string(), true});
  EXPECT_NE(error.find("cannot load the client CAs " + (p.dir / "none-ca.crt").string()),
            std::string::npos)
      << error;
  error = startError(ServerTls{p.server.certificate.string(), p.server.key.string(), {}, true});
  EXPECT_NE(error.find("requireClientCert needs"), std::string::npos) << error;
  EXPECT_EQ(startError(serverTls(p.server)), "");
}

TEST(HttpsClient, UnusableFilesAreNamedInTheError) {
  Running srv(serverTls(pki().server));
  auto o = trusting(pki().dir / "missing-ca.pem");
  auto error = clientError([&] { request("GET", url(srv.port()), {}, {}, o); });
  EXPECT_NE(error.find("TLS: cannot load the certificate authorities"), std::string::npos) << error;
  EXPECT_NE(error.find("missing-ca.pem"), std::string::npos) << error;

  o = trusting(pki().ca.files().certificate);
  o.tls.certificateFile = pki().client.certificate.string();
  error = clientError([&] { request("GET", url(srv.port()), {}, {}, o); });
  EXPECT_NE(error.find("needs both its certificate file and its key file"), std::string::npos)
      << error;

  o.tls.keyFile = pki().server.key.string();  // another certificate's key
  error = clientError([&] { request("GET", url(srv.port()), {}, {}, o); });
  EXPECT_NE(error.find("does not belong to the certificate"), std::string::npos) << error;
  EXPECT_EQ(srv.calls.load(), 0);
}

TEST(HttpsClient, UrlOverloadSpeaksPlainHttpForHttpUrlsAndRefusesBadUrls) {
  ServerOptions o;
  o.host = "127.0.0.1";
  Server plain(o, [](const Request& r) { return Response{200, "text/plain", r.target, {}}; });
  std::thread t([&] { plain.run(false); });
  const auto res =
      request("GET", "http://127.0.0.1:" + std::to_string(plain.port()) + "/a?b=1", {}, {});
  plain.stop();
  t.join();
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "/a?b=1");
  EXPECT_THROW(request("GET", "ftp://127.0.0.1/"), std::invalid_argument);
  EXPECT_THROW(request("GET", "https://user@127.0.0.1/"), std::invalid_argument);
}

}  // namespace
}  // namespace ijro::http
