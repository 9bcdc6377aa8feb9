// The file-drop source (plugins/file_drop), run through the test kit as the hub would run it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ijro_testkit.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/test_support.hpp"

namespace {

namespace fs = std::filesystem;
using ijro::testkit::Options;
using ijro::testkit::PluginError;
using ijro::testkit::PluginUnderTest;
using ijro::testkit::Settings;
using ijro::testkit::Status;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr const char* kHeader =
    "measure_id,title,act_type,act_number,act_date,region,organisation,sector,revision,"
    "lifecycle,start,deadline,completed\n";
constexpr const char* kRows =
    "DU2030-2.4.3,Online consultations,decree,UP-6079,2020-10-05,1726,Tashkent City Health "
    "Department,health,1,inProgress,2026-02-01,2026-12-31,\n"
    "DU2030-3.1.7,E-diary in schools,decree,UP-6079,2020-10-05,1703,Andijan Region Department of "
    "Education,education,2,completed,2026-01-15,2026-06-30,2026-06-20\n"
    "DU2030-4.2.1,Online cash registers,decree,UP-6079,2020-10-05,1718,Samarkand Region Tax "
    "Department,tax,1,planned,2026-03-01,2027-03-01,\n";

class FileDrop : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ijro::test::tempDir("file-drop");
    inbox_ = root_ / "in";
    fs::create_directories(inbox_);
  }

  Options options(Options extra = {}) const {
    Options o{{"directory", inbox_.string()}, {"settle_ms", "0"}};
    for (auto& [k, v] : extra) o[k] = v;
    return o;
  }

  // Writes a file whole, with a modification time an hour ago (settled for any test).
  fs::path drop(const std::string& name, const std::string& content, bool settled = true) const {
    const fs::path p = inbox_ / name;
    std::ofstream(p, std::ios::binary) << content;
    if (settled) fs::last_write_time(p, fs::file_time_type::clock::now() - std::chrono::hours(1));
    return p;
  }

  static std::string read(const fs::path& p) { return ijro::test::readFile(p); }

  static std::vector<std::string> ids(const std::vector<ijro::testkit::Record>& records) {
    std::vector<std::string> out;
    for (const auto& r : records) out.push_back(r.field("measure.id"));
    return out;
  }

  fs::path root_, inbox_;
};

TEST_F(FileDrop, ReadsACsvFileAndMovesItAsideOnceTheHubHasStoredIt) {
  drop("tashkent.csv", std::string(kHeader) + kRows);
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options());

  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.rejected, IsEmpty());
  ASSERT_EQ(run.records.size(), 3u);
  EXPECT_THAT(ids(run.records), ElementsAre("DU2030-2.4.3", "DU2030-3.1.7", "DU2030-4.2.1"));
  EXPECT_EQ(run.records[1].field("region"), "1703");
  EXPECT_EQ(run.records[1].field("organisation"), "Andijan Region Department of Education");
  EXPECT_EQ(run.records[1].field("revision"), "2");
  EXPECT_EQ(run.records[1].field("lifecycle"), "completed");
  EXPECT_EQ(run.records[1].field("completed"), "2026-06-20");
  EXPECT_EQ(run.records[0].field("measure.act.number"), "UP-6079");
  EXPECT_FALSE(run.records[0].has("completed"));
  // The checkpoint names the file; the file stays until the hub has stored the records.
  ASSERT_TRUE(run.checkpoint);
  EXPECT_THAT(*run.checkpoint, HasSubstr("\"tashkent.csv\""));
  EXPECT_TRUE(fs::exists(inbox_ / "tashkent.csv"));

  auto next = p.poll();
  ASSERT_EQ(next.status, Status::Ok) << next.message;
  EXPECT_THAT(next.records, IsEmpty());
  EXPECT_FALSE(fs::exists(inbox_ / "tashkent.csv"));
  EXPECT_EQ(read(inbox_ / "processed" / "tashkent.csv"), std::string(kHeader) + kRows);
  EXPECT_THAT(*next.checkpoint, Not(HasSubstr("tashkent.csv")));
  EXPECT_EQ(p.counters().at("files_read"), 1);
  EXPECT_EQ(p.counters().at("files_processed"), 1);
  EXPECT_EQ(p.counters().at("records_emitted"), 3);

  // The same name again later is a new file, and the processed copy is not overwritten.
  drop("tashkent.csv", std::string(kHeader) + kRows);
  EXPECT_EQ(p.poll().records.size(), 3u);
  p.poll();
  EXPECT_TRUE(fs::exists(inbox_ / "processed" / "tashkent.1.csv"));
  EXPECT_EQ(p.committed().size(), 6u);
}

