// The health-fhir adapter (adapters/health-fhir), loaded by bare name into the real
// `ijro-hub serve`, in the hub's process and isolated: it reads the FHIR stand-in
// (examples/stand-ins/fhir-server) with a bearer token from a file or the environment, pages
// through its Bundles, and the values reach /api/v1/measures as the served files give them; a
// later poll asks only for what is newer than its checkpoint; the token shows nowhere. And
// `ijro-hub plugin test` runs it in files mode on the published examples.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/integration/hub_process.hpp"
#include "tests/integration/stand_in.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/wait.hpp"

namespace ijro::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kReader = "demo-national-read-token";
constexpr const char* kToken = "fhir-bearer-Zq81xT";      // the stand-in's token
constexpr const char* kWrongToken = "fhir-wrong-Lp03mV";  // an instance the stand-in refuses
constexpr const char* kMcv2 = "http://ssv.uz/fhir/Measure/mcv2-coverage";
constexpr const char* kTb = "http://ssv.uz/fhir/Measure/tb-treatment-success";

const std::map<std::string, std::string> kMeasureIds = {{kMcv2, "SSV-2026-MCV2"},
                                                        {kTb, "SSV-2026-TB"}};
const std::map<std::string, std::string> kRegions = {{"Organization/andijan-health", "1703"},
                                                     {"Organization/tashkent-city-health", "1726"},
                                                     {"Organization/samarqand-health", "1718"},
                                                     {"Organization/xorazm-health", "1733"}};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string percentDecoded(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The options of the measures and reporters, as rows.
std::string mappingRows() {
  return R"(      <option name="measures">
        <row key="http://ssv.uz/fhir/Measure/mcv2-coverage" value="SSV-2026-MCV2|MCV2|Measles vaccine second dose coverage|%|Raise MCV2 coverage to 95 percent|95"/>
        <row key="http://ssv.uz/fhir/Measure/tb-treatment-success" value="SSV-2026-TB|TB-SUCCESS|Tuberculosis treatment success|%|Raise TB treatment success to 90 percent|90||2026-09-30"/>
        <row key="Measure/CMS146" value="SSV-2026-PHARYNGITIS|CMS146|Children with pharyngitis tested appropriately|%|Appropriate testing for children with pharyngitis"/>
        <row key="http://ohie.org/Measure/hiv-indicators" value="SSV-2026-HIV|HIV-ART|Patients starting ART|persons|HIV treatment indicators"/>
      </option>
      <option name="reporters">
        <row key="Organization/andijan-health" value="1703"/>
        <row key="Organization/tashkent-city-health" value="1726"/>
        <row key="Organization/samarqand-health" value="1718"/>
        <row key="Organization/xorazm-health" value="1733"/>
        <row key="Good Health Hospital" value="1726|1726264"/>
        <row key="Organization/ZW01" value="1714"/>
      </option>
      <option name="act_type">resolution</option>
      <option name="act_number">PQ-5590</option>
      <option name="act_date">2022-07-01</option>
      <option name="start">2014-01-01</option>
      <option name="deadline">2026-12-31</option>
)";
}

// Every MeasureReport of the served folder, as the files give them.
std::vector<json::object> servedReports(const fs::path& data) {
  std::vector<json::object> out;
  for (const auto& f : fs::directory_iterator(data)) {
    const json::value bundle = json::parse(slurp(f.path()));
    for (const auto& e : bundle.at("entry").as_array()) out.push_back(e.at("resource").as_object());
  }
  return out;
}

double countOf(const json::value& group, const std::string& code) {
  for (const auto& p : group.at("population").as_array())
    if (p.at("code").at("coding").at(0).at("code").as_string() == code)
      return p.at("count").to_number<double>();
  ADD_FAILURE() << "no population " << code;
  return 0;
}

// The stored period of a report: the item of its measure and region, the period of its dates.
const json::value* storedPeriod(const json::array& items, const json::object& report) {
  const std::string measure = kMeasureIds.at(std::string(report.at("measure").as_string()));
  const std::string region =
      kRegions.at(std::string(report.at("reporter").at("reference").as_string()));
  for (const auto& item : items) {
    if (item.at("measure").as_string() != measure || item.at("region").as_string() != region)
      continue;
    for (const auto& p : item.at("indicators").at(0).at("periods").as_array())
      if (p.at("start").as_string() == report.at("period").at("start").as_string() &&
          p.at("end").as_string() == report.at("period").at("end").as_string())
        return &p;
  }
  return nullptr;
}

