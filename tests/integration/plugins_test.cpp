// The real `ijro-hub serve` with plugin instances from its configuration: a source's records reach
// the feed and the sinks, invalid records are dead letters the `dlq` command shows and replays,
// and an isolated plugin that segfaults is restarted while the hub keeps answering.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

template <typename F>
bool waitFor(F done, std::chrono::milliseconds timeout = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

constexpr const char* kReader = "demo-national-read-token";

// A configuration with one HTTP source, a reader (kReader) and `plugins` as the content of
// <plugins>.
fs::path writeConfig(const fs::path& dir, const std::string& plugins) {
  auto path = dir / "hub.xml";
  std::ofstream(path) << R"(<hub xmlns="urn:ijro-hub:config:1" id="plugins-it">
  <log level="info"/>
  <sources>
    <source id="tashkent-city" token="demo-tashkent-token" regions="1726" sectors="*"
            roles="source controller"/>
  </sources>
  <readers>
    <reader id="ministry" token="demo-national-read-token" regions="*" sectors="*"/>
  </readers>
  <plugins>
)" << plugins << R"(  </plugins>
</hub>
)";
  return path;
}

std::string goodSource(const std::string& id, const std::string& extra = "") {
  return "    <source id=\"" + id +
         "\" library=\"" IJRO_TEST_PLUGIN_GOOD_SOURCE
         "\" interval=\"200ms\" jitter=\"0\" regions=\"*\" sectors=\"*\"" +
         extra +
         ">\n      <option name=\"endpoint\">https://dhis2.example.uz</option>\n"
         "    </source>\n";
}

std::size_t countOf(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

// The value of a metric line `name{labels} value`, or -1.
long long metric(const std::string& text, const std::string& nameAndLabels) {
  auto at = text.find(nameAndLabels + " ");
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + nameAndLabels.size() + 1));
}

std::vector<fs::path> filesIn(const fs::path& dir, const std::string& extension) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == extension) out.push_back(e.path());
  return out;
}

// What a plugin counts and sets itself (good_source: the counter records_emitted, the gauge
// last_revision) reaches /metrics of the real binary from an instance in the hub's process and
// from one in a plugin-host child, across the framed protocol.
TEST(Plugins, PluginCountersAndGaugesReachMetricsInProcessAndIsolated) {
  auto dir = tempDir("plugins-own-metrics");
  auto config =
      writeConfig(dir, goodSource("inproc") + goodSource("isolated", " isolation=\"process\""));
  HubProcess hub(dir, config);
  hub.start();
  auto line = [](const char* family, const char* instance, const char* name) {
    return std::string(family) + "{instance=\"" + instance + "\",kind=\"source\",name=\"" + name +
           "\"}";
  };
  std::string metrics;
  ASSERT_TRUE(waitFor([&] {
    metrics = hub.get("/metrics", kReader).body;
    for (const char* instance : {"inproc", "isolated"})
      if (metric(metrics, line("ijro_plugin_counter_total", instance, "records_emitted")) < 6 ||
          metric(metrics, line("ijro_plugin_gauge", instance, "last_revision")) < 2)
        return false;
    return true;
  })) << metrics
      << hub.log();
  EXPECT_THAT(metrics, HasSubstr("# TYPE ijro_plugin_gauge gauge"));
  EXPECT_THAT(metrics, HasSubstr("# TYPE ijro_plugin_counter_total counter"));
}

