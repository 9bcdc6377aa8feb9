// The outgoing feed of the real hub: signed batches pushed to a receiver on loopback until it
// answers with a receipt, each resend byte-identical, the same batch pulled by GET
// /api/v1/feed?after=; and two hub processes on one PostgreSQL that share one sequence and never
// send one batch twice at the same time.
#include <gtest/gtest.h>
#include <signal.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "hub/exchange/batch.hpp"
#include "hub/exchange/report.hpp"
#include "hub/http/server.hpp"
#include "hub/xml/signature.hpp"
#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/wait.hpp"

namespace ijro::test {
namespace {

constexpr const char* kToken = "feed-test-source-token";
constexpr const char* kReader = "feed-test-read-token";

// A receiving hub as far as the sender can tell: it verifies each batch's signature against the
// sender's certificate, refuses the first `failFirst` sends with a 503, and answers the others
// with a receipt accepting every entry. It records every body per sequence and any sequence it
// was sent twice at the same time.
class Receiver {
 public:
  Receiver(std::string certPem, int failFirst)
      : certPem_(std::move(certPem)),
        failLeft_(failFirst),
        server_(options(), [this](const http::Request& r) { return handle(r); }),
        thread_([this] { server_.run(false); }) {}
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return server_.port(); }

  std::mutex m;
  std::map<std::int64_t, std::vector<std::string>> bodies;  // per sequence, every send
  std::set<std::string> entries;                            // measure ids received
  std::vector<std::string> problems;
  int sends = 0;

 private:
  static http::ServerOptions options() {
    http::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    o.handlerThreads = 8;
    o.bodyLimit = 64u << 20;
    return o;
  }
  http::Response handle(const http::Request& r) {
    exchange::ParsedBatch batch;
    try {
      batch = exchange::parseBatch(r.body);
    } catch (const std::exception& e) {
      std::lock_guard lock(m);
      problems.push_back(std::string("unreadable batch: ") + e.what());
      return {400, "text/plain", e.what(), {}};
    }
    const auto sequence = batch.header.sequence;
    {
      std::lock_guard lock(m);
      ++sends;
      bodies[sequence].push_back(r.body);
      if (!inFlight_.insert(sequence).second)
        problems.push_back("batch " + std::to_string(sequence) + " sent twice at once");
    }
    // Slow enough that a second sender would overlap if it could take the same batch.
    std::this_thread::yield();
    const auto verdict = xml::verifyEnveloped(r.body, {certPem_});
    std::lock_guard lock(m);
    inFlight_.erase(sequence);
    if (!verdict.ok) {
      problems.push_back("batch " + std::to_string(sequence) + ": " + verdict.reason);
      return {400, "text/plain", verdict.reason, {}};
    }
    if (failLeft_ > 0) {
      --failLeft_;
      return {503, "application/problem+json", R"({"detail":"not now"})", {}};
    }
    std::string records;
    for (const auto& e : batch.entries) {
      if (e.entry) entries.insert(e.entry->implementation.measure.id);
      if (!records.empty()) records += ",";
      records += R"({"index":)" + std::to_string(e.index) + R"(,"outcome":"accepted"})";
    }
    return {200, "application/json", R"({"summary":{},"records":[)" + records + "]}", {}};
  }

  std::string certPem_;
  int failLeft_;
  std::set<std::int64_t> inFlight_;
  http::Server server_;
  std::thread thread_;
};

model::Implementation record(int i) {
  model::Implementation m;
  m.measure.id = "DU2030-FEED-" + std::to_string(i);
  m.measure.title = "Connect schools to the electronic diary";
  m.measure.act = {"decree", "UP-6079", *model::parseDate("2020-10-05"), "1.2"};
  m.region = "1726";
  m.organisation = "Ministry of Public Education";
  m.sector = "education";
  m.revision = 1;
  m.lifecycle = model::Lifecycle::InProgress;
  m.start = *model::parseDate("2026-01-01");
  m.deadline = *model::parseDate("2027-06-30");
  return m;
}

class FeedDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tempDir("feed-delivery");
    auto made = runHub({"feed", "keygen", "--key", (dir_ / "hub.key").string(), "--cert",
                        (dir_ / "hub.crt").string(), "--hub", "hub-a"});
    ASSERT_EQ(made.exitCode, 0) << made.err;
    certPem_ = readFile(dir_ / "hub.crt");
  }
  // A hub "hub-a" that takes reports for Tashkent City and pushes its feed to `port`.
  std::filesystem::path config(std::uint16_t port, int batchSize) {
    const auto path = dir_ / "hub.xml";
    std::ofstream(path)
        << R"(<?xml version="1.0" encoding="UTF-8"?>
<hub xmlns="urn:ijro-hub:config:1" id="hub-a">
  <sources>
    <source id="tashkent-city" token=")"
        << kToken << R"(" regions="1726" sectors="*"/>
  </sources>
  <readers>
    <reader id="ministry" token=")"
        << kReader << R"(" regions="*" sectors="*"/>
  </readers>
  <feed key="hub.key" certificate="hub.crt" batchSize=")"
        << batchSize << R"(" intervalMs="50">
    <push url="http://127.0.0.1:)"
        << port << R"(/api/v1/feeds" allowPlainHttp="true" retryMinMs="20" retryMaxMs="200"/>
  </feed>
</hub>
)";
    return path;
  }
  void post(HubProcess& hub, int from, int to) {
    std::vector<model::Implementation> records;
    for (int i = from; i <= to; ++i) records.push_back(record(i));
    auto res = hub.post("/api/v1/reports", exchange::writeReportXml("tashkent-city", records),
                        "application/xml", kToken);
    ASSERT_EQ(res.status, 200) << res.body;
  }

  std::filesystem::path dir_;
  std::string certPem_;
};