TEST_F(FileDrop, MapsTheColumnsOfARegionalSpreadsheet) {
  // As exported by a spreadsheet in Uzbek: semicolons, a byte order mark, day-first dates,
  // decimal commas, the region's own words for the life cycle, no act or sector columns.
  drop("andijan.csv",
       "\xEF\xBB\xBF"
       "Measure ID;Title;Region;Executor;Sector;Revision;Status;Start;Deadline;Completed;"
       "Indicator;Indicator name;Target;Actual;From;To\r\n"
       "DU2030-3.1.7;Connect schools to the e-diary;1703;Andijan Region Department of "
       "Education;;4;Bajarildi;15.01.2026;30.06.2026;20.06.2026;EDU-SCHOOLS;Schools connected;"
       "812;812;01.01.2026;30.06.2026\r\n"
       "DU2030-2.4.3;Online consultations;1703202;Andijan City Medical Association;health;1;"
       "Jarayonda;01.02.2026;31.12.2026;;;;;;;\r\n");
  PluginUnderTest p(
      IJRO_FILE_DROP_PLUGIN,
      options({{"delimiter", ";"},
               {"columns",
                "measure_id=Measure ID;title=Title;region=Region;organisation=Executor;"
                "sector=Sector;revision=Revision;lifecycle=Status;start=Start;deadline=Deadline;"
                "completed=Completed;indicator_code=Indicator;indicator_name=Indicator name;"
                "target=Target;actual=Actual;period_start=From;period_end=To"},
               {"defaults",
                "sector=education;act_type=decree;act_number=UP-6079;"
                "act_date=05.10.2020"},
               {"date_format", "DD.MM.YYYY"},
               {"lifecycle_values", "inProgress=Jarayonda;completed=Bajarildi"}}));
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.rejected, IsEmpty());
  ASSERT_EQ(run.records.size(), 2u);
  const auto& school = run.records[0];
  EXPECT_EQ(school.field("sector"), "education");  // the default, for an empty cell
  EXPECT_EQ(school.field("measure.act.date"), "2020-10-05");
  EXPECT_EQ(school.field("start"), "2026-01-15");
  EXPECT_EQ(school.field("completed"), "2026-06-20");
  EXPECT_EQ(school.field("lifecycle"), "completed");
  EXPECT_EQ(school.field("indicators[0].code"), "EDU-SCHOOLS");
  EXPECT_EQ(school.field("indicators[0].periods[0].actual"), "812");
  EXPECT_EQ(school.field("indicators[0].periods[0].end"), "2026-06-30");
  const auto& health = run.records[1];
  EXPECT_EQ(health.field("sector"), "health");
  EXPECT_EQ(health.field("region"), "1703202");
  EXPECT_EQ(health.field("lifecycle"), "inProgress");
  EXPECT_FALSE(health.has("indicators"));
}

