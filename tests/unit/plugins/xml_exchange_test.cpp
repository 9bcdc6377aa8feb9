// The xml-exchange sink (plugins/xml_exchange): report files written atomically into a folder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ijro_testkit.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "hub/xml/safe_reader.hpp"
#include "hub/xml/schema.hpp"
#include "tests/support/test_support.hpp"

namespace {

namespace fs = std::filesystem;
using ijro::testkit::Options;
using ijro::testkit::PluginError;
using ijro::testkit::PluginUnderTest;
using ijro::testkit::sampleRecord;
using ijro::testkit::Status;
using ::testing::AllOf;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::SizeIs;

class XmlExchange : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ijro::test::tempDir("xml-exchange") / "out";
    fs::create_directories(dir_);
  }

  Options options(Options extra = {}) const {
    Options o{{"directory", dir_.string()}};
    for (auto& [k, v] : extra) o[k] = v;
    return o;
  }

  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

  static std::vector<std::string> records(int n, const std::string& prefix = "EX-") {
    std::vector<std::string> out;
    for (int i = 1; i <= n; ++i) out.push_back(sampleRecord(prefix + std::to_string(i)));
    return out;
  }

  // Schema violations of a written file; empty when it is a valid status report.
  static std::vector<std::string> violations(const fs::path& file) {
    static const ijro::xml::Schema schema(
        (ijro::test::sourceDir() / "schemas" / "status-report.xsd").string());
    const std::string bytes = ijro::test::readFile(file);
    auto doc = ijro::xml::parseDocument(bytes, file.filename().string());
    return schema.validate(doc.get(), file.filename().string());
  }

  static std::size_t implementations(const fs::path& file) {
    const std::string text = ijro::test::readFile(file);
    std::size_t n = 0;
    for (auto at = text.find("<implementation "); at != std::string::npos;
         at = text.find("<implementation ", at + 1))
      ++n;
    return n;
  }

  fs::path dir_;
};

TEST_F(XmlExchange, WritesABatchAsOneValidReportAndLeavesNoTemporaryFile) {
  PluginUnderTest sink(IJRO_XML_EXCHANGE_PLUGIN, options({{"source", "tashkent-hub"}}));
  auto result = sink.deliver(records(3));
  ASSERT_EQ(result.status, Status::Ok) << result.message;
  EXPECT_THAT(result.records, ElementsAre(Status::Ok, Status::Ok, Status::Ok));

  const auto names = files();
  ASSERT_THAT(names, SizeIs(1));
  EXPECT_THAT(names[0], MatchesRegex("ijro-report-[0-9]{8}T[0-9]{6}Z-[0-9]{6}\\.xml"));
  const fs::path file = dir_ / names[0];
  EXPECT_THAT(violations(file), IsEmpty());
  EXPECT_EQ(implementations(file), 3u);
  const std::string text = ijro::test::readFile(file);
  EXPECT_THAT(text, AllOf(HasSubstr("xmlns=\"urn:ijro-hub:report:1\""),
                          HasSubstr("source=\"tashkent-hub\""), HasSubstr("id=\"EX-1\""),
                          HasSubstr("id=\"EX-3\"")));
  EXPECT_EQ(sink.counters().at("files_written"), 1);
  EXPECT_EQ(sink.counters().at("records_written"), 3);
}

TEST_F(XmlExchange, SplitsLargeBatchesAndNeverReusesAName) {
  PluginUnderTest sink(IJRO_XML_EXCHANGE_PLUGIN,
                       options({{"prefix", "andijan"}, {"max_records_per_file", "2"}}));
  auto result = sink.deliver(records(5));
  ASSERT_EQ(result.status, Status::Ok) << result.message;
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(sink.deliver(records(1, "R" + std::to_string(i))).status, Status::Ok);

  const auto names = files();
  ASSERT_THAT(names, SizeIs(3 + 20));
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  EXPECT_THAT(names, Each(MatchesRegex("andijan-[0-9]{8}T[0-9]{6}Z-[0-9]{6}\\.xml")));
  std::size_t total = 0;
  for (const auto& n : names) {
    EXPECT_THAT(violations(dir_ / n), IsEmpty()) << n;
    total += implementations(dir_ / n);
  }
  EXPECT_EQ(total, 25u);
}

