// ijro_folder.hpp: which files of a watched folder are settled (on a clock the test moves),
// temporary names never listed, and files moved aside to processed/ and rejected/.
#include <ijro_folder.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/test_support.hpp"

namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
namespace fs = std::filesystem;
namespace folder = ijro::sdk::folder;

std::int64_t clockNs = 0;
std::int64_t testClock() {
  return clockNs;
}
constexpr std::int64_t kSecond = 1'000'000'000;

class SdkFolder : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = ijro::test::tempDir("sdk-folder"); }
  void TearDown() override { fs::remove_all(dir_); }
  // Writes a file and sets its modification time to `mtimeS` Unix seconds.
  void put(const std::string& name, const std::string& text, std::int64_t mtimeS) {
    std::ofstream(dir_ / name) << text;
    struct timespec times[2] = {{mtimeS, 0}, {mtimeS, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, (dir_ / name).c_str(), times, 0), 0);
  }
  static std::vector<std::string> names(const std::vector<folder::FileId>& files) {
    std::vector<std::string> out;
    for (const auto& f : files) out.push_back(f.name);
    return out;
  }
  fs::path dir_;
};

TEST_F(SdkFolder, AFileIsListedOnceUnchangedForTheSettleTime) {
  clockNs = 1000 * kSecond;
  folder::Inbox inbox(dir_, {"*.csv"}, std::chrono::seconds(5), &testClock);
  put("old.csv", "a", 990);    // modified 10 s ago: settled at once
  put("fresh.csv", "b", 998);  // 2 s ago
  put("later.CSV", "c", 1000);
  EXPECT_THAT(names(inbox.settled()), ElementsAre("old.csv"));
  clockNs += 3 * kSecond;  // fresh: unchanged for 5 s now
  EXPECT_THAT(names(inbox.settled()), ElementsAre("fresh.csv", "old.csv"));
  put("later.CSV", "cc", 1003);  // it changed: the wait starts again
  clockNs += 4 * kSecond;
  EXPECT_THAT(names(inbox.settled()), ElementsAre("fresh.csv", "old.csv"));
  clockNs += 1 * kSecond;
  EXPECT_THAT(names(inbox.settled()), ElementsAre("fresh.csv", "later.CSV", "old.csv"));
}

TEST_F(SdkFolder, AFileWithAFutureTimeSettlesFromWhenItWasFirstSeen) {
  clockNs = 1000 * kSecond;
  folder::Inbox inbox(dir_, {"*"}, std::chrono::seconds(5), &testClock);
  put("skewed.xml", "x", 5000);  // a writer whose clock is ahead
  EXPECT_THAT(inbox.settled(), IsEmpty());
  clockNs += 5 * kSecond;
  EXPECT_THAT(names(inbox.settled()), ElementsAre("skewed.xml"));
}

TEST_F(SdkFolder, TemporaryAndHiddenNamesAreNeverListed) {
  for (const char* name : {"a.csv.tmp", "b.part", ".hidden.csv", "~lock.csv", "c.csv~",
                           "d.crdownload", "e.csv.reason.txt", "f.PARTIAL"})
    EXPECT_TRUE(folder::temporaryName(name)) << name;
  EXPECT_FALSE(folder::temporaryName("report.csv"));
  put("a.csv.tmp", "x", 1);
  put(".hidden.csv", "x", 1);
  put("ok.csv", "x", 1);
  folder::Inbox inbox(dir_, {"*.csv", "*.tmp"}, std::chrono::milliseconds(0));
  EXPECT_THAT(names(inbox.settled()), ElementsAre("ok.csv"));
}

TEST_F(SdkFolder, FilesMoveToProcessedAndRejectedWithoutOverwriting) {
  put("a.csv", "1", 1);
  auto moved = folder::moveInto(dir_ / "a.csv", dir_ / "processed");
  EXPECT_EQ(moved, dir_ / "processed/a.csv");
  put("a.csv", "2", 1);
  EXPECT_EQ(folder::moveInto(dir_ / "a.csv", dir_ / "processed"), dir_ / "processed/a.1.csv");
  EXPECT_FALSE(fs::exists(dir_ / "a.csv"));

  put("bad.csv", "?", 1);
  auto q = folder::quarantine(dir_ / "bad.csv", dir_ / "rejected", "line 1: not a CSV file");
  EXPECT_EQ(q, dir_ / "rejected/bad.csv");
  std::ifstream reason(dir_ / "rejected/bad.csv.reason.txt");
  std::string text((std::istreambuf_iterator<char>(reason)), {});
  EXPECT_EQ(text, "line 1: not a CSV file\n");
  // The folder keeps only what is new, so a checkpoint need not remember the rest.
  folder::Inbox inbox(dir_, {"*.csv"}, std::chrono::milliseconds(0));
  EXPECT_THAT(inbox.settled(), IsEmpty());
}

