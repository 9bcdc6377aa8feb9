// The package reader and roster of education-oneroster, without a host: the state file, a package
// refused as a whole, the manifest's rules.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <tables/zip.hpp>

#include "roster.hpp"

namespace {

namespace fs = std::filesystem;
using ijro::oneroster::applyPackage;
using ijro::oneroster::PackageError;
using ijro::oneroster::Roster;
using ijro::tables::ZipArchive;
using ::testing::HasSubstr;

const fs::path kFixtures = ONEROSTER_FIXTURES;

Roster bulkRoster() {
  Roster r;
  auto zip = ZipArchive::openFile(kFixtures / "bulk.zip");
  applyPackage(zip, "bulk.zip", r);
  return r;
}

TEST(OneRosterRoster, TheStateFileGivesBackTheSameRoster) {
  Roster r = bulkRoster();
  r.emitted = {"1703", "1703202"};
  ASSERT_FALSE(r.users.empty());
  const Roster back = Roster::parse(r.serialize(), "roster.1.state");
  EXPECT_EQ(back, r);
  EXPECT_EQ(back.generation, 1);
}

TEST(OneRosterRoster, AStateFileOfSomethingElseIsRefusedNamingTheFileAndLine) {
  try {
    Roster::parse("oneroster-state 1\ngeneration\t3\nX\tsomething\n", "roster.3.state");
    FAIL() << "parsed";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("roster.3.state line 3: unknown line"));
  }
}

TEST(OneRosterRoster, ARefusedPackageLeavesTheRosterAsItWas) {
  Roster r = bulkRoster();
  const Roster before = r;
  auto zip = ZipArchive::openFile(kFixtures / "missing-file.zip");
  try {
    applyPackage(zip, "missing-file.zip", r);
    FAIL() << "applied";
  } catch (const PackageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("declares file.users=bulk but the package has no users.csv"));
    EXPECT_THAT(e.fix(), HasSubstr("declare file.users,absent"));
  }
  EXPECT_EQ(r, before);
}

TEST(OneRosterRoster, ADeltaRemovesTheRowsMarkedToBeDeletedAndReplacesTheOthers) {
  Roster r = bulkRoster();
  ASSERT_EQ(r.orgs.count("sch-sam-1c"), 1u);
  ASSERT_TRUE(r.users.at("s-sch-tas-1a-0").enabled);
  auto zip = ZipArchive::openFile(kFixtures / "delta.zip");
  const auto report = applyPackage(zip, "delta.zip", r);
  EXPECT_EQ(report.mode, "delta");
  EXPECT_THAT(report.rejected, ::testing::IsEmpty());
  EXPECT_EQ(r.orgs.count("sch-sam-1c"), 0u);
  EXPECT_EQ(r.orgs.count("sch-and-2b"), 1u);
  EXPECT_FALSE(r.users.at("s-sch-tas-1a-0").enabled);
  EXPECT_EQ(r.users.at("s-sch-sam-1a-8").role, "teacher");
  EXPECT_EQ(r.users.count("t-sch-and-1a-0"), 0u);
  EXPECT_EQ(r.enrollments.count("e-s-via-enrollment"), 0u);
  EXPECT_EQ(r.generation, 2);
}

}  // namespace
