// The <plugins> section: instances, library lookup, options checked against the plugin's own
// table, every problem with its file and line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pwd.h>

#include <fstream>

#include "hub/app/config.hpp"
#include "hub/app/paths.hpp"
#include "hub/xml/signature.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::app {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::string schemas() {
  return (test::sourceDir() / "schemas").string();
}

class PluginsConfig : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::tempDir("plugins-config"); }
  void TearDown() override { fs::remove_all(dir_); }

  // A configuration with `plugins` as its <plugins> content (line 6 is its first line).
  std::string write(const std::string& plugins, const std::string& hubAttributes = "") {
    auto path = dir_ / "hub.xml";
    std::ofstream(path) << "<hub xmlns=\"urn:ijro-hub:config:1\" id=\"p\"" << hubAttributes
                        << ">\n  <sources>\n    <source id=\"http\" token=\"a-long-enough-token\" "
                           "regions=\"*\" sectors=\"*\"/>\n  </sources>\n  <plugins>\n"
                        << plugins << "  </plugins>\n</hub>\n";
    return path.string();
  }
  std::vector<std::string> problems(const std::string& path, bool checkPlugins = true) {
    try {
      loadConfig(path, schemas(), checkPlugins);
    } catch (const ConfigError& e) {
      return e.problems;
    }
    return {};
  }
  fs::path dir_;
};

