// The test kit itself (plugins/testkit): what adapter authors rely on in their own tests.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ijro_testkit.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "hub/xml/safe_reader.hpp"
#include "hub/xml/schema.hpp"
#include "ijro_plugin.h"
#include "tests/support/test_support.hpp"

namespace {

namespace fs = std::filesystem;
using ijro::testkit::PluginError;
using ijro::testkit::PluginUnderTest;
using ijro::testkit::Settings;
using ijro::testkit::Status;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kCsv =
    "measure_id,title,act_type,act_number,act_date,region,organisation,sector,revision,"
    "lifecycle,start,deadline,indicator_code,indicator_name,indicator_baseline,period_start,"
    "period_end,target,actual\n"
    "DU2030-3.1.7,E-diary,decree,UP-6079,2020-10-05,1726,Tashkent City Department of Education,"
    "education,3,inProgress,2026-01-15,2026-12-31,EDU-SCHOOLS,Schools connected,310,2026-01-01,"
    "2026-06-30,598,541.5\n"
    "DU2030-3.1.8,Unknown region,decree,UP-6079,2020-10-05,1799,Somewhere,education,1,planned,"
    "2026-01-01,2026-12-31,,,,,,,\n";

class Testkit : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ijro::test::tempDir("testkit");
    std::ofstream(dir_ / "report.csv") << kCsv;
  }
  ijro::testkit::Options source() const {
    return {{"directory", dir_.string()}, {"settle_ms", "0"}};
  }
  fs::path dir_;
};

TEST_F(Testkit, APollGivesAcceptedAndRejectedRecordsWithTheirFields) {
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, source());
  EXPECT_EQ(p.info().name, "file-drop");
  auto run = p.poll();
  EXPECT_EQ(run.number, 1u);
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  ASSERT_EQ(run.records.size(), 1u);
  const auto& r = run.records[0];
  EXPECT_EQ(r.poll, 1u);
  EXPECT_EQ(r.index, 1u);
  EXPECT_EQ(r.field("measure.id"), "DU2030-3.1.7");
  EXPECT_EQ(r.field("revision"), "3");
  EXPECT_EQ(r.field("indicators[0].baseline"), "310");
  EXPECT_EQ(r.field("indicators[0].periods[0].actual"), "541.5");
  EXPECT_EQ(r.field("indicators[0].ascending"), "true");
  EXPECT_EQ(r.field("indicators[1].code"), "");
  EXPECT_EQ(r.field("measure.nothing"), "");
  EXPECT_TRUE(r.has("indicators[0].periods"));
  EXPECT_FALSE(r.has("completed"));
  EXPECT_THAT(r.field("measure.act"), HasSubstr("\"number\":\"UP-6079\""));

  ASSERT_EQ(run.rejected.size(), 1u);
  EXPECT_EQ(run.rejected[0].index, 2u);
  EXPECT_THAT(run.rejected[0].reasons, ::testing::ElementsAre(HasSubstr("region '1799'")));
  std::ostringstream printed;
  printed << run.rejected[0];
  EXPECT_THAT(printed.str(), AllOf(HasSubstr("rejected record 2 of poll 1"),
                                   HasSubstr("region '1799'"), HasSubstr("\"Somewhere\"")));

  EXPECT_EQ(p.committed().size(), 1u);
  EXPECT_EQ(p.checkpoint(), run.checkpoint);
  EXPECT_EQ(p.counters().at("records_emitted"), 2);
}

TEST_F(Testkit, TheCommittedRecordsMakeAValidStatusReport) {
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, source());
  p.poll();
  const std::string xml = p.reportXml();
  EXPECT_THAT(xml, AllOf(HasSubstr("source=\"file-drop\""), HasSubstr("DU2030-3.1.7")));
  ijro::xml::Schema schema((ijro::test::sourceDir() / "schemas" / "status-report.xsd").string());
  auto doc = ijro::xml::parseDocument(xml, "report");
  EXPECT_THAT(schema.validate(doc.get(), "report"), IsEmpty());
}

