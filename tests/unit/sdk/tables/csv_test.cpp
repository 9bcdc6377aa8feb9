// The SDK's CSV reader (sdk/tables/csv.hpp): RFC 4180, the byte order mark, delimiters, and
// errors that name the line and column.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <tables/csv.hpp>

namespace ijro::tables {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string problemOf(std::string_view text, char delimiter = ',') {
  try {
    parseCsv(text, delimiter);
  } catch (const TableError& p) {
    return p.what();
  }
  return "";
}

TEST(Csv, SplitsFieldsAndRecordsWithCrlfOrLf) {
  auto rows = parseCsv("a,b,c\r\n1,2,3\n4,5,6", ',');
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0].fields, ElementsAre("a", "b", "c"));
  EXPECT_THAT(rows[1].fields, ElementsAre("1", "2", "3"));
  EXPECT_THAT(rows[2].fields, ElementsAre("4", "5", "6"));
  EXPECT_EQ(rows[2].line, 3u);
}

TEST(Csv, QuotedFieldsHoldDelimitersQuotesAndLineBreaks) {
  auto rows =
      parseCsv("id,text\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\r\nlines\"\n4,\"\"\n", ',');
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[1].fields[1], "a, b");
  EXPECT_EQ(rows[2].fields[1], "say \"hi\"");
  EXPECT_EQ(rows[3].fields[1], "two\nlines");
  EXPECT_EQ(rows[4].fields[1], "");
  EXPECT_EQ(rows[4].line, 6u);  // the line break inside quotes counts
}

TEST(Csv, SkipsTheByteOrderMarkAndBlankLines) {
  auto rows = parseCsv("\xEF\xBB\xBFid;name\n\n;\n1;x\n\n", ';');
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0].fields, ElementsAre("id", "name"));
  EXPECT_THAT(rows[1].fields, ElementsAre("1", "x"));
}

TEST(Csv, KeepsEmptyFieldsAndALoneQuoteInsideAnUnquotedField) {
  auto rows = parseCsv("a,b,c\n,5\" pipe,\n", ',');
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[1].fields, ElementsAre("", "5\" pipe", ""));
}

TEST(Csv, RefusesWhatIsNotCsvNamingTheLineAndColumn) {
  EXPECT_THAT(problemOf("a,b\n1,\"open\n2,3\n"),
              HasSubstr("line 2, column 2: a quoted field opens here"));
  EXPECT_THAT(problemOf("a,b,c\n1,2,\"x\"y\n"),
              HasSubstr("line 2, column 3: text follows the closing quote"));
  EXPECT_THAT(problemOf("a;b\n\"x\"y;2\n", ';'),
              HasSubstr("line 2, column 1: text follows the closing quote"));
  EXPECT_THAT(problemOf("a,b\n1,\xC0\xAF\n"),
              HasSubstr("line 2: byte 7 of the file is not valid UTF-8"));
  EXPECT_THAT(problemOf("\xFF\xFE"
                        "a\0,\0b\0"),
              HasSubstr("UTF-16"));
  EXPECT_THAT(problemOf("PK\x03\x04rest"), HasSubstr("spreadsheet workbook"));
}

TEST(Csv, DelimiterOption) {
  EXPECT_EQ(csvDelimiter(","), ',');
  EXPECT_EQ(csvDelimiter(";"), ';');
  EXPECT_EQ(csvDelimiter("tab"), '\t');
  EXPECT_THROW(csvDelimiter(";;"), std::invalid_argument);
  EXPECT_THROW(csvDelimiter("\""), std::invalid_argument);
}

std::string recordsProblemOf(std::string_view text, const std::vector<std::string>& required) {
  try {
    parseCsvRecords(text, ',', required);
  } catch (const TableError& p) {
    return p.what();
  }
  return "";
}

TEST(CsvRecords, FieldsAreFoundByTheirHeaderNameWithTheLineEachRecordStartsOn) {
  const auto records = parseCsvRecords(" id ,name,note\n1,Andijon,\"two\nlines\"\n\n2,Buxoro,\n",
                                       ',', {"id", "name"});
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["id"], "1");
  EXPECT_EQ(records[0]["note"], "two\nlines");
  EXPECT_EQ(records[0].line, 2u);
  EXPECT_EQ(records[1]["name"], "Buxoro");
  EXPECT_EQ(records[1]["note"], "");
  EXPECT_EQ(records[1].line, 5u);
  EXPECT_THROW((void)records[1]["missing"], std::out_of_range);
}

TEST(CsvRecords, AMissingOrDoubledColumnOrAShortRecordIsRefusedNamingTheLine) {
  EXPECT_THAT(recordsProblemOf("id,title\n1,x\n", {"id", "deadline"}),
              HasSubstr("line 1: the header has no column \"deadline\" (it has: id, title)"));
  EXPECT_THAT(recordsProblemOf("id,id\n1,2\n", {}),
              HasSubstr("line 1, column 2: the header names column \"id\" twice"));
  EXPECT_THAT(recordsProblemOf("id,title\n1,x\n2\n", {}),
              HasSubstr("line 3: the record has 1 fields, the header 2"));
  EXPECT_THAT(recordsProblemOf("", {}), HasSubstr("the file is empty"));
  EXPECT_EQ(recordsProblemOf("id\n", {"id"}), "");
}

}  // namespace
}  // namespace ijro::tables