TEST_F(FileDrop, QuotedValuesKeepDelimitersQuotesAndLineBreaks) {
  drop("quoted.csv",
       std::string(kHeader) +
           "DU2030-9.9.9,\"Schools, clinics and \"\"smart\"\" kiosks\",decree,UP-6079,"
           "2020-10-05,1726,\"Tashkent City Hokimiyat, IT Department\",other,1,"
           "planned,2026-01-01,2026-12-31,\n");
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options());
  auto run = p.poll();
  ASSERT_EQ(run.records.size(), 1u) << ::testing::PrintToString(run.rejected);
  EXPECT_EQ(run.records[0].field("measure.title"), "Schools, clinics and \"smart\" kiosks");
  EXPECT_EQ(run.records[0].field("organisation"), "Tashkent City Hokimiyat, IT Department");
}

TEST_F(FileDrop, AFileStillBeingWrittenIsNotRead) {
  drop("fresh.csv", std::string(kHeader) + kRows, /*settled=*/false);
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options({{"settle_ms", "60000"}}));
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.records, IsEmpty());
  EXPECT_THAT(*run.checkpoint, Not(HasSubstr("fresh.csv")));

  // Unchanged for longer than settle_ms: read.
  fs::last_write_time(inbox_ / "fresh.csv",
                      fs::file_time_type::clock::now() - std::chrono::minutes(2));
  EXPECT_EQ(p.poll().records.size(), 3u);
}

TEST_F(FileDrop, AGrowingFileIsReadOnlyOnceItStopsChanging) {
  const fs::path file = drop("growing.csv", std::string(kHeader), /*settled=*/false);
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options({{"settle_ms", "400"}}));
  EXPECT_THAT(p.poll().records, IsEmpty());
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  std::ofstream(file, std::ios::app) << kRows;
  EXPECT_THAT(p.poll().records, IsEmpty());  // changed since the last look
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  EXPECT_THAT(p.poll().records, IsEmpty());  // not yet unchanged for 400 ms
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto run = p.poll();
  EXPECT_EQ(run.records.size(), 3u);  // whole
}

TEST_F(FileDrop, TemporaryAndHiddenNamesAreNeverRead) {
  for (const char* name : {"upload.csv.tmp", "upload.csv.part", ".upload.csv", "~$book.csv"})
    drop(name, std::string(kHeader) + kRows);
  drop("ready.csv", std::string(kHeader) + kRows);
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options({{"pattern", "*"}, {"format", "csv"}}));
  auto run = p.poll();
  EXPECT_EQ(run.records.size(), 3u);
  EXPECT_THAT(*run.checkpoint, HasSubstr("ready.csv"));
  p.poll();
  for (const char* name : {"upload.csv.tmp", "upload.csv.part", ".upload.csv", "~$book.csv"})
    EXPECT_TRUE(fs::exists(inbox_ / name)) << name;
  EXPECT_FALSE(fs::exists(inbox_ / "quarantine"));
}

TEST_F(FileDrop, AFileThatCannotBeReadIsQuarantinedWithAReasonBesideIt) {
  drop("a-bad.csv", "measure_id,title,Executor\nM,T,X\n");
  drop("b-good.csv", std::string(kHeader) + kRows);
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options());
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_EQ(run.records.size(), 3u);  // the good file is not held back
  EXPECT_FALSE(fs::exists(inbox_ / "a-bad.csv"));
  EXPECT_EQ(read(inbox_ / "quarantine" / "a-bad.csv"), "measure_id,title,Executor\nM,T,X\n");
  const std::string reason = read(inbox_ / "quarantine" / "a-bad.csv.reason.txt");
  EXPECT_THAT(reason, AllOf(HasSubstr("a-bad.csv"), HasSubstr("What is wrong"),
                            HasSubstr("line 1: column 3 (C) is not mapped"),
                            HasSubstr("How to fix it"), HasSubstr("option \"columns\"")));
  EXPECT_EQ(p.counters().at("files_quarantined"), 1);
  EXPECT_THAT(*run.checkpoint, Not(HasSubstr("a-bad.csv")));
}

