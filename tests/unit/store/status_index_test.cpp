// The evaluation the store keeps with each row (schema version 12) against model::evaluate of
// what forEach reads, on both backends, over the national data set at a tenth of its size: the
// stored figures, the per-group counts a summary is made of, and the status filters' lists, on
// either side of a day on which deadlines fall; then new rules and a new revision.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "bench/national.hpp"
#include "hub/model/status.hpp"
#include "store_fixture.hpp"

namespace ijro::store::test {
namespace {

using Clock = std::chrono::system_clock;

struct Evaluated {
  model::Implementation impl;
  model::Evaluation ev;
};

class StatusIndexTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    store_ = db().open(2);
    for (std::size_t r = 0; r < bench::nationalRegions().size(); ++r) {
      const auto records = bench::nationalRegion(options(), r);
      const auto results = store_->upsert(records, Clock::now());
      for (const auto& res : results) ASSERT_EQ(res.outcome, Outcome::Accepted) << res.reason;
    }
  }

  // The national data set the store is filled with.
  static bench::NationalOptions options() {
    bench::NationalOptions o;
    o.factor = 0.1;
    o.seed = 2030;
    o.asOf = day("2026-12-01");
    return o;
  }

  // Every current implementation evaluated from its facts, in the store's order.
  std::vector<Evaluated> evaluated(model::Date asOf, const model::StatusRules& rules,
                                   const Filter& filter = {}) {
    std::vector<Evaluated> out;
    store_->forEach(filter, [&](const model::Implementation& impl) {
      out.push_back({impl, model::evaluate(impl, asOf, rules)});
    });
    return out;
  }

  // A day on which the deadline in force of many open implementations falls (they are not yet
  // overdue on it and are the day after).
  model::Date busyDeadline(const model::StatusRules& rules) {
    std::map<model::Date, int> open;
    for (const auto& e : evaluated(day("2026-12-01"), rules))
      if (!e.impl.completed && e.impl.lifecycle == model::Lifecycle::InProgress)
        ++open[e.ev.deadline];
    model::Date best{};
    int most = 0;
    for (const auto& [d, n] : open)
      if (n > most) best = d, most = n;
    EXPECT_GT(most, 0);
    return best;
  }

  static std::string keyOf(const model::Implementation& x) {
    return x.measure.id + "|" + x.region + "|" + x.organisation + "|" + x.source;
  }

  // The stored figures of every current implementation equal its full evaluation.
  void expectStoredEqualsEvaluated(model::Date d, const model::StatusRules& rules) {
    const auto full = evaluated(d, rules);
    auto page = store_->statusPage({}, {}, d, rules, 0, 1000000);
    ASSERT_TRUE(page) << "the stored evaluations are not all as of " << model::formatDate(d);
    ASSERT_EQ(page->total, full.size());
    ASSERT_EQ(page->rows.size(), full.size());
    std::size_t differ = 0;
    for (std::size_t i = 0; i < full.size(); ++i) {
      ASSERT_EQ(keyOf(page->rows[i].impl), keyOf(full[i].impl)) << i;
      if (page->rows[i].figures != model::figuresOf(full[i].ev)) {
        ++differ;
        ADD_FAILURE() << "stored figures of " << keyOf(full[i].impl) << " differ (status "
                      << model::toString(page->rows[i].figures.status) << " stored, "
                      << model::toString(full[i].ev.status) << " evaluated)";
        if (differ > 5) return;
      }
    }
  }

