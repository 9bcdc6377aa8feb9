#include "hub/model/validate.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

namespace ijro::model {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

Date date(const char* s) {
  return parseDate(s).value();
}

const Date kToday = date("2026-04-15");

// A valid record exercising every part the rules look at.
Implementation valid() {
  Implementation impl;
  impl.source = "edu";
  impl.measure = {"DU2030-1.2.15",
                  "Connect schools to the electronic diary",
                  {"decree", "UP-6079", date("2020-10-05"), "12"}};
  impl.region = "1703202";
  impl.organisation = "Ministry of Preschool and School Education";
  impl.sector = "education";
  impl.revision = 1;
  impl.lifecycle = Lifecycle::InProgress;
  impl.start = date("2026-01-01");
  impl.deadline = date("2026-06-30");
  impl.deadlineChanges.push_back(DeadlineChange::decided(
      date("2026-06-30"), date("2026-09-30"), "Deputy minister", date("2026-03-01"), "stage 2"));

  Indicator schools{"schools", "schools connected", "schools", true, 900, {}};
  schools.periods.push_back({date("2026-01-01"), date("2026-03-31"), 950, 940});
  schools.periods.push_back({date("2026-04-01"), date("2026-06-30"), 1200, std::nullopt});
  Indicator days{"permit-days", "days to issue", "days", false, 20, {}};
  days.periods.push_back({date("2026-01-01"), date("2026-06-30"), 5, 11});
  impl.indicators = {schools, days};

  impl.evidence.push_back({"https://example.uz/report.pdf", "Q1 report", "application/pdf",
                           date("2026-04-01"), "specialist"});
  impl.evidence.push_back(
      {"urn:uuid:5f0c1a0e-0000-4000-8000-000000000001", "scan", "image/png", kToday, "specialist"});

  Assignment root;
  root.id = "A1";
  root.assignee = "Regional department";
  root.deadline = date("2026-06-01");
  Assignment child = root;
  child.id = "A1.1";
  child.parentId = "A1";
  child.assignee = "Specialist";
  Assignment grandchild = child;
  grandchild.id = "A1.1.1";
  grandchild.parentId = "A1.1";
  impl.assignments = {root, child, grandchild};
  return impl;
}

std::vector<std::string> check(const Implementation& impl) {
  return validate(impl, SectorCatalogue{}, kToday);
}

TEST(ModelValidate, ValidRecordHasNoProblems) {
  EXPECT_THAT(check(valid()), IsEmpty());
}

TEST(ModelValidate, NationalAndRegionCodesAreValid) {
  for (const char* region : {"17", "1703", "1726", "1735401"}) {
    auto impl = valid();
    impl.region = region;
    EXPECT_THAT(check(impl), IsEmpty()) << region;
  }
}

TEST(ModelValidate, CompletedRecordIsValid) {
  auto impl = valid();
  impl.lifecycle = Lifecycle::Completed;
  impl.completed = kToday;
  EXPECT_THAT(check(impl), IsEmpty());
}

TEST(ModelValidate, MeasureIdRequired) {
  auto impl = valid();
  impl.measure.id = "";
  EXPECT_THAT(check(impl), ElementsAre(HasSubstr("measure.id is empty")));
}

TEST(ModelValidate, MeasureIdAtMost64Characters) {
  auto impl = valid();
  impl.measure.id = std::string(64, 'a');
  EXPECT_THAT(check(impl), IsEmpty());
  impl.measure.id = std::string(65, 'a');
  EXPECT_THAT(check(impl), ElementsAre(AllOf(HasSubstr("measure.id is 65 characters long"),
                                             HasSubstr("at most 64"))));
}

TEST(ModelValidate, MeasureIdCharacters) {
  auto impl = valid();
  impl.measure.id = "PP-5132:item/4.1_a";
  EXPECT_THAT(check(impl), IsEmpty());
  for (const char* bad : {"DU 2030", "DU2030#1", "DU2030,1", "чора-1"}) {
    impl.measure.id = bad;
    EXPECT_THAT(check(impl), ElementsAre(AllOf(HasSubstr("measure.id '"), HasSubstr(bad),
                                               HasSubstr("use only letters"))))
        << bad;
  }
}

TEST(ModelValidate, TitleRequired) {
  auto impl = valid();
  impl.measure.title.clear();
  EXPECT_THAT(check(impl), ElementsAre(HasSubstr("measure.title is empty")));
}

TEST(ModelValidate, RegionMustBeKnown) {
  for (const char* bad : {"", "1704", "1704202", "UZ-AN", "18", "17032"}) {
    auto impl = valid();
    impl.region = bad;
    EXPECT_THAT(check(impl), ElementsAre(AllOf(HasSubstr(std::string("region '") + bad + "'"),
                                               HasSubstr("4-digit SOATO region"),
                                               HasSubstr("7-digit"), HasSubstr("\"17\""))))
        << bad;
  }
}

TEST(ModelValidate, OrganisationRequired) {
  auto impl = valid();
  impl.organisation.clear();
  EXPECT_THAT(check(impl), ElementsAre(HasSubstr("organisation is empty")));
}

TEST(ModelValidate, SectorMustBeInTheCatalogue) {
  auto impl = valid();
  impl.sector = "agriculture";
  EXPECT_THAT(check(impl), ElementsAre(AllOf(
                               HasSubstr("sector 'agriculture' is not in the sector catalogue"),
                               HasSubstr("banking, construction, education, health, other, tax"))));
  SectorCatalogue extended;
  extended.add("agriculture");
  EXPECT_THAT(validate(impl, extended, kToday), IsEmpty());
}

TEST(ModelValidate, RevisionAtLeastOne) {
  auto impl = valid();
  impl.revision = 0;
  EXPECT_THAT(check(impl), ElementsAre(HasSubstr("revision 0")));
  impl.revision = -3;
  EXPECT_THAT(check(impl), ElementsAre(HasSubstr("revision -3")));
}

TEST(ModelValidate, StartAfterDeadline) {
  auto impl = valid();
  impl.start = date("2026-05-01");
  impl.deadline = date("2026-03-01");
  impl.indicators.clear();
  impl.deadlineChanges.clear();
  EXPECT_THAT(check(impl), ElementsAre("start 2026-05-01 is after deadline 2026-03-01: the start "
                                       "must be on or before the deadline"));
  impl.start = impl.deadline;
  EXPECT_THAT(check(impl), IsEmpty());
}

TEST(ModelValidate, CompletedInTheFuture) {
  auto impl = valid();
  impl.lifecycle = Lifecycle::Completed;
  impl.completed = date("2026-04-16");
  EXPECT_THAT(check(impl), ElementsAre(AllOf(HasSubstr("completed 2026-04-16 is in the future"),
                                             HasSubstr("today is 2026-04-15"))));
}

TEST(ModelValidate, CompletedBeforeStart) {
  auto impl = valid();
  impl.lifecycle = Lifecycle::Completed;
  impl.completed = date("2025-12-31");
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("completed 2025-12-31 is before start 2026-01-01")));
  impl.completed = impl.start;
  EXPECT_THAT(check(impl), IsEmpty());
}

