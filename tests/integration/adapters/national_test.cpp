// The national picture of scripts/run.sh: config/national.xml, unchanged but for the loopback
// ports of the stand-ins and the data folder, runs every bundled adapter and source plugin against
// the stand-ins of examples/stand-ins and the files scripts/run.sh prepares (fiscal exports,
// regional tracking sheets). Without a single report posted, the hub shows at least three
// sectors and ten regions, with work on track, at risk, overdue and done late.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/hub_process.hpp"
#include "tests/integration/stand_in.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/wait.hpp"

namespace ijro::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kReader = "demo-national-read-token";

void replaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

void runOrFail(const std::string& command) {
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

std::set<std::string> keysOf(HubProcess& hub, const std::string& by) {
  std::set<std::string> keys;
  auto res = hub.get("/api/v1/summary?by=" + by, kReader);
  if (res.status != 200) return keys;
  const json::value body = json::parse(res.body);
  for (const auto& g : body.at("groups").as_array())
    keys.insert(std::string(g.at("key").as_string()));
  return keys;
}

TEST(NationalPicture, EveryAdapterAgainstItsStandInShowsThreeSectorsTenRegionsAndEveryStatus) {
  const fs::path dir = tempDir("national");
  const fs::path data = dir / "national";
  const std::string src = sourceDir().string();
  // What scripts/run.sh prepares: tracking sheets dated from today, a fiscal export as of now.
  runOrFail("python3 " + src + "/examples/national/make_sheets.py --out " +
            (data / "sheets").string() + " > /dev/null");
  runOrFail("python3 " + src + "/examples/stand-ins/fiscal-registers/export.py --out " +
            (data / "fiscal").string() + " > /dev/null");
  runOrFail("python3 " + src + "/examples/stand-ins/sql-database/make.py --out " +
            (data / "andijan-tracking.db").string() + " > /dev/null");
  StandIn fhir(dir, "examples/stand-ins/fhir-server/serve.py",
               {"--token", "demo-fhir-token", "--data", "examples/stand-ins/fhir-server/data"});
  StandIn sis(dir, "examples/stand-ins/oneroster-sis/serve.py", {"--token", "demo-sis-token"});
  StandIn api(dir, "examples/stand-ins/rest-api/serve.py", {"--token", "demo-api-token"});
  fhir.start();
  sis.start();
  api.start();

  std::string config = readFile(sourceDir() / "config/national.xml");
  replaceAll(config, "var/national", data.string());
  replaceAll(config, "http://127.0.0.1:18101", fhir.url());
  replaceAll(config, "http://127.0.0.1:18102", sis.url());
  replaceAll(config, "http://127.0.0.1:18103", api.url());
  ASSERT_EQ(config.find("127.0.0.1:181"), std::string::npos)
      << "config/national.xml names a stand-in port this test does not start";
  std::ofstream(dir / "national.xml") << config;

  HubProcess hub(dir, dir / "national.xml");
  hub.start();
  // What the hub shows; the picture is complete once every plugin source has stored its first
  // poll (each polls every 10 s, in its own order).
  const std::vector<std::string> pluginSources = {"moh-fhir",          "maktab-sis",
                                                  "tax-committee",     "buxoro-sheet",
                                                  "qashqadaryo-sheet", "surxondaryo-sheet",
                                                  "jizzax-sheet",      "toshkent-viloyati-sheet",
                                                  "fargona-sheet",     "regional-tracking-api",
                                                  "andijan-db"};
  std::set<std::string> sectors, regions, statuses, sources;
  const auto look = [&] {
    sources.clear();
    statuses.clear();
    auto res = hub.get("/api/v1/measures?pageSize=1000", kReader);
    if (res.status != 200) return false;
    const json::value measures = json::parse(res.body);
    for (const auto& item : measures.at("items").as_array())
      sources.insert(std::string(item.at("source").as_string()));
    for (const auto& source : pluginSources)
      if (!sources.count(source)) return false;
    regions = keysOf(hub, "region");
    // The sectors and the statuses from one roll-up by sector.
    sectors.clear();
    res = hub.get("/api/v1/summary?by=sector", kReader);
    if (res.status != 200) return false;
    const json::value body = json::parse(res.body);
    for (const auto& g : body.at("groups").as_array()) {
      sectors.insert(std::string(g.at("key").as_string()));
      for (const auto& [status, n] : g.at("byStatus").as_object())
        if (n.to_number<std::int64_t>() > 0) statuses.insert(std::string(status));
    }
    return true;
  };
  const bool complete = waitFor(look, std::chrono::seconds(120));
  std::string seen = "sources:";
  for (const auto& s : sources) seen += " " + s;
  seen += "; sectors:";
  for (const auto& s : sectors) seen += " " + s;
  seen += "; regions:";
  for (const auto& r : regions) seen += " " + r;
  seen += "; statuses:";
  for (const auto& s : statuses) seen += " " + s;
  ASSERT_TRUE(complete) << "not every plugin source stored its first poll; " << seen << "\n"
                        << hub.log();
  // At least three sectors (each adapter's among them) and ten regions, and every status.
  EXPECT_GE(sectors.size(), 3u) << seen;
  for (const char* sector : {"health", "education", "tax", "construction"})
    EXPECT_EQ(sectors.count(sector), 1u) << sector << "; " << seen;
  EXPECT_GE(regions.size(), 10u) << seen;
  for (const char* status : {"onTrack", "atRisk", "overdue", "doneLate", "doneOnTime"})
    EXPECT_EQ(statuses.count(status), 1u) << status << "; " << seen;

  hub.signal(SIGTERM);
  EXPECT_EQ(hub.wait(), 0) << hub.log();
}

}  // namespace
}  // namespace ijro::test