  void expectSameRollUps(const std::vector<model::RollUp>& a, const std::vector<model::RollUp>& b,
                         const char* by) {
    ASSERT_EQ(a.size(), b.size()) << by;
    for (std::size_t i = 0; i < a.size(); ++i) {
      SCOPED_TRACE(std::string(by) + " " + a[i].key);
      EXPECT_EQ(a[i].key, b[i].key);
      EXPECT_EQ(a[i].total, b[i].total);
      EXPECT_EQ(a[i].byStatus, b[i].byStatus);
      EXPECT_EQ(a[i].rag, b[i].rag);
      EXPECT_EQ(a[i].done, b[i].done);
      EXPECT_EQ(a[i].doneLate, b[i].doneLate);
      EXPECT_EQ(a[i].shareDoneLate, b[i].shareDoneLate);
      EXPECT_EQ(a[i].earlyWarnings, b[i].earlyWarnings);
      EXPECT_EQ(a[i].overdue, b[i].overdue);
      EXPECT_EQ(a[i].dueOrFinished, b[i].dueOrFinished);
      EXPECT_EQ(a[i].shareDoneLateOfDueOrFinished, b[i].shareDoneLateOfDueOrFinished);
      EXPECT_EQ(a[i].cancelled, b[i].cancelled);
      EXPECT_EQ(a[i].suspended, b[i].suspended);
      const auto &x = a[i].tasks, &y = b[i].tasks;
      EXPECT_EQ(x.total, y.total);
      EXPECT_EQ(x.overdue, y.overdue);
      EXPECT_EQ(x.doneOnTime, y.doneOnTime);
      EXPECT_EQ(x.doneLate, y.doneLate);
      EXPECT_EQ(x.dueSoon, y.dueSoon);
      EXPECT_EQ(x.dueOrFinished, y.dueOrFinished);
      EXPECT_EQ(x.done, y.done);
      EXPECT_EQ(x.cancelled, y.cancelled);
      EXPECT_EQ(x.suspended, y.suspended);
      EXPECT_EQ(x.withOverdueTasks, y.withOverdueTasks);
      EXPECT_EQ(x.shareDoneLateOfDueOrFinished, y.shareDoneLateOfDueOrFinished);
      EXPECT_EQ(x.shareDoneLateOfFinished, y.shareDoneLateOfFinished);
    }
  }

  // Each summary from the stored evaluations equals RollUpBuilder over full evaluations.
  void expectSameSummaries(model::Date d, const model::StatusRules& rules,
                           const Filter& filter = {}) {
    const auto full = evaluated(d, rules, filter);
    for (auto by : {model::RollUpBy::Measure, model::RollUpBy::Region, model::RollUpBy::Sector,
                    model::RollUpBy::Organisation}) {
      model::RollUpBuilder expected(by);
      for (const auto& e : full) expected.add(e.impl, e.ev);
      auto groups = store_->statusGroups(filter, by, d, rules);
      ASSERT_TRUE(groups) << model::toString(by);
      model::RollUpBuilder indexed(by);
      std::size_t n = 0;
      for (const auto& g : *groups) {
        indexed.add(g.key, g.sums, g.count, g.withOverdueTasks);
        n += g.count;
      }
      EXPECT_EQ(n, full.size());
      expectSameRollUps(indexed.result(), expected.result(), model::toString(by));
    }
    // Per first-level region and sector (the dashboard's matrix).
    model::RollUpBuilder expected(model::RollUpBy::Region);
    for (const auto& e : full)
      expected.add(model::rollUpKey(model::RollUpBy::Region, e.impl) + "/" + e.impl.sector, e.ev);
    auto cells = store_->statusCells(filter, d, rules);
    ASSERT_TRUE(cells);
    model::RollUpBuilder indexed(model::RollUpBy::Region);
    for (const auto& c : *cells)
      indexed.add(c.key + "/" + c.sector, c.sums, c.count, c.withOverdueTasks);
    expectSameRollUps(indexed.result(), expected.result(), "region and sector");
  }

