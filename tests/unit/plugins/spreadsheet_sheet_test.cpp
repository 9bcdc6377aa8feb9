// A tracking sheet's rows as records (plugins/spreadsheet/tracking_sheet.hpp): the header row
// found below a title, every field of a row, and each way a row or a sheet is refused, with the
// sheet, row and column named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>

#include "tracking_sheet.hpp"

namespace ijro::spreadsheet {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

SheetSettings settings() {
  SheetSettings s;
  s.region = "1703";
  s.sector = "education";
  s.actType = "decree";
  s.actNumber = "UP-6079";
  s.actDate = "2020-10-05";
  s.measurePrefix = "AND-";
  s.start = "2026-01-01";
  return s;
}

tables::Cell text(std::uint32_t col, std::string t) {
  tables::Cell c;
  c.column = col;
  c.text = std::move(t);
  return c;
}
tables::Cell number(std::uint32_t col, double v, bool date = false) {
  tables::Cell c;
  c.column = col;
  c.kind = tables::CellKind::Number;
  c.number = v;
  std::ostringstream written;  // as a workbook writes it: "1", "46387"
  written << v;
  c.text = written.str();
  c.date = date;
  return c;
}

std::string problemOf(const TrackingSheet& s, const Table& t) {
  try {
    s.records(t, 1);
  } catch (const tables::TableError& e) {
    return std::string(e.what()) + " | " + e.fix();
  }
  return "";
}

// Reja, with a title in row 1 and the header in row 3.
Table plan() {
  Table t;
  t.name = "Reja";
  t.rows = {
      {1, {text(1, "2026 yil uchun nazorat jadvali")}},
      {3,
       {text(1, "T/r"), text(2, "Tadbir nomi"), text(3, "Mas'ul ijrochi"), text(4, "Muddati"),
        text(5, "Holati"), text(6, "Bajarilish foizi"), text(7, "Izoh"), text(8, "Budget")}},
      {4,
       {number(1, 1), text(2, "Maktablarni ta'mirlash"), text(3, "Xalq ta'limi boshqarmasi"),
        number(4, 46387, true), text(5, "Jarayonda"), text(6, "40%"), text(7, "Birinchi bosqich"),
        number(8, 1e6)}},
      {5,
       {text(1, "2"), text(2, "Yo'llar"), text(3, "Yo'l boshqarmasi"), text(4, "30.06.2027"),
        number(6, 0)}},
      {6, {text(8, "a note under the table, outside the columns read")}},
  };
  return t;
}

TEST(SpreadsheetSheet, FindsTheHeaderBelowATitleAndReadsEveryField) {
  HeaderNames names("", "");
  TrackingSheet sheet(settings(), names);
  const Table t = plan();
  EXPECT_EQ(sheet.headerRow(t), 3u);
  auto out = sheet.records(t, 1700000000);
  EXPECT_THAT(out.rejected, IsEmpty());
  ASSERT_THAT(out.records, SizeIs(2));
  auto r = boost::json::parse(out.records[0]).as_object();
  EXPECT_EQ(r.at("revision").as_int64(), 1700000000);
  EXPECT_EQ(r.at("measure").at("id").as_string(), "AND-1");
  EXPECT_EQ(r.at("measure").at("title").as_string(), "Maktablarni ta'mirlash");
  EXPECT_EQ(r.at("measure").at("act").at("number").as_string(), "UP-6079");
  EXPECT_EQ(r.at("region").as_string(), "1703");
  EXPECT_EQ(r.at("sector").as_string(), "education");
  EXPECT_EQ(r.at("organisation").as_string(), "Xalq ta'limi boshqarmasi");
  EXPECT_EQ(r.at("deadline").as_string(), "2026-12-31");
  EXPECT_EQ(r.at("start").as_string(), "2026-01-01");
  EXPECT_EQ(r.at("lifecycle").as_string(), "inProgress");
  EXPECT_EQ(r.at("note").as_string(), "Birinchi bosqich");
  const auto& period = r.at("indicators").at(0).at("periods").at(0);
  EXPECT_EQ(r.at("indicators").at(0).at("code").as_string(), "PROGRESS");
  EXPECT_EQ(period.at("target").to_number<double>(), 100.0);
  EXPECT_EQ(period.at("actual").to_number<double>(), 40.0);
  // No status: from the percent done (0: planned); a date as dd.mm.yyyy text.
  auto second = boost::json::parse(out.records[1]).as_object();
  EXPECT_EQ(second.at("measure").at("id").as_string(), "AND-2");
  EXPECT_EQ(second.at("deadline").as_string(), "2027-06-30");
  EXPECT_EQ(second.at("lifecycle").as_string(), "planned");
}

TEST(SpreadsheetSheet, DateCellsInThe1904SystemAndTextDates) {
  EXPECT_EQ(textDate("31.12.2026"), "2026-12-31");
  EXPECT_EQ(textDate("1.2.2026 0:00"), "2026-02-01");
  EXPECT_EQ(textDate("2026-12-31T00:00:00"), "2026-12-31");
  EXPECT_EQ(textDate("31.02.2026"), std::nullopt);
  EXPECT_EQ(textDate("2026/12/31"), std::nullopt);
  EXPECT_EQ(textDate("tomorrow"), std::nullopt);

  HeaderNames names("", "");
  TrackingSheet sheet(settings(), names);
  Table t;
  t.name = "Mac";
  t.date1904 = true;
  t.rows = {{1, {text(1, "No"), text(2, "Title"), text(3, "Executor"), text(4, "Deadline")}},
            {2, {text(1, "7"), text(2, "T"), text(3, "O"), number(4, 44925, true)}}};
  auto out = sheet.records(t, 1);
  ASSERT_THAT(out.records, SizeIs(1));
  EXPECT_EQ(boost::json::parse(out.records[0]).at("deadline").as_string(), "2026-12-31");
}

TEST(SpreadsheetSheet, ABadRowIsRejectedNamingSheetRowAndColumnAndTheOthersGoOn) {
  HeaderNames names("", "");
  TrackingSheet sheet(settings(), names);
  Table t;
  t.name = "План";
  t.rows = {
      {1,
       {text(1, "Номер"), text(2, "Наименование"), text(3, "Исполнитель"),
        text(4, "Срок исполнения"), text(5, "Статус"), text(6, "Процент выполнения")}},
      {2, {text(1, "1"), text(2, "A"), text(3, "O"), text(4, "31.12.2026")}},
      {3, {text(1, "2"), text(2, "B"), text(3, "O"), text(4, "до конца года")}},
      {4, {text(1, "3"), text(2, "C"), text(3, "O"), number(4, 46387, false)}},
      {5, {text(1, "4"), text(3, "O"), text(4, "2026-12-31"), text(5, "когда-нибудь")}},
      {6, {text(1, "5"), text(2, "E"), text(3, "O"), text(4, "2026-12-31"), text(6, "140")}},
      {7, {text(1, "6"), text(2, "F"), text(3, "O"), text(4, "2026-12-31"), text(5, "Выполнено")}},
  };
  auto out = sheet.records(t, 1);
  ASSERT_THAT(out.records, SizeIs(1));
  EXPECT_EQ(boost::json::parse(out.records[0]).at("measure").at("id").as_string(), "AND-1");
  ASSERT_THAT(out.rejected, SizeIs(5));
  EXPECT_THAT(out.rejected[0],
              HasSubstr("План!D3 (row 3, column D \"Срок исполнения\"): \"до конца года\" is not "
                        "a date; enter a date cell, or text as dd.mm.yyyy or yyyy-mm-dd"));
  EXPECT_THAT(out.rejected[1], HasSubstr("План!D4 (row 4, column D \"Срок исполнения\")"));
  EXPECT_THAT(out.rejected[2],
              AllOf(HasSubstr("План!B5 (row 5, column B \"Наименование\"): the title is empty"),
                    HasSubstr("План!E5 (row 5, column E \"Статус\"): the status \"когда-нибудь\" "
                              "is not known")));
  EXPECT_THAT(out.rejected[3], HasSubstr("План!F6 (row 6, column F \"Процент выполнения\"): "
                                         "\"140\" is not a percentage from 0 to 100"));
  EXPECT_THAT(out.rejected[4], HasSubstr("План, row 7: the measure is completed but the row has "
                                         "no completion date"));
}

TEST(SpreadsheetSheet, WholeSheetProblemsNameTheCellAndWhatToDo) {
  HeaderNames names("", "");
  TrackingSheet sheet(settings(), names);
  Table merged = plan();
  merged.merged = {{3, 4, 3, 5}};  // D3:E3
  EXPECT_THAT(problemOf(sheet, merged),
              AllOf(HasSubstr("Reja!D3: the header cell is merged (D3:E3)"),
                    HasSubstr("Unmerge the header cells")));
  Table title = plan();
  title.merged = {{1, 1, 1, 8}};  // the title above the header may be merged
  EXPECT_EQ(problemOf(sheet, title), "");

  Table none;
  none.name = "Data";
  none.rows = {{1, {text(1, "A"), text(2, "B")}}};
  EXPECT_THAT(problemOf(sheet, none),
              AllOf(HasSubstr("Data: no header row names the number, title and deadline columns "
                              "in the first 20 rows (the first row holds \"A\", \"B\")"),
                    HasSubstr("option \"headers\"")));

  Table twice;
  twice.name = "Data";
  twice.rows = {{1, {text(1, "No"), text(2, "Title"), text(3, "Deadline"), text(4, "Срок")}}};
  EXPECT_THAT(problemOf(sheet, twice),
              HasSubstr("Data!D1: the header \"Срок\" names the deadline column, and so does C1"));

  SheetSettings noStart = settings();
  noStart.start = "";
  TrackingSheet withoutStart(noStart, names);
  EXPECT_THAT(problemOf(withoutStart, plan()),
              HasSubstr("Reja, row 3: the sheet has no start date column and the option "
                        "\"start\" is not set"));
}

TEST(SpreadsheetSheet, NoPercentIndicatorWhenTheDeadlineIsNotAfterTheStart) {
  HeaderNames names("", "");
  TrackingSheet sheet(settings(), names);  // start 2026-01-01
  Table t;
  t.name = "S";
  t.rows = {{1,
             {text(1, "No"), text(2, "Title"), text(3, "Executor"), text(4, "Deadline"),
              text(5, "Progress")}},
            {2, {text(1, "1"), text(2, "T"), text(3, "O"), text(4, "2026-01-01"), text(5, "50")}},
            {3, {text(1, "2"), text(2, "T"), text(3, "O"), text(4, "2026-01-02"), text(5, "50")}}};
  auto out = sheet.records(t, 1);
  ASSERT_THAT(out.records, SizeIs(2));
  EXPECT_FALSE(boost::json::parse(out.records[0]).as_object().contains("indicators"));
  EXPECT_TRUE(boost::json::parse(out.records[1]).as_object().contains("indicators"));
}

TEST(SpreadsheetSheet, RowsAsTasksOfOneMeasure) {
  HeaderNames names("", "");
  SheetSettings s = settings();
  s.rowsAreTasks = true;
  s.measureId = "DU2030-3.1.7";
  s.measureTitle = "Schools repaired";
  s.organisation = "Andijan khokimiyat";
  s.start = "";
  TrackingSheet sheet(s, names);
  Table t;
  t.name = "Vazifalar";
  t.rows = {
      {1,
       {text(1, "T/r"), text(2, "Vazifa nomi"), text(3, "Ijrochi"), text(4, "Muddat"),
        text(5, "Holati"), text(6, "Bajarilgan sana"), text(7, "Boshlanish sanasi")}},
      {2,
       {text(1, "1.1"), text(2, "Loyiha"), text(3, "Qurilish bo'limi"), text(4, "30.06.2026"),
        text(5, "Bajarildi"), text(6, "20.06.2026"), text(7, "01.02.2026")}},
      {3,
       {text(1, "1.2"), text(2, "Ta'mirlash"), text(4, "31.12.2026"), text(5, "Jarayonda"),
        text(7, "01.03.2026")}},
      {4, {text(1, "1.3"), text(2, "Topshirish"), text(4, "keyinroq"), text(7, "01.03.2026")}},
  };
  t.rows.push_back({5, {text(1, "1.4"), text(2, "Hisobot"), text(4, "31.12.2026")}});
  auto out = sheet.records(t, 5);
  ASSERT_THAT(out.records, SizeIs(1));
  ASSERT_THAT(out.rejected, SizeIs(2));
  EXPECT_THAT(out.rejected[0], HasSubstr("Vazifalar!D4 (row 4, column D \"Muddat\")"));
  EXPECT_THAT(out.rejected[1], HasSubstr("Vazifalar!G5 (row 5, column G \"Boshlanish sanasi\"): "
                                         "the start is empty"));
  auto r = boost::json::parse(out.records[0]).as_object();
  EXPECT_EQ(r.at("measure").at("id").as_string(), "DU2030-3.1.7");
  EXPECT_EQ(r.at("organisation").as_string(), "Andijan khokimiyat");
  EXPECT_EQ(r.at("start").as_string(), "2026-02-01");     // the earliest task's
  EXPECT_EQ(r.at("deadline").as_string(), "2026-12-31");  // the latest task's
  EXPECT_EQ(r.at("lifecycle").as_string(), "inProgress");
  const auto& tasks = r.at("assignments").as_array();
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(tasks[0].at("id").as_string(), "1.1");
  EXPECT_EQ(tasks[0].at("assignee").as_string(), "Qurilish bo'limi");
  EXPECT_EQ(tasks[0].at("completed").as_string(), "2026-06-20");
  EXPECT_EQ(tasks[1].at("assignee").as_string(), "Andijan khokimiyat");  // no executor
  EXPECT_EQ(tasks[1].at("deadline").as_string(), "2026-12-31");
  EXPECT_FALSE(tasks[1].as_object().contains("completed"));
}

TEST(SpreadsheetSheet, CsvTextBecomesATableWithItsDelimiter) {
  EXPECT_EQ(csvDelimiterFor("auto", "a;b;c\n1,5;2;3\n"), ';');
  EXPECT_EQ(csvDelimiterFor("auto", "a,b,\"c;d\"\n"), ',');
  EXPECT_EQ(csvDelimiterFor("auto", "a\tb\n"), '\t');
  EXPECT_EQ(csvDelimiterFor("tab", "a;b\n"), '\t');
  Table t = tableOfCsv("\xEF\xBB\xBFNo;Title;Deadline\n\n1;\"Multi\nline\";31.12.2026\n", ';',
                       "andijan.csv");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[1].number, 3u);
  EXPECT_EQ(t.rows[1].at(2)->text, "Multi\nline");
  EXPECT_EQ(t.cellName(3, 3), "'andijan.csv'!C3");
}

}  // namespace
}  // namespace ijro::spreadsheet
