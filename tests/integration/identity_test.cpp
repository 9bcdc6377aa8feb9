// Organisation identity on the real binary: two sources (two HTTP source tokens) reporting one
// implementation, spelling its organisation differently, are counted once in /api/v1/summary, the
// current state is the higher-priority source's, and the history (API and `ijro-hub store
// history`) lists both reports; a spelling nobody configured is listed as unmatched.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "hub/xml/safe_reader.hpp"
#include "hub/xml/schema.hpp"
#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::test {
namespace {

namespace json = boost::json;

constexpr const char* kRegional = "regional-health-token-0001";
constexpr const char* kMinistry = "ministry-health-token-0001";
constexpr const char* kReader = "identity-reader-token-0001";
constexpr const char* kTashkentReader = "tashkent-reader-token-0001";

constexpr const char* kConfig = R"(<?xml version="1.0" encoding="UTF-8"?>
<hub xmlns="urn:ijro-hub:config:1" id="identity-test">
  <store url="sqlite:unused.db"/>
  <organisations>
    <organisation code="201234567" kind="stir">
      <name lang="uz-Latn">Toshkent shahar sogʻliqni saqlash bosh boshqarmasi</name>
      <name lang="en">Tashkent City Health Department</name>
      <alias>Toshkent sh. SSBB</alias>
    </organisation>
  </organisations>
  <sources>
    <source id="regional" token="regional-health-token-0001" regions="1726 1703" sectors="*"/>
    <source id="ministry" token="ministry-health-token-0001" regions="*" sectors="health"
            priority="10"/>
  </sources>
  <readers>
    <reader id="everything" token="identity-reader-token-0001" regions="*" sectors="*"/>
    <reader id="andijan-only" token="tashkent-reader-token-0001" regions="1703" sectors="*"/>
  </readers>
</hub>
)";

std::string report(const std::string& organisation, int revision, int actual,
                   const std::string& measure = "DU2030-2.4.3") {
  return R"({"implementations": [{"revision": )" + std::to_string(revision) +
         R"(, "measure": {"id": ")" + measure +
         R"(", "title": "Online medical consultations",
  "act": {"type": "decree", "number": "UP-6079", "date": "2020-10-05", "item": "2.4"}},
  "region": "1726", "organisation": ")" +
         organisation + R"(", "sector": "health", "lifecycle": "inProgress",
  "start": "2026-02-01", "deadline": "2026-12-31",
  "indicators": [{"code": "C", "name": "Consultations", "unit": "n", "ascending": true,
    "baseline": 0, "periods": [{"start": "2026-01-01", "end": "2026-12-31", "target": 100,
    "actual": )" +
         std::to_string(actual) + "}]}]}]}";
}

class IdentityServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tempDir("identity");
    std::ofstream(dir_ / "hub.xml") << kConfig;
    hub_ = std::make_unique<HubProcess>(dir_, dir_ / "hub.xml");
    hub_->start();
  }
  json::value getJson(const std::string& target, const std::string& token = kReader) {
    auto res = hub_->get(target, token);
    EXPECT_EQ(res.status, 200) << target << ": " << res.body;
    return json::parse(res.body);
  }
  void post(const std::string& body, const char* token) {
    auto res = hub_->post("/api/v1/reports", body, "application/json", token);
    ASSERT_EQ(res.status, 200) << res.body;
    ASSERT_NE(res.body.find("\"accepted\":1"), std::string::npos) << res.body;
  }
  std::filesystem::path dir_;
  std::unique_ptr<HubProcess> hub_;
};

TEST_F(IdentityServeTest, TwoSourcesReportingOneImplementationAreCountedOnceAndBothInHistory) {
  post(report("Tashkent City Health Department", 1, 40), kMinistry);
  // Later, from the lower-priority source, spelled by its alias.
  post(report("  TOSHKENT sh.   ssbb ", 3, 55), kRegional);

  auto summary = getJson("/api/v1/summary");
  EXPECT_EQ(summary.at("implementations").to_number<int>(), 1) << summary;
  auto measures = getJson("/api/v1/measures?organisation=201234567");
  ASSERT_EQ(measures.at("total").to_number<int>(), 1) << measures;
  EXPECT_EQ(measures.at("items").at(0).at("source").as_string(), "ministry");

  auto history = getJson("/api/v1/measures/DU2030-2.4.3/history");
  const auto& items = history.at("items").as_array();
  ASSERT_EQ(items.size(), 2u) << history;
  EXPECT_EQ(items[0].at("source").as_string(), "regional");  // newest first
  EXPECT_EQ(items[0].at("revision").to_number<int>(), 3);
  EXPECT_EQ(items[1].at("source").as_string(), "ministry");
  for (const auto& i : items) {
    EXPECT_EQ(i.at("organisationCode").as_string(), "201234567");
    EXPECT_FALSE(i.at("receivedAt").as_string().empty());
    EXPECT_EQ(i.at("changes").at(0).as_string(), "created");
  }
  auto oldest = getJson(
      "/api/v1/measures/DU2030-2.4.3/history?order=oldest&region=1726&organisation=201234567"
      "&pageSize=1");
  ASSERT_EQ(oldest.at("items").as_array().size(), 1u);
  EXPECT_EQ(oldest.at("items").at(0).at("source").as_string(), "ministry");
  // A reader of Andijan sees none of Tashkent's history, and may not ask for it.
  EXPECT_TRUE(getJson("/api/v1/measures/DU2030-2.4.3/history", kTashkentReader)
                  .at("items")
                  .as_array()
                  .empty());
  EXPECT_EQ(hub_->get("/api/v1/measures/DU2030-2.4.3/history?region=1726", kTashkentReader).status,
            403);

  // The command line prints the same rows.
  auto cli = runHub({"store", "history", "--store", "sqlite:" + (dir_ / "hub.db").string(),
                     "--measure", "DU2030-2.4.3", "--organisation", "201234567"});
  ASSERT_EQ(cli.exitCode, 0) << cli.err;
  EXPECT_NE(cli.out.find("regional  revision 3"), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find("ministry  revision 1"), std::string::npos) << cli.out;
  EXPECT_LT(cli.out.find("regional"), cli.out.find("ministry")) << cli.out;
}

