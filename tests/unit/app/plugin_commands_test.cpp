// `ijro-hub plugin info` and `ijro-hub plugin test`, run as the real binary.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "hub/exchange/report.hpp"
#include "hub/xml/safe_reader.hpp"
#include "hub/xml/schema.hpp"
#include "sdk/ijro_plugin.h"
#include "tests/support/test_support.hpp"

extern char** environ;

namespace ijro::app {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

struct Result {
  int exitCode = -1;
  std::string out, err;
};

// Runs ijro-hub with the arguments, stdout and stderr captured in files.
Result hub(const std::vector<std::string>& args) {
  const auto dir = test::tempDir("plugin-cli");
  const std::string out = (dir / "out").string(), err = (dir / "err").string();
  std::vector<std::string> argvStrings = {IJRO_HUB_BINARY};
  argvStrings.insert(argvStrings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argvStrings) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  Result r;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
    ADD_FAILURE() << "cannot run " << argv[0];
    return r;
  }
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = test::readFile(out);
  r.err = test::readFile(err);
  return r;
}

std::filesystem::path write(const std::string& name, const std::string& text) {
  auto path = test::tempDir("plugin-cli-in") / name;
  std::ofstream(path) << text;
  return path;
}

const std::string kSourceOptions = R"(<?xml version="1.0" encoding="UTF-8"?>
<options xmlns="urn:ijro-hub:plugin-options:1">
  <option name="endpoint">https://health.example.uz</option>
  <option name="count">2</option>
</options>
)";

// The report validates against schemas/status-report.xsd; its records, parsed.
std::vector<model::Implementation> validReport(const std::string& xmlText) {
  auto doc = xml::parseDocument(xmlText, "stdout");
  xml::Schema schema((test::sourceDir() / "schemas/status-report.xsd").string());
  auto problems = schema.validate(doc.get(), "stdout");
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems) << "\n" << xmlText;
  std::vector<model::Implementation> records;
  for (auto& r : exchange::parseReportXml(xmlText).records) {
    EXPECT_TRUE(r.errors.empty()) << ::testing::PrintToString(r.errors);
    if (r.record) records.push_back(*r.record);
  }
  return records;
}

TEST(PluginInfo, DescribesAGoodPlugin) {
  Result r = hub({"plugin", "info", IJRO_TEST_PLUGIN_GOOD_SOURCE});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  const std::string abi = std::to_string(IJRO_ABI_MAJOR) + "." + std::to_string(IJRO_ABI_MINOR);
  EXPECT_THAT(r.out, AllOf(HasSubstr("good-source 1.2.0 (source)"),
                           HasSubstr("Emits demo implementations, one revision per poll."),
                           HasSubstr("ABI:  " + abi + " (this hub: " + abi + ")"),
                           HasSubstr("NAME"), HasSubstr("DESCRIPTION")));
  EXPECT_THAT(r.out,
              testing::ContainsRegex("endpoint +string +yes +- +Base URL of the sector system\\."));
  EXPECT_THAT(r.out, testing::ContainsRegex("count +int +no +3 +Implementations emitted"));
  EXPECT_THAT(r.out, testing::ContainsRegex("verbose +bool +no +false"));
}

TEST(PluginInfo, CanSpeakJson) {
  Result r = hub({"plugin", "info", "--json", IJRO_TEST_PLUGIN_GOOD_SINK});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto j = boost::json::parse(r.out).as_object();
  EXPECT_EQ(j.at("name").as_string(), "good-sink");
  EXPECT_EQ(j.at("kind").as_string(), "sink");
  const std::string abi = std::to_string(IJRO_ABI_MAJOR) + "." + std::to_string(IJRO_ABI_MINOR);
  EXPECT_EQ(j.at("abi").as_string(), abi);  // the test plugins are built with this header
  EXPECT_EQ(j.at("hubAbi").as_string(), abi);
  auto options = j.at("options").as_array();
  ASSERT_EQ(options.size(), 3u);
  EXPECT_EQ(options[2].at("name").as_string(), "offline");
  EXPECT_EQ(options[2].at("type").as_string(), "bool");
  EXPECT_EQ(options[2].at("default").as_string(), "false");
}

