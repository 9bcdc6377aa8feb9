// The example reports of examples/ (Uzbek Latin, Uzbek Cyrillic, Russian) on the real binary with
// the default configuration, read at a fixed as-of date so the check does not move with the
// calendar: a delegated task past its deadline is overdue, a returned report is open again, a
// rejected extension leaves the deadline where it was, and a late approval does not move it.
// Every expected figure is worked out by hand below from the dates in the example files.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::test {
namespace {

namespace json = boost::json;

constexpr const char* kAsOf = "2026-11-28";

class ExampleReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tempDir("examples-asof");
    hub_ = std::make_unique<HubProcess>(dir_, sourceDir() / "config/hub.xml");
    hub_->start();
    for (const char* region : {"samarqand", "namangan", "xorazm", "andijan"}) {
      const auto body = readFile(sourceDir() / ("examples/report-" + std::string(region) + ".xml"));
      auto res = hub_->post("/api/v1/reports", body, "application/xml",
                            "demo-" + std::string(region) + "-token");
      ASSERT_EQ(res.status, 200) << region << ": " << res.body;
      ASSERT_EQ(res.body.find("rejected\""), std::string::npos) << region << ": " << res.body;
    }
  }
  // The measure's item in /api/v1/measures at the fixed as-of date.
  json::object measure(const std::string& id) {
    auto res = hub_->get("/api/v1/measures?asOf=" + std::string(kAsOf) + "&measure=" + id,
                         "demo-national-read-token");
    EXPECT_EQ(res.status, 200) << res.body;
    auto items = json::parse(res.body).at("items").as_array();
    EXPECT_EQ(items.size(), 1u) << res.body;
    return items.empty() ? json::object{} : items.at(0).as_object();
  }
  static json::object task(const json::object& m, const std::string& id) {
    for (const auto& t : m.at("tasks").as_array())
      if (t.at("id").as_string() == id) return t.as_object();
    ADD_FAILURE() << "no task " << id << " in " << json::serialize(m);
    return {};
  }
  std::filesystem::path dir_;
  std::unique_ptr<HubProcess> hub_;
};

TEST_F(ExampleReportsTest,
       ADelegatedTaskPastItsDeadlineIsOverdueAndItsRejectedExtensionMovesNothing) {
  // Samarqand, SAM-RNT-1.1: due 2026-10-31, not done; the request for 2026-12-20 was rejected.
  // T - D = 2026-11-28 - 2026-10-31 = 28 days.
  auto m = measure("DU2030-2.6.2");
  auto t = task(m, "SAM-RNT-1.1");
  EXPECT_EQ(t.at("status").as_string(), "overdue");
  EXPECT_EQ(t.at("rag").as_string(), "red");
  EXPECT_EQ(t.at("deadline").as_string(), "2026-10-31");
  EXPECT_EQ(t.at("delayDays").as_int64(), 28);
  EXPECT_EQ(t.at("deadlineChanges").as_array().at(0).at("verdict").as_string(), "rejected");
  EXPECT_EQ(m.at("taskSummary").at("longestOverdue").at("id").as_string(), "SAM-RNT-1.1");
  // The overdue-task filter finds it.
  auto res = hub_->get("/api/v1/measures?asOf=2026-11-28&overdueTasks=true&region=1718",
                       "demo-national-read-token");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_NE(res.body.find("SAM-RNT-1.1"), std::string::npos) << res.body;
}

TEST_F(ExampleReportsTest, ARejectedExtensionOfTheMeasureLeavesItOverdue) {
  // Namangan: the measure is due 2026-10-31; the extension to 2027-03-31 was rejected, so it is
  // overdue by 28 days. Its task NAM-QUR-1.2, due 2026-10-15 and not done, is overdue by
  // 2026-11-28 - 2026-10-15 = 16 (to 2026-10-31) + 28 = 44 days.
  auto m = measure("DU2030-4.3.2");
  EXPECT_EQ(m.at("status").as_string(), "overdue");
  EXPECT_EQ(m.at("deadline").as_string(), "2026-10-31");
  EXPECT_EQ(m.at("delayDays").as_int64(), 28);
  auto t = task(m, "NAM-QUR-1.2");
  EXPECT_EQ(t.at("status").as_string(), "overdue");
  EXPECT_EQ(t.at("delayDays").as_int64(), 44);
  // NAM-QUR-1.1 was returned, submitted again on 2026-09-28 and verified: done on 2026-09-28,
  // before its deadline of 2026-09-30.
  auto done = task(m, "NAM-QUR-1.1");
  EXPECT_EQ(done.at("control").as_string(), "verified");
  EXPECT_EQ(done.at("status").as_string(), "doneOnTime");
  EXPECT_EQ(done.at("countedCompletion").as_string(), "2026-09-28");
}

TEST_F(ExampleReportsTest, AReturnedReportIsOpenAgainAndALateApprovalDoesNotMoveTheDeadline) {
  auto m = measure("DU2030-3.2.4");  // Xorazm, written in Uzbek Cyrillic
  // XOR-INT-1.1: submitted on 2026-11-12 (done 2026-11-11), returned on 2026-11-16: open again,
  // and past its deadline of 2026-11-15 by 13 days.
  auto returned = task(m, "XOR-INT-1.1");
  EXPECT_EQ(returned.at("control").as_string(), "returned");
  EXPECT_TRUE(returned.at("countedCompletion").is_null());
  EXPECT_EQ(returned.at("status").as_string(), "overdue");
  EXPECT_EQ(returned.at("delayDays").as_int64(), 13);
  // XOR-INT-1.2: due 2026-09-30; the extension to 2026-11-30 was approved on 2026-10-07, after
  // the deadline it extends: kept and shown, but D stays 2026-09-30, so the task (not done) is
  // overdue by 2026-11-28 - 2026-09-30 = 31 (to 2026-10-31) + 28 = 59 days.
  auto late = task(m, "XOR-INT-1.2");
  EXPECT_EQ(late.at("deadline").as_string(), "2026-09-30");
  EXPECT_EQ(late.at("lateApprovals").as_int64(), 1);
  EXPECT_EQ(late.at("deadlineChanges").as_array().at(0).at("verdict").as_string(), "lateApproval");
  EXPECT_EQ(late.at("status").as_string(), "overdue");
  EXPECT_EQ(late.at("delayDays").as_int64(), 59);
  // The titles come in the asked language.
  auto ru = hub_->get("/api/v1/measures?asOf=2026-11-28&measure=DU2030-3.2.4&lang=ru",
                      "demo-national-read-token");
  EXPECT_NE(ru.body.find("Подключить общеобразовательные школы"), std::string::npos) << ru.body;
}

}  // namespace
}  // namespace ijro::test
