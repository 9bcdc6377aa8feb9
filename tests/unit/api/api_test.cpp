// The API as a plain function of requests, over a real SQLite store.
#include "hub/api/api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <boost/json.hpp>
#include <future>
#include <regex>

#include "hub/base/sha256.hpp"
#include "hub/exchange/feed.hpp"
#include "hub/exchange/report.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kNational = "national-read-token-0123";
constexpr const char* kAndijan = "andijan-read-token-0123";
constexpr const char* kEast = "east-read-token-0123456";
constexpr const char* kBoth = "tashkent-tax-read-write-0";

model::Implementation sample(const std::string& id, const std::string& region) {
  model::Implementation m;
  m.measure = {id,
               "Install online cash registers",
               {"resolution", "PP-4699", *model::parseDate("2020-04-28"), ""}};
  m.region = region;
  m.organisation = "State Tax Committee";
  m.sector = "tax";
  m.revision = 1;
  m.lifecycle = model::Lifecycle::InProgress;
  m.start = *model::parseDate("2026-01-01");
  m.deadline = *model::parseDate("2026-03-01");  // overdue as of today
  return m;
}

model::Implementation in(const std::string& id, const std::string& region,
                         const std::string& sector) {
  auto m = sample(id, region);
  m.sector = sector;
  return m;
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dbPath_ = test::tempDir("api") / "hub.db";
    store_ = store::Store::open("sqlite:" + dbPath_.string(), 2);
    Settings s;
    s.hubId = "test-hub";
    intake::Scope tax = intake::Scope::writer("tax");
    tax.tokenSha256 = base::sha256Hex("tax-token-0123456789");
    tax.regions = {"1726"};
    tax.sectors = {"tax"};
    intake::Scope ministry;  // reads everything
    ministry.id = "ministry";
    ministry.read = true;
    ministry.tokenSha256 = base::sha256Hex(kNational);
    intake::Scope andijan = ministry;  // Andijan and its districts
    andijan.id = "andijan";
    andijan.tokenSha256 = base::sha256Hex(kAndijan);
    andijan.regions = {"1703"};
    intake::Scope east = ministry;  // two regions, two sectors
    east.id = "east";
    east.tokenSha256 = base::sha256Hex(kEast);
    east.regions = {"1703", "1730"};
    east.sectors = {"tax", "health"};
    intake::Scope both = tax;  // posts and reads back Tashkent City's tax measures
    both.id = "both";
    both.read = true;
    both.tokenSha256 = base::sha256Hex(kBoth);
    s.scopes = {tax, ministry, andijan, east, both};
    api_ = std::make_unique<Api>(std::move(s), *store_);
  }
  http::Response post(const std::string& body, const std::string& type,
                      const std::string& token = "tax-token-0123456789") {
    http::Request r;
    r.method = "POST";
    r.path = r.target = "/api/v1/reports";
    r.headers["content-type"] = type;
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    r.body = body;
    return api_->handle(r);
  }
  http::Response get(const std::string& path, std::multimap<std::string, std::string> query = {},
                     const std::string& token = kNational) {
    http::Request r;
    r.method = "GET";
    r.path = r.target = path;
    r.query = std::move(query);
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    auto res = api_->handle(r);
    http::gatherBody(res);  // the feed streams its body
    return res;
  }
  // Stores implementations as a source would have reported them.
  void seed(const std::vector<model::Implementation>& batch) {
    std::vector<model::Implementation> copy = batch;
    for (auto& x : copy) x.source = "seed";
    for (const auto& r : store_->upsert(copy, std::chrono::system_clock::now()))
      ASSERT_EQ(r.outcome, store::Outcome::Accepted) << r.reason;
  }
  // The values of `field` in a read's JSON list ("items" or "groups").
  static std::vector<std::string> column(const http::Response& res, const char* list,
                                         const char* field) {
    std::vector<std::string> out;
    const auto doc = boost::json::parse(res.body);
    for (const auto& item : doc.at(list).as_array()) out.emplace_back(item.at(field).as_string());
    return out;
  }
  std::filesystem::path dbPath_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Api> api_;
};

