// The real `ijro-hub serve` over HTTPS with mutual TLS (certificates made at run time), tokens
// read from the environment and from a file, and the configuration's rule against plain HTTP
// where other machines can reach it.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>

#include "tests/integration/hub_process.hpp"
#include "tests/support/test_certs.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::test {
namespace {

constexpr const char* kEnvToken = "IJRO_IT_TLS_TASHKENT_TOKEN";
constexpr const char* kTashkentToken = "tashkent-token-from-the-environment";
constexpr const char* kNationalToken = "national-read-token-from-a-file";

std::string replaceOnce(std::string text, const std::string& pattern, const std::string& with) {
  const std::regex re(pattern);
  EXPECT_TRUE(std::regex_search(text, re)) << pattern;
  return std::regex_replace(text, re, with, std::regex_constants::format_first_only);
}

// config/hub.xml with `listen` in place of its <listen .../>, the Tashkent source's token taken
// from the environment and the national reader's from a file (national.token beside it).
std::filesystem::path writeConfig(const std::filesystem::path& dir, const std::string& listen) {
  auto xml = readFile(sourceDir() / "config/hub.xml");
  xml = replaceOnce(xml, R"(<listen [^>]*/>)", listen);
  xml = replaceOnce(xml, R"(token="demo-tashkent-token")",
                    std::string("tokenFromEnv=\"") + kEnvToken + "\"");
  xml =
      replaceOnce(xml, R"(token="demo-national-read-token")", R"(tokenFromFile="national.token")");
  std::ofstream(dir / "national.token") << kNationalToken << "\n";
  ::chmod((dir / "national.token").c_str(), 0600);
  const auto path = dir / "hub.xml";
  std::ofstream(path) << xml;
  return path;
}

class HubOverTls : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv(kEnvToken, kTashkentToken, 1);
    dir_ = tempDir("tls-hub");
    ca_ = std::make_unique<TestCa>(dir_, "test-ca");
    ca_->issue("hub", "hub.test", {"DNS:localhost", "IP:127.0.0.1"}, false);
    client_ = ca_->issue("region", "tashkent-hub", {}, true);
    const auto config = writeConfig(dir_, R"(<listen host="127.0.0.1" port="8443" threads="2">
    <tls certificate="hub.crt" key="hub.key" clientCa="test-ca.crt" requireClientCert="true"/>
  </listen>)");
    hub_ = std::make_unique<HubProcess>(dir_, config);
    hub_->start();
    hub_->https = withClientCertificate();
  }
  http::ClientOptions trustingTheCa() const {
    http::ClientOptions o;
    o.timeout = std::chrono::seconds(30);
    o.tls.caFile = ca_->files().certificate.string();
    return o;
  }
  http::ClientOptions withClientCertificate() const {
    auto o = trustingTheCa();
    o.tls.certificateFile = client_.certificate.string();
    o.tls.keyFile = client_.key.string();
    return o;
  }
  std::string url(const std::string& target) const {
    return "https://127.0.0.1:" + std::to_string(hub_->port()) + target;
  }

  std::filesystem::path dir_;
  std::unique_ptr<TestCa> ca_;
  PemFiles client_;
  std::unique_ptr<HubProcess> hub_;
};

TEST_F(HubOverTls, HealthzAndAnAuthenticatedReportGoOverHttpsWithTheEnvironmentsToken) {
  EXPECT_NE(hub_->log().find("listening on https://127.0.0.1:"), std::string::npos);
  auto health = hub_->request("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");

  const auto report = readFile(sourceDir() / "examples/report-tashkent.xml");
  auto posted = hub_->post("/api/v1/reports", report, "application/xml", kTashkentToken);
  EXPECT_EQ(posted.status, 200) << posted.body;
  EXPECT_NE(posted.body.find("outcome=\"accepted\""), std::string::npos) << posted.body;
  // The inline demo token the environment's replaced is no longer one.
  auto stale = hub_->post("/api/v1/reports", report, "application/xml", "demo-tashkent-token");
  EXPECT_EQ(stale.status, 401) << stale.body;
}