TEST(Plugins, SourceRecordsReachTheFeedAndTheExchangeFolder) {
  auto dir = tempDir("plugins-feed");
  fs::create_directories(dir / "exchange");
  auto config =
      writeConfig(dir, goodSource("dhis2") +
                           R"(    <sink id="ministry-files" library="xml_exchange" interval="200ms">
      <option name="directory">)" +
                           (dir / "exchange").string() + R"(</option>
      <option name="source">plugins-it</option>
    </sink>
)");
  HubProcess hub(dir, config);
  hub.start();

  std::string feed;
  ASSERT_TRUE(waitFor([&] {
    auto res = hub.get("/api/v1/feed", kReader);
    feed = res.body;
    return res.status == 200 && feed.find("DEMO-3") != std::string::npos;
  })) << feed
      << hub.log();
  EXPECT_THAT(feed, HasSubstr("source=\"dhis2\""));
  EXPECT_THAT(feed, HasSubstr("\"DEMO-1\""));

  // The sink writes every accepted change as report files.
  ASSERT_TRUE(waitFor([&] { return !filesIn(dir / "exchange", ".xml").empty(); })) << hub.log();
  std::string written;
  ASSERT_TRUE(waitFor([&] {
    written.clear();
    for (const auto& f : filesIn(dir / "exchange", ".xml")) written += readFile(f);
    return written.find("DEMO-3") != std::string::npos;
  }));
  EXPECT_THAT(written, HasSubstr("urn:ijro-hub:report:1"));

  // The sink writes its files inside its delivery and the runtime counts them when the delivery
  // has returned, as a poll's records are counted once their commit has returned: wait for both.
  const std::string delivered =
      "ijro_sink_records_delivered_total{instance=\"ministry-files\",kind=\"sink\"}";
  const std::string accepted =
      "ijro_plugin_records_accepted_total{instance=\"dhis2\",kind=\"source\"}";
  std::string metrics;
  ASSERT_TRUE(waitFor([&] {
    metrics = hub.get("/metrics", kReader).body;
    return metric(metrics, delivered) >= 3 && metric(metrics, accepted) > 0;
  })) << metrics;
  EXPECT_GT(metric(metrics, "ijro_plugin_polls_total{instance=\"dhis2\",kind=\"source\"}"), 0);
  EXPECT_GT(
      metric(metrics, "ijro_plugin_records_accepted_total{instance=\"dhis2\",kind=\"source\"}"), 0);
  // What the plugin counts itself (good_source: records_emitted), through serve's metrics hook.
  EXPECT_GT(metric(metrics,
                   "ijro_plugin_counter_total{instance=\"dhis2\",kind=\"source\",name=\"records_"
                   "emitted\"}"),
            0);
  EXPECT_EQ(metric(metrics, "ijro_plugin_up{instance=\"ministry-files\",kind=\"sink\"}"), 1);
  EXPECT_GE(metric(metrics,
                   "ijro_sink_records_delivered_total{instance=\"ministry-files\",kind="
                   "\"sink\"}"),
            3);
  EXPECT_THAT(metrics, HasSubstr("ijro_reports_total"));  // the API's own are still there
  auto ready = hub.get("/readyz", kReader);
  EXPECT_EQ(ready.status, 200);
  EXPECT_THAT(ready.body, HasSubstr("source dhis2: up"));
  EXPECT_THAT(ready.body, HasSubstr("sink ministry-files: up"));

  // HTTP reports reach the sink too: history is the outbox whatever wrote it.
  auto report = readFile(sourceDir() / "examples/report-tashkent.xml");
  ASSERT_EQ(hub.post("/api/v1/reports", report, "application/xml", "demo-tashkent-token").status,
            200);
  std::smatch first;
  std::regex measure(R"re(<measure id="([^"]+)")re");
  ASSERT_TRUE(std::regex_search(report, first, measure));
  const std::string posted = first[1];
  ASSERT_TRUE(waitFor([&] {
    std::string all;
    for (const auto& f : filesIn(dir / "exchange", ".xml")) all += readFile(f);
    return all.find(posted) != std::string::npos;
  })) << posted;

  hub.signal(SIGTERM);
  EXPECT_EQ(hub.wait(), 0) << hub.log();
  EXPECT_THAT(hub.log(), HasSubstr("plugins: stopped"));
}

TEST(Plugins, FileDropRecordsAreStoredAndTheFileMovedAside) {
  auto dir = tempDir("plugins-drop");
  fs::create_directories(dir / "inbox");
  auto config = writeConfig(
      dir,
      R"(    <source id="andijan-files" library="file_drop" interval="200ms" regions="1703" sectors="*">
      <option name="directory">)" +
          (dir / "inbox").string() + R"(</option>
      <option name="settle_ms">0</option>
    </source>
)");
  HubProcess hub(dir, config);
  hub.start();
  {
    std::ofstream(dir / "inbox/.export.tmp")
        << "measure_id,title,act_type,act_number,act_date,region,organisation,sector,revision,"
           "lifecycle,start,deadline\n"
           "FD-1,Repair rural schools,decree,UP-6079,2020-10-05,1703,Andijan khokimiyat,"
           "education,1,inProgress,2026-01-01,2027-12-31\n"
           "FD-2,Outside the scope,decree,UP-6079,2020-10-05,1726,Tashkent khokimiyat,"
           "education,1,inProgress,2026-01-01,2027-12-31\n";
  }
  fs::rename(dir / "inbox/.export.tmp", dir / "inbox/export.csv");

  ASSERT_TRUE(waitFor([&] {
    return hub.get("/api/v1/feed", kReader).body.find("FD-1") != std::string::npos;
  })) << hub.log();
  // Moved aside once its records were committed (at the next poll).
  ASSERT_TRUE(waitFor([&] { return !fs::exists(dir / "inbox/export.csv"); })) << hub.log();
  EXPECT_TRUE(fs::exists(dir / "inbox/processed/export.csv"));
  EXPECT_EQ(hub.get("/api/v1/feed", kReader).body.find("FD-2"), std::string::npos);

  hub.signal(SIGTERM);
  ASSERT_EQ(hub.wait(), 0);
  // The row outside the source's regions is a dead letter, with its reason.
  auto list = runHub({"dlq", "list", "--config", config.string(), "--store",
                      "sqlite:" + (dir / "hub.db").string(), "--source", "andijan-files"});
  EXPECT_EQ(list.exitCode, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("FD-2"));
  EXPECT_THAT(list.out, HasSubstr("region 1726 is outside the regions"));
}

