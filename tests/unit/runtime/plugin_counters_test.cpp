// A plugin's own counters (callback_counter_add) reach the runtime's metrics and its Prometheus
// text per instance, whether the plugin runs in the hub's process or in a plugin-host child.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <thread>

#include "hub/runtime/metric_families.hpp"
#include "hub/runtime/runtime.hpp"
#include "hub/store/store.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::runtime {
namespace {

using namespace std::chrono_literals;

class PluginCounters : public ::testing::TestWithParam<Isolation> {
 protected:
  void SetUp() override {
    dir_ = test::tempDir("plugin_counters");
    store_ = store::Store::open("sqlite:" + (dir_ / "hub.db").string());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  RuntimeSettings settings() const {
    SourceSettings s;
    s.id = "demo";
    s.library = IJRO_TEST_PLUGIN_GOOD_SOURCE;
    s.options = {{"endpoint", "https://health.example.uz"}, {"count", "3"}};
    s.isolation = GetParam();
    s.interval = 20ms;
    s.jitter = 0;
    s.retryMin = 20ms;
    s.retryMax = 100ms;
    s.origin = "test.xml:7";
    RuntimeSettings rs;
    rs.sources.push_back(s);
    rs.hubBinary = IJRO_HUB_BINARY;
    return rs;
  }

  // The demo instance's "records_emitted" as the runtime reports it; 0 while it has none.
  static std::int64_t recordsEmitted(const Runtime& rt) {
    for (const auto& m : rt.metrics()) {
      if (m.id != "demo") continue;
      auto it = m.pluginCounters.find("records_emitted");
      return it == m.pluginCounters.end() ? 0 : it->second;
    }
    return 0;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_P(PluginCounters, AGoodSourcesCounterShowsUpInMetricsAndText) {
  Runtime rt(settings(), *store_);
  rt.start();
  // good_source adds `count` (3) to records_emitted in every poll.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (recordsEmitted(rt) < 6 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  const std::int64_t seen = recordsEmitted(rt);
  ASSERT_GE(seen, 6);
  EXPECT_EQ(seen % 3, 0) << seen;

  const std::string text = rt.prometheus();
  EXPECT_THAT(text, ::testing::HasSubstr("# TYPE ijro_plugin_counter_total counter\n"));
  std::smatch m;
  const std::regex line(
      R"(\nijro_plugin_counter_total\{instance="demo",kind="source",name="records_emitted"\} (\d+)\n)");
  ASSERT_TRUE(std::regex_search(text, m, line)) << text;
  const std::int64_t exported = std::stoll(m[1]);
  EXPECT_GE(exported, seen);  // polls go on between the two reads, never back
  EXPECT_EQ(exported % 3, 0) << exported;

  // The same families are what the API's /metrics is given.
  bool found = false;
  for (const auto& f : metricFamilies(rt.metrics()))
    if (f.name == "ijro_plugin_counter_total")
      for (const auto& s : f.samples)
        found = found ||
                (s.labels.at("instance") == "demo" && s.labels.at("name") == "records_emitted");
  EXPECT_TRUE(found);
  EXPECT_TRUE(rt.stop());
}

INSTANTIATE_TEST_SUITE_P(BothIsolations, PluginCounters,
                         ::testing::Values(Isolation::InProcess, Isolation::Process),
                         [](const ::testing::TestParamInfo<Isolation>& p) {
                           return p.param == Isolation::Process ? "Process" : "InProcess";
                         });

}  // namespace
}  // namespace ijro::runtime
