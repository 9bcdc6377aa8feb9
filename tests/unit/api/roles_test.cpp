// Roles at the API: tokens issued at run time count from the next request and stop at their
// revocation; what each role may do; a source without the controller role cannot bring a
// control decision.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "hub/api/api.hpp"
#include "hub/base/sha256.hpp"
#include "hub/exchange/report.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::api {
namespace {

using ::testing::HasSubstr;

constexpr const char* kSource = "region-source-token-0123";
constexpr const char* kController = "region-controller-token-0";

model::Implementation task(std::vector<model::ControlEvent> events) {
  model::Implementation m;
  m.measure = {
      "M-1", "Connect schools", {"decree", "UP-6079", *model::parseDate("2020-10-05"), ""}};
  m.region = "1703";
  m.organisation = "Andijan Education Department";
  m.sector = "education";
  m.revision = 1;
  m.lifecycle = model::Lifecycle::InProgress;
  m.start = *model::parseDate("2026-01-01");
  m.deadline = *model::parseDate("2026-06-30");
  model::Assignment a;
  a.id = "T1";
  a.assignee = "Asaka District Education Unit";
  a.title = "Connect 23 schools";
  a.deadline = *model::parseDate("2026-05-31");
  a.controlEvents = std::move(events);
  m.assignments.push_back(a);
  return m;
}

model::ControlEvent event(model::ControlStatus state, const char* on) {
  model::ControlEvent e;
  e.state = state;
  e.by = state == model::ControlStatus::Submitted ? "Asaka unit" : "Regional controller";
  e.on = *model::parseDate(on);
  if (state == model::ControlStatus::Submitted) e.completed = e.on;
  if (state == model::ControlStatus::Returned) e.reason = "the act of acceptance is missing";
  return e;
}

class RolesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::Store::open("sqlite:" + (test::tempDir("roles") / "hub.db").string(), 2);
    Settings s;
    intake::Scope source;
    source.id = "andijan";
    source.write = true;
    source.read = true;
    source.regions = {"1703"};
    source.tokenSha256 = base::sha256Hex(kSource);
    intake::Scope controller = source;
    controller.id = "andijan-control";
    controller.controller = true;
    controller.tokenSha256 = base::sha256Hex(kController);
    s.scopes = {source, controller};
    api_ = std::make_unique<Api>(std::move(s), *store_);
  }
  http::Response request(const std::string& method, const std::string& path,
                         const std::string& token, std::string body = {}) {
    http::Request r;
    r.method = method;
    r.path = r.target = path;
    r.headers["authorization"] = "Bearer " + token;
    r.headers["content-type"] = "application/json";
    r.body = std::move(body);
    return api_->handle(r);
  }
  http::Response report(const std::string& token, const std::string& source,
                        const model::Implementation& m) {
    return request("POST", "/api/v1/reports", token, exchange::writeReportJson(source, {m}));
  }
  // Issues a run-time token for Andijan (1703) with these roles.
  void issue(const char* id, std::vector<std::string> roles, const std::string& secret) {
    store::AccessToken t;
    t.id = id;
    t.tokenSha256 = base::sha256Hex(secret);
    t.roles = std::move(roles);
    t.regions = {"1703"};
    ASSERT_TRUE(store_->issueToken(t));
  }
  // A control act on task T1 of the sample implementation; `fields` are the act's own members.
  http::Response act(const std::string& token, const std::string& fields) {
    return request("POST", "/api/v1/control", token,
                   R"({"measure": "M-1", "region": "1703", "organisation": )"
                   R"("Andijan Education Department", "task": "T1", )" +
                       fields + "}");
  }
  // Task T1 as /api/v1/measures shows it as of 2026-06-10.
  boost::json::object t1(const std::string& token) {
    http::Request r;
    r.method = "GET";
    r.path = r.target = "/api/v1/measures";
    r.query = {{"asOf", "2026-06-10"}};
    r.headers["authorization"] = "Bearer " + token;
    auto res = api_->handle(r);
    EXPECT_EQ(res.status, 200) << res.body;
    return boost::json::parse(res.body).at("items").at(0).at("tasks").at(0).as_object();
  }
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Api> api_;
};

TEST_F(RolesTest, AnIssuedTokenCountsFromItsNextRequestAndStopsAtItsRevocation) {
  const std::string secret = "issued-at-run-time-token-0123";
  EXPECT_EQ(request("GET", "/api/v1/summary", secret).status, 401);
  store::AccessToken t;
  t.id = "ministry-dashboard";
  t.tokenSha256 = base::sha256Hex(secret);
  t.roles = {"reader"};
  ASSERT_TRUE(store_->issueToken(t));
  EXPECT_EQ(request("GET", "/api/v1/summary", secret).status, 200);
  auto post = report(secret, "ministry-dashboard", task({}));
  EXPECT_EQ(post.status, 403) << "a reader does not post";
  EXPECT_THAT(post.body, HasSubstr("ministry-dashboard"));
  ASSERT_TRUE(store_->revokeToken("ministry-dashboard"));
  EXPECT_EQ(request("GET", "/api/v1/summary", secret).status, 401);
}

