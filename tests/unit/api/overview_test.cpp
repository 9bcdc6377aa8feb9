// The dashboard's reads at the API, on both backends: /api/v1/overview (matrix, totals, early
// warnings, freshness), the list's filters, order and paging (/api/v1/measures), and
// /api/v1/trend over the stored revisions. Counts are worked out by hand from the fixtures below.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "hub/api/api.hpp"
#include "hub/base/sha256.hpp"
#include "hub/base/timestamp.hpp"
#include "hub/model/regions.hpp"
#include "tests/unit/store/store_fixture.hpp"

namespace ijro::api {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kNational = "national-reader-token-0123";
constexpr const char* kAndijan = "andijan-reader-token-01234";

model::Date day(const char* iso) {
  return *model::parseDate(iso);
}

std::chrono::system_clock::time_point at(const char* iso) {
  return *base::parseTimestamp(iso);
}

// One implementation, open unless `completed` is given.
model::Implementation work(const char* measure, const char* region, const char* sector,
                           const char* deadline, const char* completed = nullptr,
                           const char* act = "PQ-100") {
  model::Implementation m;
  m.source = "fixture";
  m.measure = {measure, std::string("Title of ") + measure, {"decree", act, day("2020-10-05"), ""}};
  m.measure.titles = {{"ru", std::string("Заголовок ") + measure}};
  m.region = region;
  m.organisation = std::string("Organisation of ") + measure;
  m.sector = sector;
  m.revision = 1;
  m.lifecycle = completed ? model::Lifecycle::Completed : model::Lifecycle::InProgress;
  m.start = day("2026-01-01");
  m.deadline = day(deadline);
  if (completed) m.completed = day(completed);
  return m;
}

// As of 2026-06-10 (early warnings within 30 days):
//   M-1 Andijan (1703)        education  due 2026-05-31, open        overdue, 10 days late
//   M-2 Asaka district of it  health     due 2026-06-20, open        early warning, 10 days left
//   M-3 Tashkent city (1726)  education  due 2026-03-31, done 04-10  done late, 10 days late
//   M-4 Tashkent city         health     due 2026-12-31, done 02-01  done on time
//   M-5 Andijan               education  due 2026-07-05, open        early warning, 25 days left
//   M-6 Tashkent city         education  due 2026-04-30, open        overdue, 41 days late
class DashboardTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<store::test::FreshDatabase>(GetParam());
    store_ = db_->open(2);
    Settings s;
    intake::Scope national;
    national.id = "ministry";
    national.read = true;
    national.tokenSha256 = base::sha256Hex(kNational);
    intake::Scope andijan;
    andijan.id = "andijan";
    andijan.read = true;
    andijan.regions = {"1703"};
    andijan.tokenSha256 = base::sha256Hex(kAndijan);
    s.scopes = {national, andijan};
    api_ = std::make_unique<Api>(std::move(s), *store_);
  }

  void storeFixtures() {
    put(work("M-1", "1703", "education", "2026-05-31", nullptr, "UP-6079"), "2026-06-01T08:00:00Z");
    put(work("M-2", "1703202", "health", "2026-06-20"), "2026-06-05T09:30:00Z");
    put(work("M-3", "1726", "education", "2026-03-31", "2026-04-10"), "2026-04-11T10:00:00Z");
    put(work("M-4", "1726", "health", "2026-12-31", "2026-02-01"), "2026-02-02T10:00:00Z");
    put(work("M-5", "1703", "education", "2026-07-05"), "2026-05-20T12:00:00Z");
    put(work("M-6", "1726", "education", "2026-04-30"), "2026-03-01T07:00:00Z");
  }

  void put(const model::Implementation& m, const char* receivedAt) {
    auto r = store_->upsert(std::span(&m, 1), at(receivedAt));
    ASSERT_EQ(r.at(0).outcome, store::Outcome::Accepted) << r.at(0).reason;
  }

  http::Response get(const std::string& path, std::map<std::string, std::string> query,
                     const char* token = kNational) {
    http::Request r;
    r.method = "GET";
    r.path = r.target = path;
    r.query.insert(query.begin(), query.end());
    r.headers["authorization"] = std::string("Bearer ") + token;
    return api_->handle(r);
  }

  json::value getJson(const std::string& path, std::map<std::string, std::string> query,
                      const char* token = kNational) {
    auto res = get(path, std::move(query), token);
    EXPECT_EQ(res.status, 200) << res.body;
    return json::parse(res.body);
  }

  // The measure ids of a page of /api/v1/measures, in order.
  std::vector<std::string> ids(std::map<std::string, std::string> query) {
    query["asOf"] = "2026-06-10";
    const json::value doc = getJson("/api/v1/measures", std::move(query));
    std::vector<std::string> out;
    for (const auto& item : doc.at("items").as_array())
      out.push_back(json::value_to<std::string>(item.at("measure")));
    return out;
  }

  std::unique_ptr<store::test::FreshDatabase> db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Api> api_;
};

