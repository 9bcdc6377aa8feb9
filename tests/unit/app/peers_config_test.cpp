// <peers>: the hubs whose feed batches this hub receives, their regions and certificates, read
// and checked when the configuration loads.
#include <gtest/gtest.h>

#include <fstream>

#include "hub/app/config.hpp"
#include "hub/xml/signature.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::app {
namespace {

std::string schemas() {
  return (test::sourceDir() / "schemas").string();
}

// The configuration in a fresh folder with keys/current.pem and keys/next.pem beside it.
std::string withKeys(const std::string& text) {
  const auto dir = test::tempDir("peers-config");
  std::filesystem::create_directories(dir / "keys");
  std::ofstream(dir / "keys" / "current.pem") << xml::makeSelfSignedKeyPair("hub-a", 30).certPem;
  std::ofstream(dir / "keys" / "next.pem") << xml::makeSelfSignedKeyPair("hub-a", 400).certPem;
  std::ofstream(dir / "keys" / "junk.pem") << "not a certificate\n";
  std::ofstream(dir / "hub.xml") << text;
  return (dir / "hub.xml").string();
}

std::vector<std::string> problems(const std::string& path) {
  try {
    loadConfig(path, schemas());
  } catch (const ConfigError& e) {
    return e.problems;
  }
  return {};
}

TEST(PeersConfig, HubWithRegionsAndTwoCertificatesIsRead) {
  const auto path = withKeys(R"(<hub xmlns="urn:ijro-hub:config:1" id="ministry">
  <peers>
    <hub id="tashkent-city" regions="1726 1727">
      <certificate file="keys/current.pem"/>
      <certificate file="keys/next.pem"/>
    </hub>
  </peers>
</hub>)");
  const auto cfg = loadConfig(path, schemas());
  ASSERT_EQ(cfg.peers.size(), 1u);
  const auto& p = cfg.peers[0];
  EXPECT_EQ(p.id, "tashkent-city");
  EXPECT_EQ(p.regions, (std::set<std::string>{"1726", "1727"}));
  ASSERT_EQ(p.certificatePems.size(), 2u);
  EXPECT_NE(p.certificatePems[0].find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_EQ(p.certificateNames, (std::vector<std::string>{"keys/current.pem", "keys/next.pem"}));
  ASSERT_EQ(p.certificateNotAfter.size(), 2u);
  EXPECT_LT(p.certificateNotAfter[0], p.certificateNotAfter[1]);  // 30 days, then 400
}

TEST(PeersConfig, MissingOrBadCertificateAndBadRegionAreNamedWithTheirLines) {
  const auto path = withKeys(R"(<hub xmlns="urn:ijro-hub:config:1" id="ministry">
  <peers>
    <hub id="tashkent-city" regions="9999">
      <certificate file="keys/absent.pem"/>
      <certificate file="keys/junk.pem"/>
    </hub>
  </peers>
</hub>)");
  const auto found = problems(path);
  ASSERT_EQ(found.size(), 4u);
  EXPECT_NE(found[0].find(":3: peer hub \"tashkent-city\" region \"9999\""), std::string::npos)
      << found[0];
  EXPECT_NE(found[1].find(":4: peer hub \"tashkent-city\": certificate file "), std::string::npos)
      << found[1];
  EXPECT_NE(found[1].find("absent.pem cannot be read"), std::string::npos) << found[1];
  EXPECT_NE(found[2].find(":5: "), std::string::npos) << found[2];
  EXPECT_NE(found[2].find("junk.pem is not a PEM certificate"), std::string::npos) << found[2];
  EXPECT_NE(found[3].find(":3: peer hub \"tashkent-city\" has no usable certificate"),
            std::string::npos)
      << found[3];
}

TEST(PeersConfig, MoreThanTwoCertificatesOrOwnIdOrTwiceTheSameHubAreRefused) {
  EXPECT_FALSE(problems(withKeys(R"(<hub xmlns="urn:ijro-hub:config:1" id="ministry"><peers>
    <hub id="a" regions="1726"><certificate file="keys/current.pem"/>
      <certificate file="keys/next.pem"/><certificate file="keys/current.pem"/></hub>
  </peers></hub>)"))
                   .empty());
  const auto own = problems(withKeys(R"(<hub xmlns="urn:ijro-hub:config:1" id="ministry"><peers>
    <hub id="ministry" regions="1726"><certificate file="keys/current.pem"/></hub>
    <hub id="b" regions="1703"><certificate file="keys/current.pem"/></hub>
    <hub id="b" regions="1703"><certificate file="keys/current.pem"/></hub>
  </peers></hub>)"));
  ASSERT_EQ(own.size(), 2u);
  EXPECT_NE(own[0].find("is this hub's own id"), std::string::npos) << own[0];
  EXPECT_NE(own[1].find("peer hub \"b\" is declared twice"), std::string::npos) << own[1];
}

}  // namespace
}  // namespace ijro::app
