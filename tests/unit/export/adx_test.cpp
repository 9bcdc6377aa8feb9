// The ADX export: periods, counts and sums on small fixtures, and the example reports' export
// against the schema IHE's normative XSLT makes from the hub's DSD, generated here with xsltproc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "hub/export/adx.hpp"
#include "tests/support/test_support.hpp"
#include "tests/unit/export/export_fixtures.hpp"

namespace ijro::exports {
namespace {

namespace fs = std::filesystem;
using test::day;
using test::select;
using test::violations;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

AdxHeader header(const char* period, const char* asOf) {
  AdxHeader h;
  h.exported = "2026-12-02T10:00:00Z";
  h.asOf = day(asOf);
  h.period = *parseAdxPeriod(period);
  return h;
}

std::string write(const std::vector<model::Implementation>& all, const char* period,
                  const char* asOf, std::size_t* groups = nullptr) {
  return writeAdx(header(period, asOf), {}, test::feed(all), groups);
}

TEST(AdxPeriod, MonthAndYearAreStartAndDuration) {
  auto m = parseAdxPeriod("2026-02");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->text(), "2026-02-01/P1M");
  EXPECT_EQ(model::formatDate(m->lastDay()), "2026-02-28");
  auto y = parseAdxPeriod("2026");
  ASSERT_TRUE(y);
  EXPECT_EQ(y->text(), "2026-01-01/P1Y");
  EXPECT_EQ(model::formatDate(y->lastDay()), "2026-12-31");
  auto dec = parseAdxPeriod("2026-12");
  ASSERT_TRUE(dec);
  EXPECT_EQ(model::formatDate(dec->lastDay()), "2026-12-31");
  for (const char* bad : {"2026-13", "2026-1", "26", "2026-02-01", "", "abcd", "2026/02"})
    EXPECT_FALSE(parseAdxPeriod(bad)) << bad;
}

TEST(AdxExport, CountsImplementationsPerTerritorySectorAndStatus) {
  auto a = test::implementation("M-1", "1703", "Org A");
  auto b = test::implementation("M-2", "1703202", "Org B");  // a district of 1703
  b.lifecycle = model::Lifecycle::Completed;
  b.completed = day("2026-02-10");
  auto c = test::implementation("M-3", "1726", "Org C");
  c.sector = "education";
  auto later = test::implementation("M-4", "1726", "Org D");
  later.start = day("2026-04-01");  // begins after the period
  std::size_t groups = 0;
  const std::string xml = write({a, b, c, later}, "2026-02", "2026-11-28", &groups);
  EXPECT_EQ(groups, 2u);
  EXPECT_THAT(select(xml, "/a:adx/a:group/@orgUnit"), ElementsAre("1703", "1726"));
  EXPECT_THAT(select(xml, "/a:adx/a:group/@period"),
              ElementsAre("2026-02-01/P1M", "2026-02-01/P1M"));
  EXPECT_THAT(select(xml, "//a:group[@orgUnit='1703']/a:dataValue/@status"),
              ElementsAre("doneOnTime", "onTrack"));
  EXPECT_THAT(select(xml,
                     "//a:group[@orgUnit='1726']/a:dataValue"
                     "[@dataElement='IMPLEMENTATIONS']/@value"),
              ElementsAre("1"));
  EXPECT_THAT(select(xml, "//a:group[@orgUnit='1726']/a:dataValue/@sector"),
              ElementsAre("education"));
  EXPECT_THAT(violations(test::adxSchema(), xml), IsEmpty());
}

TEST(AdxExport, StatusIsAsOfThePeriodsLastDayButNeverAfterAsOf) {
  auto impl = test::implementation("M-1", "1703", "Org");
  impl.deadline = day("2026-03-31");
  // March: due on its last day, still open: on track at best; May: overdue.
  EXPECT_THAT(select(write({impl}, "2026-05", "2026-11-28"), "//a:dataValue/@status"),
              ElementsAre("overdue"));
  EXPECT_THAT(select(write({impl}, "2026-02", "2026-11-28"), "//a:dataValue/@status"),
              Not(ElementsAre("overdue")));
  // A year whose last day is after asOf is evaluated as of asOf.
  EXPECT_THAT(select(write({impl}, "2026", "2026-03-01"), "//a:dataValue/@status"),
              Not(ElementsAre("overdue")));
}

TEST(AdxExport, IndicatorValuesSumThePeriodsEndingInThePeriod) {
  auto a = test::implementation("M-1", "1703", "Org A");
  model::Indicator ind;
  ind.code = "HLT-CONSULT";
  ind.unit = "consultations";
  model::IndicatorPeriod jan, feb;
  jan.start = day("2026-01-01");
  jan.end = day("2026-01-31");
  jan.actual = 10;
  feb.start = day("2026-02-01");
  feb.end = day("2026-02-28");
  feb.actual = 20.5;
  feb.target = 25;
  ind.periods = {jan, feb};
  a.indicators.push_back(ind);
  auto b = test::implementation("M-2", "1703", "Org B");
  ind.periods = {feb};
  b.indicators.push_back(ind);
  const std::string xml = write({a, b}, "2026-02", "2026-11-28");
  EXPECT_THAT(select(xml, "//a:dataValue[@dataElement='INDICATOR_ACTUAL']/@value"),
              ElementsAre("41"));
  EXPECT_THAT(select(xml, "//a:dataValue[@dataElement='INDICATOR_TARGET']/@value"),
              ElementsAre("50"));
  EXPECT_THAT(select(xml, "//a:dataValue[@dataElement='INDICATOR_ACTUAL']/@indicator"),
              ElementsAre("HLT-CONSULT"));
  const std::string year = write({a, b}, "2026", "2026-11-28");
  EXPECT_THAT(select(year, "//a:dataValue[@dataElement='INDICATOR_ACTUAL']/@value"),
              ElementsAre("51"));
  EXPECT_THAT(violations(test::adxSchema(), xml), IsEmpty());
}

TEST(AdxExport, ExampleReportsValidateAgainstTheSchemaMadeByIhesXslt) {
  const auto all = test::exampleImplementations();
  for (const char* period : {"2026-03", "2026-11", "2026"}) {
    SCOPED_TRACE(period);
    std::size_t groups = 0;
    const std::string xml = write(all, period, "2026-11-28", &groups);
    EXPECT_GT(groups, 1u);
    EXPECT_THAT(violations(test::adxSchema(), xml), IsEmpty());
  }
}

// The validation can fail: a status outside the DSD's code list, a value that is not a
// number, a period not in start/duration form.
TEST(AdxExport, GeneratedSchemaRefusesValuesOutsideTheDsd) {
  const std::string good = write(test::exampleImplementations(), "2026", "2026-11-28");
  ASSERT_THAT(violations(test::adxSchema(), good), IsEmpty());
  auto broken = [&](const std::string& from, const std::string& to) {
    std::string xml = good;
    const auto at = xml.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) xml.replace(at, from.size(), to);
    return violations(test::adxSchema(), xml);
  };
  EXPECT_THAT(broken("status=\"", "status=\"x"), Contains(HasSubstr("status")));
  EXPECT_THAT(broken("value=\"", "value=\"many"), Contains(HasSubstr("value")));
  EXPECT_THAT(broken("period=\"2026-01-01/P1Y\"", "period=\"2026\""),
              Contains(HasSubstr("period")));
  EXPECT_THAT(broken("dataSet=\"IJRO_MONITORING\"", "dataSet=\"OTHER\""),
              Contains(HasSubstr("dataSet")));
}

}  // namespace
}  // namespace ijro::exports
