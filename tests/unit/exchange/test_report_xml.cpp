#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hub/exchange/report.hpp"
#include "hub/xml/schema.hpp"
#include "tests/support/test_support.hpp"
#include "tests/unit/exchange/sample.hpp"

namespace ijro::exchange {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

const char* kRecordOk = R"(
  <implementation revision="2">
    <measure id="DU2030-4.2.1">
      <title>Install online cash registers</title>
      <act type="decree" number="UP-6079" date="2020-10-05" item="4.2"/>
    </measure>
    <region>1726</region>
    <organisation>State Tax Department of Tashkent City</organisation>
    <sector>tax</sector>
    <lifecycle>inProgress</lifecycle>
    <start>2026-03-01</start>
    <deadline>2026-08-31</deadline>
  </implementation>)";

std::string report(const std::string& records) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<report xmlns=\"urn:ijro-hub:report:1\" source=\"tashkent-city\" "
         "generatedAt=\"2026-11-28T09:00:00Z\">" +
         records + "\n</report>\n";
}

xml::XmlError parseError(const std::string& body, const xml::Limits& limits = {}) {
  try {
    parseReportXml(body, limits);
  } catch (const xml::XmlError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an XmlError";
  return xml::XmlError("none", "", 0, 0);
}

TEST(ReportXml, RoundTripKeepsEveryField) {
  const std::vector<model::Implementation> records{test::fullImplementation(),
                                                   test::minimalImplementation()};
  const std::string xml = writeReportXml("tashkent-city", records);
  auto parsed = parseReportXml(xml);
  EXPECT_EQ(parsed.source, "tashkent-city");
  EXPECT_THAT(parsed.generatedAt, StartsWith("20"));
  ASSERT_THAT(parsed.records, SizeIs(2));
  for (std::size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    EXPECT_THAT(parsed.records[i].errors, IsEmpty());
    EXPECT_EQ(parsed.records[i].index, i + 1);
    ASSERT_TRUE(parsed.records[i].record.has_value());
    EXPECT_EQ(*parsed.records[i].record, records[i]);
  }
  EXPECT_EQ(parsed.records[0].measureId, "DU2030-2.4.3");
  EXPECT_EQ(parsed.records[0].region, "1726");
  EXPECT_EQ(parsed.records[0].organisation, "Tashkent City Health Department");
  EXPECT_EQ(parsed.records[0].revision, 7);
}

TEST(ReportXml, WrittenReportValidatesAgainstSchema) {
  xml::Schema schema(test::schemaPath("status-report.xsd"));
  const std::string xml =
      writeReportXml("tashkent-city", {test::fullImplementation(), test::minimalImplementation()});
  EXPECT_THAT(test::violations(schema, xml), IsEmpty()) << xml;
}

TEST(ReportXml, ParsesHandWrittenRecord) {
  auto parsed = parseReportXml(report(kRecordOk));
  ASSERT_THAT(parsed.records, SizeIs(1));
  ASSERT_TRUE(parsed.records[0].record);
  const auto& impl = *parsed.records[0].record;
  EXPECT_EQ(impl.source, "tashkent-city");
  EXPECT_EQ(impl.revision, 2);
  EXPECT_EQ(impl.measure.act.item, "4.2");
  EXPECT_EQ(impl.lifecycle, model::Lifecycle::InProgress);
  EXPECT_EQ(impl.deadline, test::date("2026-08-31"));
  EXPECT_FALSE(impl.completed);
  EXPECT_EQ(parsed.generatedAt, "2026-11-28T09:00:00Z");
}

TEST(ReportXml, OneBadRecordDoesNotSinkTheOthers) {
  std::string bad = kRecordOk;
  bad.replace(bad.find("2026-08-31"), 10, "2026-13-01");
  auto parsed = parseReportXml(report(std::string(kRecordOk) + bad + kRecordOk));
  ASSERT_THAT(parsed.records, SizeIs(3));
  EXPECT_TRUE(parsed.records[0].record);
  EXPECT_THAT(parsed.records[0].errors, IsEmpty());
  EXPECT_TRUE(parsed.records[2].record);
  EXPECT_THAT(parsed.records[2].errors, IsEmpty());

  const auto& rec = parsed.records[1];
  EXPECT_FALSE(rec.record);
  EXPECT_EQ(rec.index, 2u);
  ASSERT_THAT(rec.errors, SizeIs(1));
  EXPECT_THAT(rec.errors[0], StartsWith("line 25: <deadline>: \"2026-13-01\" is not a valid date"));
  EXPECT_THAT(rec.errors[0], HasSubstr("expected YYYY-MM-DD"));
  // The identifying fields are still echoed for the receipt.
  EXPECT_EQ(rec.measureId, "DU2030-4.2.1");
  EXPECT_EQ(rec.region, "1726");
  EXPECT_EQ(rec.organisation, "State Tax Department of Tashkent City");
  EXPECT_EQ(rec.revision, 2);
}

TEST(ReportXml, CollectsEveryStructuralErrorOfARecord) {
  const std::string body = report(R"(
  <implementation revision="0" status="x">
    <measure id="M-1">
      <act type="decree" date="2020-02-30"/>
      <remark>typo</remark>
    </measure>
    <region>17260</region>
    <region>1726</region>
    <organisation>  </organisation>
    <sector>tax</sector>
    <lifecycle>done</lifecycle>
    <deadLine>2026-08-31</deadLine>
    <deadline>2026-08-31</deadline>
    <indicator code="X" baseline="lots" ascending="yes">
      <name>Cash registers</name>
      <period start="2026-01-01" end="31.12.2026" target="INF" actual="1,5"/>
    </indicator>
    <assignment id="A" assignee="Unit" deadline="2026-08-31" control="done">
      <title>Do it</title>
    </assignment>
    <evidence url="https://x.uz/a.pdf" date="2026-01-01"><title>t</title><b>bold</b></evidence>
    <x:extra xmlns:x="urn:other"/>
    stray text
  </implementation>)");
  auto parsed = parseReportXml(body);
  ASSERT_THAT(parsed.records, SizeIs(1));
  const auto& rec = parsed.records[0];
  EXPECT_FALSE(rec.record);
  auto has = [&](const std::string& text) { return Contains(HasSubstr(text)); };
  EXPECT_THAT(rec.errors,
              has("line 3: <implementation> attribute revision: \"0\" is not a revision"));
  EXPECT_THAT(rec.errors,
              has("line 3: unknown attribute status on <implementation>; expected revision"));
  EXPECT_THAT(rec.errors, has("line 5: <act> has no number attribute"));
  EXPECT_THAT(rec.errors, has("line 5: <act> attribute date: \"2020-02-30\" is not a valid date"));
  EXPECT_THAT(rec.errors,
              has("line 6: unknown element <remark> in <measure>; expected title, act"));
  EXPECT_THAT(rec.errors, has("line 4: <measure> has no <title>"));
  EXPECT_THAT(rec.errors, has("line 8: <region>: \"17260\" is not a SOATO code"));
  EXPECT_THAT(rec.errors, has("line 9: <region> appears more than once (first on line 8)"));
  EXPECT_THAT(rec.errors, has("line 10: <organisation> is empty"));
  EXPECT_THAT(rec.errors, has("line 12: <lifecycle>: unknown value \"done\"; expected one of "
                              "planned, inProgress, completed, cancelled, suspended"));
  EXPECT_THAT(rec.errors, has("line 13: unknown element <deadLine> in <implementation>"));
  EXPECT_THAT(rec.errors,
              has("line 15: <indicator> attribute ascending: \"yes\" is not a boolean"));
  EXPECT_THAT(rec.errors, has("line 15: <indicator> attribute baseline: \"lots\" is not a number"));
  EXPECT_THAT(rec.errors,
              has("line 17: <period> attribute end: \"31.12.2026\" is not a valid date"));
  EXPECT_THAT(rec.errors, has("line 17: <period> attribute target: \"INF\" is not a number"));
  EXPECT_THAT(rec.errors, has("line 17: <period> attribute actual: \"1,5\" is not a number"));
  EXPECT_THAT(rec.errors, has("line 19: <assignment> attribute control: unknown value \"done\"; "
                              "expected one of onControl"));
  EXPECT_THAT(rec.errors, has("line 22: unknown element <b> in <evidence>; expected title"));
  EXPECT_THAT(rec.errors, has("line 23: element <extra> in namespace \"urn:other\""));
  EXPECT_THAT(rec.errors, has("unexpected text \"stray text\" in <implementation>"));
  EXPECT_THAT(rec.errors,
              has("line 3: <implementation> has no <start>: add <start>YYYY-MM-DD</start>"));
  EXPECT_THAT(rec.errors, SizeIs(21)) << ::testing::PrintToString(rec.errors);
  EXPECT_EQ(rec.measureId, "M-1");
  EXPECT_EQ(rec.revision, 0);
}

// Reports written before decisions were separate say approvedBy/approvedOn: still read, as an
// approved decision, and written back in today's names.
TEST(ReportXml, DeprecatedApprovedByReadsAsAnApprovedDecision) {
  std::string body = kRecordOk;
  body.replace(body.find("    <deadline>2026-08-31</deadline>"), 35,
               "    <deadline>2026-08-31</deadline>\n"
               "    <deadlineChange previous=\"2026-08-31\" deadline=\"2026-09-30\" "
               "approvedBy=\"Deputy Hokim\" approvedOn=\"2026-08-20\" reason=\"Late\"/>\n"
               "    <deadlineChange previous=\"2026-09-30\" deadline=\"2026-10-31\"/>");
  auto parsed = parseReportXml(report(body));
  ASSERT_TRUE(parsed.records[0].record) << ::testing::PrintToString(parsed.records[0].errors);
  const auto& changes = parsed.records[0].record->deadlineChanges;
  ASSERT_THAT(changes, SizeIs(2));
  EXPECT_EQ(changes[0].decision, model::Decision::Approved);
  EXPECT_EQ(changes[0].decidedBy, "Deputy Hokim");
  EXPECT_EQ(changes[0].decidedOn, test::date("2026-08-20"));
  EXPECT_EQ(changes[1].decision, model::Decision::Pending);
  EXPECT_EQ(parsed.records[0].record->lastApprovedDeadline(), test::date("2026-09-30"));

  const std::string written = writeReportXml("tashkent-city", {*parsed.records[0].record});
  EXPECT_THAT(written, HasSubstr("decision=\"approved\" decidedBy=\"Deputy Hokim\" "
                                 "decidedOn=\"2026-08-20\""));
  EXPECT_THAT(written, Not(HasSubstr("approvedBy")));
}

TEST(ReportXml, TitlesInSeveralLanguages) {
  std::string body = kRecordOk;
  body.replace(body.find("<title>Install online cash registers</title>"), 44,
               "<title lang=\"uz-Latn\">Onlayn kassa apparatlarini o'rnatish</title>\n"
               "      <title lang=\"ru\">Установить онлайн-кассы</title>");
  auto parsed = parseReportXml(report(body));
  ASSERT_TRUE(parsed.records[0].record) << ::testing::PrintToString(parsed.records[0].errors);
  const auto& m = parsed.records[0].record->measure;
  // Every title tagged: the first is also the main one.
  EXPECT_EQ(m.title, "Onlayn kassa apparatlarini o'rnatish");
  EXPECT_EQ(m.titles, (model::Translations{{"uz-Latn", "Onlayn kassa apparatlarini o'rnatish"},
                                           {"ru", "Установить онлайн-кассы"}}));
}

TEST(ReportXml, NewFieldErrorsNameTheLineAndTheRule) {
  const std::string body = report(R"(
  <implementation revision="3">
    <measure id="M-1">
      <title>Main</title>
      <title>Second main</title>
      <title lang="ru">Один</title>
      <title lang="ru">Два</title>
      <title lang="russian language">Три</title>
      <title xml:lang="uz-Cyrl">Тўрт</title>
      <act type="decree" number="UP-1" date="2020-02-01"/>
    </measure>
    <region>1726</region>
    <organisation>Unit</organisation>
    <sector>tax</sector>
    <lifecycle>inProgress</lifecycle>
    <start>2026-03-01</start>
    <deadline>2026-08-31</deadline>
    <deadlineChange previous="2026-08-31" deadline="2026-09-30" decision="maybe"/>
    <deadlineChange previous="2026-08-31" deadline="2026-09-30" decision="rejected" approvedBy="X"/>
    <deadlineChange previous="2026-08-31" deadline="2026-09-30" decidedBy="Y" approvedBy="X"/>
    <assignment id="A" assignee="Unit" deadline="2026-08-31">
      <title>Do it</title>
      <controlEvent state="onControl" by="Unit" on="2026-08-01"/>
      <controlEvent state="submitted" on="2026-08-01" at="2026-08-01 10:00"/>
      <comment author="Boss" at="2026-08-01T10:00:00" lang="ru">Текст</comment>
      <comment author="Boss" at="2026-08-01T10:00:00Z" lang="ru">  </comment>
    </assignment>
    <comment author="Boss" at="2026-08-01T10:00:00Z">no lang</comment>
  </implementation>)");
  auto parsed = parseReportXml(body);
  const auto& rec = parsed.records.at(0);
  EXPECT_FALSE(rec.record);
  auto has = [&](const std::string& text) { return Contains(HasSubstr(text)); };
  EXPECT_THAT(rec.errors, has("line 6: <title> without lang appears more than once (first on "
                              "line 5)"));
  EXPECT_THAT(rec.errors, has("line 8: <title lang=\"ru\"> appears more than once"));
  EXPECT_THAT(rec.errors, has("line 9: <title> attribute lang: \"russian language\" is not a "
                              "language tag"));
  EXPECT_THAT(rec.errors, has("line 10: xml:lang on <title> is not read: write the language as "
                              "lang=\"uz-Cyrl\" (no prefix)"));
  EXPECT_THAT(rec.errors, has("line 19: <deadlineChange> attribute decision: unknown value "
                              "\"maybe\"; expected one of pending, approved, rejected"));
  EXPECT_THAT(rec.errors, has("line 20: <deadlineChange> attribute approvedBy: states an "
                              "approval but decision is rejected"));
  EXPECT_THAT(rec.errors, has("line 21: <deadlineChange> attribute approvedBy: is the "
                              "deprecated name of decidedBy"));
  EXPECT_THAT(rec.errors, has("line 24: <controlEvent> attribute state: unknown value "
                              "\"onControl\"; expected one of submitted, verified, returned"));
  EXPECT_THAT(rec.errors, has("line 25: <controlEvent> has no by attribute"));
  EXPECT_THAT(rec.errors, has("line 25: <controlEvent> attribute at: \"2026-08-01 10:00\" is "
                              "not a timestamp"));
  EXPECT_THAT(rec.errors, has("line 26: <comment> attribute at: \"2026-08-01T10:00:00\" is not a "
                              "timestamp"));
  EXPECT_THAT(rec.errors, has("line 27: <comment> is empty"));
  EXPECT_THAT(rec.errors, has("line 29: <comment> has no lang attribute"));
  EXPECT_THAT(rec.errors, SizeIs(13)) << ::testing::PrintToString(rec.errors);
}

TEST(ReportXml, UnknownElementInReportIsARejectedRecord) {
  auto parsed = parseReportXml(
      report(std::string(kRecordOk) + "\n  <implementaton revision=\"1\"/>" + kRecordOk));
  ASSERT_THAT(parsed.records, SizeIs(3));
  EXPECT_TRUE(parsed.records[0].record);
  EXPECT_FALSE(parsed.records[1].record);
  EXPECT_THAT(parsed.records[1].errors,
              ElementsAre(HasSubstr("unexpected element <implementaton> in <report>")));
  EXPECT_TRUE(parsed.records[2].record);
  EXPECT_EQ(parsed.records[2].index, 3u);
}

TEST(ReportXml, TokensAreCollapsedAndTextKept) {
  std::string body = kRecordOk;
  body.replace(body.find("<region>1726</region>"), 21, "<region>\n      1726\n    </region>");
  body.replace(body.find("State Tax"), 9, "State   Tax");
  body.replace(body.find("<title>Install online cash registers</title>"), 44,
               "<title> Install <![CDATA[online & cash]]> registers</title>");
  auto parsed = parseReportXml(report(body));
  ASSERT_TRUE(parsed.records[0].record) << parsed.records[0].errors[0];
  EXPECT_EQ(parsed.records[0].record->region, "1726");
  EXPECT_EQ(parsed.records[0].record->organisation, "State Tax Department of Tashkent City");
  EXPECT_EQ(parsed.records[0].record->measure.title, " Install online & cash registers");
}

TEST(ReportXml, DocumentLevelProblemsThrow) {
  // Not well-formed: line and column of the problem.
  auto e =
      parseError(report(kRecordOk).replace(report(kRecordOk).find("</sector>"), 9, "</sectr>"));
  EXPECT_THAT(e.reason, HasSubstr("not well-formed XML"));
  EXPECT_EQ(e.line, 10);
  EXPECT_EQ(e.document, "status report");

  // DOCTYPE and entities, before anything is expanded.
  auto d =
      parseError(ijro::test::readFile(ijro::test::sourceDir() / "tests/data/xml/xxe-file.xml"));
  EXPECT_THAT(d.reason, HasSubstr("DOCTYPE is not allowed"));
  EXPECT_THAT(d.what(), Not(HasSubstr("root:")));

  // Limits.
  xml::Limits small;
  small.maxBytes = 64;
  EXPECT_THAT(parseError(report(kRecordOk), small).reason, HasSubstr("over the limit of 64 bytes"));

  // Nothing to do.
  EXPECT_THAT(parseError(report("")).reason, HasSubstr("no <implementation> elements"));
  EXPECT_THAT(parseError("<report xmlns=\"urn:ijro-hub:report:1\"/>").reason,
              HasSubstr("no <implementation> elements"));

  // Unknown attribute on the report itself.
  EXPECT_THAT(parseError("<report xmlns=\"urn:ijro-hub:report:1\" sorce=\"x\">" +
                         std::string(kRecordOk) + "</report>")
                  .reason,
              HasSubstr("unknown attribute sorce on <report>; expected source, generatedAt"));

  // Text directly in <report>.
  EXPECT_THAT(parseError(report(std::string("hello") + kRecordOk)).reason,
              HasSubstr("unexpected text in <report>"));
}

TEST(ReportXml, WrongRootOrNamespaceSaysWhatWasExpected) {
  auto noNs = parseError("<report source=\"x\">" + std::string(kRecordOk) + "</report>");
  EXPECT_THAT(noNs.reason,
              HasSubstr("<report> has no namespace: add xmlns=\"urn:ijro-hub:report:1\""));
  EXPECT_EQ(noNs.line, 1);
  EXPECT_EQ(noNs.column, 1);

  auto v2 = parseError("<report xmlns=\"urn:ijro-hub:report:2\"/>");
  EXPECT_THAT(v2.reason, HasSubstr("\"urn:ijro-hub:report:2\" is a version of the status report "
                                   "this hub does not read"));
  EXPECT_THAT(v2.reason, HasSubstr("urn:ijro-hub:report:1"));

  auto feed = parseError("<feed xmlns=\"urn:ijro-hub:feed:1\"/>");
  EXPECT_THAT(feed.reason,
              HasSubstr("the root element is <feed> in namespace \"urn:ijro-hub:feed:1\"; a status "
                        "report's root element is <report xmlns=\"urn:ijro-hub:report:1\">"));
}

TEST(ReportXml, SchemaLocationAttributesAreAllowed) {
  auto parsed = parseReportXml(
      "<report xmlns=\"urn:ijro-hub:report:1\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:schemaLocation=\"urn:ijro-hub:report:1 status-report.xsd\">" +
      std::string(kRecordOk) + "</report>");
  ASSERT_THAT(parsed.records, SizeIs(1));
  EXPECT_TRUE(parsed.records[0].record);
}

}  // namespace
}  // namespace ijro::exchange
