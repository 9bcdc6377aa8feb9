// HTTPS: the client's certificate and host checks, mutual TLS, and its errors. Certificates are
// made at run time (tests/support/test_certs): a CA, a server certificate for localhost and
// 127.0.0.1, client certificates.
#include <gtest/gtest.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "hub/http/client.hpp"
#include "tests/support/test_certs.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::http {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// The certificates every test here uses, made once: CA "Test CA" signs the server's
// certificate (localhost, 127.0.0.1) and a client's; "Other CA" signs nothing the server has.
struct Pki {
  std::filesystem::path dir = test::tempDir("tls-pki");
  test::TestCa ca{dir, "test-ca"};
  test::TestCa other{dir, "other-ca"};
  test::PemFiles server = ca.issue("server", "hub.test", {"DNS:localhost", "IP:127.0.0.1"}, false);
  test::PemFiles elsewhere =
      ca.issue("elsewhere", "elsewhere.test", {"DNS:elsewhere.test", "IP:10.9.9.9"}, false);
  test::PemFiles client = ca.issue("client", "region-1703", {}, true, "Toshkent viloyati");
  test::PemFiles strangerClient = other.issue("stranger", "stranger", {}, true);
};

const Pki& pki() {
  static const Pki p;
  return p;
}

// A TLS responder on loopback for the client's tests: answers every request with 200 and a body
// naming the target and the verified client certificate's subject ("-" when none).
class TlsResponder {
 public:
  TlsResponder(const test::PemFiles& cert, const std::string& clientCa = {})
      : ctx_(ssl::context::tls_server), acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
    ctx_.use_certificate_chain_file(cert.certificate.string());
    ctx_.use_private_key_file(cert.key.string(), ssl::context::pem);
    if (!clientCa.empty()) {
      ctx_.load_verify_file(clientCa);
      ctx_.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }
    accept();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~TlsResponder() {
    ioc_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int handshakeFailures() const { return failures_.load(); }

 private:
  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      serve(std::move(socket));
      accept();
    });
  }
  void serve(tcp::socket socket) {
    ssl::stream<tcp::socket> stream(std::move(socket), ctx_);
    beast::error_code ec;
    stream.handshake(ssl::stream_base::server, ec);
    if (ec) {
      ++failures_;
      return;
    }
    std::string subject = "-";
    if (X509* peer = SSL_get1_peer_certificate(stream.native_handle())) {
      char buf[256];
      X509_NAME_oneline(X509_get_subject_name(peer), buf, sizeof buf);
      subject = buf;
      X509_free(peer);
    }
    beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> req;
    bhttp::read(stream, buffer, req, ec);
    if (ec) return;
    bhttp::response<bhttp::string_body> res{bhttp::status::ok, 11};
    res.set(bhttp::field::content_type, "text/plain");
    res.body() = std::string(req.target()) + " " + subject;
    res.prepare_payload();
    res.keep_alive(false);
    bhttp::write(stream, res, ec);
    stream.shutdown(ec);
  }

  net::io_context ioc_;
  ssl::context ctx_;
  tcp::acceptor acceptor_;
  std::atomic<int> failures_{0};
  std::thread thread_;
};

ClientOptions trusting(const std::filesystem::path& ca) {
  ClientOptions o;
  o.timeout = 5s;
  o.tls.caFile = ca.string();
  return o;
}

std::string url(std::uint16_t port, const std::string& host = "127.0.0.1") {
  return "https://" + host + ":" + std::to_string(port) + "/api/v1/health?x=1";
}

// Runs the request and returns the ClientError's message ("" when none was thrown).
template <typename F>
std::string clientError(F f) {
  try {
    f();
  } catch (const ClientError& e) {
    return e.what();
  }
  return {};
}

TEST(HttpsClient, RequestOverTlsTrustingTheCaGetsTheAnswer) {
  TlsResponder srv(pki().server);
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    const auto res =
        request("GET", url(srv.port(), host), {}, {}, trusting(pki().ca.files().certificate));
    EXPECT_EQ(res.status, 200) << host;
    EXPECT_EQ(res.body, "/api/v1/health?x=1 -") << host;
  }
}

TEST(HttpsClient, ServerSignedByAnUntrustedCaFailsWithAVerifyError) {
  TlsResponder srv(pki().server);
  const auto error = clientError(
      [&] { request("GET", url(srv.port()), {}, {}, trusting(pki().other.files().certificate)); });
  EXPECT_NE(error.find("TLS certificate verify failed"), std::string::npos) << error;
  EXPECT_NE(error.find("unable to get local issuer certificate"), std::string::npos) << error;
  EXPECT_NE(error.find("https://127.0.0.1:"), std::string::npos) << error;
}

TEST(HttpsClient, CertificateForAnotherHostIsRefused) {
  TlsResponder srv(pki().elsewhere);
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    const auto error = clientError([&] {
      request("GET", url(srv.port(), host), {}, {}, trusting(pki().ca.files().certificate));
    });
    EXPECT_NE(error.find("does not name host " + host), std::string::npos) << error;
  }
}

TEST(HttpsClient, InsecureSkipsTheChecksOnlyWhenAskedFor) {
  TlsResponder srv(pki().elsewhere);
  ClientOptions o;
  o.timeout = 5s;
  EXPECT_FALSE(o.tls.insecure);
  // The system's trust store does not know the test CA: refused by default.
  EXPECT_NE(clientError([&] {
              request("GET", url(srv.port()), {}, {}, o);
            }).find("TLS certificate verify failed"),
            std::string::npos);
  o.tls.insecure = true;
  EXPECT_EQ(request("GET", url(srv.port()), {}, {}, o).status, 200);
}

TEST(HttpsClient, ClientCertificateReachesAServerThatRequiresOne) {
  TlsResponder srv(pki().server, pki().ca.files().certificate.string());
  auto o = trusting(pki().ca.files().certificate);
  o.tls.certificateFile = pki().client.certificate.string();
  o.tls.keyFile = pki().client.key.string();
  const auto res = request("GET", url(srv.port()), {}, {}, o);
  EXPECT_EQ(res.status, 200);
  EXPECT_NE(res.body.find("CN=region-1703"), std::string::npos) << res.body;
}

TEST(HttpsClient, WithoutAClientCertificateAServerThatRequiresOneRefusesWithATlsError) {
  TlsResponder srv(pki().server, pki().ca.files().certificate.string());
  const auto error = clientError(
      [&] { request("GET", url(srv.port()), {}, {}, trusting(pki().ca.files().certificate)); });
  EXPECT_NE(error.find("TLS"), std::string::npos) << error;
  EXPECT_NE(error.find("certificate required"), std::string::npos) << error;
  EXPECT_EQ(srv.handshakeFailures(), 1);
}

TEST(HttpsClient, UnusableFilesAreNamedInTheError) {
  TlsResponder srv(pki().server);
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
}

TEST(HttpsClient, PlainHttpUrlAndBadUrls) {
  TlsResponder srv(pki().server);
  // http:// to a TLS port: the server answers with no HTTP response.
  EXPECT_THROW(request("GET", "http://127.0.0.1:" + std::to_string(srv.port()) + "/", {}, {},
                       ClientOptions{2s, {}}),
               ClientError);
  EXPECT_THROW(request("GET", "ftp://127.0.0.1/"), std::invalid_argument);
  EXPECT_THROW(request("GET", "https://user@127.0.0.1/"), std::invalid_argument);
}

}  // namespace
}  // namespace ijro::http
