// The SDK's HTTP client over TLS against a loopback test server whose certificate a throwaway CA,
// made at test time, issued: verification on by default, a CA file, the host name checked and
// sent (SNI), verification off only with a warning, and no redirect from https to http.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <ijro_http.hpp>

#include "tests/support/test_support.hpp"
#include "tests/unit/sdk/http/test_server.hpp"

namespace {

using namespace std::chrono_literals;
using ijro::sdk::LogLevel;
using ijro::sdk::http::Client;
using ijro::sdk::http::ClientOptions;
using ijro::sdk::http::Error;
using ijro::sdk::http::ErrorKind;
using ijro::test::http::Received;
using ijro::test::http::Reply;
using ijro::test::http::TestAuthority;
using ijro::test::http::TestServer;
using ::testing::HasSubstr;

class HttpClientTls : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ijro::test::tempDir("http_client_tls");
    caFile_ = (dir_ / "ca.pem").string();
    std::ofstream(caFile_) << authority_.certificatePem();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  ClientOptions options() {
    ClientOptions o;
    o.connectTimeout = 5s;
    o.requestTimeout = 10s;
    o.sleep = [this](std::chrono::milliseconds d) { sleeps_.push_back(d); };
    o.log = [this](LogLevel level, const std::string& line) {
      if (level == LogLevel::Warn) warnings_.push_back(line);
    };
    return o;
  }

  static Reply hello(const Received&) { return Reply{200, {}, "hello over TLS"}; }

  template <class F>
  static Error errorOf(F&& f) {
    try {
      f();
    } catch (const Error& e) {
      return e;
    }
    ADD_FAILURE() << "no ijro::sdk::http::Error was thrown";
    return Error(ErrorKind::InvalidRequest, "", "none");
  }

  TestAuthority authority_;
  std::filesystem::path dir_;
  std::string caFile_;
  std::vector<std::chrono::milliseconds> sleeps_;
  std::vector<std::string> warnings_;
};