TEST_F(HubOverTls, TokenFromAFileReadsAndAWrongOneDoesNot) {
  EXPECT_EQ(hub_->get("/api/v1/measures", kNationalToken).status, 200);
  EXPECT_EQ(hub_->get("/api/v1/measures", "demo-national-read-token").status, 401);
}

TEST_F(HubOverTls, ClientsWithoutACertificateOrWithoutTlsGetNoAnswer) {
  std::string error;
  try {
    http::request("GET", url("/healthz"), {}, {}, trustingTheCa());
  } catch (const http::ClientError& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("TLS"), std::string::npos) << error;
  EXPECT_THROW(
      http::request("127.0.0.1", hub_->port(), "GET", "/healthz", {}, {}, std::chrono::seconds(10)),
      http::ClientError);
  EXPECT_NE(hub_->log().find("TLS handshake with 127.0.0.1:"), std::string::npos) << hub_->log();
  EXPECT_EQ(hub_->request("GET", "/healthz").status, 200);  // still serving
}

TEST(TlsConfig, PlainHttpOffLoopbackIsRefusedByValidateUnlessAllowed) {
  const auto dir = tempDir("tls-config");
  auto config = writeConfig(dir, R"(<listen host="0.0.0.0" port="8080"/>)");
  ::setenv(kEnvToken, kTashkentToken, 1);
  auto r = runHub({"validate", "--config", config.string()});
  EXPECT_EQ(r.exitCode, 2) << r.out;
  EXPECT_NE(r.err.find(config.string() + ":"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("listen host \"0.0.0.0\" without TLS"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("add <tls certificate=\"...\" key=\"...\"/> inside <listen>"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("allowPlainHttp=\"true\""), std::string::npos) << r.err;

  config = writeConfig(dir, R"(<listen host="0.0.0.0" port="8080" allowPlainHttp="true"/>)");
  r = runHub({"validate", "--config", config.string()});
  EXPECT_EQ(r.exitCode, 0) << r.err;

  // --listen moving a loopback configuration off loopback meets the same rule.
  config = writeConfig(dir, R"(<listen host="127.0.0.1" port="8080"/>)");
  r = runHub({"serve", "--config", config.string(), "--listen", "0.0.0.0:0", "--store",
              "sqlite:" + (dir / "hub.db").string()});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("without TLS"), std::string::npos) << r.err;
}

TEST(TlsConfig, MissingTlsFilesAndUnsetTokenVariablesAreNamed) {
  const auto dir = tempDir("tls-config");
  const auto config = writeConfig(
      dir,
      R"(<listen host="0.0.0.0" port="8443"><tls certificate="none.crt" key="none.key" requireClientCert="true"/></listen>)");
  ::unsetenv(kEnvToken);
  const auto r = runHub({"validate", "--config", config.string()});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(
      r.err.find("listen tls certificate file " + (dir / "none.crt").string() + " cannot be read"),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("listen tls key file " + (dir / "none.key").string()), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("requireClientCert=\"true\" needs clientCa"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(std::string("the environment variable \"") + kEnvToken + "\" is not set"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("without TLS"), std::string::npos) << r.err;  // <tls> is there
}

TEST(TlsConfig, ServeRefusesACertificateFileThatIsNotOneNamingIt) {
  const auto dir = tempDir("tls-config");
  ::setenv(kEnvToken, kTashkentToken, 1);
  TestCa ca(dir, "test-ca");
  ca.issue("hub", "hub.test", {"IP:127.0.0.1"}, false);
  std::ofstream(dir / "garbage.crt") << "not a certificate\n";
  const auto config = writeConfig(
      dir,
      R"(<listen host="127.0.0.1" port="0"><tls certificate="garbage.crt" key="hub.key"/></listen>)");
  const auto r = runHub(
      {"serve", "--config", config.string(), "--store", "sqlite:" + (dir / "hub.db").string()});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("TLS: cannot load the certificate " + (dir / "garbage.crt").string()),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace ijro::test
