// XLSX workbooks (sdk/tables/xlsx.hpp): workbooks built here part by part (shared strings with
// rich text, every cell type, dates in the 1900 and 1904 systems, several sheets, merged cells,
// hostile XML), and the fixtures written by a real spreadsheet program (tests/data/spreadsheet).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include <tables/xlsx.hpp>

#include "tests/support/test_support.hpp"
#include "tests/unit/sdk/tables/zip_builder.hpp"

namespace ijro::tables {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr const char* kRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

struct Book {
  std::vector<std::pair<std::string, std::string>> sheets;  // name, <sheetData> and after
  std::string shared;                                       // <si> elements
  std::string numFmts;                                      // <numFmt> elements
  std::string cellXfs = R"(<xf numFmtId="0"/>)";
  bool date1904 = false;
  std::string doctype;  // put before <sst>
};

std::string build(const Book& b, const std::string& name) {
  std::vector<test::ZipSpec> parts;
  parts.push_back(
      {"_rels/.rels",
       std::string(
           R"(<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type=")") +
           kRel + R"(/officeDocument" Target="xl/workbook.xml"/></Relationships>)"});
  std::string workbook = std::string("<workbook xmlns=\"") + kMain + "\" xmlns:r=\"" + kRel +
                         "\"><workbookPr" + (b.date1904 ? " date1904=\"1\"" : "") + "/><sheets>";
  std::string rels =
      R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)";
  for (std::size_t i = 0; i < b.sheets.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    workbook +=
        "<sheet name=\"" + b.sheets[i].first + "\" sheetId=\"" + n + "\" r:id=\"rId" + n + "\"/>";
    rels += "<Relationship Id=\"rId" + n + "\" Type=\"" + kRel +
            "/worksheet\" Target=\"worksheets/sheet" + n + ".xml\"/>";
    parts.push_back(
        {"xl/worksheets/sheet" + n + ".xml",
         std::string("<worksheet xmlns=\"") + kMain + "\">" + b.sheets[i].second + "</worksheet>"});
  }
  workbook += "</sheets></workbook>";
  rels += std::string("<Relationship Id=\"rS\" Type=\"") + kRel +
          "/sharedStrings\" Target=\"sharedStrings.xml\"/><Relationship Id=\"rT\" Type=\"" + kRel +
          "/styles\" Target=\"/xl/styles.xml\"/></Relationships>";
  parts.push_back({"xl/workbook.xml", workbook});
  parts.push_back({"xl/_rels/workbook.xml.rels", rels});
  parts.push_back({"xl/sharedStrings.xml", "<?xml version=\"1.0\"?>" + b.doctype + "<sst xmlns=\"" +
                                               kMain + "\">" + b.shared + "</sst>"});
  parts.push_back({"xl/styles.xml", std::string("<styleSheet xmlns=\"") + kMain + "\"><numFmts>" +
                                        b.numFmts +
                                        "</numFmts><cellStyleXfs><xf numFmtId=\"14\"/>"
                                        "</cellStyleXfs><cellXfs>" +
                                        b.cellXfs + "</cellXfs></styleSheet>"});
  return test::buildZip(ijro::test::tempDir("xlsx") / name, parts);
}

Workbook open(const Book& b, const std::string& name = "book.xlsx") {
  return Workbook::openMemory(build(b, name), name);
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const TableError& e) {
    return e.what();
  }
  return "";
}

