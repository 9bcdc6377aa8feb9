#include "hub/export/csv.hpp"

#include <gtest/gtest.h>

#include "tables/csv.hpp"
#include "tests/unit/export/sample.hpp"

namespace ijro::exports {
namespace {

using test::day;

Table small() {
  Table t;
  t.columns = {{"column.title", "Title", ColumnType::Text},
               {"column.deadline", "Deadline, in force", ColumnType::Date},
               {"column.delayDays", "Delay", ColumnType::Integer},
               {"column.progress", "Progress", ColumnType::Percent},
               {"column.earlyWarning", "Warning", ColumnType::Boolean}};
  t.rows.push_back(
      {{std::string("Schools, \"new\"\nand old"), day(2026, 3, 31), std::int64_t{-3}, 0.25, true}});
  t.rows.push_back({{Cell{}, Cell{}, std::int64_t{0}, Cell{}, false}});
  return t;
}

TEST(ExportCsv, StartsWithAByteOrderMarkAndEndsLinesWithCrlf) {
  const auto csv = toCsv(small());
  ASSERT_GE(csv.size(), 3u);
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_EQ(csv.substr(3, csv.find("\r\n") - 3),
            "Title,\"Deadline, in force\",Delay,Progress,Warning");
  EXPECT_TRUE(csv.ends_with(",0,,false\r\n")) << csv;
  // Every line end outside a quoted field is CRLF; the field's own LF stays inside quotes.
  EXPECT_NE(csv.find("\"Schools, \"\"new\"\"\nand old\",2026-03-31,-3,0.25,true\r\n"),
            std::string::npos)
      << csv;
}

TEST(ExportCsv, ParsesBackToTheSameRows) {
  const auto rows = tables::parseCsv(toCsv(small()), ',');
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields[1], "Deadline, in force");
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"Schools, \"new\"\nand old", "2026-03-31",
                                                      "-3", "0.25", "true"}));
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"", "", "0", "", "false"}));
}

TEST(ExportCsv, QuotesOnlyFieldsThatNeedIt) {
  EXPECT_EQ(csvField("plain text"), "plain text");
  EXPECT_EQ(csvField("a,b"), "\"a,b\"");
  EXPECT_EQ(csvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csvField("line\r\nbreak"), "\"line\r\nbreak\"");
  EXPECT_EQ(csvField("Муддати ўтган"), "Муддати ўтган");
}

TEST(ExportCsv, TextThatLooksLikeAFormulaIsNeverOneInASpreadsheet) {
  EXPECT_EQ(csvField("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(csvField("+1"), "'+1");
  EXPECT_EQ(csvField("-1"), "'-1");
  EXPECT_EQ(csvField("@SUM(A1)"), "'@SUM(A1)");
  // Numbers are written as numbers, a negative one without the guard.
  Table t;
  t.columns = {{"k", "N", ColumnType::Integer}};
  t.rows.push_back({{std::int64_t{-4}}});
  EXPECT_TRUE(toCsv(t).ends_with("\r\n-4\r\n"));
}

}  // namespace
}  // namespace ijro::exports
