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
  EXPECT_EQ(authenticate(s, "Bearertoken-of-source-b"), nullptr);
}

// The scheme is case-insensitive (RFC 9110), as clients and proxies write it either way; the
// token itself is compared exactly.
TEST(Scope, TheBearerSchemeIsMatchedWithoutRegardToCaseAndSpacesAroundTheToken) {
  auto s = scopes();
  for (const char* header : {"bearer token-of-source-b", "BEARER token-of-source-b",
                             "Bearer   token-of-source-b ", "bEaReR token-of-source-b"}) {
    ASSERT_NE(authenticate(s, header), nullptr) << header;
    EXPECT_EQ(authenticate(s, header)->id, "b") << header;
  }
  EXPECT_EQ(authenticate(s, "Bearer TOKEN-OF-SOURCE-B"), nullptr);
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

TEST(Scope, RolesAreGrantedByNameAndOlderRightsStillWork) {
  Scope s;
  EXPECT_FALSE(grantRoles(s, {"source", "controller"}));
  EXPECT_TRUE(s.write);
  EXPECT_TRUE(s.controller);
  EXPECT_FALSE(s.read);
  EXPECT_FALSE(s.executor);
  EXPECT_EQ(s.roleList(), "source controller");
  Scope old;
  EXPECT_FALSE(grantRoles(old, {"write", "read"}));
  EXPECT_EQ(old.roleList(), "source reader");
  Scope bad;
  auto err = grantRoles(bad, {"executor", "boss"});
  ASSERT_TRUE(err);
  EXPECT_THAT(*err, HasSubstr("unknown role \"boss\""));
  EXPECT_THAT(*err, HasSubstr("source, executor, controller and reader"));
}

TEST(Scope, AnIssuedTokenHasItsRolesAndScope) {
  store::AccessToken t;
  t.id = "asaka";
  t.tokenSha256 = std::string(64, 'a');
  t.roles = {"executor", "reader"};
  t.regions = {"1703"};
  t.sectors = {"education"};
  auto s = scopeOf(t);
  EXPECT_EQ(s.id, "asaka");
  EXPECT_TRUE(s.executor);
  EXPECT_TRUE(s.read);
  EXPECT_FALSE(s.write);
  EXPECT_FALSE(s.controller);
  EXPECT_TRUE(s.coversRegion("1703202"));
  EXPECT_FALSE(s.coversRegion("1726"));
  EXPECT_FALSE(s.coversSector("health"));
}

model::Implementation withTask() {
  model::Implementation impl;
  model::Assignment a;
  a.id = "T1";
  a.deadline = model::Date{std::chrono::year{2026} / 6 / 30};
  impl.assignments.push_back(a);
  return impl;
}

model::ControlEvent event(model::ControlStatus state, const char* by) {
  model::ControlEvent e;
  e.state = state;
  e.by = by;
  e.on = model::Date{std::chrono::year{2026} / 6 / 20};
  if (state == model::ControlStatus::Submitted) e.completed = e.on;
  if (state == model::ControlStatus::Returned) e.reason = "photos missing";
  return e;
}

TEST(Scope, OnlyAControllerBringsNewDecisions) {
  Scope source = Scope::writer("region");
  source.controller = false;
  Scope controller = source;
  controller.controller = true;

  auto submitted = withTask();
  submitted.assignments[0].controlEvents = {event(model::ControlStatus::Submitted, "Asaka")};
  EXPECT_FALSE(decisionRefusal(source, submitted, nullptr)) << "a submission is not a decision";

  auto returned = submitted;
  returned.assignments[0].controlEvents.push_back(event(model::ControlStatus::Returned, "Hokim"));
  auto why = decisionRefusal(source, returned, nullptr);
  ASSERT_TRUE(why);
  EXPECT_THAT(*why, HasSubstr("assignments[0].controlEvents[1] (returned)"));
  EXPECT_THAT(*why, HasSubstr("controller role"));
  EXPECT_FALSE(decisionRefusal(controller, returned, nullptr));
  // Sending back what the store already holds is not a new decision.
  EXPECT_FALSE(decisionRefusal(source, returned, &returned));

  auto approved = withTask();
  approved.deadlineChanges.push_back(model::DeadlineChange::decided(
      model::Date{std::chrono::year{2026} / 6 / 30}, model::Date{std::chrono::year{2026} / 9 / 30},
      "Deputy hokim", model::Date{std::chrono::year{2026} / 6 / 1}, "late supplier"));
  why = decisionRefusal(source, approved, nullptr);
  ASSERT_TRUE(why);
  EXPECT_THAT(*why, HasSubstr("deadlineChanges[0] (approved)"));
  auto rejected = withTask();
  rejected.assignments[0].deadlineChanges = approved.deadlineChanges;
  rejected.assignments[0].deadlineChanges[0].decision = model::Decision::Rejected;
  why = decisionRefusal(source, rejected, nullptr);
  ASSERT_TRUE(why);
  EXPECT_THAT(*why, HasSubstr("assignments[0].deadlineChanges[0] (rejected)"));
  auto pending = approved;
  pending.deadlineChanges[0].decision = model::Decision::Pending;
  pending.deadlineChanges[0].decidedBy.clear();
  pending.deadlineChanges[0].decidedOn.reset();
  EXPECT_FALSE(decisionRefusal(source, pending, nullptr)) << "a request is not a decision";

  auto verifiedAttribute = withTask();
  verifiedAttribute.assignments[0].control = model::ControlStatus::Verified;
  why = decisionRefusal(source, verifiedAttribute, nullptr);
  ASSERT_TRUE(why);
  EXPECT_THAT(*why, HasSubstr("assignments[0].control (verified)"));
  EXPECT_FALSE(decisionRefusal(source, verifiedAttribute, &verifiedAttribute));
}

}  // namespace
}  // namespace ijro::intake
