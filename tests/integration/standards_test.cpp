// The real `ijro-hub serve` with the demo configuration: example reports posted over HTTP come
// back from GET /api/v1/export/iati valid against the official IATI 2.03 schema, and from
// GET /api/v1/export/adx valid against the schema IHE's XSLT makes from the hub's DSD, each
// narrowed to the reading token's regions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"
#include "tests/unit/export/export_fixtures.hpp"

namespace ijro::test {
namespace {

using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
namespace fx = exports::test;

constexpr const char* kTashkent = "demo-tashkent-token";
constexpr const char* kAndijan = "demo-andijan-token";
constexpr const char* kNational = "demo-national-read-token";
constexpr const char* kAndijanReader = "demo-andijan-read-token";

class StandardsServe : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tempDir("standards-serve");
    hub_ = std::make_unique<HubProcess>(dir_, sourceDir() / "config/hub.xml");
    hub_->start();
    for (const auto& [file, token] :
         {std::pair{"report-tashkent.xml", kTashkent}, std::pair{"report-andijan.xml", kAndijan}}) {
      auto res = hub_->post("/api/v1/reports", readFile(sourceDir() / "examples" / file),
                            "application/xml", token);
      ASSERT_EQ(res.status, 200) << file << ": " << res.body;
    }
  }
  std::filesystem::path dir_;
  std::unique_ptr<HubProcess> hub_;
};

TEST_F(StandardsServe, PostedExamplesExportAsValidIatiAndAdx) {
  auto iati = hub_->get("/api/v1/export/iati?asOf=2026-11-28", kNational);
  ASSERT_EQ(iati.status, 200) << iati.body;
  EXPECT_THAT(
      fx::violations(sourceDir() / "schemas/iati-2.03/iati-activities-schema.xsd", iati.body),
      IsEmpty());
  EXPECT_THAT(fx::select(iati.body, "//iati-identifier"), Not(IsEmpty()));
  for (const auto& d : fx::select(iati.body, "//activity-date[@type='2' or @type='4']/@iso-date"))
    EXPECT_LE(d, std::string("2026-11-28"));
  EXPECT_THAT(fx::select(iati.body, "//location/@ref"), Contains("SOATO-1726"));

  auto adx = hub_->get("/api/v1/export/adx?period=2026&asOf=2026-11-28", kNational);
  ASSERT_EQ(adx.status, 200) << adx.body;
  EXPECT_THAT(fx::violations(fx::adxSchema(), adx.body), IsEmpty());
  EXPECT_THAT(fx::select(adx.body, "/a:adx/a:group/@orgUnit"), ElementsAre("1703", "1726"));
}

TEST_F(StandardsServe, RegionalReaderExportsItsRegionOnly) {
  auto iati = hub_->get("/api/v1/export/iati?asOf=2026-11-28", kAndijanReader);
  ASSERT_EQ(iati.status, 200) << iati.body;
  EXPECT_THAT(fx::select(iati.body, "//location/@ref"), Each(std::string("SOATO-1703")));
  auto adx = hub_->get("/api/v1/export/adx?period=2026-11&asOf=2026-11-28", kAndijanReader);
  ASSERT_EQ(adx.status, 200) << adx.body;
  EXPECT_THAT(fx::select(adx.body, "/a:adx/a:group/@orgUnit"), ElementsAre("1703"));
  EXPECT_EQ(hub_->get("/api/v1/export/adx?period=2026&region=1726", kAndijanReader).status, 403);
}

// `ijro-hub export --format iati|adx` reads the store the hub serves from and writes the same
// documents, valid against the same schemas; a bad period is refused with exit code 2.
TEST_F(StandardsServe, ExportCommandWritesIatiAndAdxFiles) {
  const std::string config = (sourceDir() / "config/hub.xml").string();
  const std::string store = "sqlite:" + (dir_ / "hub.db").string();
  const auto iatiFile = dir_ / "activities.xml";
  auto iati = runHub({"export", "--config", config, "--store", store, "--format", "iati", "--as-of",
                      "2026-11-28", "--out", iatiFile.string()});
  ASSERT_EQ(iati.exitCode, 0) << iati.err;
  EXPECT_THAT(iati.out, ::testing::HasSubstr("wrote"));
  const std::string activities = readFile(iatiFile);
  EXPECT_THAT(
      fx::violations(sourceDir() / "schemas/iati-2.03/iati-activities-schema.xsd", activities),
      IsEmpty());
  EXPECT_THAT(fx::select(activities, "//iati-identifier"), Not(IsEmpty()));

  const auto adxFile = dir_ / "aggregates.xml";
  auto adx =
      runHub({"export", "--config", config, "--store", store, "--format", "adx", "--period",
              "2026-11", "--as-of", "2026-11-28", "--region", "1703", "--out", adxFile.string()});
  ASSERT_EQ(adx.exitCode, 0) << adx.err;
  const std::string aggregates = readFile(adxFile);
  EXPECT_THAT(fx::violations(fx::adxSchema(), aggregates), IsEmpty());
  EXPECT_THAT(fx::select(aggregates, "/a:adx/a:group/@orgUnit"), ElementsAre("1703"));

  auto noPeriod = runHub({"export", "--config", config, "--store", store, "--format", "adx",
                          "--out", (dir_ / "x.xml").string()});
  EXPECT_EQ(noPeriod.exitCode, 2);
  EXPECT_THAT(noPeriod.err, ::testing::HasSubstr("--period YYYY-MM"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "x.xml"));
}

}  // namespace
}  // namespace ijro::test
