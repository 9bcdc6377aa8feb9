#include "hub/model/validate.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

namespace ijro::model {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
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
  EXPECT_THAT(
      check(impl),
      ElementsAre(AllOf(HasSubstr("indicators[1].code 'schools' repeats indicators[0].code"),
                        HasSubstr("one indicator per code")),
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

// --- execution control: deadline changes, control events, comments, translations -------------

DeadlineChange asked(const char* previous, const char* to, const char* requestedOn) {
  DeadlineChange c;
  c.previous = date(previous);
  c.deadline = date(to);
  c.requestedBy = "Specialist";
  c.requestedOn = date(requestedOn);
  c.reason = "contractor delay";
  return c;
}

DeadlineChange decided(DeadlineChange c, Decision d, const char* on) {
  c.decision = d;
  c.decidedBy = "Head of department";
  c.decidedOn = date(on);
  return c;
}

ControlEvent event(ControlStatus state, const char* on) {
  ControlEvent e;
  e.state = state;
  e.by = "controller";
  e.on = date(on);
  return e;
}

// A valid record carrying every journal: events, comments, translations, decided changes.
Implementation withJournals() {
  auto impl = valid();
  impl.measure.titles = {{"uz-Latn", "Maktablarni elektron kundalikka ulash"},
                         {"ru", "Подключить школы к электронному дневнику"}};
  auto& task = impl.assignments[1];  // A1.1, due 2026-06-01
  task.titles = {{"uz-Cyrl", "Мактабларни улаш"}};
  task.deadlineChanges = {
      decided(asked("2026-06-01", "2026-07-01", "2026-03-01"), Decision::Rejected, "2026-03-05"),
      decided(asked("2026-06-01", "2026-06-20", "2026-03-10"), Decision::Approved, "2026-03-12"),
      asked("2026-06-20", "2026-08-01", "2026-04-01")};
  ControlEvent submitted = event(ControlStatus::Submitted, "2026-04-02");
  submitted.by = "Specialist";
  submitted.completed = date("2026-04-01");
  ControlEvent returned = event(ControlStatus::Returned, "2026-04-03");
  returned.reason = "act of acceptance unsigned";
  task.controlEvents = {submitted, returned};
  task.comments = {{"Controller", "2026-04-03T09:00:00Z", "uz-Latn", "Dalolatnoma imzolanmagan"}};
  impl.comments = {{"Analyst", "2026-04-10T12:30:00Z", "en", "Two schools still offline"}};
  impl.controlEvents = {submitted};
  return impl;
}

TEST(ModelValidate, RecordWithJournalsIsValid) {
  EXPECT_THAT(check(withJournals()), IsEmpty());
}

TEST(ModelValidate, DeadlineChainMustLink) {
  auto impl = valid();
  // 2026-06-30 -> 2026-09-30 moved D; a second change still naming 2026-06-30 does not link.
  impl.deadlineChanges.push_back(
      decided(asked("2026-06-30", "2026-10-31", "2026-03-02"), Decision::Approved, "2026-03-03"));
  EXPECT_THAT(check(impl),
              ElementsAre(AllOf(HasSubstr("deadlineChanges[1].previous 2026-06-30 is not the "
                                          "deadline in force 2026-09-30"),
                                HasSubstr("set previous to 2026-09-30"))));
}

TEST(ModelValidate, DeadlineChainOfATaskMustLink) {
  auto impl = withJournals();
  impl.assignments[1].deadlineChanges[2].previous = date("2026-06-01");  // 06-20 is in force
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("assignments[1].deadlineChanges[2].previous 2026-06-01 is "
                                    "not the deadline in force 2026-06-20")));
}

TEST(ModelValidate, ChainGoesOnFromTheDeadlineInForceAfterALateApproval) {
  auto impl = valid();
  auto& task = impl.assignments[0];
  task.deadline = date("2026-03-01");
  // Approved on 2026-03-10, after the 2026-03-01 in force: late, D stays 2026-03-01.
  task.deadlineChanges = {
      decided(asked("2026-03-01", "2026-04-01", "2026-02-20"), Decision::Approved, "2026-03-10"),
      asked("2026-04-01", "2026-05-01", "2026-03-20")};
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("assignments[0].deadlineChanges[1].previous 2026-04-01 is "
                                    "not the deadline in force 2026-03-01")));
  task.deadlineChanges[1].previous = date("2026-03-01");
  EXPECT_THAT(check(impl), IsEmpty());
}

TEST(ModelValidate, DecisionNeedsWhoDecided) {
  auto impl = withJournals();
  impl.assignments[1].deadlineChanges[1].decidedBy.clear();
  EXPECT_THAT(check(impl),
              ElementsAre(AllOf(HasSubstr("assignments[1].deadlineChanges[1].decidedBy is empty "
                                          "but the change is approved"),
                                HasSubstr("a decision names who took it"))));
}

