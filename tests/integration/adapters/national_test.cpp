// The national picture of scripts/run.sh: config/national.xml, unchanged but for the loopback
// ports of the stand-ins and the data folder, runs every bundled adapter and source plugin against
// the stand-ins of examples/stand-ins and the files scripts/run.sh prepares (fiscal exports,
// regional tracking sheets). Without a single report posted, the hub shows at least three
// sectors and ten regions, with work on track, at risk, overdue and done late; and the ministry
// hub of config/ministry.xml shows the same picture from the national hub's signed feed batches.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
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
constexpr const char* kMinistryReader = "demo-ministry-read-token";

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

  // The ministry hub of config/ministry.xml, which receives the national hub's feed: started
  // first, on its own store, with the key pair scripts/run.sh makes.
  const auto keys = data / "keys";
  fs::create_directories(keys);
  auto made = runHub({"feed", "keygen", "--key", (keys / "national-demo.key").string(), "--cert",
                      (keys / "national-demo.crt").string(), "--hub", "national-demo"});
  ASSERT_EQ(made.exitCode, 0) << made.err;
  std::string ministryConfig = readFile(sourceDir() / "config/ministry.xml");
  replaceAll(ministryConfig, "../var/national", data.string());
  fs::create_directories(dir / "ministry");
  std::ofstream(dir / "ministry" / "ministry.xml") << ministryConfig;
  HubProcess ministry(dir / "ministry", dir / "ministry" / "ministry.xml");
  ministry.start();

  std::string config = readFile(sourceDir() / "config/national.xml");
  replaceAll(config, "../var/national", data.string());
  replaceAll(config, "var/national", data.string());
  replaceAll(config, "http://127.0.0.1:8090",
             "http://127.0.0.1:" + std::to_string(ministry.port()));
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

  // The ministry shows the same picture, from the national hub's signed batches: as many
  // implementations per sector, each with its lineage, and the sending hub's freshness.
  std::map<std::string, std::int64_t> national, atMinistry;
  const auto totals = [](HubProcess& h, const char* token) {
    std::map<std::string, std::int64_t> out;
    auto res = h.get("/api/v1/summary?by=sector", token);
    if (res.status != 200) return out;
    const json::value body = json::parse(res.body);
    for (const auto& g : body.at("groups").as_array())
      out[std::string(g.at("key").as_string())] = g.at("total").to_number<std::int64_t>();
    return out;
  };
  const bool same = waitFor(
      [&] {
        national = totals(hub, kReader);
        atMinistry = totals(ministry, kMinistryReader);
        return !national.empty() && national == atMinistry;
      },
      std::chrono::seconds(60));
  EXPECT_TRUE(same) << "national: " << ::testing::PrintToString(national)
                    << "\nministry: " << ::testing::PrintToString(atMinistry) << "\n"
                    << ministry.log() << hub.log();
  auto measures = ministry.get("/api/v1/measures?pageSize=5", kMinistryReader);
  ASSERT_EQ(measures.status, 200) << measures.body;
  const json::value page = json::parse(measures.body);
  ASSERT_FALSE(page.at("items").as_array().empty());
  const auto& first = page.at("items").as_array().front();
  EXPECT_EQ(std::string(first.at("source").as_string()).rfind("national-demo/", 0), 0u)
      << measures.body;
  EXPECT_TRUE(first.as_object().contains("lineage")) << measures.body;
  auto summary = ministry.get("/api/v1/summary?by=region", kMinistryReader);
  EXPECT_NE(summary.body.find("\"national-demo\""), std::string::npos) << summary.body;

  hub.signal(SIGTERM);
  EXPECT_EQ(hub.wait(), 0) << hub.log();
  ministry.signal(SIGTERM);
  EXPECT_EQ(ministry.wait(), 0) << ministry.log();
}

}  // namespace
}  // namespace ijro::test