TEST(PluginInfo, RefusalsNameTheFileAndBothVersions) {
  Result major = hub({"plugin", "info", IJRO_TEST_PLUGIN_ABI_MAJOR});
  EXPECT_EQ(major.exitCode, 2);
  const std::string abi = std::to_string(IJRO_ABI_MAJOR) + "." + std::to_string(IJRO_ABI_MINOR);
  const std::string next =
      std::to_string(IJRO_ABI_MAJOR) + "." + std::to_string(IJRO_ABI_MINOR + 1);
  EXPECT_THAT(major.err, AllOf(HasSubstr(IJRO_TEST_PLUGIN_ABI_MAJOR),
                               HasSubstr("plugin ABI 2." + std::to_string(IJRO_ABI_MINOR) +
                                         ", hub ABI " + abi)));
  EXPECT_EQ(major.out, "");

  Result minor = hub({"plugin", "info", IJRO_TEST_PLUGIN_ABI_MINOR});
  EXPECT_EQ(minor.exitCode, 2);
  EXPECT_THAT(minor.err, AllOf(HasSubstr(IJRO_TEST_PLUGIN_ABI_MINOR),
                               HasSubstr("plugin ABI " + next), HasSubstr("hub ABI " + abi)));

  Result missing = hub({"plugin", "info", "/nonexistent/x.so"});
  EXPECT_EQ(missing.exitCode, 2);
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent/x.so"));

  Result usage = hub({"plugin", "info"});
  EXPECT_EQ(usage.exitCode, 2);
  Result unknown = hub({"plugin", "frobnicate"});
  EXPECT_EQ(unknown.exitCode, 2);
  EXPECT_THAT(unknown.err, HasSubstr("unknown command \"frobnicate\""));
}

TEST(PluginTest, ASourcesRecordsAreAValidStatusReport) {
  auto options = write("source.xml", kSourceOptions);
  Result r = hub({"plugin", "test", IJRO_TEST_PLUGIN_GOOD_SOURCE, "--options", options.string(),
                  "--polls", "2"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  auto records = validReport(r.out);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].source, "good-source");
  EXPECT_EQ(records[0].measure.id, "DEMO-1");
  EXPECT_EQ(records[3].revision, 2);
  EXPECT_THAT(r.err, AllOf(HasSubstr("poll 2: ok, 2 records (2 valid, 0 invalid), checkpoint "
                                     "\"2\""),
                           HasSubstr("counters: records_emitted=4")));
}

