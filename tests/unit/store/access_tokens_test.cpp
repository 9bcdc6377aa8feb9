// Tokens issued at run time, on both backends: stored hashed with roles and scope, looked up by
// hash only while valid, revoked once, ids and hashes unique.
#include <gtest/gtest.h>

#include "store_fixture.hpp"

namespace ijro::store::test {
namespace {

class AccessTokenTest : public StoreTest {};

AccessToken token(const std::string& id, const std::string& hash) {
  AccessToken t;
  t.id = id;
  t.tokenSha256 = hash;
  t.roles = {"executor", "reader"};
  t.regions = {"1703", "1726"};
  t.note = "Asaka district unit";
  return t;
}

TEST_P(AccessTokenTest, AnIssuedTokenIsFoundByItsHashWithItsRolesAndScope) {
  auto s = db().open();
  ASSERT_TRUE(s->issueToken(token("asaka", std::string(64, 'a'))));
  auto found = s->validToken(std::string(64, 'a'));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, "asaka");
  EXPECT_EQ(found->roles, (std::vector<std::string>{"executor", "reader"}));
  EXPECT_EQ(found->regions, (std::vector<std::string>{"1703", "1726"}));
  EXPECT_TRUE(found->sectors.empty());
  EXPECT_EQ(found->note, "Asaka district unit");
  EXPECT_FALSE(found->createdAt.empty());
  EXPECT_FALSE(s->validToken(std::string(64, 'b')));
}

TEST_P(AccessTokenTest, IdsAndHashesAreUnique) {
  auto s = db().open();
  ASSERT_TRUE(s->issueToken(token("asaka", std::string(64, 'a'))));
  EXPECT_FALSE(s->issueToken(token("asaka", std::string(64, 'b'))));
  EXPECT_FALSE(s->issueToken(token("other", std::string(64, 'a'))));
  EXPECT_EQ(s->accessTokens().size(), 1u);
}

TEST_P(AccessTokenTest, ARevokedTokenIsNoLongerValidAndIsListedAsRevoked) {
  auto s = db().open();
  ASSERT_TRUE(s->issueToken(token("asaka", std::string(64, 'a'))));
  ASSERT_TRUE(s->issueToken(token("kokand", std::string(64, 'c'))));
  EXPECT_TRUE(s->revokeToken("asaka"));
  EXPECT_FALSE(s->revokeToken("asaka"));  // once
  EXPECT_FALSE(s->revokeToken("nobody"));
  EXPECT_FALSE(s->validToken(std::string(64, 'a')));
  EXPECT_TRUE(s->validToken(std::string(64, 'c')));
  auto all = s->accessTokens();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "asaka");
  EXPECT_TRUE(all[0].revoked());
  EXPECT_FALSE(all[1].revoked());
}

TEST_P(AccessTokenTest, AnotherProcessSeesATokenIssuedAfterItOpened) {
  auto serving = db().open();
  EXPECT_FALSE(serving->validToken(std::string(64, 'd')));
  db().open(1)->issueToken(token("late", std::string(64, 'd')));
  EXPECT_TRUE(serving->validToken(std::string(64, 'd')));
  db().open(1)->revokeToken("late");
  EXPECT_FALSE(serving->validToken(std::string(64, 'd')));
}

INSTANTIATE_TEST_SUITE_P(Backends, AccessTokenTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

}  // namespace
}  // namespace ijro::store::test