// One poll, and what the host logged meanwhile (its log goes to stdout or stderr).
std::pair<ijro::testkit::PollResult, std::string> pollLogged(PluginUnderTest& p) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  auto run = p.poll();
  std::string log = ::testing::internal::GetCapturedStdout();
  log += ::testing::internal::GetCapturedStderr();
  return {std::move(run), std::move(log)};
}

TEST_F(FileDrop, ASymbolicLinkInTheFolderIsRefusedUnreadAndQuarantined) {
  // A file outside the folder that only root may read, and a link to it dropped in the folder.
  const fs::path outside = root_ / "outside" / "secret.csv";
  fs::create_directories(outside.parent_path());
  { std::ofstream(outside) << kHeader << kRows; }
  fs::permissions(outside, fs::perms(0600));
  fs::create_symlink(outside, inbox_ / "linked.csv");
  fs::create_symlink("/etc/passwd", inbox_ / "passwd.csv");
  drop("good.csv", std::string(kHeader) + kRows);
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options());
  auto run = pollLogged(p);
  const std::string& log = run.second;
  ASSERT_EQ(run.first.status, Status::Ok) << run.first.message;
  EXPECT_EQ(run.first.records.size(), 3u);  // good.csv only
  EXPECT_THAT(*run.first.checkpoint, AllOf(HasSubstr("good.csv"), Not(HasSubstr("linked.csv")),
                                           Not(HasSubstr("passwd.csv"))));
  const fs::path q = inbox_ / "quarantine";
  for (const char* name : {"linked.csv", "passwd.csv"}) {
    EXPECT_FALSE(fs::exists(fs::symlink_status(inbox_ / name))) << name;
    EXPECT_TRUE(fs::is_symlink(q / name)) << name;  // the link itself, moved, not a copy
    EXPECT_THAT(read(q / (std::string(name) + ".reason.txt")),
                AllOf(HasSubstr(std::string("refused ") + name), HasSubstr("symbolic link"),
                      HasSubstr("Nothing of it was read"), Not(HasSubstr("root:")),
                      Not(HasSubstr("DU2030"))));
  }
  EXPECT_EQ(read(outside), std::string(kHeader) + kRows);  // untouched
  EXPECT_TRUE(fs::exists("/etc/passwd"));
  EXPECT_THAT(
      log, AllOf(HasSubstr("refused linked.csv: it is a symbolic link"), Not(HasSubstr("root:"))));
  EXPECT_EQ(p.counters().at("files_refused"), 2);
}

TEST_F(FileDrop, AReasonFileAndTheLogNeverQuoteTheFilesHeaderCells) {
  const std::string secret = "api_key=sk_live_4f9a8b7c6d5e";
  drop("leaky.csv", "measure_id,title," + secret + ",\x1b[2J\x1b]0;owned\x07\nM,T,X,Y\n");
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options());
  auto run = pollLogged(p);
  const std::string& log = run.second;
  ASSERT_EQ(run.first.status, Status::Ok) << run.first.message;
  const std::string reason = read(inbox_ / "quarantine" / "leaky.csv.reason.txt");
  EXPECT_THAT(reason, HasSubstr("column 3 (C), column 4 (D) are not mapped to any field"));
  EXPECT_THAT(log, HasSubstr("quarantined leaky.csv"));  // the log line is there, and clean:
  for (const std::string& text : {reason, log}) {
    EXPECT_THAT(text, AllOf(Not(HasSubstr("sk_live")), Not(HasSubstr("owned"))));
    EXPECT_EQ(text.find('\x1b'), std::string::npos);
    EXPECT_EQ(text.find('\x07'), std::string::npos);
  }
}

