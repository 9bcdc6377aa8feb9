// The Debian packages, made with cpack from the build tree the tests run in (it builds nothing):
// lintian has no error or warning to report on either, each holds what it should, and the hub
// package, unpacked into a scratch root (no system installation), runs as its systemd unit says
// and finds its schemas and plugins in the installed paths.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hub/http/client.hpp"
#include "tests/package/process.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::test {
namespace {

namespace fs = std::filesystem;

// The hub must not find anything through these: the source tree, or a schema folder override.
const std::vector<std::string> kUnset = {"IJRO_SCHEMA_DIR", "IJRO_SOURCE_DIR", "IJRO_BINARY_DIR"};

std::string readText(const fs::path& p) {
  return readFile(p);
}

void writeText(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

// Replaces the single match of `pattern` in `text`; fails the test if there is not exactly one.
std::string replaceOnce(const std::string& text, const std::string& pattern,
                        const std::string& with) {
  const std::regex re(pattern);
  const auto n =
      std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator());
  EXPECT_EQ(n, 1) << "expected one match of " << pattern << " in:\n" << text;
  return std::regex_replace(text, re, with, std::regex_constants::format_first_only);
}

// "Key=value" lines of a unit file, in order (a key may repeat).
std::vector<std::pair<std::string, std::string>> unitSettings(const std::string& unit) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(unit);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line[0] == ';' || line[0] == '[') continue;
    const auto eq = line.find('=');
    if (eq != std::string::npos) out.emplace_back(line.substr(0, eq), line.substr(eq + 1));
  }
  return out;
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

class DebianPackages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = binaryDir() / "tmp/debian-packages";
    fs::remove_all(out_);
    fs::create_directories(out_);
    auto packed = run({{IJRO_CPACK_COMMAND, "-G", "DEB", "-B", out_.string()}, binaryDir()});
    packLog_ = packed.output;
    if (packed.exitCode != 0) return;
    for (const auto& e : fs::directory_iterator(out_)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("ijro-hub_", 0) == 0 && e.path().extension() == ".deb") hubDeb_ = e.path();
      if (name.rfind("ijro-hub-dev_", 0) == 0 && e.path().extension() == ".deb") devDeb_ = e.path();
    }
  }

  // The packages stay for a look after a failure; cpack's staging copy of them does not.
  static void TearDownTestSuite() { fs::remove_all(out_ / "_CPack_Packages"); }

  void SetUp() override {
    ASSERT_FALSE(hubDeb_.empty()) << "cpack made no ijro-hub_*.deb in " << out_ << ":\n"
                                  << packLog_;
    ASSERT_FALSE(devDeb_.empty()) << "cpack made no ijro-hub-dev_*.deb in " << out_ << ":\n"
                                  << packLog_;
    scratch_ = tempDir("debian-root");
  }
  void TearDown() override { fs::remove_all(scratch_); }

  // The package's files unpacked below a fresh root (dpkg-deb -x: nothing is installed).
  fs::path unpack(const fs::path& deb) {
    const fs::path root = scratch_ / "root";
    auto r = run({{"dpkg-deb", "-x", deb.string(), root.string()}});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    return root;
  }

  // Its file list, as absolute paths ("/usr/bin/ijro-hub"), directories left out.
  static std::set<std::string> contents(const fs::path& deb) {
    auto r = run({{"dpkg-deb", "--contents", deb.string()}});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    std::set<std::string> files;
    std::istringstream in(r.output);
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == 'd') continue;
      auto path = words(line).at(5);  // mode owner size date time path [-> target]
      files.insert(path.substr(1));   // "./usr/..." -> "/usr/..."
    }
    return files;
  }

  static std::string field(const fs::path& deb, const std::string& name) {
    auto r = run({{"dpkg-deb", "--field", deb.string(), name}});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    return r.output;
  }

  std::string controlFile(const fs::path& deb, const std::string& name) {
    const fs::path control = scratch_ / "control";
    auto r = run({{"dpkg-deb", "--control", deb.string(), control.string()}});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    return fs::exists(control / name) ? readText(control / name) : std::string();
  }

  static fs::path out_, hubDeb_, devDeb_;
  static std::string packLog_;
  fs::path scratch_;
};

