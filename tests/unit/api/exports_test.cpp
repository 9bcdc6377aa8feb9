// GET /api/v1/labels and the XLSX/CSV exports as plain functions of requests, over a real SQLite
// store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "hub/api/api.hpp"
#include "hub/base/sha256.hpp"
#include "hub/i18n/catalogue.hpp"
#include "tables/csv.hpp"
#include "tables/xlsx.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::api {
namespace {

using ::testing::HasSubstr;

constexpr const char* kNational = "national-read-token-0123";
constexpr const char* kAndijan = "andijan-read-token-0123";

model::Implementation sample(const std::string& id, const std::string& region,
                             const std::string& sector, const char* deadline) {
  model::Implementation m;
  m.source = "seed";
  m.measure = {id,
               "Install online cash registers",
               {"resolution", "PP-4699", *model::parseDate("2020-04-28"), ""}};
  m.measure.titles = {{"ru", "Установка онлайн-касс"}};
  m.region = region;
  m.organisation = "State Tax Committee";
  m.sector = sector;
  m.revision = 1;
  m.lifecycle = model::Lifecycle::InProgress;
  m.start = *model::parseDate("2026-01-01");
  m.deadline = *model::parseDate(deadline);
  return m;
}

class ApiExportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::Store::open("sqlite:" + (test::tempDir("api-exports") / "hub.db").string(), 2);
    Settings s;
    intake::Scope ministry;
    ministry.id = "ministry";
    ministry.read = true;
    ministry.tokenSha256 = base::sha256Hex(kNational);
    intake::Scope andijan = ministry;
    andijan.id = "andijan";
    andijan.tokenSha256 = base::sha256Hex(kAndijan);
    andijan.regions = {"1703"};
    s.scopes = {ministry, andijan};
    api_ = std::make_unique<Api>(std::move(s), *store_);
    // 60 overdue implementations in Andijan (tax), 5 open ones in Fergana (health), as of
    // 2026-04-10: more than one page of the list.
    std::vector<model::Implementation> batch;
    for (int i = 0; i < 60; ++i)
      batch.push_back(sample("M-" + std::to_string(100 + i), "1703", "tax", "2026-03-01"));
    for (int i = 0; i < 5; ++i)
      batch.push_back(sample("F-" + std::to_string(i), "1730", "health", "2026-12-31"));
    for (const auto& r : store_->upsert(batch, std::chrono::system_clock::now()))
      ASSERT_EQ(r.outcome, store::Outcome::Accepted) << r.reason;
  }
  http::Response get(const std::string& path, std::multimap<std::string, std::string> query = {},
                     const std::string& token = kNational,
                     std::map<std::string, std::string> headers = {}) {
    http::Request r;
    r.method = "GET";
    r.path = r.target = path;
    r.query = std::move(query);
    r.headers = std::move(headers);
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    return api_->handle(r);
  }
  static std::string header(const http::Response& res, const std::string& name) {
    for (const auto& [k, v] : res.headers)
      if (k == name) return v;
    return {};
  }
  static std::string message(const http::Response& res) {
    return std::string(boost::json::parse(res.body).at("error").at("message").as_string());
  }
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Api> api_;
};