TEST(ModelValidate, DecisionNeedsItsDate) {
  auto impl = withJournals();
  impl.assignments[1].deadlineChanges[0].decidedOn.reset();  // rejected
  EXPECT_THAT(check(impl), ElementsAre(HasSubstr("assignments[1].deadlineChanges[0].decidedOn is "
                                                 "missing but the change is rejected")));
  impl = withJournals();
  impl.assignments[1].deadlineChanges[1].decidedOn.reset();  // approved, with requestedBy
  EXPECT_THAT(check(impl), ElementsAre(HasSubstr("assignments[1].deadlineChanges[1].decidedOn is "
                                                 "missing but the change is approved")));
}

TEST(ModelValidate, UndatedApprovalOfOldReportsStaysValid) {
  auto impl = valid();
  impl.deadlineChanges = {DeadlineChange::decided(date("2026-06-30"), date("2026-09-30"),
                                                  "Deputy minister", std::nullopt, "stage 2")};
  EXPECT_THAT(check(impl), IsEmpty());
}

TEST(ModelValidate, DecisionNotBeforeTheRequest) {
  auto impl = withJournals();
  impl.assignments[1].deadlineChanges[1].decidedOn = date("2026-03-09");  // asked 2026-03-10
  EXPECT_THAT(check(impl),
              ElementsAre(AllOf(HasSubstr("assignments[1].deadlineChanges[1].decidedOn 2026-03-09 "
                                          "is before requestedOn 2026-03-10"),
                                HasSubstr("decided on or after it was requested"))));
}

TEST(ModelValidate, DecisionAndRequestNotInTheFuture) {
  auto impl = withJournals();
  impl.assignments[1].deadlineChanges[2].requestedOn = date("2026-04-16");
  impl.assignments[1].deadlineChanges[1].decidedOn = date("2026-04-16");
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("assignments[1].deadlineChanges[1].decidedOn 2026-04-16 is in "
                                    "the future"),
                          HasSubstr("assignments[1].deadlineChanges[2].requestedOn 2026-04-16 is "
                                    "in the future")));
}

TEST(ModelValidate, PendingChangeHasNoDecisionFields) {
  auto impl = withJournals();
  impl.assignments[1].deadlineChanges[2].decidedBy = "Head of department";
  impl.assignments[1].deadlineChanges[2].decidedOn = date("2026-04-02");
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("assignments[1].deadlineChanges[2].decidedBy 'Head of "
                                    "department' is given but the decision is pending"),
                          HasSubstr("assignments[1].deadlineChanges[2].decidedOn 2026-04-02 is "
                                    "given but the decision is pending")));
}

TEST(ModelValidate, ReturnedEventNeedsAReason) {
  auto impl = withJournals();
  impl.assignments[1].controlEvents[1].reason = "  ";
  EXPECT_THAT(check(impl),
              ElementsAre(AllOf(HasSubstr("assignments[1].controlEvents[1].reason is empty on a "
                                          "returned event"),
                                HasSubstr("a returned report says why"))));
}

TEST(ModelValidate, SubmittedEventNeedsTheCompletionDate) {
  auto impl = withJournals();
  impl.controlEvents[0].completed.reset();
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("controlEvents[0].completed is missing on a submitted event")));
  impl = withJournals();
  impl.assignments[1].controlEvents[0].completed = date("2026-04-05");  // submitted 04-02
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("assignments[1].controlEvents[0].completed 2026-04-05 is "
                                    "after the event's on 2026-04-02")));
}

TEST(ModelValidate, OnlySubmittedEventsCarryACompletionDate) {
  auto impl = withJournals();
  impl.assignments[1].controlEvents[1].completed = date("2026-04-01");
  EXPECT_THAT(check(impl), ElementsAre(HasSubstr("assignments[1].controlEvents[1].completed is "
                                                 "given on a returned event")));
}

TEST(ModelValidate, ControlEventNamesWhoAndIsNotInTheFuture) {
  auto impl = withJournals();
  impl.assignments[1].controlEvents[1].by.clear();
  impl.assignments[1].controlEvents[1].on = date("2026-04-16");
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("assignments[1].controlEvents[1].by is empty"),
                          HasSubstr("assignments[1].controlEvents[1].on 2026-04-16 is in the "
                                    "future")));
}

TEST(ModelValidate, CommentNeedsAuthorTimeTextAndLanguage) {
  auto impl = withJournals();
  impl.comments[0] = {"", "", "", ""};
  EXPECT_THAT(
      check(impl),
      ElementsAre(HasSubstr("comments[0].author is empty"), HasSubstr("comments[0].at is empty"),
                  HasSubstr("comments[0].text is empty"), HasSubstr("comments[0].lang is empty")));
}

TEST(ModelValidate, CommentLanguageMustBeATag) {
  for (const char* bad : {"english", "uz_Latn", "u", "uz-", "uz--Latn", "uz-abcdefghi", "ўз"}) {
    auto impl = withJournals();
    impl.assignments[1].comments[0].lang = bad;
    EXPECT_THAT(check(impl),
                ElementsAre(AllOf(HasSubstr("assignments[1].comments[0].lang '" + std::string(bad) +
                                            "' is not a language tag"),
                                  HasSubstr("BCP 47"))))
        << bad;
  }
}