TEST(PluginTest, OptionsMayBeNameValueLines) {
  auto options = write("source.conf",
                       "# the demo source\nendpoint = https://x.example.uz\n\ncount=1\n"
                       "organisation = Ministry of Health of Uzbekistan \n");
  Result r = hub({"plugin", "test", IJRO_TEST_PLUGIN_GOOD_SOURCE, "--options", options.string(),
                  "--name", "health-ministry", "--checkpoint", "6", "--format", "json"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  auto doc = exchange::parseReportJson(r.out);
  EXPECT_EQ(doc.source, "health-ministry");
  ASSERT_EQ(doc.records.size(), 1u);
  EXPECT_EQ(doc.records[0].record->organisation, "Ministry of Health of Uzbekistan");
  EXPECT_EQ(doc.records[0].record->revision, 7);
}

TEST(PluginTest, BadOptionsAreRefusedWithTheValidOnes) {
  auto options = write("bad.xml", R"(<options xmlns="urn:ijro-hub:plugin-options:1">
  <option name="endpoint">x</option>
  <option name="colour">red</option>
</options>)");
  Result r = hub({"plugin", "test", IJRO_TEST_PLUGIN_GOOD_SOURCE, "--options", options.string()});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_THAT(r.err, AllOf(HasSubstr("colour"), HasSubstr("endpoint (string, required)")));
  EXPECT_EQ(r.out, "");

  auto twice = write("twice.xml", R"(<options xmlns="urn:ijro-hub:plugin-options:1">
  <option name="endpoint">x</option>
  <option name="endpoint">y</option>
</options>)");
  r = hub({"plugin", "test", IJRO_TEST_PLUGIN_GOOD_SOURCE, "--options", twice.string()});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_THAT(r.err, AllOf(HasSubstr(twice.string() + ":3"), HasSubstr("not a valid options")));

  auto wrongNs = write("ns.xml", R"(<options><option name="endpoint">x</option></options>)");
  r = hub({"plugin", "test", IJRO_TEST_PLUGIN_GOOD_SOURCE, "--options", wrongNs.string()});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_THAT(r.err, HasSubstr("urn:ijro-hub:plugin-options:1"));

  auto conf = write("bad.conf", "endpoint = x\njust words\nendpoint = y\n");
  r = hub({"plugin", "test", IJRO_TEST_PLUGIN_GOOD_SOURCE, "--options", conf.string()});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_THAT(r.err, AllOf(HasSubstr(conf.string() + ":2: expected NAME = VALUE"),
                           HasSubstr(conf.string() + ":3: option \"endpoint\" is set a second")));

  r = hub({"plugin", "test", IJRO_TEST_PLUGIN_GOOD_SOURCE});  // the required option is missing
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_THAT(r.err, HasSubstr("\"endpoint\" is required"));

  r = hub({"plugin", "test", IJRO_TEST_PLUGIN_GOOD_SOURCE, "--format", "yaml"});
  EXPECT_EQ(r.exitCode, 2);
}

TEST(PluginTest, InvalidRecordsAreListedAndTheValidOneReported) {
  Result r = hub({"plugin", "test", IJRO_TEST_PLUGIN_INVALID_RECORDS});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_THAT(r.err, AllOf(HasSubstr("poll 1 record 6 is invalid: colour: unknown field"),
                           HasSubstr("poll 1 record 7 is invalid"), HasSubstr("fishing"),
                           HasSubstr("1 valid records, 6 invalid")));
  auto records = validReport(r.out);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].measure.id, "OK-1");
}

TEST(PluginTest, AFailedPollExitsWithOne) {
  Result r = hub({"plugin", "test", IJRO_TEST_PLUGIN_THROWING_SOURCE});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_THAT(r.err, AllOf(HasSubstr("poll 1 failed"), HasSubstr("upstream returned HTTP 500"),
                           HasSubstr("no valid records: no report written")));
  EXPECT_EQ(r.out, "");
}

const std::string kInput = R"(<?xml version="1.0" encoding="UTF-8"?>
<report xmlns="urn:ijro-hub:report:1" source="someone">
  <implementation revision="3">
    <measure id="M-1"><title>Digitise permits</title>
      <act type="resolution" number="PP-4699" date="2020-04-28"/></measure>
    <region>1703</region><organisation>Khokimiyat</organisation><sector>construction</sector>
    <lifecycle>inProgress</lifecycle><start>2026-01-01</start><deadline>2026-09-30</deadline>
  </implementation>
  <implementation revision="4">
    <measure id="M-2"><title>Open permits</title>
      <act type="resolution" number="PP-4699" date="2020-04-28"/></measure>
    <region>1726</region><organisation>Khokimiyat</organisation><sector>construction</sector>
    <lifecycle>inProgress</lifecycle><start>2026-01-01</start><deadline>2026-09-30</deadline>
  </implementation>
</report>
)";