fs::path DebianPackages::out_, DebianPackages::hubDeb_, DebianPackages::devDeb_;
std::string DebianPackages::packLog_;

TEST_F(DebianPackages, LintianReportsNoErrorOrWarning) {
  // Warnings that are accepted are overridden, each with its reason, in packaging/lintian/.
  auto r = run({{"lintian", "--fail-on", "error,warning", "--display-level", ">=warning",
                 hubDeb_.string(), devDeb_.string()}});
  EXPECT_EQ(r.exitCode, 0) << r.output;
}

TEST_F(DebianPackages, HubPackageHoldsTheHubAndNotTheSdk) {
  const auto files = contents(hubDeb_);
  for (const char* f :
       {"/usr/bin/ijro-hub", "/usr/lib/ijro-hub/plugins/file_drop.so",
        "/usr/lib/ijro-hub/plugins/xml_exchange.so", "/usr/lib/ijro-hub/plugins/spreadsheet.so",
        "/usr/lib/ijro-hub/plugins/health-fhir.so",
        "/usr/lib/ijro-hub/plugins/education-oneroster.so",
        "/usr/lib/ijro-hub/plugins/tax-fiscal.so", "/usr/lib/ijro-hub/plugins/rest_json.so",
        "/usr/lib/ijro-hub/plugins/sql_query.so", "/usr/share/ijro-hub/schemas/hub-config.xsd",
        "/usr/share/ijro-hub/schemas/status-report.xsd", "/usr/share/ijro-hub/examples/hub.xml",
        "/etc/ijro-hub/hub.xml", "/lib/systemd/system/ijro-hub.service",
        "/usr/share/man/man1/ijro-hub.1.gz", "/usr/share/doc/ijro-hub/copyright",
        "/usr/share/doc/ijro-hub/changelog.Debian.gz"})
    EXPECT_TRUE(files.count(f)) << f << " is missing from " << hubDeb_;
  for (const auto& f : files) {
    EXPECT_EQ(f.find("/include/"), std::string::npos) << f;
    EXPECT_EQ(f.find("testkit"), std::string::npos) << f;
  }
  EXPECT_EQ(field(hubDeb_, "Package"), "ijro-hub\n");
  // adduser for postinst; the libraries the binary links, found by dpkg-shlibdeps.
  const std::string depends = field(hubDeb_, "Depends");
  EXPECT_NE(depends.find("adduser"), std::string::npos) << depends;
  EXPECT_NE(depends.find("libxml2"), std::string::npos) << depends;
}

TEST_F(DebianPackages, DevPackageHoldsTheSdkAndTheTestKit) {
  const auto files = contents(devDeb_);
  for (const char* f :
       {"/usr/include/ijro-hub/ijro_plugin.h", "/usr/include/ijro-hub/ijro_plugin.hpp",
        "/usr/include/ijro-hub/ijro_testkit.hpp", "/usr/lib/cmake/IjroHub/IjroHubConfig.cmake",
        "/usr/lib/cmake/IjroHub/IjroHubConfigVersion.cmake",
        "/usr/lib/cmake/IjroHub/IjroHubTestkitTargets.cmake",
        "/usr/share/doc/ijro-hub-dev/copyright", "/usr/share/doc/ijro-hub-dev/changelog.Debian.gz"})
    EXPECT_TRUE(files.count(f)) << f << " is missing from " << devDeb_;
  EXPECT_EQ(std::count_if(files.begin(), files.end(),
                          [](const std::string& f) {
                            return fs::path(f).filename() == "libijro_testkit.so";
                          }),
            1);
  for (const auto& f : files) {
    EXPECT_EQ(f.find("/bin/"), std::string::npos) << f;
    EXPECT_EQ(f.rfind("/etc/", 0), std::string::npos) << f;
  }
  EXPECT_EQ(field(devDeb_, "Package"), "ijro-hub-dev\n");
}

