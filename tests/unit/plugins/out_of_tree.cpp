#include "tests/unit/plugins/out_of_tree.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>

#include "tests/support/test_support.hpp"

namespace ijro::test {

namespace fs = std::filesystem;

std::string shellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

bool run(const std::vector<std::string>& argv, const fs::path& log) {
  std::string cmd;
  for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + shellQuote(a);
  std::ofstream(log, std::ios::app) << "\n$ " << cmd << "\n";
  const int rc = std::system((cmd + " >>" + shellQuote(log.string()) + " 2>&1").c_str());
  if (rc == 0) return true;
  std::string text = readFile(log);
  if (text.size() > 12000) text = "...\n" + text.substr(text.size() - 12000);
  ADD_FAILURE() << "command failed (status " << (WIFEXITED(rc) ? WEXITSTATUS(rc) : rc)
                << "): " << cmd << "\n"
                << text;
  return false;
}

std::vector<std::string> cmakeConfigure(const fs::path& source, const fs::path& build,
                                        const fs::path& prefix) {
  return {IJRO_CMAKE_COMMAND,
          "-S",
          source.string(),
          "-B",
          build.string(),
          "-G",
          IJRO_CMAKE_GENERATOR,
          "-DCMAKE_MAKE_PROGRAM=" IJRO_CMAKE_MAKE_PROGRAM,
          "-DCMAKE_CXX_COMPILER=" IJRO_CXX_COMPILER,
          "-DCMAKE_C_COMPILER=" IJRO_C_COMPILER,
          "-DCMAKE_BUILD_TYPE=" IJRO_BUILD_TYPE,
          "-DCMAKE_PREFIX_PATH=" + prefix.string(),
          "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"};
}

std::vector<fs::path> headerFolders(const std::vector<std::string>& packages) {
  std::set<fs::path> out;
  for (const auto& package : packages) {
    FILE* p = ::popen(("dpkg -L " + shellQuote(package) + " 2>&1").c_str(), "r");
    if (p == nullptr) {
      ADD_FAILURE() << "cannot run dpkg -L " << package;
      continue;
    }
    std::string listing;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) listing.append(buf, n);
    const int rc = ::pclose(p);
    if (rc != 0) ADD_FAILURE() << "dpkg -L " << package << " failed: " << listing;
    std::size_t at = 0;
    for (std::size_t end; (end = listing.find('\n', at)) != std::string::npos; at = end + 1) {
      const fs::path file = listing.substr(at, end - at);
      const fs::path relative = file.lexically_relative("/usr/include");
      if (relative.empty() || *relative.begin() == ".." || *relative.begin() == ".") continue;
      const fs::path top = fs::path("/usr/include") / *relative.begin();
      if (fs::is_directory(top)) out.insert(top);
    }
  }
  if (out.empty()) ADD_FAILURE() << "no header folders found with dpkg -L";
  return {out.begin(), out.end()};
}

std::string hideFolders(const std::vector<fs::path>& folders) {
  std::string script = "set -e\n";
  for (const auto& f : folders) {
    const std::string q = shellQuote(f.string());
    script += "mount -t tmpfs -o size=1m,ro ijro-hidden " + q + "\n";
    script += "test -z \"$(ls -A " + q + ")\"\n";
    script += "echo hidden " + q + "\n";
  }
  return script;
}

}  // namespace ijro::test
