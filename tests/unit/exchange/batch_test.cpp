// The feed batch: written with the feed's writer, read back per entry, the schema versions a
// hub reads, and the schema the written document validates against.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hub/exchange/batch.hpp"
#include "hub/xml/schema.hpp"
#include "tests/unit/exchange/sample.hpp"

namespace ijro::exchange {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

using test::date;

constexpr const char* kNs = "urn:ijro-hub:feed:1";

BatchHeader header(std::int64_t sequence = 42) {
  BatchHeader h;
  h.hub = "tashkent-city";
  h.sequence = sequence;
  h.generatedAt = "2026-11-28T10:00:00Z";
  h.asOf = date("2026-11-28");
  return h;
}

// An entry with every field the batch carries: the full sample, the organisation's identity, a
// proportion indicator with breakdowns, and a lineage of two hubs.
BatchEntry fullEntry() {
  BatchEntry e;
  e.implementation = test::fullImplementation("health-fhir");
  e.implementation.organisationCode = "201122919";
  e.implementation.organisationNames = {{"uz-Latn",
                                         "Toshkent shahar sog'liqni saqlash bosh "
                                         "boshqarmasi"},
                                        {"ru", "ГУЗ города Ташкента"}};
  model::IndicatorPeriod p{date("2026-01-01"), date("2026-06-30"), 90, 75, 300, 400, {}};
  p.breakdowns = {{"sex", "female", std::nullopt, 80, 160, 200}, {"sex", "male", 90, 70, 140, 200}};
  e.implementation.indicators.push_back({"HLT-SHARE",
                                         "Share of polyclinics online",
                                         "%",
                                         true,
                                         10,
                                         {p},
                                         model::IndicatorMode::Merge});
  e.lineage = {
      "health-fhir",
      "health-fhir 0.2.0",
      "2026-11-27T08:00:00Z",
      7,
      {{"yunusobod", 9, "2026-11-27T08:00:00Z"}, {"tashkent-city", 0, "2026-11-27T09:00:00Z"}}};
  return e;
}

BatchEntry minimalEntry() {
  BatchEntry e;
  e.implementation = test::minimalImplementation("spreadsheet");
  e.lineage = {"spreadsheet",
               "http",
               "2026-11-28T07:00:00+05:00",
               1,
               {{"tashkent-city", 3, "2026-11-28T07:00:00+05:00"}}};
  return e;
}

std::vector<std::string> q(const std::string& xml, const char* expression) {
  return test::xpath(xml, "f", kNs, expression);
}

// The document with `from` replaced by `to` once (the test fails if `from` is not in it).
std::string edited(std::string xml, const std::string& from, const std::string& to) {
  const auto at = xml.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) xml.replace(at, from.size(), to);
  return xml;
}

