// Every example in examples/ is checked here, so that new examples are covered as they are added.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "hub/exchange/feed.hpp"
#include "hub/exchange/report.hpp"
#include "hub/model/sectors.hpp"
#include "hub/model/status.hpp"
#include "hub/model/validate.hpp"
#include "hub/xml/schema.hpp"
#include "tests/support/test_support.hpp"
#include "tests/unit/exchange/sample.hpp"

namespace ijro::exchange {
namespace {

namespace fs = std::filesystem;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// The examples are written to be evaluated as of this date.
const model::Date kAsOf = *model::parseDate("2026-11-28");

std::vector<fs::path> examples(const std::string& extension) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(ijro::test::sourceDir() / "examples"))
    if (entry.is_regular_file() && entry.path().extension() == extension)
      out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<model::Implementation> records(const ParsedReport& report) {
  std::vector<model::Implementation> out;
  for (const auto& r : report.records) {
    EXPECT_THAT(r.errors, IsEmpty()) << "record " << r.index;
    if (r.record) out.push_back(*r.record);
  }
  return out;
}

TEST(ReportExamples, EveryXmlExampleValidatesAgainstTheReportSchema) {
  xml::Schema schema(test::schemaPath("status-report.xsd"));
  const auto files = examples(".xml");
  ASSERT_GE(files.size(), 2u);
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    EXPECT_THAT(test::violations(schema, ijro::test::readFile(file), file.filename().string()),
                IsEmpty());
  }
}

TEST(ReportExamples, EveryExampleParsesAndPassesValidation) {
  const model::SectorCatalogue sectors;
  auto files = examples(".xml");
  const auto json = examples(".json");
  files.insert(files.end(), json.begin(), json.end());
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    const std::string body = ijro::test::readFile(file);
    const ParsedReport report =
        file.extension() == ".xml" ? parseReportXml(body) : parseReportJson(body);
    EXPECT_FALSE(report.source.empty());
    const auto impls = records(report);
    EXPECT_EQ(impls.size(), report.records.size());
    for (const auto& impl : impls)
      EXPECT_THAT(model::validate(impl, sectors, kAsOf), IsEmpty()) << impl.measure.id;
  }
}

TEST(ReportExamples, XmlAndJsonFormsAgree) {
  const auto files = examples(".json");
  ASSERT_FALSE(files.empty());
  for (const auto& json : files) {
    SCOPED_TRACE(json.string());
    auto xmlPath = json;
    xmlPath.replace_extension(".xml");
    ASSERT_TRUE(fs::exists(xmlPath)) << "every JSON example has its XML form";
    const auto fromJson = parseReportJson(ijro::test::readFile(json));
    const auto fromXml = parseReportXml(ijro::test::readFile(xmlPath));
    EXPECT_EQ(fromJson.source, fromXml.source);
    EXPECT_EQ(fromJson.generatedAt, fromXml.generatedAt);
    EXPECT_EQ(records(fromJson), records(fromXml));
  }
}

std::map<std::string, model::ExecutionStatus> statuses(const char* file) {
  const auto report =
      parseReportXml(ijro::test::readFile(ijro::test::sourceDir() / "examples" / file));
  std::map<std::string, model::ExecutionStatus> out;
  for (const auto& impl : records(report))
    out[impl.measure.id + "@" + impl.region] = model::evaluate(impl, kAsOf).status;
  return out;
}

TEST(ReportExamples, GiveAMixOfStatusesAsOfTheirDate) {
  using S = model::ExecutionStatus;
  EXPECT_EQ(statuses("report-tashkent.xml"),
            (std::map<std::string, S>{{"DU2030-2.4.3@1726", S::OnTrack},
                                      {"DU2030-3.1.7@1726", S::DoneOnTime},
                                      {"DU2030-4.2.1@1726", S::DoneLate},
                                      {"DU2030-5.1.2@1726", S::Overdue},
                                      {"DU2030-6.3.4@1726", S::AtRisk}}));
  EXPECT_EQ(statuses("report-andijan.xml"),
            (std::map<std::string, S>{{"DU2030-3.1.7@1703", S::AtRisk},
                                      {"DU2030-2.4.3@1703202", S::DoneOnTime},
                                      {"DU2030-4.2.1@1703", S::Overdue},
                                      {"DU2030-2.5.1@1703", S::Cancelled}}));
}