TEST_F(RolesTest, AnIssuedTokenIsHeldToItsRegions) {
  const std::string secret = "issued-samarkand-token-0123";
  store::AccessToken t;
  t.id = "samarkand";
  t.tokenSha256 = base::sha256Hex(secret);
  t.roles = {"source", "reader"};
  t.regions = {"1718"};
  ASSERT_TRUE(store_->issueToken(t));
  auto res = report(secret, "samarkand", task({}));  // the task is in Andijan (1703)
  EXPECT_EQ(res.status, 403) << res.body;
  EXPECT_THAT(res.body, HasSubstr("region 1703 is outside the regions"));
}

TEST_F(RolesTest, ASubmissionIsTheSourcesButAReturnIsTheControllers) {
  auto submitted = task({event(model::ControlStatus::Submitted, "2026-05-30")});
  ASSERT_EQ(report(kSource, "andijan", submitted).status, 200);

  auto returned = submitted;
  returned.revision = 2;
  returned.assignments[0].controlEvents.push_back(
      event(model::ControlStatus::Returned, "2026-06-02"));
  auto refused = report(kSource, "andijan", returned);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr("assignments[0].controlEvents[1] (returned)"));
  EXPECT_THAT(refused.body, HasSubstr("controller role"));
  auto key = submitted.key();
  key.source = "andijan";
  auto stored = store_->get(key);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->revision, 1) << "nothing of a refused report is stored";

  // The controller's own system reports the return under its own source id.
  auto accepted = report(kController, "andijan-control", returned);
  EXPECT_EQ(accepted.status, 200) << accepted.body;
}

// A person acts through POST /api/v1/control: the executor submits, the controller returns and
// then verifies; each act checks its role, and the evaluation follows the control state.
TEST_F(RolesTest, ExecutorsSubmitAndControllersDecideThroughTheControlEndpoint) {
  ASSERT_EQ(report(kSource, "andijan", task({})).status, 200);
  const std::string executor = "asaka-executor-token-0123", controller = "andijan-controller-01";
  issue("asaka-unit", {"executor"}, executor);
  issue("andijan-controller", {"controller", "reader"}, controller);

  auto submitted =
      act(executor, R"("action": "submit", "on": "2026-05-30", "completed": "2026-05-29")");
  ASSERT_EQ(submitted.status, 201) << submitted.body;
  auto refused = act(executor, R"("action": "verify", "on": "2026-06-01")");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr("controller role"));
  auto noReason = act(controller, R"("action": "return", "on": "2026-06-01")");
  EXPECT_EQ(noReason.status, 422) << noReason.body;
  EXPECT_THAT(noReason.body, HasSubstr("reason"));
  ASSERT_EQ(act(controller, R"("action": "return", "on": "2026-06-01", "reason": "no act")").status,
            201);
  // Returned: open again; as of 2026-06-10 it is 10 days past its deadline of 2026-05-31.
  auto t = t1(controller);
  EXPECT_EQ(t.at("control").as_string(), "returned");
  EXPECT_EQ(t.at("status").as_string(), "overdue");
  EXPECT_EQ(t.at("delayDays").as_int64(), 10);
  ASSERT_EQ(
      act(executor, R"("action": "submit", "on": "2026-06-03", "completed": "2026-06-02")").status,
      201);
  ASSERT_EQ(act(controller, R"("action": "verify", "on": "2026-06-04")").status, 201);
  // Verified: done at the executor's completion date of the verified submission, 2 days late.
  t = t1(controller);
  EXPECT_EQ(t.at("control").as_string(), "verified");
  EXPECT_EQ(t.at("status").as_string(), "doneLate");
  EXPECT_EQ(t.at("countedCompletion").as_string(), "2026-06-02");
  EXPECT_EQ(t.at("delayDays").as_int64(), 2);
  EXPECT_EQ(t.at("controlEvents").as_array().size(), 4u);
  // A reader (no role in control) may not comment; the executor may.
  EXPECT_EQ(
      act(executor, R"("action": "comment", "lang": "uz-Latn", "text": "Dalolatnoma yuklandi")")
          .status,
      201);
  EXPECT_EQ(t1(controller).at("comments").as_array().size(), 1u);
}

