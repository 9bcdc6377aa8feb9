// The health-fhir plugin through the SDK's test kit (the hub's loader and record checks), on the
// published FHIR R4 MeasureReport examples in JSON and XML, and its mapping library directly.
// Expected values are computed from the example files themselves.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <ijro_testkit.hpp>
#include <map>
#include <sstream>
#include <string>

#include "fhir_tree.hpp"
#include "measure_report.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using ijro::testkit::PluginUnderTest;
using ijro::testkit::Status;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const fs::path kExamples = fs::path(HEALTH_FHIR_FIXTURES) / "hl7-r4";
constexpr const char* kCat1 = "MeasureReport-measurereport-cms146-cat1-example";
constexpr const char* kCat2 = "MeasureReport-measurereport-cms146-cat2-example";
constexpr const char* kCat3 = "MeasureReport-measurereport-cms146-cat3-example";
constexpr const char* kHiv = "MeasureReport-hiv-indicators";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json::object example(const std::string& name) {
  return json::parse(slurp(kExamples / (name + ".json"))).as_object();
}

fs::path freshDir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("health-fhir-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "in");
  return dir;
}

// The options every run here gives: the two measures of the examples, their two reporters.
ijro::testkit::Options options(const fs::path& dir) {
  return {
      {"directory", (dir / "in").string()},
      {"settle_ms", "0"},
      {"measures",
       R"({"Measure/CMS146":"UZ-SSV-146|CMS146|Children with pharyngitis tested appropriately|%|Appropriate testing for children with pharyngitis|80",)"
       R"("http://ohie.org/Measure/hiv-indicators":"UZ-SSV-HIV|HIV-ART|Patients starting ART|persons|HIV treatment indicators"})"},
      {"reporters",
       R"({"Good Health Hospital":"1726|1726264|Good Health Hospital","Organization/ZW01":"1703"})"},
      {"act_type", "resolution"},
      {"act_number", "PQ-5590"},
      {"act_date", "2022-07-01"},
      {"start", "2014-01-01"},
      {"deadline", "2030-12-31"},
  };
}

double countOf(const json::value& holder, const std::string& code) {
  if (!holder.as_object().contains("population")) return 0;
  for (const auto& p : holder.at("population").as_array())
    if (p.at("code").at("coding").at(0).at("code").as_string() == code)
      return p.at("count").to_number<double>();
  return 0;
}

std::string shortest(double d) {
  std::ostringstream s;
  s << d;
  return s.str();
}

class PublishedExample : public ::testing::TestWithParam<const char*> {};

// cms146 category III (summary) and II (subject-list): one record for the reporter's district,
// numerator and denominator (less exclusions) of the group and of each stratum as in the file.
TEST_P(PublishedExample, SummaryAndSubjectListGiveTheFilesRatesPerStratum) {
  for (const char* name : {kCat3, kCat2}) {
    SCOPED_TRACE(name);
    const fs::path dir = freshDir(std::string("cms146-") + GetParam());
    const std::string file = std::string(name) + "." + GetParam();
    fs::copy_file(kExamples / file, dir / "in" / file);
    PluginUnderTest p(IJRO_PLUGIN_PATH, options(dir));
    auto run = p.poll();
    ASSERT_EQ(run.status, Status::Ok) << run.message;
    EXPECT_THAT(run.rejected, IsEmpty());
    ASSERT_EQ(run.records.size(), 1u);
    const auto& r = run.records[0];
    const json::object fhir = example(name);
    EXPECT_EQ(r.field("measure.id"), "UZ-SSV-146");
    EXPECT_EQ(r.field("region"), "1726264");
    EXPECT_EQ(r.field("organisation"), "Good Health Hospital");
    EXPECT_EQ(r.field("sector"), "health");
    EXPECT_EQ(r.field("indicators[0].code"), "CMS146");
    EXPECT_EQ(r.field("indicators[0].mode"), "merge");
    EXPECT_EQ(r.field("indicators[0].periods[0].start"),
              std::string(fhir.at("period").at("start").as_string()));
    EXPECT_EQ(r.field("indicators[0].periods[0].end"),
              std::string(fhir.at("period").at("end").as_string()));
    EXPECT_EQ(r.field("indicators[0].periods[0].target"), "80");
    const json::value& group = fhir.at("group").at(0);
    EXPECT_EQ(r.field("indicators[0].periods[0].numerator"), shortest(countOf(group, "numerator")));
    EXPECT_EQ(r.field("indicators[0].periods[0].denominator"),
              shortest(countOf(group, "denominator") - countOf(group, "denominator-exclusion")));
    std::size_t b = 0;
    for (const auto& stratifier : group.at("stratifier").as_array())
      for (const auto& stratum : stratifier.at("stratum").as_array()) {
        const std::string at = "indicators[0].periods[0].breakdowns[" + std::to_string(b++) + "]";
        EXPECT_EQ(r.field(at + ".dimension"),
                  std::string(stratifier.at("code").at(0).at("text").as_string()));
        EXPECT_EQ(r.field(at + ".category"),
                  std::string(stratum.at("value").at("text").as_string()));
        const double den =
            countOf(stratum, "denominator") - countOf(stratum, "denominator-exclusion");
        if (den > 0) {
          EXPECT_EQ(r.field(at + ".numerator"), shortest(countOf(stratum, "numerator"))) << at;
          EXPECT_EQ(r.field(at + ".denominator"), shortest(den)) << at;
        } else {
          EXPECT_FALSE(r.has(at + ".denominator")) << at << ": 0 of 0 has no rate";
        }
      }
    EXPECT_EQ(r.field("indicators[0].periods[0].breakdowns[" + std::to_string(b) + "]"), "");
  }
}

// cms146 category I (individual): not used, and the file is moved to rejected/ saying why.
TEST_P(PublishedExample, IndividualReportIsRejectedNamingItsSubject) {
  const fs::path dir = freshDir(std::string("cat1-") + GetParam());
  const std::string file = std::string(kCat1) + "." + GetParam();
  fs::copy_file(kExamples / file, dir / "in" / file);
  PluginUnderTest p(IJRO_PLUGIN_PATH, options(dir));
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.records, IsEmpty());
  const std::string reason = slurp(dir / "in/rejected" / (file + ".reason.txt"));
  EXPECT_THAT(reason, HasSubstr("MeasureReport/measurereport-cms146-cat1-example"));
  EXPECT_THAT(reason, HasSubstr("type is individual"));
  EXPECT_THAT(reason, HasSubstr("Patient/123"));
  EXPECT_FALSE(fs::exists(dir / "in" / file));
  EXPECT_EQ(p.counters()["resources_rejected"], 1);
}

