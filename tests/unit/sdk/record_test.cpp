// The record builder (sdk/ijro_record.hpp): what it writes is read by the hub's own JSON report
// parser into exactly the implementation it was built from, field by field; text is escaped as
// JSON requires; what JSON cannot carry is refused with the field's name.
#include <ijro_record.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "hub/exchange/report.hpp"
#include "hub/plugin_host/records.hpp"
#include "hub/xml/chars.hpp"
#include "tests/unit/exchange/sample.hpp"
#include "tests/unit/sdk/built_records.hpp"

namespace {

namespace json = boost::json;
namespace sdk = ijro::sdk;
using ijro::exchange::ParsedReport;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

ParsedReport parsed(const std::string& record) {
  return ijro::exchange::parseReportJson(R"({"implementations":[)" + record + "]}");
}

// The text of the std::invalid_argument that building `impl` throws ("" when it does not).
std::string refusal(const sdk::Implementation& impl) {
  try {
    (void)impl.toJson();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

sdk::Implementation valid() {
  sdk::Implementation impl;
  impl.revision = 1;
  impl.measure = {"M-1", "Title", {"decree", "UP-1", "2020-01-01", "1"}};
  impl.region = "1726";
  impl.organisation = "Org";
  impl.sector = "other";
  impl.lifecycle = sdk::lifecycle::kInProgress;
  impl.start = "2026-01-01";
  impl.deadline = "2026-12-31";
  impl.indicators = {{"I-1", "First", "", true, 0, {}},
                     {"I-2", "Second", "", true, 0, {{"2026-01-01", "2026-12-31", 1, 2}}}};
  impl.assignments = {{"A1", "", "Unit", "Task", "2026-06-30", "", "", {}},
                      {"A2", "A1", "Unit", "Task", "2026-06-30", "", "", {}}};
  impl.assignments[1].deadlineChanges = {{"2026-06-30", "2026-07-31", "", "", "late"}};
  impl.evidence = {{"https://example.uz/a.pdf", "Act", "", "2026-07-01", ""}};
  return impl;
}

TEST(RecordBuilder, EveryFieldReadsBackAsTheSameImplementation) {
  ParsedReport full = parsed(sdk::test::fullRecord());
  ASSERT_EQ(full.records.size(), 1u);
  ASSERT_THAT(full.records[0].errors, IsEmpty());
  EXPECT_EQ(*full.records[0].record, ijro::exchange::test::fullImplementation(""));

  ParsedReport minimal = parsed(sdk::test::minimalRecord());
  ASSERT_THAT(minimal.records[0].errors, IsEmpty());
  EXPECT_EQ(*minimal.records[0].record, ijro::exchange::test::minimalImplementation(""));
}

TEST(RecordBuilder, DeprecatedApprovalStillReadsAsAnApprovedDecision) {
  // A plugin written for builder version 1 keeps compiling and means the same.
  ParsedReport old = parsed(sdk::test::recordWithDeprecatedApproval());
  ASSERT_THAT(old.records[0].errors, IsEmpty());
  const auto& changes = old.records[0].record->deadlineChanges;
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].decision, ijro::model::Decision::Approved);
  EXPECT_EQ(changes[0].decidedBy, "Deputy Hokim");
  EXPECT_EQ(changes[0].decidedOn, ijro::model::parseDate("2027-06-01"));
  EXPECT_EQ(old.records[0].record->lastApprovedDeadline(), ijro::model::parseDate("2027-09-30"));
}

TEST(RecordBuilder, WritesTheSameJsonAsTheHubsOwnRecordForm) {
  // Same keys, same nesting, same values: what the hub hands a sink is what a source can build.
  for (const auto& [built, model] :
       {std::pair{sdk::test::fullRecord(), ijro::exchange::test::fullImplementation("")},
        std::pair{sdk::test::minimalRecord(), ijro::exchange::test::minimalImplementation("")}})
    EXPECT_EQ(json::parse(built), json::parse(ijro::plugin_host::recordJson(model))) << built;
}

TEST(RecordBuilder, OptionalFieldsAreLeftOutAndRequiredOnesAlwaysWritten) {
  const std::string minimal = sdk::test::minimalRecord();
  for (const char* absent : {"\"completed\"", "\"note\"", "\"indicators\"", "\"assignments\"",
                             "\"evidence\"", "\"deadlineChanges\"", "\"item\""})
    EXPECT_THAT(minimal, ::testing::Not(HasSubstr(absent)));

  // A required field left empty is still written, so the hub names it instead of it vanishing.
  ParsedReport empty = parsed(sdk::Implementation{}.toJson());
  EXPECT_THAT(empty.records[0].errors,
              AllOf(::testing::Contains(StartsWith("revision:")),
                    ::testing::Contains(StartsWith("measure.id: is empty")),
                    ::testing::Contains(StartsWith("measure.act.date:")),
                    ::testing::Contains(StartsWith("region:")),
                    ::testing::Contains(StartsWith("organisation: is empty")),
                    ::testing::Contains(StartsWith("lifecycle:"))));
}

TEST(RecordBuilder, TextIsEscapedAsJsonRequiresAndUtf8PassesThrough) {
  std::string every;
  for (int c = 0; c < 0x20; ++c) every += static_cast<char>(c);
  every += "\"\\/\x7f";
  every += "Тошкент ўзбек 𝄞 \u2028 end";  // 2-, 3- and 4-byte UTF-8, a JSON line separator
  const std::string record = sdk::test::recordWithNote(every);
  const json::value v = json::parse(record);
  EXPECT_EQ(v.at("note").as_string(), every);
  EXPECT_THAT(record, AllOf(HasSubstr(R"(\u0000\u0001)"), HasSubstr(R"(\b\t\n\u000b\f\r)"),
                            HasSubstr(R"(\u001f\"\\/)"), HasSubstr("Тошкент ўзбек 𝄞")));
  // Raw control characters never reach the JSON text.
  for (char c : record) EXPECT_GE(static_cast<unsigned char>(c), 0x20u) << record;

  // The hub reads the text back; one XML cannot carry (U+0001) it refuses, naming the field.
  const std::string printable = "Line one\n\t\"quoted\" \\ back-slash, Тошкент";
  ParsedReport ok = parsed(sdk::test::recordWithNote(printable));
  ASSERT_THAT(ok.records[0].errors, IsEmpty());
  EXPECT_EQ(ok.records[0].record->note, printable);
  EXPECT_THAT(parsed(record).records[0].errors, ::testing::ElementsAre(StartsWith("note:")));
}

TEST(RecordBuilder, InvalidUtf8IsRefusedNamingTheField) {
  const std::string bad = "Toshkent \xC1\xBF";  // an overlong form
  sdk::Implementation impl = valid();
  impl.measure.title = bad;
  EXPECT_THAT(refusal(impl), AllOf(StartsWith("measure.title: not valid UTF-8 (byte 10 of 11)"),
                                   HasSubstr("Windows-1251")));
  impl = valid();
  impl.measure.act.item = "\xE2\x82";  // cut short
  EXPECT_THAT(refusal(impl), StartsWith("measure.act.item: not valid UTF-8"));
  impl = valid();
  impl.indicators[1].periods[0].start = "\xED\xA0\x80";  // a surrogate
  EXPECT_THAT(refusal(impl), StartsWith("indicators[1].periods[0].start: not valid UTF-8"));
  impl = valid();
  impl.assignments[1].deadlineChanges[0].reason = "\xF4\x90\x80\x80";  // above U+10FFFF
  EXPECT_THAT(refusal(impl), StartsWith("assignments[1].deadlineChanges[0].reason: not valid"));
  impl = valid();
  impl.evidence[0].uploader = "\x80";  // a lone continuation byte
  EXPECT_THAT(refusal(impl), StartsWith("evidence[0].uploader: not valid UTF-8"));
  impl = valid();
  impl.note = "\xFF";
  EXPECT_THAT(refusal(impl), StartsWith("note: not valid UTF-8"));
  EXPECT_EQ(refusal(valid()), "");
}

TEST(RecordBuilder, NumbersJsonCannotCarryAreRefusedNamingTheField) {
  sdk::Implementation impl = valid();
  impl.indicators[1].periods[0].target = std::nan("");
  EXPECT_THAT(refusal(impl), StartsWith("indicators[1].periods[0].target: NaN"));
  impl = valid();
  impl.indicators[0].baseline = -std::numeric_limits<double>::infinity();
  EXPECT_THAT(refusal(impl), StartsWith("indicators[0].baseline: an infinite number"));

  // Finite numbers are written shortest, and read back exactly.
  impl = valid();
  impl.indicators[1].periods[0].target = 0.1 + 0.2;
  impl.indicators[1].periods[0].actual = 27900;
  const std::string text = impl.toJson();
  EXPECT_THAT(text,
              AllOf(HasSubstr("\"target\":0.30000000000000004"), HasSubstr("\"actual\":27900")));
  ParsedReport back = parsed(text);
  ASSERT_THAT(back.records[0].errors, IsEmpty());
  EXPECT_EQ(back.records[0].record->indicators[1].periods[0].target, 0.1 + 0.2);
}

TEST(RecordBuilder, Utf8CheckAgreesWithTheHubs) {
  // Every 1- and 2-byte text, and 3- and 4-byte ones over every lead byte and the edges of the
  // continuation ranges: the SDK's check and the hub's find the same first bad byte.
  std::size_t compared = 0;
  const auto same = [&](const std::string& s) {
    ++compared;
    const auto mine = sdk::firstInvalidUtf8(s);
    const auto hubs = ijro::xml::firstInvalidUtf8(s);
    if (mine == hubs) return;
    std::string hex;
    for (unsigned char c : s) hex += " " + std::to_string(c);
    ADD_FAILURE() << "the checks differ on the bytes" << hex;
  };
  for (int a = 0; a < 256; ++a) {
    same(std::string(1, static_cast<char>(a)));
    for (int b = 0; b < 256; ++b) same({static_cast<char>(a), static_cast<char>(b)});
  }
  const int edges[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
  for (int a = 0xC0; a < 256; ++a)
    for (int b = 0x70; b < 256; ++b)
      for (int c : edges) {
        same({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
        if (a >= 0xF0)
          for (int d : edges)
            same({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c),
                  static_cast<char>(d)});
      }
  EXPECT_GT(compared, 100000u);
}

TEST(RecordBuilder, AppendJsonStringNamesTheFieldItIsGiven) {
  std::string out = "x";
  sdk::appendJsonString(out, "a\"b", "checkpoint");
  EXPECT_EQ(out, R"(x"a\"b")");
  try {
    sdk::appendJsonString(out, "\xC0", "checkpoint.file");
    ADD_FAILURE() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), StartsWith("checkpoint.file: not valid UTF-8 (byte 1 of 1)"));
  }
  EXPECT_EQ(out, R"(x"a\"b")");  // nothing appended
}

}  // namespace