TEST_F(SdkFolder, OnlyFilesStillAsReadAreMovedOnceTheirPollIsCommitted) {
  put("a.csv", "x", 100);
  put("b.csv", "y", 100);
  folder::Inbox inbox(dir_, {"*.csv"}, std::chrono::milliseconds(0), &testClock);
  const auto read = inbox.settled();
  ASSERT_THAT(names(read), ElementsAre("a.csv", "b.csv"));
  put("b.csv", "written again after it was read", 200);  // a new file of the same name

  const auto moved = inbox.moveCommitted(read, dir_ / "processed");
  ASSERT_EQ(moved.size(), 2u);
  ASSERT_TRUE(moved[0].to);
  EXPECT_EQ(*moved[0].to, dir_ / "processed" / "a.csv");
  EXPECT_TRUE(fs::exists(dir_ / "processed" / "a.csv"));
  EXPECT_FALSE(moved[1].to);  // left to be read in turn
  EXPECT_TRUE(fs::exists(dir_ / "b.csv"));
  EXPECT_THAT(names(inbox.settled()), ElementsAre("b.csv"));
}

TEST_F(SdkFolder, AMoveThatFailsAsksForTheCommittedPollToBeTriedAgain) {
  put("a.csv", "x", 100);
  folder::Inbox inbox(dir_, {"*.csv"}, std::chrono::milliseconds(0), &testClock);
  const auto read = inbox.settled();
  std::ofstream(dir_ / "processed") << "a file where the folder should be";
  try {
    inbox.moveCommitted(read, dir_ / "processed");
    FAIL() << "the move did not fail";
  } catch (const ijro::sdk::RetryLater& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("option \"processed_dir\""));
  }
  EXPECT_TRUE(fs::exists(dir_ / "a.csv"));
}

TEST_F(SdkFolder, ReadFileRefusesAFileOverItsLimit) {
  put("big.csv", std::string(100, 'x'), 1);
  EXPECT_EQ(folder::readFile(dir_ / "big.csv", 100).size(), 100u);
  EXPECT_THROW(folder::readFile(dir_ / "big.csv", 99), std::runtime_error);
  EXPECT_EQ(folder::unixSeconds(1'500'000'000), 1);
  EXPECT_EQ(folder::unixSeconds(-1), -1);
}

// A symbolic link dropped in the folder (here to a file outside it) is listed, so that the plugin
// can refuse it, but never read; a FIFO is neither; a move never lands on a symbolic link that
// takes a name.
TEST_F(SdkFolder, SymbolicLinksAndFifosAreNeverRead) {
  const fs::path outside = ijro::test::tempDir("sdk-folder-outside");
  std::ofstream(outside / "secret.csv") << "password\n";
  fs::create_symlink(outside / "secret.csv", dir_ / "link.csv");
  ASSERT_EQ(::mkfifo((dir_ / "pipe.csv").c_str(), 0600), 0);
  put("real.csv", "a,b\n", 1);
  folder::Inbox inbox(dir_, {"*.csv"}, std::chrono::milliseconds(0), &testClock);
  EXPECT_THAT(names(inbox.settled()), ElementsAre("link.csv", "real.csv"));
  try {
    folder::readFile(dir_ / "link.csv", 1000);
    ADD_FAILURE() << "a symbolic link was read";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("symbolic link"));
  }
  try {
    folder::readFile(dir_ / "pipe.csv", 1000);
    ADD_FAILURE() << "a FIFO was read";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("not a regular file"));
  }
  EXPECT_EQ(folder::readFile(dir_ / "real.csv", 1000), "a,b\n");

  const fs::path processed = dir_ / "processed";
  fs::create_directories(processed);
  fs::create_symlink(outside / "gone.csv", processed / "real.csv");  // dangling
  const fs::path moved = folder::moveInto(dir_ / "real.csv", processed);
  EXPECT_EQ(moved, processed / "real.1.csv");
  EXPECT_TRUE(fs::is_symlink(processed / "real.csv"));
  EXPECT_FALSE(fs::exists(outside / "gone.csv"));
  fs::remove_all(outside);
}

}  // namespace
