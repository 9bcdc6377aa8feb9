// The tax-fiscal adapter (adapters/tax-fiscal), built as bundled, loaded by bare name into the real
// `ijro-hub serve`, in the hub's process and isolated in a plugin-host child: the fiscal system's
// stand-in (examples/stand-ins/fiscal-registers) writes a nightly export, the test drops it into
// the adapter's folder, and /api/v1/measures shows the registers installed and online per region
// and district as the test counts them from the export itself; the file is moved aside once
// stored. And `ijro-hub plugin test` runs the adapter on a fixture folder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <string>

#include "tests/integration/hub_process.hpp"
#include "tests/integration/stand_in.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/wait.hpp"

namespace ijro::test {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kReader = "demo-national-read-token";
constexpr const char* kAsOf = "2026-11-30T23:59:59+05:00";
constexpr const char* kOptions[][2] = {
    {"measure_id", "PQ-4525-1"}, {"measure_title", "Online cash registers at every trading point"},
    {"deadline", "2026-12-31"},  {"act_number", "PQ-4525"},
    {"act_date", "2026-01-10"},  {"settle_ms", "0"}};

struct Counts {
  long installed = 0, online = 0;
  bool operator==(const Counts& o) const { return installed == o.installed && online == o.online; }
};
std::ostream& operator<<(std::ostream& out, const Counts& c) {
  return out << "{installed " << c.installed << ", online " << c.online << "}";
}
using CountsByPlace = std::map<std::string, Counts>;  // region or district -> counts

// Counts the stand-in's JSON lines export the way the README defines them: installed when
// registered on or before the as-of date and not deregistered on or before it; online when
// installed and its last receipt is less than 72 hours before the as-of time. Every time the
// stand-in writes carries +05:00, so the texts compare as times.
CountsByPlace expectedOf(const fs::path& jsonl) {
  struct Reg {
    std::string place, on, off, last;
  };
  std::map<std::string, Reg> regs;
  std::ifstream in(jsonl);
  std::string line;
  while (std::getline(in, line)) {
    const auto o = json::parse(line).as_object();
    const auto type = o.at("type").as_string();
    if (type == "registration") {
      Reg r{std::string(o.at("place").as_string()), std::string(o.at("registered_on").as_string()),
            "", ""};
      if (const auto* off = o.if_contains("deregistered_on")) r.off = off->as_string();
      regs[std::string(o.at("registration_number").as_string())] = r;
    } else if (type == "receipt") {
      auto& r = regs.at(std::string(o.at("registration_number").as_string()));
      r.last = std::max(r.last, std::string(o.at("issued_at").as_string()));
    }
  }
  const std::string asOf = kAsOf, day = asOf.substr(0, 10),
                    windowStart = "2026-11-27T23:59:59+05:00";
  CountsByPlace out;
  for (const auto& [number, r] : regs) {
    const bool installed = r.on <= day && (r.off.empty() || r.off > day);
    const bool online = installed && !r.last.empty() && r.last > windowStart && r.last <= asOf;
    for (const std::string& place :
         {r.place.substr(0, 4), r.place.size() == 7 ? r.place : std::string()}) {
      if (place.empty()) continue;
      out[place].installed += installed;
      out[place].online += online;
    }
  }
  return out;
}

// The counts /api/v1/measures shows for the as-of day's period of each region's record.
CountsByPlace actualOf(const json::array& items) {
  CountsByPlace out;
  for (const auto& item : items) {
    if (item.at("measure").as_string() != "PQ-4525-1") continue;
    const std::string region(item.at("region").as_string());
    for (const auto& ind : item.at("indicators").as_array()) {
      const bool online = ind.at("code").as_string() == "KKM-ONLINE";
      for (const auto& p : ind.at("periods").as_array()) {
        if (p.at("start").as_string() != "2026-11-30") continue;
        auto set = [&](const std::string& place, const json::value& v) {
          const long n = static_cast<long>(v.at("actual").to_number<double>());
          (online ? out[place].online : out[place].installed) = n;
        };
        set(region, p);
        for (const auto& b : p.at("breakdowns").as_array())
          set(std::string(b.at("category").as_string()), b);
      }
    }
  }
  return out;
}

std::string optionsXml(const fs::path& inbox) {
  std::string out = "      <option name=\"directory\">" + inbox.string() + "</option>\n";
  for (const auto& o : kOptions)
    out += std::string("      <option name=\"") + o[0] + "\">" + o[1] + "</option>\n";
  return out;
}

class TaxFiscalInTheHub : public ::testing::TestWithParam<const char*> {};

TEST_P(TaxFiscalInTheHub, TheStandInsExportReachesTheMeasuresPerRegionAndDistrictAndIsMovedAside) {
  const std::string isolation = GetParam();
  const auto dir = tempDir("tax-fiscal-hub-" + isolation);
  const fs::path inbox = dir / "inbox", exported = dir / "export";
  fs::create_directories(inbox);
  // The stand-in writes its export before it reports listening. The isolated run reads the same
  // export as XML (same seed, same entries), which the test counts from the JSON lines.
  const std::string format = isolation == "process" ? "xml" : "jsonl";
  StandIn lines(dir / "lines", "examples/stand-ins/fiscal-registers/export.py",
                {"--out", (dir / "lines-export").string(), "--as-of", kAsOf, "--seed", "11"});
  fs::create_directories(dir / "lines");
  lines.start();
  const fs::path jsonl = dir / "lines-export" / "fiscal-export-20261130.jsonl";
  ASSERT_TRUE(fs::exists(jsonl)) << lines.log();
  fs::path dropped = jsonl;
  std::unique_ptr<StandIn> xml;
  if (format == "xml") {
    fs::create_directories(dir / "xml");
    xml = std::make_unique<StandIn>(
        dir / "xml", "examples/stand-ins/fiscal-registers/export.py",
        std::vector<std::string>{"--out", exported.string(), "--as-of", kAsOf, "--seed", "11",
                                 "--format", "xml"});
    xml->start();
    dropped = exported / "fiscal-export-20261130.xml";
    ASSERT_TRUE(fs::exists(dropped)) << xml->log();
  }
  const CountsByPlace want = expectedOf(jsonl);
  ASSERT_GE(want.size(), 5u + 5u) << "five regions and their districts at least";
  fs::copy_file(dropped, inbox / dropped.filename());

  const auto config = dir / "hub.xml";
  std::ofstream(config) << R"(<hub xmlns="urn:ijro-hub:config:1" id="tax-fiscal-it">
  <log level="info"/>
  <readers>
    <reader id="ministry" token="demo-national-read-token" regions="*" sectors="*"/>
  </readers>
  <plugins>
    <source id="tax-committee" library="tax-fiscal" isolation=")"
                        << isolation << R"(" interval="200ms" jitter="0" regions="*" sectors="tax">
)" << optionsXml(inbox) << R"(    </source>
  </plugins>
</hub>
)";
  HubProcess hub(dir, config);
  hub.start();