std::int64_t num(const json::value& v, const char* key) {
  return v.at(key).to_number<std::int64_t>();
}

const json::object* cell(const json::value& doc, const char* region, const char* sector) {
  for (const auto& c : doc.at("matrix").as_array())
    if (c.at("region") == region && c.at("sector") == sector) return &c.as_object();
  return nullptr;
}

TEST_P(DashboardTest, OverviewCountsEachRegionAndSectorAndTheNationalTotals) {
  storeFixtures();
  const json::value doc = getJson("/api/v1/overview", {{"asOf", "2026-06-10"}});
  EXPECT_EQ(doc.at("asOf"), "2026-06-10");
  EXPECT_EQ(num(doc, "implementations"), 6);
  const auto& totals = doc.at("totals");
  EXPECT_EQ(num(totals, "total"), 6);
  EXPECT_EQ(num(totals, "overdue"), 2);
  EXPECT_EQ(num(totals, "done"), 2);
  EXPECT_EQ(num(totals, "doneLate"), 1);
  EXPECT_EQ(num(totals, "earlyWarnings"), 2);
  EXPECT_DOUBLE_EQ(totals.at("shareDoneLate").to_number<double>(), 0.5);
  EXPECT_EQ(totals.at("byStatus").at("overdue").to_number<int>(), 2);
  EXPECT_FALSE(totals.as_object().contains("key"));

  // The district's work counts under its region: four cells, each worked out from the list.
  EXPECT_EQ(doc.at("matrix").as_array().size(), 4u);
  const auto* andijanEducation = cell(doc, "1703", "education");
  ASSERT_NE(andijanEducation, nullptr);
  EXPECT_EQ(num(*andijanEducation, "total"), 2);
  EXPECT_EQ(num(*andijanEducation, "overdue"), 1);
  EXPECT_EQ(num(*andijanEducation, "earlyWarnings"), 1);
  const auto* andijanHealth = cell(doc, "1703", "health");
  ASSERT_NE(andijanHealth, nullptr);
  EXPECT_EQ(num(*andijanHealth, "total"), 1);
  const auto* tashkentEducation = cell(doc, "1726", "education");
  ASSERT_NE(tashkentEducation, nullptr);
  EXPECT_EQ(num(*tashkentEducation, "total"), 2);
  EXPECT_EQ(num(*tashkentEducation, "doneLate"), 1);
  EXPECT_EQ(num(*tashkentEducation, "overdue"), 1);
  const auto* tashkentHealth = cell(doc, "1726", "health");
  ASSERT_NE(tashkentHealth, nullptr);
  EXPECT_EQ(num(*tashkentHealth, "done"), 1);
  EXPECT_EQ(num(*tashkentHealth, "doneLate"), 0);

  // Every region of the republic for a national reader, with its ISO code.
  EXPECT_EQ(doc.at("regions").as_array().size(), model::regions().size());
  bool sawTashkent = false;
  for (const auto& r : doc.at("regions").as_array())
    if (r.at("code") == "1726") {
      sawTashkent = true;
      EXPECT_EQ(r.at("iso"), "UZ-TK");
      EXPECT_EQ(r.at("name"), "Tashkent City");
    }
  EXPECT_TRUE(sawTashkent);
  std::vector<std::string> sectors;
  for (const auto& s : doc.at("sectors").as_array())
    sectors.push_back(json::value_to<std::string>(s.at("code")));
  EXPECT_THAT(sectors, ::testing::IsSupersetOf({"education", "health"}));
}

TEST_P(DashboardTest, OverviewListsOpenWorkDueWithinTheWarningDaysByDeadline) {
  storeFixtures();
  const json::value doc = getJson("/api/v1/overview", {{"asOf", "2026-06-10"}, {"lang", "ru"}});
  const auto& early = doc.at("earlyWarnings").as_array();
  ASSERT_EQ(early.size(), 2u);
  EXPECT_EQ(early[0].at("measure"), "M-2");
  EXPECT_EQ(early[0].at("region"), "1703202");
  EXPECT_EQ(early[0].at("deadline"), "2026-06-20");
  EXPECT_EQ(num(early[0], "daysLeft"), 10);
  EXPECT_EQ(early[0].at("title"), "Заголовок M-2");  // the reader's language
  EXPECT_EQ(early[0].at("organisation"), "Organisation of M-2");
  EXPECT_EQ(early[1].at("measure"), "M-5");
  EXPECT_EQ(num(early[1], "daysLeft"), 25);
  EXPECT_EQ(num(doc, "earlyWarningsTotal"), 2);
}

