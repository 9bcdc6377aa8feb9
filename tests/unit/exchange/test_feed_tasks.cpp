// The feed's evaluation of tasks and the task roll-ups: present where there are tasks, optional
// in the schema so feeds written before them still validate.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hub/exchange/feed.hpp"
#include "hub/xml/schema.hpp"
#include "tests/unit/exchange/sample.hpp"

namespace ijro::exchange {
namespace {

using test::date;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* kNs = "urn:ijro-hub:feed:1";
const model::Date kAsOf = date("2026-11-28");

std::string feedOf(const std::vector<model::Implementation>& impls) {
  return writeFeed({"tashkent-city-hub", "2026-11-28T10:00:00Z", kAsOf}, {}, [&](const auto& sink) {
    for (const auto& impl : impls) sink(impl);
  });
}

std::vector<std::string> q(const std::string& feed, const char* expression) {
  return test::xpath(feed, "f", kNs, expression);
}

// Due 2026-12-31 with three tasks as of 2026-11-28: one overdue 28 days, one returned (open,
// due in 22 days), one whose extension was approved after its deadline (59 days overdue).
model::Implementation withTasks() {
  auto impl = test::minimalImplementation();
  impl.lifecycle = model::Lifecycle::InProgress;
  impl.start = date("2026-01-15");
  impl.deadline = date("2026-12-31");
  model::Assignment overdue;
  overdue.id = "T-1";
  overdue.assignee = "Chilonzor unit";
  overdue.title = "Equip the polyclinics";
  overdue.deadline = date("2026-10-31");
  model::Assignment returned = overdue;
  returned.id = "T-2";
  returned.deadline = date("2026-12-20");
  returned.controlEvents = {
      {model::ControlStatus::Submitted, "unit", date("2026-11-20"), "", date("2026-11-19"), ""},
      {model::ControlStatus::Returned, "controller", date("2026-11-22"), "", {}, "unsigned"}};
  model::Assignment late = overdue;
  late.id = "T-3";
  late.deadline = date("2026-09-30");
  model::DeadlineChange c;
  c.previous = date("2026-09-30");
  c.deadline = date("2026-12-15");
  c.requestedBy = "unit";
  c.requestedOn = date("2026-09-20");
  c.decision = model::Decision::Approved;
  c.decidedBy = "controller";
  c.decidedOn = date("2026-10-05");
  late.deadlineChanges = {c};
  impl.assignments = {overdue, returned, late};
  return impl;
}

TEST(FeedTasks, EveryTaskIsEvaluatedAndSummedUp) {
  const std::string feed = feedOf({withTasks()});
  xml::Schema schema(test::schemaPath("monitoring-feed.xsd"));
  EXPECT_THAT(test::violations(schema, feed, "feed"), IsEmpty()) << feed;
  EXPECT_THAT(q(feed, "//f:evaluation/f:task/@id"), ElementsAre("T-1", "T-2", "T-3"));
  EXPECT_THAT(q(feed, "//f:evaluation/f:task/@status"),
              ElementsAre("overdue", "atRisk", "overdue"));
  EXPECT_THAT(q(feed, "//f:evaluation/f:task/@delayDays"), ElementsAre("28", "0", "59"));
  EXPECT_THAT(q(feed, "//f:evaluation/f:task/@control"),
              ElementsAre("onControl", "returned", "onControl"));
  EXPECT_THAT(q(feed, "//f:task[@id='T-3']/@lateApprovals"), ElementsAre("1"));
  EXPECT_THAT(q(feed, "//f:task[@id='T-3']/f:deadlineChangeVerdict/@verdict"),
              ElementsAre("lateApproval"));
  EXPECT_THAT(q(feed, "//f:evaluation/f:tasks/@overdue"), ElementsAre("2"));
  EXPECT_THAT(q(feed, "//f:evaluation/f:tasks/@dueSoon"), ElementsAre("1"));
  EXPECT_THAT(q(feed, "//f:evaluation/f:tasks/@longestOverdue"), ElementsAre("T-3"));
  EXPECT_THAT(q(feed, "//f:evaluation/f:tasks/@longestOverdueDays"), ElementsAre("59"));
  EXPECT_THAT(q(feed, "//f:rollup[@by='measure']/f:tasks/@overdue"), ElementsAre("2"));
  EXPECT_THAT(q(feed, "//f:rollup[@by='measure']/f:tasks/@withOverdueTasks"), ElementsAre("1"));
}

TEST(FeedTasks, WorkWithoutTasksOrControlReadsAsBefore) {
  auto impl = withTasks();
  impl.assignments.clear();
  const std::string feed = feedOf({impl});
  EXPECT_THAT(q(feed, "//f:evaluation/*"), IsEmpty());
  EXPECT_THAT(q(feed, "//f:evaluation/@control"), IsEmpty());
  EXPECT_THAT(q(feed, "//f:evaluation/@lateApprovals"), IsEmpty());
  EXPECT_THAT(q(feed, "//f:rollup/f:tasks"), IsEmpty());
}

TEST(FeedTasks, RollUpsCarryBothShares) {
  auto late = withTasks();
  late.assignments.clear();
  late.lifecycle = model::Lifecycle::Completed;
  late.deadline = date("2026-10-31");
  late.completed = date("2026-11-10");
  auto open = withTasks();  // due 2026-12-31: not yet due
  open.assignments.clear();
  open.measure.id = "M-open";
  const std::string feed = feedOf({late, open});
  const char* org = "//f:rollup[@by='organisation']";
  EXPECT_THAT(q(feed, (std::string(org) + "/@dueOrFinished").c_str()), ElementsAre("1"));
  EXPECT_THAT(q(feed, (std::string(org) + "/@shareDoneLateOfDueOrFinished").c_str()),
              ElementsAre("1"));
  EXPECT_THAT(q(feed, (std::string(org) + "/@shareDoneLate").c_str()), ElementsAre("1"));
}

// A feed as hubs wrote it before task evaluations and the second share existed.
TEST(FeedTasks, FeedsWrittenBeforeTheAdditionsStillValidate) {
  const std::string old = R"(<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="urn:ijro-hub:feed:1" hub="old-hub" generatedAt="2026-06-01T10:00:00Z" asOf="2026-06-01">
  <rollups>
    <rollup by="region" key="1726" total="2" rag="amber" done="1" doneLate="1" shareDoneLate="1"
            earlyWarnings="0"><count status="doneLate" n="1"/><count status="onTrack" n="1"/></rollup>
  </rollups>
</feed>)";
  xml::Schema schema(test::schemaPath("monitoring-feed.xsd"));
  EXPECT_THAT(test::violations(schema, old, "feed"), IsEmpty());
}

}  // namespace
}  // namespace ijro::exchange
