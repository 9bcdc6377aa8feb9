// The out-of-tree flow an adapter team follows (docs/plugin-guide.md), end to end: install the
// SDK on its own (`cmake -S sdk`) with the hub's database headers (SOCI, PostgreSQL) hidden, so
// that it provably needs nothing of the hub; add the test kit of this build tree to the same
// prefix; configure and build examples/adapter-example against it with
// find_package(IjroHub COMPONENTS testkit), still without those headers; run the example's own
// unit tests; and load the plugin it built with the hub's loader, harness and binary.
//
// The headers are hidden by an empty tmpfs mounted over their folders in a private mount
// namespace (`unshare -m`): this test needs that (root, or CAP_SYS_ADMIN), and fails when it is
// not permitted rather than skipping.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "hub/plugin_host/harness.hpp"
#include "hub/plugin_host/loader.hpp"
#include "hub/xml/safe_reader.hpp"
#include "hub/xml/schema.hpp"
#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"
#include "tests/unit/plugins/out_of_tree.hpp"

namespace {

namespace fs = std::filesystem;
namespace host = ijro::plugin_host;
using ijro::test::run;
using ijro::test::shellQuote;

std::string commandLine(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + shellQuote(a);
  return out;
}

// The example's options.xml, checked against schemas/plugin-options.xsd; relative paths are
// taken from the example's folder, as when `ijro-hub plugin test` runs there.
host::OptionValues exampleOptions(const fs::path& example) {
  const fs::path file = example / "options.xml";
  const std::string bytes = ijro::test::readFile(file);
  auto doc = ijro::xml::parseDocument(bytes, file.string());
  const ijro::xml::Schema schema(
      (ijro::test::sourceDir() / "schemas" / "plugin-options.xsd").string());
  for (const auto& problem : schema.validate(doc.get(), file.string())) ADD_FAILURE() << problem;
  host::OptionValues values;
  for (xmlNode* n = xmlDocGetRootElement(doc.get())->children; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    xmlChar* name = xmlGetProp(n, reinterpret_cast<const xmlChar*>("name"));
    xmlChar* value = xmlNodeGetContent(n);
    std::string text = reinterpret_cast<const char*>(value);
    if (text.rfind("data/", 0) == 0) text = (example / text).string();
    values[reinterpret_cast<const char*>(name)] = text;
    xmlFree(name);
    xmlFree(value);
  }
  return values;
}

TEST(AdapterExample, BuildsOutOfTreeAgainstTheInstalledPackageAndRunsInTheHub) {
  const fs::path work = ijro::test::tempDir("adapter-example");
  const fs::path prefix = work / "prefix", build = work / "build", log = work / "log.txt";
  const fs::path example = ijro::test::sourceDir() / "examples" / "adapter-example";

  // 1. The package: the SDK configured, built and installed on its own, with the headers of the
  //    hub's database libraries hidden; then the test kit of this build tree beside it.
  const auto hidden = ijro::test::headerFolders({"libsoci-dev", "libpq-dev"});
  ASSERT_FALSE(hidden.empty());
  ASSERT_TRUE(run({"unshare", "-m", "true"}, log))
      << "this test hides headers in a private mount namespace and needs `unshare -m` (root or "
         "CAP_SYS_ADMIN); it fails rather than skipping";
  const fs::path sdkBuild = work / "sdk-build";
  const std::string installSdk =
      ijro::test::hideFolders(hidden) +
      commandLine(ijro::test::cmakeConfigure(ijro::test::sourceDir() / "sdk", sdkBuild, prefix)) +
      "\n" + commandLine({IJRO_CMAKE_COMMAND, "--build", sdkBuild.string()}) + "\n" +
      commandLine(
          {IJRO_CMAKE_COMMAND, "--install", sdkBuild.string(), "--prefix", prefix.string()}) +
      "\n";
  ASSERT_TRUE(run({"unshare", "-m", "sh", "-c", installSdk}, log));
  for (const auto& folder : hidden)  // the mounts ended with that command
    EXPECT_FALSE(fs::is_empty(folder)) << folder;
  // The SDK's own build tree knows nothing of the hub's. (libxml2 is the SDK's too: its XLSX
  // reader, sdk/tables, reads the workbooks' XML with it; so are Boost.JSON, for ijro_json.hpp,
  // and Boost.URL with Beast, Asio and OpenSSL, for its HTTP client.)
  const std::string cache = ijro::test::readFile(sdkBuild / "CMakeCache.txt");
  for (const char* hubOnly :
       {"SOCI", "PostgreSQL", "boost_program_options", "Boost_PROGRAM_OPTIONS", "spdlog"})
    EXPECT_EQ(cache.find(hubOnly), std::string::npos) << hubOnly;
  ASSERT_TRUE(run({IJRO_CMAKE_COMMAND, "--install", ijro::test::binaryDir().string(), "--prefix",
                   prefix.string(), "--component", "testkit"},
                  log));
  for (const char* file :
       {"include/ijro-hub/ijro_plugin.h", "include/ijro-hub/ijro_plugin.hpp",
        "include/ijro-hub/ijro_record.hpp", "include/ijro-hub/ijro_testkit.hpp",
        "lib/cmake/IjroHub/IjroHubConfig.cmake", "lib/cmake/IjroHub/IjroHubConfigVersion.cmake",
        "lib/cmake/IjroHub/IjroHubTargets.cmake", "lib/cmake/IjroHub/IjroPlugin.cmake",
        "lib/cmake/IjroHub/ijro_plugin.map", "lib/cmake/IjroHub/IjroTestkit.cmake",
        "lib/ijro-hub/testkit/libijro_testkit.so", "lib/cmake/IjroHub/IjroHubTestkitTargets.cmake"})
    EXPECT_TRUE(fs::exists(prefix / file)) << file;

  // 2. The example, configured and built against the package alone (nothing of this tree), the
  //    database headers still hidden.
  const std::string buildExample =
      ijro::test::hideFolders(hidden) +
      commandLine(ijro::test::cmakeConfigure(example, build, prefix)) + "\n" +
      commandLine({IJRO_CMAKE_COMMAND, "--build", build.string(), "-j", "2"}) + "\n";
  ASSERT_TRUE(run({"unshare", "-m", "sh", "-c", buildExample}, log));

  // 3. Its own unit tests, written with the test kit.
  ASSERT_TRUE(run({IJRO_CTEST_COMMAND, "--test-dir", build.string(), "--output-on-failure"}, log));

  // 4. The hub loads what was built, and its records pass the hub's checks.
  const fs::path plugin = build / "education_diary.so";
  host::LoadedPlugin loaded = host::load(plugin);
  EXPECT_EQ(loaded.info().name, "education-diary");
  EXPECT_EQ(loaded.info().kind, host::Kind::Source);
  EXPECT_EQ(loaded.info().abi, host::hostAbi());
  host::HarnessOptions opts;
  opts.instanceName = "education-ministry";
  host::SourceRun result = host::runSource(loaded, exampleOptions(example), 2, opts);
  ASSERT_EQ(result.failedPolls(), 0u) << result.polls.at(0).message;
  EXPECT_EQ(result.invalid(), 0u);
  ASSERT_EQ(result.records.size(), 3u);  // one per region; the second poll has nothing new
  EXPECT_EQ(result.records[0].source, "education-ministry");
  EXPECT_EQ(result.records[0].sector, "education");
  EXPECT_EQ(result.records[2].region, "1726");
  EXPECT_EQ(result.records[2].lifecycle, ijro::model::Lifecycle::Completed);

  // 5. The hub runs it from its configuration, and its records reach the feed.
  const fs::path config = work / "hub.xml";
  {
    std::ofstream out(config);
    out << "<hub xmlns=\"urn:ijro-hub:config:1\" id=\"adapter-test\">\n"
        << "  <readers>\n    <reader id=\"test\" token=\"adapter-test-read-token\" "
           "regions=\"*\" sectors=\"*\"/>\n  </readers>\n"
        << "  <plugins>\n"
        << "    <source id=\"education-ministry\" library=\"" << plugin.string()
        << "\" interval=\"1s\" regions=\"*\" sectors=\"education\">\n";
    for (const auto& [name, value] : exampleOptions(example))
      out << "      <option name=\"" << name << "\">" << value << "</option>\n";
    out << "    </source>\n  </plugins>\n</hub>\n";
  }
  ijro::test::HubProcess hub(work, config);
  hub.start();
  std::string feed;
  for (int i = 0; i < 200; ++i) {
    feed = hub.get("/api/v1/feed", "adapter-test-read-token").body;
    if (feed.find("source=\"education-ministry\"") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(feed.find("source=\"education-ministry\""), std::string::npos) << feed << hub.log();
  EXPECT_NE(feed.find(">1726<"), std::string::npos) << feed;

  fs::remove_all(work);
}

TEST(AdapterExample, ThePackageRefusesAnotherMinorVersion) {
  const fs::path work = ijro::test::tempDir("package-version");
  const fs::path prefix = work / "prefix", log = work / "log.txt";
  ASSERT_TRUE(run({IJRO_CMAKE_COMMAND, "--install", ijro::test::binaryDir().string(), "--prefix",
                   prefix.string(), "--component", "sdk"},
                  log));
  std::ofstream(work / "CMakeLists.txt")
      << "cmake_minimum_required(VERSION 3.20)\nproject(v LANGUAGES NONE)\n"
         "find_package(IjroHub 0.9 REQUIRED)\n";
  const std::string cmd = shellQuote(IJRO_CMAKE_COMMAND) + " -S " + shellQuote(work.string()) +
                          " -B " + shellQuote((work / "build").string()) +
                          " -DCMAKE_PREFIX_PATH=" + shellQuote(prefix.string()) + " >" +
                          shellQuote((work / "out.txt").string()) + " 2>&1";
  EXPECT_NE(std::system(cmd.c_str()), 0);
  EXPECT_NE(ijro::test::readFile(work / "out.txt").find("IjroHub"), std::string::npos);
  fs::remove_all(work);
}

}  // namespace