TEST(Plugins, DeadLettersAreListedAndReplayedWithTheDlqCommand) {
  auto dir = tempDir("plugins-dlq");
  auto config =
      writeConfig(dir, "    <source id=\"messy\" library=\"" IJRO_TEST_PLUGIN_INVALID_RECORDS
                       "\" interval=\"1h\" regions=\"*\" sectors=\"*\"/>\n");
  HubProcess hub(dir, config);
  hub.start();
  ASSERT_TRUE(waitFor([&] {
    return metric(hub.get("/metrics", kReader).body,
                  "ijro_plugin_dead_letters_total{instance=\"messy\",kind=\"source\"}") == 6;
  })) << hub.log();
  hub.signal(SIGTERM);
  ASSERT_EQ(hub.wait(), 0);

  const std::vector<std::string> common = {"--config", config.string(), "--store",
                                           "sqlite:" + (dir / "hub.db").string()};
  auto args = [&](std::vector<std::string> a) {
    a.insert(a.end(), common.begin(), common.end());
    return a;
  };
  auto list = runHub(args({"dlq", "list", "--source", "messy"}));
  ASSERT_EQ(list.exitCode, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("6 dead letter(s): source messy: 6;"));
  EXPECT_THAT(list.out, HasSubstr("not valid JSON"));
  EXPECT_THAT(list.out, HasSubstr("fishing"));

  auto json = runHub(args({"dlq", "list", "--json"}));
  ASSERT_EQ(json.exitCode, 0) << json.err;
  auto letters = boost::json::parse(json.out).as_array();
  ASSERT_EQ(letters.size(), 6u);
  EXPECT_EQ(letters[0].at("record").as_string(), "{\"revision\": 1, \"measure\": ");
  EXPECT_EQ(letters[0].at("state").as_string(), "dead");
  const auto id = letters[5].at("id").as_int64();
  EXPECT_EQ(letters[5].at("key").at("measure").as_string(), "OK-1");

  auto none = runHub(args({"dlq", "list", "--sink", "messy"}));
  EXPECT_THAT(none.out, HasSubstr("no dead letters"));

  auto usage = runHub(args({"dlq", "replay"}));
  EXPECT_EQ(usage.exitCode, 2);
  EXPECT_THAT(usage.err, HasSubstr("--id N ... or --all"));

  auto replay = runHub(args({"dlq", "replay", "--id", std::to_string(id), "999"}));
  EXPECT_EQ(replay.exitCode, 1);  // 999 does not exist
  EXPECT_THAT(replay.out, HasSubstr("queued 1 dead letter(s) for replay"));
  EXPECT_THAT(replay.out, HasSubstr("#" + std::to_string(id)));
  EXPECT_THAT(replay.out, HasSubstr("checked and stored again at its next poll"));
  EXPECT_THAT(replay.err, HasSubstr("#999: no such dead letter"));

  auto again = runHub(args({"dlq", "replay", "--id", std::to_string(id)}));
  EXPECT_THAT(again.err, HasSubstr("queued for replay already"));

  auto queued = boost::json::parse(runHub(args({"dlq", "list", "--json"})).out).as_array();
  EXPECT_EQ(queued[5].at("state").as_string(), "queued");

  // The hub replays it at the next poll; it is still refused (no such sector), so it is dead
  // again with one failed attempt.
  hub.start();
  ASSERT_TRUE(waitFor([&] {
    auto now = boost::json::parse(runHub(args({"dlq", "list", "--json"})).out).as_array();
    return now.size() >= 6 && now[5].at("attempts").as_int64() == 1 &&
           now[5].at("state").as_string() == "dead";
  })) << hub.log();
  hub.signal(SIGTERM);
  EXPECT_EQ(hub.wait(), 0);
}

