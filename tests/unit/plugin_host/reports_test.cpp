// The status-report services of ABI 1.1 (callback_report_xml_read / _write), reached as a plugin
// reaches them: from inside a hook of a real Instance (tests/plugins/report_codec.cpp for the C++
// SDK, c_plugin.c for C). Also: a plugin built against the ABI 1.0 header still loads and runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

#include "hub/exchange/report.hpp"
#include "hub/plugin_host/instance.hpp"
#include "hub/plugin_host/records.hpp"
#include "hub/plugin_host/reports.hpp"
#include "hub/xml/safe_reader.hpp"
#include "hub/xml/schema.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::plugin_host {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

std::unique_ptr<Instance> codec(const std::string& mode, OptionValues extra = {}) {
  extra["mode"] = mode;
  return Instance::create(load(IJRO_TEST_PLUGIN_REPORT_CODEC), "codec", extra);
}

std::string record(const std::string& measureId, const std::string& region = "1726") {
  return R"({"revision":2,"measure":{"id":")" + measureId +
         R"(","title":"Online consultations","act":{"type":"decree","number":"UP-6079",)"
         R"("date":"2020-10-05"}},"region":")" +
         region +
         R"(","organisation":"Tashkent City Health Department","sector":"health",)"
         R"("lifecycle":"inProgress","start":"2026-02-01","deadline":"2026-12-31"})";
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  for (std::size_t end; (end = text.find('\n', at)) != std::string::npos; at = end + 1)
    out.push_back(text.substr(at, end - at));
  return out;
}

std::vector<std::string> schemaViolations(const std::string& xml) {
  static const xml::Schema schema(
      (ijro::test::sourceDir() / "schemas" / "status-report.xsd").string());
  auto doc = xml::parseDocument(xml, "written report");
  return schema.validate(doc.get(), "written report");
}

TEST(ReportServices, ARecordWrittenAndReadBackIsTheSameRecord) {
  auto in = codec("round_trip", {{"source", "health-ministry"}});
  const std::string sent = record("DU2030-2.4.3");
  TransformResult r = in->transform(sent);
  ASSERT_EQ(r.status, Status::Ok) << r.message;
  ASSERT_TRUE(r.record);
  EXPECT_EQ(boost::json::parse(*r.record), boost::json::parse(sent));
  EXPECT_EQ(in->stats().callbackMisuse, 0u);
}

TEST(ReportServices, ReadingGivesRecordsAndNamesEachUnreadableImplementation) {
  const std::string report =
      ijro::test::readFile(ijro::test::sourceDir() / "examples" / "report-tashkent.xml");
  const auto parsed = exchange::parseReportXml(report);
  auto in = codec("read");
  TransformResult r = in->transform(report);
  ASSERT_EQ(r.status, Status::Ok) << r.message;
  const auto out = lines(*r.record);
  ASSERT_EQ(out.size(), parsed.records.size() + 1);
  EXPECT_EQ(out[0], "source=" + parsed.source);
  for (std::size_t i = 0; i < parsed.records.size(); ++i)  // each in the hub's own record form
    EXPECT_EQ(out[i + 1], recordJson(*parsed.records[i].record)) << i;

  const std::string good =
      "<implementation revision=\"1\"><measure id=\"DU2030-2.4.3\"><title>Consultations</title>"
      "<act type=\"decree\" number=\"UP-6079\" date=\"2020-10-05\"/></measure>"
      "<region>1726</region><organisation>Health Department</organisation><sector>health</sector>"
      "<lifecycle>inProgress</lifecycle><start>2026-01-01</start><deadline>2026-12-31</deadline>"
      "</implementation>\n";
  std::string noRegion = good;
  noRegion.replace(noRegion.find("<region>1726</region>"), 21, "");
  noRegion.replace(noRegion.find("2.4.3"), 5, "2.4.4");
  std::string badDate = good;
  badDate.replace(badDate.find("2026-12-31"), 10, "2026-13-01");
  r = in->transform("<report xmlns=\"urn:ijro-hub:report:1\">\n" + good + noRegion + badDate +
                    "</report>");
  ASSERT_EQ(r.status, Status::Ok) << r.message;
  EXPECT_THAT(lines(*r.record),
              ElementsAre("source=", HasSubstr("\"DU2030-2.4.3\""),
                          AllOf(StartsWith("problem: implementation 2 (measure DU2030-2.4.4)"),
                                HasSubstr("<region>")),
                          AllOf(StartsWith("problem: implementation 3 (measure DU2030-2.4.3, "
                                           "region 1726)"),
                                HasSubstr("2026-13-01"), HasSubstr("line 4"))));
}

TEST(ReportServices, ADocumentThatCannotBeReadSaysWhereAndWhy) {
  auto in = codec("read", {{"max_bytes", "200"}});
  TransformResult r = in->transform("<report xmlns=\"urn:ijro-hub:report:1\">\n  <implementation");
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_THAT(r.message, HasSubstr("line 2, column"));

  // The safe reader: a DOCTYPE (and with it any entity) is refused before anything is expanded.
  r = in->transform(
      "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b "
      "\"&a;&a;&a;&a;\">]>\n<report xmlns=\"urn:ijro-hub:report:1\">&b;</report>");
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_THAT(r.message, AllOf(HasSubstr("DOCTYPE"), HasSubstr("line 2")));

  // The plugin's own limit.
  const std::string big =
      "<report xmlns=\"urn:ijro-hub:report:1\">" + std::string(300, ' ') + "</report>";
  r = in->transform(big);
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_THAT(r.message, HasSubstr("200"));
  auto roomy = codec("read", {{"max_bytes", "100000"}});
  r = roomy->transform(big);
  EXPECT_EQ(r.status, Status::Error);  // within the limit now, but a report needs implementations
  EXPECT_THAT(r.message, AllOf(Not(HasSubstr("200")), HasSubstr("<implementation>")));

  r = in->transform("<feed xmlns=\"urn:ijro-hub:feed:1\"/>");
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_THAT(r.message, HasSubstr("<feed>"));
}

