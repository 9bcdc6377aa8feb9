// Statements kept per session (hub/store/statements.hpp): prepared once, run again with new values,
// a nested use of the same text on its own, no SQLite read snapshot left open, finalized on drop.
#include "hub/store/statements.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include "store_fixture.hpp"

namespace ijro::store::test {
namespace {

using detail::dropStatements;
using detail::keepStatements;
using detail::keptStatements;
using detail::run;
using detail::Statement;

class StatementsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    sql_ = db().raw();
    *sql_ << "CREATE TABLE t (k INTEGER NOT NULL, v TEXT NOT NULL)";
    keepStatements(*sql_);
  }
  void TearDown() override {
    dropStatements(*sql_);
    sql_.reset();
    StoreTest::TearDown();
  }
  // Server-side prepared statements of this session (PostgreSQL).
  long long serverPrepared() {
    long long n = 0;
    *sql_ << "SELECT count(*) FROM pg_prepared_statements", soci::into(n);
    return n;
  }
  std::unique_ptr<soci::session> sql_;
};

TEST_P(StatementsTest, KeptStatementIsPreparedOnceAndRunsWithNewValues) {
  const std::string insert = "INSERT INTO t (k, v) VALUES (:k, :v)";
  for (int k = 1; k <= 5; ++k) {
    const std::string v = "value " + std::to_string(k);
    run(*sql_, insert, soci::use(k), soci::use(v));
  }
  EXPECT_EQ(keptStatements(*sql_), 1u);
  if (GetParam() == "postgresql") {
    EXPECT_EQ(serverPrepared(), 1);
  }
  std::string v;
  for (int k = 1; k <= 5; ++k) {
    ASSERT_TRUE(run(*sql_, "SELECT v FROM t WHERE k = :k", soci::use(k), soci::into(v)));
    EXPECT_EQ(v, "value " + std::to_string(k));
  }
  const int missing = 9;
  EXPECT_FALSE(run(*sql_, "SELECT v FROM t WHERE k = :k", soci::use(missing), soci::into(v)));
  EXPECT_EQ(keptStatements(*sql_), 2u);
}

TEST_P(StatementsTest, NestedUseOfTheSameTextRunsOnItsOwn) {
  for (int k = 1; k <= 3; ++k) run(*sql_, "INSERT INTO t (k, v) VALUES (:k, 'x')", soci::use(k));
  const std::string query = "SELECT k FROM t WHERE k >= :from ORDER BY k";
  int k = 0, from = 1;
  std::vector<int> outer;
  std::vector<long long> inner;
  Statement st(*sql_, query);
  st, soci::into(k), soci::use(from);
  while (st.fetch()) {
    outer.push_back(k);
    int nested = 0;
    const int start = 3;
    Statement again(*sql_, query);
    again, soci::into(nested), soci::use(start);
    long long n = 0;
    while (again.fetch()) n += nested;
    inner.push_back(n);
  }
  EXPECT_EQ(outer, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(inner, (std::vector<long long>{3, 3, 3}));
}

// A SQLite statement stepped part-way keeps its read transaction open until it is reset; a kept
// statement is reset when its run ends, so the session sees what other connections commit later.
TEST_P(StatementsTest, ReadLeftPartWaySeesLaterWritesOfOtherConnections) {
  for (int k = 1; k <= 3; ++k) run(*sql_, "INSERT INTO t (k, v) VALUES (:k, 'x')", soci::use(k));
  {
    int k = 0;
    Statement st(*sql_, "SELECT k FROM t ORDER BY k");
    st, soci::into(k);
    ASSERT_TRUE(st.fetch());  // one row of three, then the run ends
    EXPECT_EQ(k, 1);
  }
  auto other = db().raw();
  *other << "INSERT INTO t (k, v) VALUES (4, 'y')";
  long long n = 0;
  ASSERT_TRUE(run(*sql_, "SELECT count(*) FROM t", soci::into(n)));
  EXPECT_EQ(n, 4);
}

TEST_P(StatementsTest, DroppedStatementsAreFinalizedAndAnUnkeptSessionKeepsNone) {
  long long n = 0;
  run(*sql_, "SELECT count(*) FROM t", soci::into(n));
  EXPECT_EQ(keptStatements(*sql_), 1u);
  dropStatements(*sql_);
  EXPECT_EQ(keptStatements(*sql_), 0u);
  if (GetParam() == "postgresql") {
    EXPECT_EQ(serverPrepared(), 0);
  }
  // Not kept: each run prepares for itself, and still works.
  ASSERT_TRUE(run(*sql_, "SELECT count(*) FROM t", soci::into(n)));
  EXPECT_EQ(n, 0);
  EXPECT_EQ(keptStatements(*sql_), 0u);
  if (GetParam() == "postgresql") {
    EXPECT_EQ(serverPrepared(), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, StatementsTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace ijro::store::test