TEST_F(ApiTest, ReceiptInRequestFormatAndCounters) {
  auto xml = post(exchange::writeReportXml("tax", {sample("M-1", "1726")}), "application/xml");
  ASSERT_EQ(xml.status, 200) << xml.body;
  EXPECT_NE(xml.body.find("outcome=\"accepted\""), std::string::npos) << xml.body;
  auto json = post(exchange::writeReportJson("tax", {sample("M-1", "1726")}),
                   "application/json; charset=utf-8");
  ASSERT_EQ(json.status, 200) << json.body;
  EXPECT_EQ(boost::json::parse(json.body).at("records").at(0).at("outcome").as_string(),
            "duplicate");
  EXPECT_EQ(api_->counters().accepted, 1u);
  EXPECT_EQ(api_->counters().duplicate, 1u);
  EXPECT_EQ(store_->count(), 1u);
}

// The fast lane (Api::quick): a report with a configured source's token is taken on the I/O
// thread and answered later, once stored, with the receipt handle() gives; the same report's
// errors are answered at once; everything else is left to handle().
TEST_F(ApiTest, QuickLaneAnswersReportsLikeHandleAndLeavesTheRestToIt) {
  auto request = [](const std::string& method, const std::string& path, const std::string& body,
                    const std::string& token) {
    http::Request r;
    r.method = method;
    r.path = r.target = path;
    r.headers["content-type"] = "application/xml";
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    r.body = body;
    return r;
  };
  // Replies through a Reply as the server would, and returns what it was given.
  auto answerOf = [](http::Response res) {
    if (!res.later) return res;
    std::promise<http::Response> replied;
    res.later([&](const http::MakeResponse& make) { replied.set_value(make()); });
    return replied.get_future().get();
  };
  const std::string report = exchange::writeReportXml("tax", {sample("M-1", "1726")});
  auto quick = api_->quick(request("POST", "/api/v1/reports", report, "tax-token-0123456789"));
  ASSERT_TRUE(quick);
  EXPECT_TRUE(quick->later);  // stored by the store's writer, not while the lane waits
  auto got = answerOf(std::move(*quick));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_NE(got.body.find("outcome=\"accepted\""), std::string::npos) << got.body;
  EXPECT_EQ(store_->count(), 1u);
  // The same report through handle(): the same receipt but for its time.
  auto viaPool = post(report, "application/xml");
  auto again = answerOf(
      std::move(*api_->quick(request("POST", "/api/v1/reports", report, "tax-token-0123456789"))));
  const std::regex time(R"(\d{4}-\d\d-\d\dT[0-9:.]+Z)");
  EXPECT_EQ(std::regex_replace(again.body, time, ""), std::regex_replace(viaPool.body, time, ""));
  EXPECT_NE(again.body.find("outcome=\"duplicate\""), std::string::npos) << again.body;
  EXPECT_EQ(api_->counters().accepted, 1u);
  EXPECT_EQ(api_->counters().duplicate, 2u);

  // A malformed report and a record outside the token's regions are answered at once.
  auto bad = api_->quick(request("POST", "/api/v1/reports", "<report", "tax-token-0123456789"));
  ASSERT_TRUE(bad);
  EXPECT_FALSE(bad->later);
  EXPECT_EQ(bad->status, 400);
  auto outside = api_->quick(request("POST", "/api/v1/reports",
                                     exchange::writeReportXml("tax", {sample("M-2", "1703")}),
                                     "tax-token-0123456789"));
  ASSERT_TRUE(outside);
  EXPECT_EQ(outside->status, 403) << outside->body;
  EXPECT_EQ(store_->count(), 1u);

  // Left to handle(): another route, a reader's token, an unknown token, no token.
  EXPECT_FALSE(api_->quick(request("GET", "/api/v1/measures", "", kNational)));
  EXPECT_FALSE(api_->quick(request("POST", "/api/v1/reports", report, kNational)));
  EXPECT_FALSE(api_->quick(request("POST", "/api/v1/reports", report, "unknown-token-000000")));
  EXPECT_FALSE(api_->quick(request("POST", "/api/v1/reports", report, "")));

  // The head check: a configured token is admitted here, an unknown one deferred to admit().
  using Kind = http::HeadVerdict::Kind;
  EXPECT_EQ(api_->admitQuickly(request("POST", "/api/v1/reports", "", "tax-token-0123456789")).kind,
            Kind::Admit);
  EXPECT_EQ(api_->admitQuickly(request("POST", "/api/v1/reports", "", "unknown-token-000000")).kind,
            Kind::Defer);
  EXPECT_EQ(api_->admitQuickly(request("GET", "/healthz", "", "")).kind, Kind::Admit);
}

