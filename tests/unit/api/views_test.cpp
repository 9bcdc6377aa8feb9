// The read side's JSON views and the choice of language, without a store.
#include "hub/api/views.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hub/store/text.hpp"

namespace ijro::api {
namespace {

using ::testing::ElementsAre;
namespace json = boost::json;

model::Date date(const char* s) {
  return model::parseDate(s).value();
}

TEST(ApiViews, LanguagePreferencesFromTheQueryOrTheHeader) {
  EXPECT_THAT(languagePreferences("ru", "en, uz-Latn"), ElementsAre("ru"));
  EXPECT_THAT(languagePreferences("", "ru;q=0.5, uz-Cyrl , en;q=0.8, *;q=0.1, de;q=0"),
              ElementsAre("uz-Cyrl", "en", "ru"));
  EXPECT_THAT(languagePreferences("", "en, ru"), ElementsAre("en", "ru"));  // equal q: order
  EXPECT_TRUE(languagePreferences("", "").empty());
  EXPECT_TRUE(languagePreferences("", "ru;q=bad").empty());
}

TEST(ApiViews, PickTextByTagPrefixOrCutBackElseTheMainText) {
  const model::Translations t{{"uz-Latn", "Maktablar"}, {"uz-Cyrl", "Мактаблар"}, {"ru", "Школы"}};
  const std::string main = "Schools";
  std::string lang;
  EXPECT_EQ(pickText(main, t, {"UZ-cyrl"}, &lang), "Мактаблар");
  EXPECT_EQ(lang, "uz-Cyrl");
  EXPECT_EQ(pickText(main, t, {"uz"}, &lang), "Maktablar");    // the first uz-*
  EXPECT_EQ(pickText(main, t, {"ru-RU"}, &lang), "Школы");     // cut back to ru
  EXPECT_EQ(pickText(main, t, {"de", "ru"}, &lang), "Школы");  // next preference
  EXPECT_EQ(pickText(main, t, {"en"}, &lang), "Schools");
  EXPECT_EQ(lang, "");
  EXPECT_EQ(pickText(main, {}, {"ru"}), "Schools");
}

// An implementation whose tasks show each case the issue names: an overdue delegated task, a
// returned report, a rejected extension and a late approval. As of 2026-11-28.
model::Implementation controlled() {
  model::Implementation impl;
  impl.source = "tashkent-city";
  impl.measure = {"DU2030-2.4.1", "Connect polyclinics to the consultation portal", {}, {}};
  impl.measure.titles = {{"uz-Latn", "Poliklinikalarni portalga ulash"},
                         {"ru", "Подключить поликлиники к порталу"}};
  impl.region = "1726";
  impl.organisation = "Tashkent City Health Department";
  impl.sector = "health";
  impl.revision = 3;
  impl.lifecycle = model::Lifecycle::InProgress;
  impl.start = date("2026-01-15");
  impl.deadline = date("2026-12-31");

  model::Assignment overdue;  // due 2026-10-31, rejected extension: 28 days overdue
  overdue.id = "TSH-HLT-1.2";
  overdue.assignee = "Chilonzor District Medical Association";
  overdue.title = "Equip the 11 polyclinics of Chilonzor district";
  overdue.titles = {{"ru", "Оснастить 11 поликлиник Чиланзарского района"}};
  overdue.deadline = date("2026-10-31");
  model::DeadlineChange rejected;
  rejected.previous = date("2026-10-31");
  rejected.deadline = date("2026-12-15");
  rejected.requestedBy = "Chilonzor District Medical Association";
  rejected.requestedOn = date("2026-10-10");
  rejected.decision = model::Decision::Rejected;
  rejected.decidedBy = "Head of the Tashkent City Health Department";
  rejected.decidedOn = date("2026-10-15");
  overdue.deadlineChanges = {rejected};

  model::Assignment returned;  // submitted and returned: open, due 2026-12-20
  returned.id = "TSH-HLT-1.3";
  returned.assignee = "Юнусобод туман тиббиёт бирлашмаси";
  returned.title = "Connect the 9 polyclinics of Yunusobod district";
  returned.deadline = date("2026-12-20");
  model::ControlEvent submitted{model::ControlStatus::Submitted,
                                "Yunusobod unit",
                                date("2026-11-20"),
                                "",
                                date("2026-11-19"),
                                ""};
  model::ControlEvent back{
      model::ControlStatus::Returned,   "Controller", date("2026-11-22"), "", {},
      "Act of acceptance is not signed"};
  returned.controlEvents = {submitted, back};

  model::Assignment late;  // extension approved after its deadline: D stays, 59 days overdue
  late.id = "TSH-HLT-1.4";
  late.assignee = "Mirobod District Medical Association";
  late.title = "Train the doctors of Mirobod district";
  late.deadline = date("2026-09-30");
  late.deadlineChanges = {rejected};
  late.deadlineChanges[0].previous = date("2026-09-30");
  late.deadlineChanges[0].decision = model::Decision::Approved;
  late.deadlineChanges[0].requestedOn = date("2026-09-20");
  late.deadlineChanges[0].decidedOn = date("2026-10-05");
  impl.assignments = {overdue, returned, late};
  impl.comments = {{"Analyst", "2026-11-25T09:00:00Z", "uz-Latn", "Ikki tumanda kechikish"}};
  return impl;
}

json::object view(const model::Implementation& impl, const TaskFilter& filter = {},
                  const std::vector<std::string>& languages = {}) {
  std::vector<model::TaskEvaluation> tasks;
  auto ev = model::evaluate(impl, date("2026-11-28"), {}, tasks);
  // Through text, as a client reads it.
  return json::parse(json::serialize(measureJson(impl, ev, tasks, filter, languages))).as_object();
}

TEST(ApiViews, MeasureCarriesEveryTaskEvaluationAndTheSummary) {
  const auto o = view(controlled());
  // The existing fields keep their names and meaning.
  EXPECT_EQ(o.at("measure").as_string(), "DU2030-2.4.1");
  EXPECT_EQ(o.at("title").as_string(), "Connect polyclinics to the consultation portal");
  EXPECT_TRUE(o.at("titleLang").is_null());
  EXPECT_EQ(o.at("status").as_string(), "onTrack");  // 33 days left, no indicators
  EXPECT_EQ(o.at("titles").as_array().size(), 2u);
  EXPECT_EQ(o.at("comments").as_array().at(0).at("lang").as_string(), "uz-Latn");

  const auto& tasks = o.at("tasks").as_array();
  ASSERT_EQ(tasks.size(), 3u);
  const auto& overdue = tasks[0].as_object();
  EXPECT_EQ(overdue.at("id").as_string(), "TSH-HLT-1.2");
  EXPECT_EQ(overdue.at("status").as_string(), "overdue");
  EXPECT_EQ(overdue.at("delayDays").as_int64(), 28);  // 2026-11-28 - 2026-10-31
  EXPECT_EQ(overdue.at("rag").as_string(), "red");
  EXPECT_EQ(overdue.at("deadline").as_string(), "2026-10-31");
  EXPECT_EQ(overdue.at("control").as_string(), "onControl");
  const auto& change = overdue.at("deadlineChanges").as_array().at(0).as_object();
  EXPECT_EQ(change.at("decision").as_string(), "rejected");
  EXPECT_EQ(change.at("verdict").as_string(), "rejected");
  EXPECT_EQ(change.at("requestedOn").as_string(), "2026-10-10");

  const auto& returned = tasks[1].as_object();
  EXPECT_EQ(returned.at("control").as_string(), "returned");
  EXPECT_EQ(returned.at("status").as_string(), "atRisk");  // 22 days left
  EXPECT_TRUE(returned.at("earlyWarning").as_bool());
  EXPECT_TRUE(returned.at("countedCompletion").is_null());
  EXPECT_EQ(returned.at("controlEvents").as_array().at(1).at("reason").as_string(),
            "Act of acceptance is not signed");

  const auto& late = tasks[2].as_object();
  EXPECT_EQ(late.at("lateApprovals").as_int64(), 1);
  EXPECT_EQ(late.at("deadline").as_string(), "2026-09-30");  // the approval came too late
  EXPECT_EQ(late.at("delayDays").as_int64(), 59);            // 2026-11-28 - 2026-09-30
  EXPECT_EQ(late.at("deadlineChanges").as_array().at(0).at("verdict").as_string(), "lateApproval");

  const auto& sum = o.at("taskSummary").as_object();
  EXPECT_EQ(sum.at("total").as_int64(), 3);
  EXPECT_EQ(sum.at("overdue").as_int64(), 2);
  EXPECT_EQ(sum.at("dueSoon").as_int64(), 1);
  EXPECT_EQ(sum.at("returned").as_int64(), 1);
  EXPECT_EQ(sum.at("lateApprovals").as_int64(), 1);
  EXPECT_EQ(sum.at("longestOverdue").at("id").as_string(), "TSH-HLT-1.4");
  EXPECT_EQ(sum.at("longestOverdue").at("delayDays").as_int64(), 59);
}

TEST(ApiViews, TitlesFollowTheChosenLanguage) {
  const auto o = view(controlled(), {}, {"ru"});
  EXPECT_EQ(o.at("title").as_string(), "Подключить поликлиники к порталу");
  EXPECT_EQ(o.at("titleLang").as_string(), "ru");
  const auto& tasks = o.at("tasks").as_array();
  EXPECT_EQ(tasks[0].at("title").as_string(), "Оснастить 11 поликлиник Чиланзарского района");
  EXPECT_EQ(tasks[1].at("title").as_string(),  // no Russian title: the main one
            "Connect the 9 polyclinics of Yunusobod district");
  EXPECT_TRUE(tasks[1].at("titleLang").is_null());
}

TEST(ApiViews, TaskFilterByAssigneeIgnoresCaseInLatinAndCyrillic) {
  TaskFilter f;
  f.assignee = store::detail::foldCase("ЮНУСОБОД");
  auto o = view(controlled(), f);
  ASSERT_EQ(o.at("tasks").as_array().size(), 1u);
  EXPECT_EQ(o.at("tasks").as_array()[0].at("id").as_string(), "TSH-HLT-1.3");
  EXPECT_EQ(o.at("taskSummary").at("total").as_int64(), 3);  // the summary covers all tasks

  f.assignee = store::detail::foldCase("district medical");
  f.overdueOnly = true;
  o = view(controlled(), f);
  std::vector<std::string> ids;
  for (const auto& t : o.at("tasks").as_array()) ids.emplace_back(t.at("id").as_string());
  EXPECT_THAT(ids, ElementsAre("TSH-HLT-1.2", "TSH-HLT-1.4"));
}

TEST(ApiViews, RollUpStatesBothSharesAndTaskCounts) {
  model::RollUpBuilder b(model::RollUpBy::Region);
  auto impl = controlled();
  b.add(impl, model::evaluate(impl, date("2026-11-28")));
  const auto o = json::parse(json::serialize(rollUpJson(b.result().at(0)))).as_object();
  EXPECT_EQ(o.at("key").as_string(), "1726");
  for (const char* field :
       {"shareDoneLate", "shareDoneLateOfFinished", "shareDoneLateOfDueOrFinished", "dueOrFinished",
        "cancelled", "suspended", "overdue"})
    EXPECT_TRUE(o.contains(field)) << field;
  const auto& t = o.at("tasks").as_object();
  EXPECT_EQ(t.at("total").as_int64(), 3);
  EXPECT_EQ(t.at("overdue").as_int64(), 2);
  EXPECT_EQ(t.at("dueOrFinished").as_int64(), 2);
  EXPECT_EQ(t.at("withOverdueTasks").as_int64(), 1);
  EXPECT_EQ(t.at("shareDoneLateOfDueOrFinished").to_number<double>(), 0.0);
}

}  // namespace
}  // namespace ijro::api