TEST_F(XmlExchange, ANameTakenByAnotherWriterIsSkipped) {
  // Another instance with the same prefix has written the first numbers of this second and the
  // next one.
  std::set<std::string> taken;
  const auto now = std::chrono::system_clock::now();
  for (auto t : {now, now + std::chrono::seconds(1)}) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    for (const char* seq : {"000001", "000002"}) {
      const std::string name = std::string("ijro-report-") + stamp + "-" + seq + ".xml";
      std::ofstream(dir_ / name) << "theirs";
      taken.insert(name);
    }
  }
  PluginUnderTest sink(IJRO_XML_EXCHANGE_PLUGIN, options());
  ASSERT_EQ(sink.deliver(records(1)).status, Status::Ok);
  for (const auto& name : taken) EXPECT_EQ(ijro::test::readFile(dir_ / name), "theirs");
  EXPECT_THAT(files(), SizeIs(taken.size() + 1));
}

TEST_F(XmlExchange, ARecordThatCannotBeWrittenIsRefusedAlone) {
  PluginUnderTest sink(IJRO_XML_EXCHANGE_PLUGIN, options());
  std::string unknownField = sampleRecord("EX-2");
  unknownField.insert(1, "\"colour\":\"red\",");
  std::string control = sampleRecord("EX-3");
  control.replace(control.find("Test Organisation"), 4, "Te\\u0001t");
  auto result = sink.deliver(
      {sampleRecord("EX-1"), unknownField, "not json", control, "[1,2]", sampleRecord("EX-6")});
  ASSERT_EQ(result.status, Status::Ok) << result.message;
  EXPECT_THAT(result.records, ElementsAre(Status::Ok, Status::Error, Status::Error, Status::Error,
                                          Status::Error, Status::Ok));
  const auto names = files();
  ASSERT_THAT(names, SizeIs(1));
  EXPECT_EQ(implementations(dir_ / names[0]), 2u);
  EXPECT_THAT(violations(dir_ / names[0]), IsEmpty());
  EXPECT_EQ(sink.counters().at("records_refused"), 4);

  // Nothing to write at all: no file, every record refused.
  result = sink.deliver({"{}"});
  EXPECT_EQ(result.status, Status::Ok);
  EXPECT_THAT(result.records, ElementsAre(Status::Error));
  EXPECT_THAT(files(), SizeIs(1));
}

TEST_F(XmlExchange, AFolderThatCannotBeWrittenMeansRetryTheBatch) {
  PluginUnderTest sink(IJRO_XML_EXCHANGE_PLUGIN, options());
  // Tests run as root, so permissions prove nothing: the folder is missing, then a file.
  fs::remove_all(dir_);
  auto result = sink.deliver(records(2));
  EXPECT_EQ(result.status, Status::Retry);
  EXPECT_THAT(result.records, ElementsAre(Status::Retry, Status::Retry));
  EXPECT_THAT(result.message, AllOf(HasSubstr(dir_.string()), HasSubstr("No such file")));

  std::ofstream(dir_) << "not a folder";
  result = sink.deliver(records(2));
  EXPECT_EQ(result.status, Status::Retry);
  EXPECT_THAT(result.message, HasSubstr("Not a directory"));

  fs::remove(dir_);
  fs::create_directories(dir_);
  result = sink.deliver(records(2));
  EXPECT_EQ(result.status, Status::Ok) << result.message;
  ASSERT_THAT(files(), SizeIs(1));
  EXPECT_THAT(files()[0], HasSubstr(".xml"));
}

TEST_F(XmlExchange, OptionsAreChecked) {
  const auto refused = [&](const Options& o) {
    try {
      PluginUnderTest p(IJRO_XML_EXCHANGE_PLUGIN, o);
    } catch (const PluginError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_THAT(refused({}), HasSubstr("directory"));
  EXPECT_THAT(refused(options({{"prefix", "../escape"}})), HasSubstr("option \"prefix\""));
  EXPECT_THAT(refused(options({{"max_records_per_file", "0"}})), HasSubstr("max_records_per_file"));
  const auto info = ijro::testkit::inspect(IJRO_XML_EXCHANGE_PLUGIN);
  EXPECT_EQ(info.name, "xml-exchange");
  EXPECT_EQ(info.kind, "sink");
}

}  // namespace
