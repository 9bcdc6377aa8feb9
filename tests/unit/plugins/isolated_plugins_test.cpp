// The generic plugins with isolation="process": in an `ijro-hub plugin-host` child (the real
// binary), the host services they call back into (status-report XML, ABI 1.1) are served by the
// child's own plugin host, so a sink writes and a source reads reports exactly as in-process.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "hub/exchange/report.hpp"
#include "hub/isolation/make_runner.hpp"
#include "hub/plugin_host/records.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::isolation {
namespace {

namespace fs = std::filesystem;
using ::testing::SizeIs;
using namespace std::chrono_literals;

RunnerOptions isolated(const char* plugin, OptionValues options) {
  RunnerOptions o;
  o.pluginPath = plugin;
  o.name = "isolated";
  o.options = std::move(options);
  o.isolation = Isolation::Process;
  o.hubBinary = IJRO_HUB_BINARY;
  o.callTimeout = 20s;
  return o;
}

TEST(IsolatedPlugins, ReportsAreWrittenAndReadInAPluginHostChild) {
  const fs::path dir = ijro::test::tempDir("isolated-plugins");
  const std::string report =
      ijro::test::readFile(ijro::test::sourceDir() / "examples" / "report-andijan.xml");
  std::vector<std::string> records;
  for (const auto& r : exchange::parseReportXml(report).records)
    records.push_back(plugin_host::recordJson(*r.record));
  ASSERT_FALSE(records.empty());

  auto sink = makeRunner(isolated(IJRO_XML_EXCHANGE_PLUGIN,
                                  {{"directory", dir.string()}, {"source", "isolated-hub"}}));
  DeliverResult d = sink->deliver(records);
  ASSERT_EQ(d.status, Status::Ok) << d.message;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  ASSERT_THAT(files, SizeIs(1));
  const auto written = exchange::parseReportXml(ijro::test::readFile(files[0]));
  EXPECT_EQ(written.source, "isolated-hub");
  EXPECT_THAT(written.records, SizeIs(records.size()));

  // A record the child's host cannot write is refused on its own there too.
  const std::vector<std::string> mixed = {records[0], "{\"revision\":\"x\"}"};
  d = sink->deliver(mixed);
  ASSERT_EQ(d.status, Status::Ok) << d.message;
  EXPECT_THAT(d.records, ::testing::ElementsAre(Status::Ok, Status::Error));

  auto source = makeRunner(
      isolated(IJRO_FILE_DROP_PLUGIN, {{"directory", dir.string()}, {"settle_ms", "0"}}));
  PollResult p = source->poll();
  ASSERT_EQ(p.status, Status::Ok) << p.message;
  EXPECT_THAT(p.records, SizeIs(records.size() + 1));  // both files
  EXPECT_EQ(p.records[0], records[0]);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ijro::isolation