std::string refusal(const std::string& xml) {
  try {
    parseBatch(xml);
  } catch (const xml::XmlError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(FeedBatch, RoundTripKeepsEveryFieldAndTheLineage) {
  const std::vector<BatchEntry> entries{fullEntry(), minimalEntry()};
  const auto parsed = parseBatch(writeBatch(header(), {}, entries));
  EXPECT_EQ(parsed.header.hub, "tashkent-city");
  EXPECT_EQ(parsed.header.sequence, 42);
  EXPECT_EQ(parsed.header.generatedAt, "2026-11-28T10:00:00Z");
  EXPECT_EQ(parsed.header.asOf, date("2026-11-28"));
  EXPECT_EQ(parsed.header.schemaMinor, kFeedSchemaMinor);
  ASSERT_THAT(parsed.entries, SizeIs(2));
  for (std::size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    const auto& e = parsed.entries[i];
    EXPECT_THAT(e.errors, IsEmpty());
    EXPECT_EQ(e.index, i + 1);
    ASSERT_TRUE(e.entry.has_value());
    EXPECT_EQ(e.entry->implementation, entries[i].implementation);
    EXPECT_EQ(e.source, entries[i].implementation.source);
    EXPECT_EQ(e.measureId, entries[i].implementation.measure.id);
    EXPECT_EQ(e.region, entries[i].implementation.region);
    EXPECT_EQ(e.revision, entries[i].implementation.revision);
  }
  const Lineage& l = parsed.entries[0].entry->lineage;
  EXPECT_EQ(l.source, "health-fhir");
  EXPECT_EQ(l.adapter, "health-fhir 0.2.0");
  EXPECT_EQ(l.receivedAt, "2026-11-27T08:00:00Z");
  EXPECT_EQ(l.revision, 7);
  ASSERT_THAT(l.hubs, SizeIs(2));
  EXPECT_EQ(l.hubs[0].hub, "yunusobod");
  EXPECT_EQ(l.hubs[0].sequence, 9);
  EXPECT_EQ(l.hubs[0].receivedAt, "2026-11-27T08:00:00Z");
  // The sending hub's own hop, without a sequence yet, leaves in this batch.
  EXPECT_EQ(l.hubs[1].hub, "tashkent-city");
  EXPECT_EQ(l.hubs[1].sequence, 42);
  EXPECT_EQ(l.hubs[1].receivedAt, "2026-11-27T09:00:00Z");
  const Lineage& m = parsed.entries[1].entry->lineage;
  EXPECT_EQ(m.adapter, "http");
  EXPECT_EQ(m.receivedAt, "2026-11-28T07:00:00+05:00");
  ASSERT_THAT(m.hubs, SizeIs(1));
  EXPECT_EQ(m.hubs[0].sequence, 3);  // a hop that has its sequence keeps it
}

TEST(FeedBatch, WrittenBatchValidatesAgainstTheFeedSchema) {
  xml::Schema schema(test::schemaPath("monitoring-feed.xsd"));
  const std::string xml = writeBatch(header(), {}, {fullEntry(), minimalEntry()});
  EXPECT_THAT(test::violations(schema, xml, "batch"), IsEmpty()) << xml;
  EXPECT_THAT(q(xml, "/f:feed/@sequence"), ElementsAre("42"));
  EXPECT_THAT(q(xml, "/f:feed/@schemaVersion"), ElementsAre("1.1"));
  EXPECT_THAT(q(xml, "//f:implementation/f:lineage/f:hop/@hub"),
              ElementsAre("yunusobod", "tashkent-city", "tashkent-city"));
  // The lineage is the implementation's last child.
  EXPECT_THAT(q(xml, "//f:implementation/*[last()]/@source"),
              ElementsAre("health-fhir", "spreadsheet"));
  auto old = header();
  old.schemaMinor = 0;
  const std::string v10 = writeBatch(old, {}, {fullEntry()});
  EXPECT_THAT(test::violations(schema, v10, "batch 1.0"), IsEmpty()) << v10;
}

TEST(FeedBatch, RollsUpOverTheBatchsEntriesOnly) {
  const std::string xml = writeBatch(header(), {}, {minimalEntry()});
  EXPECT_THAT(q(xml, "//f:rollup[@by='measure']/@key"), ElementsAre("DU2030-3.1.7"));
  EXPECT_THAT(q(xml, "//f:rollup[@by='region']/@total"), ElementsAre("1"));
  EXPECT_THAT(q(xml, "//f:rollup[@by='sector']/@key"), ElementsAre("education"));
}

TEST(FeedBatch, SameInputWritesTheSameBytes) {
  const std::vector<BatchEntry> entries{fullEntry(), minimalEntry()};
  const std::string first = writeBatch(header(), {}, entries);
  EXPECT_EQ(writeBatch(header(), {}, entries), first);
  EXPECT_NE(writeBatch(header(43), {}, entries), first);
}

TEST(FeedBatch, BadEntryHasItsErrorsWhileTheOthersParse) {
  const std::string xml =
      edited(writeBatch(header(), {}, {minimalEntry(), fullEntry(), minimalEntry()}),
             "<start>2026-02-01</start>", "<start>2026-02-30</start>");
  const auto parsed = parseBatch(xml);
  ASSERT_THAT(parsed.entries, SizeIs(3));
  EXPECT_TRUE(parsed.entries[0].entry.has_value());
  EXPECT_TRUE(parsed.entries[2].entry.has_value());
  const auto& bad = parsed.entries[1];
  EXPECT_FALSE(bad.entry.has_value());
  ASSERT_THAT(bad.errors, SizeIs(1));
  EXPECT_THAT(bad.errors[0], HasSubstr("<start>"));
  EXPECT_THAT(bad.errors[0], HasSubstr("2026-02-30"));
  EXPECT_THAT(bad.errors[0], HasSubstr("line "));
  // What could be read is echoed for the receipt.
  EXPECT_EQ(bad.index, 2u);
  EXPECT_EQ(bad.measureId, "DU2030-2.4.3");
  EXPECT_EQ(bad.source, "health-fhir");
  EXPECT_EQ(bad.revision, 7);
}

TEST(FeedBatch, EntryOfVersion11WithoutLineageIsAnError) {
  const std::string xml = writeBatch(header(), {}, {minimalEntry()});
  const auto from = xml.find("<lineage");
  const auto to = xml.find("</lineage>") + std::string("</lineage>").size();
  ASSERT_NE(from, std::string::npos);
  const auto parsed = parseBatch(xml.substr(0, from) + xml.substr(to));
  ASSERT_THAT(parsed.entries, SizeIs(1));
  EXPECT_FALSE(parsed.entries[0].entry.has_value());
  EXPECT_THAT(parsed.entries[0].errors, ElementsAre(HasSubstr("has no <lineage>")));
}

TEST(FeedBatch, Version10WithoutAttributeIsReadWithTheSenderAsOrigin) {
  auto old = header(5);
  old.schemaMinor = 0;
  const std::string xml = writeBatch(old, {}, {minimalEntry()});
  EXPECT_THAT(xml, Not(HasSubstr("schemaVersion")));
  EXPECT_THAT(xml, Not(HasSubstr("<lineage")));
  const auto parsed = parseBatch(xml);
  EXPECT_EQ(parsed.header.schemaMinor, 0);
  ASSERT_THAT(parsed.entries, SizeIs(1));
  ASSERT_TRUE(parsed.entries[0].entry.has_value()) << parsed.entries[0].errors.front();
  const Lineage& l = parsed.entries[0].entry->lineage;
  EXPECT_EQ(l.source, "spreadsheet");
  EXPECT_EQ(l.adapter, "feed");
  EXPECT_EQ(l.revision, 1);
  ASSERT_THAT(l.hubs, SizeIs(1));
  EXPECT_EQ(l.hubs[0].hub, "tashkent-city");
  EXPECT_EQ(l.hubs[0].sequence, 5);
  EXPECT_EQ(l.hubs[0].receivedAt, "2026-11-28T10:00:00Z");
}

TEST(FeedBatch, Version11IsRead) {
  const std::string xml = writeBatch(header(), {}, {minimalEntry()});
  EXPECT_THAT(xml, HasSubstr("schemaVersion=\"1.1\""));
  EXPECT_EQ(parseBatch(xml).header.schemaMinor, 1);
}

TEST(FeedBatch, NewerMinorOrOtherMajorIsRefusedNamingBothVersions) {
  const std::string xml = writeBatch(header(), {}, {minimalEntry()});
  for (const char* v : {"1.2", "2.0", "2.1"}) {
    SCOPED_TRACE(v);
    const std::string why =
        refusal(edited(xml, "schemaVersion=\"1.1\"", std::string("schemaVersion=\"") + v + "\""));
    EXPECT_THAT(why, HasSubstr(std::string("version ") + v));
    EXPECT_THAT(why, HasSubstr("reads 1.1 and 1.0"));
    EXPECT_THAT(why, HasSubstr("upgrade this hub"));
  }
  EXPECT_THAT(refusal(edited(xml, "schemaVersion=\"1.1\"", "schemaVersion=\"one\"")),
              HasSubstr("not a version"));
}

TEST(FeedBatch, MissingOrBadSequenceIsRefused) {
  const std::string xml = writeBatch(header(), {}, {minimalEntry()});
  EXPECT_THAT(refusal(edited(xml, " sequence=\"42\"", "")), HasSubstr("<feed> has no sequence"));
  EXPECT_THAT(refusal(edited(xml, "sequence=\"42\"", "sequence=\"0\"")), HasSubstr("1 or more"));
  EXPECT_THAT(refusal(edited(xml, "sequence=\"42\"", "sequence=\"4x\"")),
              HasSubstr("not a whole number"));
}

TEST(FeedBatch, WrongRootMissingHubAndStrayElementsAreRefused) {
  const std::string xml = writeBatch(header(), {}, {minimalEntry()});
  EXPECT_THAT(refusal(edited(xml, "hub=\"tashkent-city\"", "")), HasSubstr("has no hub"));
  EXPECT_THAT(refusal("<report xmlns=\"urn:ijro-hub:report:1\"/>"),
              HasSubstr("root element is <report>"));
  EXPECT_THAT(refusal(edited(xml, "<rollups>", "<extra/><rollups>")),
              HasSubstr("unexpected element <extra>"));
  EXPECT_THAT(refusal("<!DOCTYPE feed [<!ENTITY x \"y\">]><feed xmlns=\"urn:ijro-hub:feed:1\"/>"),
              Not(HasSubstr("accepted")));
}

TEST(FeedBatch, SignatureAndRollUpsAreSkipped) {
  const std::string xml =
      edited(writeBatch(header(), {}, {minimalEntry()}), "</feed>",
             "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo/>"
             "</ds:Signature></feed>");
  const auto parsed = parseBatch(xml);
  ASSERT_THAT(parsed.entries, SizeIs(1));
  EXPECT_TRUE(parsed.entries[0].entry.has_value());
}

TEST(FeedBatch, WriterRefusesAnEntryWithoutHopsAndAZeroSequence) {
  auto e = minimalEntry();
  e.lineage.hubs.clear();
  EXPECT_THROW(writeBatch(header(), {}, {e}), std::invalid_argument);
  EXPECT_THROW(writeBatch(header(0), {}, {minimalEntry()}), std::invalid_argument);
}

}  // namespace
}  // namespace ijro::exchange