TEST_P(DashboardTest, OverviewFreshnessIsTheLatestReceiptOfEachRegionsCurrentRows) {
  storeFixtures();
  const json::value doc = getJson("/api/v1/overview", {{"asOf", "2026-06-10"}});
  std::map<std::string, json::value> byRegion;
  for (const auto& f : doc.at("freshness").as_array())
    byRegion[json::value_to<std::string>(f.at("region"))] = f.at("lastReport");
  // Andijan: the district's report (06-05) is later than the region's own (06-01 and 05-20).
  EXPECT_EQ(byRegion.at("1703"), "2026-06-05T09:30:00Z");
  EXPECT_EQ(byRegion.at("1726"), "2026-04-11T10:00:00Z");
  EXPECT_TRUE(byRegion.at("1735").is_null());  // Karakalpakstan reported nothing
  for (const auto& f : doc.at("freshness").as_array())
    if (f.at("region") == "1703") {
      EXPECT_GT(num(f, "ageSeconds"), 0);
    }
}

TEST_P(DashboardTest, ARegionTokenSeesItsRegionOnlyAndIsRefusedAnother) {
  storeFixtures();
  const json::value doc = getJson("/api/v1/overview", {{"asOf", "2026-06-10"}}, kAndijan);
  EXPECT_EQ(num(doc, "implementations"), 3);
  for (const auto& c : doc.at("matrix").as_array()) EXPECT_EQ(c.at("region"), "1703");
  ASSERT_EQ(doc.at("regions").as_array().size(), 1u);
  EXPECT_EQ(doc.at("regions").at(0).at("code"), "1703");
  ASSERT_EQ(doc.at("freshness").as_array().size(), 1u);

  auto refused = get("/api/v1/overview", {{"region", "1726"}}, kAndijan);
  EXPECT_EQ(refused.status, 403);
  EXPECT_THAT(refused.body, HasSubstr("outside the regions"));
  EXPECT_EQ(get("/api/v1/measures", {{"district", "1726401"}}, kAndijan).status, 403);
  EXPECT_EQ(get("/api/v1/trend", {{"region", "1726"}}, kAndijan).status, 403);
  EXPECT_THAT(ids({}), ::testing::SizeIs(6));  // the national reader sees all six
}

TEST_P(DashboardTest, OverviewOfOneRegionAndSectorCountsOnlyThem) {
  storeFixtures();
  const json::value doc = getJson(
      "/api/v1/overview", {{"asOf", "2026-06-10"}, {"region", "1726"}, {"sector", "health"}});
  EXPECT_EQ(num(doc, "implementations"), 1);
  EXPECT_EQ(num(doc.at("totals"), "done"), 1);
  ASSERT_EQ(doc.at("regions").as_array().size(), 1u);
  ASSERT_EQ(doc.at("sectors").as_array().size(), 1u);
  EXPECT_EQ(doc.at("sectors").at(0).at("code"), "health");
}

