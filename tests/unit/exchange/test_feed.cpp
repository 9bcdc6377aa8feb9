#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hub/exchange/feed.hpp"
#include "hub/exchange/report.hpp"
#include "hub/xml/schema.hpp"
#include "tests/unit/exchange/sample.hpp"

namespace ijro::exchange {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using test::date;

const model::Date kAsOf = date("2026-11-28");

std::string feedOf(const std::vector<model::Implementation>& impls,
                   const model::StatusRules& rules = {}) {
  return writeFeed({"tashkent-city-hub", "2026-11-28T10:00:00Z", kAsOf}, rules,
                   [&](const auto& sink) {
                     for (const auto& impl : impls) sink(impl);
                   });
}

// One implementation per execution status.
std::vector<model::Implementation> everyStatus() {
  auto base = test::minimalImplementation();
  base.region = "1726";
  base.start = date("2026-01-01");
  base.deadline = date("2026-12-31");
  base.lifecycle = model::Lifecycle::InProgress;
  std::vector<model::Implementation> out;
  auto add = [&](const char* id, auto change) {
    auto impl = base;
    impl.measure.id = id;
    change(impl);
    out.push_back(impl);
  };
  add("M-not-started", [](auto& i) { i.start = date("2026-12-01"); });
  add("M-on-track", [](auto& i) { i.deadline = date("2027-06-30"); });
  add("M-at-risk", [](auto& i) {
    i.indicators = {{"X", "x", "", true, 0, {{date("2026-01-01"), date("2026-12-31"), 100, 10}}}};
  });
  add("M-overdue", [](auto& i) { i.deadline = date("2026-10-31"); });
  add("M-done-on-time", [](auto& i) { i.completed = date("2026-11-01"); });
  add("M-done-late", [](auto& i) {
    i.deadline = date("2026-10-31");
    i.completed = date("2026-11-10");
    i.region = "1703202";
    i.sector = "health";
  });
  add("M-cancelled", [](auto& i) { i.lifecycle = model::Lifecycle::Cancelled; });
  add("M-suspended", [](auto& i) { i.lifecycle = model::Lifecycle::Suspended; });
  return out;
}

constexpr const char* kNs = "urn:ijro-hub:feed:1";

std::vector<std::string> q(const std::string& feed, const char* expression) {
  return test::xpath(feed, "f", kNs, expression);
}

TEST(Feed, ValidatesAgainstTheFeedSchema) {
  xml::Schema schema(test::schemaPath("monitoring-feed.xsd"));
  auto impls = everyStatus();
  impls.push_back(test::fullImplementation());
  const std::string feed = feedOf(impls);
  EXPECT_THAT(test::violations(schema, feed, "feed"), IsEmpty()) << feed;
  EXPECT_THAT(q(feed, "/f:feed/f:implementation/f:evaluation/@status"),
              ElementsAre("notStarted", "onTrack", "atRisk", "overdue", "doneOnTime", "doneLate",
                          "cancelled", "suspended", "doneOnTime"));
}

TEST(Feed, EmptyFeedValidates) {
  xml::Schema schema(test::schemaPath("monitoring-feed.xsd"));
  const std::string feed = feedOf({});
  EXPECT_THAT(test::violations(schema, feed, "feed"), IsEmpty()) << feed;
  EXPECT_THAT(q(feed, "/f:feed/@asOf"), ElementsAre("2026-11-28"));
  EXPECT_THAT(q(feed, "/f:feed/@hub"), ElementsAre("tashkent-city-hub"));
}

TEST(Feed, CarriesFactsAndEvaluation) {
  auto impl = test::minimalImplementation();
  impl.source = "andijan-region";
  impl.lifecycle = model::Lifecycle::InProgress;
  impl.start = date("2026-02-01");
  impl.deadline = date("2026-12-15");
  impl.indicators = {{"EDU",
                      "Schools",
                      "schools",
                      true,
                      420,
                      {{date("2026-01-01"), date("2026-12-31"), 745, 700}}}};
  const std::string feed = feedOf({impl});
  EXPECT_THAT(q(feed, "/f:feed/f:implementation/@source"), ElementsAre("andijan-region"));
  EXPECT_THAT(q(feed, "/f:feed/f:implementation/@revision"), ElementsAre("1"));
  EXPECT_THAT(q(feed, "/f:feed/f:implementation/f:region"), ElementsAre("1703202"));
  EXPECT_THAT(q(feed, "//f:evaluation/@status"), ElementsAre("atRisk"));
  EXPECT_THAT(q(feed, "//f:evaluation/@rag"), ElementsAre("amber"));
  EXPECT_THAT(q(feed, "//f:evaluation/@deadline"), ElementsAre("2026-12-15"));
  EXPECT_THAT(q(feed, "//f:evaluation/@delayDays"), ElementsAre("0"));
  EXPECT_THAT(q(feed, "//f:evaluation/@earlyWarning"), ElementsAre("true"));
  EXPECT_THAT(q(feed, "//f:evaluation/@countsForDelay"), ElementsAre("true"));
  // Shortest text that reads back as the same double: 280 / 325.
  const auto progress = q(feed, "//f:evaluation/@progress");
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(std::stod(progress[0]), 280.0 / 325.0);
  EXPECT_EQ(progress[0], "0.8615384615384616");
  EXPECT_EQ(q(feed, "//f:evaluation/@timeElapsed").size(), 1u);
  EXPECT_EQ(q(feed, "//f:evaluation/@ratio").size(), 1u);
}

TEST(Feed, RollsUpByMeasureRegionSectorAndOrganisation) {
  const std::string feed = feedOf(everyStatus());
  EXPECT_THAT(q(feed, "//f:rollup[@by='region']/@key"), ElementsAre("1703", "1726"));
  EXPECT_THAT(q(feed, "//f:rollup[@by='sector']/@key"), ElementsAre("education", "health"));
  EXPECT_THAT(q(feed, "//f:rollup[@by='organisation']/@key"),
              ElementsAre("Andijan District Education Unit"));
  EXPECT_EQ(q(feed, "//f:rollup[@by='measure']").size(), 8u);
  // The whole organisation: 8 implementations, 2 done, 1 of them late.
  const char* org = "//f:rollup[@by='organisation']";
  EXPECT_THAT(q(feed, (std::string(org) + "/@total").c_str()), ElementsAre("8"));
  EXPECT_THAT(q(feed, (std::string(org) + "/@rag").c_str()), ElementsAre("red"));
  EXPECT_THAT(q(feed, (std::string(org) + "/@done").c_str()), ElementsAre("2"));
  EXPECT_THAT(q(feed, (std::string(org) + "/@doneLate").c_str()), ElementsAre("1"));
  EXPECT_THAT(q(feed, (std::string(org) + "/@shareDoneLate").c_str()), ElementsAre("0.5"));
  EXPECT_THAT(q(feed, (std::string(org) + "/f:count/@status").c_str()),
              ElementsAre("notStarted", "onTrack", "atRisk", "overdue", "doneOnTime", "doneLate",
                          "cancelled", "suspended"));
  EXPECT_THAT(q(feed, "//f:rollup[@by='region'][@key='1703']/@shareDoneLate"), ElementsAre("1"));
  // Rules are passed through: with a 400-day warning window everything open warns.
  model::StatusRules rules;
  rules.earlyWarningDays = 400;
  EXPECT_THAT(q(feedOf(everyStatus(), rules), "//f:rollup[@by='organisation']/@earlyWarnings"),
              ElementsAre("3"));
}

TEST(Feed, RefusesTextXmlCannotCarry) {
  auto impl = test::minimalImplementation();
  impl.note = "bell \x07";
  EXPECT_THROW(feedOf({impl}), std::invalid_argument);
}

}  // namespace
}  // namespace ijro::exchange