TEST_F(Testkit, StructureOnlyWhenTheModelRulesAreOff) {
  Settings s;
  s.validateModel = false;
  s.instanceName = "tashkent-files";
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, source(), s);
  auto run = p.poll();
  EXPECT_EQ(run.records.size(), 2u);  // region 1799 is well-formed, just not a known territory
  EXPECT_THAT(p.reportXml(), HasSubstr("source=\"tashkent-files\""));
}

TEST_F(Testkit, RefusalsAreThrownWithTheHubsMessage) {
  try {
    PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, {{"directory", dir_.string()}, {"colour", "red"}});
    FAIL() << "accepted";
  } catch (const PluginError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("colour"), HasSubstr("directory (path, required)")));
  }
  EXPECT_THROW(PluginUnderTest(dir_ / "missing.so"), PluginError);
  EXPECT_THROW(ijro::testkit::inspect(dir_ / "report.csv"), PluginError);

  PluginUnderTest source(IJRO_FILE_DROP_PLUGIN, this->source());
  EXPECT_THROW(source.deliver({}), std::logic_error);
  PluginUnderTest sink(IJRO_XML_EXCHANGE_PLUGIN, {{"directory", dir_.string()}});
  EXPECT_THROW(sink.poll(), std::logic_error);
  EXPECT_THROW(sink.transform("{}"), std::logic_error);
}

TEST_F(Testkit, InspectDescribesTheOptionTable) {
  const auto info = ijro::testkit::inspect(IJRO_XML_EXCHANGE_PLUGIN);
  EXPECT_EQ(info.abi, std::to_string(IJRO_ABI_MAJOR) + "." + std::to_string(IJRO_ABI_MINOR));
  EXPECT_EQ(info.version, "1.0.0");
  ASSERT_FALSE(info.options.empty());
  const auto& directory = info.options[0];
  EXPECT_EQ(directory.name, "directory");
  EXPECT_EQ(directory.type, "path");
  EXPECT_TRUE(directory.required);
  EXPECT_FALSE(directory.defaultValue);
  const auto& prefix = info.options[1];
  EXPECT_EQ(prefix.defaultValue, "ijro-report");
  EXPECT_FALSE(prefix.description.empty());
}

TEST_F(Testkit, SampleRecordsAreValidRecords) {
  PluginUnderTest sink(IJRO_XML_EXCHANGE_PLUGIN, {{"directory", dir_.string()}});
  auto result = sink.deliver(
      {ijro::testkit::sampleRecord(), ijro::testkit::sampleRecord("DU2030-1.1.1", "1703", 7)});
  ASSERT_EQ(result.status, Status::Ok) << result.message;
  EXPECT_THAT(result.records, ::testing::Each(Status::Ok));
  EXPECT_THAT(ijro::testkit::sampleRecord("X", "1703", 7),
              AllOf(HasSubstr("\"revision\":7"), HasSubstr("\"region\":\"1703\"")));
}

#ifdef IJRO_TEST_PLUGIN_GOOD_TRANSFORM
TEST_F(Testkit, TransformsAreMappedDroppedOrRejected) {
  PluginUnderTest t(IJRO_TEST_PLUGIN_GOOD_TRANSFORM,
                    {{"note", "checked"}, {"drop_region", "1703"}});
  auto mapped = t.transform(ijro::testkit::sampleRecord("A", "1726"));
  ASSERT_EQ(mapped.status, Status::Ok) << mapped.message;
  ASSERT_TRUE(mapped.record);
  EXPECT_EQ(mapped.record->field("note"), "checked");
  EXPECT_TRUE(t.transform(ijro::testkit::sampleRecord("B", "1703")).dropped());
  auto rejected = t.transform(ijro::testkit::sampleRecord("C", "1799"));
  EXPECT_EQ(rejected.status, Status::Ok);
  ASSERT_TRUE(rejected.rejected);
  EXPECT_FALSE(rejected.dropped());
}
#endif

}  // namespace
