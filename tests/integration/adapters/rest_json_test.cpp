// The rest-json plugin, built as bundled (plugins/rest_json), loaded by bare name into the real
// `ijro-hub serve`, in the hub's process and isolated, reading the REST stand-in
// (examples/stand-ins/rest-api) with each paging style: every measure of the stand-in's data file
// reaches /api/v1/measures with its values, the item with a bad date is rejected naming its JSON
// path, an unchanged collection is answered 304 and not read again, and the token appears nowhere.
// And `ijro-hub plugin test` runs it against the same stand-in.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>

#include "hub/http/client.hpp"
#include "tests/integration/hub_process.hpp"
#include "tests/integration/stand_in.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/wait.hpp"

namespace ijro::test {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kReader = "rest-json-read-token";
constexpr const char* kToken = "rest-api-Tk93vQ";
constexpr const char* kAsOf = "2026-11-28";
constexpr const char* kScript = "examples/stand-ins/rest-api/serve.py";

// The stand-in's status words as the configuration maps them.
const std::map<std::string, std::string> kStatuses{{"Jarayonda", "inProgress"},
                                                   {"Rejada", "planned"},
                                                   {"Bajarildi", "completed"},
                                                   {"To'xtatildi", "suspended"}};

json::array standInItems() {
  std::ifstream in(sourceDir() / "examples/stand-ins/rest-api/measures.json");
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str()).as_array();
}

struct Style {
  const char* paging;
  const char* path;
  const char* items;  // the option items
};
constexpr Style kStyles[] = {{"link", "/link/measures", ""},
                             {"cursor", "/cursor/measures", "data.items"},
                             {"offset", "/offset/measures", "/items"}};

// The options of the instance as (name, value) and table rows, shared by hub.xml and the
// `plugin test` options file.
std::string optionsXml(const StandIn& api, const Style& style, const std::string& token) {
  std::string o;
  auto option = [&](const std::string& name, const std::string& value) {
    o += "      <option name=\"" + name + "\">" + value + "</option>\n";
  };
  auto rows = [&](const std::string& name,
                  const std::vector<std::pair<std::string, std::string>>& r) {
    o += "      <option name=\"" + name + "\">\n";
    for (const auto& [k, v] : r) o += "        <row key=\"" + k + "\" value=\"" + v + "\"/>\n";
    o += "      </option>\n";
  };
  option("url", api.url() + style.path);
  option("paging", style.paging);
  if (*style.items) option("items", style.items);
  option("cursor_path", "meta.next_cursor");
  option("page_size", "3");
  option("token", "Bearer " + token);
  rows("fields", {{"measure", "id"},
                  {"title", "name.uz"},
                  {"organisation", "executor"},
                  {"region", "region.soato"},
                  {"sector", "sector"},
                  {"start", "start_date"},
                  {"deadline", "due_date"},
                  {"completed", "done_date"},
                  {"status", "state"},
                  {"progress", "percent"},
                  {"comment", "comment"},
                  {"revision", "version"}});
  rows("defaults",
       {{"act_type", "resolution"}, {"act_number", "PQ-60"}, {"act_date", "2022-01-28"}});
  std::vector<std::pair<std::string, std::string>> statuses(kStatuses.begin(), kStatuses.end());
  rows("statuses", statuses);
  return o;
}

fs::path writeConfig(const fs::path& dir, const std::string& isolation,
                     const std::string& options) {
  const fs::path config = dir / "hub.xml";
  std::ofstream(config) << R"(<hub xmlns="urn:ijro-hub:config:1" id="rest-json-it">
  <log level="debug"/>
  <readers>
    <reader id="ministry" token=")"
                        << kReader << R"(" regions="*" sectors="*"/>
  </readers>
  <plugins>
    <source id="regional-api" library="rest_json" isolation=")"
                        << isolation << R"(" interval="200ms" jitter="0" regions="*" sectors="*">
)" << options << R"(    </source>
  </plugins>
</hub>
)";
  return config;
}

json::object standInStats(const StandIn& api) {
  const auto res = http::request("127.0.0.1", api.port(), "GET", "/_stats");
  return json::parse(res.body).as_object();
}

std::map<std::string, json::object> measuresById(HubProcess& hub) {
  std::map<std::string, json::object> byId;
  const auto res = hub.get(std::string("/api/v1/measures?asOf=") + kAsOf, kReader);
  if (res.status != 200) return byId;
  const json::value doc = json::parse(res.body);
  for (const auto& i : doc.at("items").as_array())
    byId[std::string(i.at("measure").as_string())] = i.as_object();
  return byId;
}

class RestJsonInTheHub : public ::testing::TestWithParam<std::tuple<const char*, std::size_t>> {};