  CountsByPlace got;
  ASSERT_TRUE(waitFor([&] {
    auto res = hub.get("/api/v1/measures?asOf=2026-11-30&sector=tax&pageSize=1000", kReader);
    if (res.status != 200) return false;
    got = actualOf(json::parse(res.body).at("items").as_array());
    return got.size() == want.size();
  })) << hub.log();
  EXPECT_EQ(got, want);

  // Moved aside once its counts were committed (at the next poll).
  ASSERT_TRUE(waitFor([&] { return fs::exists(inbox / "processed" / dropped.filename()); }))
      << hub.log();
  EXPECT_FALSE(fs::exists(inbox / dropped.filename()));

  hub.signal(SIGTERM);
  EXPECT_EQ(hub.wait(), 0) << hub.log();
}

INSTANTIATE_TEST_SUITE_P(InProcessAndIsolated, TaxFiscalInTheHub,
                         ::testing::Values("inProcess", "process"));

TEST(TaxFiscalPluginTest, PluginTestReadsAFixtureFolderAndPrintsTheRecordsOfEachRegion) {
  const auto dir = tempDir("tax-fiscal-plugin-test");
  const fs::path inbox = dir / "inbox";
  fs::create_directories(inbox);
  for (const char* f : {"good.jsonl", "bad.xml"})
    fs::copy_file(sourceDir() / "adapters/tax-fiscal/fixtures" / f, inbox / f);
  const fs::path options = dir / "options.conf";
  {
    std::ofstream o(options);
    o << "directory = " << inbox.string() << "\n";
    for (const auto& kv : kOptions) o << kv[0] << " = " << kv[1] << "\n";
  }
  auto r = runHub({"plugin", "test", IJRO_PLUGIN_PATH, "--options", options.string()});
  EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("PQ-4525-1"));
  EXPECT_THAT(r.out, HasSubstr("KKM-ONLINE"));
  // The regions of good.jsonl, and Fergana from the one good registration of bad.xml.
  for (const char* region : {"1703", "1714", "1718", "1726", "1730", "1733"})
    EXPECT_THAT(r.out, HasSubstr(std::string("<region>") + region + "</region>")) << region;
  // The rejected entries of bad.xml are listed beside it.
  EXPECT_THAT(readFile(inbox / "quarantine" / "bad.xml.rejected.txt"),
              HasSubstr("bad.xml, line 5, /fiscal_export/receipt[2], field fiscal_sign"));
}

}  // namespace
}  // namespace ijro::test
