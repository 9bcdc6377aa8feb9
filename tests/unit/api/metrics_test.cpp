// GET /metrics: the API's own counters, the store's gauge and the families handed in through the
// extraMetrics hook (the runtime's, in `serve`) on one page in the Prometheus text format.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "hub/api/api.hpp"
#include "hub/base/sha256.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::api {
namespace {

using ::testing::HasSubstr;

constexpr const char* kReadToken = "metrics-read-token-0123456789";

// /metrics needs a read token (of any regions and sectors), like every resource but /healthz.
intake::Scope reader() {
  intake::Scope s;
  s.id = "monitoring";
  s.read = true;
  s.tokenSha256 = base::sha256Hex(kReadToken);
  return s;
}

http::Response getMetrics(Api& api) {
  http::Request r;
  r.method = "GET";
  r.path = r.target = "/metrics";
  r.headers["authorization"] = std::string("Bearer ") + kReadToken;
  return api.handle(r);
}

TEST(ApiMetrics, OnePageWithTheApisFamiliesAndTheHooks) {
  auto store = store::Store::open("sqlite:" + (test::tempDir("api_metrics") / "hub.db").string());
  Settings s;
  s.scopes = {reader()};
  int hookCalls = 0;
  s.extraMetrics = [&hookCalls] {
    ++hookCalls;
    return std::vector<metrics::Family>{{"ijro_plugin_up",
                                         "1 while the plugin instance runs.",
                                         metrics::Type::Gauge,
                                         {{{{"instance", "demo"}, {"kind", "source"}}, 1}}}};
  };
  Api api(std::move(s), *store);
  const http::Response r = getMetrics(api);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.contentType, "text/plain; version=0.0.4");
  EXPECT_EQ(hookCalls, 1);
  EXPECT_THAT(r.body, HasSubstr("# HELP ijro_reports_total Status reports processed.\n"
                                "# TYPE ijro_reports_total counter\n"
                                "ijro_reports_total 0\n"));
  EXPECT_THAT(r.body, HasSubstr("# TYPE ijro_implementations gauge\nijro_implementations 0\n"));
  EXPECT_THAT(r.body, HasSubstr("# HELP ijro_plugin_up 1 while the plugin instance runs.\n"
                                "# TYPE ijro_plugin_up gauge\n"
                                "ijro_plugin_up{instance=\"demo\",kind=\"source\"} 1\n"));
  // Every family once, described before its samples.
  std::map<std::string, int> help, type;
  std::istringstream in(r.body);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string hash, keyword, name;
    words >> hash >> keyword >> name;
    if (hash == "#" && keyword == "HELP") ++help[name];
    if (hash == "#" && keyword == "TYPE") ++type[name];
  }
  // thirteen API counters, the large reads and the store's gauges, the hook's family
  EXPECT_EQ(help.size(), 16u);
  EXPECT_EQ(help, type);
  for (const auto& [name, n] : help) EXPECT_EQ(n, 1) << name;
}

}  // namespace
}  // namespace ijro::api
