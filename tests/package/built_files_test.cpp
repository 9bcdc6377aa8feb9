// The files the packages ship name no folder of the source or build tree: the hub finds its
// schemas and plugins relative to itself (hub/app/paths.hpp), so what was built here works
// wherever it is installed. Debug sections (which do name the sources) are stripped first, as
// the packages strip them.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "tests/package/process.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::test {
namespace {

namespace fs = std::filesystem;

struct Found {
  std::string text;  // the NUL-terminated string that holds the folder
  std::size_t offset = 0;
};

// Every string in `bytes` that contains `folder` followed by '/'.
std::vector<Found> stringsNaming(const std::string& bytes, const std::string& folder) {
  std::vector<Found> found;
  const std::string needle = folder + "/";
  for (auto at = bytes.find(needle); at != std::string::npos; at = bytes.find(needle, at + 1)) {
    const auto begin = bytes.rfind('\0', at);
    const auto from = begin == std::string::npos ? 0 : begin + 1;
    const auto end = bytes.find('\0', at);
    found.push_back(
        {bytes.substr(from, (end == std::string::npos ? bytes.size() : end) - from), from});
    if (end == std::string::npos) break;
    at = end;
  }
  return found;
}

// AddressSanitizer and UndefinedBehaviorSanitizer record the name of each compiled source file,
// as the compiler was given it, to say where a finding is; GCC offers no way to shorten it. Such
// a label is the path of a C or C++ source file, never a folder the program looks into: one of
// the tree's own, or one the build generated (the embedded dashboard assets, the OpenAPI text).
bool isSanitizerLabel(const std::string& text, const fs::path& sources, const fs::path& build) {
  static const std::vector<std::string> kSourceExtensions = {".c", ".cc", ".cpp", ".h", ".hpp"};
  const fs::path p(text);
  const auto ext = p.extension().string();
  const auto inside = [&p](const fs::path& root) {
    const auto rel = p.lexically_relative(root).string();
    return !rel.empty() && rel.rfind("..", 0) != 0;
  };
  return std::find(kSourceExtensions.begin(), kSourceExtensions.end(), ext) !=
             kSourceExtensions.end() &&
         (inside(sources) || inside(build)) && fs::is_regular_file(p);
}

class BuiltFiles : public ::testing::TestWithParam<const char*> {};

TEST_P(BuiltFiles, NameNoSourceOrBuildFolder) {
  const fs::path file = GetParam();
  const fs::path dir = tempDir("built-files");
  const fs::path stripped = dir / file.filename();
  auto strip = run({{IJRO_STRIP, "--strip-all", "-o", stripped.string(), file.string()}});
  ASSERT_EQ(strip.exitCode, 0) << strip.output;
  const std::string bytes = readFile(stripped);

  // The build tree may lie inside the source tree: each string is counted once.
  std::map<std::size_t, std::string> naming;
  for (const fs::path& folder : {sourceDir(), binaryDir(), fs::weakly_canonical(sourceDir()),
                                 fs::weakly_canonical(binaryDir())})
    for (const auto& s : stringsNaming(bytes, folder.lexically_normal().string()))
      naming.emplace(s.offset, s.text);
  std::vector<std::string> offending;
  std::size_t labels = 0;
  for (const auto& [offset, text] : naming) {
    if (IJRO_SANITIZED && isSanitizerLabel(text, sourceDir(), binaryDir()))
      ++labels;
    else
      offending.push_back(text + " (at byte " + std::to_string(offset) + ")");
  }
  EXPECT_TRUE(offending.empty()) << file << " names the source or build tree in:\n  "
                                 << joined(offending, "\n  ")
                                 << "\nfind things relative to the binary (hub/app/paths.hpp) "
                                    "instead of compiling a path in";
  if (labels > 0)
    std::cout << file.filename() << ": " << labels << " sanitizer source-file labels left alone\n";
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Shipped, BuiltFiles,
                         ::testing::Values(IJRO_HUB_BINARY, IJRO_FILE_DROP_PLUGIN,
                                           IJRO_XML_EXCHANGE_PLUGIN, IJRO_TESTKIT_LIBRARY));

// The scan above reads what it should: the relative layout the hub does look for is there.
TEST(BuiltFilesScan, FindsTheRelativeLayoutInTheHub) {
  const fs::path dir = tempDir("built-files");
  const fs::path stripped = dir / "ijro-hub";
  ASSERT_EQ(run({{IJRO_STRIP, "--strip-all", "-o", stripped.string(), IJRO_HUB_BINARY}}).exitCode,
            0);
  const std::string bytes = readFile(stripped);
  EXPECT_NE(bytes.find("share/ijro-hub/schemas"), std::string::npos);
  EXPECT_NE(bytes.find("lib/ijro-hub/plugins"), std::string::npos);
  const std::string planted = std::string("x") + '\0' + sourceDir().string() + "/schemas" + '\0';
  EXPECT_EQ(stringsNaming(planted, sourceDir().string()).size(), 1u);
  fs::remove_all(dir);
}

// Only a path to an existing C or C++ source file of the source or build tree passes as a
// sanitizer's label.
TEST(BuiltFilesScan, SanitizerLabelsAreSourceFilesOfTheTreeOnly) {
  const fs::path src = sourceDir(), build = binaryDir();
  EXPECT_TRUE(isSanitizerLabel((src / "hub/app/paths.cpp").string(), src, build));
  EXPECT_TRUE(isSanitizerLabel((src / "hub/app/paths.hpp").string(), src, build));
  EXPECT_FALSE(isSanitizerLabel((src / "schemas").string(), src, build));
  EXPECT_FALSE(isSanitizerLabel((src / "schemas/hub-config.xsd").string(), src, build));
  EXPECT_FALSE(isSanitizerLabel((src / "hub/app/no-such-file.cpp").string(), src, build));
  EXPECT_FALSE(isSanitizerLabel((build / "lib/ijro-hub/plugins").string(), src, build));
  EXPECT_FALSE(isSanitizerLabel((build / "no-such-generated.cpp").string(), src, build));
  EXPECT_FALSE(isSanitizerLabel("/usr/include/c++/12/bits/basic_string.h", src, build));
}

}  // namespace
}  // namespace ijro::test
