// The spreadsheet plugin, built as bundled (plugins/spreadsheet), loaded by bare name into the
// real `ijro-hub serve`, in the hub's process and isolated in a plugin-host child: the tracking
// workbook written by a real spreadsheet program reaches /api/v1/measures, and the file is moved
// aside once stored. And `ijro-hub plugin test` runs it on the same workbook.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <thread>

#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/wait.hpp"

namespace ijro::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kReader = "demo-national-read-token";

// The options every run here gives the plugin, besides its folder.
constexpr const char* kOptions[][2] = {{"region", "1703"},         {"sector", "education"},
                                       {"act_number", "PQ-60"},    {"act_date", "2022-01-28"},
                                       {"measure_prefix", "AND-"}, {"start", "2026-01-01"},
                                       {"settle_ms", "0"}};

fs::path dropFixture(const fs::path& inbox) {
  fs::create_directories(inbox);
  const fs::path to = inbox / "tracking-uz-cyrl.xlsx";
  fs::copy_file(sourceDir() / "tests/data/spreadsheet/tracking-uz-cyrl.xlsx", to);
  return to;
}

class SpreadsheetInTheHub : public ::testing::TestWithParam<const char*> {};

TEST_P(SpreadsheetInTheHub, TheTrackingWorkbookReachesTheMeasuresAndIsMovedAside) {
  const std::string isolation = GetParam();
  auto dir = tempDir("spreadsheet-hub-" + isolation);
  const fs::path inbox = dir / "inbox";
  dropFixture(inbox);
  std::string options = "      <option name=\"directory\">" + inbox.string() + "</option>\n";
  for (const auto& o : kOptions)
    options += std::string("      <option name=\"") + o[0] + "\">" + o[1] + "</option>\n";
  auto config = dir / "hub.xml";
  std::ofstream(config) << R"(<hub xmlns="urn:ijro-hub:config:1" id="spreadsheet-it">
  <log level="info"/>
  <readers>
    <reader id="ministry" token="demo-national-read-token" regions="*" sectors="*"/>
  </readers>
  <plugins>
    <source id="andijan-sheet" library="spreadsheet" isolation=")"
                        << isolation << R"(" interval="200ms" jitter="0" regions="1703" sectors="*">
)" << options << R"(    </source>
  </plugins>
</hub>
)";
  HubProcess hub(dir, config);
  hub.start();

  json::array items;
  ASSERT_TRUE(waitFor([&] {
    auto res = hub.get("/api/v1/measures?asOf=2026-11-28&region=1703", kReader);
    if (res.status != 200) return false;
    items = json::parse(res.body).at("items").as_array();
    return items.size() == 3;
  })) << hub.log();
  std::map<std::string, json::object> byId;
  for (const auto& i : items) byId[std::string(i.at("measure").as_string())] = i.as_object();
  ASSERT_EQ(byId.count("AND-1"), 1u);
  const auto& first = byId["AND-1"];
  EXPECT_EQ(first.at("source").as_string(), "andijan-sheet");
  EXPECT_EQ(first.at("title").as_string(), "Мактабларни таъмирлаш");
  EXPECT_EQ(first.at("organisation").as_string(), "Андижон вилояти халқ таълими бошқармаси");
  EXPECT_EQ(first.at("deadline").as_string(), "2026-12-31");
  EXPECT_EQ(first.at("start").as_string(), "2026-01-01");
  EXPECT_EQ(first.at("lifecycle").as_string(), "inProgress");
  EXPECT_EQ(first.at("progress").to_number<double>(), 0.4);
  EXPECT_EQ(byId["AND-2"].at("lifecycle").as_string(), "planned");
  EXPECT_EQ(byId["AND-3"].at("lifecycle").as_string(), "completed");
  EXPECT_EQ(byId["AND-3"].at("completed").as_string(), "2026-03-20");

  // Moved aside once its rows were committed (at the next poll).
  ASSERT_TRUE(waitFor([&] { return fs::exists(inbox / "processed/tracking-uz-cyrl.xlsx"); }))
      << hub.log();
  EXPECT_FALSE(fs::exists(inbox / "tracking-uz-cyrl.xlsx"));

  hub.signal(SIGTERM);
  EXPECT_EQ(hub.wait(), 0) << hub.log();
}

INSTANTIATE_TEST_SUITE_P(InProcessAndIsolated, SpreadsheetInTheHub,
                         ::testing::Values("inProcess", "process"));

TEST(SpreadsheetPluginTest, PluginTestReadsTheWorkbook) {
  auto dir = tempDir("spreadsheet-plugin-test");
  dropFixture(dir / "inbox");
  const fs::path options = dir / "options.conf";
  {
    std::ofstream o(options);
    o << "directory = " << (dir / "inbox").string() << "\n";
    for (const auto& kv : kOptions) o << kv[0] << " = " << kv[1] << "\n";
  }
  auto r = runHub({"plugin", "test", IJRO_SPREADSHEET_PLUGIN, "--options", options.string()});
  EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("AND-1"));
  EXPECT_THAT(r.out, HasSubstr("AND-3"));
  EXPECT_THAT(r.out, HasSubstr("Мактабларни таъмирлаш"));
}

}  // namespace
}  // namespace ijro::test