// The installed CMake package is relocatable: found below the scratch root as below /usr, with
// the test kit's library where its targets say.
TEST_F(DebianPackages, DevPackageIsFoundByFindPackage) {
  const fs::path root = unpack(devDeb_);
  const fs::path project = scratch_ / "consumer";
  fs::create_directories(project);
  writeText(project / "CMakeLists.txt", R"(cmake_minimum_required(VERSION 3.20)
project(consumer LANGUAGES NONE)
find_package(IjroHub 0.2 REQUIRED COMPONENTS testkit)
get_target_property(configs IjroHub::testkit IMPORTED_CONFIGURATIONS)
foreach(config ${configs})
  get_target_property(library IjroHub::testkit IMPORTED_LOCATION_${config})
  if(NOT EXISTS "${library}")
    message(FATAL_ERROR "IjroHub::testkit (${config}) points at ${library}, which does not exist")
  endif()
  message(STATUS "testkit: ${library}")
endforeach()
)");
  auto r = run(
      {{IJRO_CMAKE_COMMAND, "-S", project.string(), "-B", (scratch_ / "build").string(),
        "-DCMAKE_PREFIX_PATH=" + (root / "usr").string(),
        "-DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF", "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"}});
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("testkit: " + (root / "usr/lib").string()), std::string::npos)
      << r.output;
}

TEST_F(DebianPackages, ConfigurationIsAConffileAndTheServiceUserIsCreated) {
  EXPECT_EQ(controlFile(hubDeb_, "conffiles"), "/etc/ijro-hub/hub.xml\n");
  const std::string postinst = controlFile(hubDeb_, "postinst");
  EXPECT_NE(postinst.find("adduser --system --group --home /var/lib/ijro-hub"), std::string::npos)
      << postinst;
  EXPECT_TRUE(fs::exists(scratch_ / "control/prerm"));
  EXPECT_TRUE(fs::exists(scratch_ / "control/postrm"));
}

TEST_F(DebianPackages, UnitRunsTheHubAsItsOwnUserHardened) {
  const fs::path root = unpack(hubDeb_);
  const auto settings = unitSettings(readText(root / "lib/systemd/system/ijro-hub.service"));
  auto has = [&](const std::string& key, const std::string& value) {
    return std::find(settings.begin(), settings.end(), std::make_pair(key, value)) !=
           settings.end();
  };
  const std::vector<std::pair<std::string, std::string>> required = {
      {"ExecStart", "/usr/bin/ijro-hub serve --config /etc/ijro-hub/hub.xml"},
      {"User", "ijro-hub"},
      {"StateDirectory", "ijro-hub"},
      {"WorkingDirectory", "/var/lib/ijro-hub"},
      {"NoNewPrivileges", "yes"},
      {"ProtectSystem", "strict"},
      {"ProtectHome", "yes"},
      {"PrivateTmp", "yes"},
      {"PrivateDevices", "yes"},
      {"RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"},
      {"SystemCallFilter", "@system-service"},
      {"CapabilityBoundingSet", ""},
      {"WantedBy", "multi-user.target"}};
  for (const auto& [key, value] : required)
    EXPECT_TRUE(has(key, value)) << "the unit lacks " << key << "=" << value;
}

// What `ijro-hub validate` says about a configuration, run as installed: from a folder outside
// the source tree, with no schema folder override.
Finished validate(const fs::path& root, const fs::path& config, const fs::path& cwd) {
  return run({{(root / "usr/bin/ijro-hub").string(), "validate", "--config", config.string()},
              cwd,
              kUnset});
}

TEST_F(DebianPackages, InstalledConfigurationIsValidAgainstTheInstalledSchemas) {
  const fs::path root = unpack(hubDeb_);
  auto r = validate(root, root / "etc/ijro-hub/hub.xml", scratch_);
  EXPECT_EQ(r.exitCode, 0) << r.output;
  // The service's store is in its state folder.
  EXPECT_NE(r.output.find("store sqlite:/var/lib/ijro-hub/"), std::string::npos) << r.output;

  // Those were the installed schemas: without them, nothing else is consulted.
  fs::rename(root / "usr/share/ijro-hub/schemas", scratch_ / "schemas-moved-away");
  r = validate(root, root / "etc/ijro-hub/hub.xml", scratch_);
  EXPECT_NE(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("cannot find hub-config.xsd in " +
                          (root / "usr/share/ijro-hub/schemas").string()),
            std::string::npos)
      << r.output;
}