  // A status filter's list from the stored evaluations equals the filtered full evaluation: the
  // same keys in the same order, the same total, and a middle page is that slice.
  template <typename Pred>
  void expectSameList(model::Date d, const model::StatusRules& rules, const StatusFilter& status,
                      Pred keep, const char* what, StatusOrder order = StatusOrder::Key) {
    SCOPED_TRACE(what);
    std::vector<Evaluated> kept;
    for (auto& e : evaluated(d, rules))
      if (keep(e.ev)) kept.push_back(std::move(e));
    if (order == StatusOrder::Deadline)
      std::stable_sort(kept.begin(), kept.end(), [](const Evaluated& a, const Evaluated& b) {
        return a.ev.deadline < b.ev.deadline;
      });
    std::vector<std::string> expected;
    for (const auto& e : kept) expected.push_back(keyOf(e.impl));
    EXPECT_FALSE(expected.empty()) << "the data set has none: the check would prove nothing";
    auto all = store_->statusPage({}, status, d, rules, 0, 1000000, order);
    ASSERT_TRUE(all);
    EXPECT_EQ(all->total, expected.size());
    std::vector<std::string> got;
    for (const auto& r : all->rows) got.push_back(keyOf(r.impl));
    EXPECT_EQ(got, expected);
    auto page = store_->statusPage({}, status, d, rules, 10, 7, order);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->total, expected.size());
    std::vector<std::string> slice;
    for (std::size_t i = 10; i < expected.size() && i < 17; ++i) slice.push_back(expected[i]);
    std::vector<std::string> paged;
    for (const auto& r : page->rows) paged.push_back(keyOf(r.impl));
    EXPECT_EQ(paged, slice);
  }

  void expectSameLists(model::Date d, const model::StatusRules& rules) {
    using S = model::ExecutionStatus;
    StatusFilter overdue;
    overdue.statuses = {S::Overdue};
    expectSameList(
        d, rules, overdue, [](const model::Evaluation& ev) { return ev.status == S::Overdue; },
        "status=overdue");
    StatusFilter red;
    red.rag = model::Rag::Red;
    expectSameList(
        d, rules, red, [](const model::Evaluation& ev) { return ev.rag == model::Rag::Red; },
        "rag=red");
    StatusFilter notOverdue;
    notOverdue.overdue = false;
    expectSameList(
        d, rules, notOverdue, [](const model::Evaluation& ev) { return ev.status != S::Overdue; },
        "overdue=false");
    StatusFilter late;
    late.minDelay = 30;
    expectSameList(
        d, rules, late, [](const model::Evaluation& ev) { return ev.delayDays >= 30; },
        "minDelay=30");
    StatusFilter doneOrRed;
    doneOrRed.statuses = {S::DoneLate, S::AtRisk};
    doneOrRed.rag = model::Rag::Amber;
    expectSameList(
        d, rules, doneOrRed,
        [](const model::Evaluation& ev) {
          return (ev.status == S::DoneLate || ev.status == S::AtRisk) &&
                 ev.rag == model::Rag::Amber;
        },
        "status=doneLate,atRisk&rag=amber");
    StatusFilter early;
    early.earlyWarning = true;
    expectSameList(
        d, rules, early, [](const model::Evaluation& ev) { return ev.earlyWarning; },
        "early warnings by deadline", StatusOrder::Deadline);
  }

  std::size_t countOverdue(model::Date d, const model::StatusRules& rules) {
    std::size_t n = 0;
    for (const auto& e : evaluated(d, rules))
      if (e.ev.status == model::ExecutionStatus::Overdue) ++n;
    return n;
  }

  std::unique_ptr<Store> store_;
};

TEST_P(StatusIndexTest, StoredEvaluationsSummariesAndListsEqualFullEvaluationAcrossADateChange) {
  const model::StatusRules rules;
  const model::Date before = busyDeadline(rules);
  const model::Date after = before + std::chrono::days(1);
  // Deadlines fall between the two days: statuses change.
  ASSERT_LT(countOverdue(before, rules), countOverdue(after, rules));
  for (model::Date d : {before, after}) {
    SCOPED_TRACE(model::formatDate(d));
    ASSERT_TRUE(store_->refreshStatus(d));
    expectStoredEqualsEvaluated(d, rules);
    expectSameSummaries(d, rules);
    Filter andijan;
    andijan.region = "1703";
    expectSameSummaries(d, rules, andijan);
    expectSameLists(d, rules);
  }
  // Back to the first day: evaluated again, not left as of the second.
  EXPECT_FALSE(store_->statusPage({}, {}, before, rules, 0, 1));
  ASSERT_TRUE(store_->refreshStatus(before));
  expectStoredEqualsEvaluated(before, rules);
}

TEST_P(StatusIndexTest, NewRulesMakeEveryStoredEvaluationStaleAndRefreshFollowsThem) {
  const model::Date d = day("2026-12-01");
  const model::StatusRules old;
  ASSERT_TRUE(store_->refreshStatus(d));
  model::StatusRules other;
  other.redBelow = 0.5;
  other.amberBelow = 0.95;
  other.amberWithinDays = 60;
  other.earlyWarningDays = 90;
  other.submitted = model::SubmittedCounts::Done;
  // The new rules evaluate some implementations otherwise: the check below proves something.
  std::size_t changed = 0;
  for (const auto& e : evaluated(d, old))
    if (model::figuresOf(e.ev) != model::figuresOf(model::evaluate(e.impl, d, other))) ++changed;
  ASSERT_GT(changed, 0u);

  store_->setStatusRules(other);
  // What was stored under the old rules is not answered under the new ones, nor under the old.
  EXPECT_FALSE(store_->statusPage({}, {}, d, other, 0, 1));
  EXPECT_FALSE(store_->statusGroups({}, model::RollUpBy::Region, d, old));
  ASSERT_TRUE(store_->refreshStatus(d));
  expectStoredEqualsEvaluated(d, other);
  expectSameSummaries(d, other);
  expectSameLists(d, other);
}