// hiv-indicators: three groups of one code are one indicator; every stratum (also those of the
// stratifier with components) is a breakdown with its measureScore, each (dimension, category)
// once.
TEST_P(PublishedExample, HivIndicatorsGroupsOfOneCodeAreOneIndicatorWithStrataAsBreakdowns) {
  const fs::path dir = freshDir(std::string("hiv-") + GetParam());
  const std::string file = std::string(kHiv) + "." + GetParam();
  fs::copy_file(kExamples / file, dir / "in" / file);
  PluginUnderTest p(IJRO_PLUGIN_PATH, options(dir));
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.rejected, IsEmpty());
  ASSERT_EQ(run.records.size(), 1u);
  const auto& r = run.records[0];
  const json::object fhir = example(kHiv);
  EXPECT_EQ(r.field("region"), "1703");
  EXPECT_EQ(r.field("organisation"), "Organization/ZW01");
  EXPECT_EQ(r.field("indicators[0].code"), "HIV-ART");
  EXPECT_EQ(r.field("indicators[1].code"), "");
  EXPECT_EQ(r.field("indicators[0].periods[0].start"),
            std::string(fhir.at("period").at("start").as_string()));
  EXPECT_EQ(r.field("indicators[0].periods[0].actual"),
            shortest(fhir.at("group").at(0).at("measureScore").at("value").to_number<double>()));
  // The strata of the file, each (dimension, category) once, in order of appearance.
  std::vector<std::pair<std::string, std::string>> strata;
  std::map<std::pair<std::string, std::string>, double> scores;
  for (const auto& g : fhir.at("group").as_array())
    for (const auto& s : g.at("stratifier").as_array()) {
      std::string dimension;
      for (const auto& c : s.at("code").as_array())
        dimension += (dimension.empty() ? "" : ":") +
                     std::string(c.at("coding").at(0).at("code").as_string());
      for (const auto& st : s.at("stratum").as_array()) {
        std::string category;
        if (st.as_object().contains("value")) {
          category = std::string(st.at("value").at("coding").at(0).at("code").as_string());
        } else {
          for (const auto& comp : st.at("component").as_array())
            category += (category.empty() ? "" : ":") +
                        std::string(comp.at("value").at("coding").at(0).at("code").as_string());
        }
        const std::pair key{dimension, category};
        if (!scores.count(key)) strata.push_back(key);
        scores[key] = st.at("measureScore").at("value").to_number<double>();
      }
    }
  ASSERT_FALSE(strata.empty());
  for (std::size_t i = 0; i < strata.size(); ++i) {
    const std::string at = "indicators[0].periods[0].breakdowns[" + std::to_string(i) + "]";
    EXPECT_EQ(r.field(at + ".dimension"), strata[i].first);
    EXPECT_EQ(r.field(at + ".category"), strata[i].second);
    EXPECT_EQ(r.field(at + ".actual"), shortest(scores[strata[i]]));
  }
  EXPECT_FALSE(r.has("indicators[0].periods[0].breakdowns[" + std::to_string(strata.size()) + "]"));
}

