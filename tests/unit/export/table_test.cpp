#include "hub/export/table.hpp"

#include <gtest/gtest.h>

#include "hub/export/labels.hpp"
#include "hub/model/regions.hpp"
#include "hub/model/sectors.hpp"
#include "tests/unit/export/sample.hpp"

namespace ijro::exports {
namespace {

using test::day;
using test::sample;

std::size_t columnOf(const Table& t, std::string_view key) {
  for (std::size_t i = 0; i < t.columns.size(); ++i)
    if (t.columns[i].key == key) return i;
  ADD_FAILURE() << "no column " << key;
  return 0;
}

TEST(ExportLabels, EveryStatusRagAndBuiltInSectorHasACatalogueLabel) {
  using model::ExecutionStatus;
  for (int s = 0; s <= static_cast<int>(ExecutionStatus::Suspended); ++s) {
    const auto status = static_cast<ExecutionStatus>(s);
    EXPECT_TRUE(i18n::label(i18n::keyOf("status", model::toString(status)), i18n::Language::Ru))
        << model::toString(status);
  }
  for (int r = 0; r <= static_cast<int>(model::Rag::Red); ++r)
    EXPECT_TRUE(i18n::label(i18n::keyOf("rag", model::toString(static_cast<model::Rag>(r))),
                            i18n::Language::UzCyrl));
  const model::SectorCatalogue sectors;
  for (const auto& code : sectors.codes())
    EXPECT_TRUE(i18n::label("sector." + code, i18n::Language::UzLatn)) << code;
}

TEST(ExportLabels, AllLabelsAddEveryRegionNameInEachLanguage) {
  for (auto lang : i18n::kLanguages) {
    const auto all = allLabels(lang);
    EXPECT_EQ(all.size(), i18n::entries().size() + 14);
    for (const auto& r : model::regions())
      EXPECT_FALSE(all.at("region." + std::string(r.soato)).empty()) << r.soato;
  }
  EXPECT_EQ(allLabels(i18n::Language::UzCyrl).at("region.1703"), "Андижон вилояти");
  EXPECT_EQ(allLabels(i18n::Language::UzLatn).at("region.1730"), "Farg\u02BBona viloyati");
  EXPECT_EQ(regionName("1703202", i18n::Language::Ru), "Андижанская область");
  EXPECT_EQ(regionName("17", i18n::Language::En), "National");
  EXPECT_EQ(sectorName("water", i18n::Language::Ru), "water");
}

TEST(ExportMeasuresTable, HeadersComeFromTheCatalogueInTheTablesLanguage) {
  MeasuresTable t(i18n::Language::UzCyrl);
  for (const auto& c : t.table().columns)
    EXPECT_EQ(c.header, *i18n::label(c.key, i18n::Language::UzCyrl));
  EXPECT_EQ(t.table().sheetName, "Чора-тадбирлар");
  EXPECT_EQ(t.table().columns[columnOf(t.table(), "column.deadline")].type, ColumnType::Date);
  EXPECT_EQ(t.table().columns[columnOf(t.table(), "column.delayDays")].type, ColumnType::Integer);
}

TEST(ExportMeasuresTable, RowHoldsTheImplementationsFactsAndEvaluationTyped) {
  auto impl = sample();
  const auto ev = model::evaluate(impl, day(2026, 4, 10));
  ASSERT_EQ(ev.status, model::ExecutionStatus::Overdue);
  MeasuresTable m(i18n::Language::Ru);
  m.add(impl, ev);
  const auto& t = m.table();
  ASSERT_EQ(t.rows.size(), 1u);
  const auto& row = t.rows[0];
  ASSERT_EQ(row.cells.size(), t.columns.size());
  auto cell = [&](std::string_view key) { return row.cells[columnOf(t, key)]; };
  EXPECT_EQ(std::get<std::string>(cell("column.measure")), "DU2030-1.2.15");
  EXPECT_EQ(std::get<std::string>(cell("column.title")), "Строительство школ");
  EXPECT_EQ(std::get<std::string>(cell("column.act")), "UP-6079");
  EXPECT_EQ(std::get<model::Date>(cell("column.actDate")), day(2020, 10, 5));
  EXPECT_EQ(std::get<std::string>(cell("column.region")), "1703");
  EXPECT_EQ(std::get<std::string>(cell("column.regionName")), "Андижанская область");
  EXPECT_EQ(std::get<std::string>(cell("column.district")), "1703202");
  EXPECT_EQ(std::get<std::string>(cell("column.sector")), "Образование");
  EXPECT_EQ(std::get<model::Date>(cell("column.deadline")), day(2026, 3, 31));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(cell("column.completed")));
  EXPECT_EQ(std::get<std::string>(cell("column.status")), "Просрочено");
  EXPECT_EQ(std::get<std::string>(cell("column.rag")), "Красный");
  EXPECT_EQ(std::get<std::int64_t>(cell("column.delayDays")), 10);
  EXPECT_EQ(std::get<bool>(cell("column.earlyWarning")), false);
  EXPECT_EQ(row.rag, model::Rag::Red);
}

TEST(ExportMeasuresTable, TitlesFollowTheReadersPreferencesLikeTheList) {
  auto impl = sample();
  const auto ev = model::evaluate(impl, day(2026, 2, 1));
  MeasuresTable en(i18n::Language::En);
  en.add(impl, ev);
  EXPECT_EQ(std::get<std::string>(en.table().rows[0].cells[1]), impl.measure.title);
  MeasuresTable ruRu(i18n::Language::Ru, {"ru-RU"});
  ruRu.add(impl, ev);
  EXPECT_EQ(std::get<std::string>(ruRu.table().rows[0].cells[1]), "Строительство школ");
}

TEST(ExportSummaryTable, OneRowPerGroupWithCountsPerStatusAndShares) {
  model::RollUpBuilder b(model::RollUpBy::Region);
  auto late = sample();
  late.completed = day(2026, 4, 5);
  late.lifecycle = model::Lifecycle::Completed;
  auto open = sample();
  open.measure.id = "M-2";
  const auto asOf = day(2026, 4, 10);
  b.add(late, model::evaluate(late, asOf));
  b.add(open, model::evaluate(open, asOf));
  const auto groups = b.result();
  const auto t = summaryTable(groups, model::RollUpBy::Region, i18n::Language::Ru);
  ASSERT_EQ(t.rows.size(), 1u);
  const auto& row = t.rows[0].cells;
  EXPECT_EQ(std::get<std::string>(row[columnOf(t, "column.key")]), groups[0].key);
  EXPECT_EQ(std::get<std::string>(row[columnOf(t, "column.name")]), "Андижанская область");
  EXPECT_EQ(std::get<std::int64_t>(row[columnOf(t, "column.total")]), 2);
  EXPECT_EQ(std::get<std::int64_t>(row[columnOf(t, "status.DONE_LATE")]), 1);
  EXPECT_EQ(std::get<std::int64_t>(row[columnOf(t, "status.OVERDUE")]), 1);
  EXPECT_EQ(std::get<std::int64_t>(row[columnOf(t, "status.ON_TRACK")]), 0);
  EXPECT_DOUBLE_EQ(std::get<double>(row[columnOf(t, "column.shareDoneLateOfFinished")]), 1.0);
  EXPECT_EQ(t.columns[columnOf(t, "status.DONE_LATE")].header, "Выполнено с опозданием");
  EXPECT_EQ(t.sheetName, "Сводка");
  // By measure there is no name column.
  const auto byMeasure = summaryTable({}, model::RollUpBy::Measure, i18n::Language::En);
  for (const auto& c : byMeasure.columns) EXPECT_NE(c.key, "column.name");
}

}  // namespace
}  // namespace ijro::exports
