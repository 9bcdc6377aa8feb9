// Indicators through the API: a source that reports in merge mode sends only its new periods, and
// /api/v1/measures shows every period held, with numerators, denominators and breakdowns, and
// flags a period outside the work.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "hub/api/api.hpp"
#include "hub/base/sha256.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::api {
namespace {

namespace json = boost::json;

constexpr const char* kSource = "health-ministry-token-0123";

// One implementation whose indicator is reported in merge mode, with the periods given.
std::string report(int revision, const std::string& periods) {
  return R"({"implementations": [{"revision": )" + std::to_string(revision) +
         R"(, "measure": {"id": "DU2030-2.4.3", "title": "Screening coverage",
  "act": {"type": "decree", "number": "UP-6079", "date": "2020-10-05"}},
  "region": "1726", "organisation": "Tashkent City Health Department", "sector": "health",
  "lifecycle": "inProgress", "start": "2026-01-01", "deadline": "2026-12-31",
  "indicators": [{"code": "SCR", "name": "Women screened", "unit": "%", "mode": "merge",
    "periods": [)" +
         periods + "]}]}]}";
}

class IndicatorsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::Store::open("sqlite:" + (test::tempDir("indicators") / "hub.db").string(), 2);
    Settings s;
    intake::Scope source;
    source.id = "health-ministry";
    source.write = true;
    source.read = true;
    source.tokenSha256 = base::sha256Hex(kSource);
    s.scopes = {source};
    api_ = std::make_unique<Api>(std::move(s), *store_);
  }
  http::Response call(const std::string& method, const std::string& path, std::string body = {}) {
    http::Request r;
    r.method = method;
    r.path = r.target = path;
    r.headers["authorization"] = std::string("Bearer ") + kSource;
    r.headers["content-type"] = "application/json";
    r.body = std::move(body);
    return api_->handle(r);
  }
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Api> api_;
};

TEST_F(IndicatorsApiTest, MergeModeReportsAddTheirPeriodsToThoseHeld) {
  auto first = call("POST", "/api/v1/reports",
                    report(1, R"({"start": "2026-01-01", "end": "2026-03-31", "target": 30,
                      "numerator": 120, "denominator": 400,
                      "breakdowns": [{"dimension": "ageGroup", "category": "30-49", "numerator": 80,
                                      "denominator": 250}]})"));
  ASSERT_EQ(first.status, 200) << first.body;
  // The second quarter alone, and a period of the year before, outside the work.
  auto second = call("POST", "/api/v1/reports",
                     report(2, R"({"start": "2026-04-01", "end": "2026-06-30", "target": 50,
                       "numerator": 210, "denominator": 420},
                      {"start": "2025-10-01", "end": "2025-12-31", "actual": 12})"));
  ASSERT_EQ(second.status, 200) << second.body;

  auto res = call("GET", "/api/v1/measures");
  ASSERT_EQ(res.status, 200) << res.body;
  const auto item = json::parse(res.body).at("items").at(0);
  const auto& indicators = item.at("indicators").as_array();
  ASSERT_EQ(indicators.size(), 1u) << item;
  const auto& periods = indicators[0].at("periods").as_array();
  ASSERT_EQ(periods.size(), 3u) << indicators[0];
  int found = 0;
  for (const auto& p : periods) {
    const auto start = p.at("start").as_string();
    if (start == "2026-01-01") {  // kept from revision 1: 120 / 400 = 30 %
      ++found;
      EXPECT_DOUBLE_EQ(p.at("actual").to_number<double>(), 30.0);
      EXPECT_FALSE(p.at("outsideWork").as_bool());
      ASSERT_EQ(p.at("breakdowns").as_array().size(), 1u);
      const auto& b = p.at("breakdowns").at(0);
      EXPECT_EQ(b.at("category").as_string(), "30-49");
      EXPECT_DOUBLE_EQ(b.at("actual").to_number<double>(), 32.0);  // 80 / 250 = 32 %
    } else if (start == "2026-04-01") {  // added by revision 2: 210 / 420 = 50 %
      ++found;
      EXPECT_DOUBLE_EQ(p.at("actual").to_number<double>(), 50.0);
      EXPECT_DOUBLE_EQ(p.at("denominator").to_number<double>(), 420.0);
    } else if (start == "2025-10-01") {
      ++found;
      EXPECT_TRUE(p.at("outsideWork").as_bool());
    }
  }
  EXPECT_EQ(found, 3) << indicators[0];
  EXPECT_EQ(item.at("periodsOutsideWork").to_number<int>(), 1);
}

}  // namespace
}  // namespace ijro::api