// A transform isolated in a plugin-host child maps the records of the sources that name it; a
// record it refuses is a dead letter of its source with the transform's message.
TEST(Plugins, IsolatedTransformMapsAndRefusesRecordsOfItsSources) {
  auto dir = tempDir("plugins-transform");
  auto config =
      writeConfig(dir, goodSource("dhis2", " transforms=\"notes\"") +
                           "    <source id=\"failing\" library=\"" IJRO_TEST_PLUGIN_GOOD_SOURCE
                           "\" interval=\"200ms\" jitter=\"0\" regions=\"*\" sectors=\"*\" "
                           "transforms=\"notes\">\n"
                           "      <option name=\"endpoint\">x</option>\n"
                           "      <option name=\"count\">1</option>\n"
                           "      <option name=\"organisation\">fail</option>\n"
                           "    </source>\n"
                           "    <transform id=\"notes\" library=\"" IJRO_TEST_PLUGIN_GOOD_TRANSFORM
                           "\" isolation=\"process\" timeoutMs=\"5000\">\n"
                           "      <option name=\"note\">seen by an isolated transform</option>\n"
                           "    </transform>\n");
  HubProcess hub(dir, config);
  hub.start();
  std::string feed;
  ASSERT_TRUE(waitFor([&] {
    feed = hub.get("/api/v1/feed", kReader).body;
    return feed.find("DEMO-3") != std::string::npos;
  })) << feed
      << hub.log();
  EXPECT_EQ(countOf(feed, "<note>seen by an isolated transform</note>"), 3u) << feed;
  EXPECT_EQ(feed.find("source=\"failing\""), std::string::npos);
  EXPECT_THAT(hub.get("/readyz", kReader).body, HasSubstr("transform notes: up"));
  hub.signal(SIGTERM);
  ASSERT_EQ(hub.wait(), 0) << hub.log();

  auto list = runHub({"dlq", "list", "--config", config.string(), "--store",
                      "sqlite:" + (dir / "hub.db").string(), "--source", "failing"});
  EXPECT_EQ(list.exitCode, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("transform \"notes\" refused it"));
  EXPECT_THAT(list.out, HasSubstr("cannot map records of organisation"));
}

TEST(Plugins, ValidateChecksOptionsAgainstThePluginWithTheirLine) {
  auto dir = tempDir("plugins-validate");
  auto config =
      writeConfig(dir, goodSource("dhis2") + R"(    <sink id="files" library="xml_exchange">
      <option name="directory">/tmp</option>
      <option name="colour">red</option>
    </sink>
)");
  auto r = runHub({"validate", "--config", config.string()});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_THAT(r.err, HasSubstr(config.string() + ":16: plugin sink \"files\": plugin "
                                                 "\"xml-exchange\""));
  EXPECT_THAT(r.err, HasSubstr("has no option \"colour\"; its options are: directory"));
  // serve refuses it the same way, before listening.
  auto s = runHub({"serve", "--config", config.string(), "--listen", "127.0.0.1:0", "--store",
                   "sqlite:" + (dir / "hub.db").string()});
  EXPECT_EQ(s.exitCode, 2);
  EXPECT_THAT(s.err, HasSubstr("has no option \"colour\""));
}

