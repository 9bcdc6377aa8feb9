// JSON views of evaluated implementations, tasks and roll-ups for the read side (see views.hpp).
#include "hub/api/views.hpp"

#include <algorithm>
#include <charconv>

#include "hub/model/indicators.hpp"
#include "hub/store/text.hpp"

namespace ijro::api {

namespace json = boost::json;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

json::value date(const std::optional<model::Date>& d) {
  return d ? json::value(model::formatDate(*d)) : json::value(nullptr);
}

json::value text(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

json::value optionalNumber(const std::optional<double>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::array translationsJson(const model::Translations& texts) {
  json::array out;
  for (const auto& t : texts) out.push_back(json::object{{"lang", t.lang}, {"text", t.text}});
  return out;
}

json::array changesJson(const std::vector<model::DeadlineChange>& changes,
                        const std::vector<model::ChangeVerdict>& verdicts) {
  json::array out;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const auto& c = changes[i];
    out.push_back(json::object{
        {"previous", model::formatDate(c.previous)},
        {"deadline", model::formatDate(c.deadline)},
        {"requestedBy", text(c.requestedBy)},
        {"requestedOn", date(c.requestedOn)},
        {"reason", text(c.reason)},
        {"decision", model::toString(c.decision)},
        {"decidedBy", text(c.decidedBy)},
        {"decidedOn", date(c.decidedOn)},
        // moved | lateApproval | rejected | pending | unlinked (see walkDeadlines)
        {"verdict", i < verdicts.size() ? model::toString(verdicts[i]) : "pending"},
    });
  }
  return out;
}

json::array eventsJson(const std::vector<model::ControlEvent>& events) {
  json::array out;
  for (const auto& e : events)
    out.push_back(json::object{{"state", model::toString(e.state)},
                               {"by", e.by},
                               {"on", model::formatDate(e.on)},
                               {"at", text(e.at)},
                               {"completed", date(e.completed)},
                               {"reason", text(e.reason)}});
  return out;
}

json::array commentsJson(const std::vector<model::Comment>& thread) {
  json::array out;
  for (const auto& c : thread)
    out.push_back(
        json::object{{"author", c.author}, {"at", c.at}, {"lang", c.lang}, {"text", c.text}});
  return out;
}

json::value controlJson(const std::optional<model::ControlStatus>& c) {
  return c ? json::value(model::toString(*c)) : json::value(nullptr);
}

json::object taskJson(const model::Assignment& a, const model::TaskEvaluation& ev,
                      const std::vector<std::string>& languages) {
  std::string lang;
  const std::string& title = pickText(a.title, a.titles, languages, &lang);
  return json::object{
      {"id", a.id},
      {"parent", text(a.parentId)},
      {"assignee", a.assignee},
      {"title", title},
      {"titleLang", text(lang)},
      {"titles", translationsJson(a.titles)},
      {"originalDeadline", model::formatDate(a.deadline)},
      {"deadline", model::formatDate(ev.deadline)},
      {"control", controlJson(ev.control)},
      {"completed", date(a.completed)},
      {"countedCompletion", date(ev.completed)},
      {"status", model::toString(ev.status)},
      {"rag", model::toString(ev.rag)},
      {"delayDays", ev.delayDays},
      {"earlyWarning", ev.earlyWarning},
      {"lateApprovals", ev.lateApprovals},
      {"deadlineChanges", changesJson(a.deadlineChanges, ev.deadlineChanges)},
      {"controlEvents", eventsJson(a.controlEvents)},
      {"comments", commentsJson(a.comments)},
  };
}

json::object taskSummaryJson(const model::TaskSummary& s) {
  json::value longest = nullptr;
  if (s.longestOverdueId)
    longest = json::object{{"id", *s.longestOverdueId}, {"delayDays", s.longestOverdueDays}};
  return json::object{
      {"total", s.total},
      {"overdue", s.overdue},
      {"doneLate", s.doneLate},
      {"doneOnTime", s.doneOnTime},
      {"dueSoon", s.dueSoon},
      {"onTrack", s.onTrack},
      {"submitted", s.submitted},
      {"returned", s.returned},
      {"dueOrFinished", s.dueOrFinished},
      {"lateApprovals", s.lateApprovals},
      {"longestOverdue", std::move(longest)},
  };
}

}  // namespace

std::vector<std::string> languagePreferences(const std::string& lang,
                                             std::string_view acceptLanguage) {
  if (!lang.empty()) return {lang};
  struct Weighted {
    std::string tag;
    double q;
  };
  std::vector<Weighted> tags;
  std::size_t pos = 0;
  while (pos <= acceptLanguage.size()) {
    const std::size_t comma = acceptLanguage.find(',', pos);
    std::string_view item = acceptLanguage.substr(
        pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    pos = comma == std::string_view::npos ? acceptLanguage.size() + 1 : comma + 1;
    double q = 1.0;
    if (auto semi = item.find(';'); semi != std::string_view::npos) {
      std::string_view param = trim(item.substr(semi + 1));
      item = item.substr(0, semi);
      if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        double v = 0;
        auto [end, ec] = std::from_chars(param.data() + 2, param.data() + param.size(), v);
        q = ec == std::errc{} && end == param.data() + param.size() ? v : 0.0;
      }
    }
    item = trim(item);
    if (item.empty() || item == "*" || q <= 0) continue;
    tags.push_back({std::string(item), q});
  }
  std::stable_sort(tags.begin(), tags.end(),
                   [](const Weighted& a, const Weighted& b) { return a.q > b.q; });
  std::vector<std::string> out;
  out.reserve(tags.size());
  for (auto& t : tags) out.push_back(std::move(t.tag));
  return out;
}

bool TaskFilter::matches(const model::Assignment& task, const model::TaskEvaluation& ev) const {
  if (overdueOnly && ev.status != model::ExecutionStatus::Overdue) return false;
  if (assignee && store::detail::foldCase(task.assignee).find(*assignee) == std::string::npos)
    return false;
  return true;
}

json::array breakdownsJson(const std::vector<model::Breakdown>& list) {
  json::array out;
  for (const auto& b : list)
    out.push_back(json::object{{"dimension", b.dimension},
                               {"category", b.category},
                               {"target", optionalNumber(b.target)},
                               {"actual", optionalNumber(b.actual)},
                               {"numerator", optionalNumber(b.numerator)},
                               {"denominator", optionalNumber(b.denominator)}});
  return out;
}

// Every indicator with its periods as held (merged ones included); outsideWork flags a period
// outside the work's start and deadline in force (a warning: its values still count).
json::array indicatorsJson(const model::Implementation& impl) {
  json::array out;
  for (const auto& ind : impl.indicators) {
    json::array periods;
    for (const auto& p : ind.periods)
      periods.push_back(json::object{{"start", model::formatDate(p.start)},
                                     {"end", model::formatDate(p.end)},
                                     {"target", optionalNumber(p.target)},
                                     {"actual", optionalNumber(p.actual)},
                                     {"numerator", optionalNumber(p.numerator)},
                                     {"denominator", optionalNumber(p.denominator)},
                                     {"outsideWork", model::outsideWork(p, impl)},
                                     {"breakdowns", breakdownsJson(p.breakdowns)}});
    out.push_back(json::object{{"code", ind.code},
                               {"name", ind.name},
                               {"unit", text(ind.unit)},
                               {"ascending", ind.ascending},
                               {"baseline", ind.baseline},
                               {"progress", optionalNumber(model::indicatorProgress(ind))},
                               {"periods", std::move(periods)}});
  }
  return out;
}

json::object measureJson(const model::Implementation& impl, const model::Evaluation& ev,
                         const std::vector<model::TaskEvaluation>& tasks, const TaskFilter& filter,
                         const std::vector<std::string>& languages) {
  std::string lang, nameLang;
  const std::string& title = pickText(impl.measure.title, impl.measure.titles, languages, &lang);
  // The directory's name in the reader's language; the reported spelling when it has none.
  const std::string& name =
      pickText(impl.organisation, impl.organisationNames, languages, &nameLang);
  json::array shown;
  for (std::size_t i = 0; i < impl.assignments.size() && i < tasks.size(); ++i)
    if (filter.matches(impl.assignments[i], tasks[i]))
      shown.push_back(taskJson(impl.assignments[i], tasks[i], languages));
  return json::object{
      {"source", impl.source},
      {"measure", impl.measure.id},
      {"title", title},
      {"titleLang", text(lang)},
      {"titles", translationsJson(impl.measure.titles)},
      {"region", impl.region},
      {"organisation", impl.organisation},
      {"organisationCode", text(impl.organisationCode)},
      {"organisationName", name},
      {"organisationNameLang", text(nameLang)},
      {"organisationNames", translationsJson(impl.organisationNames)},
      {"sector", impl.sector},
      {"revision", impl.revision},
      {"lifecycle", model::toString(impl.lifecycle)},
      {"start", model::formatDate(impl.start)},
      {"originalDeadline", model::formatDate(impl.deadline)},
      {"deadline", model::formatDate(ev.deadline)},
      {"completed", date(impl.completed)},
      {"countedCompletion", date(ev.completed)},
      {"control", controlJson(ev.control)},
      {"status", model::toString(ev.status)},
      {"rag", model::toString(ev.rag)},
      {"delayDays", ev.delayDays},
      {"progress", optionalNumber(ev.progress)},
      {"ratio", optionalNumber(ev.ratio)},
      {"earlyWarning", ev.earlyWarning},
      {"lateApprovals", ev.lateApprovals},
      {"deadlineChanges", changesJson(impl.deadlineChanges, ev.deadlineChanges)},
      {"controlEvents", eventsJson(impl.controlEvents)},
      {"comments", commentsJson(impl.comments)},
      {"taskSummary", taskSummaryJson(ev.tasks)},
      {"tasks", std::move(shown)},
      {"indicators", indicatorsJson(impl)},
      {"periodsOutsideWork", ev.periodsOutsideWork},
  };
}

json::object rollUpJson(const model::RollUp& r) {
  json::object counts;
  for (const auto& [s, n] : r.byStatus) counts[model::toString(s)] = n;
  const auto& t = r.tasks;
  return json::object{
      {"key", r.key},
      {"total", r.total},
      {"rag", model::toString(r.rag)},
      {"done", r.done},
      {"doneLate", r.doneLate},
      {"overdue", r.overdue},
      {"dueOrFinished", r.dueOrFinished},
      // The published figure: done late over all work due in the period (finished, or D <= T).
      {"shareDoneLateOfDueOrFinished", r.shareDoneLateOfDueOrFinished},
      // Done late over finished work; "shareDoneLate" is the same figure under its first name.
      {"shareDoneLateOfFinished", r.shareDoneLate},
      {"shareDoneLate", r.shareDoneLate},
      {"cancelled", r.cancelled},
      {"suspended", r.suspended},
      {"earlyWarnings", r.earlyWarnings},
      {"byStatus", std::move(counts)},
      {"tasks", json::object{{"total", t.total},
                             {"overdue", t.overdue},
                             {"doneOnTime", t.doneOnTime},
                             {"doneLate", t.doneLate},
                             {"dueSoon", t.dueSoon},
                             {"done", t.done},
                             {"dueOrFinished", t.dueOrFinished},
                             {"shareDoneLateOfDueOrFinished", t.shareDoneLateOfDueOrFinished},
                             {"shareDoneLateOfFinished", t.shareDoneLateOfFinished},
                             {"cancelled", t.cancelled},
                             {"suspended", t.suspended},
                             {"withOverdueTasks", t.withOverdueTasks}}},
  };
}

}  // namespace ijro::api
