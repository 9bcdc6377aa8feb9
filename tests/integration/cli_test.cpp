// The command line: validate reports every configuration problem with file:line.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::test {
namespace {

TEST(Cli, ValidateAcceptsEveryShippedConfig) {
  for (const auto& entry : std::filesystem::directory_iterator(sourceDir() / "config")) {
    if (entry.path().extension() != ".xml") continue;
    auto r = runHub({"validate", "--config", entry.path().string()});
    EXPECT_EQ(r.exitCode, 0) << entry.path() << "\n" << r.err;
    EXPECT_NE(r.out.find("valid"), std::string::npos);
  }
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

}  // namespace
}  // namespace ijro::test
