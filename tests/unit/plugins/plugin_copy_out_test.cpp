// A bundled plugin's folder (xml_exchange, file_drop, spreadsheet) is a project of its own: copied
// out of the tree, it configures and builds against an SDK installed on its own (`cmake -S sdk`),
// and the hub loads and runs what it built. This holds only if the plugin includes nothing of hub/
// (the copy has no path to it) and its CMakeLists.txt finds the SDK when it is the top level.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "hub/exchange/report.hpp"
#include "hub/plugin_host/instance.hpp"
#include "hub/plugin_host/loader.hpp"
#include "hub/plugin_host/records.hpp"
#include "tests/support/test_support.hpp"
#include "tests/unit/plugins/out_of_tree.hpp"

namespace {

namespace fs = std::filesystem;
namespace host = ijro::plugin_host;
using ijro::test::run;
using ::testing::SizeIs;

// The SDK installed from sdk/ alone into `prefix`.
bool installSdk(const fs::path& work, const fs::path& prefix, const fs::path& log) {
  const fs::path build = work / "sdk-build";
  return run(ijro::test::cmakeConfigure(ijro::test::sourceDir() / "sdk", build, prefix), log) &&
         run({IJRO_CMAKE_COMMAND, "--build", build.string()}, log) &&
         run({IJRO_CMAKE_COMMAND, "--install", build.string(), "--prefix", prefix.string()}, log);
}

// plugins/<name> copied to `work` (its sources only) and built there against `prefix`; returns
// the built library.
fs::path buildCopy(const std::string& name, const fs::path& work, const fs::path& prefix,
                   const fs::path& log) {
  const fs::path copy = work / name, build = work / (name + "-build");
  fs::copy(ijro::test::sourceDir() / "plugins" / name, copy, fs::copy_options::recursive);
  if (!run(ijro::test::cmakeConfigure(copy, build, prefix), log) ||
      !run({IJRO_CMAKE_COMMAND, "--build", build.string(), "-j", "2"}, log))
    return {};
  return build / (name + ".so");
}

TEST(PluginCopyOut, EachBundledPluginBuildsAloneAgainstTheInstalledSdkAndRunsInTheHub) {
  const fs::path work = ijro::test::tempDir("plugin-copy-out");
  const fs::path prefix = work / "prefix", log = work / "log.txt";
  ASSERT_TRUE(installSdk(work, prefix, log));
  const std::string report =
      ijro::test::readFile(ijro::test::sourceDir() / "examples" / "report-tashkent.xml");
  const std::size_t implementations = ijro::exchange::parseReportXml(report).records.size();

  // xml-exchange: writes what it is given as a report the hub reads back.
  const fs::path sink = buildCopy("xml_exchange", work, prefix, log);
  ASSERT_FALSE(sink.empty());
  host::LoadedPlugin exchange = host::load(sink);
  EXPECT_EQ(exchange.info().name, "xml-exchange");
  EXPECT_EQ(exchange.info().kind, host::Kind::Sink);
  EXPECT_EQ(exchange.info().abi, host::hostAbi());
  const fs::path out = work / "exchange";
  fs::create_directories(out);
  {
    auto in = host::Instance::create(exchange, "copied-sink", {{"directory", out.string()}});
    std::vector<std::string> records;
    for (const auto& r : ijro::exchange::parseReportXml(report).records)
      records.push_back(host::recordJson(*r.record));
    host::DeliverResult d = in->deliver(records);
    ASSERT_EQ(d.status, host::Status::Ok) << d.message;
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(out)) files.push_back(e.path());
  ASSERT_THAT(files, SizeIs(1));
  EXPECT_THAT(ijro::exchange::parseReportXml(ijro::test::readFile(files[0])).records,
              SizeIs(implementations));

  // file-drop: reads that report back from a folder.
  const fs::path source = buildCopy("file_drop", work, prefix, log);
  ASSERT_FALSE(source.empty());
  host::LoadedPlugin drop = host::load(source);
  EXPECT_EQ(drop.info().name, "file-drop");
  EXPECT_EQ(drop.info().kind, host::Kind::Source);
  auto in = host::Instance::create(drop, "copied-source",
                                   {{"directory", out.string()}, {"settle_ms", "0"}});
  host::PollResult p = in->poll();
  ASSERT_EQ(p.status, host::Status::Ok) << p.message;
  EXPECT_THAT(p.records, SizeIs(implementations));
  for (const auto& r : host::checkRecords(p.records, "copied-source"))
    EXPECT_TRUE(r.valid()) << r.json;

  // spreadsheet: reads a tracking workbook (IjroHub::tables from the installed SDK, and ICU).
  const fs::path sheets = buildCopy("spreadsheet", work, prefix, log);
  ASSERT_FALSE(sheets.empty());
  host::LoadedPlugin sheet = host::load(sheets);
  EXPECT_EQ(sheet.info().name, "spreadsheet");
  const fs::path inbox = work / "sheets";
  fs::create_directories(inbox);
  fs::copy_file(ijro::test::sourceDir() / "tests/data/spreadsheet/tracking-uz-cyrl.xlsx",
                inbox / "tracking.xlsx");
  auto tracking = host::Instance::create(sheet, "copied-sheet",
                                         {{"directory", inbox.string()},
                                          {"settle_ms", "0"},
                                          {"region", "1703"},
                                          {"sector", "education"},
                                          {"act_number", "PQ-60"},
                                          {"act_date", "2022-01-28"},
                                          {"start", "2026-01-01"}});
  host::PollResult rows = tracking->poll();
  ASSERT_EQ(rows.status, host::Status::Ok) << rows.message;
  EXPECT_THAT(rows.records, SizeIs(3));
  for (const auto& r : host::checkRecords(rows.records, "copied-sheet"))
    EXPECT_TRUE(r.valid()) << r.json;

  fs::remove_all(work);
}

// An adapter's folder (adapters/NAME, or plugins/NAME) copied out and built alone against the SDK
// installed on its own, without its unit tests (they need the test kit, which the hub's build
// installs); the library it builds is one the hub's loader takes.
fs::path buildAdapterCopy(const std::string& folder, const std::string& name, const fs::path& work,
                          const fs::path& prefix, const fs::path& log) {
  const fs::path copy = work / name, build = work / (name + "-build");
  fs::copy(ijro::test::sourceDir() / folder / name, copy, fs::copy_options::recursive);
  std::vector<std::string> configure = ijro::test::cmakeConfigure(copy, build, prefix);
  configure.push_back("-DBUILD_TESTING=OFF");
  if (!run(configure, log) || !run({IJRO_CMAKE_COMMAND, "--build", build.string(), "-j", "2"}, log))
    return {};
  return build / (name + ".so");
}

TEST(PluginCopyOut, EachAdapterAndGenericSourceBuildsAloneAgainstTheInstalledSdkAndLoads) {
  const fs::path work = ijro::test::tempDir("adapter-copy-out");
  const fs::path prefix = work / "prefix", log = work / "log.txt";
  ASSERT_TRUE(installSdk(work, prefix, log));
  // The sector adapters, and the generic sources that find libraries of their own (SOCI).
  struct Copy {
    const char* folder;  // adapters or plugins
    const char* dir;     // its folder there, and the library it builds (DIR.so)
    const char* name;    // the plugin's own name
  };
  for (const Copy& c :
       {Copy{"adapters", "health-fhir", "health-fhir"},
        Copy{"adapters", "education-oneroster", "education-oneroster"},
        Copy{"adapters", "tax-fiscal", "tax-fiscal"}, Copy{"plugins", "rest_json", "rest-json"},
        Copy{"plugins", "sql_query", "sql-query"}}) {
    const fs::path built = buildAdapterCopy(c.folder, c.dir, work, prefix, log);
    ASSERT_FALSE(built.empty()) << c.folder << "/" << c.dir << ":\n" << ijro::test::readFile(log);
    host::LoadedPlugin plugin = host::load(built);
    EXPECT_EQ(plugin.info().name, c.name);
    EXPECT_EQ(plugin.info().kind, host::Kind::Source);
    EXPECT_EQ(plugin.info().abi, host::hostAbi());
  }
  // And one runs: the copied tax-fiscal reads its fixture export into valid records.
  host::LoadedPlugin tax = host::load(work / "tax-fiscal-build" / "tax-fiscal.so");
  const fs::path inbox = work / "fiscal";
  fs::create_directories(inbox);
  fs::copy_file(work / "tax-fiscal" / "fixtures" / "good.jsonl", inbox / "good.jsonl");
  auto in = host::Instance::create(tax, "copied-tax",
                                   {{"directory", inbox.string()},
                                    {"settle_ms", "0"},
                                    {"measure_id", "PQ-4525-1"},
                                    {"measure_title", "Online cash registers"},
                                    {"deadline", "2026-12-31"},
                                    {"act_number", "PQ-4525"},
                                    {"act_date", "2026-01-10"}});
  host::PollResult p = in->poll();
  ASSERT_EQ(p.status, host::Status::Ok) << p.message;
  EXPECT_THAT(p.records, SizeIs(5));  // the fixture's five regions
  for (const auto& r : host::checkRecords(p.records, "copied-tax"))
    EXPECT_TRUE(r.valid()) << r.json;
  fs::remove_all(work);
}

TEST(PluginCopyOut, AskingTheSdkAloneForTheTestKitSaysHowToInstallIt) {
  const fs::path work = ijro::test::tempDir("sdk-without-testkit");
  const fs::path prefix = work / "prefix", log = work / "log.txt", project = work / "project";
  ASSERT_TRUE(installSdk(work, prefix, log));
  fs::create_directories(project);
  std::ofstream(project / "CMakeLists.txt")
      << "cmake_minimum_required(VERSION 3.20)\nproject(needs_testkit LANGUAGES NONE)\n"
         "find_package(IjroHub 0.2 REQUIRED COMPONENTS testkit)\n";
  const fs::path out = work / "out.txt";
  std::vector<std::string> configure =
      ijro::test::cmakeConfigure(project, work / "project-build", prefix);
  std::string cmd;
  for (const auto& a : configure) cmd += ijro::test::shellQuote(a) + " ";
  EXPECT_NE(std::system((cmd + ">" + ijro::test::shellQuote(out.string()) + " 2>&1").c_str()), 0);
  std::string text;  // CMake wraps the message: compare with single spaces
  for (char c : ijro::test::readFile(out)) {
    const bool blank = c == ' ' || c == '\n';
    if (!blank || (!text.empty() && text.back() != ' ')) text += blank ? ' ' : c;
  }
  EXPECT_NE(text.find("component testkit"), std::string::npos) << text;
  EXPECT_NE(text.find("--component testkit"), std::string::npos) << text;
  fs::remove_all(work);
}

}  // namespace
