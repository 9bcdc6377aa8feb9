// The command line: validate reports every configuration problem with file:line.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <fstream>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

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

// `store check` opens (and migrates) the store, shows each connection's settings and finds child
// rows whose parent row is gone, naming their table; its exit status says which.
TEST(Cli, StoreCheckShowsTheSettingsAndFindsChildRowsWithoutTheirParent) {
  const auto dir = tempDir("cli-store-check");
  const std::string url = "sqlite:" + (dir / "hub.db").string();
  auto clean = runHub({"store", "check", "--store", url});
  ASSERT_EQ(clean.exitCode, 0) << clean.err;
  EXPECT_NE(clean.out.find("backend: sqlite3, schema version"), std::string::npos) << clean.out;
  EXPECT_NE(clean.out.find("synchronous=2"), std::string::npos) << clean.out;
  EXPECT_NE(clean.out.find("journal_mode=wal"), std::string::npos) << clean.out;
  EXPECT_NE(clean.out.find("every one has its parent row"), std::string::npos) << clean.out;
  {
    // Written outside the hub, on a connection without foreign keys: a file of no implementation.
    soci::session sql(*soci::factory_sqlite3(), (dir / "hub.db").string());
    sql << "INSERT INTO evidence (implementation_id, pos, url, title, format, doc_date, uploader) "
           "VALUES (42, 0, 'https://docs.example.uz/1.pdf', 'Act', 'application/pdf', "
           "'2026-01-01', 'k.karimov')";
  }
  auto found = runHub({"store", "check", "--store", url});
  EXPECT_EQ(found.exitCode, 1) << found.out << found.err;
  EXPECT_NE(found.out.find("child rows without their parent row: 1"), std::string::npos)
      << found.out;
  EXPECT_NE(found.out.find("  evidence: 1"), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("Restore the database"), std::string::npos) << found.out;
  EXPECT_EQ(runHub({"store", "check"}).exitCode, 2);
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

// The PostgreSQL password kept beside the URL (here from the environment; the throwaway cluster's
// role ijro_pw must give it): the hub opens its store with it, and neither `validate`, the log nor
// the process's command line shows it; a password written in a URL is masked where shown.
TEST(Cli, TheStorePasswordFromTheEnvironmentOpensTheStoreAndShowsNowhere) {
  constexpr const char* kPassword = "store-password-for-tests";
  const auto dir = tempDir("cli-store-password");
  std::string url = postgresUrl();
  url.replace(url.find("dbname=ijro_test"), 16, "dbname=ijro_pw_cli");
  url.replace(url.find("user=postgres"), 13, "user=ijro_pw");
  const auto config = dir / "hub.xml";
  std::ofstream(config) << R"(<hub xmlns="urn:ijro-hub:config:1" id="password-it">
  <store url=")" << url << R"(" passwordFromEnv="IJRO_IT_STORE_PASSWORD"/>
  <sources>
    <source id="tashkent-city" token="demo-tashkent-token" regions="1726" sectors="*"
            roles="source reader controller"/>
  </sources>
</hub>
)";
  ::setenv("IJRO_IT_STORE_PASSWORD", kPassword, 1);
  auto validated = runHub({"validate", "--config", config.string()});
  EXPECT_EQ(validated.exitCode, 0) << validated.err;
  EXPECT_NE(validated.out.find("store " + url), std::string::npos) << validated.out;
  EXPECT_EQ((validated.out + validated.err).find(kPassword), std::string::npos);

  HubProcess hub(dir, config, HubProcess::kConfiguredStore);
  hub.start();
  auto posted = hub.post("/api/v1/reports", readFile(sourceDir() / "examples/report-tashkent.xml"),
                         "application/xml", "demo-tashkent-token");
  EXPECT_EQ(posted.status, 200) << posted.body;
  EXPECT_EQ(readFile("/proc/" + std::to_string(hub.pid()) + "/cmdline").find(kPassword),
            std::string::npos);
  hub.signal(SIGTERM);
  EXPECT_EQ(hub.wait(), 0) << hub.log();
  EXPECT_EQ(hub.log().find(kPassword), std::string::npos) << hub.log();

  // Without it the store refuses the hub, and says why without a password in sight.
  ::unsetenv("IJRO_IT_STORE_PASSWORD");
  auto refused = runHub({"validate", "--config", config.string()});
  EXPECT_EQ(refused.exitCode, 2);
  EXPECT_NE(refused.err.find("IJRO_IT_STORE_PASSWORD"), std::string::npos) << refused.err;

  // A password written in the URL is masked in what validate shows.
  std::ofstream(dir / "inline.xml") << R"(<hub xmlns="urn:ijro-hub:config:1" id="inline-it">
  <store url="postgresql://hub:s3cret-in-url@db.example/ijro"/>
</hub>
)";
  auto masked = runHub({"validate", "--config", (dir / "inline.xml").string()});
  EXPECT_EQ(masked.exitCode, 0) << masked.err;
  EXPECT_NE(masked.out.find("postgresql://hub:***@db.example/ijro"), std::string::npos)
      << masked.out;
  EXPECT_EQ(masked.out.find("s3cret-in-url"), std::string::npos) << masked.out;
}

}  // namespace
}  // namespace ijro::test