TEST_F(ApiTest, ErrorsSpeakTheRequestFormat) {
  auto unauth = post("{}", "application/json", "");
  EXPECT_EQ(unauth.status, 401);
  EXPECT_EQ(boost::json::parse(unauth.body).at("error").at("status").as_int64(), 401);
  auto bad = post("<report", "application/xml");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("<error"), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find(":1:"), std::string::npos) << bad.body;  // line and column
}

TEST_F(ApiTest, MeasuresEvaluateStatusAndFilter) {
  auto ok = sample("M-2", "1726");
  ok.deadline = *model::parseDate("2099-12-31");
  ASSERT_EQ(
      post(exchange::writeReportXml("tax", {sample("M-1", "1726"), ok}), "application/xml").status,
      200);
  auto overdue = get("/api/v1/measures", {{"status", "overdue"}});
  ASSERT_EQ(overdue.status, 200) << overdue.body;
  auto items = boost::json::parse(overdue.body).at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("measure").as_string(), "M-1");
  EXPECT_GT(items[0].at("delayDays").as_int64(), 0);
  auto text = get("/api/v1/measures", {{"q", "m-2"}});
  EXPECT_EQ(boost::json::parse(text.body).at("total").as_int64(), 1);
  auto asOf = get("/api/v1/measures", {{"asOf", "2026-02-01"}, {"status", "overdue"}});
  EXPECT_EQ(boost::json::parse(asOf.body).at("total").as_int64(), 0);
}

// Two implementations with delegated tasks, as of 2026-03-15: M-1's task for the Yunusobod unit
// is 14 days overdue, its Chilonzor task was verified late; M-2's only task is not yet due.
std::vector<model::Implementation> withTasks() {
  auto a = sample("M-1", "1726");
  a.deadline = *model::parseDate("2026-06-30");
  model::Assignment yunusobod;
  yunusobod.id = "T-1";
  yunusobod.assignee = "Yunusobod District Tax Inspectorate";
  yunusobod.title = "Register the cash registers of Yunusobod";
  yunusobod.deadline = *model::parseDate("2026-03-01");
  model::Assignment chilonzor = yunusobod;
  chilonzor.id = "T-2";
  chilonzor.assignee = "Chilonzor District Tax Inspectorate";
  chilonzor.control = model::ControlStatus::Verified;
  chilonzor.completed = *model::parseDate("2026-03-05");  // 4 days late
  a.assignments = {yunusobod, chilonzor};
  auto b = sample("M-2", "1726");
  b.deadline = *model::parseDate("2026-06-30");
  model::Assignment later = yunusobod;
  later.id = "T-3";
  later.deadline = *model::parseDate("2026-05-01");
  b.assignments = {later};
  return {a, b};
}

std::vector<std::string> taskIds(const http::Response& res) {
  std::vector<std::string> out;
  const auto doc = boost::json::parse(res.body);
  for (const auto& item : doc.at("items").as_array())
    for (const auto& t : item.at("tasks").as_array()) out.emplace_back(t.at("id").as_string());
  return out;
}