TEST(ModelValidate, CompletedLifecycleNeedsADate) {
  auto impl = valid();
  impl.lifecycle = Lifecycle::Completed;
  EXPECT_THAT(check(impl), ElementsAre(HasSubstr("lifecycle is completed but no completed date")));
}

TEST(ModelValidate, CompletedDateNeedsCompletedLifecycle) {
  for (auto lc :
       {Lifecycle::Planned, Lifecycle::InProgress, Lifecycle::Cancelled, Lifecycle::Suspended}) {
    auto impl = valid();
    impl.lifecycle = lc;
    impl.completed = date("2026-04-01");
    EXPECT_THAT(check(impl), ElementsAre(AllOf(
                                 HasSubstr("completed 2026-04-01 is given but lifecycle is"),
                                 HasSubstr(toString(lc)), HasSubstr("set lifecycle to completed"))))
        << toString(lc);
  }
}

TEST(ModelValidate, DeadlineChangeBeforeStart) {
  auto impl = valid();
  impl.deadlineChanges.push_back({date("2026-09-30"), date("2025-12-01"), "", std::nullopt, "?"});
  EXPECT_THAT(
      check(impl),
      ElementsAre(HasSubstr("deadlineChanges[1].deadline 2025-12-01 is before start 2026-01-01")));
}

TEST(ModelValidate, IndicatorCodeRequiredAndUnique) {
  auto impl = valid();
  impl.indicators[1].code = "schools";
  impl.indicators[1].ascending = true;
  impl.indicators[1].periods[0].target = 30;
  impl.indicators.push_back(impl.indicators[1]);
  impl.indicators.back().code = "";
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("indicators[1].code 'schools' repeats indicators[0].code"),
                          HasSubstr("indicators[2].code is empty")));
}

TEST(ModelValidate, PeriodStartMustBeBeforeEnd) {
  auto impl = valid();
  impl.indicators[0].periods[1].end = impl.indicators[0].periods[1].start;
  EXPECT_THAT(check(impl),
              ElementsAre(AllOf(HasSubstr("indicators[0] (schools).periods[1]: start 2026-04-01 is "
                                          "not before end 2026-04-01"),
                                HasSubstr("must be before its end"))));
}