TEST_F(FileDrop, EachKindOfUnreadableFileSaysWhatIsWrong) {
  drop("quote.csv", std::string(kHeader) + "M,\"never closed,decree\n");
  drop("width.csv", std::string(kHeader) +
                        "M,Title,with,an,unquoted,comma,decree,UP,2020-01-01,"
                        "1726,O,other,1,planned,2026-01-01,2026-12-31,\n");
  drop("cp1251.csv", std::string(kHeader) + "M,\xD8\xEA\xEE\xEB\xE0\n");
  drop("report.xml", "<report xmlns=\"urn:ijro-hub:report:1\"><implementation revision=\"1\">");
  drop("empty.csv", "");
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options());
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.records, IsEmpty());
  const fs::path q = inbox_ / "quarantine";
  EXPECT_THAT(read(q / "quote.csv.reason.txt"),
              HasSubstr("line 2, column 2: a quoted field opens here"));
  EXPECT_THAT(read(q / "width.csv.reason.txt"),
              HasSubstr("line 2 has 17 fields, but the header (line 1) has 13"));
  EXPECT_THAT(read(q / "cp1251.csv.reason.txt"),
              AllOf(HasSubstr("line 2"), HasSubstr("not valid UTF-8"), HasSubstr("CSV UTF-8")));
  EXPECT_THAT(read(q / "report.xml.reason.txt"),
              AllOf(HasSubstr("line 1"), HasSubstr("status-report.xsd")));
  EXPECT_THAT(read(q / "empty.csv.reason.txt"), HasSubstr("the file is empty"));
  EXPECT_EQ(p.counters().at("files_quarantined"), 5);
}

TEST_F(FileDrop, ABadRowIsForwardedSoTheHubRejectsItWithAReason) {
  drop("rows.csv", std::string(kHeader) + kRows +
                       "DU2030-5.1.1,Bad region,decree,UP-6079,2020-10-05,9999,Org,other,1,"
                       "planned,2026-01-01,2026-12-31,\n"
                       "DU2030-5.1.2,Bad date,decree,UP-6079,2020-10-05,1726,Org,other,1,"
                       "planned,2026-02-30,2026-12-31,\n");
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options());
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_EQ(run.records.size(), 3u);
  ASSERT_EQ(run.rejected.size(), 2u);
  EXPECT_EQ(run.rejected[0].index, 4u);
  EXPECT_THAT(run.rejected[0].reasons, ElementsAre(HasSubstr("region '9999'")));
  EXPECT_THAT(run.rejected[1].reasons, ElementsAre(HasSubstr("start")));
  // The file itself was read: it is moved to processed like any other.
  p.poll();
  EXPECT_TRUE(fs::exists(inbox_ / "processed" / "rows.csv"));
}

TEST_F(FileDrop, XmlStatusReportsAreForwardedRecordByRecord) {
  const fs::path examples = ijro::test::sourceDir() / "examples";
  drop("tashkent.xml", read(examples / "report-tashkent.xml"));
  drop("andijan.xml", read(examples / "report-andijan.xml"));
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options());
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.rejected, IsEmpty());
  std::size_t expected = 0;
  for (const char* f : {"report-andijan.xml", "report-tashkent.xml"}) {
    const std::string text = read(examples / f);
    for (auto at = text.find("<implementation "); at != std::string::npos;
         at = text.find("<implementation ", at + 1))
      ++expected;
  }
  EXPECT_EQ(run.records.size(), expected);
  EXPECT_EQ(run.records.front().field("region"), "1703");  // andijan.xml comes first by name
  EXPECT_EQ(run.records.back().field("region"), "1726");
  p.poll();
  EXPECT_TRUE(fs::exists(inbox_ / "processed" / "tashkent.xml"));
  EXPECT_TRUE(fs::exists(inbox_ / "processed" / "andijan.xml"));
}