INSTANTIATE_TEST_SUITE_P(JsonAndXml, PublishedExample, ::testing::Values("json", "xml"));

// A Bundle with usable reports and three that are not: an unknown measure URL, an unmapped
// reporter and an STU3 resource are each rejected with a precise reason while the others are
// stored; the file goes to processed/ and the reasons to rejected/NAME.rejected.txt.
TEST(HealthFhirBundle, BadEntriesAreRejectedWithReasonsAndTheOthersStillPass) {
  const fs::path dir = freshDir("bundle");
  json::object cat3 = example(kCat3);
  json::object unknownMeasure = cat3;
  unknownMeasure["id"] = "unknown-measure";
  unknownMeasure["measure"] = "http://example.org/Measure/not-configured";
  json::object unmapped = example(kHiv);
  unmapped["id"] = "unmapped-reporter";
  unmapped["reporter"] = json::object{{"reference", "Organization/ZW99"}};
  json::object stu3 = example(kCat3);
  stu3["id"] = "stu3-report";
  stu3["measure"] = json::object{{"reference", "Measure/CMS146"}};
  json::array entries;
  for (const auto& r : {cat3, unknownMeasure, unmapped, stu3, example(kHiv)})
    entries.push_back(json::object{{"resource", r}});
  const json::object bundle{{"resourceType", "Bundle"}, {"type", "collection"}, {"entry", entries}};
  std::ofstream(dir / "in/bundle.json") << json::serialize(bundle);

  PluginUnderTest p(IJRO_PLUGIN_PATH, options(dir));
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.rejected, IsEmpty());
  ASSERT_EQ(run.records.size(), 2u);
  EXPECT_EQ(run.records[0].field("measure.id"), "UZ-SSV-146");
  EXPECT_EQ(run.records[1].field("measure.id"), "UZ-SSV-HIV");
  EXPECT_EQ(p.counters()["resources_rejected"], 3);

  auto second = p.poll();  // the committed file is moved aside now
  ASSERT_EQ(second.status, Status::Ok) << second.message;
  EXPECT_TRUE(fs::exists(dir / "in/processed/bundle.json"));
  const std::string why = slurp(dir / "in/rejected/bundle.json.rejected.txt");
  EXPECT_THAT(why, HasSubstr("MeasureReport/unknown-measure (bundle.json, Bundle.entry[1]): "
                             "unknown measure URL \"http://example.org/Measure/not-configured\" "
                             "(Bundle.entry[1].resource.measure)"));
  EXPECT_THAT(why, HasSubstr("MeasureReport/unmapped-reporter (bundle.json, Bundle.entry[2]): "
                             "unmapped reporter: none of \"Organization/ZW99\""));
  EXPECT_THAT(why, HasSubstr("MeasureReport/stu3-report (bundle.json, Bundle.entry[3]): FHIR "
                             "STU3 (3.0.x) found, not R4 (4.0.x): Bundle.entry[3].resource.measure "
                             "is a Reference"));
}

