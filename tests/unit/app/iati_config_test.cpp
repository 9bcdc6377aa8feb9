// <iati>: the IATI export's reporting organisation in hub.xml.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "hub/app/config.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::app {
namespace {

std::string schemas() {
  return (test::sourceDir() / "schemas").string();
}

std::string write(const std::string& text) {
  auto path = test::tempDir("iati-config") / "hub.xml";
  std::ofstream(path) << text;
  return path.string();
}

TEST(IatiConfig, ReportingOrganisationIsRead) {
  auto cfg = loadConfig(write(R"(<hub xmlns="urn:ijro-hub:config:1" id="m">
  <iati reportingOrg="XM-DAC-12345" mainLanguage="uz-Latn">
    <name lang="en">Ministry of Economy</name>
    <name lang="ru">Министерство экономики</name>
  </iati>
</hub>)"),
                        schemas());
  EXPECT_EQ(cfg.iati.reportingOrgRef, "XM-DAC-12345");
  EXPECT_EQ(cfg.iati.reportingOrgType, "10");
  EXPECT_EQ(cfg.iati.mainLanguage, "uz-Latn");
  ASSERT_EQ(cfg.iati.reportingOrgNames.size(), 2u);
  EXPECT_EQ(cfg.iati.reportingOrgNames[1].lang, "ru");
  EXPECT_EQ(cfg.iati.reportingOrgNames[1].text, "Министерство экономики");
  // The demo configuration has one, so its IATI export works out of the box.
  auto demo = loadConfig((test::sourceDir() / "config/hub.xml").string(), schemas());
  EXPECT_FALSE(demo.iati.reportingOrgRef.empty());
  EXPECT_FALSE(demo.iati.reportingOrgNames.empty());
}

TEST(IatiConfig, IdentifierWithoutAgencyAndTwoNamesInOneLanguageAreRefusedWithTheirLines) {
  const auto path = write(R"(<hub xmlns="urn:ijro-hub:config:1" id="m">
  <iati reportingOrg="ministry">
    <name lang="en">Ministry</name>
  </iati>
</hub>)");
  try {
    loadConfig(path, schemas());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_FALSE(e.problems.empty());
    EXPECT_NE(e.problems[0].find(path + ":2:"), std::string::npos) << e.problems[0];
    EXPECT_NE(e.problems[0].find("reportingOrg"), std::string::npos) << e.problems[0];
  }
  const auto twice = write(R"(<hub xmlns="urn:ijro-hub:config:1" id="m">
  <iati reportingOrg="XM-DAC-12345">
    <name lang="en">Ministry</name>
    <name lang="en">The ministry</name>
  </iati>
</hub>)");
  try {
    loadConfig(twice, schemas());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.problems.size(), 1u);
    EXPECT_NE(e.problems[0].find(twice + ":4: iati has two names in en"), std::string::npos)
        << e.problems[0];
  }
}

}  // namespace
}  // namespace ijro::app