// The directory's code and names reach the read side: /api/v1/measures names the organisation in
// the reader's language, the feed carries the code with every name, and two spellings of one
// organisation (two measures) are one group of the roll-up by organisation.
TEST_F(IdentityServeTest, AKnownOrganisationIsNamedInTheReadersLanguageAndGroupedByItsCode) {
  post(report("Tashkent City Health Department", 1, 40), kMinistry);
  post(report("Toshkent sh. SSBB", 1, 70, "DU2030-2.4.4"), kRegional);
  post(report("Chilonzor tuman poliklinikasi", 1, 70, "DU2030-2.4.5"), kRegional);

  auto uz = getJson("/api/v1/measures?organisation=201234567&lang=uz-Latn");
  ASSERT_EQ(uz.at("total").to_number<int>(), 2) << uz;
  for (const auto& i : uz.at("items").as_array()) {
    EXPECT_EQ(i.at("organisationCode").as_string(), "201234567");
    EXPECT_EQ(i.at("organisationName").as_string(),
              "Toshkent shahar sogʻliqni saqlash bosh boshqarmasi");
    EXPECT_EQ(i.at("organisationNameLang").as_string(), "uz-Latn");
    EXPECT_EQ(i.at("organisationNames").as_array().size(), 2u);
  }
  auto item = getJson("/api/v1/measures?measure=DU2030-2.4.4&lang=en").at("items").at(0);
  EXPECT_EQ(item.at("organisation").as_string(), "Toshkent sh. SSBB");  // as reported
  EXPECT_EQ(item.at("organisationName").as_string(), "Tashkent City Health Department");
  // A spelling the directory does not know keeps its own name and has no code.
  auto unknown = getJson("/api/v1/measures?measure=DU2030-2.4.5&lang=en");
  EXPECT_TRUE(unknown.at("items").at(0).at("organisationCode").is_null());
  EXPECT_EQ(unknown.at("items").at(0).at("organisationName").as_string(),
            "Chilonzor tuman poliklinikasi");

  auto byOrganisation = getJson("/api/v1/summary?by=organisation");
  const auto& groups = byOrganisation.at("groups").as_array();
  ASSERT_EQ(groups.size(), 2u) << byOrganisation;
  int known = 0;
  for (const auto& g : groups)
    if (g.at("key").as_string() == "201234567") {
      ++known;
      EXPECT_EQ(g.at("total").to_number<int>(), 2) << g;
    }
  EXPECT_EQ(known, 1) << byOrganisation;

  auto feed = hub_->get("/api/v1/feed", kReader);
  ASSERT_EQ(feed.status, 200);
  std::size_t identities = 0;
  for (auto at = feed.body.find("<organisationIdentity code=\"201234567\">");
       at != std::string::npos; at = feed.body.find("<organisationIdentity code", at + 1))
    ++identities;
  EXPECT_EQ(identities, 2u) << feed.body;
  auto doc = xml::parseDocument(feed.body, "feed");
  xml::Schema schema((sourceDir() / "schemas/monitoring-feed.xsd").string());
  auto problems = schema.validate(doc.get(), "feed");
  EXPECT_TRUE(problems.empty()) << problems.front();
  EXPECT_NE(feed.body.find("<name lang=\"uz-Latn\">Toshkent shahar"), std::string::npos);
  EXPECT_NE(feed.body.find("<name lang=\"en\">Tashkent City Health Department</name>"),
            std::string::npos);
}

TEST_F(IdentityServeTest, UnknownSpellingIsAcceptedAndListedAsUnmatched) {
  post(report("Yangi tashkilot", 1, 10, "DU2030-9.9.9"), kRegional);
  post(report("Yangi tashkilot", 2, 20, "DU2030-9.9.9"), kRegional);
  auto known = getJson("/api/v1/organisations");
  ASSERT_EQ(known.at("items").as_array().size(), 1u);
  EXPECT_EQ(known.at("items").at(0).at("code").as_string(), "201234567");
  EXPECT_EQ(known.at("items").at(0).at("names").at("en").as_string(),
            "Tashkent City Health Department");
  auto unmatched = getJson("/api/v1/organisations?unmatched=true");
  const auto& items = unmatched.at("items").as_array();
  ASSERT_EQ(items.size(), 1u) << unmatched;
  EXPECT_EQ(items[0].at("spelling").as_string(), "Yangi tashkilot");
  EXPECT_EQ(items[0].at("source").as_string(), "regional");
  EXPECT_EQ(items[0].at("count").to_number<int>(), 2);
  EXPECT_FALSE(items[0].at("firstSeen").as_string().empty());
}

}  // namespace
}  // namespace ijro::test
