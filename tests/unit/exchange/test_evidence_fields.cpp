// The hash and size of uploaded evidence in reports and the feed's shared Evidence type: written,
// read back in XML and JSON, valid against the schema, refused when malformed.
#include <gtest/gtest.h>

#include "hub/exchange/report.hpp"
#include "sample.hpp"

namespace ijro::exchange {
namespace {

model::Implementation withUploadedEvidence() {
  auto impl = test::fullImplementation();
  model::Evidence e;
  e.url = "/api/v1/evidence/" + std::string(64, 'a');
  e.title = "Dalolatnoma";
  e.format = "application/pdf";
  e.date = test::date("2026-03-01");
  e.uploader = "tashkent-city";
  e.sha256 = std::string(64, 'a');
  e.size = 123456;
  impl.evidence.push_back(e);
  return impl;
}

TEST(EvidenceFields, HashAndSizeRoundTripInXmlAndJson) {
  const auto impl = withUploadedEvidence();
  auto xml = parseReportXml(writeReportXml("tashkent-city", {impl}));
  ASSERT_TRUE(xml.records.at(0).record) << xml.records.at(0).errors.at(0);
  EXPECT_EQ(xml.records.at(0).record->evidence.back().sha256, std::string(64, 'a'));
  EXPECT_EQ(xml.records.at(0).record->evidence.back().size, 123456);
  auto json = parseReportJson(writeReportJson("tashkent-city", {impl}));
  ASSERT_TRUE(json.records.at(0).record) << json.records.at(0).errors.at(0);
  EXPECT_EQ(json.records.at(0).record->evidence.back(), impl.evidence.back());
}

TEST(EvidenceFields, MalformedHashOrSizeIsRefusedNamingTheField) {
  const auto good = writeReportXml("tashkent-city", {withUploadedEvidence()});
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"sha256=\"" + std::string(64, 'a') + "\"", "sha256=\"ABC\""},
           {"size=\"123456\"", "size=\"-1\""}}) {
    auto bad = good;
    const auto at = bad.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    bad.replace(at, from.size(), to);
    auto parsed = parseReportXml(bad);
    ASSERT_FALSE(parsed.records.at(0).record) << to;
    EXPECT_NE(parsed.records.at(0).errors.at(0).find("evidence"), std::string::npos)
        << parsed.records.at(0).errors.at(0);
  }
}

}  // namespace
}  // namespace ijro::exchange
