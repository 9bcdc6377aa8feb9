// The education-oneroster adapter loaded by bare name into the real `ijro-hub serve`, in the hub's
// process and isolated: it fetches the bulk package the student information system stand-in
// serves (examples/stand-ins/oneroster-sis) with a bearer token from a secret option, and
// /api/v1/measures shows per region and district the counts worked out from the package's own CSV
// files; the next polls of the unchanged package are answered 304 and not read again. And
// `ijro-hub plugin test` runs it on a fixture folder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>

#include "adapters/education-oneroster/tests/oracle.hpp"
#include "hub/http/client.hpp"
#include "tests/integration/hub_process.hpp"
#include "tests/integration/stand_in.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/wait.hpp"

namespace ijro::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using oneroster::test::Expected;
using oneroster::test::expectedOf;
using ::testing::HasSubstr;

constexpr const char* kReader = "demo-national-read-token";
constexpr const char* kSisToken = "sis-stand-in-token";

const std::map<std::string, std::string> kMapping = {{"DIST-AND-1", "1703202"},
                                                     {"dist-and-2", "1703206"},
                                                     {"DIST-SAM-1", "1718206"},
                                                     {"DIST-TAS-1", "1726"},
                                                     {"SCH-TAS-9", "1726262"}};

fs::path fixtures() {
  return sourceDir() / "adapters/education-oneroster/fixtures";
}

// The options every run gives the adapter, as <option> elements, besides its source.
std::string commonOptions(const fs::path& state) {
  std::string out = "<option name=\"state_dir\">" + state.string() + "</option>\n";
  out += "<option name=\"regions\">";
  for (const auto& [k, v] : kMapping) out += "<row key=\"" + k + "\" value=\"" + v + "\"/>";
  out += "</option>\n";
  for (const auto& [k, v] : std::map<std::string, std::string>{
           {"measure_id", "DU2030-3.1.7"},
           {"measure_title", "Connect all general schools to the electronic school diary"},
           {"act_number", "UP-6079"},
           {"act_date", "2020-10-05"},
           {"start", "2026-01-15"},
           {"deadline", "2026-12-31"},
           {"settle_ms", "0"}})
    out += "<option name=\"" + k + "\">" + v + "</option>\n";
  return out;
}

// The stand-in's requests for the package, by status.
std::map<int, int> packageRequests(const StandIn& sis) {
  const auto res = http::request("127.0.0.1", sis.port(), "GET", "/oneroster/requests");
  std::map<int, int> out;
  if (res.status != 200) return out;
  const json::value log = json::parse(res.body);
  for (const auto& r : log.at("requests").as_array())
    if (r.at("path").as_string() == "/oneroster/bulk.zip")
      ++out[static_cast<int>(r.at("status").to_number<int>())];
  return out;
}

// Per region or district, the indicator values of implementations in the JSON form (a measures
// item, or an implementation of a status report).
std::map<std::string, Expected> totalsOf(const json::array& items) {
  std::map<std::string, Expected> out;
  for (const auto& item : items) {
    Expected& e = out[std::string(item.at("region").as_string())];
    for (const auto& ind : item.at("indicators").as_array()) {
      const auto& periods = ind.at("periods").as_array();
      EXPECT_EQ(periods.size(), 1u) << ind;
      const long v = std::lround(periods.at(0).at("actual").to_number<double>());
      const auto code = ind.at("code").as_string();
      (code == "EDU-SCHOOLS" ? e.schools : code == "EDU-TEACHERS" ? e.teachers : e.pupils) = v;
    }
  }
  return out;
}

class OneRosterInTheHub : public ::testing::TestWithParam<const char*> {};

TEST_P(OneRosterInTheHub, MeasuresShowTheCountsOfTheServedPackageAndAnUnchangedOneIsNotReadAgain) {
  const std::string isolation = GetParam();
  const auto expected = expectedOf(fixtures() / "bulk.zip", kMapping);
  ASSERT_GE(expected.size(), 7u);  // 3 regions and 4 districts

  auto dir = tempDir("oneroster-hub-" + isolation);
  StandIn sis(dir, "examples/stand-ins/oneroster-sis/serve.py",
              {"--data", (fixtures() / "bulk.zip").string(), "--token", kSisToken});
  sis.start();
  auto config = dir / "hub.xml";
  std::ofstream(config) << R"(<hub xmlns="urn:ijro-hub:config:1" id="oneroster-it">
  <log level="info"/>
  <readers>
    <reader id="ministry" token=")"
                        << kReader << R"(" regions="*" sectors="*"/>
  </readers>
  <plugins>
    <source id="maktab-sis" library="education-oneroster" isolation=")"
                        << isolation
                        << R"(" interval="200ms" jitter="0" regions="*" sectors="education">
<option name="url">)" << sis.url()
                        << R"(/oneroster/bulk.zip</option>
<option name="token">)" << kSisToken
                        << "</option>\n"
                        << commonOptions(dir / "state") << R"(    </source>
  </plugins>
</hub>
)";
  HubProcess hub(dir, config);
  hub.start();

  json::array items;
  ASSERT_TRUE(waitFor([&] {
    auto res = hub.get("/api/v1/measures?asOf=2026-11-28&pageSize=1000", kReader);
    if (res.status != 200) return false;
    items = json::parse(res.body).at("items").as_array();
    return items.size() == expected.size();
  })) << hub.log()
      << sis.log();

  for (const auto& item : items) {
    EXPECT_EQ(item.at("measure").as_string(), "DU2030-3.1.7");
    EXPECT_EQ(item.at("source").as_string(), "maktab-sis");
  }
  EXPECT_EQ(totalsOf(items), expected);

  // Later polls ask again with the package's validators: 304, and nothing is read again.
  ASSERT_TRUE(waitFor([&] { return packageRequests(sis)[304] >= 2; })) << hub.log() << sis.log();
  EXPECT_EQ(packageRequests(sis)[200], 1);
  EXPECT_THAT(hub.log(), ::testing::Not(HasSubstr(kSisToken)));

  hub.signal(SIGTERM);
  EXPECT_EQ(hub.wait(), 0) << hub.log();
}

INSTANTIATE_TEST_SUITE_P(InProcessAndIsolated, OneRosterInTheHub,
                         ::testing::Values("inProcess", "process"));

TEST(OneRosterPluginTest, PluginTestReadsTheBulkPackageOfAFolder) {
  auto dir = tempDir("oneroster-plugin-test");
  fs::create_directories(dir / "inbox");
  fs::copy_file(fixtures() / "bulk.zip", dir / "inbox/bulk.zip");
  const fs::path options = dir / "options.xml";
  std::ofstream(options) << "<options xmlns=\"urn:ijro-hub:plugin-options:1\">\n"
                         << "<option name=\"directory\">" << (dir / "inbox").string()
                         << "</option>\n"
                         << commonOptions(dir / "state") << "</options>\n";
  auto r = runHub(
      {"plugin", "test", IJRO_PLUGIN_PATH, "--options", options.string(), "--format", "json"});
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  const auto report = json::parse(r.out);
  EXPECT_EQ(totalsOf(report.at("implementations").as_array()),
            expectedOf(fixtures() / "bulk.zip", kMapping))
      << r.out;
}

}  // namespace
}  // namespace ijro::test
