// rest-json's parts without a server: JSON paths, the mapping of an item to the model and a page's
// items as records; and the plugin's option checks through the test kit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <ijro_testkit.hpp>
#include <string>

#include "json_path.hpp"
#include <mapping/mapping.hpp>
#include "rest_items.hpp"

namespace {

using namespace ijro::rest_json;
using namespace ijro::mapping;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

ijro::sdk::Table table(std::vector<ijro::sdk::Table::Row> rows) {
  return ijro::sdk::Table(std::move(rows));
}

const ijro::sdk::Table kFields = table({{"measure", "id"},
                                        {"title", "name.uz"},
                                        {"organisation", "executor"},
                                        {"region", "region.soato"},
                                        {"start", "start_date"},
                                        {"deadline", "due_date"},
                                        {"completed", "done_date"},
                                        {"status", "state"},
                                        {"progress", "percent"},
                                        {"comment", "comment"}});
const ijro::sdk::Table kDefaults = table({{"sector", "education"},
                                          {"act_type", "resolution"},
                                          {"act_number", "PQ-60"},
                                          {"act_date", "2022-01-28"}});
const ijro::sdk::Table kStatuses =
    table({{"Jarayonda", "inProgress"}, {"Bajarildi", "completed"}, {"Rejada", "planned"}});

ItemReader reader(const std::string& items = "data.items") {
  return ItemReader(items, kFields, Mapping(kFields, kDefaults, kStatuses, "fields"));
}

std::string item(const std::string& due, const std::string& extra = "",
                 const std::string& percent = "40") {
  return R"({"id":"AND-1","name":{"uz":"Maktablarni ta'mirlash"},"executor":"Andijon XTB",)"
         R"("region":{"soato":"1703"},"start_date":"2026-01-15","due_date":)" +
         due + R"(,"state":"Jarayonda","percent":)" + percent + extra + "}";
}

TEST(RestJsonPath, DottedPathsAndJsonPointersFindTheSameValue) {
  const auto doc = boost::json::parse(R"({"data":{"items":[{"a/b":1},{"x":{"y":"z"}}]}})");
  for (const char* p : {"data.items[1].x.y", "/data/items/1/x/y", "$.data.items[1].x.y"}) {
    const auto* v = JsonPath::parse(p).find(doc);
    ASSERT_NE(v, nullptr) << p;
    EXPECT_EQ(v->as_string(), "z") << p;
  }
  const auto* escaped = JsonPath::parse("/data/items/0/a~1b").find(doc);
  ASSERT_NE(escaped, nullptr);
  EXPECT_EQ(escaped->as_int64(), 1);
  EXPECT_EQ(JsonPath::parse("data.items[5]").find(doc), nullptr);
  EXPECT_EQ(JsonPath::parse("/data/items/1/x/y").text(), "data.items[1].x.y");
}

TEST(RestJsonPath, MalformedPathsAreRefusedSayingWhy) {
  EXPECT_THROW(JsonPath::parse("data..items"), std::invalid_argument);
  EXPECT_THROW(JsonPath::parse("data.items[1"), std::invalid_argument);
  EXPECT_THROW(JsonPath::parse("data.items[x]"), std::invalid_argument);
  EXPECT_THROW(JsonPath::parse("/a~2b"), std::invalid_argument);
  try {
    JsonPath::parse("data.");
    FAIL() << "a path ending in '.' was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("ends in '.'"));
  }
}

TEST(RestJsonItems, AnItemIsMappedToEveryConfiguredFieldOfTheRecord) {
  const auto page = reader().read(
      R"({"data":{"items":[)" + item("\"2026-12-31\"", R"(,"comment":"Smeta tayyor")") + "]}}",
      "page 1", 1700000000);
  ASSERT_THAT(page.rejected, SizeIs(0)) << page.rejected[0];
  ASSERT_THAT(page.records, SizeIs(1));
  const auto r = boost::json::parse(page.records[0]).as_object();
  EXPECT_EQ(r.at("revision").as_int64(), 1700000000);
  EXPECT_EQ(r.at("measure").at("id").as_string(), "AND-1");
  EXPECT_EQ(r.at("measure").at("title").as_string(), "Maktablarni ta'mirlash");
  EXPECT_EQ(r.at("measure").at("act").at("number").as_string(), "PQ-60");
  EXPECT_EQ(r.at("measure").at("act").at("type").as_string(), "resolution");
  EXPECT_EQ(r.at("region").as_string(), "1703");
  EXPECT_EQ(r.at("organisation").as_string(), "Andijon XTB");
  EXPECT_EQ(r.at("sector").as_string(), "education");
  EXPECT_EQ(r.at("lifecycle").as_string(), "inProgress");
  EXPECT_EQ(r.at("start").as_string(), "2026-01-15");
  EXPECT_EQ(r.at("deadline").as_string(), "2026-12-31");
  EXPECT_EQ(r.at("note").as_string(), "Smeta tayyor");
  const auto& period = r.at("indicators").at(0).at("periods").at(0);
  EXPECT_EQ(period.at("actual").to_number<double>(), 40);
  EXPECT_EQ(period.at("target").to_number<double>(), 100);
}

TEST(RestJsonItems, AnUnmappableItemIsRejectedWithItsPathAndTheOthersPass) {
  const auto page =
      reader("items").read(R"({"items":[)" + item("\"2026-12-31\"") + "," + item("\"2026-06-30\"") +
                               "," + item("\"2026-09-30\"") + "," + item("\"31.12.2026\"") + "]}",
                           "page 1 of http://x/measures", 1);
  EXPECT_THAT(page.records, SizeIs(3));
  ASSERT_THAT(page.rejected, SizeIs(1));
  EXPECT_THAT(page.rejected[0],
              HasSubstr("items[3].due_date: \"31.12.2026\" is not a date (YYYY-MM-DD)"));
  EXPECT_THAT(page.rejected[0], HasSubstr("page 1 of http://x/measures"));
  EXPECT_THAT(page.rejected[0], HasSubstr("measure AND-1, region 1703"));
}

TEST(RestJsonItems, EachBadValueIsNamedByItsPath) {
  const auto page = reader().read(
      R"({"data":{"items":[)" + item("\"2026-12-31\"", "", "140") + "," +
          R"({"id":"AND-2","name":{"uz":"T"},"executor":"E","region":{"soato":"Andijon"},)"
          R"("start_date":"2026-01-01","due_date":"2026-12-31","state":"Kutilmoqda"},)"
          R"({"id":"AND-3","name":{"uz":"T"},"executor":"E","region":{"soato":"1703"},)"
          R"("start_date":"2026-01-01","state":"Bajarildi"}, 7]}})",
      "p", 1);
  EXPECT_THAT(page.records, SizeIs(0));
  ASSERT_THAT(page.rejected, SizeIs(4));
  EXPECT_THAT(page.rejected[0],
              HasSubstr("data.items[0].percent: 140 is not a percentage from 0 to 100"));
  EXPECT_THAT(page.rejected[1], HasSubstr("data.items[1].region.soato: \"Andijon\" is not a "
                                          "SOATO code"));
  EXPECT_THAT(page.rejected[1], HasSubstr("data.items[1].state: \"Kutilmoqda\" is not a known "
                                          "status: add it to the option statuses"));
  EXPECT_THAT(page.rejected[2], HasSubstr("data.items[2].due_date: missing"));
  EXPECT_THAT(page.rejected[2], HasSubstr("data.items[2].state: \"Bajarildi\" means completed, "
                                          "but the item has no completion date"));
  EXPECT_THAT(page.rejected[3], HasSubstr("data.items[3]: expected an object, found a number"));
}

TEST(RestJsonItems, APageWithoutTheItemsArrayFailsNamingThePath) {
  EXPECT_THROW(reader().read(R"({"data":{"list":[]}})", "page 1", 1), std::runtime_error);
  try {
    reader().read(R"({"data":{"items":{"a":1}}})", "page 2 of http://x", 1);
    FAIL() << "an object at the items path was taken for an array";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("page 2 of http://x: data.items (option items) is an "
                                    "object, not an array"));
  }
  EXPECT_EQ(reader("").count(R"([1,2,3])", "p"), 3u);
}

