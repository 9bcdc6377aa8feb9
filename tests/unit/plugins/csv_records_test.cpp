// The file-drop plugin's column mapping of CSV rows to records, on its own (plugins/file_drop;
// the CSV reader under it is the SDK's, tests/unit/sdk/tables/csv_test.cpp).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "csv_records.hpp"
#include "problem.hpp"

namespace ijro::file_drop {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

boost::json::object recordOf(const CsvMapping& m, std::string_view text, std::size_t i = 0) {
  auto records = m.records(text, 1700000000);
  return boost::json::parse(records.at(i)).as_object();
}

TEST(CsvMapping, CanonicalColumnsBecomeTheJsonForm) {
  CsvSettings s;
  s.dateFormat = "YYYY-MM-DD";
  CsvMapping m(s);
  auto r = recordOf(m,
                    "measure_id,title,act_type,act_number,act_date,region,organisation,sector,"
                    "revision,lifecycle,start,deadline,completed,indicator_code,indicator_name,"
                    "target,actual,period_start,period_end\n"
                    "M-1,Title,decree,UP-1,2020-10-05,1726,Org,health,3,In progress,2026-01-01,"
                    "2026-12-31,,IND,Things,\"1,5\",2.5e1,2026-01-01,2026-06-30\n");
  EXPECT_EQ(r.at("revision").as_int64(), 3);
  EXPECT_EQ(r.at("measure").at("id").as_string(), "M-1");
  EXPECT_EQ(r.at("measure").at("act").at("number").as_string(), "UP-1");
  EXPECT_EQ(r.at("lifecycle").as_string(), "inProgress");
  EXPECT_FALSE(r.contains("completed"));  // empty cell: absent
  const auto& period = r.at("indicators").at(0).at("periods").at(0);
  EXPECT_EQ(period.at("target").as_double(), 1.5);  // decimal comma
  EXPECT_EQ(period.at("actual").as_double(), 25.0);
}

TEST(CsvMapping, ColumnsDefaultsDatesAndLifecycleWords) {
  CsvSettings s;
  s.columns =
      "measure_id=Measure ID;title=Title;region=Region;organisation=Executor;"
      "lifecycle=Status;start=Start;deadline=Deadline";
  s.defaults = "sector=education;act_type=decree;act_number=UP-6079;act_date=05.10.2020";
  s.dateFormat = "DD.MM.YYYY";
  s.lifecycleValues = "inProgress=Jarayonda;completed=Bajarildi|Done";
  CsvMapping m(s);
  auto r = recordOf(m,
                    "Measure ID,title,REGION, Executor ,Status,Start,Deadline\n"
                    "M-2,T,1703,Org,bajarildi,1.2.2026,31.12.2026 0:00\n");
  EXPECT_EQ(r.at("measure").at("act").at("date").as_string(), "2020-10-05");
  EXPECT_EQ(r.at("sector").as_string(), "education");
  EXPECT_EQ(r.at("organisation").as_string(), "Org");
  EXPECT_EQ(r.at("lifecycle").as_string(), "completed");
  EXPECT_EQ(r.at("start").as_string(), "2026-02-01");
  EXPECT_EQ(r.at("deadline").as_string(), "2026-12-31");
  EXPECT_EQ(r.at("revision").as_int64(), 1700000000);  // no revision column: the fallback
}

TEST(CsvMapping, ValuesThatCannotBeConvertedPassAsText) {
  CsvSettings s;
  s.dateFormat = "DD.MM.YYYY";
  s.defaults = "title=T;act_type=d;act_number=n;act_date=01.01.2020;organisation=O;sector=other";
  CsvMapping m(s);
  auto r = recordOf(m,
                    "measure_id,region,revision,lifecycle,start,deadline\n"
                    "M,1726,two,someday,2026-13-45,tomorrow\n");
  EXPECT_EQ(r.at("revision").as_string(), "two");
  EXPECT_EQ(r.at("lifecycle").as_string(), "someday");
  EXPECT_EQ(r.at("start").as_string(), "2026-13-45");
  EXPECT_EQ(r.at("deadline").as_string(), "tomorrow");
}

TEST(CsvMapping, BadOptionsAreRefusedNamingTheFields) {
  CsvSettings s;
  s.dateFormat = "YYYY-MM-DD";
  s.columns = "measure=Measure";
  try {
    CsvMapping m(s);
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("\"measure\" is not a field; the fields are measure_id"));
  }
  s.columns = "region=Organisation";
  EXPECT_THROW(CsvMapping{s}, std::invalid_argument);  // two fields would read one column
  s.columns = "";
  s.dateFormat = "D/M/Y";
  EXPECT_THROW(CsvMapping{s}, std::invalid_argument);
  s.dateFormat = "YYYY-MM-DD";
  s.lifecycleValues = "doing=Jarayonda";
  EXPECT_THROW(CsvMapping{s}, std::invalid_argument);
}