TEST_P(RestJsonInTheHub, EveryItemOfEachPagingStyleReachesTheMeasuresAndAn304IsNotReadAgain) {
  const std::string isolation = std::get<0>(GetParam());
  const Style& style = kStyles[std::get<1>(GetParam())];
  const auto dir = tempDir(std::string("rest-json-") + style.paging + "-" + isolation);
  StandIn api(dir, kScript, {"--token", kToken, "--bad-item"});
  api.start();
  HubProcess hub(dir, writeConfig(dir, isolation, optionsXml(api, style, kToken)));
  hub.start();

  const json::array expected = standInItems();
  std::map<std::string, json::object> got;
  ASSERT_TRUE(waitFor([&] {
    got = measuresById(hub);
    return got.size() == expected.size();
  })) << hub.log()
      << api.log();

  for (const auto& e : expected) {
    const auto& item = e.as_object();
    const std::string id(item.at("id").as_string());
    ASSERT_EQ(got.count(id), 1u) << id;
    const json::object& m = got[id];
    EXPECT_EQ(m.at("source").as_string(), "regional-api") << id;
    EXPECT_EQ(m.at("title").as_string(), item.at("name").at("uz").as_string()) << id;
    EXPECT_EQ(m.at("organisation").as_string(), item.at("executor").as_string()) << id;
    EXPECT_EQ(m.at("region").as_string(), item.at("region").at("soato").as_string()) << id;
    EXPECT_EQ(m.at("sector").as_string(), item.at("sector").as_string()) << id;
    EXPECT_EQ(m.at("start").as_string(), item.at("start_date").as_string()) << id;
    EXPECT_EQ(m.at("originalDeadline").as_string(), item.at("due_date").as_string()) << id;
    EXPECT_EQ(m.at("revision").as_int64(), item.at("version").as_int64()) << id;
    EXPECT_EQ(m.at("lifecycle").as_string(),
              kStatuses.at(std::string(item.at("state").as_string())))
        << id;
    if (item.at("done_date").is_null())
      EXPECT_TRUE(m.at("completed").is_null()) << id;
    else
      EXPECT_EQ(m.at("completed").as_string(), item.at("done_date").as_string()) << id;
    // The hub leaves a suspended measure out of its evaluation: no progress shown.
    if (m.at("lifecycle") == "suspended")
      EXPECT_TRUE(m.at("progress").is_null()) << id;
    else
      EXPECT_DOUBLE_EQ(m.at("progress").to_number<double>(),
                       item.at("percent").to_number<double>() / 100)
          << id;
  }
  // The item with a bad due date is rejected with its JSON path; the others were stored above.
  ASSERT_TRUE(waitFor([&] {
    return hub.log().find(".due_date: \"31.12.2026\" is not a date (YYYY-MM-DD)") !=
           std::string::npos;
  })) << hub.log();
  EXPECT_EQ(got.count("AND-2026-99"), 0u);

  // Later polls ask conditionally and get 304: nothing is read or stored again.
  ASSERT_TRUE(waitFor([&] { return standInStats(api).at("not_modified").as_int64() >= 3; }))
      << hub.log() << api.log();
  const auto again = measuresById(hub);
  ASSERT_EQ(again.size(), expected.size());
  for (const auto& [id, m] : got) EXPECT_EQ(again.at(id).at("revision"), m.at("revision")) << id;
  EXPECT_EQ(standInStats(api).at("unauthorised").as_int64(), 0);

  hub.signal(SIGTERM);
  EXPECT_EQ(hub.wait(), 0) << hub.log();
  EXPECT_EQ(hub.log().find(kToken), std::string::npos) << "the token is in the hub's log";
}

INSTANTIATE_TEST_SUITE_P(EachPagingStyleInProcessAndIsolated, RestJsonInTheHub,
                         ::testing::Combine(::testing::Values("inProcess", "process"),
                                            ::testing::Values(0, 1, 2)),
                         [](const auto& p) {
                           return std::string(std::get<0>(p.param)) + "_" +
                                  kStyles[std::get<1>(p.param)].paging;
                         });

// A wrong token: the server's 401 (which repeats the header it got) becomes an error naming the
// options to check, and the token is neither in the log nor in the API's answers.
TEST(RestJsonSecret, ARefusedTokenIsReportedWithoutItsValue) {
  constexpr const char* kWrong = "wrong-token-Zr55pX";
  const auto dir = tempDir("rest-json-wrong-token");
  StandIn api(dir, kScript, {"--token", kToken});
  api.start();
  HubProcess hub(dir, writeConfig(dir, "process", optionsXml(api, kStyles[0], kWrong)));
  hub.start();
  ASSERT_TRUE(waitFor([&] {
    return hub.log().find("check the options token and auth_header") != std::string::npos &&
           standInStats(api).at("unauthorised").as_int64() >= 2;
  })) << hub.log();
  EXPECT_EQ(hub.get("/metrics", kReader).body.find(kWrong), std::string::npos);
  EXPECT_EQ(hub.get("/api/v1/measures", kReader).body.find(kWrong), std::string::npos);
  hub.signal(SIGTERM);
  hub.wait();
  const std::string log = hub.log();
  EXPECT_THAT(log, HasSubstr("401"));
  EXPECT_EQ(log.find(kWrong), std::string::npos) << "the token is in the hub's log:\n" << log;
}

TEST(RestJsonPluginTest, PluginTestPrintsTheRecordsOfTheStandIn) {
  const auto dir = tempDir("rest-json-plugin-test");
  StandIn api(dir, kScript, {"--token", kToken});
  api.start();
  const fs::path options = dir / "options.xml";
  std::ofstream(options) << "<options xmlns=\"urn:ijro-hub:plugin-options:1\">\n"
                         << optionsXml(api, kStyles[1], kToken) << "</options>\n";
  const auto r = runHub({"plugin", "test", IJRO_PLUGIN_PATH, "--options", options.string()});
  EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
  for (const auto& e : standInItems()) {
    EXPECT_THAT(r.out, HasSubstr(std::string(e.at("id").as_string())));
    EXPECT_THAT(r.out, HasSubstr(std::string(e.at("name").at("uz").as_string())));
  }
  EXPECT_EQ((r.out + r.err).find(kToken), std::string::npos);
}

}  // namespace
}  // namespace ijro::test