TEST(PluginTest, ASinkGetsTheInputAndItsAnswersArePrinted) {
  auto input = write("input.xml", kInput);
  Result ok = hub({"plugin", "test", IJRO_TEST_PLUGIN_GOOD_SINK, "--input", input.string()});
  EXPECT_EQ(ok.exitCode, 0) << ok.err;
  EXPECT_THAT(ok.out, AllOf(HasSubstr("batch of 2 records: ok"),
                            HasSubstr("record 1 (measure M-1, region 1703, revision 3): ok"),
                            HasSubstr("record 2 (measure M-2, region 1726, revision 4): ok")));

  auto options = write("sink.conf", "reject = \"M-2\"\n");
  Result refused = hub({"plugin", "test", IJRO_TEST_PLUGIN_GOOD_SINK, "--input", input.string(),
                        "--options", options.string(), "--format", "json"});
  EXPECT_EQ(refused.exitCode, 1) << refused.err;
  auto j = boost::json::parse(refused.out).as_object();
  EXPECT_EQ(j.at("status").as_string(), "ok");
  EXPECT_EQ(j.at("records").as_array()[0].at("status").as_string(), "ok");
  EXPECT_EQ(j.at("records").as_array()[1].at("status").as_string(), "error");
  EXPECT_EQ(j.at("records").as_array()[1].at("measure").as_string(), "M-2");

  Result noInput = hub({"plugin", "test", IJRO_TEST_PLUGIN_GOOD_SINK});
  EXPECT_EQ(noInput.exitCode, 2);
  EXPECT_THAT(noInput.err, HasSubstr("a sink needs --input REPORT"));
}

TEST(PluginTest, ATransformMapsTheInput) {
  auto input = write("input.xml", kInput);
  auto options = write("t.conf", "note = checked\ndrop_region = 1726\n");
  Result r = hub({"plugin", "test", IJRO_TEST_PLUGIN_GOOD_TRANSFORM, "--input", input.string(),
                  "--options", options.string()});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_THAT(r.err, AllOf(HasSubstr("record 1: mapped"), HasSubstr("record 2: dropped")));
  auto records = validReport(r.out);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].note, "checked");
  EXPECT_EQ(records[0].source, "good-transform");
}

TEST(PluginTest, ProcessIsolationGivesTheSameReport) {
  auto options = write("source.xml", kSourceOptions);
  Result in = hub({"plugin", "test", IJRO_TEST_PLUGIN_GOOD_SOURCE, "--options", options.string(),
                   "--polls", "3"});
  Result iso = hub({"plugin", "test", IJRO_TEST_PLUGIN_GOOD_SOURCE, "--options", options.string(),
                    "--polls", "3", "--isolation", "process"});
  EXPECT_EQ(in.exitCode, 0) << in.err;
  EXPECT_EQ(iso.exitCode, 0) << iso.err;
  auto a = validReport(in.out), b = validReport(iso.out);
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a, b);
}

TEST(PluginTest, ACrashInProcessIsolationIsAFailedPoll) {
  Result r = hub({"plugin", "test", IJRO_TEST_PLUGIN_SEGFAULT, "--isolation", "process"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_THAT(r.err, AllOf(HasSubstr("poll 1 failed (retry)"), HasSubstr("SIGSEGV")));

  Result hang =
      hub({"plugin", "test", IJRO_TEST_PLUGIN_HANG, "--isolation", "process", "--timeout", "300"});
  EXPECT_EQ(hang.exitCode, 1);
  EXPECT_THAT(hang.err, HasSubstr("did not answer poll within 300 ms: killed"));
}

TEST(PluginHost, RunByHandItExplainsItself) {
  Result r = hub({"plugin-host"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_THAT(r.err, HasSubstr("usage: ijro-hub plugin-host --fd N"));
  Result help = hub({"--help"});
  EXPECT_THAT(help.out, AllOf(HasSubstr("plugin info FILE.so"), HasSubstr("plugin test"),
                              HasSubstr("plugin-host --fd N")));
}

}  // namespace
}  // namespace ijro::app