TEST(ModelValidate, AscendingTargetBelowBaseline) {
  auto impl = valid();
  impl.indicators[0].periods[1].target = 850.5;
  EXPECT_THAT(check(impl),
              ElementsAre(AllOf(HasSubstr("indicators[0] (schools).periods[1].target 850.5 is "
                                          "below the baseline 900 of an ascending indicator"),
                                HasSubstr("mark the indicator as descending"))));
}

TEST(ModelValidate, DescendingTargetAboveBaseline) {
  auto impl = valid();
  impl.indicators[1].periods[0].target = 25;
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("indicators[1] (permit-days).periods[0].target 25 is above "
                                    "the baseline 20 of a descending indicator")));
  impl.indicators[1].periods[0].target = 20;  // equal to the baseline: allowed
  EXPECT_THAT(check(impl), IsEmpty());
}

TEST(ModelValidate, EvidenceUrl) {
  auto impl = valid();
  impl.evidence[0].url = "HTTP://example.uz/a.pdf";
  EXPECT_THAT(check(impl), IsEmpty());
  impl.evidence[0].url = "";
  impl.evidence[1].url = "ftp://example.uz/a.pdf";
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("evidence[0].url is empty"),
                          HasSubstr("evidence[1].url 'ftp://example.uz/a.pdf' is not an http://")));
  impl.evidence[0].url = "http://";
  impl.evidence[1].url = "urn:";
  EXPECT_THAT(check(impl), IsEmpty());  // prefix only, as the rule says
}

TEST(ModelValidate, EvidenceDateNotInTheFuture) {
  auto impl = valid();
  impl.evidence[1].date = date("2026-04-16");
  EXPECT_THAT(check(impl), ElementsAre(HasSubstr("evidence[1].date 2026-04-16 is in the future")));
}

TEST(ModelValidate, AssignmentIdsRequiredAndUnique) {
  auto impl = valid();
  impl.assignments[2].id = "A1";
  impl.assignments.push_back(impl.assignments[0]);
  impl.assignments.back().id = "";
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("assignments[2].id 'A1' repeats assignments[0].id"),
                          HasSubstr("assignments[3].id is empty")));
}

TEST(ModelValidate, AssignmentParentMustExist) {
  auto impl = valid();
  impl.assignments[2].parentId = "A9";
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("assignments[2].parentId 'A9' does not match any assignment")));
}

TEST(ModelValidate, AssignmentParentMustNotBeItself) {
  auto impl = valid();
  impl.assignments[0].parentId = "A1";
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("assignments[0].parentId 'A1' is the assignment itself")));
}

TEST(ModelValidate, AssignmentCycleReportedOnce) {
  auto impl = valid();
  impl.assignments[0].parentId = "A1.1.1";  // A1 -> A1.1.1 -> A1.1 -> A1
  auto problems = check(impl);
  EXPECT_THAT(problems, ElementsAre(AllOf(HasSubstr("'A1' -> 'A1.1.1' -> 'A1.1' -> 'A1'"),
                                          HasSubstr("form a cycle through parentId"))));
}

TEST(ModelValidate, TwoCyclesAndATailIntoOne) {
  auto impl = valid();
  Assignment a = impl.assignments[0];
  auto make = [&](std::string id, std::string parent) {
    a.id = std::move(id);
    a.parentId = std::move(parent);
    return a;
  };
  impl.assignments = {make("T", "X"), make("X", "Y"), make("Y", "X"),
                      make("P", "Q"), make("Q", "P"), make("R", "")};
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("'X' -> 'Y' -> 'X'"), HasSubstr("'P' -> 'Q' -> 'P'")));
}

TEST(ModelValidate, AssignmentDeadlineRequired) {
  auto impl = valid();
  impl.assignments[1].deadline = Date{};
  EXPECT_THAT(check(impl), ElementsAre(HasSubstr("assignments[1].deadline is not set")));
}

TEST(ModelValidate, ReportsEveryProblem) {
  Implementation impl;  // everything missing
  impl.start = date("2026-02-01");
  impl.deadline = date("2026-01-01");
  auto problems = check(impl);
  EXPECT_THAT(problems, SizeIs(7));  // id, title, region, organisation, sector, revision, dates
  for (const auto& p : problems) EXPECT_THAT(p, HasSubstr(": ")) << p;  // field: how to fix
}

}  // namespace
}  // namespace ijro::model
