// The spreadsheet source (plugins/spreadsheet) run through the test kit as the hub would run it,
// on workbooks written by a real spreadsheet program (tests/data/spreadsheet): Cyrillic headers in
// another case, a merged header cell, a text in a date column, the same sheet as CSV.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ijro_testkit.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "tests/support/test_support.hpp"

namespace {

namespace fs = std::filesystem;
using ijro::testkit::Options;
using ijro::testkit::PluginError;
using ijro::testkit::PluginUnderTest;
using ijro::testkit::Status;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class Spreadsheet : public ::testing::Test {
 protected:
  void SetUp() override {
    inbox_ = ijro::test::tempDir("spreadsheet") / "in";
    fs::create_directories(inbox_);
  }

  Options options(Options extra = {}) const {
    Options o{{"directory", inbox_.string()}, {"settle_ms", "0"},      {"region", "1703"},
              {"sector", "education"},        {"act_number", "UP-60"}, {"act_date", "2022-01-28"},
              {"measure_prefix", "AND-"},     {"start", "2026-01-01"}};
    for (auto& [k, v] : extra) o[k] = v;
    return o;
  }

  // Copies a fixture into the folder, settled (modified an hour ago).
  fs::path drop(const std::string& fixture, const std::string& as = "") const {
    const fs::path to = inbox_ / (as.empty() ? fixture : as);
    fs::copy_file(ijro::test::sourceDir() / "tests/data/spreadsheet" / fixture, to);
    fs::last_write_time(to, fs::file_time_type::clock::now() - std::chrono::hours(1));
    return to;
  }

  static std::vector<std::string> ids(const std::vector<ijro::testkit::Record>& records) {
    std::vector<std::string> out;
    for (const auto& r : records) out.push_back(r.field("measure.id"));
    return out;
  }

  fs::path inbox_;
};

TEST_F(Spreadsheet, ReadsAWorkbookWithCyrillicHeadersInAnotherCaseAndMovesItOnceStored) {
  drop("tracking-uz-cyrl.xlsx");
  PluginUnderTest p(IJRO_SPREADSHEET_PLUGIN, options());
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.rejected, IsEmpty());
  ASSERT_EQ(run.records.size(), 3u);
  EXPECT_THAT(ids(run.records), ElementsAre("AND-1", "AND-2", "AND-3"));
  const auto& first = run.records[0];
  EXPECT_EQ(first.field("measure.title"), "Мактабларни таъмирлаш");
  EXPECT_EQ(first.field("organisation"), "Андижон вилояти халқ таълими бошқармаси");
  EXPECT_EQ(first.field("deadline"), "2026-12-31");
  EXPECT_EQ(first.field("lifecycle"), "inProgress");
  EXPECT_EQ(first.field("note"), "Биринчи босқич якунланди");
  EXPECT_EQ(first.field("indicators[0].periods[0].actual"), "40");
  EXPECT_EQ(run.records[1].field("lifecycle"), "planned");
  EXPECT_EQ(run.records[2].field("lifecycle"), "completed");
  EXPECT_EQ(run.records[2].field("completed"), "2026-03-20");
  EXPECT_TRUE(fs::exists(inbox_ / "tracking-uz-cyrl.xlsx"));

  // The next poll finds the file named in the committed checkpoint and moves it aside.
  auto next = p.poll();
  ASSERT_EQ(next.status, Status::Ok) << next.message;
  EXPECT_THAT(next.records, IsEmpty());
  EXPECT_FALSE(fs::exists(inbox_ / "tracking-uz-cyrl.xlsx"));
  EXPECT_TRUE(fs::exists(inbox_ / "processed/tracking-uz-cyrl.xlsx"));
}

TEST_F(Spreadsheet, TheSameSheetAsCsvGivesTheSameRecords) {
  drop("tracking-uz-cyrl.csv");
  PluginUnderTest p(IJRO_SPREADSHEET_PLUGIN, options());
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.rejected, IsEmpty());
  EXPECT_THAT(ids(run.records), ElementsAre("AND-1", "AND-2", "AND-3"));
  EXPECT_EQ(run.records[0].field("deadline"), "2026-12-31");
  EXPECT_EQ(run.records[2].field("completed"), "2026-03-20");
}

TEST_F(Spreadsheet, AMergedHeaderCellQuarantinesTheFileNamingTheCell) {
  drop("merged-header.xlsx");
  PluginUnderTest p(IJRO_SPREADSHEET_PLUGIN, options());
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.records, IsEmpty());
  EXPECT_FALSE(fs::exists(inbox_ / "merged-header.xlsx"));
  EXPECT_TRUE(fs::exists(inbox_ / "quarantine/merged-header.xlsx"));
  EXPECT_THAT(ijro::test::readFile(inbox_ / "quarantine/merged-header.xlsx.reason.txt"),
              AllOf(HasSubstr("Reja!C1: the header cell is merged (C1:D1)"),
                    HasSubstr("Unmerge the header cells")));
  EXPECT_EQ(p.counters()["files_quarantined"], 1);
}