TEST_F(ApiTest, MeasuresCarryTaskEvaluationsAndTheirSummary) {
  seed(withTasks());
  auto res = get("/api/v1/measures", {{"asOf", "2026-03-15"}, {"measure", "M-1"}});
  ASSERT_EQ(res.status, 200) << res.body;
  const auto item = boost::json::parse(res.body).at("items").at(0).as_object();
  const auto& t1 = item.at("tasks").at(0).as_object();
  EXPECT_EQ(t1.at("status").as_string(), "overdue");
  EXPECT_EQ(t1.at("delayDays").as_int64(), 14);  // 2026-03-15 - 2026-03-01
  EXPECT_EQ(t1.at("assignee").as_string(), "Yunusobod District Tax Inspectorate");
  const auto& t2 = item.at("tasks").at(1).as_object();
  EXPECT_EQ(t2.at("status").as_string(), "doneLate");
  EXPECT_EQ(t2.at("delayDays").as_int64(), 4);
  EXPECT_EQ(t2.at("control").as_string(), "verified");
  const auto& sum = item.at("taskSummary").as_object();
  EXPECT_EQ(sum.at("overdue").as_int64(), 1);
  EXPECT_EQ(sum.at("doneLate").as_int64(), 1);
  EXPECT_EQ(sum.at("longestOverdue").at("id").as_string(), "T-1");
}

TEST_F(ApiTest, MeasuresFilterByAssigneeAndOverdueTasks) {
  seed(withTasks());
  // Case-insensitive part of the name; only the matching tasks are listed.
  auto byName = get("/api/v1/measures", {{"asOf", "2026-03-15"}, {"assignee", "YUNUSOBOD"}});
  ASSERT_EQ(byName.status, 200) << byName.body;
  EXPECT_THAT(taskIds(byName), ElementsAre("T-1", "T-3"));
  EXPECT_THAT(column(byName, "items", "measure"), ElementsAre("M-1", "M-2"));
  auto overdue = get("/api/v1/measures", {{"asOf", "2026-03-15"}, {"overdueTasks", "true"}});
  EXPECT_THAT(column(overdue, "items", "measure"), ElementsAre("M-1"));
  EXPECT_THAT(taskIds(overdue), ElementsAre("T-1"));
  EXPECT_EQ(boost::json::parse(overdue.body).at("total").as_int64(), 1);
  auto both = get("/api/v1/measures",
                  {{"asOf", "2026-03-15"}, {"overdueTasks", "true"}, {"assignee", "chilonzor"}});
  EXPECT_EQ(boost::json::parse(both.body).at("total").as_int64(), 0);

  auto bad = get("/api/v1/measures", {{"overdueTasks", "yes"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("overdueTasks must be true"));
  auto lang = get("/api/v1/measures", {{"lang", "russian"}});
  EXPECT_EQ(lang.status, 400);
  EXPECT_THAT(lang.body, HasSubstr("russian&quot; is not a language tag"));
  EXPECT_EQ(get("/api/v1/measures", {{"lang", "uz-Cyrl"}}).status, 200);
}

TEST_F(ApiTest, SummaryCarriesBothSharesAndTaskCounts) {
  auto done = sample("M-3", "1726");
  done.lifecycle = model::Lifecycle::Completed;
  done.completed = *model::parseDate("2026-03-10");  // 9 days late
  auto batch = withTasks();
  batch.push_back(done);
  seed(batch);
  auto res = get("/api/v1/summary", {{"by", "region"}, {"asOf", "2026-03-15"}});
  ASSERT_EQ(res.status, 200) << res.body;
  const auto g = boost::json::parse(res.body).at("groups").at(0).as_object();
  // Implementations: M-1 and M-2 not yet due, M-3 done late: 1 of 1 due, 1 of 1 finished.
  EXPECT_EQ(g.at("dueOrFinished").as_int64(), 1);
  EXPECT_EQ(g.at("shareDoneLateOfDueOrFinished").to_number<double>(), 1.0);
  EXPECT_EQ(g.at("shareDoneLateOfFinished").to_number<double>(), 1.0);
  EXPECT_EQ(g.at("shareDoneLate").to_number<double>(), 1.0);
  // Tasks: T-1 overdue, T-2 done late, T-3 not due: 1 of 2 due, 1 of 1 finished.
  const auto& t = g.at("tasks").as_object();
  EXPECT_EQ(t.at("total").as_int64(), 3);
  EXPECT_EQ(t.at("overdue").as_int64(), 1);
  EXPECT_EQ(t.at("doneLate").as_int64(), 1);
  EXPECT_EQ(t.at("dueOrFinished").as_int64(), 2);
  EXPECT_EQ(t.at("shareDoneLateOfDueOrFinished").to_number<double>(), 0.5);
  EXPECT_EQ(t.at("shareDoneLateOfFinished").to_number<double>(), 1.0);
}

TEST_F(ApiTest, SummaryByRegionNamesTheRegion) {
  ASSERT_EQ(post(exchange::writeReportXml("tax", {sample("M-1", "1726"), sample("M-2", "1726264")}),
                 "application/xml")
                .status,
            200);
  auto res = get("/api/v1/summary", {{"by", "region"}});
  ASSERT_EQ(res.status, 200) << res.body;
  auto groups = boost::json::parse(res.body).at("groups").as_array();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].at("key").as_string(), "1726");
  EXPECT_EQ(groups[0].at("name").as_string(), "Tashkent City");
  EXPECT_EQ(groups[0].at("total").as_int64(), 2);
  EXPECT_EQ(groups[0].at("rag").as_string(), "red");
}

