// Scopes: tokens, the regions and sectors they cover, and the one rule for writing a record.
#include "hub/intake/scope.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hub/base/sha256.hpp"

namespace ijro::intake {
namespace {

using ::testing::HasSubstr;

std::vector<Scope> scopes() {
  Scope a = Scope::writer("a");
  a.tokenSha256 = base::sha256Hex("token-of-source-a");
  a.regions = {"1726"};
  Scope b = Scope::writer("b");
  b.tokenSha256 = base::sha256Hex("token-of-source-b");
  b.sectors = {"health"};
  Scope plugin = Scope::writer("plugin");  // no token: never authenticated
  return {a, b, plugin};
}

TEST(Scope, BearerTokenSelectsItsScope) {
  auto s = scopes();
  ASSERT_NE(authenticate(s, "Bearer token-of-source-b"), nullptr);
  EXPECT_EQ(authenticate(s, "Bearer token-of-source-b")->id, "b");
  EXPECT_EQ(authenticate(s, "Bearer token-of-source-c"), nullptr);
  EXPECT_EQ(authenticate(s, "token-of-source-a"), nullptr);
  EXPECT_EQ(authenticate(s, "Basic token-of-source-a"), nullptr);
  EXPECT_EQ(authenticate(s, "Bearer "), nullptr);
  EXPECT_EQ(authenticate(s, ""), nullptr);
  // The empty token's hash is a real hash; a scope without a token still never matches it.
  EXPECT_EQ(authenticate(s, "Bearer  "), nullptr);
}

TEST(Scope, CoversDistrictsOfItsRegions) {
  auto s = scopes();
  EXPECT_TRUE(s[0].coversRegion("1726"));
  EXPECT_TRUE(s[0].coversRegion("1726264"));
  EXPECT_FALSE(s[0].coversRegion("1703"));
  EXPECT_FALSE(s[0].coversRegion("17"));
  EXPECT_TRUE(s[0].coversSector("tax"));
  EXPECT_TRUE(s[1].coversRegion("17"));
  EXPECT_TRUE(s[1].coversSector("health"));
  EXPECT_FALSE(s[1].coversSector("tax"));
  Scope national = Scope::writer("n");
  national.regions = {"17"};  // the national level only, not every region
  EXPECT_TRUE(national.coversRegion("17"));
  EXPECT_FALSE(national.coversRegion("1726"));
}

TEST(Scope, WriteRefusalNamesRegionAndSectorAndLeavesUnknownTerritoryToValidation) {
  auto s = scopes();
  EXPECT_EQ(writeRefusal(s[0], "1726264", "tax"), std::nullopt);
  auto region = writeRefusal(s[0], "1703", "tax");
  ASSERT_TRUE(region.has_value());
  EXPECT_EQ(*region, "region 1703 is outside the regions of source \"a\"");
  auto both = writeRefusal(s[1], "1703", "tax");  // b: any region, health only
  ASSERT_TRUE(both.has_value());
  EXPECT_EQ(*both, "sector tax is outside the sectors of source \"b\"");
  Scope narrow = s[0];
  narrow.sectors = {"health"};
  EXPECT_EQ(*writeRefusal(narrow, "1703202", "tax"),
            "region 1703202 is outside the regions of source \"a\"; sector tax is outside the "
            "sectors of source \"a\"");
  // Not a known SOATO code: invalid for everybody, not a matter of scope.
  EXPECT_EQ(writeRefusal(s[0], "9999", "tax"), std::nullopt);
  // Not read that far: nothing to check.
  EXPECT_EQ(writeRefusal(s[0], "", ""), std::nullopt);

  Scope reader;
  reader.id = "dashboard";
  reader.read = true;
  auto refused = writeRefusal(reader, "1726", "tax");
  ASSERT_TRUE(refused.has_value());
  EXPECT_THAT(*refused, HasSubstr("reader \"dashboard\" may not write"));
}

}  // namespace
}  // namespace ijro::intake
