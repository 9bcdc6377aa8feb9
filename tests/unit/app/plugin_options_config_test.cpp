// Table and secret options (ABI 1.2) in hub.xml: rows and a CSV file become the table's canonical
// text and reach the plugin; bad rows are refused with file:line before any plugin runs; a secret
// comes inline, from a file or from the environment, and only fits a secret option.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "hub/app/config.hpp"
#include "hub/isolation/make_runner.hpp"
#include "hub/isolation/runner.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::app {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
namespace fs = std::filesystem;

class PluginOptionsConfig : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::tempDir("plugin-options-config"); }
  void TearDown() override { fs::remove_all(dir_); }

  // A configuration whose one plugin source (option-probe, line 4) has `options` from line 5.
  std::string write(const std::string& options) {
    auto path = dir_ / "hub.xml";
    std::ofstream(path) << "<hub xmlns=\"urn:ijro-hub:config:1\" id=\"p\">\n  <plugins>\n"
                           "    <!-- the probe -->\n"
                           "    <source id=\"probe\" library=\"" IJRO_TEST_PLUGIN_OPTION_PROBE
                           "\" regions=\"*\" sectors=\"*\">\n"
                        << options << "    </source>\n  </plugins>\n</hub>\n";
    return path.string();
  }
  std::vector<std::string> problems(const std::string& path) {
    try {
      loadConfig(path, (test::sourceDir() / "schemas").string());
    } catch (const ConfigError& e) {
      return e.problems;
    }
    return {};
  }
  // The records one poll of the configured instance emits.
  std::vector<std::string> pollOnce(const Config& cfg) {
    isolation::RunnerOptions ro;
    ro.pluginPath = cfg.pluginSources.at(0).library;
    ro.name = "probe";
    ro.options = cfg.pluginSources.at(0).options;
    auto runner = isolation::makeRunner(ro);
    auto r = runner->poll();
    EXPECT_EQ(r.status, plugin_host::Status::Ok) << r.message;
    return r.records;
  }
  fs::path dir_;
};