TEST(Xlsx, SharedStringsPlainAndRichTextRuns) {
  Book b;
  b.shared = R"(<si><t>Plain</t></si>)"
             R"(<si><r><rPr><b/></rPr><t xml:space="preserve">Rich </t></r><r><t>text</t></r></si>)"
             R"(<si><t>Муддат</t><rPh sb="0" eb="1"><t>reading aid</t></rPh></si>)"
             R"(<si><t>a &amp; b &#x41;</t></si>)";
  b.sheets = {
      {"Data", R"(<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>
      <c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row></sheetData>)"}};
  auto book = open(b);
  auto sheet = book.sheet(0);
  ASSERT_EQ(sheet.rows.size(), 1u);
  const auto& row = sheet.rows[0];
  ASSERT_EQ(row.cells.size(), 4u);
  EXPECT_EQ(row.cells[0].text, "Plain");
  EXPECT_EQ(row.cells[1].text, "Rich text");
  EXPECT_EQ(row.cells[2].text, "Муддат");
  EXPECT_EQ(row.cells[3].text, "a & b A");
}

TEST(Xlsx, EveryCellTypeAndReferencesLikeAB12) {
  Book b;
  b.shared = "<si><t>shared</t></si>";
  b.sheets = {{"Types", R"(<sheetData>
      <row r="12"><c r="A12" t="s"><v>0</v></c><c r="B12" t="str"><f>A12&amp;"!"</f><v>shared!</v></c>
        <c r="C12" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c>
        <c r="D12"><v>12.5</v></c><c r="E12" t="n"><v>-3E2</v></c><c r="F12" t="b"><v>1</v></c>
        <c r="G12" t="e"><v>#DIV/0!</v></c><c r="AB12" s="0"><v>7</v></c><c r="AC12" s="0"/></row>
      <row><c><v>1</v></c><c><v>2</v></c></row>
    </sheetData>)"}};
  auto sheet = open(b).sheet("Types");
  ASSERT_EQ(sheet.rows.size(), 2u);
  const auto& r = sheet.rows[0];
  EXPECT_EQ(r.number, 12u);
  ASSERT_EQ(r.cells.size(), 8u);  // AC12 has no value
  EXPECT_EQ(r.at(1)->text, "shared");
  EXPECT_EQ(r.at(2)->text, "shared!");
  EXPECT_EQ(r.at(3)->text, "inline");
  EXPECT_EQ(r.at(4)->kind, CellKind::Number);
  EXPECT_EQ(r.at(4)->number, 12.5);
  EXPECT_EQ(r.at(5)->number, -300);
  EXPECT_EQ(r.at(6)->kind, CellKind::Boolean);
  EXPECT_EQ(r.at(6)->text, "TRUE");
  EXPECT_EQ(r.at(7)->kind, CellKind::Error);
  EXPECT_EQ(r.at(7)->text, "#DIV/0!");
  ASSERT_NE(r.at(28), nullptr);
  EXPECT_EQ(r.at(28)->number, 7);
  EXPECT_EQ(r.at(29), nullptr);
  // Rows and cells without references follow the previous ones.
  EXPECT_EQ(sheet.rows[1].number, 13u);
  EXPECT_EQ(sheet.rows[1].cells[1].column, 2u);
  EXPECT_EQ(sheet.cellName(12, 28), "Types!AB12");
}

TEST(Xlsx, CellReferencesAndColumnNames) {
  std::uint32_t row = 0, col = 0;
  ASSERT_TRUE(parseCellRef("AB12", row, col));
  EXPECT_EQ(row, 12u);
  EXPECT_EQ(col, 28u);
  ASSERT_TRUE(parseCellRef("$XFD$1048576", row, col));
  EXPECT_EQ(col, 16384u);
  EXPECT_FALSE(parseCellRef("XFE1", row, col));
  EXPECT_FALSE(parseCellRef("A0", row, col));
  EXPECT_FALSE(parseCellRef("12", row, col));
  EXPECT_FALSE(parseCellRef("A1B", row, col));
  EXPECT_EQ(columnName(1), "A");
  EXPECT_EQ(columnName(26), "Z");
  EXPECT_EQ(columnName(27), "AA");
  EXPECT_EQ(columnName(16384), "XFD");
}

TEST(Xlsx, DateSerialsInThe1900And1904Systems) {
  EXPECT_EQ(dateFromSerial(1, false)->iso(), "1900-01-01");
  EXPECT_EQ(dateFromSerial(59, false)->iso(), "1900-02-28");
  EXPECT_FALSE(dateFromSerial(60, false));  // 1900-02-29 never was
  EXPECT_EQ(dateFromSerial(61, false)->iso(), "1900-03-01");
  EXPECT_EQ(dateFromSerial(46387, false)->iso(), "2026-12-31");
  EXPECT_EQ(dateFromSerial(46387.75, false)->iso(), "2026-12-31");  // the time is dropped
  EXPECT_FALSE(dateFromSerial(0, false));
  EXPECT_EQ(dateFromSerial(0, true)->iso(), "1904-01-01");
  EXPECT_EQ(dateFromSerial(44925, true)->iso(), "2026-12-31");
  EXPECT_FALSE(dateFromSerial(-1, true));
  EXPECT_EQ(dateFromSerial(2958465, false)->iso(), "9999-12-31");
  EXPECT_FALSE(dateFromSerial(2958466, false));
}

TEST(Xlsx, StylesTellWhichNumbersAreDatesInEitherSystem) {
  for (bool date1904 : {false, true}) {
    Book b;
    b.date1904 = date1904;
    b.numFmts = R"(<numFmt numFmtId="164" formatCode="dd\.mm\.yyyy;@"/>)"
                R"(<numFmt numFmtId="165" formatCode="[h]:mm:ss"/>)"
                R"(<numFmt numFmtId="166" formatCode="&quot;day&quot; 0.00"/>)"
                R"(<numFmt numFmtId="167" formatCode="[$-419]mmmm\ yyyy"/>)";
    b.cellXfs =
        R"(<xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"><alignment/></xf>)"
        R"(<xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="167"/><xf numFmtId="20"/>)";
    const std::string serial = date1904 ? "44925" : "46387";
    std::string cells;
    for (int s = 0; s < 7; ++s)
      cells += "<c s=\"" + std::to_string(s) + "\"><v>" + serial + "</v></c>";
    b.sheets = {{"S", "<sheetData><row r=\"1\">" + cells + "</row></sheetData>"}};
    auto book = open(b);
    EXPECT_EQ(book.date1904(), date1904);
    auto sheet = book.sheet(0);
    std::vector<bool> dates;
    for (const auto& c : sheet.rows[0].cells) dates.push_back(c.date);
    EXPECT_THAT(dates, ElementsAre(false, true, true, false, false, true, false));
    EXPECT_EQ(book.date(sheet, 1, sheet.rows[0].cells[1]).iso(), "2026-12-31");
  }
}

TEST(Xlsx, SeveralSheetsByIndexAndName) {
  Book b;
  b.sheets = {
      {"Йўриқнома",
       R"(<sheetData><row r="1"><c t="inlineStr"><is><t>Read me</t></is></c></row></sheetData>)"},
      {"Tracking 2026", R"(<sheetData><row r="2"><c r="B2"><v>5</v></c></row></sheetData>)"}};
  auto book = open(b);
  EXPECT_THAT(book.sheetNames(), ElementsAre("Йўриқнома", "Tracking 2026"));
  EXPECT_EQ(book.sheet(0).rows[0].cells[0].text, "Read me");
  auto second = book.sheet("Tracking 2026");
  EXPECT_EQ(second.rows[0].at(2)->number, 5);
  EXPECT_EQ(second.cellName(2, 2), "'Tracking 2026'!B2");
  EXPECT_THAT(errorOf([&] { book.sheet("Data"); }),
              HasSubstr("has no sheet \"Data\"; its sheets are \"Йўриқнома\", \"Tracking 2026\""));
  EXPECT_THROW(book.sheet(2), std::out_of_range);
}

TEST(Xlsx, MergedCellsAreReported) {
  Book b;
  b.sheets = {{"S", R"(<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>
      <mergeCells count="2"><mergeCell ref="C1:D1"/><mergeCell ref="A5:B7"/></mergeCells>)"}};
  auto sheet = open(b).sheet(0);
  ASSERT_EQ(sheet.merged.size(), 2u);
  EXPECT_EQ(sheet.merged[0].ref(), "C1:D1");
  ASSERT_NE(sheet.mergedAt(1, 4), nullptr);
  EXPECT_EQ(sheet.mergedAt(1, 4)->ref(), "C1:D1");
  EXPECT_EQ(sheet.mergedAt(6, 2)->ref(), "A5:B7");
  EXPECT_EQ(sheet.mergedAt(1, 1), nullptr);
}

TEST(Xlsx, ErrorsNameTheSheetAndTheCell) {
  Book b;
  b.shared = "<si><t>only</t></si>";
  b.sheets = {
      {"Data", R"(<sheetData><row r="7"><c r="C7" t="s"><v>3</v></c></row></sheetData>)"},
      {"Bools", R"(<sheetData><row r="2"><c r="B2" t="b"><v>yes</v></c></row></sheetData>)"},
      {"Refs", R"(<sheetData><row r="4"><c r="B5"><v>1</v></c></row></sheetData>)"},
      {"Nums", R"(<sheetData><row r="1"><c r="A1"><v>1,5</v></c></row></sheetData>)"}};
  auto book = open(b);
  try {
    book.sheet(0);
    FAIL();
  } catch (const XlsxError& e) {
    EXPECT_EQ(e.sheet(), "Data");
    EXPECT_EQ(e.cell(), "C7");
    EXPECT_THAT(e.what(), HasSubstr("Data!C7: the shared string \"3\" does not exist"));
    EXPECT_THAT(e.fix(), HasSubstr("save it again"));
  }
  EXPECT_THAT(errorOf([&] { book.sheet(1); }), HasSubstr("Bools!B2: the boolean \"yes\""));
  EXPECT_THAT(errorOf([&] { book.sheet(2); }),
              HasSubstr("Refs, row 4: the cell reference \"B5\" is not a cell of this row"));
  EXPECT_THAT(errorOf([&] { book.sheet(3); }), HasSubstr("Nums!A1: the number \"1,5\""));
  Sheet s;
  s.name = "Data";
  Cell text;
  text.column = 3;
  text.text = "soon";
  EXPECT_THAT(errorOf([&] { book.date(s, 7, text); }),
              HasSubstr("Data!C7: \"soon\" is not a date"));
}

TEST(Xlsx, RefusesADoctypeAndDeepNestingNamingThePart) {
  Book bomb;
  bomb.doctype = R"(<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>)";
  bomb.shared = "<si><t>&b;</t></si>";
  bomb.sheets = {{"S", "<sheetData/>"}};
  EXPECT_THAT(errorOf([&] { open(bomb); }),
              AllOf(HasSubstr("xl/sharedStrings.xml, line 1: a DOCTYPE declaration"),
                    HasSubstr("refused")));

  Book deep;
  std::string nest;
  for (int i = 0; i < 40; ++i) nest += "<x>";
  for (int i = 0; i < 40; ++i) nest += "</x>";
  deep.sheets = {
      {"S", "<sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row></sheetData>" + nest}};
  auto book = open(deep);
  EXPECT_THAT(errorOf([&] { book.sheet(0); }),
              AllOf(HasSubstr("xl/worksheets/sheet1.xml"), HasSubstr("nested more than 32 deep")));

  Book broken;
  broken.sheets = {{"S", "<sheetData><row></sheetData>"}};
  auto b2 = open(broken);
  EXPECT_THAT(errorOf([&] { b2.sheet(0); }),
              AllOf(HasSubstr("xl/worksheets/sheet1.xml, line 1"), HasSubstr("not well-formed")));
}

TEST(Xlsx, AnArchiveThatIsNoWorkbookIsRefused) {
  auto dir = ijro::test::tempDir("xlsx-none");
  auto bytes = test::buildZip(dir / "odt.xlsx", {{"content.xml", "<office/>"}});
  EXPECT_THAT(errorOf([&] { Workbook::openMemory(bytes, "odt.xlsx"); }),
              HasSubstr("odt.xlsx: not an XLSX workbook"));
}

// The fixtures: written by Gnumeric's ssconvert from the sources beside them (see the README).
std::filesystem::path fixture(const std::string& name) {
  return ijro::test::sourceDir() / "tests/data/spreadsheet" / name;
}

TEST(XlsxFixtures, AWorkbookWrittenByASpreadsheetProgramWithCyrillicHeaders) {
  auto book = Workbook::openFile(fixture("tracking-uz-cyrl.xlsx"));
  ASSERT_EQ(book.sheetNames().size(), 2u);
  EXPECT_FALSE(book.date1904());
  auto sheet = book.sheet(1);
  ASSERT_GE(sheet.rows.size(), 4u);
  EXPECT_EQ(sheet.rows[0].at(1)->text, "НОМЕР");
  EXPECT_EQ(sheet.rows[0].at(3)->text, "ИЖРОЧИ");
  EXPECT_EQ(sheet.rows[0].at(4)->text, "Муддат");
  const Cell* deadline = sheet.rows[1].at(4);
  ASSERT_NE(deadline, nullptr);
  EXPECT_TRUE(deadline->date);
  EXPECT_EQ(book.date(sheet, sheet.rows[1].number, *deadline).iso(), "2026-12-31");
  EXPECT_EQ(sheet.rows[1].at(6)->number, 40);
}

TEST(XlsxFixtures, AMergedHeaderCellIsReported) {
  auto book = Workbook::openFile(fixture("merged-header.xlsx"));
  auto sheet = book.sheet(0);
  ASSERT_EQ(sheet.merged.size(), 1u);
  EXPECT_EQ(sheet.merged[0].ref(), "C1:D1");
}

}  // namespace
}  // namespace ijro::tables