TEST_F(Spreadsheet, ATextInADateColumnRejectsThatRowNamingTheCellAndKeepsTheOthers) {
  drop("date-text-ru.xlsx");
  PluginUnderTest p(IJRO_SPREADSHEET_PLUGIN, options());
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.rejected, IsEmpty());
  EXPECT_THAT(ids(run.records), ElementsAre("AND-1", "AND-3"));
  EXPECT_EQ(run.records[0].field("deadline"), "2026-12-31");  // the text 31.12.2026
  EXPECT_EQ(run.records[1].field("deadline"), "2027-03-31");
  EXPECT_EQ(p.counters()["rows_rejected"], 1);
  EXPECT_THAT(ijro::test::readFile(inbox_ / "quarantine/date-text-ru.xlsx.rejected.txt"),
              HasSubstr("План!D3 (row 3, column D \"Срок исполнения\"): \"до конца года\" is not "
                        "a date"));
}

TEST_F(Spreadsheet, HostileArchivesAreQuarantinedWithTheirReason) {
  // Not a workbook at all, under a workbook's name.
  {
    std::ofstream(inbox_ / "fake.xlsx") << "this is not a zip archive";
    fs::last_write_time(inbox_ / "fake.xlsx",
                        fs::file_time_type::clock::now() - std::chrono::hours(1));
  }
  PluginUnderTest p(IJRO_SPREADSHEET_PLUGIN, options());
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(ijro::test::readFile(inbox_ / "quarantine/fake.xlsx.reason.txt"),
              HasSubstr("cannot be opened as a zip archive"));
}

// A link dropped in the folder is refused unread: the file it points to (outside the folder, or
// /etc/passwd) reaches neither a record nor the reason file; the link itself is moved aside.
TEST_F(Spreadsheet, ASymbolicLinkIsQuarantinedUnread) {
  const fs::path outside = inbox_.parent_path() / "outside.csv";
  fs::copy_file(ijro::test::sourceDir() / "tests/data/spreadsheet/tracking-uz-cyrl.csv", outside);
  fs::last_write_time(outside, fs::file_time_type::clock::now() - std::chrono::hours(1));
  fs::create_symlink(outside, inbox_ / "linked.csv");
  fs::create_symlink("/etc/passwd", inbox_ / "passwd.csv");
  PluginUnderTest p(IJRO_SPREADSHEET_PLUGIN, options());
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.records, IsEmpty());
  for (const char* name : {"linked.csv", "passwd.csv"}) {
    EXPECT_TRUE(fs::is_symlink(inbox_ / "quarantine" / name)) << name;
    const std::string reason =
        ijro::test::readFile(inbox_ / "quarantine" / (std::string(name) + ".reason.txt"));
    EXPECT_THAT(reason, HasSubstr("a symbolic link; nothing of it was read"));
    EXPECT_THAT(reason, ::testing::Not(HasSubstr("root:")));
    EXPECT_THAT(reason, ::testing::Not(HasSubstr("AND-")));
  }
  EXPECT_TRUE(fs::exists(outside));
  EXPECT_EQ(p.counters()["files_quarantined"], 2);
}

TEST_F(Spreadsheet, RowsAsTasksMakeOneImplementationTheHubAccepts) {
  drop("tracking-uz-cyrl.xlsx");
  PluginUnderTest p(IJRO_SPREADSHEET_PLUGIN,
                    options({{"rows", "tasks"},
                             {"measure_id", "DU2030-3.1.7"},
                             {"measure_title", "Андижон вилоятида ижтимоий соҳа"},
                             {"organisation", "Андижон вилояти ҳокимлиги"}}));
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.rejected, IsEmpty());
  ASSERT_EQ(run.records.size(), 1u);
  const auto& r = run.records[0];
  EXPECT_EQ(r.field("measure.id"), "DU2030-3.1.7");
  EXPECT_EQ(r.field("deadline"), "2027-06-30");
  EXPECT_EQ(r.field("lifecycle"), "inProgress");
  EXPECT_EQ(r.field("assignments[0].id"), "1");
  EXPECT_EQ(r.field("assignments[2].assignee"), "Андижон вилояти соғлиқни сақлаш бошқармаси");
  EXPECT_EQ(r.field("assignments[2].completed"), "2026-03-20");
  EXPECT_THROW(PluginUnderTest(IJRO_SPREADSHEET_PLUGIN, options({{"rows", "tasks"}})), PluginError);
}

TEST_F(Spreadsheet, BadOptionsAreRefusedNamingTheOption) {
  try {
    PluginUnderTest p(IJRO_SPREADSHEET_PLUGIN, options({{"headers", "due=Muddat"}}));
    FAIL() << "created";
  } catch (const PluginError& e) {
    EXPECT_THAT(e.what(), HasSubstr("option \"headers\""));
  }
  EXPECT_THROW(PluginUnderTest(IJRO_SPREADSHEET_PLUGIN, options({{"act_date", "soon"}})),
               PluginError);
}

}  // namespace