TEST(RestJsonMapping, StatusWordsCompareWithoutCaseAndLifecycleWordsPassAsTheyAre) {
  Mapping m(kFields, kDefaults, kStatuses, "fields");
  EXPECT_EQ(m.lifecycleOf("  BAJARILDI "), "completed");
  EXPECT_EQ(m.lifecycleOf("suspended"), "suspended");
  EXPECT_EQ(m.lifecycleOf("Kutilmoqda"), std::nullopt);
}

TEST(RestJsonMapping, WithoutAStatusTheDatesAndPercentGiveTheLifecycle) {
  const auto fields = table({{"measure", "id"},
                             {"title", "t"},
                             {"organisation", "o"},
                             {"region", "r"},
                             {"start", "s"},
                             {"deadline", "d"},
                             {"completed", "c"},
                             {"progress", "p"},
                             {"revision", "v"}});
  ItemReader r("", fields, Mapping(fields, kDefaults, {}, "fields"));
  const auto page = r.read(
      R"([{"id":1,"t":"T","o":"O","r":1703,"s":"2026-01-01","d":"2026-12-31","v":"2026-11-01T10:00:00+05:00"},
          {"id":2,"t":"T","o":"O","r":1703,"s":"2026-01-01","d":"2026-12-31","p":"12,5 %","v":3},
          {"id":3,"t":"T","o":"O","r":1703,"s":"2026-01-01","d":"2026-12-31","c":"2026-03-01T00:00:00Z"}])",
      "p", 9);
  ASSERT_THAT(page.rejected, SizeIs(0)) << page.rejected[0];
  ASSERT_THAT(page.records, SizeIs(3));
  const auto a = boost::json::parse(page.records[0]), b = boost::json::parse(page.records[1]),
             c = boost::json::parse(page.records[2]);
  EXPECT_EQ(a.at("lifecycle").as_string(), "planned");
  EXPECT_EQ(a.at("measure").at("id").as_string(), "1");
  EXPECT_EQ(a.at("region").as_string(), "1703");
  EXPECT_EQ(a.at("revision").as_int64(), unixSeconds("2026-11-01T05:00:00Z"));
  EXPECT_EQ(unixSeconds("2026-11-01T05:00:00Z"), 1793509200);
  EXPECT_EQ(b.at("lifecycle").as_string(), "inProgress");
  EXPECT_EQ(b.at("revision").as_int64(), 3);
  EXPECT_EQ(b.at("indicators").at(0).at("periods").at(0).at("actual").to_number<double>(), 12.5);
  EXPECT_EQ(c.at("lifecycle").as_string(), "completed");
  EXPECT_EQ(c.at("completed").as_string(), "2026-03-01");
  EXPECT_EQ(c.at("revision").as_int64(), 9);
}