// The same segfaulting plugin isolated in a child: the child dies at every poll and is restarted,
// the hub keeps answering and its other plugins keep working.
TEST(Plugins, IsolatedSegfaultingPluginIsRestartedWhileTheHubServes) {
  auto dir = tempDir("plugins-segv");
  auto config = writeConfig(
      dir, "    <source id=\"crashy\" library=\"" IJRO_TEST_PLUGIN_SEGFAULT
           "\" isolation=\"process\" timeoutMs=\"5000\" interval=\"100ms\" jitter=\"0\" "
           "retryMinMs=\"50\" retryMaxMs=\"200\" regions=\"*\" sectors=\"*\"/>\n" +
               goodSource("steady"));
  HubProcess hub(dir, config);
  hub.start();
  int answered = 0;
  long long restarts = 0;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto health = hub.request("GET", "/healthz");
    ASSERT_EQ(health.status, 200) << "after " << answered << " answers\n" << hub.log();
    ++answered;
    if (answered % 20 == 0) {
      restarts = metric(hub.get("/metrics", kReader).body,
                        "ijro_plugin_restarts_total{instance=\"crashy\",kind=\"source\"}");
      if (restarts >= 3 && answered >= 200) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_GE(restarts, 3) << hub.log();
  EXPECT_GE(answered, 200);
  ASSERT_TRUE(hub.running());
  auto metrics = hub.get("/metrics", kReader).body;
  EXPECT_GT(metric(metrics, "ijro_plugin_poll_failures_total{instance=\"crashy\",kind=\"source\"}"),
            0);
  EXPECT_GT(metric(metrics,
                   "ijro_plugin_records_accepted_total{instance=\"steady\",kind="
                   "\"source\"}"),
            0);
  EXPECT_THAT(hub.get("/api/v1/feed", kReader).body, HasSubstr("DEMO-1"));
  hub.signal(SIGTERM);
  EXPECT_EQ(hub.wait(), 0) << hub.log();
}

// A plugin that spins is ended by its child's CPU limit and restarted, while the hub serves.
TEST(Plugins, AnIsolatedPluginPastItsCpuLimitIsEndedAndRestartedWhileTheHubServes) {
  auto dir = tempDir("plugins-cpu");
  auto config = writeConfig(
      dir, "    <source id=\"spinner\" library=\"" IJRO_TEST_PLUGIN_CHILD_PROBE
           "\" isolation=\"process\" timeoutMs=\"60000\" cpuLimitSeconds=\"1\" "
           "interval=\"100ms\" jitter=\"0\" retryMinMs=\"50\" retryMaxMs=\"200\" regions=\"*\" "
           "sectors=\"*\">\n      <option name=\"mode\">spin</option>\n    </source>\n" +
               goodSource("steady"));
  HubProcess hub(dir, config);
  hub.start();
  long long restarts = 0;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (restarts < 1 && std::chrono::steady_clock::now() < deadline) {
    ASSERT_EQ(hub.request("GET", "/healthz").status, 200) << hub.log();
    restarts = metric(hub.get("/metrics", kReader).body,
                      "ijro_plugin_restarts_total{instance=\"spinner\",kind=\"source\"}");
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_GE(restarts, 1) << hub.log();
  EXPECT_THAT(hub.log(), HasSubstr("used up its CPU time limit of 1 s (cpuLimitSeconds) and was "
                                   "ended with SIGXCPU during poll"));
  ASSERT_TRUE(hub.running());
  EXPECT_THAT(hub.get("/api/v1/feed", kReader).body, HasSubstr("DEMO-1"));
  hub.signal(SIGTERM);
  EXPECT_EQ(hub.wait(), 0) << hub.log();
}

TEST(Plugins, AnIsolatedInstanceWithAMissingUserIsAConfigurationErrorWithItsLine) {
  auto dir = tempDir("plugins-user");
  auto config = writeConfig(dir, "    <source id=\"dhis2\" library=\"" IJRO_TEST_PLUGIN_GOOD_SOURCE
                                 "\" isolation=\"process\" user=\"no-such-user-here\" "
                                 "regions=\"*\" sectors=\"*\">\n      <option "
                                 "name=\"endpoint\">https://x.example.uz</option>\n    "
                                 "</source>\n");
  auto r = runHub({"validate", "--config", config.string()});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_THAT(r.err, HasSubstr(config.string() + ":11: plugin source \"dhis2\": "
                                                 "user=\"no-such-user-here\" is no user on this "
                                                 "machine"));
}

// In-process, the same plugin takes the hub down with it: what isolation="process" is for.
TEST(Plugins, InProcessSegfaultTakesTheHubDown) {
  auto dir = tempDir("plugins-segv-inproc");
  auto config = writeConfig(dir, "    <source id=\"crashy\" library=\"" IJRO_TEST_PLUGIN_SEGFAULT
                                 "\" interval=\"100ms\" regions=\"*\" sectors=\"*\"/>\n");
  auto r = runHub({"serve", "--config", config.string(), "--listen", "127.0.0.1:0", "--store",
                   "sqlite:" + (dir / "hub.db").string()});
  // Killed by the plugin's SIGSEGV (the sanitizer build leaves SEGV alone here, see CMakeLists).
  EXPECT_EQ(r.exitCode, 128 + SIGSEGV) << r.err;
  EXPECT_EQ(r.err.find("plugins: stopped"), std::string::npos);
}

}  // namespace
}  // namespace ijro::test