TEST_P(StatusIndexTest, ANewRevisionStoresItsEvaluationWithTheRow) {
  const model::Date today = model::today();
  const model::StatusRules rules;
  ASSERT_TRUE(store_->refreshStatus(today));
  // An open implementation becomes cancelled; another is reported done today.
  std::vector<model::Implementation> changed;
  for (const auto& e : evaluated(today, rules)) {
    if (changed.size() == 2) break;
    if (e.ev.status != model::ExecutionStatus::Overdue) continue;
    model::Implementation x = e.impl;
    x.revision += 1;
    if (changed.empty()) {
      x.lifecycle = model::Lifecycle::Cancelled;
    } else {
      x.lifecycle = model::Lifecycle::Completed;
      x.completed = today;
      // Without control events its reported completion counts (journals are only ever added).
      if (!x.controlEvents.empty()) continue;
      if (model::evaluate(x, today, rules).status != model::ExecutionStatus::DoneLate) continue;
    }
    changed.push_back(x);
  }
  ASSERT_EQ(changed.size(), 2u);
  const auto results = store_->upsert(changed, Clock::now());
  for (const auto& r : results) ASSERT_EQ(r.outcome, Outcome::Accepted) << r.reason;
  // No refresh: the write stored the rows' evaluations as of today.
  auto page = store_->statusPage({}, {}, today, rules, 0, 1000000);
  ASSERT_TRUE(page) << "a written row was left without its evaluation as of today";
  std::map<std::string, model::StatusFigures> stored;
  for (const auto& r : page->rows) stored[keyOf(r.impl)] = r.figures;
  EXPECT_EQ(stored.at(keyOf(changed[0])).status, model::ExecutionStatus::Cancelled);
  EXPECT_EQ(stored.at(keyOf(changed[1])).status, model::ExecutionStatus::DoneLate);
  expectStoredEqualsEvaluated(today, rules);
  // And the status list follows at once.
  StatusFilter overdue;
  overdue.statuses = {model::ExecutionStatus::Overdue};
  auto list = store_->statusPage({}, overdue, today, rules, 0, 1000000);
  ASSERT_TRUE(list);
  for (const auto& r : list->rows) {
    EXPECT_NE(keyOf(r.impl), keyOf(changed[0]));
    EXPECT_NE(keyOf(r.impl), keyOf(changed[1]));
  }
}

// A revision whose content is its row's already (a periodic report sent again) is written
// without reading or rewriting the row's children; its stored evaluation stays only while it
// still holds: as of another day, it is renewed with the write.
TEST_P(StatusIndexTest, ARevisionWithTheSameContentKeepsItsEvaluationOnlyWhileItHolds) {
  const model::Date today = model::today();
  const model::StatusRules rules;
  ASSERT_TRUE(store_->refreshStatus(today));
  // The first records the set-up wrote, as they were written, under their next revision.
  std::vector<model::Implementation> again = bench::nationalRegion(options(), 0);
  ASSERT_GE(again.size(), 3u);
  again.resize(3);
  for (auto& x : again) x.revision += 1;
  const long long children = db().scalar("SELECT count(*) FROM indicator_period") +
                             db().scalar("SELECT count(*) FROM assignment");
  for (const auto& r : store_->upsert(again, Clock::now()))
    ASSERT_EQ(r.outcome, Outcome::Accepted) << r.reason;
  expectStoredEqualsEvaluated(today, rules);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM indicator_period") +
                db().scalar("SELECT count(*) FROM assignment"),
            children);
  // Every row evaluated as of a month ago: the next revision of one row brings that row's
  // evaluation to today with it.
  const model::Date monthAgo = today - std::chrono::days(30);
  ASSERT_TRUE(store_->refreshStatus(monthAgo));
  again[0].revision += 1;
  for (const auto& r : store_->upsert(std::vector<model::Implementation>{again[0]}, Clock::now()))
    ASSERT_EQ(r.outcome, Outcome::Accepted) << r.reason;
  const std::string stamp =
      db().text("SELECT ev_stamp FROM implementation WHERE measure_id = '" + again[0].measure.id +
                "' AND region = '" + again[0].region + "' AND source = '" + again[0].source +
                "' AND revision = " + std::to_string(again[0].revision));
  EXPECT_EQ(stamp.substr(0, 10), model::formatDate(today));
  ASSERT_TRUE(store_->refreshStatus(today));
  expectStoredEqualsEvaluated(today, rules);
}