// A Bundle in XML: each entry's resource wrapped in an element named after its type, as FHIR's
// XML form has it; both examples give the same records as their JSON files.
TEST(HealthFhirBundle, AnXmlBundleGivesTheSameRecordsAsTheJsonFiles) {
  auto body = [](const char* name) {
    std::string xml = slurp(kExamples / (std::string(name) + ".xml"));
    return xml.substr(xml.find("?>") + 2);  // without the XML declaration
  };
  const fs::path xmlDir = freshDir("bundle-xml");
  std::ofstream(xmlDir / "in/bundle.xml")
      << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Bundle xmlns=\"http://hl7.org/fhir\">"
      << "<type value=\"collection\"/><entry><resource>" << body(kCat3)
      << "</resource></entry><entry><resource>" << body(kHiv) << "</resource></entry></Bundle>\n";
  PluginUnderTest fromXml(IJRO_PLUGIN_PATH, options(xmlDir));
  auto xmlRun = fromXml.poll();
  ASSERT_EQ(xmlRun.status, Status::Ok) << xmlRun.message;

  const fs::path jsonDir = freshDir("bundle-json-files");
  fs::copy_file(kExamples / (std::string(kCat3) + ".json"), jsonDir / "in/1.json");
  fs::copy_file(kExamples / (std::string(kHiv) + ".json"), jsonDir / "in/2.json");
  PluginUnderTest fromJson(IJRO_PLUGIN_PATH, options(jsonDir));
  auto jsonRun = fromJson.poll();
  ASSERT_EQ(jsonRun.status, Status::Ok) << jsonRun.message;

  ASSERT_EQ(xmlRun.records.size(), 2u);
  ASSERT_EQ(jsonRun.records.size(), 2u);
  // The same records, but for the revision: it follows the clock (one run may fall in the next
  // second).
  for (std::size_t i = 0; i < 2; ++i) {
    json::value fromXmlRecord = json::parse(xmlRun.records[i].json);
    json::value fromJsonRecord = json::parse(jsonRun.records[i].json);
    fromXmlRecord.as_object().erase("revision");
    fromJsonRecord.as_object().erase("revision");
    EXPECT_EQ(fromXmlRecord, fromJsonRecord);
  }
}

// Each poll's records carry a higher revision, so the hub merges the new periods into what it
// holds; the checkpoint carries the revision across a restart (and the clock keeps it growing
// should the checkpoint be lost).
TEST(HealthFhirFiles, EachPollRaisesTheRevisionAcrossRestarts) {
  const fs::path dir = freshDir("revision");
  fs::copy_file(kExamples / (std::string(kCat3) + ".json"), dir / "in/q1.json");
  std::string checkpoint;
  long long first = 0;
  {
    PluginUnderTest p(IJRO_PLUGIN_PATH, options(dir));
    auto run = p.poll();
    ASSERT_EQ(run.records.size(), 1u) << run.message;
    first = std::stoll(run.records[0].field("revision"));
    EXPECT_GE(first, 1);
    checkpoint = p.checkpoint().value_or("");
  }
  json::object q2 = example(kCat3);
  q2["period"] = json::object{{"start", "2014-04-01"}, {"end", "2014-06-30"}};
  std::ofstream(dir / "in/q2.json") << json::serialize(q2);
  ijro::testkit::Settings restarted;
  restarted.checkpoint = checkpoint;
  PluginUnderTest p(IJRO_PLUGIN_PATH, options(dir), restarted);
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  ASSERT_EQ(run.records.size(), 1u);
  EXPECT_GT(std::stoll(run.records[0].field("revision")), first);
  EXPECT_EQ(run.records[0].field("indicators[0].periods[0].start"), "2014-04-01");
  EXPECT_TRUE(fs::exists(dir / "in/processed/q1.json"));
}

TEST(HealthFhirOptions, AReporterDistrictOutsideItsRegionIsRefusedNamingTheRow) {
  const fs::path dir = freshDir("options");
  auto o = options(dir);
  o["reporters"] = R"({"Organization/a":"1703","Organization/b":"1726|1703201"})";
  try {
    PluginUnderTest p(IJRO_PLUGIN_PATH, o);
    FAIL() << "the instance was created";
  } catch (const ijro::testkit::PluginError& e) {
    EXPECT_THAT(e.what(), HasSubstr("option \"reporters\" row 2 (Organization/b): the district "
                                    "\"1703201\" is not a 7-digit SOATO code starting with the "
                                    "region's 1726"));
  }
}