TEST_F(PluginsConfig, InstancesAreReadWithTheirSettings) {
  auto path =
      write(std::string(R"(    <source id="dhis2" library=")") + IJRO_TEST_PLUGIN_GOOD_SOURCE +
            R"(" interval="500ms" jitter="0.25"
            isolation="process" timeoutMs="2000" concurrency="3" maxRecordsPerSecond="12.5"
            regions="1726 1703" sectors="health" retryMinMs="10" retryMaxMs="20">
      <option name="endpoint">https://dhis2.example.uz</option>
      <option name="count"> 7</option>
    </source>
    <sink id="files" library=")" +
            IJRO_TEST_PLUGIN_GOOD_SINK +
            R"(" batchSize="50" interval="2m"/>
)");
  // " 7" is not an int: options are taken exactly as written.
  EXPECT_THAT(problems(path), ElementsAre(HasSubstr("hub.xml:10: plugin source \"dhis2\": option "
                                                    "\"count\" must be an integer")));

  path = write(std::string(R"(    <source id="dhis2" library=")") + IJRO_TEST_PLUGIN_GOOD_SOURCE +
               R"(" interval="500ms" jitter="0.25"
            isolation="process" timeoutMs="2000" concurrency="3" maxRecordsPerSecond="12.5"
            regions="1726 1703" sectors="health" retryMinMs="10" retryMaxMs="20">
      <option name="endpoint">https://dhis2.example.uz</option>
      <option name="count">7</option>
    </source>
    <sink id="files" library=")" +
               IJRO_TEST_PLUGIN_GOOD_SINK + R"(" batchSize="50" interval="2m"/>
)");
  auto cfg = loadConfig(path, schemas());
  ASSERT_EQ(cfg.pluginSources.size(), 1u);
  const auto& s = cfg.pluginSources[0];
  EXPECT_EQ(s.id, "dhis2");
  EXPECT_EQ(s.library, fs::path(IJRO_TEST_PLUGIN_GOOD_SOURCE));
  EXPECT_EQ(s.interval, std::chrono::milliseconds(500));
  EXPECT_DOUBLE_EQ(s.jitter, 0.25);
  EXPECT_EQ(s.isolation, isolation::Isolation::Process);
  EXPECT_EQ(s.timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(s.concurrency, 3);
  EXPECT_EQ(s.maxRecordsPerSecond, 12.5);
  EXPECT_EQ(s.scope.regions, (std::set<std::string>{"1703", "1726"}));
  EXPECT_EQ(s.scope.sectors, (std::set<std::string>{"health"}));
  EXPECT_EQ(s.retryMin, std::chrono::milliseconds(10));
  EXPECT_EQ(s.retryMax, std::chrono::milliseconds(20));
  EXPECT_EQ(s.options.at("endpoint"), "https://dhis2.example.uz");
  EXPECT_EQ(s.options.at("count"), "7");
  EXPECT_EQ(s.origin, path + ":8");  // libxml2: where the start tag ends
  ASSERT_EQ(cfg.pluginSinks.size(), 1u);
  const auto& k = cfg.pluginSinks[0];
  EXPECT_EQ(k.id, "files");
  EXPECT_EQ(k.batchSize, 50u);
  EXPECT_EQ(k.idle, std::chrono::minutes(2));
  EXPECT_EQ(k.isolation, isolation::Isolation::InProcess);
  EXPECT_EQ(k.retryMin, std::chrono::milliseconds(1000));  // defaults
  EXPECT_EQ(k.retryMax, std::chrono::milliseconds(300000));
  EXPECT_TRUE(k.options.empty());
}

TEST_F(PluginsConfig, AnIsolatedInstanceTakesItsChildsEnvironmentLimitsAndUser) {
  auto path = write(std::string(R"(    <source id="dhis2" library=")") +
                    IJRO_TEST_PLUGIN_GOOD_SOURCE + R"(" isolation="process" regions="*" sectors="*"
            env="HTTPS_PROXY  ORACLE_HOME" memoryLimitMb="256" cpuLimitSeconds="60"
            openFilesLimit="64" user="nobody">
      <option name="endpoint">https://dhis2.example.uz</option>
    </source>
    <sink id="files" library=")" +
                    IJRO_TEST_PLUGIN_GOOD_SINK +
                    R"(" isolation="process"/>
)");
  auto cfg = loadConfig(path, schemas());
  ASSERT_EQ(cfg.pluginSources.size(), 1u);
  const isolation::ChildLimits& c = cfg.pluginSources[0].child;
  EXPECT_THAT(c.env, ElementsAre("HTTPS_PROXY", "ORACLE_HOME"));
  EXPECT_EQ(c.memoryMb, 256u);
  EXPECT_EQ(c.cpuSeconds, 60u);
  EXPECT_EQ(c.openFiles, 64u);
  ASSERT_TRUE(c.user.has_value());
  EXPECT_EQ(c.user->name, "nobody");
  EXPECT_EQ(c.user->uid, ::getpwnam("nobody")->pw_uid);
  // The defaults, documented in schemas/hub-config.xsd and docs/plugin-guide.md.
  const isolation::ChildLimits& d = cfg.pluginSinks.at(0).child;
  EXPECT_TRUE(d.env.empty());
  EXPECT_EQ(d.memoryMb, 2048u);
  EXPECT_EQ(d.cpuSeconds, 3600u);
  EXPECT_EQ(d.openFiles, 1024u);
  EXPECT_FALSE(d.user.has_value());
}

TEST_F(PluginsConfig, ChildSettingsProblemsNameTheirLine) {
  auto path = write(std::string(R"(    <source id="a" library=")") + IJRO_TEST_PLUGIN_GOOD_SOURCE +
                    R"(" isolation="process" user="no-such-user-here" regions="*" sectors="*">
      <option name="endpoint">https://dhis2.example.uz</option>
    </source>
    <source id="b" library=")" +
                    IJRO_TEST_PLUGIN_GOOD_SOURCE +
                    R"(" memoryLimitMb="100" regions="*" sectors="*">
      <option name="endpoint">https://dhis2.example.uz</option>
    </source>
    <sink id="c" library=")" +
                    IJRO_TEST_PLUGIN_GOOD_SINK +
                    R"(" isolation="process" openFilesLimit="3"/>
)");
  EXPECT_THAT(
      problems(path),
      ElementsAre(AllOf(HasSubstr("hub.xml:6: plugin source \"a\": user=\"no-such-user-here\" "
                                  "is no user on this machine"),
                        HasSubstr("remove user=")),
                  AllOf(HasSubstr("hub.xml:9: plugin source \"b\": memoryLimitMb applies "
                                  "to a plugin-host child only"),
                        HasSubstr("isolation=\"process\"")),
                  HasSubstr("hub.xml:12: plugin sink \"c\": openFilesLimit=\"3\" leaves "
                            "the plugin-host too few files")));
}

TEST_F(PluginsConfig, DefaultsApply) {
  auto cfg = loadConfig(write(std::string(R"(    <source id="d" library=")") +
                              IJRO_TEST_PLUGIN_GOOD_SOURCE + R"(" regions="*" sectors="*">
      <option name="endpoint">x</option>
    </source>
)"),
                        schemas());
  const auto& s = cfg.pluginSources.at(0);
  EXPECT_EQ(s.interval, std::chrono::seconds(30));
  EXPECT_DOUBLE_EQ(s.jitter, 0.1);
  EXPECT_EQ(s.concurrency, 1);
  EXPECT_FALSE(s.maxRecordsPerSecond.has_value());
  EXPECT_TRUE(s.scope.regions.empty());
  EXPECT_TRUE(s.scope.sectors.empty());
  EXPECT_EQ(s.isolation, isolation::Isolation::InProcess);
  EXPECT_EQ(s.timeout, std::chrono::milliseconds(30000));
}

TEST_F(PluginsConfig, LibraryIsFoundRelativeToTheFileOrByNameInThePluginFolder) {
  fs::create_directories(dir_ / "lib");
  fs::copy_file(IJRO_TEST_PLUGIN_GOOD_SINK, dir_ / "lib/demo_sink.so");
  // A path with a '/' is relative to the configuration's folder, not the working directory.
  auto cfg = loadConfig(write(R"(    <sink id="a" library="lib/demo_sink.so"/>
    <sink id="b" library="./lib/../lib/demo_sink.so"/>
)"),
                        schemas());
  EXPECT_EQ(cfg.pluginSinks.at(0).library, dir_ / "lib/demo_sink.so");
  EXPECT_EQ(cfg.pluginSinks.at(1).library, dir_ / "lib/demo_sink.so");

  // A bare name is looked for in pluginDir (relative to the file), with or without ".so".
  cfg = loadConfig(write(R"(    <sink id="a" library="demo_sink"/>
    <sink id="b" library="demo_sink.so"/>
)",
                         " pluginDir=\"lib\""),
                   schemas());
  EXPECT_EQ(cfg.pluginSinks.at(0).library, dir_ / "lib/demo_sink.so");
  EXPECT_EQ(cfg.pluginSinks.at(1).library, dir_ / "lib/demo_sink.so");
  EXPECT_EQ(cfg.pluginDirs, std::vector<fs::path>{dir_ / "lib"});

  // Without pluginDir: ../lib/ijro-hub/plugins beside the running binary (hub/app/paths.hpp); the
  // real binary finding the generic plugins there is in tests/integration and tests/package.
  cfg = loadConfig(write(R"(    <sink id="files" library="xml_exchange">
      <option name="directory">/tmp</option>
    </sink>
)"),
                   schemas(), /*checkPlugins=*/false);
  EXPECT_EQ(cfg.pluginDirs, std::vector<fs::path>{pluginDirBeside(executablePath())});
}

