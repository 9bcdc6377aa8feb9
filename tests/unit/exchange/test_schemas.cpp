// The schemas themselves: they load, the feed keeps the report's implementation types, and the
// report schema and the report parser refuse the same mistakes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hub/exchange/report.hpp"
#include "hub/xml/schema.hpp"
#include "tests/support/test_support.hpp"
#include "tests/unit/exchange/sample.hpp"

namespace ijro::exchange {
namespace {

using ::testing::IsEmpty;
using ::testing::Not;

std::string sharedTypes(const char* file, const std::string& prefix) {
  const std::string text = ijro::test::readFile(test::schemaPath(file));
  const auto begin = text.find("-->", text.find("<!-- BEGIN implementation types"));
  const auto end = text.find("<!-- END implementation types -->");
  EXPECT_NE(begin, std::string::npos) << file;
  EXPECT_NE(end, std::string::npos) << file;
  std::string part = text.substr(begin + 3, end - begin - 3);
  // Compare with the namespace prefix taken out.
  for (auto at = part.find(prefix); at != std::string::npos; at = part.find(prefix, at))
    part.replace(at, prefix.size(), "P:");
  return part;
}

TEST(XmlSchemaFiles, AllLoad) {
  for (const char* file : {"status-report.xsd", "monitoring-feed.xsd", "receipt.xsd"}) {
    SCOPED_TRACE(file);
    EXPECT_NO_THROW(xml::Schema(test::schemaPath(file)));
  }
}

TEST(XmlSchemaFiles, FeedCarriesTheReportsImplementationTypes) {
  const std::string report = sharedTypes("status-report.xsd", "r:");
  EXPECT_GT(report.size(), 1000u);
  EXPECT_EQ(report, sharedTypes("monitoring-feed.xsd", "f:"));
}

// A correct report, and one mistake at a time: the schema and the parser must both refuse it.
TEST(XmlSchemaFiles, SchemaAndParserRefuseTheSameMistakes) {
  xml::Schema schema(test::schemaPath("status-report.xsd"));
  const std::string good = writeReportXml("tashkent-city", {test::fullImplementation()});
  ASSERT_THAT(test::violations(schema, good), IsEmpty());
  ASSERT_TRUE(parseReportXml(good).records.at(0).record);

  const std::vector<std::pair<std::string, std::string>> mistakes{
      {"<deadline>2026-06-30</deadline>", "<deadline>2026-13-01</deadline>"},
      {"<deadline>2026-06-30</deadline>", "<deadline>2026-6-30</deadline>"},
      {"<deadline>2026-06-30</deadline>", "<deadline>2026-06-30Z</deadline>"},
      {"<deadline>2026-06-30</deadline>", ""},
      {"<region>1726</region>", "<region>172</region>"},
      {"<region>1726</region>", "<region>1726</region><region>1726</region>"},
      {"<lifecycle>completed</lifecycle>", "<lifecycle>done</lifecycle>"},
      {"<sector>health</sector>", "<sector> </sector>"},
      {"revision=\"7\"", "revision=\"0\""},
      {"revision=\"7\"", "revision=\"seven\""},
      {"baseline=\"12000.5\"", "baseline=\"NaN\""},
      {"baseline=\"12000.5\"", "baseline=\"INF\""},
      {"baseline=\"12000.5\"", "baseline=\"1,5\""},
      {"ascending=\"false\"", "ascending=\"no\""},
      {"control=\"verified\"", "control=\"done\""},
      {"<note>", "<notes/><note>"},
      {"<measure id=\"DU2030-2.4.3\">", "<measure>"},
      {"<name>Online consultations (cumulative)</name>", ""},
      {" item=\"2.4\"", " item=\"2.4\" extra=\"1\""},
      {"decision=\"rejected\"", "decision=\"refused\""},
      {"state=\"returned\"", "state=\"onControl\""},
      {"state=\"returned\"", ""},
      {"lang=\"ru\"", "lang=\"russian\""},
      {"at=\"2026-07-20T15:00:00Z\"", "at=\"2026-07-20 15:00\""},
      {"at=\"2026-07-20T15:01:00Z\"", "at=\"2026-07-20T15:01:00\""},
      {">Принято.</comment>", "></comment>"},
      {"requestedOn=\"2026-05-25\"", "requestedOn=\"25.05.2026\""},
  };
  for (const auto& [from, to] : mistakes) {
    SCOPED_TRACE(to);
    std::string bad = good;
    const auto at = bad.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    bad.replace(at, from.size(), to);
    EXPECT_THAT(test::violations(schema, bad), Not(IsEmpty()));
    const auto parsed = parseReportXml(bad);
    EXPECT_FALSE(parsed.records.at(0).record);
    EXPECT_THAT(parsed.records.at(0).errors, Not(IsEmpty()));
  }
}

}  // namespace
}  // namespace ijro::exchange