namespace {

// Builder version 3: an indicator's mode, a period's numerator, denominator and breakdowns reach
// the hub's model as built, and the actual left out is derived from numerator / denominator.
TEST(RecordBuilder, Version3IndicatorFieldsReadBack) {
  static_assert(sdk::kRecordBuilderVersion >= 3);
  auto impl = valid();
  sdk::IndicatorPeriod q1{"2026-01-01", "2026-03-31", 80, std::nullopt, 45, 60, {}};
  q1.breakdowns = {{"sex", "female", std::nullopt, std::nullopt, 24, 30},
                   {"ageGroup", "15-24", 70, 65, std::nullopt, std::nullopt}};
  impl.indicators = {
      {"VACC", "Children vaccinated", "%", true, 0, {q1}, sdk::indicator_mode::kMerge}};
  ParsedReport back = parsed(impl.toJson());
  ASSERT_THAT(back.records.at(0).errors, IsEmpty());
  const auto& ind = back.records[0].record->indicators.at(0);
  EXPECT_EQ(ind.mode, ijro::model::IndicatorMode::Merge);
  const auto& p = ind.periods.at(0);
  EXPECT_EQ(p.numerator, 45);
  EXPECT_EQ(p.denominator, 60);
  EXPECT_EQ(p.actual, 75);  // derived: 45 / 60 x100 for unit "%"
  ASSERT_EQ(p.breakdowns.size(), 2u);
  EXPECT_EQ(p.breakdowns[0].dimension, "sex");
  EXPECT_EQ(p.breakdowns[0].category, "female");
  EXPECT_EQ(p.breakdowns[0].actual, 80);
  EXPECT_EQ(p.breakdowns[1].target, 70);
  EXPECT_EQ(p.breakdowns[1].actual, 65);
  EXPECT_FALSE(p.breakdowns[1].numerator);
}

TEST(RecordBuilder, Version2IndicatorsWriteNoVersion3Keys) {
  const std::string text = valid().toJson();
  for (const char* absent : {"\"mode\"", "\"numerator\"", "\"denominator\"", "\"breakdowns\""})
    EXPECT_THAT(text, ::testing::Not(HasSubstr(absent)));
}

}  // namespace