TEST(ModelValidate, TranslationNeedsTagAndTextOncePerLanguage) {
  auto impl = withJournals();
  impl.measure.titles.push_back({"RU", "Дубль"});
  impl.measure.titles.push_back({"kaa", ""});
  impl.assignments[1].titles[0].lang = "Cyrillic";
  EXPECT_THAT(check(impl),
              ElementsAre(HasSubstr("measure.titles[2].lang 'RU' repeats measure.titles[1].lang"),
                          HasSubstr("measure.titles[3].text is empty"),
                          HasSubstr("assignments[1].titles[0].lang 'Cyrillic' is not a language "
                                    "tag")));
}

TEST(ModelValidate, LanguageTagsOfBcp47Shape) {
  for (const char* good : {"uz-Latn", "uz-Cyrl", "ru", "en", "kaa", "UZ-latn", "en-GB", "es-419"})
    EXPECT_TRUE(isLanguageTag(good)) << good;
  for (const char* bad : {"", "e", "english", "uz_Latn", "uz-", "-uz", "uz--Latn", "uz-abcdefghi"})
    EXPECT_FALSE(isLanguageTag(bad)) << bad;
}

// Bounds: numbers an evaluation can sum and divide without overflow, texts an index can hold.
TEST(ModelValidate, IndicatorValuesBeyondTheRangeAreRejectedNamingTheField) {
  auto impl = valid();
  impl.indicators[0].baseline = -1e308;
  impl.indicators[0].periods[0].target = 1e308;
  impl.indicators[0].periods[0].actual = 1e16;
  EXPECT_THAT(check(impl),
              AllOf(Contains(HasSubstr("indicators[0].baseline -1e+308 is outside the range")),
                    Contains(HasSubstr("indicators[0].periods[0].target 1e+308 is outside")),
                    Contains(HasSubstr("indicators[0].periods[0].actual 1e+16 is outside"))));
  impl = valid();
  impl.indicators[0].periods[0].target = kMaxIndicatorMagnitude;
  impl.indicators[0].periods[0].actual = kMaxIndicatorMagnitude;
  EXPECT_THAT(check(impl), IsEmpty()) << "the bound itself is in range";
}

TEST(ModelValidate, ABreakdownValueBeyondTheRangeIsRejectedNamingIt) {
  auto impl = valid();
  Breakdown b;
  b.dimension = "sex";
  b.category = "female";
  b.actual = -2e15;
  impl.indicators[0].periods[0].breakdowns.push_back(b);
  EXPECT_THAT(
      check(impl),
      ElementsAre(HasSubstr("indicators[0].periods[0].breakdowns[0].actual -2e+15 is outside")));
}

TEST(ModelValidate, TextsLongerThanTheirLimitAreRejectedNamingTheFieldAndTheLimit) {
  auto impl = valid();
  impl.organisation = std::string(kMaxOrganisationBytes + 1, 'o');
  impl.measure.title = std::string(kMaxTitleBytes + 1, 't');
  impl.assignments[1].assignee = std::string(kMaxOrganisationBytes + 1, 'a');
  impl.note = std::string(kMaxNoteBytes + 1, 'n');
  impl.measure.act.number = std::string(kMaxCodeBytes + 1, '1');
  EXPECT_THAT(
      check(impl),
      AllOf(SizeIs(5),
            Contains(HasSubstr("organisation is 1001 bytes long: it must be at most 1000 bytes")),
            Contains(HasSubstr("measure.title is 4001 bytes long")),
            Contains(HasSubstr("assignments[1].assignee is 1001 bytes long")),
            Contains(HasSubstr("note is 20001 bytes long")),
            Contains(HasSubstr("measure.act.number is 201 bytes long"))));
  impl = valid();
  impl.organisation = std::string(kMaxOrganisationBytes, 'o');
  impl.measure.title = std::string(kMaxTitleBytes, 't');
  EXPECT_THAT(check(impl), IsEmpty()) << "a text of exactly its limit is accepted";
}

TEST(ModelValidate, LongTranslationsCommentsAndReasonsAreRejectedNamingTheirPath) {
  auto impl = valid();
  impl.measure.titles.push_back({"ru", std::string(kMaxTitleBytes + 1, 'x')});
  impl.assignments[0].comments.push_back(
      {"Specialist", "2026-04-01T10:00:00Z", "en", std::string(kMaxNoteBytes + 1, 'c')});
  impl.deadlineChanges[0].reason = std::string(kMaxNoteBytes + 1, 'r');
  EXPECT_THAT(check(impl),
              AllOf(SizeIs(3), Contains(HasSubstr("measure.titles[0].text is 4001 bytes")),
                    Contains(HasSubstr("assignments[0].comments[0].text is 20001 bytes")),
                    Contains(HasSubstr("deadlineChanges[0].reason is 20001 bytes"))));
}

}  // namespace
}  // namespace ijro::model