TEST_F(PluginOptionsConfig, TableRowsReachThePluginInOrder) {
  auto path = write(R"(      <option name="regions">
        <row key="Organization/tashkent-health" value="1726"/>
        <row key="Organization/andijan &quot;health&quot;" value="1703"/>
      </option>
)");
  auto cfg = loadConfig(path, (test::sourceDir() / "schemas").string());
  EXPECT_EQ(cfg.pluginSources.at(0).options.at("regions"),
            R"({"Organization/tashkent-health":"1726","Organization/andijan \"health\"":"1703"})");
  auto records = pollOnce(cfg);
  ASSERT_THAT(records, SizeIs(2));
  EXPECT_THAT(records[0], AllOf(HasSubstr("\"region\":\"1726\""),
                                HasSubstr("\"organisation\":\"Organization/tashkent-health\"")));
  EXPECT_THAT(records[1], AllOf(HasSubstr("\"region\":\"1703\""),
                                HasSubstr(R"("organisation":"Organization/andijan \"health\"")")));
}

TEST_F(PluginOptionsConfig, TableFromACsvFileRelativeToTheConfiguration) {
  fs::create_directories(dir_ / "maps");
  std::ofstream(dir_ / "maps/regions.csv")
      << "key,value\r\n\"Organization/samarqand, city\",1718\r\nOrganization/xorazm,1733\r\n";
  auto path = write(R"(      <option name="regions" file="maps/regions.csv"/>
)");
  auto cfg = loadConfig(path, (test::sourceDir() / "schemas").string());
  auto records = pollOnce(cfg);
  ASSERT_THAT(records, SizeIs(2));
  EXPECT_THAT(records[0], AllOf(HasSubstr("\"region\":\"1718\""),
                                HasSubstr("\"organisation\":\"Organization/samarqand, city\"")));
  EXPECT_THAT(records[1], HasSubstr("\"region\":\"1733\""));
}

TEST_F(PluginOptionsConfig, DuplicateAndEmptyKeysAreRefusedWithFileAndLine) {
  auto path = write(R"(      <option name="regions">
        <row key="a" value="1726"/>
        <row key="" value="1703"/>
        <row key="a" value="1718"/>
      </option>
)");
  const std::string f = path + ":";
  EXPECT_THAT(problems(path),
              ::testing::UnorderedElementsAre(
                  AllOf(HasSubstr(f + "7: plugin source \"probe\": option \"regions\": row 2 "
                                      "has an empty key")),
                  AllOf(HasSubstr(f + "8: plugin source \"probe\": option \"regions\": row 3 "
                                      "repeats key \"a\""),
                        HasSubstr("first at " + f + "6"))));

  std::ofstream(dir_ / "regions.csv") << "a,1726\nb,1703\na,1718\n,1\nc,1,2\n";
  path = write(R"(      <option name="regions" file="regions.csv"/>
)");
  const std::string csv = (dir_ / "regions.csv").string() + ":";
  EXPECT_THAT(problems(path),
              ::testing::UnorderedElementsAre(
                  HasSubstr(csv + "3: plugin source \"probe\": option \"regions\": row 3 repeats "
                                  "key \"a\""),
                  HasSubstr(csv + "4: plugin source \"probe\": option \"regions\": row 4 has an "
                                  "empty key"),
                  HasSubstr(csv + "5: plugin source \"probe\": option \"regions\": row 5 has 3 "
                                  "columns")));
}

TEST_F(PluginOptionsConfig, ATableAsTextMustBeItsJsonForm) {
  auto path = write(R"(      <option name="regions">a=1726;b=1703</option>
)");
  EXPECT_THAT(problems(path),
              ::testing::ElementsAre(AllOf(HasSubstr(path + ":5: plugin source \"probe\": option "
                                                            "\"regions\" must be a table"),
                                           HasSubstr("<row key="))));
  path = write(R"(      <option name="regions">{"a": "1726"}</option>
)");
  auto cfg = loadConfig(path, (test::sourceDir() / "schemas").string());
  EXPECT_THAT(pollOnce(cfg), SizeIs(1));
}

TEST_F(PluginOptionsConfig, SecretsComeInlineFromAFileOrFromTheEnvironment) {
  std::ofstream(dir_ / "token.txt") << "file-secret-1\n";
  fs::permissions(dir_ / "token.txt", fs::perms::owner_read | fs::perms::owner_write);
  auto path = write(R"(      <option name="token" fromFile="token.txt"/>
)");
  auto cfg = loadConfig(path, (test::sourceDir() / "schemas").string());
  EXPECT_EQ(cfg.pluginSources.at(0).options.at("token"), "file-secret-1");

  ::setenv("IJRO_TEST_PROBE_TOKEN", "env-secret-2", 1);
  path = write(R"(      <option name="token" fromEnv="IJRO_TEST_PROBE_TOKEN"/>
)");
  cfg = loadConfig(path, (test::sourceDir() / "schemas").string());
  EXPECT_EQ(cfg.pluginSources.at(0).options.at("token"), "env-secret-2");

  ::unsetenv("IJRO_TEST_PROBE_UNSET");
  path = write(R"(      <option name="token" fromEnv="IJRO_TEST_PROBE_UNSET"/>
)");
  EXPECT_THAT(problems(path),
              ::testing::ElementsAre(
                  HasSubstr(path + ":5: plugin source \"probe\": option \"token\": the environment "
                                   "variable \"IJRO_TEST_PROBE_UNSET\" is not set")));
}

TEST_F(PluginOptionsConfig, FromFileAndRowsFitOnlyTheirTypes) {
  std::ofstream(dir_ / "x.txt") << "x\n";
  auto path = write(R"(      <option name="fail_on_create" fromFile="x.txt"/>
      <option name="token"><row key="a" value="b"/></option>
)");
  EXPECT_THAT(problems(path),
              ::testing::UnorderedElementsAre(
                  HasSubstr(path + ":5: plugin source \"probe\": option \"fail_on_create\" is a "
                                   "bool, not a secret"),
                  HasSubstr(path + ":6: plugin source \"probe\": option \"token\" is a secret, "
                                   "not a table")));
  path = write(R"(      <option name="token" fromEnv="HOME">inline too</option>
)");
  EXPECT_THAT(problems(path), ::testing::ElementsAre(HasSubstr("give its value one way only")));
}

}  // namespace
}  // namespace ijro::app
