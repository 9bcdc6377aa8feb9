#include "hub/export/xlsx.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "hub/export/format.hpp"
#include "tables/xlsx.hpp"
#include "tables/zip.hpp"
#include "tests/support/test_support.hpp"
#include "tests/unit/export/sample.hpp"

namespace ijro::exports {
namespace {

using test::day;

Table measures() {
  MeasuresTable m(i18n::Language::UzCyrl);
  auto impl = test::sample();
  m.add(impl, model::evaluate(impl, day(2026, 4, 10)));  // overdue: red
  impl.measure.id = "M-2";
  impl.region = "1703";
  impl.completed = day(2026, 3, 1);
  m.add(impl, model::evaluate(impl, day(2026, 4, 10)));  // done on time: green
  return m.take();
}

std::size_t columnOf(const Table& t, std::string_view key) {
  for (std::size_t i = 0; i < t.columns.size(); ++i)
    if (t.columns[i].key == key) return i;
  ADD_FAILURE() << "no column " << key;
  return 0;
}

TEST(ExportXlsx, ReadsBackWithLocalisedSheetHeadersAndTypedCells) {
  const auto t = measures();
  auto book = tables::Workbook::openMemory(xlsxBytes(t), "export");
  ASSERT_EQ(book.sheetNames(), std::vector<std::string>{"Чора-тадбирлар"});
  const auto sheet = book.sheet(0);
  ASSERT_EQ(sheet.rows.size(), 3u);
  const auto& header = sheet.rows[0];
  ASSERT_EQ(header.cells.size(), t.columns.size());
  for (std::size_t c = 0; c < t.columns.size(); ++c)
    EXPECT_EQ(header.cells[c].text, t.columns[c].header);

  const auto& row = sheet.rows[1];
  auto at = [&](std::string_view key) {
    const auto* cell = row.at(static_cast<std::uint32_t>(columnOf(t, key) + 1));
    EXPECT_NE(cell, nullptr) << key;
    return cell ? *cell : tables::Cell{};
  };
  const auto deadline = at("column.deadline");
  EXPECT_EQ(deadline.kind, tables::CellKind::Number);
  EXPECT_TRUE(deadline.date);
  EXPECT_EQ(book.date(sheet, 2, deadline).iso(), "2026-03-31");
  const auto delay = at("column.delayDays");
  EXPECT_EQ(delay.kind, tables::CellKind::Number);
  EXPECT_FALSE(delay.date);
  EXPECT_EQ(delay.number, 10);
  EXPECT_EQ(at("column.earlyWarning").kind, tables::CellKind::Boolean);
  EXPECT_EQ(at("column.status").text, "Муддати ўтган");
  EXPECT_EQ(at("column.rag").text, "Қизил");
  EXPECT_EQ(at("column.measure").text, "DU2030-1.2.15");
  // The second row has no district: its cell is left empty.
  EXPECT_EQ(sheet.rows[2].at(static_cast<std::uint32_t>(columnOf(t, "column.district") + 1)),
            nullptr);
}

TEST(ExportXlsx, HeaderIsFrozenFilteredAndRowsAreFilledInTheirRagColour) {
  const auto t = measures();
  auto zip = tables::ZipArchive::openMemory(xlsxBytes(t), "export");
  const auto sheet = zip.read("xl/worksheets/sheet1.xml");
  EXPECT_NE(sheet.find("state=\"frozen\""), std::string::npos);
  EXPECT_NE(sheet.find("<autoFilter ref=\"A1:"), std::string::npos);
  EXPECT_NE(sheet.find("<col "), std::string::npos);
  const auto styles = zip.read("xl/styles.xml");
  EXPECT_NE(styles.find("FFC7CE"), std::string::npos);  // red row
  EXPECT_NE(styles.find("C6EFCE"), std::string::npos);  // green row
  EXPECT_EQ(styles.find("FFEB9C"), std::string::npos);  // no amber row, no amber fill
  EXPECT_NE(styles.find("yyyy-mm-dd"), std::string::npos);
}

TEST(ExportXlsx, TemporaryFileIsRemovedAfterReadingBack) {
  const auto dir = ijro::test::tempDir("xlsx-temp");
  const auto bytes = xlsxBytes(measures(), dir);
  EXPECT_EQ(bytes.substr(0, 2), "PK");
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

TEST(ExportXlsx, UnwritableFolderIsAClearError) {
  const auto dir = ijro::test::tempDir("xlsx-missing") / "no-such-folder";
  try {
    writeXlsx(measures(), dir / "out.xlsx");
    FAIL() << "writing into a missing folder succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("out.xlsx"), std::string::npos) << e.what();
  }
  EXPECT_THROW(xlsxBytes(measures(), dir), std::runtime_error);
}

TEST(ExportFormat, NamesAndContentTypes) {
  EXPECT_EQ(formatFromString("csv"), Format::Csv);
  EXPECT_EQ(formatFromString("xlsx"), Format::Xlsx);
  EXPECT_FALSE(formatFromString("pdf"));
  EXPECT_EQ(std::string(contentType(Format::Csv)), "text/csv; charset=utf-8");
  EXPECT_TRUE(render(measures(), Format::Csv).starts_with("\xEF\xBB\xBF"));
}

}  // namespace
}  // namespace ijro::exports
