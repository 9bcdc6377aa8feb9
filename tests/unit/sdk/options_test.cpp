// The C++ SDK's ABI 1.2 pieces: the table option's canonical text (parseTable, tableText, the one
// parser the hub checks tables with), and gauges on a hub whose host table predates them.
#include <ijro_plugin.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstddef>

namespace {

using ijro::sdk::parseTable;
using ijro::sdk::tableText;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(SdkTable, ParsesRowsInOrderWithEscapes) {
  auto t = parseTable(
      R"( { "Organization/tashkent-health" : "1726", "a\"b\\c" : "", "\u0422\u043e\u0448": "\ud83d\ude00\n" } )");
  EXPECT_THAT(t.rows(),
              ElementsAre(Pair("Organization/tashkent-health", "1726"), Pair("a\"b\\c", ""),
                          Pair("\xD0\xA2\xD0\xBE\xD1\x88", "\xF0\x9F\x98\x80\n")));
  EXPECT_EQ(t.find("a\"b\\c"), "");
  EXPECT_EQ(t.find("missing"), std::nullopt);
  EXPECT_TRUE(parseTable("{}").empty());
}

TEST(SdkTable, TextRoundTripsThroughTheParser) {
  const std::vector<ijro::sdk::Table::Row> rows = {
      {"k\"1", "v\\1"}, {"tab\tkey", "line\nbreak"}, {"ctl\x01", "\xD0\x90"}};
  const std::string text = tableText(rows);
  EXPECT_EQ(text, R"({"k\"1":"v\\1","tab\tkey":"line\nbreak","ctl\u0001":"А"})");
  EXPECT_EQ(parseTable(text).rows(), rows);
}

TEST(SdkTable, RefusesWhatIsNotATableNamingWhere) {
  auto refused = [](const char* text) {
    try {
      parseTable(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_THAT(refused(R"({"a":"1","a":"2"})"),
              AllOf(HasSubstr("byte 9"), HasSubstr("row 2: key \"a\" is already used")));
  EXPECT_THAT(refused(R"({"":"1"})"), HasSubstr("row 1 has an empty key"));
  EXPECT_THAT(refused(R"({"a":1})"), HasSubstr("a string must start"));
  EXPECT_THAT(refused("a=1;b=2"), HasSubstr("does not start with '{'"));
  EXPECT_THAT(refused(R"({"a":"1"} x)"), HasSubstr("text after the closing"));
  EXPECT_THAT(refused(R"({"a":"\ud800"})"), HasSubstr("lone surrogate"));
  EXPECT_THAT(refused(R"({"a":"1",})"), HasSubstr("a string must start"));
  EXPECT_THAT(refused("{\"a\":\"\x01\"}"), HasSubstr("control character"));
}

int gaugeCalls = 0;
void gaugePastTheEnd(ijro_host*, const char*, double) {
  ++gaugeCalls;
}

TEST(SdkHost, GaugesOnAHubBeforeAbiOneTwoSayTheHubIsTooOld) {
  ijro_host_api api{};
  api.struct_size = offsetof(ijro_host_api, callback_gauge_set);  // what a 1.1 hub hands out
  api.abi_major = 1;
  api.abi_minor = 1;
  api.callback_gauge_set = &gaugePastTheEnd;
  ijro_host host{&api, nullptr};
  const ijro::sdk::Host h(&host);
  EXPECT_FALSE(h.hasGauges());
  try {
    h.gaugeSet("rows_done", 1);
    ADD_FAILURE() << "a gauge on a 1.1 hub";
  } catch (const ijro::sdk::HostTooOld& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("Host::gaugeSet"), HasSubstr("ABI 1.2 or later"),
                                HasSubstr("this hub implements ABI 1.1")));
  }
  EXPECT_EQ(gaugeCalls, 0);
  api.struct_size = sizeof(ijro_host_api);
  api.abi_minor = 2;
  EXPECT_TRUE(h.hasGauges());
  h.gaugeSet("rows_done", 1);
  EXPECT_EQ(gaugeCalls, 1);
}

}  // namespace