TEST_F(FileDrop, InvalidImplementationsOfAnXmlReportAreListedInTheQuarantine) {
  const std::string good =
      "<implementation revision=\"1\"><measure id=\"DU2030-2.4.3\"><title>Consultations</title>"
      "<act type=\"decree\" number=\"UP-6079\" date=\"2020-10-05\"/></measure>"
      "<region>1726</region><organisation>Health Department</organisation><sector>health</sector>"
      "<lifecycle>inProgress</lifecycle><start>2026-01-01</start><deadline>2026-12-31</deadline>"
      "</implementation>\n";
  const std::string bad =
      "<implementation revision=\"1\"><measure id=\"DU2030-2.4.4\"><title>No region</title>"
      "<act type=\"decree\" number=\"UP-6079\" date=\"2020-10-05\"/></measure>"
      "<organisation>Health Department</organisation><sector>health</sector>"
      "<lifecycle>inProgress</lifecycle><start>2026-01-01</start><deadline>2026-12-31</deadline>"
      "</implementation>\n";
  drop("mixed.xml",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<report "
       "xmlns=\"urn:ijro-hub:report:1\">\n" +
           good + bad + "</report>\n");
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options());
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  ASSERT_EQ(run.records.size(), 1u);
  EXPECT_EQ(run.records[0].field("measure.id"), "DU2030-2.4.3");
  EXPECT_EQ(p.counters().at("records_rejected"), 1);

  p.poll();
  EXPECT_TRUE(fs::exists(inbox_ / "processed" / "mixed.xml"));
  EXPECT_THAT(read(inbox_ / "quarantine" / "mixed.xml.rejected.txt"),
              AllOf(HasSubstr("implementation 2 (measure DU2030-2.4.4)"), HasSubstr("region"),
                    HasSubstr("How to fix it")));

  // A report none of whose implementations can be read is quarantined whole.
  drop("all-bad.xml", "<report xmlns=\"urn:ijro-hub:report:1\">" + bad + "</report>");
  EXPECT_THAT(p.poll().records, IsEmpty());
  EXPECT_THAT(read(inbox_ / "quarantine" / "all-bad.xml.reason.txt"),
              HasSubstr("none of the implementations"));
}

TEST_F(FileDrop, TheCheckpointDecidesAfterARestartWhetherAFileIsReadAgain) {
  drop("a.csv", std::string(kHeader) + kRows);
  std::optional<std::string> committed;
  {
    PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options());
    auto run = p.poll();
    ASSERT_EQ(run.records.size(), 3u);
    committed = run.checkpoint;
  }  // the hub stops before the next poll

  // Crashed before the store committed: the hub hands back no checkpoint; the file is read again.
  {
    PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options());
    EXPECT_EQ(p.poll().records.size(), 3u);
  }
  // Committed, then restarted: nothing is read twice, the file is moved aside.
  Settings restarted;
  restarted.checkpoint = committed;
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options(), restarted);
  auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.records, IsEmpty());
  EXPECT_TRUE(fs::exists(inbox_ / "processed" / "a.csv"));
}

TEST_F(FileDrop, AFileReplacedAfterItWasReadIsReadAgain) {
  drop("a.csv", std::string(kHeader) + kRows);
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options());
  ASSERT_EQ(p.poll().records.size(), 3u);
  std::string newer = std::string(kHeader) + kRows;
  newer.replace(newer.find(",1,inProgress"), 13, ",2,inProgress");
  drop("a.csv", newer);
  fs::last_write_time(inbox_ / "a.csv", fs::file_time_type::clock::now() - std::chrono::minutes(5));
  auto run = p.poll();  // not the file the checkpoint names: it stays and is read
  ASSERT_EQ(run.records.size(), 3u);
  EXPECT_EQ(run.records[0].field("revision"), "2");
  EXPECT_FALSE(fs::exists(inbox_ / "processed" / "a.csv"));
  p.poll();
  EXPECT_EQ(read(inbox_ / "processed" / "a.csv"), newer);
}

