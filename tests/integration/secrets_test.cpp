// Secret options (ABI 1.2) on the real binary: a plugin that logs its secret and puts it into the
// error of its on_create, configured inline, from a file and from the environment, in-process and
// isolated; then every output a person or a scraper sees (the hub's log, /metrics, /readyz, HTTP
// error bodies, `plugin info`, `plugin test`) is searched for the secret values. The redacted
// lines must be there ("***"), so the search looks where the secrets would have been.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <thread>

#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/wait.hpp"

namespace ijro::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr const char* kInline = "inline-secret-Kp07x";
constexpr const char* kFromFile = "file-secret-Zq81y";
constexpr const char* kFromEnv = "env-secret-Wm42z";
constexpr const char* kReader = "secrets-read-token-123";

std::size_t countOf(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

std::string probe(const std::string& id, const std::string& token, bool fail,
                  const std::string& extra = "") {
  return "    <source id=\"" + id +
         "\" library=\"" IJRO_TEST_PLUGIN_OPTION_PROBE
         "\" interval=\"200ms\" jitter=\"0\" retryMinMs=\"100\" retryMaxMs=\"200\" "
         "regions=\"*\" sectors=\"*\"" +
         extra + ">\n      " + token + "\n      <option name=\"fail_on_create\">" +
         (fail ? "true" : "false") +
         "</option>\n      <option name=\"regions\"><row key=\"Ministry of Health\" "
         "value=\"1726\"/></option>\n    </source>\n";
}

void expectNoSecret(const std::string& where, const std::string& text) {
  for (const char* secret : {kInline, kFromFile, kFromEnv})
    EXPECT_EQ(text.find(secret), std::string::npos)
        << "the secret \"" << secret << "\" appears in " << where << ":\n"
        << text;
}

TEST(Secrets, NoSecretValueAppearsInAnyOutputOfTheHub) {
  const auto dir = tempDir("secrets");
  { std::ofstream(dir / "token.txt") << kFromFile << "\n"; }
  fs::permissions(dir / "token.txt", fs::perms::owner_read | fs::perms::owner_write);
  ::setenv("IJRO_IT_PROBE_TOKEN", kFromEnv, 1);
  const std::string inlineToken = std::string("<option name=\"token\">") + kInline + "</option>";
  const std::string fileToken = "<option name=\"token\" fromFile=\"token.txt\"/>";
  const std::string envToken = "<option name=\"token\" fromEnv=\"IJRO_IT_PROBE_TOKEN\"/>";

  const auto config = dir / "hub.xml";
  std::ofstream(config) << R"(<hub xmlns="urn:ijro-hub:config:1" id="secrets-it">
  <log level="info"/>
  <readers>
    <reader id="ministry" token=")"
                        << kReader << R"(" regions="*" sectors="*"/>
  </readers>
  <plugins>
)" << probe("inline-fails", inlineToken, true)
                        << probe("file-fails", fileToken, true, " isolation=\"process\"")
                        << probe("env-fails", envToken, true)
                        << probe("env-runs", envToken, false, " isolation=\"process\"")
                        << probe("file-runs", fileToken, false) << R"(  </plugins>
</hub>
)";

  HubProcess hub(dir, config);
  hub.start();
  // Each failing instance has logged its token and failed on_create at least twice (a retry), and
  // each running one has polled.
  ASSERT_TRUE(waitFor([&] {
    const std::string log = hub.log();
    return countOf(log, "the sector system refused token ***") >= 6 &&
           countOf(log, "connecting with token ***") >= 8 &&
           hub.get("/metrics", kReader)
                   .body.find(
                       "ijro_plugin_counter_total{instance=\"file-runs\",kind=\"source\",name="
                       "\"probe_"
                       "polls\"}") != std::string::npos;
  })) << hub.log();

  expectNoSecret("/metrics", hub.get("/metrics", kReader).body);
  expectNoSecret("/readyz", hub.get("/readyz", kReader).body);
  expectNoSecret("/api/v1/measures", hub.get("/api/v1/measures", kReader).body);
  expectNoSecret("a 401 body", hub.get("/api/v1/measures", kInline).body);
  expectNoSecret("a 400 body",
                 hub.post("/api/v1/reports", std::string("{\"x\":\"") + kFromEnv + "\"",
                          "application/json", kReader)
                     .body);
  hub.signal(SIGTERM);
  hub.wait();
  const std::string log = hub.log();
  EXPECT_THAT(log, HasSubstr("instance \"file-fails\""));
  expectNoSecret("the hub's log", log);

  // The plugin commands, with the same secrets from an options file.
  std::ofstream(dir / "options.xml") << R"(<options xmlns="urn:ijro-hub:plugin-options:1">
  <option name="token" fromFile="token.txt"/>
  <option name="fail_on_create">true</option>
</options>
)";
  std::ofstream(dir / "env-options.xml") << R"(<options xmlns="urn:ijro-hub:plugin-options:1">
  <option name="token" fromEnv="IJRO_IT_PROBE_TOKEN"/>
  <option name="regions"><row key="Ministry of Health" value="1726"/></option>
</options>
)";
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"plugin", "info", IJRO_TEST_PLUGIN_OPTION_PROBE},
        std::vector<std::string>{"plugin", "info", "--json", IJRO_TEST_PLUGIN_OPTION_PROBE},
        std::vector<std::string>{"plugin", "test", IJRO_TEST_PLUGIN_OPTION_PROBE, "--options",
                                 (dir / "options.xml").string()},
        std::vector<std::string>{"plugin", "test", IJRO_TEST_PLUGIN_OPTION_PROBE, "--options",
                                 (dir / "options.xml").string(), "--isolation", "process"},
        std::vector<std::string>{"plugin", "test", IJRO_TEST_PLUGIN_OPTION_PROBE, "--options",
                                 (dir / "env-options.xml").string(), "--log-level", "debug"}}) {
    std::string command;
    for (const auto& a : args) command += a + " ";
    RunResult r = runHub(args);
    expectNoSecret(command, r.out + r.err);
    if (args[1] == "test") {
      EXPECT_THAT(r.out + r.err, HasSubstr("token ***")) << command;
    }
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ijro::test
