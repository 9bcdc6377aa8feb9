#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "hub/exchange/report.hpp"
#include "tests/unit/exchange/sample.hpp"

namespace ijro::exchange {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

const char* kRecordOk = R"({
  "revision": 2,
  "measure": {"id": "DU2030-4.2.1", "title": "Install online cash registers",
              "act": {"type": "decree", "number": "UP-6079", "date": "2020-10-05", "item": "4.2"}},
  "region": "1726",
  "organisation": "State Tax Department of Tashkent City",
  "sector": "tax",
  "lifecycle": "inProgress",
  "start": "2026-03-01",
  "deadline": "2026-08-31"
})";

std::string report(const std::string& records) {
  return R"({"source": "tashkent-city", "generatedAt": "2026-11-28T09:00:00Z", "implementations": [)" +
         records + "]}";
}

std::string parseError(const std::string& body, std::size_t maxDepth = 64) {
  try {
    parseReportJson(body, maxDepth);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected std::invalid_argument";
  return "";
}

TEST(ReportJson, RoundTripKeepsEveryField) {
  const std::vector<model::Implementation> records{test::fullImplementation(),
                                                   test::minimalImplementation()};
  const std::string json = writeReportJson("tashkent-city", records);
  auto parsed = parseReportJson(json);
  EXPECT_EQ(parsed.source, "tashkent-city");
  ASSERT_THAT(parsed.records, SizeIs(2));
  for (std::size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    EXPECT_THAT(parsed.records[i].errors, IsEmpty());
    ASSERT_TRUE(parsed.records[i].record.has_value());
    EXPECT_EQ(*parsed.records[i].record, records[i]);
  }
}

TEST(ReportJson, WritesWholeNumbersAsIntegers) {
  auto impl = test::minimalImplementation();
  impl.indicators.push_back({"C",
                             "n",
                             "",
                             true,
                             12000,
                             {{test::date("2026-01-01"), test::date("2026-12-31"), 30000, 24.5}}});
  const std::string json = writeReportJson("s", {impl});
  EXPECT_THAT(json, HasSubstr("\"baseline\":12000"));
  EXPECT_THAT(json, HasSubstr("\"target\":30000"));
  EXPECT_EQ(parseReportJson(json).records.at(0).record->indicators.at(0).periods.at(0).actual,
            24.5);
}

TEST(ReportJson, OneBadRecordDoesNotSinkTheOthers) {
  std::string bad = kRecordOk;
  bad.replace(bad.find("2026-08-31"), 10, "2026-13-01");
  auto parsed = parseReportJson(report(std::string(kRecordOk) + "," + bad + "," + kRecordOk));
  ASSERT_THAT(parsed.records, SizeIs(3));
  EXPECT_TRUE(parsed.records[0].record);
  EXPECT_TRUE(parsed.records[2].record);
  const auto& rec = parsed.records[1];
  EXPECT_FALSE(rec.record);
  EXPECT_EQ(rec.index, 2u);
  EXPECT_THAT(rec.errors, ElementsAre("deadline: \"2026-13-01\" is not a valid date; expected "
                                      "YYYY-MM-DD, e.g. 2026-03-31"));
  EXPECT_EQ(rec.measureId, "DU2030-4.2.1");
  EXPECT_EQ(rec.region, "1726");
  EXPECT_EQ(rec.organisation, "State Tax Department of Tashkent City");
  EXPECT_EQ(rec.revision, 2);
}

TEST(ReportJson, CollectsEveryStructuralErrorOfARecord) {
  auto parsed = parseReportJson(report(R"({
    "revision": 1.5,
    "measure": {"id": "M-1", "act": {"type": "decree", "number": 6079, "date": "2020-10-05"}},
    "region": "17260",
    "organisation": "",
    "sector": "tax\u0001",
    "lifecycle": "done",
    "start": "2026-03-01",
    "deadLine": "2026-08-31",
    "indicators": [{"code": "X", "name": "n", "ascending": "yes", "baseline": "0",
                    "periods": [{"start": "2026-01-01", "end": "31.12.2026", "target": "10"}]}, 5],
    "assignments": {"id": "A"},
    "evidence": [{"url": "https://x.uz", "date": "2026-01-01"}]
  }, "not an object")"));
  ASSERT_THAT(parsed.records, SizeIs(2));
  const auto& rec = parsed.records[0];
  EXPECT_FALSE(rec.record);
  auto has = [](const std::string& text) { return Contains(HasSubstr(text)); };
  EXPECT_THAT(rec.errors, has("deadLine: unknown field; expected one of revision, measure,"));
  EXPECT_THAT(rec.errors, has("revision: expected a whole number of 1 or more"));
  EXPECT_THAT(rec.errors, has("measure.title: missing"));
  EXPECT_THAT(rec.errors, has("measure.act.number: expected a string, got a number"));
  EXPECT_THAT(rec.errors, has("region: \"17260\" is not a SOATO code"));
  EXPECT_THAT(rec.errors, has("organisation: is empty"));
  EXPECT_THAT(rec.errors, has("sector: contains the character U+0001"));
  EXPECT_THAT(rec.errors, has("lifecycle: unknown value \"done\"; expected one of planned, "
                              "inProgress, completed, cancelled, suspended"));
  EXPECT_THAT(rec.errors, has("deadline: missing"));
  EXPECT_THAT(rec.errors, has("indicators[0].ascending: expected true or false, got a string"));
  EXPECT_THAT(rec.errors, has("indicators[0].baseline: expected a number, got a string"));
  EXPECT_THAT(rec.errors, has("indicators[0].periods[0].end: \"31.12.2026\" is not a valid date"));
  EXPECT_THAT(rec.errors, has("indicators[0].periods[0].target: expected a number, got a string"));
  EXPECT_THAT(rec.errors, has("indicators[1]: expected an object, got a number"));
  EXPECT_THAT(rec.errors, has("assignments: expected an array, got an object"));
  EXPECT_THAT(rec.errors, has("evidence[0].title: missing"));
  EXPECT_THAT(rec.errors, SizeIs(16)) << ::testing::PrintToString(rec.errors);
  EXPECT_THAT(parsed.records[1].errors, ElementsAre("expected an object, got a string"));
}

TEST(ReportJson, DeprecatedApprovedByReadsAsAnApprovedDecision) {
  std::string body = kRecordOk;
  body.replace(body.find("\"deadline\": \"2026-08-31\"\n"), 25,
               R"("deadline": "2026-08-31",
  "deadlineChanges": [{"previous": "2026-08-31", "deadline": "2026-09-30",
                       "approvedBy": "Deputy Hokim", "approvedOn": "2026-08-20"},
                      {"previous": "2026-09-30", "deadline": "2026-10-31"}]
)");
  auto parsed = parseReportJson(report(body));
  ASSERT_TRUE(parsed.records[0].record) << ::testing::PrintToString(parsed.records[0].errors);
  const auto& changes = parsed.records[0].record->deadlineChanges;
  ASSERT_THAT(changes, SizeIs(2));
  EXPECT_EQ(changes[0].decision, model::Decision::Approved);
  EXPECT_EQ(changes[0].decidedBy, "Deputy Hokim");
  EXPECT_EQ(changes[0].decidedOn, test::date("2026-08-20"));
  EXPECT_EQ(changes[1].decision, model::Decision::Pending);
  const std::string written = writeReportJson("tashkent-city", {*parsed.records[0].record});
  EXPECT_THAT(written, HasSubstr(R"("decision":"approved","decidedBy":"Deputy Hokim")"));
  EXPECT_THAT(written, Not(HasSubstr("approvedBy")));
}

TEST(ReportJson, NewFieldErrorsNameTheirPath) {
  std::string body = kRecordOk;
  body.replace(body.find("\"deadline\": \"2026-08-31\"\n"), 25,
               R"("deadline": "2026-08-31",
  "deadlineChanges": [{"previous": "2026-08-31", "deadline": "2026-09-30", "decision": "maybe"},
                      {"previous": "2026-08-31", "deadline": "2026-09-30", "decision": "rejected",
                       "approvedBy": "X"},
                      {"previous": "2026-08-31", "deadline": "2026-09-30", "decidedOn": "2026-09-01",
                       "approvedOn": "2026-09-02"}],
  "assignments": [{"id": "A", "assignee": "Unit", "title": "Do it", "deadline": "2026-08-31",
                   "titles": [{"lang": "ru", "text": "Один"}, {"lang": "ru", "text": "Два"},
                              {"lang": "r", "text": "Три"}],
                   "controlEvents": [{"state": "onControl", "by": "Unit", "on": "2026-08-01"},
                                     {"state": "submitted", "on": "2026-08-01", "at": "noon"}],
                   "comments": [{"author": "Boss", "at": "2026-08-01T10:00:00Z", "lang": "ru",
                                 "text": " ", "mood": "bad"}]}],
  "comments": [{"author": "Boss", "at": "2026-08-01T10:00:00Z", "text": "no lang"}]
)");
  auto parsed = parseReportJson(report(body));
  const auto& rec = parsed.records.at(0);
  EXPECT_FALSE(rec.record);
  auto has = [&](const std::string& text) { return Contains(HasSubstr(text)); };
  EXPECT_THAT(rec.errors, has("deadlineChanges[0].decision: unknown value \"maybe\""));
  EXPECT_THAT(rec.errors, has("deadlineChanges[1].approvedBy: states an approval but decision is "
                              "rejected"));
  EXPECT_THAT(rec.errors, has("deadlineChanges[2].approvedOn: is the deprecated name of "
                              "decidedOn"));
  EXPECT_THAT(rec.errors, has("assignments[0].titles[1].lang: \"ru\" is given more than once"));
  EXPECT_THAT(rec.errors, has("assignments[0].titles[2].lang: \"r\" is not a language tag"));
  EXPECT_THAT(rec.errors, has("assignments[0].controlEvents[0].state: unknown value "
                              "\"onControl\""));
  EXPECT_THAT(rec.errors, has("assignments[0].controlEvents[1].by: missing"));
  EXPECT_THAT(rec.errors, has("assignments[0].controlEvents[1].at: \"noon\" is not a timestamp"));
  EXPECT_THAT(rec.errors, has("assignments[0].comments[0].mood: unknown field"));
  EXPECT_THAT(rec.errors, has("assignments[0].comments[0].text: is empty"));
  EXPECT_THAT(rec.errors, has("comments[0].lang: missing"));
  EXPECT_THAT(rec.errors, SizeIs(11)) << ::testing::PrintToString(rec.errors);
}

TEST(ReportJson, NullMeansAbsent) {
  std::string rec = kRecordOk;
  rec.insert(rec.rfind('}'), ", \"completed\": null, \"note\": null, \"indicators\": null");
  auto parsed = parseReportJson(report(rec));
  ASSERT_TRUE(parsed.records.at(0).record) << parsed.records[0].errors.at(0);
  EXPECT_FALSE(parsed.records[0].record->completed);
}

TEST(ReportJson, DeepNestingRefused) {
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  const std::string e = parseError(deep);
  EXPECT_THAT(e, HasSubstr("nesting deeper than 64 levels is not allowed"));
  EXPECT_THAT(e, HasSubstr("line 1, column 65"));
  // Within the limit, the shape is still checked.
  EXPECT_THAT(parseError("[[1]]"), HasSubstr("a JSON status report is an object"));
  // A record nested a little too deep for a small limit.
  EXPECT_THAT(parseError(report(kRecordOk), 3), HasSubstr("nesting deeper than 3 levels"));
}

TEST(ReportJson, InvalidUtf8Refused) {
  std::string body = report(kRecordOk);
  body.replace(body.find("Tashkent City"), 1, "\xC3\x28");
  const std::string e = parseError(body);
  EXPECT_THAT(e, HasSubstr("invalid UTF-8 at line 6, column"));
  EXPECT_THAT(e, HasSubstr("must be encoded as UTF-8"));
  EXPECT_THAT(parseError("{\"source\": \"\xED\xA0\x80\"}"), HasSubstr("invalid UTF-8"));
}

TEST(ReportJson, NotJsonRefusedWithPosition) {
  EXPECT_THAT(parseError("<report/>"), HasSubstr("the report is not valid JSON"));
  EXPECT_THAT(parseError("{\n  \"source\": \"x\",\n  \"implementations\": [,]\n}"),
              HasSubstr("at line 3, column 23"));
  EXPECT_THAT(parseError(report(kRecordOk) + " trailing"), HasSubstr("not valid JSON"));
  EXPECT_THAT(parseError("{\"source\": \"x\""), HasSubstr("not valid JSON"));
  EXPECT_THAT(parseError(""), HasSubstr("not valid JSON"));
}

// Boost.JSON keeps the last of two members with one name; another reader might keep the first.
// A record that says two things is refused, naming the member; the records beside it pass.
TEST(ReportJson, AMemberGivenTwiceRefusesItsRecordAloneNamingIt) {
  std::string twice = kRecordOk;
  twice.insert(twice.find("\"revision\": 2") + 13, ", \"revision\": 9");
  std::string nested = kRecordOk;
  nested.insert(nested.find("\"title\""), "\"id\": \"DU2030-9.9.9\", ");
  auto parsed = parseReportJson(report(std::string(kRecordOk) + "," + twice + "," + nested));
  ASSERT_EQ(parsed.records.size(), 3u);
  EXPECT_TRUE(parsed.records[0].record);
  EXPECT_FALSE(parsed.records[1].record);
  EXPECT_THAT(parsed.records[1].errors,
              ElementsAre(StartsWith("revision: the member \"revision\" appears twice")));
  EXPECT_FALSE(parsed.records[2].record);
  EXPECT_THAT(parsed.records[2].errors,
              ElementsAre(StartsWith("measure.id: the member \"id\" appears twice")));
  // Outside the records it is the report's own problem.
  EXPECT_THAT(parseError("{\"source\": \"a\", \"source\": \"b\", \"implementations\": [" +
                         std::string(kRecordOk) + "]}"),
              HasSubstr("the member \"source\" appears twice"));
}

// Past a few members an object's names are looked up by hash, not scanned: a repeat is still
// found, at the same place, and the path still names the member it is in.
TEST(ReportJson, AMemberRepeatedInAnObjectOfManyMembersIsFoundAndNamed) {
  std::string many;
  for (int i = 0; i < 40; ++i)
    many += "\"m" + std::to_string(i) + "\": " + std::to_string(i) + ", ";
  std::string rec = kRecordOk;
  rec.insert(rec.find("\"title\""), many + "\"m7\": 0, ");
  auto parsed = parseReportJson(report(std::string(kRecordOk) + "," + rec));
  ASSERT_EQ(parsed.records.size(), 2u);
  EXPECT_TRUE(parsed.records[0].record);
  EXPECT_FALSE(parsed.records[1].record);
  EXPECT_THAT(parsed.records[1].errors,
              Contains(StartsWith("measure.m7: the member \"m7\" appears twice")));
  EXPECT_THAT(parseError("{" + many + "\"m39\": 1, \"source\": \"a\", \"implementations\": []}"),
              HasSubstr("the member \"m39\" appears twice"));
}

TEST(ReportJson, ANumberBeyondADoubleIsRefusedNotReadAsInfinity) {
  std::string rec = kRecordOk;
  rec.insert(rec.rfind('}'),
             ", \"indicators\": [{\"code\": \"x\", \"name\": \"x\", \"unit\": \"n\", "
             "\"baseline\": 1e999, \"periods\": []}]");
  const std::string e = parseError(report(rec));
  EXPECT_THAT(e, HasSubstr("the number 1e999 is beyond the range of a double"));
  EXPECT_THAT(e, HasSubstr("at line"));
}

TEST(ReportJson, AStringLongerThanTheLimitIsRefused) {
  std::string rec = kRecordOk;
  rec.insert(rec.rfind('}'), ", \"note\": \"" + std::string((1u << 20) + 1, 'n') + "\"");
  EXPECT_THAT(parseError(report(rec)), HasSubstr("a string is longer than 1048576 bytes"));
  std::string key = kRecordOk;
  key.insert(key.rfind('}'), ", \"" + std::string(300, 'k') + "\": 1");
  EXPECT_THAT(parseError(report(key)), HasSubstr("a member name is longer than 256 bytes"));
}

TEST(ReportJson, TopLevelShapeIsChecked) {
  EXPECT_THAT(parseError("{\"source\": \"x\", \"implementations\": []}"),
              HasSubstr("no implementations"));
  EXPECT_THAT(parseError("{\"source\": \"x\"}"), HasSubstr("no implementations"));
  EXPECT_THAT(parseError("{\"implementations\": {}}"),
              HasSubstr("\"implementations\" must be an array, got an object"));
  EXPECT_THAT(parseError("{\"source\": 5, \"implementations\": [{}]}"),
              HasSubstr("\"source\" must be a string"));
  EXPECT_THAT(parseError("{\"sorce\": \"x\", \"implementations\": [{}]}"),
              HasSubstr("unknown top-level field \"sorce\"; expected source, generatedAt, "
                        "implementations"));
}

}  // namespace
}  // namespace ijro::exchange
