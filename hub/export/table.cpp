#include "hub/export/table.hpp"

#include "hub/export/labels.hpp"
#include "hub/model/pick_text.hpp"
#include "hub/model/regions.hpp"

namespace ijro::exports {

namespace {

Column column(std::string key, ColumnType type, i18n::Language lang) {
  std::string header = i18n::labelOr(key, lang, key);
  return {std::move(key), std::move(header), type};
}

Cell text(const std::string& s) {
  return s.empty() ? Cell{} : Cell{s};
}

Cell date(const std::optional<model::Date>& d) {
  return d ? Cell{*d} : Cell{};
}

Cell integer(std::size_t n) {
  return Cell{static_cast<std::int64_t>(n)};
}

}  // namespace

std::string statusLabel(model::ExecutionStatus s, i18n::Language lang) {
  const std::string key = i18n::keyOf("status", model::toString(s));
  return i18n::labelOr(key, lang, model::toString(s));
}

std::string ragLabel(model::Rag r, i18n::Language lang) {
  const std::string key = i18n::keyOf("rag", model::toString(r));
  return i18n::labelOr(key, lang, model::toString(r));
}

MeasuresTable::MeasuresTable(i18n::Language lang, std::vector<std::string> titlePreferences)
    : preferences_(std::move(titlePreferences)) {
  if (preferences_.empty()) preferences_.emplace_back(i18n::tag(lang));
  table_.language = lang;
  table_.sheetName = i18n::labelOr("sheet.measures", lang, "Measures");
  using T = ColumnType;
  for (auto [key, type] : std::initializer_list<std::pair<const char*, ColumnType>>{
           {"column.measure", T::Text},
           {"column.title", T::Text},
           {"column.act", T::Text},
           {"column.actDate", T::Date},
           {"column.source", T::Text},
           {"column.region", T::Text},
           {"column.regionName", T::Text},
           {"column.district", T::Text},
           {"column.organisation", T::Text},
           {"column.sector", T::Text},
           {"column.start", T::Date},
           {"column.originalDeadline", T::Date},
           {"column.deadline", T::Date},
           {"column.completed", T::Date},
           {"column.status", T::Status},
           {"column.rag", T::Rag},
           {"column.delayDays", T::Integer},
           {"column.progress", T::Percent},
           {"column.earlyWarning", T::Boolean},
           {"column.tasksTotal", T::Integer},
           {"column.tasksOverdue", T::Integer},
           {"column.tasksDoneLate", T::Integer},
       })
    table_.columns.push_back(column(key, type, lang));
}

void MeasuresTable::add(const model::Implementation& impl, const model::Evaluation& ev) {
  const auto lang = table_.language;
  const bool hasAct = !impl.measure.act.number.empty();
  // A district's row names its region: the territory code column holds the region (4 digits),
  // the district column the 7-digit code.
  const std::string region = model::regionOf(impl.region).value_or(impl.region);
  Row row;
  row.rag = ev.rag;
  row.cells = {
      text(impl.measure.id),
      text(model::pickText(impl.measure.title, impl.measure.titles, preferences_)),
      text(impl.measure.act.number),
      hasAct ? Cell{impl.measure.act.date} : Cell{},
      text(impl.source),
      text(region),
      text(regionName(region, lang)),
      impl.region.size() == 7 ? Cell{impl.region} : Cell{},
      text(model::pickText(impl.organisation, impl.organisationNames, preferences_)),
      text(sectorName(impl.sector, lang)),
      Cell{impl.start},
      Cell{impl.deadline},
      Cell{ev.deadline},
      date(impl.completed),
      Cell{statusLabel(ev.status, lang)},
      Cell{ragLabel(ev.rag, lang)},
      Cell{static_cast<std::int64_t>(ev.delayDays)},
      ev.progress ? Cell{*ev.progress} : Cell{},
      Cell{ev.earlyWarning},
      integer(ev.tasks.total),
      integer(ev.tasks.overdue),
      integer(ev.tasks.doneLate),
  };
  table_.rows.push_back(std::move(row));
}

Table summaryTable(const std::vector<model::RollUp>& groups, model::RollUpBy by,
                   i18n::Language lang) {
  using model::ExecutionStatus;
  using T = ColumnType;
  static constexpr ExecutionStatus kStatuses[] = {
      ExecutionStatus::NotStarted, ExecutionStatus::OnTrack,    ExecutionStatus::AtRisk,
      ExecutionStatus::Overdue,    ExecutionStatus::DoneOnTime, ExecutionStatus::DoneLate,
      ExecutionStatus::Cancelled,  ExecutionStatus::Suspended};
  const bool named = by == model::RollUpBy::Region || by == model::RollUpBy::Sector;
  Table t;
  t.language = lang;
  t.sheetName = i18n::labelOr("sheet.summary", lang, "Summary");
  t.columns.push_back(column("column.key", T::Text, lang));
  if (named) t.columns.push_back(column("column.name", T::Text, lang));
  t.columns.push_back(column("column.total", T::Integer, lang));
  t.columns.push_back(column("column.rag", T::Rag, lang));
  for (auto s : kStatuses)
    t.columns.push_back(column(i18n::keyOf("status", model::toString(s)), T::Integer, lang));
  for (const char* key : {"column.done", "column.doneLate", "column.dueOrFinished"})
    t.columns.push_back(column(key, T::Integer, lang));
  t.columns.push_back(column("column.shareDoneLateOfDueOrFinished", T::Percent, lang));
  t.columns.push_back(column("column.shareDoneLateOfFinished", T::Percent, lang));
  for (const char* key :
       {"column.earlyWarnings", "column.tasksTotal", "column.tasksOverdue", "column.tasksDoneLate"})
    t.columns.push_back(column(key, T::Integer, lang));

  for (const auto& g : groups) {
    Row row;
    row.rag = g.rag;
    row.cells.push_back(text(g.key));
    if (named)
      row.cells.push_back(
          text(by == model::RollUpBy::Region ? regionName(g.key, lang) : sectorName(g.key, lang)));
    row.cells.push_back(integer(g.total));
    row.cells.push_back(Cell{ragLabel(g.rag, lang)});
    for (auto s : kStatuses) {
      auto it = g.byStatus.find(s);
      row.cells.push_back(integer(it == g.byStatus.end() ? 0 : it->second));
    }
    row.cells.push_back(integer(g.done));
    row.cells.push_back(integer(g.doneLate));
    row.cells.push_back(integer(g.dueOrFinished));
    row.cells.push_back(Cell{g.shareDoneLateOfDueOrFinished});
    row.cells.push_back(Cell{g.shareDoneLate});
    row.cells.push_back(integer(g.earlyWarnings));
    row.cells.push_back(integer(g.tasks.total));
    row.cells.push_back(integer(g.tasks.overdue));
    row.cells.push_back(integer(g.tasks.doneLate));
    t.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace ijro::exports
