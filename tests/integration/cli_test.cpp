// The command line: validate reports every configuration problem with file:line.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::test {
namespace {

// The shipped configurations as scripts/run.sh uses them: copied beside the key pair it makes
// (var/national/keys, named relative to the configuration's folder).
TEST(Cli, ValidateAcceptsEveryShippedConfig) {
  const auto root = tempDir("cli-shipped");
  std::filesystem::create_directories(root / "config");
  std::filesystem::create_directories(root / "var/national/keys");
  auto keys = runHub(
      {"feed", "keygen", "--key", (root / "var/national/keys/national-demo.key").string(), "--cert",
       (root / "var/national/keys/national-demo.crt").string(), "--hub", "national-demo"});
  ASSERT_EQ(keys.exitCode, 0) << keys.err;
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(sourceDir() / "config")) {
    if (entry.path().extension() != ".xml") continue;
    const auto copy = root / "config" / entry.path().filename();
    std::filesystem::copy_file(entry.path(), copy);
    auto r = runHub({"validate", "--config", copy.string()});
    EXPECT_EQ(r.exitCode, 0) << entry.path() << "\n" << r.err;
    EXPECT_NE(r.out.find("valid"), std::string::npos);
    ++checked;
  }
  EXPECT_GE(checked, 4);  // hub, plugins-example, national, ministry
}

TEST(Cli, ValidateReportsEveryProblemWithFileAndLine) {
  auto path = tempDir("cli") / "bad.xml";
  std::ofstream(path) << R"(<?xml version="1.0"?>
<hub xmlns="urn:ijro-hub:config:1" id="bad">
  <store url="mysql://nowhere"/>
  <sources>
    <source id="a" token="short" regions="1703 9999" sectors="health space"/>
    <source id="b" regions="*" sectors="*"/>
  </sources>
</hub>
)";
  auto r = runHub({"validate", "--config", path.string()});
  EXPECT_EQ(r.exitCode, 2);
  const auto p = path.string();
  EXPECT_NE(r.err.find(p + ":3: store url"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(p + ":5: source \"a\" token is shorter"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("region \"9999\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sector \"space\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(p + ":6: source \"b\" needs exactly one of token"), std::string::npos)
      << r.err;
}

TEST(Cli, ValidateReportsSchemaErrorsWithLine) {
  auto path = tempDir("cli") / "schema.xml";
  std::ofstream(path) << R"(<?xml version="1.0"?>
<hub xmlns="urn:ijro-hub:config:1" id="x">
  <listen port="eighty"/>
</hub>
)";
  auto r = runHub({"validate", "--config", path.string()});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find(path.string() + ":3"), std::string::npos) << r.err;
}

TEST(Cli, ValidateRefusesDoctypeAndMissingFile) {
  auto path = tempDir("cli") / "dtd.xml";
  std::ofstream(path) << "<?xml version=\"1.0\"?>\n<!DOCTYPE hub>\n<hub "
                         "xmlns=\"urn:ijro-hub:config:1\" id=\"x\"/>\n";
  auto r = runHub({"validate", "--config", path.string()});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("DOCTYPE"), std::string::npos) << r.err;
  auto missing = runHub({"validate", "--config", "/nonexistent/hub.xml"});
  EXPECT_EQ(missing.exitCode, 2);
  EXPECT_NE(missing.err.find("/nonexistent/hub.xml"), std::string::npos) << missing.err;
}

TEST(Cli, HelpAndUnknownCommand) {
  EXPECT_EQ(runHub({"--help"}).exitCode, 0);
  auto serveHelp = runHub({"serve", "--help"});
  EXPECT_EQ(serveHelp.exitCode, 0);
  EXPECT_NE(serveHelp.out.find("--listen"), std::string::npos);
  auto unknown = runHub({"frobnicate"});
  EXPECT_EQ(unknown.exitCode, 2);
  EXPECT_NE(unknown.err.find("unknown command"), std::string::npos);
  EXPECT_EQ(runHub({"serve", "--config", "config/hub.xml", "--listen", "nonsense"}).exitCode, 1);
}

// A token issued from the command line while the hub runs counts from its next request, and
// stops counting when revoked; the store keeps its hash, never the token.
TEST(Cli, TokensIssuedAndRevokedWhileTheHubRuns) {
  const auto dir = tempDir("cli-token");
  HubProcess hub(dir, sourceDir() / "config/hub.xml");
  hub.start();
  const std::string config = (sourceDir() / "config/hub.xml").string();
  const std::string store = "sqlite:" + (dir / "hub.db").string();
  auto issued = runHub({"token", "issue", "--config", config, "--store", store, "--id",
                        "asaka-education", "--roles", "reader executor", "--regions", "1703",
                        "--sectors", "education", "--note", "Asaka district unit"});
  ASSERT_EQ(issued.exitCode, 0) << issued.err;
  std::string token = issued.out;
  while (!token.empty() && token.back() == '\n') token.pop_back();
  ASSERT_EQ(token.size(), 64u) << issued.out;
  EXPECT_NE(issued.err.find("roles executor reader"), std::string::npos) << issued.err;

  EXPECT_EQ(hub.get("/api/v1/summary", token).status, 200);
  // Its scope holds: another region is refused.
  EXPECT_EQ(hub.get("/api/v1/summary?region=1726", token).status, 403);

  auto again = runHub({"token", "issue", "--config", config, "--store", store, "--id",
                       "asaka-education", "--roles", "reader", "--regions", "*", "--sectors", "*"});
  EXPECT_EQ(again.exitCode, 1);
  EXPECT_NE(again.err.find("exists already"), std::string::npos) << again.err;
  auto bad = runHub({"token", "issue", "--config", config, "--store", store, "--id", "x", "--roles",
                     "boss", "--regions", "1799", "--sectors", "*"});
  EXPECT_EQ(bad.exitCode, 1);
  EXPECT_NE(bad.err.find("unknown role \"boss\""), std::string::npos) << bad.err;

  auto listed = runHub({"token", "list", "--config", config, "--store", store});
  ASSERT_EQ(listed.exitCode, 0) << listed.err;
  EXPECT_NE(listed.out.find("asaka-education  roles executor reader  regions 1703"),
            std::string::npos)
      << listed.out;
  EXPECT_EQ(listed.out.find(token), std::string::npos) << "a listing never shows the token";

  auto revoked =
      runHub({"token", "revoke", "--config", config, "--store", store, "--id", "asaka-education"});
  ASSERT_EQ(revoked.exitCode, 0) << revoked.err;
  EXPECT_EQ(hub.get("/api/v1/summary", token).status, 401);
  listed = runHub({"token", "list", "--config", config, "--store", store, "--json"});
  EXPECT_NE(listed.out.find("\"revoked\":true"), std::string::npos) << listed.out;
}

}  // namespace
}  // namespace ijro::test