TEST_P(DashboardTest, BadOverviewParametersAreRefusedWithTheReason) {
  auto res = get("/api/v1/overview", {{"asOf", "2026-13-01"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(res.body, HasSubstr("asOf"));
  res = get("/api/v1/overview", {{"page", "2"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(res.body, HasSubstr("unknown query parameter \\\"page\\\""));
  res = get("/api/v1/overview", {{"region", "9999"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(res.body, HasSubstr("SOATO"));
  res = get("/api/v1/overview", {{"sector", "health\xff"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(res.body, HasSubstr("not valid UTF-8"));
}

TEST_P(DashboardTest, TheListSortsByEachKeyBothWaysKeepingTheStoreOrderOnTies) {
  storeFixtures();
  EXPECT_THAT(ids({}), ElementsAre("M-1", "M-2", "M-3", "M-4", "M-5", "M-6"));
  EXPECT_THAT(ids({{"sort", "-measure"}}), ElementsAre("M-6", "M-5", "M-4", "M-3", "M-2", "M-1"));
  EXPECT_THAT(ids({{"sort", "deadline"}}), ElementsAre("M-3", "M-6", "M-1", "M-2", "M-5", "M-4"));
  EXPECT_THAT(ids({{"sort", "-deadline"}}), ElementsAre("M-4", "M-5", "M-2", "M-1", "M-6", "M-3"));
  // M-1 and M-3 are both 10 days late: they keep the store's order either way.
  EXPECT_THAT(ids({{"sort", "-delay"}}), ElementsAre("M-6", "M-1", "M-3", "M-2", "M-4", "M-5"));
  EXPECT_THAT(ids({{"sort", "delay"}}), ElementsAre("M-2", "M-4", "M-5", "M-1", "M-3", "M-6"));
  // Districts sort after their region's own code.
  EXPECT_THAT(ids({{"sort", "region"}}), ElementsAre("M-1", "M-5", "M-2", "M-3", "M-4", "M-6"));
  // Status in its declared order: atRisk (both near their deadline), overdue, doneOnTime, doneLate.
  EXPECT_THAT(ids({{"sort", "status"}}), ElementsAre("M-2", "M-5", "M-1", "M-6", "M-4", "M-3"));
  EXPECT_THAT(ids({{"sort", "organisation"}}),
              ElementsAre("M-1", "M-2", "M-3", "M-4", "M-5", "M-6"));
}

TEST_P(DashboardTest, PagesOfASortedListNeitherOverlapNorLeaveAnythingOut) {
  storeFixtures();
  std::vector<std::string> all;
  for (const char* page : {"1", "2", "3"}) {
    auto one = ids({{"sort", "-delay"}, {"pageSize", "2"}, {"page", page}});
    EXPECT_EQ(one.size(), 2u);
    all.insert(all.end(), one.begin(), one.end());
  }
  EXPECT_THAT(all, ElementsAre("M-6", "M-1", "M-3", "M-2", "M-4", "M-5"));
  EXPECT_TRUE(ids({{"sort", "-delay"}, {"pageSize", "2"}, {"page", "4"}}).empty());
  const json::value doc = getJson("/api/v1/measures", {{"sort", "-delay"}, {"pageSize", "2"}});
  EXPECT_EQ(num(doc, "total"), 6);
  EXPECT_EQ(doc.at("sort"), "-delay");
}

TEST_P(DashboardTest, TheListFiltersByDistrictDecreeAndMinimumDelay) {
  storeFixtures();
  EXPECT_THAT(ids({{"district", "1703202"}}), ElementsAre("M-2"));
  EXPECT_THAT(ids({{"district", "1703202"}, {"region", "1703"}}), ElementsAre("M-2"));
  EXPECT_THAT(ids({{"decree", "up-6079"}}), ElementsAre("M-1"));
  EXPECT_THAT(ids({{"decree", "Decree UP-6079"}}), ElementsAre("M-1"));
  EXPECT_THAT(ids({{"decree", "PQ-100"}}), ElementsAre("M-2", "M-3", "M-4", "M-5", "M-6"));
  EXPECT_THAT(ids({{"minDelay", "10"}}), ElementsAre("M-1", "M-3", "M-6"));
  EXPECT_THAT(ids({{"minDelay", "11"}, {"sort", "-delay"}}), ElementsAre("M-6"));
}

TEST_P(DashboardTest, BadListParametersAreRefusedWithTheReason) {
  auto res = get("/api/v1/measures", {{"sort", "priority"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(res.body,
              HasSubstr("use one of measure, region, organisation, deadline, delay, status"));
  res = get("/api/v1/measures", {{"sort", "--delay"}});
  EXPECT_EQ(res.status, 400);
  res = get("/api/v1/measures", {{"minDelay", "-1"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(res.body, HasSubstr("minDelay"));
  res = get("/api/v1/measures", {{"district", "1703"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(res.body, HasSubstr("7-digit"));
  res = get("/api/v1/measures", {{"district", "1703202"}, {"region", "1726"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(res.body, HasSubstr("is not in region 1726"));
  res = get("/api/v1/measures", {{"decree", ""}});
  EXPECT_EQ(res.status, 400);
}

// The trend's points as (date, implementations, overdue, doneLate).
struct Point {
  std::string date;
  std::int64_t implementations, overdue, doneLate;
  bool operator==(const Point&) const = default;
};
void PrintTo(const Point& p, std::ostream* os) {
  *os << p.date << ": " << p.implementations << " implementations, " << p.overdue << " overdue, "
      << p.doneLate << " done late";
}
std::vector<Point> points(const json::value& doc) {
  std::vector<Point> out;
  for (const auto& p : doc.at("points").as_array())
    out.push_back({json::value_to<std::string>(p.at("date")), num(p, "implementations"),
                   num(p, "overdue"), num(p, "doneLate")});
  return out;
}

// M-1 is due 2026-03-31. Revision 1 (received 01-10) has it open; revision 2, received 05-05,
// says it was done on 04-20. On 04-30 the hub knew only revision 1: overdue then, done late
// only from 05-05 on, although revision 2 evaluated on 04-30 would say done late.
TEST_P(DashboardTest, TheTrendCountsEachDateWithTheRevisionKnownThen) {
  auto m1 = work("M-1", "1703", "education", "2026-03-31");
  put(m1, "2026-01-10T09:00:00Z");
  put(work("M-2", "1726", "health", "2026-12-31"), "2026-02-01T09:00:00Z");
  m1.revision = 2;
  m1.completed = day("2026-04-20");
  m1.lifecycle = model::Lifecycle::Completed;
  put(m1, "2026-05-05T09:00:00Z");

  const json::value doc =
      getJson("/api/v1/trend", {{"from", "2026-01-31"}, {"to", "2026-05-31"}, {"step", "month"}});
  EXPECT_THAT(points(doc), ElementsAre(Point{"2026-01-31", 1, 0, 0}, Point{"2026-02-28", 2, 0, 0},
                                       Point{"2026-03-31", 2, 0, 0}, Point{"2026-04-30", 2, 1, 0},
                                       Point{"2026-05-31", 2, 0, 1}));
  const auto& april = doc.at("points").at(3);
  EXPECT_DOUBLE_EQ(april.at("shareOverdue").to_number<double>(), 1.0);  // 1 overdue of 1 due
  const auto& may = doc.at("points").at(4);
  EXPECT_EQ(num(may, "done"), 1);
  EXPECT_DOUBLE_EQ(may.at("shareDoneLate").to_number<double>(), 1.0);
  EXPECT_DOUBLE_EQ(may.at("shareOverdue").to_number<double>(), 0.0);

  // Narrowed: one sector, and a token of Andijan sees M-1 only.
  EXPECT_THAT(points(getJson("/api/v1/trend",
                             {{"from", "2026-04-30"}, {"to", "2026-05-31"}, {"sector", "health"}})),
              ElementsAre(Point{"2026-04-30", 1, 0, 0}, Point{"2026-05-31", 1, 0, 0}));
  EXPECT_THAT(
      points(getJson("/api/v1/trend", {{"from", "2026-04-30"}, {"to", "2026-05-31"}}, kAndijan)),
      ElementsAre(Point{"2026-04-30", 1, 1, 0}, Point{"2026-05-31", 1, 0, 1}));
}

TEST_P(DashboardTest, TheTrendStepsBackFromItsEndByMonthOrWeek) {
  auto dates = [&](std::map<std::string, std::string> query) {
    std::vector<std::string> out;
    for (const auto& p : points(getJson("/api/v1/trend", std::move(query)))) out.push_back(p.date);
    return out;
  };
  // Default: the twelve months to asOf, thirteen points.
  auto byDefault = dates({{"asOf", "2026-06-10"}});
  ASSERT_EQ(byDefault.size(), 13u);
  EXPECT_EQ(byDefault.front(), "2025-06-10");
  EXPECT_EQ(byDefault.back(), "2026-06-10");
  EXPECT_THAT(dates({{"from", "2026-05-01"}, {"to", "2026-05-29"}, {"step", "week"}}),
              ElementsAre("2026-05-01", "2026-05-08", "2026-05-15", "2026-05-22", "2026-05-29"));
  // A month without the day falls back to its last day.
  EXPECT_THAT(dates({{"from", "2026-01-31"}, {"to", "2026-03-31"}}),
              ElementsAre("2026-01-31", "2026-02-28", "2026-03-31"));
}

TEST_P(DashboardTest, BadTrendParametersAreRefusedWithTheReason) {
  auto res = get("/api/v1/trend", {{"step", "day"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(res.body, HasSubstr("step must be month or week"));
  res = get("/api/v1/trend", {{"from", "2026-06-01"}, {"to", "2026-05-01"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(res.body, HasSubstr("is after to"));
  res = get("/api/v1/trend", {{"from", "2020-01-01"}, {"to", "2026-01-01"}, {"step", "week"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(res.body, HasSubstr("more than 120 points"));
  res = get("/api/v1/trend", {{"from", "yesterday"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(res.body, HasSubstr("YYYY-MM-DD"));
  // Ten years by month is exactly 121 points: one too many.
  res = get("/api/v1/trend", {{"from", "2016-01-01"}, {"to", "2026-01-01"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(get("/api/v1/trend", {{"from", "2016-02-01"}, {"to", "2026-01-01"}}).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, DashboardTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

}  // namespace
}  // namespace ijro::api