TEST_F(PluginsConfig, EveryProblemNamesItsLine) {
  const std::string good = IJRO_TEST_PLUGIN_GOOD_SOURCE;
  auto path =
      write(R"(    <source id="a" library=")" + good + R"(" regions="1799" sectors="fishing">
      <option name="endpoint">x</option>
      <option name="colour">red</option>
      <option name="count">many</option>
      <option name="endpoint">y</option>
    </source>
    <source id="b" library=")" +
            good + R"(" regions="*" sectors="*"/>
    <sink id="c" library=")" +
            good + R"("/>
    <source id="http" library="no_such_plugin" regions="*" sectors="*" interval="0s"
            retryMinMs="50" retryMaxMs="10"/>
    <sink id="e" library="sub/missing.so"/>
)");
  auto p = problems(path);
  const std::string f = path + ":";
  EXPECT_THAT(
      p, ::testing::UnorderedElementsAre(
             HasSubstr(f + "6: plugin source \"a\" region \"1799\""),
             HasSubstr(f + "6: plugin source \"a\" sector \"fishing\" is unknown"),
             AllOf(HasSubstr(f + "10: plugin source \"a\": option \"endpoint\" is set "
                                 "twice (first on line 7)")),
             AllOf(HasSubstr(f + "8: plugin source \"a\": plugin \"good-source\""),
                   HasSubstr("has no option \"colour\""), HasSubstr("count (int, default \"3\")")),
             HasSubstr(f + "9: plugin source \"a\": option \"count\" must be an integer"),
             AllOf(HasSubstr(f + "12: plugin source \"b\": plugin \"good-source\""),
                   HasSubstr("requires option \"endpoint\"")),
             AllOf(HasSubstr(f + "13: plugin sink \"c\": "),
                   HasSubstr("is a source plugin, not a sink")),
             HasSubstr(f + "15: plugin source \"http\": the id \"http\" is already used "
                           "by source \"http\" (line 3)"),
             HasSubstr(f + "15: plugin source \"http\": retryMinMs (50) is larger"),
             HasSubstr(f + "15: plugin source \"http\": interval \"0s\" must be a "
                           "positive duration"),
             AllOf(HasSubstr(f + "15: plugin source \"http\": plugin library "
                                 "\"no_such_plugin\" is not in the plugin folder"),
                   HasSubstr("pluginDir")),
             AllOf(HasSubstr(f + "16: plugin sink \"e\": plugin library "),
                   HasSubstr("sub/missing.so does not exist"))));
}

