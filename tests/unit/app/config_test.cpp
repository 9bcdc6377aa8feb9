#include "hub/app/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "hub/base/sha256.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::app {
namespace {

std::string schemas() {
  return (test::sourceDir() / "schemas").string();
}

std::string write(const std::string& text) {
  auto path = test::tempDir("config") / "hub.xml";
  std::ofstream(path) << text;
  return path.string();
}

TEST(Config, DefaultConfigurationLoads) {
  auto cfg = loadConfig((test::sourceDir() / "config/hub.xml").string(), schemas());
  EXPECT_EQ(cfg.hubId, "demo-hub");
  EXPECT_EQ(cfg.port, 8080);
  EXPECT_EQ(cfg.storeUrl, "sqlite:var/hub.db");
  ASSERT_EQ(cfg.sources.size(), 6u);
  EXPECT_EQ(cfg.sources[5].id, "xorazm-region");
  EXPECT_TRUE(cfg.sources[5].controller);
  EXPECT_EQ(cfg.sources[0].id, "tashkent-city");
  EXPECT_EQ(cfg.sources[0].tokenSha256, base::sha256Hex("demo-tashkent-token"));
  EXPECT_TRUE(cfg.sources[0].coversRegion("1726"));
  EXPECT_FALSE(cfg.sources[0].coversRegion("1703"));
  EXPECT_TRUE(cfg.sources[1].coversRegion("1703202"));  // a district of Andijan
  EXPECT_TRUE(cfg.sources[2].coversRegion("17"));       // any region, national included
  EXPECT_FALSE(cfg.sources[2].coversSector("education"));
  EXPECT_TRUE(cfg.sectors.contains("water"));  // extended in the file
  EXPECT_TRUE(cfg.sectors.contains("health"));
  // Sources post; Tashkent City's token also reads its own region.
  EXPECT_TRUE(cfg.sources[0].write);
  EXPECT_TRUE(cfg.sources[0].read);
  EXPECT_TRUE(cfg.sources[1].write);
  EXPECT_FALSE(cfg.sources[1].read);
  // The demo read tokens: a national one and Andijan's.
  ASSERT_EQ(cfg.readers.size(), 2u);
  EXPECT_EQ(cfg.readers[0].id, "ministry");
  EXPECT_EQ(cfg.readers[0].tokenSha256, base::sha256Hex("demo-national-read-token"));
  EXPECT_TRUE(cfg.readers[0].read);
  EXPECT_FALSE(cfg.readers[0].write);
  EXPECT_TRUE(cfg.readers[0].regions.empty());
  EXPECT_TRUE(cfg.readers[0].sectors.empty());
  EXPECT_EQ(cfg.readers[1].tokenSha256, base::sha256Hex("demo-andijan-read-token"));
  EXPECT_EQ(cfg.readers[1].regions, std::set<std::string>{"1703"});
}

TEST(Config, RolesAreReadAndCheckedWithTheirLines) {
  auto cfg = loadConfig(write(R"(<hub xmlns="urn:ijro-hub:config:1" id="r">
  <sources>
    <source id="a" token="0123456789abcdef-a" regions="1703" sectors="*"
            roles="source controller"/>
    <source id="b" token="0123456789abcdef-b" regions="1703" sectors="*"/>
  </sources>
  <readers>
    <reader id="c" token="0123456789abcdef-c" regions="1703" sectors="*"
            roles="reader controller executor"/>
  </readers>
</hub>)"),
                        schemas());
  EXPECT_EQ(cfg.sources.at(0).roleList(), "source controller");
  EXPECT_EQ(cfg.sources.at(1).roleList(), "source");
  EXPECT_EQ(cfg.readers.at(0).roleList(), "executor controller reader");
  auto path = write(R"(<hub xmlns="urn:ijro-hub:config:1" id="r">
  <sources>
    <source id="a" token="0123456789abcdef-a" regions="*" sectors="*" roles="source" rights="read"/>
  </sources>
  <readers>
    <reader id="c" token="0123456789abcdef-c" regions="1703" sectors="*" roles="reader source"/>
  </readers>
</hub>)");
  try {
    loadConfig(path, schemas());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.problems.size(), 2u);
    EXPECT_NE(e.problems[0].find(path + ":3: source \"a\" has both roles and rights"),
              std::string::npos)
        << e.problems[0];
    EXPECT_NE(e.problems[1].find(path + ":6: reader \"c\" has the source role"), std::string::npos)
        << e.problems[1];
  }
}