TEST_F(ApiExportsTest, MeasuresCsvHoldsEveryMatchingRowNotOnePage) {
  auto list = get("/api/v1/measures", {{"asOf", "2026-04-10"}});
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(boost::json::parse(list.body).at("total").as_int64(), 65);
  auto res = get("/api/v1/export/measures", {{"format", "csv"}, {"asOf", "2026-04-10"}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.contentType, "text/csv; charset=utf-8");
  EXPECT_EQ(header(res, "Content-Disposition"),
            "attachment; filename=\"measures-2026-04-10-en.csv\"");
  const auto rows = tables::parseCsv(res.body, ',');
  ASSERT_EQ(rows.size(), 66u);  // the header and 65 rows
  EXPECT_EQ(rows[0].fields[0], *i18n::label("column.measure", i18n::Language::En));
}

TEST_F(ApiExportsTest, MeasuresExportAppliesTheListsFilters) {
  auto res = get("/api/v1/export/measures",
                 {{"format", "csv"}, {"asOf", "2026-04-10"}, {"status", "onTrack,notStarted"}});
  ASSERT_EQ(res.status, 200) << res.body;
  const auto rows = tables::parseCsv(res.body, ',');
  ASSERT_EQ(rows.size(), 6u);
  for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_EQ(rows[i].fields[0].substr(0, 2), "F-");
  auto bad = get("/api/v1/export/measures", {{"format", "csv"}, {"rag", "purple"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(message(bad), HasSubstr("rag must be green, amber or red"));
}

TEST_F(ApiExportsTest, MeasuresExportFollowsTheListsOrder) {
  const std::multimap<std::string, std::string> query{
      {"asOf", "2026-04-10"}, {"sort", "-delay"}, {"pageSize", "1000"}};
  auto list = get("/api/v1/measures", query);
  ASSERT_EQ(list.status, 200) << list.body;
  auto q = query;
  q.erase("pageSize");
  q.emplace("format", "csv");
  auto res = get("/api/v1/export/measures", q);
  ASSERT_EQ(res.status, 200) << res.body;
  const auto rows = tables::parseCsv(res.body, ',');
  const auto doc = boost::json::parse(list.body);
  const auto& items = doc.at("items").as_array();
  ASSERT_EQ(rows.size(), items.size() + 1);
  for (std::size_t i = 0; i < items.size(); ++i)
    EXPECT_EQ(rows[i + 1].fields[0], items[i].at("measure").as_string()) << "row " << i + 1;
  EXPECT_EQ(rows[1].fields[0].substr(0, 2), "M-");  // the longest delay first, not the store order
}

TEST_F(ApiExportsTest, MeasuresExportIsNarrowedToTheTokensRegions) {
  auto res = get("/api/v1/export/measures", {{"format", "csv"}, {"asOf", "2026-04-10"}}, kAndijan);
  ASSERT_EQ(res.status, 200) << res.body;
  const auto rows = tables::parseCsv(res.body, ',');
  ASSERT_EQ(rows.size(), 61u);
  for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_EQ(rows[i].fields[0].substr(0, 2), "M-");
  auto outside = get("/api/v1/export/measures", {{"format", "csv"}, {"region", "1730"}}, kAndijan);
  EXPECT_EQ(outside.status, 403);
  EXPECT_THAT(message(outside), HasSubstr("outside the regions"));
  EXPECT_EQ(get("/api/v1/export/measures", {{"format", "csv"}}, "").status, 401);
}

TEST_F(ApiExportsTest, UnknownFormatAndPagingAreRefusedWithTheReason) {
  auto pdf = get("/api/v1/export/measures", {{"format", "pdf"}});
  EXPECT_EQ(pdf.status, 400);
  EXPECT_EQ(pdf.contentType, "application/json");
  EXPECT_THAT(message(pdf), HasSubstr("use format=xlsx or format=csv"));
  auto iati = get("/api/v1/export/summary", {{"format", "iati"}});
  EXPECT_EQ(iati.status, 400);
  EXPECT_THAT(message(iati), HasSubstr("/api/v1/export/iati"));
  auto paged = get("/api/v1/export/measures", {{"format", "csv"}, {"page", "2"}});
  EXPECT_EQ(paged.status, 400);
  EXPECT_THAT(message(paged), HasSubstr("every matching row"));
  auto by = get("/api/v1/export/summary", {{"format", "csv"}, {"by", "colour"}});
  EXPECT_EQ(by.status, 400);
  EXPECT_THAT(message(by), HasSubstr("use region, sector, organisation or measure"));
}

TEST_F(ApiExportsTest, XlsxIsTheDefaultWithHeadersInTheAskedLanguage) {
  auto res = get("/api/v1/export/measures", {{"asOf", "2026-04-10"}}, kNational,
                 {{"accept-language", "ru-RU, en;q=0.5"}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.contentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(header(res, "Content-Language"), "ru");
  auto book = tables::Workbook::openMemory(res.body, "export");
  EXPECT_EQ(book.sheetNames().at(0), "Мероприятия");
  const auto sheet = book.sheet(0);
  ASSERT_EQ(sheet.rows.size(), 66u);
  EXPECT_EQ(sheet.rows[0].cells.at(0).text, "Код мероприятия");
  EXPECT_EQ(sheet.rows[1].cells.at(1).text, "Установка онлайн-касс");  // the title in ru

  auto cyrl = get("/api/v1/export/measures", {{"lang", "uz-Cyrl"}, {"asOf", "2026-04-10"}});
  ASSERT_EQ(cyrl.status, 200) << cyrl.body;
  auto book2 = tables::Workbook::openMemory(cyrl.body, "export");
  EXPECT_EQ(book2.sheet(0).rows[0].cells.at(0).text, "Чора-тадбир коди");
}

TEST_F(ApiExportsTest, SummaryExportHasOneRowPerGroupOfTheSummary) {
  auto summary = get("/api/v1/summary", {{"by", "sector"}, {"asOf", "2026-04-10"}});
  ASSERT_EQ(summary.status, 200) << summary.body;
  const auto doc = boost::json::parse(summary.body);
  const auto& groups = doc.at("groups").as_array();
  auto res = get("/api/v1/export/summary",
                 {{"format", "csv"}, {"by", "sector"}, {"asOf", "2026-04-10"}, {"lang", "ru"}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(header(res, "Content-Disposition"),
            "attachment; filename=\"summary-sector-2026-04-10-ru.csv\"");
  const auto rows = tables::parseCsv(res.body, ',');
  ASSERT_EQ(rows.size(), groups.size() + 1);
  EXPECT_EQ(rows[0].fields[1], "Наименование");
  for (std::size_t i = 0; i < groups.size(); ++i) {
    EXPECT_EQ(rows[i + 1].fields[0], groups[i].at("key").as_string());
    EXPECT_EQ(rows[i + 1].fields[2], std::to_string(groups[i].at("total").as_int64()));
  }
  EXPECT_EQ(rows[2].fields[1], "Налоги");
}

TEST_F(ApiExportsTest, LabelsArePublicAndInTheChosenLanguage) {
  auto res = get("/api/v1/labels", {{"lang", "uz-Cyrl"}}, "");
  ASSERT_EQ(res.status, 200) << res.body;
  const auto doc = boost::json::parse(res.body);
  EXPECT_EQ(doc.at("lang").as_string(), "uz-Cyrl");
  const auto& labels = doc.at("labels").as_object();
  EXPECT_EQ(labels.at("status.OVERDUE").as_string(), "Муддати ўтган");
  EXPECT_EQ(labels.at("status.overdue").as_string(), "Муддати ўтган");
  EXPECT_EQ(labels.at("status.DONE_LATE").as_string(), labels.at("status.doneLate").as_string());
  EXPECT_EQ(labels.at("region.1703").as_string(), "Андижон вилояти");
  EXPECT_EQ(labels.at("sector.health").as_string(), "Соғлиқни сақлаш");
  EXPECT_EQ(labels.at("column.deadline").as_string(), "Амалдаги муддат");

  auto ru = get("/api/v1/labels", {}, "", {{"accept-language", "ru-RU,ru;q=0.9"}});
  EXPECT_EQ(boost::json::parse(ru.body).at("lang").as_string(), "ru");
  auto fallback = get("/api/v1/labels", {}, "", {{"accept-language", "fr"}});
  EXPECT_EQ(boost::json::parse(fallback.body).at("lang").as_string(), "en");
  EXPECT_EQ(get("/api/v1/labels", {{"lang", "not a tag"}}, "").status, 400);
  EXPECT_EQ(get("/api/v1/labels", {{"region", "1703"}}, "").status, 400);
  http::Request post;
  post.method = "POST";
  post.path = post.target = "/api/v1/labels";
  EXPECT_EQ(api_->handle(post).status, 405);
}

}  // namespace
}  // namespace ijro::api
