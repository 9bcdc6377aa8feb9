#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "hub/exchange/receipt.hpp"
#include "hub/xml/schema.hpp"
#include "tests/unit/exchange/sample.hpp"

namespace ijro::exchange {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Receipt sample() {
  Receipt r;
  r.source = "tashkent-city";
  r.receivedAt = "2026-11-28T09:00:05Z";
  r.lines = {
      {1, "DU2030-2.4.3", "1726", "Tashkent City Health Department", 3, "accepted", ""},
      {2, "DU2030-3.1.7", "1726", "Tashkent City Department of Education", 1, "duplicate",
       "revision 1 is already stored"},
      {3, "DU2030-4.2.1", "1726", "State Tax Department", 1, "stale", "revision 2 is stored"},
      {4, "DU2030-5.1.2", "1726", "Construction Department", 2, "rejected",
       "line 40: <deadline>: \"2026-13-01\" is not a valid date; expected YYYY-MM-DD"},
      {5, "", "", "", 0, "rejected", "line 52: unexpected element <implementaton> in <report>"},
  };
  return r;
}

constexpr const char* kNs = "urn:ijro-hub:receipt:1";

TEST(Receipt, XmlValidatesAgainstTheReceiptSchema) {
  xml::Schema schema(test::schemaPath("receipt.xsd"));
  const std::string xml = writeReceiptXml(sample());
  EXPECT_THAT(test::violations(schema, xml, "receipt"), IsEmpty()) << xml;
  Receipt empty;
  empty.receivedAt = "2026-11-28T09:00:05Z";
  EXPECT_THAT(test::violations(schema, writeReceiptXml(empty), "receipt"), IsEmpty());
}

TEST(Receipt, XmlCarriesSummaryAndRecords) {
  const std::string xml = writeReceiptXml(sample());
  auto q = [&](const char* e) { return test::xpath(xml, "rc", kNs, e); };
  EXPECT_THAT(q("/rc:receipt/@source"), ElementsAre("tashkent-city"));
  EXPECT_THAT(q("/rc:receipt/rc:summary/@accepted"), ElementsAre("1"));
  EXPECT_THAT(q("/rc:receipt/rc:summary/@rejected"), ElementsAre("2"));
  EXPECT_THAT(q("//rc:record/@outcome"),
              ElementsAre("accepted", "duplicate", "stale", "rejected", "rejected"));
  EXPECT_THAT(q("//rc:record/@index"), ElementsAre("1", "2", "3", "4", "5"));
  // Unknown identifiers are left out rather than written empty.
  EXPECT_THAT(q("//rc:record[@index='5']/@measure"), IsEmpty());
  EXPECT_THAT(q("//rc:record[@index='5']/@revision"), IsEmpty());
  EXPECT_THAT(q("//rc:record[@index='4']"), ElementsAre(HasSubstr("\"2026-13-01\"")));
}

TEST(Receipt, JsonHasTheSameFields) {
  const auto doc = boost::json::parse(writeReceiptJson(sample())).as_object();
  EXPECT_EQ(doc.at("source"), "tashkent-city");
  EXPECT_EQ(doc.at("receivedAt"), "2026-11-28T09:00:05Z");
  const auto& summary = doc.at("summary").as_object();
  EXPECT_EQ(summary.at("accepted").to_number<int>(), 1);
  EXPECT_EQ(summary.at("duplicate").to_number<int>(), 1);
  EXPECT_EQ(summary.at("stale").to_number<int>(), 1);
  EXPECT_EQ(summary.at("rejected").to_number<int>(), 2);
  const auto& records = doc.at("records").as_array();
  ASSERT_EQ(records.size(), 5u);
  const auto& first = records[0].as_object();
  EXPECT_EQ(first.at("index").to_number<int>(), 1);
  EXPECT_EQ(first.at("measure"), "DU2030-2.4.3");
  EXPECT_EQ(first.at("region"), "1726");
  EXPECT_EQ(first.at("organisation"), "Tashkent City Health Department");
  EXPECT_EQ(first.at("revision").to_number<int>(), 3);
  EXPECT_EQ(first.at("outcome"), "accepted");
  EXPECT_EQ(first.at("reason"), "");
  const auto& last = records[4].as_object();
  EXPECT_TRUE(last.at("measure").is_null());
  EXPECT_TRUE(last.at("revision").is_null());
  EXPECT_EQ(last.at("outcome"), "rejected");
}

// The receipt is written as it goes, not built as a value first: its text is byte for byte what
// the value would serialize to (member order, nulls, escapes), batch fields and an empty receipt
// included.
TEST(Receipt, JsonIsTheTextOfTheEquivalentValue) {
  namespace json = boost::json;
  auto valueOf = [](const Receipt& r) {
    json::object doc;
    doc["source"] = r.source;
    doc["receivedAt"] = r.receivedAt;
    if (r.batchSequence > 0) {
      doc["hub"] = r.batchHub;
      doc["sequence"] = r.batchSequence;
    }
    json::object summary;
    for (const char* k : {"accepted", "duplicate", "stale", "rejected"}) {
      std::size_t n = 0;
      for (const auto& line : r.lines) n += line.outcome == k ? 1 : 0;
      summary[k] = static_cast<std::uint64_t>(n);
    }
    doc["summary"] = std::move(summary);
    json::array records;
    for (const auto& line : r.lines) {
      auto orNull = [](const std::string& s) { return s.empty() ? json::value() : json::value(s); };
      records.push_back(
          json::object{{"index", static_cast<std::uint64_t>(line.index)},
                       {"measure", orNull(line.measureId)},
                       {"region", orNull(line.region)},
                       {"organisation", orNull(line.organisation)},
                       {"revision", line.revision > 0 ? json::value(line.revision) : json::value()},
                       {"outcome", line.outcome},
                       {"reason", line.reason}});
    }
    doc["records"] = std::move(records);
    return json::serialize(doc);
  };
  Receipt r = sample();
  r.lines[1].reason = "tab\there, quote \" and backslash \\, \x01 and \x1f, \u00fc";
  EXPECT_EQ(writeReceiptJson(r), valueOf(r));
  r.batchHub = "hub-1703";
  r.batchSequence = 42;
  EXPECT_EQ(writeReceiptJson(r), valueOf(r));
  Receipt empty;
  empty.receivedAt = "2026-11-28T09:00:05Z";
  EXPECT_EQ(writeReceiptJson(empty), valueOf(empty));
}

TEST(Receipt, UnknownOutcomeIsAProgrammingError) {
  Receipt r = sample();
  r.lines[0].outcome = "ok";
  EXPECT_THROW(writeReceiptXml(r), std::invalid_argument);
  EXPECT_THROW(writeReceiptJson(r), std::invalid_argument);
}

}  // namespace
}  // namespace ijro::exchange