TEST_F(HttpClientTls, VerificationSucceedsWithTheCaFile) {
  TestServer server(hello, authority_.issue("IP:127.0.0.1"));
  auto o = options();
  o.tls.caFile = caFile_;
  Client client(o);
  const auto r = client.get(server.url("/"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello over TLS");
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(HttpClientTls, VerificationFailsWithAClearErrorWithoutTheCaFile) {
  TestServer server(hello, authority_.issue("IP:127.0.0.1"));
  Client client(options());  // the system store, which does not know the throwaway CA
  const Error e = errorOf([&] { client.get(server.url("/")); });
  EXPECT_EQ(e.kind(), ErrorKind::CertificateVerify);
  EXPECT_THAT(e.what(), HasSubstr("certificate verify failed for host 127.0.0.1"));
  EXPECT_THAT(e.what(), HasSubstr("set tls.caFile"));
  EXPECT_EQ(e.attempts(), 1);  // a certificate does not get better by asking again
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_TRUE(server.received().empty());
}

TEST_F(HttpClientTls, ACertificateForAnotherHostNameFails) {
  TestServer server(hello, authority_.issue("DNS:wrong.example"));
  auto o = options();
  o.tls.caFile = caFile_;
  Client client(o);
  const Error e = errorOf([&] { client.get(server.url("/")); });
  EXPECT_EQ(e.kind(), ErrorKind::HostNameMismatch);
  EXPECT_THAT(e.what(), HasSubstr("not for host 127.0.0.1"));
  EXPECT_TRUE(server.received().empty());
}

TEST_F(HttpClientTls, AHostNameIsSentAsSniAndMatchedAgainstTheCertificate) {
  TestServer server(hello, authority_.issue("DNS:localhost"));
  auto o = options();
  o.tls.caFile = caFile_;
  Client client(o);
  const std::string port = std::to_string(server.port());
  EXPECT_EQ(client.get("https://localhost:" + port + "/").status, 200);
  EXPECT_EQ(server.received().at(0).serverName, "localhost");
  // The same server by its address: the certificate does not name it.
  EXPECT_EQ(errorOf([&] { client.get("https://127.0.0.1:" + port + "/"); }).kind(),
            ErrorKind::HostNameMismatch);
}

TEST_F(HttpClientTls, TurningVerificationOffIsExplicitAndWarnsThroughTheLog) {
  TestServer server(hello, authority_.issue("DNS:wrong.example"));
  auto o = options();
  o.tls.verifyPeer = false;
  Client client(o);
  EXPECT_EQ(client.get(server.url("/")).status, 200);
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_THAT(warnings_[0], HasSubstr("verification is off"));
  EXPECT_THAT(warnings_[0], HasSubstr("127.0.0.1"));

  o.log = nullptr;
  const Error e = errorOf([&] { Client unlogged(o); });
  EXPECT_EQ(e.kind(), ErrorKind::InvalidRequest);
  EXPECT_THAT(e.what(), HasSubstr("needs a log function"));
}

TEST_F(HttpClientTls, ARedirectFromHttpsToHttpIsRefused) {
  TestServer plain([](const Received&) { return Reply{200, {}, "unencrypted"}; });
  TestServer secure(
      [&plain](const Received&) {
        return Reply{302, {{"Location", plain.url("/data")}}, ""};
      },
      authority_.issue("IP:127.0.0.1"));
  auto o = options();
  o.tls.caFile = caFile_;
  Client client(o);
  const Error e = errorOf([&] { client.get(secure.url("/data")); });
  EXPECT_EQ(e.kind(), ErrorKind::Redirect);
  EXPECT_THAT(e.what(), HasSubstr("refused the redirect from https to " + plain.url("/data")));
  EXPECT_TRUE(plain.received().empty());
}

TEST_F(HttpClientTls, AClientCertificateIsPresentedWhenTheServerWantsOne) {
  TestServer server(hello, authority_.issue("IP:127.0.0.1"), authority_.certificatePem());
  const auto client = authority_.issue("DNS:plugin.client.example");
  const std::string cert = (dir_ / "client.pem").string(), key = (dir_ / "client.key").string();
  std::ofstream(cert) << client.certificatePem;
  std::ofstream(key) << client.keyPem;
  auto o = options();
  o.tls.caFile = caFile_;
  o.retry.maxAttempts = 1;
  Client without(o);
  const Error e = errorOf([&] { without.get(server.url("/")); });
  EXPECT_EQ(e.kind(), ErrorKind::Tls);
  EXPECT_THAT(e.what(), HasSubstr("tls.clientCertificateFile"));
  EXPECT_TRUE(server.received().empty());

  o.tls.clientCertificateFile = cert;
  o.tls.clientKeyFile = key;
  Client with(o);
  EXPECT_EQ(with.get(server.url("/")).status, 200);
  EXPECT_EQ(server.received().size(), 1u);
}

TEST_F(HttpClientTls, TlsFilesThatCannotBeReadAreRefusedWhenTheClientIsMade) {
  auto o = options();
  o.tls.caFile = (dir_ / "missing.pem").string();
  Error e = errorOf([&] { Client c(o); });
  EXPECT_EQ(e.kind(), ErrorKind::InvalidRequest);
  EXPECT_THAT(e.what(), HasSubstr("cannot read the CA file"));
  EXPECT_THAT(e.what(), HasSubstr("missing.pem"));

  o = options();
  o.tls.clientCertificateFile = caFile_;
  e = errorOf([&] { Client c(o); });
  EXPECT_THAT(e.what(), HasSubstr("set both"));
}

TEST_F(HttpClientTls, ThePlainPortOfATlsUrlIsAClearError) {
  TestServer plain([](const Received&) { return Reply{200, {}, ""}; });
  auto o = options();
  o.tls.caFile = caFile_;
  o.retry.maxAttempts = 1;
  Client client(o);
  const Error e =
      errorOf([&] { client.get("https://127.0.0.1:" + std::to_string(plain.port()) + "/"); });
  EXPECT_EQ(e.kind(), ErrorKind::Tls);
  EXPECT_THAT(e.what(), HasSubstr("check that the port speaks TLS"));
}

}  // namespace