TEST_F(FileDrop, FilesAreReadInNameOrderAndNeverSplitBetweenPolls) {
  std::string second = std::string(kHeader) + kRows;
  for (auto at = second.find("DU2030-"); at != std::string::npos; at = second.find("DU2030-", at))
    second.replace(at, 7, "DU2031-");
  drop("2026-11-02.csv", second);
  drop("2026-11-01.csv", std::string(kHeader) + kRows);
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options({{"max_records_per_poll", "4"}}));
  auto first = p.poll();
  EXPECT_THAT(ids(first.records), ElementsAre("DU2030-2.4.3", "DU2030-3.1.7", "DU2030-4.2.1"));
  auto next = p.poll();
  EXPECT_THAT(ids(next.records), ElementsAre("DU2031-2.4.3", "DU2031-3.1.7", "DU2031-4.2.1"));

  // A file larger than one poll may carry is quarantined (it could never be read).
  drop("big.csv", std::string(kHeader) + kRows + kRows);
  p.poll();
  EXPECT_THAT(read(inbox_ / "quarantine" / "big.csv.reason.txt"),
              HasSubstr("more than one poll may carry"));
}

TEST_F(FileDrop, RowsWithoutARevisionTakeTheFilesModificationTime) {
  std::string csv =
      "measure_id,title,act_type,act_number,act_date,region,organisation,sector,"
      "lifecycle,start,deadline\n"
      "DU2030-2.4.3,T,decree,UP-6079,2020-10-05,1726,Org,health,planned,2026-01-01,"
      "2026-12-31\n";
  const fs::path f = drop("export.csv", csv);
  const std::chrono::sys_seconds mtime =
      std::chrono::sys_days{std::chrono::year{2026} / 11 / 27} + std::chrono::hours(9);
  fs::last_write_time(f, std::chrono::file_clock::from_sys(mtime));
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options());
  auto run = p.poll();
  ASSERT_EQ(run.records.size(), 1u);
  EXPECT_EQ(
      run.records[0].field("revision"),
      std::to_string(
          std::chrono::duration_cast<std::chrono::seconds>(mtime.time_since_epoch()).count()));
}

TEST_F(FileDrop, AMissingFolderFailsThePollUntilItExists) {
  fs::remove_all(inbox_);
  PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, options());
  auto run = p.poll();
  EXPECT_EQ(run.status, Status::Retry);
  EXPECT_THAT(run.message, AllOf(HasSubstr("cannot list the folder"), HasSubstr(inbox_.string())));
  fs::create_directories(inbox_);
  drop("a.csv", std::string(kHeader) + kRows);
  EXPECT_EQ(p.poll().records.size(), 3u);
}

TEST_F(FileDrop, OptionsAreChecked) {
  const auto refused = [&](const Options& o) {
    try {
      PluginUnderTest p(IJRO_FILE_DROP_PLUGIN, o);
    } catch (const PluginError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_THAT(refused({{"settle_ms", "0"}}), HasSubstr("directory"));  // required
  EXPECT_THAT(refused(options({{"format", "json"}})), HasSubstr("option \"format\" must be csv"));
  EXPECT_THAT(refused(options({{"folder", "/tmp"}})), HasSubstr("folder"));  // unknown option
  EXPECT_THAT(refused(options({{"processed_dir", inbox_.string() + "/"}})),
              HasSubstr("must not be the watched directory"));
  EXPECT_THAT(refused(options({{"columns", "org=Executor"}})), HasSubstr("\"org\" is not a field"));
  EXPECT_THAT(refused(options({{"delimiter", "||"}})), HasSubstr("delimiter"));
  EXPECT_THAT(refused(options({{"settle_ms", "soon"}})), HasSubstr("settle_ms"));

  const auto info = ijro::testkit::inspect(IJRO_FILE_DROP_PLUGIN);
  EXPECT_EQ(info.name, "file-drop");
  EXPECT_EQ(info.kind, "source");
  std::vector<std::string> names;
  for (const auto& o : info.options) names.push_back(o.name);
  EXPECT_THAT(names,
              ::testing::IsSupersetOf({"directory", "pattern", "format", "processed_dir",
                                       "quarantine_dir", "settle_ms", "columns", "delimiter"}));
}

}  // namespace