TEST(Config, ReadersAndRightsAreCheckedWithTheirLines) {
  auto path = write(R"(<hub xmlns="urn:ijro-hub:config:1" id="r">
  <sources>
    <source id="a" token="0123456789abcdef-a" regions="1726" sectors="*" rights="read"/>
    <source id="b" token="0123456789abcdef-b" regions="1726" sectors="tax" rights="read write"/>
  </sources>
  <readers>
    <reader id="c" token="0123456789abcdef-b" regions="1703" sectors="*"/>
    <reader id="d" tokenSha256="0000000000000000000000000000000000000000000000000000000000000000"
            regions="1799" sectors="fishing"/>
    <reader id="e" token="short" regions="*" sectors="*"/>
  </readers>
</hub>)");
  try {
    loadConfig(path, schemas());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.problems.size(), 5u);
    EXPECT_NE(e.problems[0].find(path + ":3: source \"a\" has roles \"reader\" without source"),
              std::string::npos)
        << e.problems[0];
    EXPECT_NE(e.problems[0].find("<reader>"), std::string::npos) << e.problems[0];
    EXPECT_NE(e.problems[1].find(path + ":7: reader \"c\" has the same token as source \"b\" "
                                        "(line 4)"),
              std::string::npos)
        << e.problems[1];
    EXPECT_NE(e.problems[2].find(path + ":9: reader \"d\" region \"1799\""), std::string::npos)
        << e.problems[2];
    EXPECT_NE(e.problems[3].find(path + ":9: reader \"d\" sector \"fishing\""), std::string::npos)
        << e.problems[3];
    EXPECT_NE(e.problems[4].find(path + ":10: reader \"e\" token is shorter than 16"),
              std::string::npos)
        << e.problems[4];
  }
  // Read and write in either order; a reader's id is as unique as a source's.
  auto cfg = loadConfig(write(R"(<hub xmlns="urn:ijro-hub:config:1" id="r">
  <sources>
    <source id="b" token="0123456789abcdef-b" regions="1726" sectors="tax" rights="read write"/>
  </sources>
</hub>)"),
                        schemas());
  EXPECT_TRUE(cfg.sources.at(0).read && cfg.sources.at(0).write);
  EXPECT_THROW(loadConfig(write(R"(<hub xmlns="urn:ijro-hub:config:1" id="r">
  <sources><source id="x" token="0123456789abcdef-1" regions="*" sectors="*"/></sources>
  <readers><reader id="x" token="0123456789abcdef-2" regions="*" sectors="*"/></readers>
</hub>)"),
                          schemas()),
               ConfigError);
  EXPECT_THROW(loadConfig(write(R"(<hub xmlns="urn:ijro-hub:config:1" id="r">
  <sources><source id="x" token="0123456789abcdef-1" regions="*" sectors="*" rights="all"/>
  </sources>
</hub>)"),
                          schemas()),
               ConfigError);
}

TEST(Config, FeedPathsResolveAgainstTheConfigFolderAndItsPushIsChecked) {
  const auto path = write(R"(<hub xmlns="urn:ijro-hub:config:1" id="f">
  <feed key="keys/hub.key" certificate="keys/hub.crt" batchSize="50" intervalMs="200">
    <push url="https://ministry.example.uz:8443/api/v1/feeds" ca="keys/ca.crt"
          retryMinMs="100" retryMaxMs="1000" timeoutMs="5000"/>
    <exchange dir="../exchange"/>
  </feed>
</hub>)");
  const auto dir = std::filesystem::path(path).parent_path();
  std::filesystem::create_directories(dir / "keys");
  for (const char* f : {"hub.key", "hub.crt", "ca.crt"}) std::ofstream(dir / "keys" / f) << "x";
  const auto cfg = loadConfig(path, schemas());
  ASSERT_TRUE(cfg.feed);
  EXPECT_EQ(cfg.feed->keyFile, (dir / "keys/hub.key").string());
  EXPECT_EQ(cfg.feed->batchSize, 50u);
  EXPECT_EQ(cfg.feed->interval, std::chrono::milliseconds(200));
  EXPECT_EQ(cfg.feed->exchangeDir, (dir.parent_path() / "exchange").string());
  ASSERT_TRUE(cfg.feed->push);
  EXPECT_EQ(cfg.feed->push->caFile, (dir / "keys/ca.crt").string());
  EXPECT_EQ(cfg.feed->push->retryMax, std::chrono::milliseconds(1000));
  EXPECT_EQ(cfg.feed->push->timeout, std::chrono::milliseconds(5000));
}