TEST_F(PluginsConfig, TransformsAreReadAndChainedInTheOrderGiven) {
  const std::string source = IJRO_TEST_PLUGIN_GOOD_SOURCE;
  const std::string transform = IJRO_TEST_PLUGIN_GOOD_TRANSFORM;
  // A source may name transforms declared after it.
  auto path = write(R"(    <source id="s" library=")" + source +
                    R"(" regions="*" sectors="*" transforms="codes notes">
      <option name="endpoint">x</option>
    </source>
    <transform id="notes" library=")" +
                    transform + R"(" isolation="process" timeoutMs="5000">
      <option name="note">checked</option>
      <option name="drop_region">1703</option>
    </transform>
    <transform id="codes" library=")" +
                    transform + R"(">
      <option name="note">coded</option>
    </transform>
)");
  auto cfg = loadConfig(path, schemas());
  ASSERT_EQ(cfg.pluginSources.size(), 1u);
  EXPECT_EQ(cfg.pluginSources[0].transforms, (std::vector<std::string>{"codes", "notes"}));
  ASSERT_EQ(cfg.pluginTransforms.size(), 2u);
  const auto& t = cfg.pluginTransforms[0];
  EXPECT_EQ(t.id, "notes");
  EXPECT_EQ(t.library, fs::path(transform));
  EXPECT_EQ(t.isolation, isolation::Isolation::Process);
  EXPECT_EQ(t.timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(t.options.at("note"), "checked");
  EXPECT_EQ(t.options.at("drop_region"), "1703");
  EXPECT_EQ(t.origin, path + ":9");
  EXPECT_EQ(cfg.pluginTransforms[1].isolation, isolation::Isolation::InProcess);  // the default
  EXPECT_EQ(cfg.pluginTransforms[1].timeout, std::chrono::milliseconds(30000));
}

