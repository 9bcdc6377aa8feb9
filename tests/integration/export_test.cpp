// The exports of the real hub: the example reports posted with their sources' tokens, the list
// and the summary downloaded as XLSX and CSV (GET /api/v1/export/...), written by
// `ijro-hub export` too, and read back with openpyxl by export_check.py against the API's JSON
// and the label catalogue (ru and uz-Cyrl).
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <fstream>
#include <regex>

#include "hub/model/date.hpp"
#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::test {
namespace {

constexpr const char* kNational = "demo-national-read-token";

// The token of each source in config/hub.xml, by source id.
std::map<std::string, std::string> sourceTokens() {
  const auto config = readFile(sourceDir() / "config/hub.xml");
  std::map<std::string, std::string> out;
  const std::regex source(R"re(<source id="([^"]+)" token="([^"]+)")re");
  for (std::sregex_iterator it(config.begin(), config.end(), source), end; it != end; ++it)
    out[(*it)[1]] = (*it)[2];
  return out;
}

// The source a report names (source="..." in XML, "source": "..." in JSON).
std::string sourceOf(const std::string& report) {
  std::smatch m;
  if (std::regex_search(report, m, std::regex(R"re(source="([^"]+)")re")) ||
      std::regex_search(report, m, std::regex(R"re("source"\s*:\s*"([^"]+)")re")))
    return m[1];
  return {};
}

void save(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary) << bytes;
}

// Runs a command, its standard output and error together; the exit code and the output.
std::pair<int, std::string> run(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return {-1, "cannot start " + command};
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(ExportIntegration, XlsxAndCsvOfTheListAndSummaryHoldTheApisRowsTypesAndHeaders) {
  const auto dir = tempDir("export");
  HubProcess hub(dir, sourceDir() / "config/hub.xml");
  hub.start();
  const auto tokens = sourceTokens();
  std::size_t posted = 0;
  for (const auto& entry : std::filesystem::directory_iterator(sourceDir() / "examples")) {
    const auto name = entry.path().filename().string();
    if (!name.starts_with("report-")) continue;
    const auto body = readFile(entry.path());
    const auto source = sourceOf(body);
    ASSERT_TRUE(tokens.count(source))
        << name << " names source \"" << source << "\", which config/hub.xml does not configure";
    const bool json = entry.path().extension() == ".json";
    auto res = hub.post("/api/v1/reports", body, json ? "application/json" : "application/xml",
                        tokens.at(source));
    ASSERT_EQ(res.status, 200) << name << ": " << res.body;
    ++posted;
  }
  ASSERT_GE(posted, 5u);

  const std::string asOf = model::formatDate(model::today());
  auto fetch = [&](const std::string& target, const std::string& file) {
    auto res = hub.get(target, kNational);
    ASSERT_EQ(res.status, 200) << target << ": " << res.body;
    save(dir / file, res.body);
  };
  auto fetchPublic = [&](const std::string& target, const std::string& file) {
    auto res = hub.get(target, "");
    ASSERT_EQ(res.status, 200) << target << ": " << res.body;
    save(dir / file, res.body);
  };
  fetchPublic("/api/v1/labels?lang=ru", "labels-ru.json");
  fetchPublic("/api/v1/labels?lang=uz-Cyrl", "labels-uz-Cyrl.json");
  fetch("/api/v1/measures?pageSize=1000&lang=ru&asOf=" + asOf, "measures-ru.json");
  fetch("/api/v1/measures?pageSize=1000&lang=uz-Cyrl&asOf=" + asOf, "measures-uz-Cyrl.json");
  fetch("/api/v1/summary?by=region&asOf=" + asOf, "summary.json");
  fetch("/api/v1/export/measures?format=xlsx&lang=ru&asOf=" + asOf, "measures-ru.xlsx");
  fetch("/api/v1/export/measures?format=xlsx&lang=uz-Cyrl&asOf=" + asOf, "measures-uz-Cyrl.xlsx");
  fetch("/api/v1/export/measures?format=csv&lang=ru&asOf=" + asOf, "measures-ru.csv");
  fetch("/api/v1/export/summary?format=xlsx&by=region&lang=ru&asOf=" + asOf, "summary-ru.xlsx");
  fetch("/api/v1/export/summary?format=csv&by=region&lang=ru&asOf=" + asOf, "summary-ru.csv");

  // The export command on the same store, while the hub runs.
  const std::string store = "sqlite:" + (dir / "hub.db").string();
  const std::string config = (sourceDir() / "config/hub.xml").string();
  for (const auto& [what, format, file] : {std::tuple{"measures", "xlsx", "cli-measures-ru.xlsx"},
                                           std::tuple{"summary", "csv", "cli-summary-ru.csv"}}) {
    auto r = runHub({"export", "--config", config, "--store", store, "--format", format, "--what",
                     what, "--lang", "ru", "--as-of", asOf, "--out", (dir / file).string()});
    ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("wrote "), std::string::npos) << r.out;
  }

  const auto [code, out] =
      run(std::string(IJRO_PYTHON3) + " " +
          (sourceDir() / "tests/integration/export_check.py").string() + " " + dir.string());
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find(", 0 failures"), std::string::npos) << out;
}

TEST(ExportIntegration, ExportCommandRefusesBadOptionsWithTheFix) {
  const auto dir = tempDir("export-cli");
  const std::string config = (sourceDir() / "config/hub.xml").string();
  const std::string store = "sqlite:" + (dir / "hub.db").string();
  auto base = [&](std::vector<std::string> more) {
    std::vector<std::string> args{"export", "--config",          config, "--store", store,
                                  "--out",  (dir / "x").string()};
    args.insert(args.end(), more.begin(), more.end());
    return runHub(args);
  };
  auto pdf = base({"--format", "pdf", "--what", "measures"});
  EXPECT_EQ(pdf.exitCode, 2);
  EXPECT_NE(pdf.err.find("use xlsx or csv"), std::string::npos) << pdf.err;
  auto what = base({"--format", "csv", "--what", "everything"});
  EXPECT_EQ(what.exitCode, 2);
  EXPECT_NE(what.err.find("use measures or summary"), std::string::npos) << what.err;
  auto status = base({"--format", "csv", "--what", "measures", "--status", "late"});
  EXPECT_EQ(status.exitCode, 2);
  EXPECT_NE(status.err.find("doneLate"), std::string::npos) << status.err;
  auto region = base({"--format", "csv", "--what", "summary", "--region", "9999"});
  EXPECT_EQ(region.exitCode, 2);
  EXPECT_NE(region.err.find("SOATO"), std::string::npos) << region.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "x"));
}

}  // namespace
}  // namespace ijro::test