TEST_F(FeedDeliveryTest, SignedBatchesReachTheReceiverAfterItsFailuresAndPullGivesTheSameBytes) {
  Receiver receiver(certPem_, 3);
  HubProcess hub(dir_, config(receiver.port(), 4));
  hub.start();
  post(hub, 1, 10);
  ASSERT_TRUE(waitFor([&] {
    std::lock_guard lock(receiver.m);
    return receiver.entries.size() == 10;
  })) << hub.log();
  std::string first;
  {
    std::lock_guard lock(receiver.m);
    EXPECT_TRUE(receiver.problems.empty()) << ::testing::PrintToString(receiver.problems);
    EXPECT_EQ(receiver.bodies.size(), 3u);  // 10 changes, 4 per batch: 1, 2, 3
    EXPECT_GT(receiver.sends, 3);           // the refused sends were made again
    for (const auto& [sequence, sends] : receiver.bodies)
      for (const auto& body : sends) EXPECT_EQ(body, sends.front()) << "batch " << sequence;
    first = receiver.bodies.at(1).front();
  }

  auto pulled = hub.get("/api/v1/feed?after=0", kReader);
  ASSERT_EQ(pulled.status, 200) << pulled.body;
  EXPECT_EQ(pulled.body, first);
  auto last = hub.get("/api/v1/feed?after=3", kReader);
  EXPECT_EQ(last.status, 204);
  // The receipt of the last batch is recorded once the hub has read it.
  std::string metrics;
  EXPECT_TRUE(waitFor([&] {
    metrics = hub.get("/metrics", kReader).body;
    return metrics.find("ijro_feed_lag_batches 0") != std::string::npos;
  })) << metrics;
  EXPECT_NE(metrics.find("ijro_feed_last_sequence 3"), std::string::npos) << metrics;
}

// Two processes of hub-a on one PostgreSQL, each taking reports and pushing: one sequence, every
// entry delivered, no batch sent by both at once, every resend the same bytes.
TEST_F(FeedDeliveryTest, TwoProcessesOnOnePostgresShareOneSequenceAndNeverSendABatchTwiceAtOnce) {
  const std::string base = postgresUrl();
  const std::string schema = "feed_" + std::to_string(::getpid());
  const std::string connection = base.substr(base.find("://") + 3);
  {
    soci::session admin(*soci::factory_postgresql(), connection);
    admin << "SET client_min_messages TO warning";
    admin << "DROP SCHEMA IF EXISTS " + schema + " CASCADE";
    admin << "CREATE SCHEMA " + schema;
  }
  const std::string store = base + " options='-c search_path=" + schema + "'";
  {
    Receiver receiver(certPem_, 5);
    const auto cfg = config(receiver.port(), 3);
    HubProcess a(dir_, cfg, store), b(dir_, cfg, store);
    a.start();
    b.start();
    for (int round = 0; round < 10; ++round) {
      post(a, round * 6 + 1, round * 6 + 3);
      post(b, round * 6 + 4, round * 6 + 6);
    }
    ASSERT_TRUE(waitFor([&] {
      std::lock_guard lock(receiver.m);
      return receiver.entries.size() == 60;
    })) << a.log()
        << b.log();
    std::lock_guard lock(receiver.m);
    EXPECT_TRUE(receiver.problems.empty()) << ::testing::PrintToString(receiver.problems);
    // Sequences 1..N, none missing.
    std::int64_t expect = 1;
    for (const auto& [sequence, sends] : receiver.bodies) {
      EXPECT_EQ(sequence, expect++);
      for (const auto& body : sends) EXPECT_EQ(body, sends.front()) << "batch " << sequence;
    }
    // Both processes sent some: the work was shared (each names itself in its log).
    EXPECT_NE(a.log().find("feed: signed batches"), std::string::npos);
    EXPECT_NE(b.log().find("feed: signed batches"), std::string::npos);
  }
  soci::session admin(*soci::factory_postgresql(), connection);
  admin << "SET client_min_messages TO warning";
  admin << "DROP SCHEMA IF EXISTS " + schema + " CASCADE";
}

}  // namespace
}  // namespace ijro::test