TEST_F(PluginsConfig, TransformProblemsNameTheirLine) {
  const std::string source = IJRO_TEST_PLUGIN_GOOD_SOURCE;
  const std::string transform = IJRO_TEST_PLUGIN_GOOD_TRANSFORM;
  auto path = write(R"(    <source id="s" library=")" + source +
                    R"(" regions="*" sectors="*" transforms="notes missing notes files">
      <option name="endpoint">x</option>
    </source>
    <transform id="notes" library=")" +
                    transform + R"(">
      <option name="note">n</option>
    </transform>
    <transform id="wrong" library=")" +
                    source + R"("/>
    <transform id="bare" library=")" +
                    transform + R"("/>
    <sink id="files" library=")" +
                    std::string(IJRO_TEST_PLUGIN_GOOD_SINK) + R"("/>
)");
  const std::string f = path + ":";
  EXPECT_THAT(
      problems(path),
      ::testing::UnorderedElementsAre(
          HasSubstr(f + "6: plugin source \"s\": transform \"missing\" is not configured: "
                        "declare it as <transform id=\"missing\""),
          HasSubstr(f + "6: plugin source \"s\": transform \"notes\" is listed twice"),
          HasSubstr(f + "6: plugin source \"s\": transforms names \"files\", which is plugin "
                        "sink \"files\""),
          AllOf(HasSubstr(f + "12: plugin transform \"wrong\": "),
                HasSubstr("is a source plugin, not a transform: configure it as <source>")),
          AllOf(HasSubstr(f + "13: plugin transform \"bare\": plugin \"good-transform\""),
                HasSubstr("requires option \"note\""))));
  // And the other way round: a transform library configured as a source.
  auto wrongWay = write(R"(    <source id="t" library=")" + transform +
                        R"(" regions="*" sectors="*"/>
)");
  EXPECT_THAT(problems(wrongWay),
              ElementsAre(HasSubstr("is a transform plugin, not a source: configure it as "
                                    "<transform>")));
}

TEST_F(PluginsConfig, SchemaProblemsComeFirst) {
  auto p = problems(write(R"(    <source id="Bad Id" library="x" regions="*" sectors="*"
            isolation="thread" interval="30 seconds"/>
)"));
  ASSERT_FALSE(p.empty());
  for (const auto& line : p) EXPECT_THAT(line, HasSubstr("hub.xml:7"));
}

TEST_F(PluginsConfig, WithoutPluginChecksNothingIsLoaded) {
  // `dlq` needs the store URL, not the plugins: a missing library is no problem then.
  auto path = write(R"(    <sink id="e" library="sub/missing.so"/>
    <source id="s" library="nowhere" regions="*" sectors="*"/>
)");
  EXPECT_TRUE(problems(path, false).empty());
  EXPECT_EQ(problems(path).size(), 2u);
}

// Bare library names resolve beside the running binary, which here is the test's: the shipped
// configurations with their plugins loaded are checked on the real binary
// (Cli.ValidateAcceptsEveryShippedConfig).
// They are loaded as scripts/run.sh uses them: copied beside the key pair it makes
// (var/national/keys, named relative to the configuration's folder).
TEST_F(PluginsConfig, ShippedConfigurationsLoad) {
  const auto root = test::tempDir("shipped-configs");
  fs::create_directories(root / "config");
  fs::create_directories(root / "var/national/keys");
  const auto pair = xml::makeSelfSignedKeyPair("national-demo", 30);
  std::ofstream(root / "var/national/keys/national-demo.key") << pair.keyPem;
  std::ofstream(root / "var/national/keys/national-demo.crt") << pair.certPem;
  for (const auto& entry : fs::directory_iterator(test::sourceDir() / "config")) {
    if (entry.path().extension() != ".xml") continue;
    SCOPED_TRACE(entry.path().string());
    const auto copy = root / "config" / entry.path().filename();
    fs::copy_file(entry.path(), copy);
    EXPECT_NO_THROW(loadConfig(copy.string(), schemas(), /*checkPlugins=*/false));
  }
  auto cfg = loadConfig((test::sourceDir() / "config/plugins-example.xml").string(), schemas(),
                        /*checkPlugins=*/false);
  EXPECT_EQ(cfg.pluginSources.size(), 1u);
  EXPECT_EQ(cfg.pluginSinks.size(), 1u);
}

}  // namespace
}  // namespace ijro::app