TEST(RestJsonMapping, ConfigurationMistakesAreRefusedNamingTheOption) {
  auto refused = [](const ijro::sdk::Table& f, const ijro::sdk::Table& d,
                    const ijro::sdk::Table& s) -> std::string {
    try {
      Mapping(f, d, s, "fields");
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  auto with = [](ijro::sdk::Table::Row extra) {
    auto rows = kFields.rows();
    rows.push_back(std::move(extra));
    return table(rows);
  };
  EXPECT_THAT(refused(with({"dedline", "x"}), kDefaults, kStatuses),
              HasSubstr("option fields: \"dedline\" is not a field of the model"));
  EXPECT_THAT(refused(kFields, table({{"sector", "education"}}), kStatuses),
              HasSubstr("the field act_type is required"));
  EXPECT_THAT(refused(kFields, kDefaults, table({{"Tugadi", "done"}})),
              HasSubstr("option statuses: \"Tugadi\" -> \"done\""));
  auto defaults = kDefaults.rows();
  defaults[3].second = "28.01.2022";
  EXPECT_THAT(refused(kFields, table(defaults), kStatuses),
              HasSubstr("option defaults: act_date: \"28.01.2022\" is not a date"));
  EXPECT_EQ(refused(kFields, kDefaults, kStatuses), "accepted");
}

TEST(RestJsonDates, OnlyRealIsoDatesAreDates) {
  EXPECT_EQ(isoDate("2026-02-28"), "2026-02-28");
  EXPECT_EQ(isoDate("2028-02-29T00:00:00Z"), "2028-02-29");
  EXPECT_EQ(isoDate("2026-02-29"), std::nullopt);
  EXPECT_EQ(isoDate("31.12.2026"), std::nullopt);
  EXPECT_EQ(isoDate("2026-12-31x"), std::nullopt);
  EXPECT_EQ(unixSeconds("1970-01-02"), 86400);
  EXPECT_EQ(unixSeconds("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(unixSeconds("2026-11-01T10:00"), unixSeconds("2026-11-01T10:00:00Z"));
  EXPECT_EQ(unixSeconds("2026-11-01T25:00:00Z"), std::nullopt);
}

TEST(RestJsonPlugin, OptionsThatCannotWorkStopTheInstanceWithTheReason) {
  const ijro::testkit::Options base{{"url", "http://127.0.0.1:9/measures"},
                                    {"fields", ijro::sdk::tableText(kFields.rows())},
                                    {"defaults", ijro::sdk::tableText(kDefaults.rows())}};
  auto refusal = [&](ijro::testkit::Options extra) -> std::string {
    auto o = base;
    for (auto& [k, v] : extra) o[k] = v;
    try {
      ijro::testkit::PluginUnderTest p(IJRO_PLUGIN_PATH, o);
    } catch (const ijro::testkit::PluginError& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(refusal({}), "accepted");
  EXPECT_THAT(refusal({{"paging", "pages"}}), HasSubstr("\"pages\" is not a paging style"));
  EXPECT_THAT(refusal({{"paging", "cursor"}}), HasSubstr("option cursor_path"));
  EXPECT_THAT(refusal({{"items", "data..items"}}), HasSubstr("option items"));
  EXPECT_THAT(refusal({{"page_size", "0"}}), HasSubstr("option page_size"));
}

TEST(RestJsonPlugin, AServerThatCannotBeReachedMakesThePollRetry) {
  ijro::testkit::PluginUnderTest p(IJRO_PLUGIN_PATH,
                                   {{"url", "http://127.0.0.1:9/measures"},
                                    {"fields", ijro::sdk::tableText(kFields.rows())},
                                    {"defaults", ijro::sdk::tableText(kDefaults.rows())},
                                    {"timeout_ms", "2000"}});
  const auto run = p.poll();
  EXPECT_EQ(run.status, ijro::testkit::Status::Retry) << run.message;
  EXPECT_THAT(run.message, HasSubstr("127.0.0.1:9"));
  EXPECT_EQ(run.checkpoint, std::nullopt);
}

}  // namespace