TEST(ReportExamples, FeedOfAllExamplesValidates) {
  std::vector<model::Implementation> all;
  for (const auto& file : examples(".xml")) {
    auto impls = records(parseReportXml(ijro::test::readFile(file)));
    all.insert(all.end(), impls.begin(), impls.end());
  }
  ASSERT_THAT(all, SizeIs(12));
  const std::string feed =
      writeFeed({"ministry", "2026-11-28T10:00:00Z", kAsOf}, {}, [&](const auto& sink) {
        for (const auto& impl : all) sink(impl);
      });
  xml::Schema schema(test::schemaPath("monitoring-feed.xsd"));
  EXPECT_THAT(test::violations(schema, feed, "feed"), IsEmpty());
}

// Together the examples show every situation of execution control, as real departments write
// them: in Uzbek (Latin and Cyrillic script) and Russian.
TEST(ReportExamples, ShowEveryExecutionControlSituationInThreeLanguages) {
  std::vector<model::Implementation> all;
  for (const auto& file : examples(".xml")) {
    auto impls = records(parseReportXml(ijro::test::readFile(file)));
    all.insert(all.end(), impls.begin(), impls.end());
  }
  auto last = [](const model::Assignment& a) -> std::optional<model::ControlStatus> {
    if (a.controlEvents.empty()) return std::nullopt;
    return a.controlEvents.back().state;
  };
  auto returnedAfterSubmission = [](const std::vector<model::ControlEvent>& events) {
    for (std::size_t i = 1; i < events.size(); ++i)
      if (events[i - 1].state == model::ControlStatus::Submitted &&
          events[i].state == model::ControlStatus::Returned && !events[i].reason.empty())
        return true;
    return false;
  };
  std::size_t overdueDelegated = 0, returned = 0, rejected = 0, lateApproval = 0, verified = 0;
  std::set<std::string> languages;
  auto countChanges = [&](const std::vector<model::DeadlineChange>& changes) {
    for (const auto& c : changes) {
      if (c.decision == model::Decision::Rejected && !c.decidedBy.empty() && c.decidedOn)
        ++rejected;
      if (c.decision == model::Decision::Approved && c.decidedOn && *c.decidedOn > c.previous)
        ++lateApproval;
    }
  };
  for (const auto& impl : all) {
    countChanges(impl.deadlineChanges);
    for (const auto& t : impl.measure.titles) languages.insert(t.lang);
    for (const auto& c : impl.comments) languages.insert(c.lang);
    for (const auto& a : impl.assignments) {
      countChanges(a.deadlineChanges);
      // The deadline in force: moved only by approvals dated on or before the deadline extended.
      model::Date due = a.deadline;
      for (const auto& c : a.deadlineChanges)
        if (c.approved() && c.decidedOn && *c.decidedOn <= c.previous) due = c.deadline;
      if (!a.parentId.empty() && !a.completed && due < kAsOf &&
          last(a) != model::ControlStatus::Verified)
        ++overdueDelegated;
      if (returnedAfterSubmission(a.controlEvents)) ++returned;
      if (last(a) == model::ControlStatus::Verified) ++verified;
      for (const auto& c : a.comments) languages.insert(c.lang);
    }
  }
  EXPECT_GE(overdueDelegated, 1u);
  EXPECT_GE(returned, 1u);
  EXPECT_GE(rejected, 1u);
  EXPECT_GE(lateApproval, 1u);
  EXPECT_GE(verified, 1u);
  for (const char* lang : {"uz-Latn", "uz-Cyrl", "ru"}) EXPECT_TRUE(languages.count(lang)) << lang;
}

}  // namespace
}  // namespace ijro::exchange