TEST(Config, FeedWithPlainHttpPushHalfAClientPairOrAMissingKeyIsRefusedWithTheLine) {
  const auto path = write(R"(<hub xmlns="urn:ijro-hub:config:1" id="f">
  <feed key="missing.key" certificate="missing.crt">
    <push url="http://ministry.example.uz/api/v1/feeds" clientCertificate="missing.crt"/>
  </feed>
</hub>)");
  try {
    loadConfig(path, schemas());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    std::string all;
    for (const auto& p : e.problems) all += p + "\n";
    EXPECT_NE(all.find(path + ":2: key=\"missing.key\": no such file"), std::string::npos) << all;
    EXPECT_NE(all.find(path + ":3: push url=\"http://ministry.example.uz/api/v1/feeds\" is plain "
                              "HTTP"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("allowPlainHttp=\"true\""), std::string::npos) << all;
    EXPECT_NE(all.find(path + ":3: push clientCertificate and clientKey go together"),
              std::string::npos)
        << all;
  }
}

TEST(Config, DefaultsApplyWhenElementsAreAbsent) {
  auto cfg = loadConfig(write(R"(<hub xmlns="urn:ijro-hub:config:1" id="min"/>)"), schemas());
  EXPECT_EQ(cfg.threads, 2);
  EXPECT_EQ(cfg.rules.earlyWarningDays, 30);
  EXPECT_DOUBLE_EQ(cfg.rules.redBelow, 0.7);
  EXPECT_EQ(cfg.rules.submitted, model::SubmittedCounts::Open);
  EXPECT_TRUE(cfg.sources.empty());
}

TEST(Config, StatusThresholdsAreRead) {
  auto cfg = loadConfig(write(R"(<hub xmlns="urn:ijro-hub:config:1" id="t">
  <status redBelow="0.5" amberBelow="0.8" amberWithinDays="14" earlyWarningDays="10"
          submittedCounts="done"/>
</hub>)"),
                        schemas());
  EXPECT_DOUBLE_EQ(cfg.rules.redBelow, 0.5);
  EXPECT_DOUBLE_EQ(cfg.rules.amberBelow, 0.8);
  EXPECT_EQ(cfg.rules.amberWithinDays, 14);
  EXPECT_EQ(cfg.rules.earlyWarningDays, 10);
  EXPECT_EQ(cfg.rules.submitted, model::SubmittedCounts::Done);
}

TEST(Config, EvidenceSettingsAreReadAndDefaultToTheFiveCheckableTypes) {
  auto defaults = loadConfig(write(R"(<hub xmlns="urn:ijro-hub:config:1" id="e"/>)"), schemas());
  EXPECT_EQ(defaults.evidenceDir, "");
  EXPECT_EQ(defaults.evidenceMaxBytes, 50u << 20);
  EXPECT_EQ(defaults.evidenceTypes.size(), 5u);
  auto cfg = loadConfig(write(R"(<hub xmlns="urn:ijro-hub:config:1" id="e">
  <evidence dir="/srv/evidence" maxBytes="1000" types="application/pdf image/png"
            readTimeoutMs="60000"/>
</hub>)"),
                        schemas());
  EXPECT_EQ(cfg.evidenceDir, "/srv/evidence");
  EXPECT_EQ(cfg.evidenceMaxBytes, 1000u);
  EXPECT_EQ(cfg.evidenceTypes, (std::set<std::string>{"application/pdf", "image/png"}));
  EXPECT_EQ(cfg.evidenceReadTimeout, std::chrono::milliseconds(60000));
}

TEST(Config, EvidenceTypeThatCannotBeCheckedIsRefusedWithItsLine) {
  auto path = write(R"(<hub xmlns="urn:ijro-hub:config:1" id="e">
  <evidence types="application/pdf text/html"/>
</hub>)");
  try {
    loadConfig(path, schemas());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.problems.size(), 1u);
    EXPECT_NE(e.problems[0].find(path + ":2: evidence type \"text/html\" cannot be checked"),
              std::string::npos)
        << e.problems[0];
  }
}

