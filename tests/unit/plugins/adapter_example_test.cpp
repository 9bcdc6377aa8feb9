// The out-of-tree flow an adapter team follows (docs/plugin-guide.md), end to end: install the
// SDK package of this build tree to a fresh prefix, configure and build examples/adapter-example
// against it with find_package(IjroHub), run the example's own unit tests, and load the plugin it
// built with the hub's loader and harness.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>

#include "hub/plugin_host/harness.hpp"
#include "hub/plugin_host/loader.hpp"
#include "hub/xml/safe_reader.hpp"
#include "hub/xml/schema.hpp"
#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"

namespace {

namespace fs = std::filesystem;
namespace host = ijro::plugin_host;

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// Runs a command with its output in `log`; on failure the test fails with the end of the log.
bool run(const std::vector<std::string>& argv, const fs::path& log) {
  std::string cmd;
  for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + quote(a);
  std::ofstream(log, std::ios::app) << "\n$ " << cmd << "\n";
  const int rc = std::system((cmd + " >>" + quote(log.string()) + " 2>&1").c_str());
  if (rc == 0) return true;
  std::string text = ijro::test::readFile(log);
  if (text.size() > 12000) text = "...\n" + text.substr(text.size() - 12000);
  ADD_FAILURE() << "command failed (status " << (WIFEXITED(rc) ? WEXITSTATUS(rc) : rc)
                << "): " << cmd << "\n"
                << text;
  return false;
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

  // 1. The package: only what the components "sdk" and "testkit" install.
  for (const char* component : {"sdk", "testkit"})
    ASSERT_TRUE(run({IJRO_CMAKE_COMMAND, "--install", ijro::test::binaryDir().string(), "--prefix",
                     prefix.string(), "--component", component},
                    log));
  for (const char* file :
       {"include/ijro-hub/ijro_plugin.h", "include/ijro-hub/ijro_plugin.hpp",
        "include/ijro-hub/ijro_testkit.hpp", "lib/cmake/IjroHub/IjroHubConfig.cmake",
        "lib/cmake/IjroHub/IjroHubConfigVersion.cmake", "lib/cmake/IjroHub/IjroHubTargets.cmake",
        "lib/cmake/IjroHub/IjroPlugin.cmake", "lib/cmake/IjroHub/ijro_plugin.map",
        "lib/cmake/IjroHub/IjroTestkit.cmake", "lib/libijro_testkit.so",
        "lib/cmake/IjroHub/IjroHubTestkitTargets.cmake"})
    EXPECT_TRUE(fs::exists(prefix / file)) << file;

  // 2. The example, configured and built against the package alone (nothing of this tree).
  ASSERT_TRUE(
      run({IJRO_CMAKE_COMMAND, "-S", example.string(), "-B", build.string(), "-G",
           IJRO_CMAKE_GENERATOR, "-DCMAKE_MAKE_PROGRAM=" IJRO_CMAKE_MAKE_PROGRAM,
           "-DCMAKE_CXX_COMPILER=" IJRO_CXX_COMPILER, "-DCMAKE_BUILD_TYPE=" IJRO_BUILD_TYPE,
           "-DCMAKE_PREFIX_PATH=" + prefix.string(), "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"},
          log));
  ASSERT_TRUE(run({IJRO_CMAKE_COMMAND, "--build", build.string(), "-j", "2"}, log));

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
  const std::string cmd = quote(IJRO_CMAKE_COMMAND) + " -S " + quote(work.string()) + " -B " +
                          quote((work / "build").string()) +
                          " -DCMAKE_PREFIX_PATH=" + quote(prefix.string()) + " >" +
                          quote((work / "out.txt").string()) + " 2>&1";
  EXPECT_NE(std::system(cmd.c_str()), 0);
  EXPECT_NE(ijro::test::readFile(work / "out.txt").find("IjroHub"), std::string::npos);
  fs::remove_all(work);
}

}  // namespace