std::string fileProblem(const CsvMapping& m, std::string_view text) {
  try {
    m.records(text, 1);
  } catch (const FileProblem& p) {
    return std::string(p.what()) + " | " + p.fix();
  }
  return "";
}

TEST(CsvMapping, WholeFileProblems) {
  CsvSettings s;
  s.dateFormat = "YYYY-MM-DD";
  s.defaults =
      "title=T;act_type=d;act_number=n;act_date=2020-01-01;sector=other;start=2026-01-01;"
      "deadline=2026-12-31;lifecycle=planned";
  CsvMapping m(s);
  EXPECT_THAT(fileProblem(m, ""), HasSubstr("no header"));
  EXPECT_THAT(
      fileProblem(m, "measure_id,region,organisation,Executor\nM,1726,O,X\n"),
      AllOf(HasSubstr("line 1: column 4 (D) is not mapped"), HasSubstr("option \"columns\"")));
  EXPECT_THAT(fileProblem(m, "measure_id,region\nM,1726\n"),
              HasSubstr("no column for the required field \"organisation\" (organisation)"));
  EXPECT_THAT(fileProblem(m, "measure_id,region,organisation,Region\nM,1,O,2\n"),
              HasSubstr("column 2 (B) and column 4 (D) have the same name"));
  EXPECT_THAT(fileProblem(m, "measure_id,region,organisation\nM,1726,O\nM,1726,O,extra\n"),
              HasSubstr("line 3 has 4 fields, but the header (line 1) has 3"));
  EXPECT_THAT(fileProblem(m, "measure_id,region,organisation,\nM,1726,O,stray\n"),
              HasSubstr("line 2: column 4 (D) has no name in the header but holds a value"));
  // The same unnamed column, empty, is fine (spreadsheets add them).
  EXPECT_EQ(fileProblem(m, "measure_id,region,organisation,\nM,1726,O,\n"), "");

  // Column 28 is AB, as a spreadsheet names it.
  EXPECT_THAT(fileProblem(m, "measure_id,region,organisation" + std::string(24, ',') + ",x\n"),
              HasSubstr("line 1: column 28 (AB) is not mapped"));

  s.ignoreUnknownColumns = true;
  CsvMapping lenient(s);
  EXPECT_EQ(lenient.records("measure_id,region,organisation,Executor\nM,1726,O,X\n", 1).size(), 1u);
}

// A header or a cell is the file's content: a problem names the column by its position and
// never quotes it (a pasted secret, terminal control characters).
TEST(CsvMapping, ProblemsNeverQuoteTheFilesCells) {
  CsvSettings s;
  s.dateFormat = "YYYY-MM-DD";
  CsvMapping m(s);
  const std::string secret = "password=Hunter2-9f8e7d";
  const std::string control = "Col\x1b]0;pwned\x07\x1b[2J";
  for (const std::string& text : {
           "measure_id,region,organisation," + secret + "\nM,1726,O,X\n",
           "measure_id,region,organisation," + control + "\nM,1726,O,X\n",
           "measure_id," + secret + ",organisation," + secret + "\nM,1726,O,X\n",
           "measure_id,region,organisation,\nM,1726,O," + secret + "\n",
       }) {
    const std::string problem = fileProblem(m, text);
    ASSERT_NE(problem, "") << text;
    EXPECT_THAT(problem, ::testing::Not(HasSubstr("Hunter2"))) << problem;
    EXPECT_THAT(problem, ::testing::Not(HasSubstr("pwned"))) << problem;
    EXPECT_EQ(problem.find('\x1b'), std::string::npos) << problem;
    EXPECT_EQ(problem.find('\x07'), std::string::npos) << problem;
  }
}

}  // namespace
}  // namespace ijro::file_drop