TEST(Config, TrustedProxiesAreReadInThePeersFormAndANameIsRefusedWithItsLine) {
  auto cfg = loadConfig(write(R"(<hub xmlns="urn:ijro-hub:config:1" id="e">
  <limits trustedProxies="10.0.0.9  0:0:0:0:0:0:0:1"/>
</hub>)"),
                        schemas());
  EXPECT_EQ(cfg.admission.trustedProxies, (std::vector<std::string>{"10.0.0.9", "::1"}));
  auto path = write(R"(<hub xmlns="urn:ijro-hub:config:1" id="e">
  <limits trustedProxies="10.0.0.0/8 proxy.local"/>
</hub>)");
  try {
    loadConfig(path, schemas());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.problems.size(), 2u);
    EXPECT_NE(e.problems[0].find(path + ":2: limits trustedProxies: \"10.0.0.0/8\" is not an IP"),
              std::string::npos)
        << e.problems[0];
    EXPECT_NE(e.problems[1].find("\"proxy.local\" is not an IP address"), std::string::npos)
        << e.problems[1];
  }
}

TEST(Config, EveryProblemIsListedWithItsLine) {
  auto path = write(R"(<hub xmlns="urn:ijro-hub:config:1" id="p">
  <status redBelow="0.95" amberBelow="0.9"/>
  <sectors><sector code="health"/></sectors>
  <sources>
    <source id="a" token="0123456789abcdef-a" regions="1726" sectors="*"/>
    <source id="b" token="0123456789abcdef-a" regions="17" sectors="*"/>
  </sources>
</hub>)");
  try {
    loadConfig(path, schemas());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.problems.size(), 3u);
    EXPECT_NE(e.problems[0].find(path + ":3: sector \"health\" is already defined"),
              std::string::npos)
        << e.problems[0];
    EXPECT_NE(e.problems[1].find(path + ":2: status redBelow"), std::string::npos) << e.problems[1];
    EXPECT_NE(e.problems[2].find(path + ":6: source \"b\" has the same token"), std::string::npos)
        << e.problems[2];
  }
}

TEST(Config, WrongRootAndDuplicateIdsAreRefused) {
  EXPECT_THROW(loadConfig(write("<config/>"), schemas()), ConfigError);
  EXPECT_THROW(loadConfig(write(R"(<hub xmlns="urn:ijro-hub:config:1" id="d"><sources>
    <source id="a" token="0123456789abcdef-1" regions="*" sectors="*"/>
    <source id="a" token="0123456789abcdef-2" regions="*" sectors="*"/>
  </sources></hub>)"),
                          schemas()),
               ConfigError);
}

TEST(Config, OrganisationsAndPrioritiesAreCheckedWithTheirLines) {
  auto path = write(R"(<hub xmlns="urn:ijro-hub:config:1" id="o">
  <organisations>
    <organisation code="20123456"><name lang="en">Short STIR</name></organisation>
    <organisation code="201234567"><name lang="en">Health</name><alias>MoH</alias></organisation>
    <organisation code="MOF" kind="configured"><alias> moh </alias></organisation>
    <organisation code="123456789" kind="configured"/>
  </organisations>
  <sources>
    <source id="a" token="0123456789abcdef-a" regions="1726" sectors="*" priority="7"/>
  </sources>
</hub>)");
  try {
    loadConfig(path, schemas());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.problems.size(), 3u);
    EXPECT_NE(e.problems[0].find(path + ":3: organisation \"20123456\" has kind=\"stir\""),
              std::string::npos)
        << e.problems[0];
    EXPECT_NE(e.problems[1].find(path + ":5: organisation \"MOF\" alias \" moh \" already names "
                                        "organisation \"201234567\" (line 4)"),
              std::string::npos)
        << e.problems[1];
    EXPECT_NE(e.problems[2].find(path + ":6: organisation \"123456789\" looks like a STIR"),
              std::string::npos)
        << e.problems[2];
  }
  auto cfg = loadConfig(write(R"(<hub xmlns="urn:ijro-hub:config:1" id="o">
  <organisations>
    <organisation code="201234567"><name lang="ru">Минздрав</name><alias>MoH</alias></organisation>
  </organisations>
  <sources>
    <source id="a" token="0123456789abcdef-a" regions="1726" sectors="*" priority="7"/>
    <source id="b" token="0123456789abcdef-b" regions="1726" sectors="*"/>
  </sources>
</hub>)"),
                        schemas());
  ASSERT_EQ(cfg.organisations.size(), 1u);
  EXPECT_EQ(cfg.organisations[0].names.at("ru"), "Минздрав");
  EXPECT_EQ(cfg.sourcePriorities.at("a"), 7);
  EXPECT_EQ(cfg.sourcePriorities.count("b"), 0u);  // the default applies
}

