#include "hub/http/url.hpp"

#include <gtest/gtest.h>

namespace ijro::http {
namespace {

TEST(HttpUrl, PercentDecodeEscapesAndPlus) {
  EXPECT_EQ(percentDecode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(percentDecode("a+b", false), "a+b");
  EXPECT_EQ(percentDecode("a+b", true), "a b");
  EXPECT_EQ(percentDecode("%D0%A2%d0%be%D1%88", true), "\xD0\xA2\xD0\xBE\xD1\x88");  // "Тош"
}

TEST(HttpUrl, PercentDecodeKeepsInvalidEscapes) {
  EXPECT_EQ(percentDecode("100%", true), "100%");
  EXPECT_EQ(percentDecode("%4", true), "%4");
  EXPECT_EQ(percentDecode("%zz%41", true), "%zzA");
  EXPECT_EQ(percentDecode("", true), "");
}

TEST(HttpUrl, ParseQuery) {
  const auto q = parseQuery("?region=1703&name=Tosh+kent&region=1704&empty=&flag&&x%3Dy=a%26b");
  ASSERT_EQ(q.size(), 6u);
  auto [b, e] = q.equal_range("region");
  ASSERT_EQ(std::distance(b, e), 2);
  EXPECT_EQ(b->second, "1703");
  EXPECT_EQ(std::next(b)->second, "1704");
  EXPECT_EQ(q.find("name")->second, "Tosh kent");
  EXPECT_EQ(q.find("empty")->second, "");
  EXPECT_EQ(q.find("flag")->second, "");
  EXPECT_EQ(q.find("x=y")->second, "a&b");
  EXPECT_TRUE(parseQuery("").empty());
}

TEST(HttpUrl, SplitTargetOriginForm) {
  auto t = splitTarget("/api/v1/a%20b?x=1&y=%20#frag");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.path, "/api/v1/a b");
  EXPECT_EQ(t.query, "x=1&y=%20");
  t = splitTarget("/plain");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.path, "/plain");
  EXPECT_EQ(t.query, "");
}

TEST(HttpUrl, SplitTargetAbsoluteFormAndAsterisk) {
  auto t = splitTarget("http://hub.example:8080/api/v1/x?y=1");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.path, "/api/v1/x");
  EXPECT_EQ(t.query, "y=1");
  t = splitTarget("http://hub.example");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.path, "/");
  t = splitTarget("*");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.path, "*");
}

TEST(HttpUrl, SplitTargetRejectsOtherForms) {
  EXPECT_FALSE(splitTarget("").ok);
  EXPECT_FALSE(splitTarget("api/v1").ok);
  EXPECT_FALSE(splitTarget("://x/y").ok);
  EXPECT_FALSE(splitTarget("ht tp://x/y").ok);
}

}  // namespace
}  // namespace ijro::http
