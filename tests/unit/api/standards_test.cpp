// GET /api/v1/export/iati and /api/v1/export/adx over a real SQLite store holding the example
// reports: valid against the official IATI schema and the ADX schema made from the hub's DSD,
// narrowed to the reader's scope, and clear about what is wrong with a request.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hub/api/api.hpp"
#include "hub/base/sha256.hpp"
#include "tests/support/test_support.hpp"
#include "tests/unit/export/export_fixtures.hpp"

namespace ijro::api {
namespace {

using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
namespace fx = exports::test;

constexpr const char* kNational = "standards-national-token-01";
constexpr const char* kAndijan = "standards-andijan-token-012";

std::filesystem::path iatiSchema() {
  return test::sourceDir() / "schemas" / "iati-2.03" / "iati-activities-schema.xsd";
}

class StandardsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::Store::open("sqlite:" + (test::tempDir("standards") / "hub.db").string(), 2);
    auto all = fx::exampleImplementations();
    for (auto& impl : all) impl.source = "examples";
    // The JSON and XML forms of the Tashkent report carry the same records: duplicates.
    for (const auto& r : store_->upsert(all, std::chrono::system_clock::now()))
      ASSERT_TRUE(r.outcome == store::Outcome::Accepted || r.outcome == store::Outcome::Duplicate)
          << r.reason;
    api_ = std::make_unique<Api>(settings(true), *store_);
  }
  static Settings settings(bool withIati) {
    Settings s;
    s.hubId = "ministry";
    intake::Scope national;
    national.id = "national";
    national.read = true;
    national.tokenSha256 = base::sha256Hex(kNational);
    intake::Scope andijan = national;
    andijan.id = "andijan";
    andijan.tokenSha256 = base::sha256Hex(kAndijan);
    andijan.regions = {"1703"};
    s.scopes = {national, andijan};
    if (withIati) {
      s.iati.reportingOrgRef = "XM-IJRO-MOE";
      s.iati.reportingOrgNames = {{"en", "Ministry of Economy and Finance"},
                                  {"uz-Latn", "Iqtisodiyot va moliya vazirligi"}};
    }
    return s;
  }
  http::Response get(Api& api, const std::string& path,
                     std::multimap<std::string, std::string> query,
                     const std::string& token = kNational) {
    http::Request r;
    r.method = "GET";
    r.path = r.target = path;
    r.query = std::move(query);
    r.headers["authorization"] = "Bearer " + token;
    r.headers["accept"] = "application/json";
    return api.handle(r);
  }
  http::Response get(const std::string& path, std::multimap<std::string, std::string> query,
                     const std::string& token = kNational) {
    return get(*api_, path, std::move(query), token);
  }
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Api> api_;
};