// Deadline changes through POST /api/v1/control: the executor asks, only a controller approves
// or rejects; each act is stored under its own token, and the request and its decision show in
// the implementation even after the reporting source sends a report that does not know of them.
TEST_F(RolesTest, AnExecutorAsksForMoreTimeAndOnlyAControllerDecidesWhateverRowIsCurrent) {
  ASSERT_EQ(report(kSource, "andijan", task({})).status, 200);
  const std::string executor = "asaka-executor-token-0123", controller = "andijan-controller-01";
  issue("asaka-unit", {"executor"}, executor);
  issue("andijan-controller", {"controller", "reader"}, controller);

  auto noDate = act(executor, R"("action": "request", "on": "2026-05-20")");
  EXPECT_EQ(noDate.status, 400) << noDate.body;
  EXPECT_THAT(noDate.body, HasSubstr("deadline"));
  auto asked = act(executor, R"("action": "request", "on": "2026-05-20", "deadline": )"
                             R"("2026-06-20", "reason": "equipment delivered late")");
  ASSERT_EQ(asked.status, 201) << asked.body;
  // Pending: the deadline in force stays 2026-05-31, so as of 2026-06-10 the task is 10 days late.
  auto t = t1(controller);
  ASSERT_EQ(t.at("deadlineChanges").as_array().size(), 1u);
  EXPECT_EQ(t.at("deadlineChanges").at(0).at("previous").as_string(), "2026-05-31");
  EXPECT_EQ(t.at("deadlineChanges").at(0).at("verdict").as_string(), "pending");
  EXPECT_EQ(t.at("delayDays").as_int64(), 10);

  auto selfApproved = act(executor, R"("action": "approve", "on": "2026-05-25")");
  EXPECT_EQ(selfApproved.status, 403) << selfApproved.body;
  EXPECT_THAT(selfApproved.body, HasSubstr("controller role"));
  auto wrongOne =
      act(controller, R"("action": "approve", "on": "2026-05-25", "deadline": "2026-07-01")");
  EXPECT_EQ(wrongOne.status, 409) << wrongOne.body;
  EXPECT_THAT(wrongOne.body, HasSubstr("2026-07-01"));
  auto approved = act(controller, R"("action": "approve", "on": "2026-05-25")");
  ASSERT_EQ(approved.status, 201) << approved.body;
  // Approved on 2026-05-25, before the deadline it extends: D is 2026-06-20, not late on 06-10.
  t = t1(controller);
  EXPECT_EQ(t.at("deadlineChanges").at(0).at("verdict").as_string(), "moved");
  EXPECT_EQ(t.at("deadlineChanges").at(0).at("decidedBy").as_string(), "andijan-controller");
  EXPECT_EQ(t.at("deadline").as_string(), "2026-06-20");
  EXPECT_EQ(t.at("delayDays").as_int64(), 0);
  EXPECT_NE(t.at("status").as_string(), "overdue");

  // The region's own system reports again without knowing of the request: its row is now the
  // current one, and the approved change still holds.
  auto again = task({});
  again.revision = 2;
  again.note = "weekly update";
  ASSERT_EQ(report(kSource, "andijan", again).status, 200);
  t = t1(controller);
  ASSERT_EQ(t.at("deadlineChanges").as_array().size(), 1u);
  EXPECT_EQ(t.at("deadlineChanges").at(0).at("verdict").as_string(), "moved");
  EXPECT_EQ(t.at("deadline").as_string(), "2026-06-20");

  // A second request, rejected: D does not move, and the region's report that echoes the
  // decision it read back is accepted from a source token, for the store already holds it.
  ASSERT_EQ(
      act(executor, R"("action": "request", "on": "2026-06-15", "deadline": "2026-07-15")").status,
      201);
  ASSERT_EQ(act(controller, R"("action": "reject", "on": "2026-06-16")").status, 201);
  t = t1(controller);
  ASSERT_EQ(t.at("deadlineChanges").as_array().size(), 2u);
  EXPECT_EQ(t.at("deadlineChanges").at(1).at("previous").as_string(), "2026-06-20");
  EXPECT_EQ(t.at("deadlineChanges").at(1).at("verdict").as_string(), "rejected");
  EXPECT_EQ(t.at("deadline").as_string(), "2026-06-20");
  auto echo = task({});
  echo.revision = 3;
  echo.source = "andijan";
  const auto stored = store_->get(echo.key());
  ASSERT_TRUE(stored);
  echo.assignments[0].deadlineChanges = stored->assignments[0].deadlineChanges;
  auto echoed = report(kSource, "andijan", echo);
  EXPECT_EQ(echoed.status, 200) << echoed.body;
}

}  // namespace
}  // namespace ijro::api
