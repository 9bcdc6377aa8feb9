// The indicator fields real sector data needs, through the report (XML and JSON) and the feed:
// merge mode, numerator and denominator, breakdowns, and the feed's outside-work warning.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hub/exchange/feed.hpp"
#include "hub/exchange/report.hpp"
#include "hub/xml/schema.hpp"
#include "tests/unit/exchange/sample.hpp"

namespace ijro::exchange {
namespace {

using test::date;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

const char* kFeedNs = "urn:ijro-hub:feed:1";

// A record whose proportion indicator is sent in merge mode, with numerator, denominator (and
// the actual they give) and breakdowns; one period lies after the deadline.
model::Implementation proportionRecord() {
  auto impl = test::minimalImplementation();
  impl.start = date("2026-01-01");
  impl.deadline = date("2026-12-31");
  model::Indicator vacc{"HLT-VACC", "Children vaccinated", "%", true, 0, {}};
  vacc.mode = model::IndicatorMode::Merge;
  model::IndicatorPeriod q1;
  q1.start = date("2026-01-01");
  q1.end = date("2026-03-31");
  q1.target = 80;
  q1.actual = 75;
  q1.numerator = 45;
  q1.denominator = 60;
  q1.breakdowns = {{"sex", "female", 85, 80, 24, 30},
                   {"ageGroup", "15-24", std::nullopt, 0.5, std::nullopt, std::nullopt}};
  model::IndicatorPeriod late;
  late.start = date("2027-01-01");
  late.end = date("2027-03-31");
  late.actual = 90;
  vacc.periods = {q1, late};
  impl.indicators = {vacc};
  return impl;
}

TEST(IndicatorFields, XmlRoundTripKeepsModeRatioAndBreakdowns) {
  const auto record = proportionRecord();
  const std::string xml = writeReportXml("tashkent-city", {record});
  EXPECT_THAT(xml, HasSubstr("mode=\"merge\""));
  EXPECT_THAT(xml, HasSubstr("<breakdown dimension=\"sex\" category=\"female\""));
  auto parsed = parseReportXml(xml);
  ASSERT_THAT(parsed.records, SizeIs(1));
  EXPECT_THAT(parsed.records[0].errors, IsEmpty());
  ASSERT_TRUE(parsed.records[0].record);
  EXPECT_EQ(*parsed.records[0].record, record);
}

TEST(IndicatorFields, JsonRoundTripKeepsModeRatioAndBreakdowns) {
  const auto record = proportionRecord();
  const std::string json = writeReportJson("tashkent-city", {record});
  EXPECT_THAT(json, HasSubstr("\"mode\":\"merge\""));
  EXPECT_THAT(json, HasSubstr("\"breakdowns\":[{\"dimension\":\"sex\""));
  auto parsed = parseReportJson(json);
  ASSERT_THAT(parsed.records, SizeIs(1));
  EXPECT_THAT(parsed.records[0].errors, IsEmpty());
  ASSERT_TRUE(parsed.records[0].record);
  EXPECT_EQ(*parsed.records[0].record, record);
}

TEST(IndicatorFields, WrittenReportWithNewFieldsValidatesAgainstSchema) {
  xml::Schema schema(test::schemaPath("status-report.xsd"));
  const std::string xml = writeReportXml("tashkent-city", {proportionRecord()});
  EXPECT_THAT(test::violations(schema, xml), IsEmpty()) << xml;
}

TEST(IndicatorFields, ActualIsDerivedFromNumeratorAndDenominatorOnParsing) {
  auto record = proportionRecord();
  record.indicators[0].periods[0].actual.reset();
  record.indicators[0].periods[0].breakdowns[0].actual.reset();
  for (const std::string& text : {writeReportXml("s", {record}), writeReportJson("s", {record})}) {
    auto parsed = text[0] == '<' ? parseReportXml(text) : parseReportJson(text);
    ASSERT_TRUE(parsed.records.at(0).record) << text;
    const auto& p = parsed.records[0].record->indicators[0].periods[0];
    EXPECT_EQ(p.actual, 75) << text;                // 45 / 60, x100 for unit "%"
    EXPECT_EQ(p.breakdowns[0].actual, 80) << text;  // 24 / 30
  }
}

TEST(IndicatorFields, UnknownModeIsAnErrorNamingTheField) {
  auto record = proportionRecord();
  std::string xml = writeReportXml("s", {record});
  xml.replace(xml.find("mode=\"merge\""), 12, "mode=\"append\"");
  auto parsed = parseReportXml(xml);
  EXPECT_THAT(parsed.records.at(0).errors,
              ElementsAre(AllOf(HasSubstr("<indicator> attribute mode"), HasSubstr("\"append\""),
                                HasSubstr("expected replace"))));
  std::string json = writeReportJson("s", {record});
  json.replace(json.find("\"merge\""), 7, "\"append\"");
  auto fromJson = parseReportJson(json);
  EXPECT_THAT(fromJson.records.at(0).errors,
              ElementsAre(AllOf(HasSubstr("indicators[0].mode"), HasSubstr("\"append\""))));
}

TEST(IndicatorFields, BreakdownInJsonNeedsDimensionAndCategory) {
  auto record = proportionRecord();
  std::string json = writeReportJson("s", {record});
  json.replace(json.find("\"dimension\":\"sex\","), 18, "");
  auto parsed = parseReportJson(json);
  EXPECT_THAT(parsed.records.at(0).errors,
              ElementsAre(HasSubstr("indicators[0].periods[0].breakdowns[0].dimension")));
}

TEST(IndicatorFields, FeedFlagsPeriodsOutsideTheWorkAndCountsThem) {
  const auto record = proportionRecord();
  const std::string feed = writeFeed({"hub", "2026-11-28T10:00:00Z", date("2026-11-28")}, {},
                                     [&](const auto& sink) { sink(record); });
  EXPECT_THAT(test::xpath(feed, "f", kFeedNs, "//f:period/@outsideWork"), ElementsAre("true"));
  EXPECT_THAT(test::xpath(feed, "f", kFeedNs, "//f:period[@outsideWork]/@start"),
              ElementsAre("2027-01-01"));
  EXPECT_THAT(test::xpath(feed, "f", kFeedNs, "//f:evaluation/@periodsOutsideWork"),
              ElementsAre("1"));
  EXPECT_THAT(test::xpath(feed, "f", kFeedNs, "//f:breakdown/@category"),
              ElementsAre("female", "15-24"));
  xml::Schema schema(test::schemaPath("monitoring-feed.xsd"));
  EXPECT_THAT(test::violations(schema, feed), IsEmpty()) << feed;
}

TEST(IndicatorFields, ReportXmlNeverCarriesTheOutsideWorkFlag) {
  EXPECT_THAT(writeReportXml("s", {proportionRecord()}), Not(HasSubstr("outsideWork")));
}

}  // namespace
}  // namespace ijro::exchange