TEST(ReportServices, WritingGivesADocumentValidAgainstTheSchema) {
  auto in = codec("write", {{"source", "andijan-hub"}});
  TransformResult r = in->transform(record("M-1") + "\n" + record("M-2", "1703"));
  ASSERT_EQ(r.status, Status::Ok) << r.message;
  EXPECT_THAT(schemaViolations(*r.record), IsEmpty());
  const auto back = exchange::parseReportXml(*r.record);
  EXPECT_EQ(back.source, "andijan-hub");
  ASSERT_THAT(back.records, SizeIs(2));
  EXPECT_EQ(recordJson(*back.records[1].record),
            recordJson(*checkRecords({record("M-2", "1703")}, "")[0].record));

  auto anonymous = codec("write");  // no source: the attribute is left out
  r = anonymous->transform(record("M-1"));
  ASSERT_EQ(r.status, Status::Ok) << r.message;
  EXPECT_THAT(*r.record, Not(HasSubstr("source=")));
  EXPECT_THAT(schemaViolations(*r.record), IsEmpty());
}

TEST(ReportServices, RecordsThatCannotBeWrittenAreEachNamedAndNothingIsWritten) {
  auto in = codec("write");
  std::string unknown = record("M-2");
  unknown.insert(1, "\"colour\":\"red\",");
  std::string control = record("M-4");
  control.replace(control.find("Tashkent"), 1, "\\u0001");
  TransformResult r = in->transform(record("M-1") + "\n" + unknown + "\nnot json\n" + control);
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_THAT(r.message,
              AllOf(HasSubstr("3 of the 4 records cannot be written"), HasSubstr("record 2: "),
                    HasSubstr("| record 2 (measure M-2, region 1726): colour: unknown field"),
                    HasSubstr("| record 3: not valid JSON"),
                    HasSubstr("| record 4 (measure M-4, region 1726): organisation: contains")));
  EXPECT_THAT(r.message, Not(HasSubstr("record 1")));

  r = codec("write", {{"source", "bad\x01source"}})->transform(record("M-1"));
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_THAT(r.message, HasSubstr("source"));
  r = in->transform("");  // no records at all
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_THAT(r.message, HasSubstr("at least one implementation"));
}

TEST(ReportServices, AResultLivesUntilTheHookReturnsEvenAfterTheNextCall) {
  const std::string report =
      ijro::test::readFile(ijro::test::sourceDir() / "examples" / "report-andijan.xml");
  auto in = codec("keep");
  TransformResult r = in->transform(report);
  ASSERT_EQ(r.status, Status::Ok) << r.message;
  EXPECT_EQ(*r.record, recordJson(*exchange::parseReportXml(report).records.at(0).record));
}

TEST(ReportServices, CallsFromOutsideTheHookAreRefusedAndCounted) {
  auto in = codec("other_thread");
  TransformResult r = in->transform("{}");
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_THAT(r.message, HasSubstr("from another thread: the hub refused to read a status report"));
  EXPECT_EQ(in->stats().callbackMisuse, 1u);
}

TEST(ReportServices, APluginInCUsesThemThroughTheRawAbi) {
  auto in = Instance::create(load(IJRO_TEST_PLUGIN_C_SOURCE), "c",
                             {{"mode", "report"}, {"records", "3"}});
  PollResult p = in->poll();
  ASSERT_EQ(p.status, Status::Ok) << p.message;
  ASSERT_THAT(p.records, SizeIs(3));
  const auto checked = checkRecords(p.records, "c");
  for (const auto& c : checked) EXPECT_TRUE(c.valid()) << c.json;
  EXPECT_EQ(checked[2].record->measure.id, "C-3");
}

TEST(ReportServices, APluginBuiltForAbiOneZeroStillLoadsAndRuns) {
  LoadedPlugin old = load(IJRO_TEST_PLUGIN_C_SOURCE_1_0);
  EXPECT_EQ(old.info().abi, (AbiVersion{1, 0}));
  auto in = Instance::create(old, "old", {{"records", "2"}});
  PollResult p = in->poll();
  ASSERT_EQ(p.status, Status::Ok) << p.message;
  EXPECT_THAT(p.records, SizeIs(2));
  EXPECT_EQ(p.checkpoint, "1");
  // It really was compiled against the 1.0 header: the 1.1 services are not in its build.
  auto reporting = Instance::create(old, "old", {{"records", "2"}, {"mode", "report"}});
  EXPECT_THAT(reporting->poll().message, HasSubstr("this build is for ABI 1.0"));
}

TEST(ReportServices, APluginBuiltForAbiOneOneStillLoadsAndRuns) {
  LoadedPlugin old = load(IJRO_TEST_PLUGIN_C_SOURCE_1_1);
  EXPECT_EQ(old.info().abi, (AbiVersion{1, 1}));
  EXPECT_EQ(hostAbi(), (AbiVersion{1, 2}));
  // Its descriptor is the 1.1 size, copied into the host's zeroed one; its 1.1 services work on
  // the 1.2 host table.
  auto in = Instance::create(old, "old", {{"records", "2"}, {"mode", "report"}});
  PollResult p = in->poll();
  ASSERT_EQ(p.status, Status::Ok) << p.message;
  EXPECT_THAT(p.records, SizeIs(2));
  EXPECT_EQ(p.checkpoint, "1");
}

}  // namespace
}  // namespace ijro::plugin_host
