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

TEST(HttpUrl, ParseUrlTakesSchemeHostPortAndTarget) {
  const auto a = parseUrl("https://hub.example:8443/api/v1/feed?since=3#top");
  EXPECT_EQ(a.error, "");
  EXPECT_TRUE(a.https);
  EXPECT_EQ(a.host, "hub.example");
  EXPECT_EQ(a.port, 8443);
  EXPECT_EQ(a.target, "/api/v1/feed?since=3");

  const auto b = parseUrl("HTTP://127.0.0.1");
  EXPECT_EQ(b.error, "");
  EXPECT_FALSE(b.https);
  EXPECT_EQ(b.port, 80);
  EXPECT_EQ(b.target, "/");

  const auto c = parseUrl("https://[::1]/x");
  EXPECT_EQ(c.error, "");
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.port, 443);

  const auto d = parseUrl("https://[::1]:9/?q");
  EXPECT_EQ(d.port, 9);
  EXPECT_EQ(d.target, "/?q");
  const auto e = parseUrl("https://h?q=1");
  EXPECT_EQ(e.target, "/?q=1");
}

TEST(HttpUrl, ParseUrlRefusesWhatItCannotUse) {
  EXPECT_NE(parseUrl("ftp://h/x").error.find("neither http nor https"), std::string::npos);
  EXPECT_NE(parseUrl("h:80/x").error.find("no scheme"), std::string::npos);
  EXPECT_NE(parseUrl("https://user:pw@h/").error.find("user information"), std::string::npos);
  EXPECT_NE(parseUrl("https:///x").error.find("no host"), std::string::npos);
  EXPECT_NE(parseUrl("https://h:0/").error.find("1..65535"), std::string::npos);
  EXPECT_NE(parseUrl("https://h:65536/").error.find("1..65535"), std::string::npos);
  EXPECT_NE(parseUrl("https://h:8x/").error.find("1..65535"), std::string::npos);
  EXPECT_NE(parseUrl("https://h:/").error.find("port is empty"), std::string::npos);
  EXPECT_NE(parseUrl("https://::1/").error.find("brackets"), std::string::npos);
  EXPECT_NE(parseUrl("https://h/a b").error.find("space"), std::string::npos);
  EXPECT_NE(parseUrl("https://[::1/").error.find("']'"), std::string::npos);
}

}  // namespace
}  // namespace ijro::http