TEST_F(StandardsApi, IatiOfTheStoredExamplesValidatesWithNoActualDateAfterAsOf) {
  for (const char* asOf : {"2026-03-15", "2026-11-28"}) {
    SCOPED_TRACE(asOf);
    auto res = get("/api/v1/export/iati", {{"asOf", asOf}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_THAT(res.contentType, HasSubstr("application/xml"));
    EXPECT_THAT(fx::violations(iatiSchema(), res.body), IsEmpty());
    EXPECT_THAT(fx::select(res.body, "//iati-identifier"), Each(HasSubstr("XM-IJRO-MOE-")));
    for (const auto& d : fx::select(res.body, "//activity-date[@type='2' or @type='4']/@iso-date"))
      EXPECT_LE(d, std::string(asOf));
  }
}

TEST_F(StandardsApi, AdxOfTheStoredExamplesValidatesAgainstTheSchemaMadeFromTheDsd) {
  auto res = get("/api/v1/export/adx", {{"period", "2026-11"}, {"asOf", "2026-11-28"}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_THAT(res.contentType, HasSubstr("application/adx+xml"));
  EXPECT_THAT(fx::violations(fx::adxSchema(), res.body), IsEmpty());
  EXPECT_THAT(fx::select(res.body, "/a:adx/a:group/@orgUnit"), SizeIs(::testing::Gt(1u)));
}

TEST_F(StandardsApi, ExportsAreNarrowedToTheReadersRegions) {
  auto iati = get("/api/v1/export/iati", {{"asOf", "2026-11-28"}}, kAndijan);
  ASSERT_EQ(iati.status, 200) << iati.body;
  EXPECT_THAT(fx::select(iati.body, "//location/@ref"), Each(std::string("SOATO-1703")));
  EXPECT_THAT(fx::select(iati.body, "//location/@ref"), Not(IsEmpty()));
  auto adx = get("/api/v1/export/adx", {{"period", "2026"}, {"asOf", "2026-11-28"}}, kAndijan);
  ASSERT_EQ(adx.status, 200) << adx.body;
  EXPECT_THAT(fx::select(adx.body, "/a:adx/a:group/@orgUnit"), ElementsAre("1703"));
  // The national reader sees more than Andijan.
  auto all = get("/api/v1/export/adx", {{"period", "2026"}, {"asOf", "2026-11-28"}});
  EXPECT_THAT(fx::select(all.body, "/a:adx/a:group/@orgUnit"), Contains("1726"));
  // A region outside the token's is refused, not answered empty.
  auto outside = get("/api/v1/export/iati", {{"region", "1726"}}, kAndijan);
  EXPECT_EQ(outside.status, 403);
  EXPECT_THAT(outside.body, HasSubstr("outside the regions"));
  auto region = get("/api/v1/export/iati", {{"region", "1726"}, {"asOf", "2026-11-28"}});
  ASSERT_EQ(region.status, 200);
  EXPECT_THAT(fx::select(region.body, "//location/@ref"), Each(std::string("SOATO-1726")));
}

TEST_F(StandardsApi, AdxNamesWhatIsWrongWithThePeriod) {
  auto missing = get("/api/v1/export/adx", {});
  EXPECT_EQ(missing.status, 400);
  EXPECT_THAT(missing.body, HasSubstr("period=YYYY-MM"));
  auto bad = get("/api/v1/export/adx", {{"period", "2026-13"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("not a month or a year"));
  auto future = get("/api/v1/export/adx", {{"period", "2027-01"}, {"asOf", "2026-11-28"}});
  EXPECT_EQ(future.status, 400);
  EXPECT_THAT(future.body, HasSubstr("begins after asOf"));
  auto unknown = get("/api/v1/export/adx", {{"period", "2026"}, {"format", "csv"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_THAT(unknown.body, HasSubstr("unknown query parameter \\\"format\\\""));
  EXPECT_THAT(unknown.body, HasSubstr("period"));
}

TEST_F(StandardsApi, NothingToExportIsNotFoundRatherThanAnInvalidDocument) {
  // Karakalpakstan has no example reports.
  auto iati = get("/api/v1/export/iati", {{"region", "1735"}});
  EXPECT_EQ(iati.status, 404);
  EXPECT_THAT(iati.body, HasSubstr("no implementations"));
  auto adx = get("/api/v1/export/adx", {{"region", "1735"}, {"period", "2026"}});
  EXPECT_EQ(adx.status, 404);
  // Work begun only later than the period.
  auto early = get("/api/v1/export/adx", {{"period", "2000"}, {"asOf", "2026-11-28"}});
  EXPECT_EQ(early.status, 404);
}

TEST_F(StandardsApi, IatiWithoutAReportingOrganisationNamesTheConfiguration) {
  Api bare(settings(false), *store_);
  auto res = get(bare, "/api/v1/export/iati", {});
  EXPECT_EQ(res.status, 503);
  EXPECT_THAT(res.body, HasSubstr("<iati reportingOrg="));
}

TEST_F(StandardsApi, ExportsNeedAReadToken) {
  auto res = get("/api/v1/export/iati", {}, "no-such-token-000000000");
  EXPECT_EQ(res.status, 401);
}

}  // namespace
}  // namespace ijro::api