class HealthFhirInTheHub : public ::testing::TestWithParam<const char*> {};

TEST_P(HealthFhirInTheHub, ServedReportsReachTheMeasuresAndLaterPollsAskOnlyForNewerOnes) {
  const std::string isolation = GetParam();
  const fs::path dir = tempDir("health-fhir-hub-" + isolation);
  const fs::path data = dir / "fhir-data";
  fs::create_directories(data);
  for (const auto& f : fs::directory_iterator(sourceDir() / "examples/stand-ins/fhir-server/data"))
    fs::copy_file(f.path(), data / f.path().filename());
  StandIn fhir(dir, "examples/stand-ins/fhir-server/serve.py",
               {"--data", data.string(), "--token", kToken});
  fhir.start();

  // The token from a file in-process, from the environment isolated.
  std::string tokenOption;
  if (isolation == "inProcess") {
    std::ofstream(dir / "fhir.token") << kToken << "\n";
    fs::permissions(dir / "fhir.token", fs::perms::owner_read | fs::perms::owner_write);
    tokenOption = "<option name=\"token\" fromFile=\"" + (dir / "fhir.token").string() + "\"/>";
  } else {
    ::setenv("IJRO_IT_FHIR_TOKEN", kToken, 1);
    tokenOption = "<option name=\"token\" fromEnv=\"IJRO_IT_FHIR_TOKEN\"/>";
  }
  const fs::path config = dir / "hub.xml";
  std::ofstream(config) << R"(<hub xmlns="urn:ijro-hub:config:1" id="health-fhir-it">
  <log level="info"/>
  <readers>
    <reader id="ministry" token="demo-national-read-token" regions="*" sectors="*"/>
  </readers>
  <plugins>
    <source id="moh-fhir" library="health-fhir" isolation=")"
                        << isolation << R"(" interval="200ms" jitter="0" regions="*" sectors="*">
      <option name="base_url">)"
                        << fhir.url() << R"(</option>
      <option name="page_size">3</option>
      )" << tokenOption << "\n"
                        << mappingRows() << R"(    </source>
    <source id="moh-fhir-locked" library="health-fhir" isolation=")"
                        << isolation << R"(" interval="200ms" jitter="0" regions="*" sectors="*">
      <option name="base_url">)"
                        << fhir.url() << R"(</option>
      <option name="token">)"
                        << kWrongToken << "</option>\n"
                        << mappingRows() << R"(    </source>
  </plugins>