TEST(Config, ListenTlsPathsResolveAgainstTheConfigFolder) {
  const auto path = write(R"(<hub xmlns="urn:ijro-hub:config:1" id="t">
  <listen host="0.0.0.0" port="8443">
    <tls certificate="tls/hub.crt" key="tls/hub.key" clientCa="tls/ca.crt"
         requireClientCert="true"/>
  </listen>
</hub>)");
  const auto dir = std::filesystem::path(path).parent_path();
  std::filesystem::create_directories(dir / "tls");
  for (const char* f : {"hub.crt", "hub.key", "ca.crt"}) std::ofstream(dir / "tls" / f) << "x\n";
  const auto cfg = loadConfig(path, schemas());
  ASSERT_TRUE(cfg.tls.has_value());
  EXPECT_EQ(cfg.tls->certificateFile, (dir / "tls/hub.crt").string());
  EXPECT_EQ(cfg.tls->keyFile, (dir / "tls/hub.key").string());
  EXPECT_EQ(cfg.tls->clientCaFile, (dir / "tls/ca.crt").string());
  EXPECT_TRUE(cfg.tls->requireClientCert);
  EXPECT_FALSE(plainHttpProblem(cfg).has_value());
}

TEST(Config, PlainHttpIsAcceptedOnLoopbackOrWhenAllowedOnly) {
  Config cfg;
  cfg.path = "hub.xml";
  cfg.listenLine = 3;
  for (const char* host : {"127.0.0.1", "127.9.8.7", "::1", "localhost", "::ffff:127.0.0.1"}) {
    cfg.host = host;
    EXPECT_FALSE(plainHttpProblem(cfg).has_value()) << host;
  }
  for (const char* host : {"0.0.0.0", "10.0.0.1", "::", "hub.example", "128.0.0.1"}) {
    cfg.host = host;
    const auto problem = plainHttpProblem(cfg);
    ASSERT_TRUE(problem.has_value()) << host;
    EXPECT_EQ(problem->rfind(std::string("hub.xml:3: listen host \"") + host + "\" without TLS", 0),
              0u)
        << *problem;
  }
  cfg.allowPlainHttp = true;
  EXPECT_FALSE(plainHttpProblem(cfg).has_value());
  cfg.allowPlainHttp = false;
  cfg.tls = http::ServerTls{"hub.crt", "hub.key", {}, false};
  EXPECT_FALSE(plainHttpProblem(cfg).has_value());
}

TEST(Config, TokensFromAFileOrTheEnvironmentAreHashedLikeInlineOnes) {
  ::setenv("IJRO_CONFIG_TEST_TOKEN", "token-from-the-environment", 1);
  const auto path = write(R"(<hub xmlns="urn:ijro-hub:config:1" id="t">
  <sources>
    <source id="a" tokenFromEnv="IJRO_CONFIG_TEST_TOKEN" regions="1703" sectors="*"/>
  </sources>
  <readers>
    <reader id="b" tokenFromFile="b.token" regions="*" sectors="*"/>
  </readers>
</hub>)");
  std::ofstream(std::filesystem::path(path).parent_path() / "b.token") << "token-from-a-file\n";
  const auto cfg = loadConfig(path, schemas());
  ASSERT_EQ(cfg.sources.size(), 1u);
  EXPECT_EQ(cfg.sources[0].tokenSha256, base::sha256Hex("token-from-the-environment"));
  ASSERT_EQ(cfg.readers.size(), 1u);
  EXPECT_EQ(cfg.readers[0].tokenSha256, base::sha256Hex("token-from-a-file"));
}

TEST(Config, TokenGivenTwoWaysOrTooShortFromAFileIsAProblem) {
  ::setenv("IJRO_CONFIG_TEST_TOKEN", "token-from-the-environment", 1);
  const auto path = write(R"(<hub xmlns="urn:ijro-hub:config:1" id="t">
  <sources>
    <source id="a" token="0123456789abcdef-a" tokenFromEnv="IJRO_CONFIG_TEST_TOKEN" regions="1703" sectors="*"/>
    <source id="b" tokenFromFile="short.token" regions="1703" sectors="*"/>
  </sources>
</hub>)");
  std::ofstream(std::filesystem::path(path).parent_path() / "short.token") << "short\n";
  try {
    loadConfig(path, schemas());
    FAIL() << "loaded";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.problems.size(), 2u);
    EXPECT_EQ(e.problems[0], path +
                                 ":3: source \"a\" needs exactly one of token, tokenSha256, "
                                 "tokenFromFile or tokenFromEnv");
    EXPECT_EQ(e.problems[1], path +
                                 ":4: source \"b\" token (from the file short.token) is "
                                 "shorter than 16 characters: use a longer one");
  }
}

}  // namespace
}  // namespace ijro::app
