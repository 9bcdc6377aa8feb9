// The IATI 2.03 export: its content on small fixtures, and the example reports' export against
// the official IATI schema kept in schemas/iati-2.03.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hub/export/iati.hpp"
#include "tests/support/test_support.hpp"
#include "tests/unit/export/export_fixtures.hpp"

namespace ijro::exports {
namespace {

using test::day;
using test::select;
using test::violations;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

std::filesystem::path iatiSchema() {
  return ijro::test::sourceDir() / "schemas" / "iati-2.03" / "iati-activities-schema.xsd";
}

IatiHeader header(const char* asOf) {
  IatiHeader h;
  h.reportingOrgRef = "XM-IJRO-MINISTRY";
  h.reportingOrgNames = {{"en", "Ministry of Economy"}, {"uz-Latn", "Iqtisodiyot vazirligi"}};
  h.generatedAt = "2026-12-02T10:00:00Z";
  h.asOf = day(asOf);
  return h;
}

std::string write(const std::vector<model::Implementation>& all, const char* asOf) {
  return writeIati(header(asOf), {}, test::feed(all));
}

TEST(IatiExport, OneActivityPerMeasureIdentifiedByTheReportingPrefix) {
  auto a1 = test::implementation("M-1", "1703", "Health department Andijan");
  auto a2 = test::implementation("M-1", "1714202", "Health department Namangan");
  auto b = test::implementation("M-2", "1726", "Tashkent city");
  const std::string xml = write({a1, b, a2}, "2026-06-01");
  EXPECT_THAT(select(xml, "/iati-activities/@version"), ElementsAre("2.03"));
  EXPECT_THAT(select(xml, "//iati-activity/iati-identifier"),
              ElementsAre("XM-IJRO-MINISTRY-M-1", "XM-IJRO-MINISTRY-M-2"));
  // One location per first-level region, the district counted in its region.
  EXPECT_THAT(select(xml, "//iati-activity[1]/location/@ref"),
              ElementsAre("SOATO-1703", "SOATO-1714"));
  EXPECT_THAT(select(xml, "//iati-activity[1]/participating-org[@role='4']/narrative"),
              ElementsAre("Health department Andijan", "Health department Namangan"));
  EXPECT_THAT(select(xml, "//iati-activity[1]/recipient-country/@code"), ElementsAre("UZ"));
  EXPECT_THAT(violations(iatiSchema(), xml), IsEmpty());
}

TEST(IatiExport, TitleHasANarrativePerLanguage) {
  auto impl = test::implementation("M-1", "1703", "Org");
  impl.measure.title = "Sog'liqni saqlash";
  impl.measure.titles = {{"en", "Health care"},
                         {"ru", "Здравоохранение"},
                         {"uz-Cyrl", "Соғлиқни сақлаш"},
                         {"uz-Latn", "Sog'liqni saqlash"}};
  // The main text's language is not known: it is not claimed, and every translation is written.
  std::string xml = write({impl}, "2026-06-01");
  EXPECT_THAT(select(xml, "//iati-activity/@xml:lang"), IsEmpty());
  EXPECT_THAT(select(xml, "//iati-activity/title/narrative/@xml:lang"),
              ElementsAre("en", "ru", "uz-Cyrl", "uz"));
  // Configured as Uzbek: the activity says so, and the Uzbek translation is not repeated.
  IatiHeader h = header("2026-06-01");
  h.defaultLang = "uz";
  xml = writeIati(h, {}, test::feed({impl}));
  EXPECT_THAT(select(xml, "//iati-activity/@xml:lang"), ElementsAre("uz"));
  EXPECT_THAT(
      select(xml, "//iati-activity/title/narrative"),
      ElementsAre("Sog'liqni saqlash", "Health care", "Здравоохранение", "Соғлиқни сақлаш"));
  EXPECT_THAT(select(xml, "//iati-activity/title/narrative/@xml:lang"),
              ElementsAre("en", "ru", "uz-Cyrl"));
  EXPECT_THAT(violations(iatiSchema(), xml), IsEmpty());
}

TEST(IatiExport, ActivityStatusFollowsTheEvaluations) {
  using S = model::ExecutionStatus;
  EXPECT_EQ(activityStatusCode({S::NotStarted, S::NotStarted}), 1);
  EXPECT_EQ(activityStatusCode({S::OnTrack, S::DoneLate}), 2);
  EXPECT_EQ(activityStatusCode({S::Overdue}), 2);
  EXPECT_EQ(activityStatusCode({S::DoneOnTime, S::DoneLate, S::Cancelled}), 4);
  EXPECT_EQ(activityStatusCode({S::Cancelled, S::Cancelled}), 5);
  EXPECT_EQ(activityStatusCode({S::Suspended, S::Cancelled}), 6);

  auto done = test::implementation("M-1", "1703", "Org");
  done.lifecycle = model::Lifecycle::Completed;
  done.completed = day("2026-05-01");
  EXPECT_THAT(select(write({done}, "2026-06-01"), "//activity-status/@code"), ElementsAre("4"));
  auto open = test::implementation("M-1", "1703", "Org");
  EXPECT_THAT(select(write({open}, "2026-06-01"), "//activity-status/@code"), ElementsAre("2"));
}

TEST(IatiExport, ActualDatesAreLeftOutUntilTheyHavePassed) {
  auto impl = test::implementation("M-1", "1703", "Org");
  impl.start = day("2026-03-01");
  impl.lifecycle = model::Lifecycle::Completed;
  impl.completed = day("2026-06-10");
  // Before the start: planned dates only.
  std::string xml = write({impl}, "2026-02-01");
  EXPECT_THAT(select(xml, "//activity-date/@type"), ElementsAre("1", "3"));
  // Started, completion reported for a later day: actual start, no actual end yet.
  xml = write({impl}, "2026-06-01");
  EXPECT_THAT(select(xml, "//activity-date[@type='2']/@iso-date"), ElementsAre("2026-03-01"));
  EXPECT_THAT(select(xml, "//activity-date[@type='4']/@iso-date"), IsEmpty());
  // After the completion: the actual end.
  xml = write({impl}, "2026-06-20");
  EXPECT_THAT(select(xml, "//activity-date[@type='4']/@iso-date"), ElementsAre("2026-06-10"));
  EXPECT_THAT(select(xml, "//activity-date[@type='3']/@iso-date"), ElementsAre("2026-12-31"));
}

TEST(IatiExport, IndicatorsBecomeResultsWithBaselineAndPeriodsPerTerritory) {
  auto a = test::implementation("M-1", "1703", "Org A");
  model::Indicator ind;
  ind.code = "HLT-CONSULT";
  ind.name = "Consultations";
  ind.unit = "consultations";
  ind.baseline = 100;
  model::IndicatorPeriod p;
  p.start = day("2026-01-01");
  p.end = day("2026-03-31");
  p.target = 150;
  p.actual = 140.5;
  p.breakdowns.push_back({"sex", "female", std::nullopt, 70, std::nullopt, std::nullopt});
  ind.periods.push_back(p);
  a.indicators.push_back(ind);
  auto b = test::implementation("M-1", "1726", "Org B");
  ind.baseline = 50;
  ind.periods.at(0).breakdowns.clear();
  ind.periods.at(0).actual = 60;
  b.indicators.push_back(ind);
  model::Evidence ev;
  ev.url = "/api/v1/evidence/ab12";
  ev.title = "Signed act";
  ev.format = "application/pdf";
  ev.date = day("2026-02-01");
  b.evidence.push_back(ev);
  const std::string xml = write({a, b}, "2026-06-01");
  EXPECT_THAT(select(xml, "//result/indicator/reference/@code"), ElementsAre("HLT-CONSULT"));
  EXPECT_THAT(select(xml, "//indicator/baseline/@value"), ElementsAre("100", "50"));
  EXPECT_THAT(select(xml, "//indicator/baseline/location/@ref"),
              ElementsAre("SOATO-1703", "SOATO-1726"));
  EXPECT_THAT(select(xml, "//indicator/period/actual/@value"), ElementsAre("140.5", "70", "60"));
  EXPECT_THAT(select(xml, "//indicator/period/actual/dimension/@value"), ElementsAre("female"));
  EXPECT_THAT(select(xml, "//indicator/period/target/@value"), ElementsAre("150", "150"));
  EXPECT_THAT(select(xml, "//document-link/@url"), ElementsAre("/api/v1/evidence/ab12"));
  EXPECT_THAT(select(xml, "//document-link/title/narrative"), ElementsAre("Signed act"));
  EXPECT_THAT(violations(iatiSchema(), xml), IsEmpty());
}

TEST(IatiExport, RefusesAHeaderWithoutReportingOrganisation) {
  IatiHeader h = header("2026-06-01");
  h.reportingOrgRef.clear();
  auto impl = test::implementation("M-1", "1703", "Org");
  EXPECT_THROW(writeIati(h, {}, test::feed({impl})), std::invalid_argument);
  h = header("2026-06-01");
  h.reportingOrgNames.clear();
  EXPECT_THROW(writeIati(h, {}, test::feed({impl})), std::invalid_argument);
}

// The example reports, exported as of several dates: valid against the official IATI 2.03
// schema, and no actual date after the date of the export.
TEST(IatiExport, ExampleReportsValidateAgainstTheOfficialSchemaWithNoActualDateAfterAsOf) {
  const auto all = test::exampleImplementations();
  ASSERT_THAT(all, SizeIs(::testing::Gt(5u)));
  for (const char* asOf : {"2025-01-01", "2026-03-15", "2026-11-28", "2027-06-30"}) {
    SCOPED_TRACE(asOf);
    const std::string xml = write(all, asOf);
    EXPECT_THAT(violations(iatiSchema(), xml), IsEmpty());
    EXPECT_THAT(select(xml, "//iati-activity"), SizeIs(::testing::Gt(1u)));
    for (const auto& d : select(xml, "//activity-date[@type='2' or @type='4']/@iso-date"))
      EXPECT_LE(d, std::string(asOf)) << "an actual date after asOf";
  }
  // The examples do reach the actual dates at the last date, so the check above is not empty.
  EXPECT_THAT(select(write(all, "2027-06-30"), "//activity-date[@type='2']"), Not(IsEmpty()));
}

// The validation can fail: the same export with its required reporting-org taken out.
TEST(IatiExport, OfficialSchemaRefusesAnActivityWithoutReportingOrg) {
  std::string xml = write(test::exampleImplementations(), "2026-11-28");
  const auto begin = xml.find("<reporting-org");
  const auto end = xml.find("</reporting-org>", begin);
  ASSERT_NE(end, std::string::npos);
  xml.erase(begin, end + std::string("</reporting-org>").size() - begin);
  EXPECT_THAT(violations(iatiSchema(), xml), Contains(HasSubstr("reporting-org")));
}

}  // namespace
}  // namespace ijro::exports