</hub>
)";
  HubProcess hub(dir, config);
  hub.start();

  std::vector<json::object> reports = servedReports(data);
  ASSERT_GE(reports.size(), 16u);
  json::array items;
  auto allStored = [&] {
    auto res = hub.get("/api/v1/measures", kReader);
    if (res.status != 200) return false;
    items = json::parse(res.body).at("items").as_array();
    for (const auto& r : reports)
      if (storedPeriod(items, r) == nullptr) return false;
    return true;
  };
  ASSERT_TRUE(waitFor(allStored)) << hub.log() << fhir.log();

  std::string greatest;
  for (const auto& r : reports) {
    SCOPED_TRACE(std::string(r.at("id").as_string()));
    const json::value& p = *storedPeriod(items, r);
    const json::value& group = r.at("group").at(0);
    const double num = countOf(group, "numerator"), den = countOf(group, "denominator");
    EXPECT_EQ(p.at("numerator").to_number<double>(), num);
    EXPECT_EQ(p.at("denominator").to_number<double>(), den);
    EXPECT_NEAR(p.at("actual").to_number<double>(), num / den * 100, 1e-9);
    const std::string updated(r.at("meta").at("lastUpdated").as_string());
    if (updated > greatest) greatest = updated;
  }
  for (const auto& item : items) {
    EXPECT_EQ(item.at("source").as_string(), "moh-fhir");
    EXPECT_EQ(item.at("sector").as_string(), "health");
  }

  // A newer report: the next poll asks for what is newer than the greatest lastUpdated held,
  // and gets only it.
  json::object q4 = reports.front();
  q4["id"] = "andijan-health-mcv2-2026q4";
  q4["meta"] = json::object{{"lastUpdated", "2026-11-20T09:00:00.000Z"}};
  q4["measure"] = kMcv2;
  q4["reporter"] = json::object{{"reference", "Organization/andijan-health"}};
  q4["period"] = json::object{{"start", "2026-10-01"}, {"end", "2026-12-31"}};
  std::ofstream(data / "andijan-q4.json") << json::serialize(q4);
  ASSERT_TRUE(waitFor([&] {
    auto res = hub.get("/api/v1/measures", kReader);
    return res.status == 200 &&
           storedPeriod(json::parse(res.body).at("items").as_array(), q4) != nullptr;
  })) << hub.log();
  EXPECT_THAT(percentDecoded(fhir.log()), HasSubstr("_lastUpdated=gt" + greatest));
  // Each served report was read once: the polls since asked only for newer ones.
  const std::string readLine =
      "ijro_plugin_counter_total{instance=\"moh-fhir\",kind=\"source\",name=\"resources_read\"} " +
      std::to_string(reports.size() + 1);
  ASSERT_TRUE(waitFor([&] {
    return hub.get("/metrics", kReader).body.find(readLine) != std::string::npos;
  })) << hub.get("/metrics", kReader).body;

  // The instance with the wrong token fails with the server's 401, and neither token shows.
  auto refusedLine = [&] {
    std::istringstream lines(hub.log());
    for (std::string line; std::getline(lines, line);)
      if (line.find("moh-fhir-locked") != std::string::npos &&
          line.find("401") != std::string::npos)
        return true;
    return false;
  };
  ASSERT_TRUE(waitFor(refusedLine)) << hub.log();
  for (const std::string& body :
       {hub.get("/metrics", kReader).body, hub.get("/readyz", kReader).body,
        hub.get("/api/v1/measures", kReader).body, hub.get("/api/v1/measures", kToken).body,
        hub.post("/api/v1/reports", "{", "application/json", kReader).body}) {
    EXPECT_THAT(body, Not(HasSubstr(kToken)));
    EXPECT_THAT(body, Not(HasSubstr(kWrongToken)));
  }
  hub.signal(SIGTERM);
  EXPECT_EQ(hub.wait(), 0) << hub.log();
  EXPECT_THAT(hub.log(), Not(HasSubstr(kToken)));
  EXPECT_THAT(hub.log(), Not(HasSubstr(kWrongToken)));
  auto info = runHub({"plugin", "info", IJRO_PLUGIN_PATH});
  EXPECT_EQ(info.exitCode, 0) << info.err;
  EXPECT_THAT(info.out, HasSubstr("token"));
  EXPECT_THAT(info.out + info.err, Not(HasSubstr(kToken)));
}

INSTANTIATE_TEST_SUITE_P(InProcessAndIsolated, HealthFhirInTheHub,
                         ::testing::Values("inProcess", "process"));

// Files mode under `ijro-hub plugin test`: the published examples (a summary in JSON, the HIV
// indicators in XML) are printed as records with the files' values.
TEST(HealthFhirPluginTest, PluginTestReadsThePublishedExamplesFromAFolder) {
  const fs::path dir = tempDir("health-fhir-plugin-test");
  const fs::path examples = sourceDir() / "adapters/health-fhir/fixtures/hl7-r4";
  fs::create_directories(dir / "in");
  fs::copy_file(examples / "MeasureReport-measurereport-cms146-cat3-example.json",
                dir / "in/cat3.json");
  fs::copy_file(examples / "MeasureReport-hiv-indicators.xml", dir / "in/hiv.xml");
  std::ofstream(dir / "options.xml") << R"(<options xmlns="urn:ijro-hub:plugin-options:1">
      <option name="directory">)" << (dir / "in").string()
                                     << R"(</option>
      <option name="settle_ms">0</option>
)" << mappingRows() << "</options>\n";
  auto r = runHub({"plugin", "test", IJRO_PLUGIN_PATH, "--options", (dir / "options.xml").string(),
                   "--format", "json"});
  EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
  const json::object cat3 =
      json::parse(slurp(examples / "MeasureReport-measurereport-cms146-cat3-example.json"))
          .as_object();
  const json::value& group = cat3.at("group").at(0);
  EXPECT_THAT(r.out, HasSubstr("SSV-2026-PHARYNGITIS"));
  EXPECT_THAT(r.out, HasSubstr("SSV-2026-HIV"));
  EXPECT_THAT(r.out, HasSubstr("1726264"));
  std::ostringstream numerator;
  numerator << "\"numerator\":" << countOf(group, "numerator");
  EXPECT_THAT(r.out, HasSubstr(numerator.str()));
}

}  // namespace
}  // namespace ijro::test
