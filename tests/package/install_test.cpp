// `cmake --install` of this build tree: each component installs its own files and nothing else,
// the hub installed under any prefix finds its schemas and plugins beside itself, and the files
// only the Debian packages carry (/etc, the systemd unit) stay out of a plain install.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "tests/package/process.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::test {
namespace {

namespace fs = std::filesystem;

// The files below `root`, as paths relative to it.
std::set<std::string> filesBelow(const fs::path& root) {
  std::set<std::string> files;
  if (!fs::exists(root)) return files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (!e.is_directory()) files.insert(e.path().lexically_relative(root).string());
  return files;
}

class InstallComponents : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = tempDir("install"); }
  void TearDown() override { fs::remove_all(dir_); }

  // cmake --install BUILD [--component C] with DESTDIR=dir_/destdir and --prefix /usr, so that
  // even an absolute destination lands in the test's folder; returns that folder's /usr.
  fs::path install(const std::string& component) {
    std::vector<std::string> argv = {IJRO_CMAKE_COMMAND, "--install", binaryDir().string(),
                                     "--prefix", "/usr"};
    if (!component.empty()) argv.insert(argv.end(), {"--component", component});
    auto r = run({argv, {}, {}, {"DESTDIR=" + (dir_ / "destdir").string()}});
    EXPECT_EQ(r.exitCode, 0) << joined(argv) << "\n" << r.output;
    return dir_ / "destdir/usr";
  }

  fs::path dir_;
};

TEST_F(InstallComponents, HubInstallsTheHubItsPluginsSchemasAndExamples) {
  const fs::path usr = install("hub");
  auto files = filesBelow(dir_ / "destdir");
  std::set<std::string> expected = {"usr/bin/ijro-hub",
                                    "usr/lib/ijro-hub/plugins/file_drop.so",
                                    "usr/lib/ijro-hub/plugins/xml_exchange.so",
                                    "usr/lib/ijro-hub/plugins/spreadsheet.so",
                                    "usr/lib/ijro-hub/plugins/health-fhir.so",
                                    "usr/lib/ijro-hub/plugins/education-oneroster.so",
                                    "usr/lib/ijro-hub/plugins/tax-fiscal.so",
                                    "usr/lib/ijro-hub/plugins/rest_json.so",
                                    "usr/lib/ijro-hub/plugins/sql_query.so",
                                    "usr/share/ijro-hub/examples/hub.xml",
                                    "usr/share/ijro-hub/examples/plugins-example.xml",
                                    "usr/share/man/man1/ijro-hub.1.gz"};
  for (const auto& xsd : fs::directory_iterator(sourceDir() / "schemas"))
    if (xsd.path().extension() == ".xsd")
      expected.insert("usr/share/ijro-hub/schemas/" + xsd.path().filename().string());
  EXPECT_EQ(files, expected);
}

TEST_F(InstallComponents, SdkAndTestkitInstallOnlyTheirs) {
  install("sdk");
  for (const auto& f : filesBelow(dir_ / "destdir"))
    EXPECT_TRUE(f.rfind("usr/include/ijro-hub/", 0) == 0 ||
                f.rfind("usr/lib/cmake/IjroHub/", 0) == 0 || f == "usr/lib/libijro_tables.a" ||
                f == "usr/lib/libijro_mapping.a" || f == "usr/lib/libijro_http_client.a")
        << f << " is not part of the SDK";
  EXPECT_TRUE(fs::exists(dir_ / "destdir/usr/include/ijro-hub/ijro_plugin.h"));
  EXPECT_TRUE(fs::exists(dir_ / "destdir/usr/include/ijro-hub/tables/xlsx.hpp"));
  EXPECT_TRUE(fs::exists(dir_ / "destdir/usr/lib/libijro_tables.a"));
  EXPECT_TRUE(fs::exists(dir_ / "destdir/usr/lib/cmake/IjroHub/IjroHubConfig.cmake"));
  EXPECT_TRUE(fs::exists(dir_ / "destdir/usr/lib/libijro_http_client.a"));
  EXPECT_TRUE(fs::exists(dir_ / "destdir/usr/include/ijro-hub/tables/xml_reader.hpp"));
  EXPECT_TRUE(fs::exists(dir_ / "destdir/usr/include/ijro-hub/mapping/mapping.hpp"));
  EXPECT_TRUE(fs::exists(dir_ / "destdir/usr/lib/libijro_mapping.a"));

  fs::remove_all(dir_ / "destdir");
  install("testkit");
  std::size_t libraries = 0;
  for (const auto& f : filesBelow(dir_ / "destdir")) {
    const bool library = fs::path(f).filename() == "libijro_testkit.so";
    libraries += library ? 1 : 0;
    EXPECT_TRUE(library || f.rfind("usr/lib/cmake/IjroHub/IjroHubTestkitTargets", 0) == 0)
        << f << " is not part of the test kit";
  }
  EXPECT_EQ(libraries, 1u);
}

TEST_F(InstallComponents, APlainInstallLeavesOutWhatOnlyTheDebianPackagesCarry) {
  install("");
  EXPECT_TRUE(fs::exists(dir_ / "destdir/usr/bin/ijro-hub"));
  EXPECT_TRUE(fs::exists(dir_ / "destdir/usr/include/ijro-hub/ijro_plugin.h"));
  EXPECT_FALSE(fs::exists(dir_ / "destdir/etc"));
  EXPECT_FALSE(fs::exists(dir_ / "destdir/lib/systemd"));
  EXPECT_FALSE(fs::exists(dir_ / "destdir/usr/share/doc"));
}

// Under a prefix of its own, away from the source tree and with no IJRO_SCHEMA_DIR, the
// installed hub validates the example that names the bundled plugins by bare name: schemas from
// ../share/ijro-hub/schemas, plugins from ../lib/ijro-hub/plugins.
TEST_F(InstallComponents, TheInstalledHubFindsItsFilesBesideItselfUnderAnyPrefix) {
  const std::vector<std::string> argv = {IJRO_CMAKE_COMMAND,
                                         "--install",
                                         binaryDir().string(),
                                         "--component",
                                         "hub",
                                         "--prefix",
                                         (dir_ / "opt/ijro").string()};
  auto installed = run({argv});
  ASSERT_EQ(installed.exitCode, 0) << installed.output;
  const fs::path prefix = dir_ / "opt/ijro";
  auto validate = run({{(prefix / "bin/ijro-hub").string(), "validate", "--config",
                        (prefix / "share/ijro-hub/examples/plugins-example.xml").string()},
                       dir_,
                       {"IJRO_SCHEMA_DIR", "IJRO_SOURCE_DIR", "IJRO_BINARY_DIR"}});
  EXPECT_EQ(validate.exitCode, 0) << validate.output;
  EXPECT_NE(validate.output.find("valid"), std::string::npos) << validate.output;
}

}  // namespace
}  // namespace ijro::test
