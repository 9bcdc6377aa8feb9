#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

#include "hub/exchange/json_text.hpp"

namespace ijro::exchange {
namespace {

std::string escaped(std::string_view s) {
  std::string out;
  appendJsonString(out, s);
  return out;
}

// Every ASCII byte, alone and between other text, is escaped exactly as Boost.JSON's serializer
// escapes it (the documents the hub wrote before were Boost's text).
TEST(JsonText, StringsAreEscapedAsBoostEscapesThem) {
  for (int c = 0; c < 0x80; ++c) {
    const std::string one(1, static_cast<char>(c));
    EXPECT_EQ(escaped(one), boost::json::serialize(boost::json::string(one))) << "byte " << c;
    const std::string between = "a" + one + "b" + one;
    EXPECT_EQ(escaped(between), boost::json::serialize(boost::json::string(between)))
        << "byte " << c;
  }
  for (const char* s : {"", "Toshkent shahri", "O\xCA\xBBzbekiston", "\xD0\xA2\xD0\xBE",
                        "\xF0\x9F\x93\x88 up", "line\nbreak\r\n\ttab \"q\" \\ /"})
    EXPECT_EQ(escaped(s), boost::json::serialize(boost::json::string(s))) << s;
}

TEST(JsonText, ScalarsAndContainersAreBoostsTextExceptDoubles) {
  const auto v = boost::json::parse(
      R"({"a":null,"b":true,"c":false,"d":-9223372036854775808,"e":18446744073709551615,)"
      R"("f":[1,"x\u0001",{"g":[]}],"h":{},"\u0007k":"v"})");
  EXPECT_EQ(toJsonText(v), boost::json::serialize(v));
  // A double is written in its shortest round-trip form, not Boost's exponent form.
  EXPECT_EQ(toJsonText(boost::json::value(24.5)), "24.5");
}

}  // namespace
}  // namespace ijro::exchange
