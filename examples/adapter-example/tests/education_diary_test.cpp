// Unit tests of the education-diary adapter with the ijro-hub test kit: the plugin is loaded and
// run as the hub runs it, and its records are checked as the hub checks them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ijro_testkit.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using ijro::testkit::PluginError;
using ijro::testkit::PluginUnderTest;
using ijro::testkit::Settings;
using ijro::testkit::Status;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kData = EXAMPLE_DATA_DIR;

ijro::testkit::Options options(const std::string& dir = kData) {
  return {{"orgs_file", dir + "/orgs.csv"}, {"connections_file", dir + "/diary_connections.csv"}};
}

std::vector<std::string> regions(const std::vector<ijro::testkit::Record>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.field("region"));
  return out;
}

TEST(EducationDiary, DescribesItself) {
  const auto info = ijro::testkit::inspect(IJRO_PLUGIN_PATH);
  EXPECT_EQ(info.name, "education-diary");
  EXPECT_EQ(info.kind, "source");
  EXPECT_EQ(info.options.at(0).name, "orgs_file");
  EXPECT_TRUE(info.options.at(0).required);
}

TEST(EducationDiary, EmitsOneImplementationPerRegion) {
  PluginUnderTest p(IJRO_PLUGIN_PATH, options());
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.rejected, IsEmpty());
  ASSERT_THAT(regions(run.records), ElementsAre("1703", "1718", "1726"));

  const auto& andijan = run.records[0];
  EXPECT_EQ(andijan.field("measure.id"), "DU2030-3.1.7");
  EXPECT_EQ(andijan.field("organisation"),
            "Andijan Region Department of Preschool and School Education");
  EXPECT_EQ(andijan.field("sector"), "education");
  EXPECT_EQ(andijan.field("lifecycle"), "inProgress");
  EXPECT_EQ(andijan.field("indicators[0].code"), "EDU-SCHOOLS");
  EXPECT_EQ(andijan.field("indicators[0].periods[0].target"), "3");
  EXPECT_EQ(andijan.field("indicators[0].periods[0].actual"), "2");  // one school pending

  const auto& samarkand = run.records[1];
  EXPECT_EQ(samarkand.field("indicators[0].periods[0].actual"), "0");  // disconnected: not counted

  const auto& tashkent = run.records[2];
  EXPECT_EQ(tashkent.field("lifecycle"), "completed");  // every active school connected
  EXPECT_EQ(tashkent.field("completed"), "2026-09-22");
  EXPECT_EQ(tashkent.field("indicators[0].periods[0].target"), "4");  // "tobedeleted" not counted

  EXPECT_EQ(run.checkpoint.value_or("").rfind("revision=1 ", 0), 0u);
  EXPECT_EQ(p.counters().at("regions_reported"), 3);
}

TEST(EducationDiary, SendsAgainOnlyWhenTheExportsChange) {
  const fs::path dir =
      fs::temp_directory_path() / ("education-diary-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(kData + "/orgs.csv", dir / "orgs.csv");
  fs::copy_file(kData + "/diary_connections.csv", dir / "diary_connections.csv");

  PluginUnderTest p(IJRO_PLUGIN_PATH, options(dir.string()));
  ASSERT_EQ(p.poll().records.size(), 3u);
  auto unchanged = p.poll();
  ASSERT_EQ(unchanged.status, Status::Ok) << unchanged.message;
  EXPECT_THAT(unchanged.records, IsEmpty());

  std::ofstream(dir / "diary_connections.csv", std::ios::app)
      << "sch-and-0045,2026-10-20,connected\n";
  auto changed = p.poll();
  ASSERT_EQ(changed.records.size(), 3u);
  EXPECT_EQ(changed.records[0].field("revision"), "2");
  EXPECT_EQ(changed.records[0].field("lifecycle"), "completed");
  EXPECT_EQ(changed.records[0].field("completed"), "2026-10-20");

  // After a restart, the checkpoint the hub kept carries the revision on.
  Settings restarted;
  restarted.checkpoint = p.checkpoint();
  PluginUnderTest again(IJRO_PLUGIN_PATH, options(dir.string()), restarted);
  EXPECT_THAT(again.poll().records, IsEmpty());
  fs::remove_all(dir);
}

TEST(EducationDiary, AMissingExportIsRetriedLater) {
  PluginUnderTest p(IJRO_PLUGIN_PATH, {{"orgs_file", kData + "/orgs.csv"},
                                       {"connections_file", kData + "/not-there.csv"}});
  auto run = p.poll();
  EXPECT_EQ(run.status, Status::Retry);
  EXPECT_THAT(run.message, HasSubstr("not-there.csv"));
}

TEST(EducationDiary, RequiredOptionsAreChecked) {
  EXPECT_THROW(PluginUnderTest(IJRO_PLUGIN_PATH, {{"orgs_file", kData + "/orgs.csv"}}),
               PluginError);
}

}  // namespace