TEST_F(DebianPackages, InstalledExamplesLoadTheInstalledPlugins) {
  const fs::path root = unpack(hubDeb_);
  for (const char* example : {"hub.xml", "plugins-example.xml"}) {
    auto r = validate(root, root / "usr/share/ijro-hub/examples" / example, scratch_);
    EXPECT_EQ(r.exitCode, 0) << example << "\n" << r.output;
  }
  // The bare library names were found in the installed plugin folder.
  fs::rename(root / "usr/lib/ijro-hub/plugins", scratch_ / "plugins-moved-away");
  auto r = validate(root, root / "usr/share/ijro-hub/examples/plugins-example.xml", scratch_);
  EXPECT_NE(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find((root / "usr/lib/ijro-hub/plugins").string()), std::string::npos)
      << r.output;
}

// The unit's command line, with its absolute paths moved into the scratch root, and the
// configuration's store and listener moved into it and onto a free loopback port: the service
// comes up and answers /healthz, then stops gracefully on SIGTERM as systemd would stop it.
TEST_F(DebianPackages, ServiceStartsFromItsUnitAndAnswersHealthz) {
  const fs::path root = unpack(hubDeb_);
  const auto settings = unitSettings(readText(root / "lib/systemd/system/ijro-hub.service"));
  std::string execStart, workingDirectory;
  for (const auto& [key, value] : settings) {
    if (key == "ExecStart") execStart = value;
    if (key == "WorkingDirectory") workingDirectory = value;
  }
  ASSERT_FALSE(execStart.empty()) << "the unit has no ExecStart";
  ASSERT_TRUE(execStart[0] == '/') << "ExecStart has a prefix or a relative path: " << execStart;
  std::vector<std::string> argv;
  for (const auto& w : words(execStart))
    argv.push_back(w[0] == '/' ? (root / w.substr(1)).string() : w);
  ASSERT_TRUE(fs::exists(argv[0])) << argv[0] << " is not in the package";

  // The configuration the command line names, as the package installed it.
  const auto config = std::find(argv.begin(), argv.end(), "--config");
  ASSERT_NE(config, argv.end()) << execStart;
  ASSERT_NE(config + 1, argv.end()) << execStart;
  const fs::path configPath = *(config + 1);
  std::string xml = readText(configPath);
  xml = replaceOnce(xml, R"(url="sqlite:/var/lib/ijro-hub/)",
                    "url=\"sqlite:" + (root / "var/lib/ijro-hub").string() + "/");
  xml =
      replaceOnce(xml, R"(<listen [^>]*/>)", R"(<listen host="127.0.0.1" port="0" threads="2"/>)");
  writeText(configPath, xml);

  // What StateDirectory= and WorkingDirectory= give the service.
  ASSERT_FALSE(workingDirectory.empty()) << "the unit has no WorkingDirectory";
  const fs::path state = root / workingDirectory.substr(1);
  fs::create_directories(state);

  Started hub({argv, state, kUnset}, scratch_ / "hub.log");
  static const std::regex kListening(R"(listening on http://127\.0\.0\.1:(\d+))");
  std::uint16_t port = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (port == 0) {
    std::smatch m;
    const std::string log = hub.output();
    if (std::regex_search(log, m, kListening)) {
      port = static_cast<std::uint16_t>(std::stoi(m[1]));
      break;
    }
    ASSERT_FALSE(hub.exited()) << "the hub exited (" << hub.exitCode() << "):\n" << log;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "not listening after 60 s:\n" << log;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  // Listening is logged once the socket is bound; requests are answered once it serves.
  int status = 0;
  std::string lastError;
  while (status != 200) {
    try {
      status = http::request("127.0.0.1", port, "GET", "/healthz").status;
    } catch (const http::ClientError& e) {
      lastError = e.what();
    }
    if (status == 200) break;
    ASSERT_FALSE(hub.exited()) << "the hub exited (" << hub.exitCode() << "):\n" << hub.output();
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << "/healthz did not answer 200 (last: " << status << " " << lastError << ")\n"
        << hub.output();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(fs::exists(root / "var/lib/ijro-hub/hub.db"))
      << "the store is not in the state folder";

  EXPECT_EQ(hub.stop(SIGTERM, std::chrono::seconds(30)), 0) << hub.output();
  EXPECT_NE(hub.output().find("stopped"), std::string::npos) << hub.output();
}

}  // namespace
}  // namespace ijro::test