TEST_F(ApiTest, HealthReadinessMetricsAndUnknownRoutes) {
  EXPECT_EQ(get("/healthz", {}, "").status, 200);
  EXPECT_EQ(get("/readyz").status, 200);
  auto metrics = get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("ijro_records_accepted_total 0"), std::string::npos);
  EXPECT_EQ(get("/api/v1/unknown").status, 404);
  auto wrong = get("/api/v1/reports");
  EXPECT_EQ(wrong.status, 405);
  ASSERT_EQ(wrong.headers.size(), 1u);
  EXPECT_EQ(wrong.headers[0].second, "POST");
}

}  // namespace
}  // namespace ijro::api

namespace ijro::api {
namespace {

TEST_F(ApiTest, EveryResourceButHealthzNeedsAToken) {
  EXPECT_EQ(get("/healthz", {}, "").status, 200);
  for (const char* path : {"/api/v1/measures", "/api/v1/summary", "/api/v1/feed", "/readyz",
                           "/metrics", "/api/v1/unknown"}) {
    SCOPED_TRACE(path);
    auto missing = get(path, {}, "");
    EXPECT_EQ(missing.status, 401);
    EXPECT_THAT(missing.body, HasSubstr("missing Authorization header: send &quot;Authorization: "
                                        "Bearer TOKEN&quot; with a read token"));
    ASSERT_EQ(missing.headers.size(), 1u);
    EXPECT_EQ(missing.headers[0].first, "WWW-Authenticate");
    EXPECT_EQ(missing.headers[0].second, "Bearer realm=\"ijro-hub\"");
    auto unknown = get(path, {}, "not-a-configured-token");
    EXPECT_EQ(unknown.status, 401);
    EXPECT_THAT(unknown.body, HasSubstr("unknown token"));
  }
  auto post = this->post("{}", "application/json", "");
  EXPECT_EQ(post.status, 401);
  EXPECT_THAT(post.body, HasSubstr("the token configured for your source"));
  EXPECT_EQ(api_->counters().unauthorized, 13u);
}

TEST_F(ApiTest, RightsDecideWhoPostsAndWhoReads) {
  // A source without the read right cannot read, not even /metrics.
  auto read = get("/api/v1/measures", {}, "tax-token-0123456789");
  EXPECT_EQ(read.status, 403);
  EXPECT_THAT(read.body, HasSubstr("may post reports but not read"));
  EXPECT_EQ(get("/metrics", {}, "tax-token-0123456789").status, 403);
  // A reader cannot post.
  auto post = this->post(exchange::writeReportXml("", {sample("M-1", "1726")}), "application/xml",
                         kNational);
  EXPECT_EQ(post.status, 403);
  EXPECT_THAT(post.body, HasSubstr("reader &quot;ministry&quot; may read but not post reports"));
  EXPECT_EQ(store_->count(), 0u);
  // rights="write read": both, within the same scope.
  ASSERT_EQ(
      this->post(exchange::writeReportXml("", {sample("M-1", "1726")}), "application/xml", kBoth)
          .status,
      200);
  EXPECT_THAT(column(get("/api/v1/measures", {}, kBoth), "items", "measure"), ElementsAre("M-1"));
  // /readyz and /metrics: any read token, whatever its scope.
  EXPECT_EQ(get("/readyz", {}, kAndijan).status, 200);
  EXPECT_EQ(get("/metrics", {}, kAndijan).status, 200);
}

TEST_F(ApiTest, ReadTokenSeesOnlyItsRegionsAndSectors) {
  seed({in("M-1", "1726", "tax"), in("M-2", "1703", "tax"), in("M-3", "1703202", "health"),
        in("M-4", "17", "tax"), in("M-5", "1730", "education"), in("M-6", "1730", "health")});

  EXPECT_THAT(column(get("/api/v1/measures", {}, kAndijan), "items", "region"),
              ElementsAre("1703", "1703202"));
  auto summary = get("/api/v1/summary", {{"by", "region"}}, kAndijan);
  ASSERT_EQ(summary.status, 200) << summary.body;
  EXPECT_THAT(column(summary, "groups", "key"), ElementsAre("1703"));
  EXPECT_EQ(boost::json::parse(summary.body).at("implementations").as_int64(), 2);
  auto feed = get("/api/v1/feed", {}, kAndijan);
  ASSERT_EQ(feed.status, 200);
  EXPECT_THAT(feed.body, HasSubstr("\"M-2\""));
  EXPECT_THAT(feed.body, HasSubstr("\"M-3\""));
  for (const char* other : {"\"M-1\"", "\"M-4\"", "\"M-5\"", "\"M-6\""})
    EXPECT_THAT(feed.body, ::testing::Not(HasSubstr(other)));

  // A district of its region narrows further; another region, or the national level, is
  // refused with what to do rather than answered empty.
  EXPECT_THAT(
      column(get("/api/v1/measures", {{"region", "1703202"}}, kAndijan), "items", "measure"),
      ElementsAre("M-3"));
  for (const char* region : {"1726", "17"}) {
    auto refused = get("/api/v1/summary", {{"region", region}}, kAndijan);
    EXPECT_EQ(refused.status, 403) << region;
    EXPECT_THAT(refused.body, HasSubstr("region " + std::string(region) +
                                        " is outside the regions of reader &quot;andijan&quot;"));
    EXPECT_THAT(refused.body, HasSubstr("leave region out"));
  }
  EXPECT_EQ(get("/api/v1/feed", {{"region", "1726"}}, kAndijan).status, 403);

  // Two regions and two sectors: every combination of them, nothing else.
  EXPECT_THAT(column(get("/api/v1/measures", {}, kEast), "items", "measure"),
              ElementsAre("M-2", "M-3", "M-6"));
  auto sector = get("/api/v1/measures", {{"sector", "education"}}, kEast);
  EXPECT_EQ(sector.status, 403);
  EXPECT_THAT(sector.body, HasSubstr("sector education is outside the sectors"));
  EXPECT_THAT(column(get("/api/v1/summary", {{"by", "sector"}}, kEast), "groups", "key"),
              ElementsAre("health", "tax"));

  // The national token sees everything.
  EXPECT_EQ(boost::json::parse(get("/api/v1/measures").body).at("total").as_int64(), 6);
}

// An indicator at the edge of what a double holds, stored before the bounds existed (or by a
// store written to directly): progress would be NaN and the feed writer refuses NaN. The record
// is still listed and fed, with no progress, and the others with it.
TEST_F(ApiTest, ARecordWithExtremeValuesDoesNotBreakTheFeedTheListOrTheSummary) {
  auto extreme = sample("M-X", "1726");
  model::Indicator ind{"cash-registers", "registers installed", "registers", true, -1e308, {}};
  ind.periods.push_back(
      {*model::parseDate("2026-01-01"), *model::parseDate("2026-02-28"), 1e308, 1e308});
  extreme.indicators.push_back(ind);
  seed({extreme, sample("M-Y", "1726")});
  auto feed = get("/api/v1/feed");
  ASSERT_EQ(feed.status, 200) << feed.body;
  EXPECT_THAT(feed.body, HasSubstr("M-X"));
  EXPECT_THAT(feed.body, HasSubstr("M-Y"));
  auto list = get("/api/v1/measures");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_THAT(column(list, "items", "measure"), ElementsAre("M-X", "M-Y"));
  EXPECT_EQ(get("/api/v1/summary").status, 200);
}

// The same record posted now is refused by the bounds, naming the field, and the rest of the
// report is stored.
TEST_F(ApiTest, AReportedValueBeyondTheBoundsIsRejectedAloneNamingTheField) {
  auto extreme = sample("M-X", "1726");
  model::Indicator ind{"cash-registers", "registers installed", "registers", true, -1e308, {}};
  ind.periods.push_back(
      {*model::parseDate("2026-01-01"), *model::parseDate("2026-02-28"), 1e308, 1e308});
  extreme.indicators.push_back(ind);
  auto res =
      post(exchange::writeReportJson("tax", {extreme, sample("M-Y", "1726")}), "application/json");
  ASSERT_EQ(res.status, 200) << res.body;
  const auto doc = boost::json::parse(res.body);
  const auto& records = doc.at("records").as_array();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records.at(0).at("outcome").as_string(), "rejected");
  EXPECT_THAT(boost::json::serialize(records.at(0)),
              HasSubstr("indicators[0].baseline -1e+308 is outside the range"));
  EXPECT_EQ(records.at(1).at("outcome").as_string(), "accepted");
  EXPECT_EQ(store_->count(), 1u);
}

// Bytes that are not UTF-8 in a query are the caller's error (PostgreSQL would fail the statement
// and the hub answer 503 and reconnect), on every backend alike.
TEST_F(ApiTest, AQueryParameterThatIsNotUtf8IsABadRequestNamingIt) {
  for (const char* path : {"/api/v1/measures", "/api/v1/summary", "/api/v1/feed"}) {
    auto res = get(path, {{"region", "17\xff\xfe"}});
    EXPECT_EQ(res.status, 400) << path;
    EXPECT_THAT(res.body,
                HasSubstr("query parameter &quot;region&quot; is not valid UTF-8 (byte 3"))
        << res.body;
  }
  auto text = get("/api/v1/measures", {{"q", "\xc3("}});
  EXPECT_EQ(text.status, 400);
  EXPECT_EQ(get("/api/v1/measures", {{"q", "Тошкент"}}).status, 200);
}

// A control act that names its action twice would be read as the last by Boost.JSON: refused.
TEST_F(ApiTest, AControlActWithAMemberGivenTwiceIsRefusedNamingIt) {
  http::Request r;
  r.method = "POST";
  r.path = r.target = "/api/v1/control";
  r.headers["content-type"] = "application/json";
  r.headers["authorization"] = std::string("Bearer ") + kNational;
  r.body = R"({"measure": "M-1", "region": "1726", "action": "submit", "action": "verify"})";
  auto res = api_->handle(r);
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(res.body, HasSubstr("appears twice in one object")) << res.body;
}

// A store failure is answered 503 with Retry-After and an id; the driver's words (here SQLite's,
// naming the table) stay in the log.
TEST_F(ApiTest, AStoreFailureIs503WithAnErrorIdAndNotTheDriversMessage) {
  seed({sample("M-1", "1726")});
  {
    soci::session raw(soci::sqlite3, dbPath_.string());
    raw << "ALTER TABLE implementation RENAME TO implementation_gone";
  }
  auto res = get("/api/v1/measures");
  ASSERT_EQ(res.status, 503) << res.body;
  EXPECT_THAT(res.body, HasSubstr("store unavailable, nothing was stored; retry later (error id "));
  EXPECT_THAT(res.body, ::testing::Not(HasSubstr("implementation"))) << res.body;
  bool retryAfter = false;
  for (const auto& [name, value] : res.headers) retryAfter |= name == "Retry-After";
  EXPECT_TRUE(retryAfter);
}

// Measure ids may hold '/': sent percent-encoded, it stays inside the id (routing looks at the
// path as sent; the handler gets the decoded id), and a '/' sent as such is a separator.
TEST_F(ApiTest, AnEncodedSlashInAMeasureIdStaysInTheIdWhenRouting) {
  seed({sample("DU2030/1.2", "1726")});
  http::Request r;
  r.method = "GET";
  r.target = "/api/v1/measures/DU2030%2F1.2/history";
  r.path = "/api/v1/measures/DU2030/1.2/history";  // as the server decodes it
  r.headers["authorization"] = std::string("Bearer ") + kNational;
  auto res = api_->handle(r);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_THAT(res.body, HasSubstr("DU2030/1.2"));
  r.target = r.path;
  EXPECT_EQ(api_->handle(r).status, 404);
}

// The feed is written while it is sent: the parts joined are the whole document, the same as
// one written in one piece over the same rows.
TEST_F(ApiTest, TheFeedStreamsInPartsThatJoinIntoTheWholeDocument) {
  std::vector<model::Implementation> many;
  for (int i = 0; i < 400; ++i) many.push_back(sample("M-" + std::to_string(1000 + i), "1726"));
  seed(many);
  http::Request r;
  r.method = "GET";
  r.path = r.target = "/api/v1/feed";
  r.headers["authorization"] = std::string("Bearer ") + kNational;
  auto res = api_->handle(r);
  ASSERT_EQ(res.status, 200) << res.body;
  ASSERT_TRUE(res.stream) << "the feed is built whole in memory";
  std::vector<std::size_t> parts;
  std::string joined;
  res.stream([&](std::string&& part) {
    parts.push_back(part.size());
    joined += part;
  });
  EXPECT_GT(parts.size(), 2u);
  for (std::size_t n : parts) EXPECT_LT(n, std::size_t{256} << 10);
  const auto generatedAt = joined.substr(joined.find("generatedAt=\"") + 13, 20);
  const auto whole = exchange::writeFeed({"test-hub", generatedAt, model::today()}, {},
                                         [&](const auto& emit) { store_->forEach({}, emit); });
  EXPECT_EQ(joined, whole);
}

// Past limits/@largeReads feeds being written, the next reader is told to come back; a place is
// free again once a feed is written (or dropped).
TEST_F(ApiTest, FeedsPastTheLargeReadLimitAre503WithRetryAfterUntilOneEnds) {
  seed({sample("M-1", "1726")});
  Settings s;
  s.hubId = "test-hub";
  intake::Scope ministry;
  ministry.id = "ministry";
  ministry.read = true;
  ministry.tokenSha256 = base::sha256Hex(kNational);
  s.scopes = {ministry};
  s.largeReads = 2;
  Api api(std::move(s), *store_);
  http::Request r;
  r.method = "GET";
  r.path = r.target = "/api/v1/feed";
  r.headers["authorization"] = std::string("Bearer ") + kNational;
  auto first = api.handle(r);
  auto second = api.handle(r);
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(second.status, 200);
  auto third = api.handle(r);
  EXPECT_EQ(third.status, 503) << third.body;
  EXPECT_THAT(third.body, HasSubstr("largeReads"));
  ASSERT_EQ(third.headers.size(), 1u);
  EXPECT_EQ(third.headers[0].first, "Retry-After");
  EXPECT_EQ(api.counters().largeReadsRefused.load(), 1u);
  http::gatherBody(first);  // written: its place is free
  first = {};
  auto fourth = api.handle(r);
  EXPECT_EQ(fourth.status, 200);
  http::gatherBody(fourth);
  EXPECT_THAT(fourth.body, HasSubstr("M-1"));
}

// Readers of the same feed while the store has not changed share one writing of it; an
// accepted change makes the next reader's feed anew.
TEST_F(ApiTest, ReadersOfOneFeedShareItsWritingUntilTheStoreChanges) {
  seed({sample("M-1", "1726")});
  const auto first = get("/api/v1/feed");
  const auto second = get("/api/v1/feed");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(api_->counters().feedsWritten.load(), 1u);
  // Another scope is another feed.
  EXPECT_EQ(get("/api/v1/feed", {}, kAndijan).status, 200);
  EXPECT_EQ(api_->counters().feedsWritten.load(), 2u);
  seed({sample("M-2", "1726")});
  const auto third = get("/api/v1/feed");
  EXPECT_THAT(third.body, HasSubstr("M-2"));
  EXPECT_THAT(first.body, Not(HasSubstr("M-2")));
  EXPECT_EQ(api_->counters().feedsWritten.load(), 3u);
}

}  // namespace
}  // namespace ijro::api
