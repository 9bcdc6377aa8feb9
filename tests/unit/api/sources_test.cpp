#include "hub/api/sources.hpp"

#include <gtest/gtest.h>

namespace ijro::api {
namespace {

std::vector<SourceScope> sources() {
  return {{"a", sha256Hex("token-of-source-a"), {"1726"}, {}, 1},
          {"b", sha256Hex("token-of-source-b"), {}, {"health"}, 2}};
}

TEST(Sources, Sha256OfKnownInput) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sources, BearerTokenSelectsItsSource) {
  auto s = sources();
  ASSERT_NE(authenticate(s, "Bearer token-of-source-b"), nullptr);
  EXPECT_EQ(authenticate(s, "Bearer token-of-source-b")->id, "b");
  EXPECT_EQ(authenticate(s, "Bearer token-of-source-c"), nullptr);
  EXPECT_EQ(authenticate(s, "token-of-source-a"), nullptr);
  EXPECT_EQ(authenticate(s, "Basic token-of-source-a"), nullptr);
  EXPECT_EQ(authenticate(s, "Bearer "), nullptr);
  EXPECT_EQ(authenticate(s, ""), nullptr);
}

TEST(Sources, ScopeCoversDistrictsOfItsRegions) {
  auto s = sources();
  EXPECT_TRUE(s[0].coversRegion("1726"));
  EXPECT_TRUE(s[0].coversRegion("1726264"));
  EXPECT_FALSE(s[0].coversRegion("1703"));
  EXPECT_FALSE(s[0].coversRegion("17"));
  EXPECT_TRUE(s[0].coversSector("tax"));
  EXPECT_TRUE(s[1].coversRegion("17"));
  EXPECT_TRUE(s[1].coversSector("health"));
  EXPECT_FALSE(s[1].coversSector("tax"));
}

}  // namespace
}  // namespace ijro::api
