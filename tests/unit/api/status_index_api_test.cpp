// GET /api/v1/measures with status filters and GET /api/v1/summary as of today, answered from the
// evaluation the store keeps with each row, give the same JSON as the same reads evaluating every
// implementation (Settings::indexedStatus off), on both backends, over the national data set at a
// tenth of its size.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "bench/national.hpp"
#include "hub/api/api.hpp"
#include "hub/base/sha256.hpp"
#include "tests/unit/store/store_fixture.hpp"

namespace ijro::api {
namespace {

namespace json = boost::json;

constexpr const char* kReader = "national-reader-token-0123";

class StatusIndexApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<store::test::FreshDatabase>(GetParam());
    store_ = db_->open(2);
    bench::NationalOptions options;
    options.factor = 0.1;
    options.seed = 2030;
    for (std::size_t r = 0; r < bench::nationalRegions().size(); ++r) {
      const auto records = bench::nationalRegion(options, r);
      for (const auto& res : store_->upsert(records, std::chrono::system_clock::now()))
        ASSERT_EQ(res.outcome, store::Outcome::Accepted) << res.reason;
    }
    indexed_ = makeApi(true);
    full_ = makeApi(false);
  }

  std::unique_ptr<Api> makeApi(bool indexedStatus) {
    Settings s;
    intake::Scope national;
    national.id = "ministry";
    national.read = true;
    national.tokenSha256 = base::sha256Hex(kReader);
    s.scopes = {national};
    s.indexedStatus = indexedStatus;
    return std::make_unique<Api>(std::move(s), *store_);
  }

  static http::Response get(Api& api, const std::string& path,
                            const std::map<std::string, std::string>& query) {
    http::Request r;
    r.method = "GET";
    r.path = r.target = path;
    r.query.insert(query.begin(), query.end());
    r.headers["authorization"] = std::string("Bearer ") + kReader;
    return api.handle(r);
  }

  // The same read both ways: the same JSON; returns the indexed one's.
  json::value expectSame(const std::string& path, const std::map<std::string, std::string>& query) {
    auto a = get(*indexed_, path, query);
    auto b = get(*full_, path, query);
    EXPECT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(b.status, 200) << b.body;
    EXPECT_EQ(json::parse(a.body), json::parse(b.body)) << path;
    return json::parse(a.body);
  }

  std::unique_ptr<store::test::FreshDatabase> db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Api> indexed_, full_;
};

TEST_P(StatusIndexApiTest, StatusListsAsOfTodayEqualFullEvaluation) {
  const auto doc = expectSame("/api/v1/measures", {{"status", "overdue"}, {"pageSize", "50"}});
  EXPECT_GE(doc.at("total").to_number<std::int64_t>(), 10) << "too few overdue to page through";
  expectSame("/api/v1/measures", {{"status", "overdue"}, {"pageSize", "4"}, {"page", "2"}});
  expectSame("/api/v1/measures", {{"rag", "red"}, {"pageSize", "20"}, {"page", "2"}});
  expectSame("/api/v1/measures", {{"overdue", "false"}, {"page", "4"}});
  expectSame("/api/v1/measures", {{"minDelay", "30"}, {"region", "1703"}});
  expectSame("/api/v1/measures", {{"status", "doneLate,atRisk"}, {"sector", "health"}});
  expectSame("/api/v1/measures", {{"pageSize", "100"}, {"page", "7"}});
  // A page past the end: no items, the same total.
  expectSame("/api/v1/measures", {{"status", "overdue"}, {"page", "1000"}});
  // What SQL does not express (a task filter, another order) is evaluated in full either way.
  expectSame("/api/v1/measures", {{"status", "overdue"}, {"overdueTasks", "true"}});
  expectSame("/api/v1/measures", {{"status", "overdue"}, {"sort", "-delay"}});
}

TEST_P(StatusIndexApiTest, SummariesAsOfTodayEqualFullEvaluation) {
  for (const char* by : {"region", "sector", "organisation", "measure"}) {
    SCOPED_TRACE(by);
    const auto doc = expectSame("/api/v1/summary", {{"by", by}});
    EXPECT_EQ(doc.at("implementations").to_number<std::int64_t>(),
              static_cast<std::int64_t>(store_->count()));
  }
  expectSame("/api/v1/summary", {{"by", "sector"}, {"region", "1726"}});
}

TEST_P(StatusIndexApiTest, TheOverviewAsOfTodayEqualsFullEvaluation) {
  // (Freshness ages count seconds since each report: the same reports, read a moment apart.)
  auto withoutAges = [](json::value doc) {
    for (auto& f : doc.at("freshness").as_array()) f.as_object().erase("ageSeconds");
    return doc;
  };
  for (const std::map<std::string, std::string>& query :
       {std::map<std::string, std::string>{}, {{"region", "1703"}}, {{"sector", "health"}}}) {
    auto a = get(*indexed_, "/api/v1/overview", query);
    auto b = get(*full_, "/api/v1/overview", query);
    ASSERT_EQ(a.status, 200) << a.body;
    ASSERT_EQ(b.status, 200) << b.body;
    const auto doc = withoutAges(json::parse(a.body));
    EXPECT_EQ(doc, withoutAges(json::parse(b.body)));
    if (query.empty()) {
      EXPECT_GT(doc.at("earlyWarningsTotal").to_number<std::int64_t>(), 0);
      EXPECT_GT(doc.at("matrix").as_array().size(), 14u);
    }
  }
}

TEST_P(StatusIndexApiTest, TheIndexedReadsComeFromTheStoredFigures) {
  // Proof that the indexed reads answer from the stored figures and not by evaluating: a stored
  // status changed behind the store's back shows in them (and only in them).
  expectSame("/api/v1/summary", {{"by", "region"}});
  auto raw = db_->raw();
  *raw << "UPDATE implementation SET ev_status = 'cancelled' WHERE id = (SELECT min(id) FROM "
          "implementation WHERE is_current = 1 AND ev_status = 'overdue')";
  auto a = get(*indexed_, "/api/v1/summary", {{"by", "region"}});
  auto b = get(*full_, "/api/v1/summary", {{"by", "region"}});
  EXPECT_NE(json::parse(a.body), json::parse(b.body));
  // The list counts by the stored status too: one overdue fewer.
  const std::map<std::string, std::string> overdue{{"status", "overdue"}};
  auto total = [&](Api& api) {
    return json::parse(get(api, "/api/v1/measures", overdue).body).at("total").as_int64();
  };
  EXPECT_EQ(total(*indexed_) + 1, total(*full_));
}

INSTANTIATE_TEST_SUITE_P(Backends, StatusIndexApiTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace ijro::api