// New rows take one of two ways to their stored evaluation: written with the row (SQLite, an
// implementation's first row without control events) or evaluated after writing (the others).
// Both end as the full evaluation as of today without a refresh, also where a first row gains,
// later in the same batch, a sibling whose approval moves its deadline, and where a new source's
// row joins an implementation stored before.
TEST_P(StatusIndexTest, NewRowsOfEveryKindStoreTheirEvaluationAsTheyAreWritten) {
  const model::Date today = model::today();
  const model::StatusRules rules;
  // The set-up's rows were written as of today: nothing to refresh.
  ASSERT_TRUE(store_->statusPage({}, {}, today, rules, 0, 1));
  model::Implementation base = evaluated(today, rules).front().impl;
  base.revision = 1;
  base.lifecycle = model::Lifecycle::InProgress;
  base.completed.reset();
  base.controlEvents.clear();
  base.deadlineChanges.clear();
  base.assignments.clear();
  base.start = today - std::chrono::days(200);
  base.deadline = today - std::chrono::days(10);  // overdue unless a change moved it

  model::Implementation plain = base;
  plain.measure.id = "DU2030-99.9.1";
  model::Implementation controlled = base;
  controlled.measure.id = "DU2030-99.9.2";
  model::ControlEvent submitted;
  submitted.by = "executor";
  submitted.on = today - std::chrono::days(3);
  submitted.completed = today - std::chrono::days(3);
  controlled.controlEvents.push_back(submitted);
  // Two sources of one implementation; the first outranks the second, so it is the current row,
  // and only the second holds the approval of the change both ask for.
  model::DeadlineChange asked;
  asked.previous = base.deadline;
  asked.deadline = today + std::chrono::days(30);
  asked.requestedBy = "executor";
  asked.requestedOn = today - std::chrono::days(25);
  asked.reason = "the equipment came late";
  model::Implementation first = base;
  first.measure.id = "DU2030-99.9.3";
  first.source = "hub-a";
  first.deadlineChanges = {asked};
  model::Implementation second = first;
  second.source = "hub-b";
  second.deadlineChanges.front().decision = model::Decision::Approved;
  second.deadlineChanges.front().decidedBy = "ministry";
  second.deadlineChanges.front().decidedOn = today - std::chrono::days(20);
  IdentityRules identity;
  identity.sourcePriorities = {{"hub-a", 10}, {"hub-b", 0}};
  store_->setIdentity(identity);
  if (!store_->statusPage({}, {}, today, rules, 0, 1)) {
    ASSERT_TRUE(store_->refreshStatus(today));
  }

  const std::vector<model::Implementation> batch{plain, controlled, first, second};
  for (const auto& r : store_->upsert(batch, Clock::now()))
    ASSERT_EQ(r.outcome, Outcome::Accepted) << r.reason;

  // No refresh: the write stored every new row's evaluation as of today.
  auto page = store_->statusPage({}, {}, today, rules, 0, 1000000);
  ASSERT_TRUE(page) << "a new row was left without its evaluation as of today";
  std::map<std::string, model::StatusFigures> stored;
  for (const auto& r : page->rows) stored[keyOf(r.impl)] = r.figures;
  EXPECT_EQ(stored.at(keyOf(plain)).status, model::ExecutionStatus::Overdue);
  // The current row took the other source's approval: its deadline moved past today.
  ASSERT_TRUE(stored.count(keyOf(first)));
  EXPECT_EQ(stored.at(keyOf(first)).deadline, asked.deadline);
  EXPECT_NE(stored.at(keyOf(first)).status, model::ExecutionStatus::Overdue);
  expectStoredEqualsEvaluated(today, rules);

  // A later batch: a third source, outranking both, asks for the same change. Its implementation
  // is stored already, so its row takes the approval the second source holds.
  model::Implementation third = first;
  third.source = "hub-c";
  identity.sourcePriorities["hub-c"] = 20;
  store_->setIdentity(identity);
  if (!store_->statusPage({}, {}, today, rules, 0, 1)) {
    ASSERT_TRUE(store_->refreshStatus(today));
  }
  for (const auto& r : store_->upsert(std::vector{third}, Clock::now()))
    ASSERT_EQ(r.outcome, Outcome::Accepted) << r.reason;
  page = store_->statusPage({}, {}, today, rules, 0, 1000000);
  ASSERT_TRUE(page) << "the third source's row was left without its evaluation as of today";
  stored.clear();
  for (const auto& r : page->rows) stored[keyOf(r.impl)] = r.figures;
  ASSERT_TRUE(stored.count(keyOf(third)));
  EXPECT_EQ(stored.at(keyOf(third)).deadline, asked.deadline);
  expectStoredEqualsEvaluated(today, rules);
}

INSTANTIATE_TEST_SUITE_P(Backends, StatusIndexTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace ijro::store::test
