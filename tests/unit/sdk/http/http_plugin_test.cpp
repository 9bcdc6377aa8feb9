// A source plugin built on the SDK's HTTP client (http_source_plugin.cpp), run by the hub's own
// runner in-process and in an `ijro-hub plugin-host` child: it reads linked pages with its bearer
// token, keeps ETags in its checkpoint so an unchanged collection costs one 304, and a TLS failure
// fails the poll with a message that says what to do and holds no token.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "hub/isolation/make_runner.hpp"
#include "hub/plugin_host/records.hpp"
#include "tests/support/test_support.hpp"
#include "tests/unit/sdk/http/test_server.hpp"

namespace ijro::isolation {
namespace {

using namespace std::chrono_literals;
using ijro::test::http::Received;
using ijro::test::http::Reply;
using ijro::test::http::TestAuthority;
using ijro::test::http::TestServer;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

const std::string kToken = "plugin-bearer-0123456789";

std::string record(const std::string& id) {
  return "{\"revision\":1,\"measure\":{\"id\":\"" + id +
         "\",\"title\":\"Measure read over HTTP\",\"act\":{\"type\":\"decree\","
         "\"number\":\"UP-6079\",\"date\":\"2020-10-05\"}},\"region\":\"1703\","
         "\"organisation\":\"Andijan Region Health Department\",\"sector\":\"health\","
         "\"lifecycle\":\"inProgress\",\"start\":\"2026-01-01\",\"deadline\":\"2027-12-31\"}";
}

class HttpSourcePlugin : public ::testing::TestWithParam<Isolation> {
 protected:
  std::unique_ptr<Runner> runner(OptionValues options) {
    RunnerOptions o;
    o.pluginPath = IJRO_HTTP_SOURCE_PLUGIN;
    o.name = "http-records";
    o.options = std::move(options);
    o.isolation = GetParam();
    o.hubBinary = IJRO_HUB_BINARY;
    o.callTimeout = 20s;
    return makeRunner(o);
  }
};

TEST_P(HttpSourcePlugin, ReadsLinkedPagesThenOnlyAsksWhetherTheyChanged) {
  TestServer server([](const Received& r) {
    if (r.header("authorization") != "Bearer " + kToken) return Reply{401, {}, "who are you"};
    if (r.target == "/records?page=1") {
      if (r.header("if-none-match") == "\"set-1\"") return Reply{304, {}, ""};
      return Reply{200,
                   {{"ETag", "\"set-1\""}, {"Link", "</records?page=2>; rel=\"next\""}},
                   record("HTTP-1")};
    }
    if (r.target == "/records?page=2") return Reply{200, {}, record("HTTP-2")};
    return Reply{404, {}, ""};
  });
  auto source = runner({{"url", server.url("/records?page=1")}, {"token", kToken}});

  PollResult first = source->poll();
  ASSERT_EQ(first.status, Status::Ok) << first.message;
  EXPECT_THAT(first.records, ::testing::ElementsAre(record("HTTP-1"), record("HTTP-2")));
  for (const auto& r : plugin_host::checkRecords(first.records, "http-records"))
    EXPECT_TRUE(r.valid()) << r.json;
  ASSERT_TRUE(first.checkpoint);
  EXPECT_THAT(*first.checkpoint, HasSubstr("\"set-1\""));

  source->setCheckpoint(first.checkpoint);
  PollResult second = source->poll();
  ASSERT_EQ(second.status, Status::Ok) << second.message;
  EXPECT_THAT(second.records, SizeIs(0));
  const auto seen = server.received();
  ASSERT_THAT(seen, SizeIs(3));
  EXPECT_EQ(seen[2].header("if-none-match"), "\"set-1\"");
}

TEST_P(HttpSourcePlugin, ACertificateItCannotVerifyFailsThePollSayingWhatToDo) {
  TestAuthority authority;
  TestServer server(
      [](const Received&) {
        return Reply{200, {}, record("HTTP-1")};
      },
      authority.issue("IP:127.0.0.1"));
  auto source = runner({{"url", server.url("/records?access_token=" + kToken)}, {"token", kToken}});
  PollResult p = source->poll();
  EXPECT_EQ(p.status, Status::Error);
  EXPECT_THAT(p.message, HasSubstr("certificate verify failed for host 127.0.0.1"));
  EXPECT_THAT(p.message, HasSubstr("set tls.caFile"));
  EXPECT_THAT(p.message, Not(HasSubstr(kToken)));
  EXPECT_THAT(p.records, SizeIs(0));

  // With the CA the same poll goes through.
  const auto dir = ijro::test::tempDir("http-plugin-ca");
  std::ofstream(dir / "ca.pem") << authority.certificatePem();
  auto trusting = runner(
      {{"url", server.url("/records")}, {"token", kToken}, {"ca_file", (dir / "ca.pem").string()}});
  PollResult ok = trusting->poll();
  EXPECT_EQ(ok.status, Status::Ok) << ok.message;
  EXPECT_THAT(ok.records, SizeIs(1));
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(InProcessAndIsolated, HttpSourcePlugin,
                         ::testing::Values(Isolation::InProcess, Isolation::Process),
                         [](const ::testing::TestParamInfo<Isolation>& param) {
                           return param.param == Isolation::Process ? "Isolated" : "InProcess";
                         });

}  // namespace
}  // namespace ijro::isolation