// The mapping directly: groups of one code that disagree make the report unusable, naming both.
TEST(HealthFhirMapping, GroupsOfOneCodeThatDisagreeAreRejectedNamingBoth) {
  json::object hiv = example(kHiv);
  hiv["group"].as_array()[2].as_object()["measureScore"] = json::object{{"value", 7}};
  const auto root = health_fhir::parseJson(json::serialize(hiv), "hiv.json", 1 << 20);
  health_fhir::Shared shared;
  shared.actType = "resolution";
  shared.actNumber = "PQ-5590";
  shared.actDate = "2022-07-01";
  shared.start = "2018-01-01";
  shared.deadline = "2030-12-31";
  const health_fhir::Mapping mapping(
      ijro::sdk::Table(std::vector<ijro::sdk::Table::Row>{
          {"http://ohie.org/Measure/hiv-indicators", "M|C|N|persons|T"}}),
      ijro::sdk::Table(std::vector<ijro::sdk::Table::Row>{{"Organization/ZW01", "1703"}}), shared);
  std::vector<health_fhir::Reading> readings;
  std::vector<health_fhir::Rejection> rejections;
  health_fhir::read(root, mapping, "hiv.json", readings, rejections);
  EXPECT_THAT(readings, IsEmpty());
  ASSERT_EQ(rejections.size(), 1u);
  EXPECT_THAT(rejections[0].reason,
              HasSubstr("MeasureReport.group[2] (code \"QRPH_ADX_ART1_N\") gives 7 but "
                        "MeasureReport.group[0] with the same code gives 0"));
}

// Each kind of unusable report is rejected with its own reason.
TEST(HealthFhirMapping, PendingDataCollectionR5AndOtherResourcesAreRejectedWithTheirReasons) {
  health_fhir::Shared shared;
  shared.actType = "resolution";
  shared.actNumber = "PQ-5590";
  shared.actDate = "2022-07-01";
  shared.start = "2014-01-01";
  shared.deadline = "2030-12-31";
  const health_fhir::Mapping mapping(
      ijro::sdk::Table(std::vector<ijro::sdk::Table::Row>{{"Measure/CMS146", "M|C|N|%|T"}}),
      ijro::sdk::Table(std::vector<ijro::sdk::Table::Row>{{"Good Health Hospital", "1726"}}),
      shared);
  const std::vector<std::pair<std::function<void(json::object&)>, std::string>> cases = {
      {[](json::object& r) { r["status"] = "pending"; },
       "MeasureReport.status is \"pending\": only complete reports are used"},
      {[](json::object& r) { r["type"] = "data-collection"; },
       "MeasureReport.type is \"data-collection\": only summary and subject-list reports"},
      {[](json::object& r) { r["dataUpdateType"] = "snapshot"; },
       "FHIR R5 (5.0.x) found, not R4 (4.0.x): MeasureReport.dataUpdateType is an R5 element"},
      {[](json::object& r) { r["resourceType"] = "Patient"; },
       "a Patient resource is not a MeasureReport"},
      {[](json::object& r) { r.erase("period"); }, "MeasureReport.period is missing"},
  };
  for (const auto& [change, reason] : cases) {
    json::object report = example(kCat3);
    change(report);
    const auto root = health_fhir::parseJson(json::serialize(report), "r.json", 1 << 20);
    std::vector<health_fhir::Reading> readings;
    std::vector<health_fhir::Rejection> rejections;
    health_fhir::read(root, mapping, "r.json", readings, rejections);
    EXPECT_THAT(readings, IsEmpty()) << reason;
    ASSERT_EQ(rejections.size(), 1u) << reason;
    EXPECT_THAT(rejections[0].reason, HasSubstr(reason));
  }
}

// XML errors name the element by its path: a population count that is not a number.
TEST(HealthFhirMapping, AnXmlValueThatIsNotANumberIsRejectedWithItsPath) {
  std::string xml = slurp(kExamples / (std::string(kCat3) + ".xml"));
  const std::string first = "<count value=\"500\"/>";
  const auto at = xml.find(first);
  ASSERT_NE(at, std::string::npos);
  xml.replace(at, first.size(), "<count value=\"five hundred\"/>");
  const auto root = health_fhir::parseXml(xml, "cat3.xml", 1 << 20);
  health_fhir::Shared shared;
  shared.actType = "resolution";
  shared.actNumber = "PQ-5590";
  shared.actDate = "2022-07-01";
  shared.start = "2014-01-01";
  shared.deadline = "2030-12-31";
  const health_fhir::Mapping mapping(
      ijro::sdk::Table(std::vector<ijro::sdk::Table::Row>{{"Measure/CMS146", "M|C|N|%|T"}}),
      ijro::sdk::Table(std::vector<ijro::sdk::Table::Row>{{"Good Health Hospital", "1726"}}),
      shared);
  std::vector<health_fhir::Reading> readings;
  std::vector<health_fhir::Rejection> rejections;
  health_fhir::read(root, mapping, "cat3.xml", readings, rejections);
  ASSERT_EQ(rejections.size(), 1u);
  EXPECT_THAT(
      rejections[0].reason,
      HasSubstr("MeasureReport.group.population[0].count: \"five hundred\" is not a number"));
}

}  // namespace
