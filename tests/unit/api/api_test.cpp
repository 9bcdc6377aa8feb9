// The API as a plain function of requests, over a real SQLite store.
#include "hub/api/api.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "hub/base/sha256.hpp"
#include "hub/exchange/report.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::api {
namespace {

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

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::Store::open("sqlite:" + (test::tempDir("api") / "hub.db").string(), 2);
    Settings s;
    s.hubId = "test-hub";
    intake::Scope tax = intake::Scope::writer("tax");
    tax.tokenSha256 = base::sha256Hex("tax-token-0123456789");
    tax.regions = {"1726"};
    tax.sectors = {"tax"};
    s.scopes = {tax};
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
  http::Response get(const std::string& path, std::multimap<std::string, std::string> query = {}) {
    http::Request r;
    r.method = "GET";
    r.path = r.target = path;
    r.query = std::move(query);
    return api_->handle(r);
  }
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
  EXPECT_EQ(get("/healthz").status, 200);
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
