// Delivery under faults, on the real binaries: two regional hubs ("tashkent-city", regions 1726;
// "andijan", regions 1703), each with its own key and SQLite store, push their signed feeds to one
// ministry hub, each through its own fault proxy. While reports keep arriving at the regional
// hubs, the run injects delays, resets mid-request, resets of the receipt after the ministry
// committed, SIGKILLs of a regional hub while it has batches in flight, and a ministry that is
// killed and restarted on another port. At the end every report a regional hub answered with 200
// must be at the ministry exactly once with its last accepted revision, nothing else, and the
// ministry's batches of each hub must be 1..N without a gap.
#include <gtest/gtest.h>
#include <signal.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "hub/exchange/report.hpp"
#include "tests/integration/hub_process.hpp"
#include "tests/support/fault_proxy.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/wait.hpp"

namespace ijro::test {
namespace {

constexpr const char* kReader = "faults-reader-token-0001";

// The value of an unlabelled sample NAME in Prometheus text; nullopt when it is missing.
std::optional<double> metric(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return std::nullopt;
}

// One regional hub: its folder (key, certificate, configuration, store, log), its process and
// the proxy between it and the ministry.
struct Regional {
  std::string id;
  std::string region;
  std::string source;  // the source id its reports are posted under
  std::string token;
  std::filesystem::path dir;
  std::unique_ptr<FaultProxy> proxy;
  std::unique_ptr<HubProcess> process;
  // What it answered 200 for: measure id -> the last accepted revision.
  std::map<std::string, std::int64_t> accepted;
  int next = 1;  // the number of the next new measure

  double value(const std::string& name) {
    const auto text = process->get("/metrics", kReader).body;
    return metric(text, name).value_or(-1);
  }
};

model::Implementation record(const Regional& hub, const std::string& id, std::int64_t revision) {
  model::Implementation m;
  m.measure.id = id;
  m.measure.title = "Connect schools to the electronic diary";
  m.measure.act = {"decree", "UP-6079", *model::parseDate("2020-10-05"), "1.2"};
  m.region = hub.region;
  m.organisation = "Ministry of Public Education";
  m.sector = "education";
  m.revision = revision;
  m.lifecycle = model::Lifecycle::InProgress;
  m.start = *model::parseDate("2026-01-01");
  // Each revision moves the deadline by a day, so a later revision really changes the content.
  m.deadline = *model::parseDate("2027-06-" + std::to_string(10 + revision % 18));
  return m;
}

class FeedFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tempDir("feed-faults");
    hubs_.push_back(makeRegional("tashkent-city", "1726"));
    hubs_.push_back(makeRegional("andijan", "1703"));
    ministryDir_ = root_ / "ministry";
    std::filesystem::create_directories(ministryDir_);
    std::ofstream(ministryDir_ / "hub.xml") << R"(<?xml version="1.0" encoding="UTF-8"?>
<hub xmlns="urn:ijro-hub:config:1" id="ministry">
  <readers>
    <reader id="analyst" token=")" << kReader
                                            << R"(" regions="*" sectors="*"/>
  </readers>
  <peers>
    <hub id="tashkent-city" regions="1726">
      <certificate file=")" << (hubs_[0]->dir / "hub.crt").string()
                                            << R"("/>
    </hub>
    <hub id="andijan" regions="1703">
      <certificate file=")" << (hubs_[1]->dir / "hub.crt").string()
                                            << R"("/>
    </hub>
  </peers>
</hub>
)";
    ministry_ = std::make_unique<HubProcess>(ministryDir_, ministryDir_ / "hub.xml");
    ministry_->start();
    for (auto& h : hubs_) {
      h->proxy = std::make_unique<FaultProxy>("127.0.0.1", ministry_->port());
      writeRegionalConfig(*h);
      h->process = std::make_unique<HubProcess>(h->dir, h->dir / "hub.xml");
      h->process->start();
    }
  }

  std::unique_ptr<Regional> makeRegional(const std::string& id, const std::string& region) {
    auto h = std::make_unique<Regional>();
    h->id = id;
    h->region = region;
    h->source = id + "-tracker";
    h->token = "faults-source-token-" + id;
    h->dir = root_ / id;
    std::filesystem::create_directories(h->dir);
    auto made = runHub({"feed", "keygen", "--key", (h->dir / "hub.key").string(), "--cert",
                        (h->dir / "hub.crt").string(), "--hub", id});
    EXPECT_EQ(made.exitCode, 0) << made.err;
    return h;
  }

  // Small batches and short retries, so that a run of a minute makes many batches and resends;
  // the timeout bounds a send the proxy holds back.
  void writeRegionalConfig(const Regional& h) {
    std::ofstream(h.dir / "hub.xml")
        << R"(<?xml version="1.0" encoding="UTF-8"?>
<hub xmlns="urn:ijro-hub:config:1" id=")"
        << h.id << R"(">
  <sources>
    <source id=")"
        << h.source << R"(" token=")" << h.token << R"(" regions=")" << h.region
        << R"(" sectors="*"/>
  </sources>
  <readers>
    <reader id="monitor" token=")"
        << kReader << R"(" regions="*" sectors="*"/>
  </readers>
  <feed key=")"
        << (h.dir / "hub.key").string() << R"(" certificate=")" << (h.dir / "hub.crt").string()
        << R"(" batchSize="3" intervalMs="50">
    <push url="http://127.0.0.1:)"
        << h.proxy->port()
        << R"(/api/v1/feeds" allowPlainHttp="true" retryMinMs="20" retryMaxMs="300" timeoutMs="3000"/>
  </feed>
</hub>
)";
  }

  // One report to a regional hub: a new measure, and every third report also the next revision
  // of one it accepted before. Counted only when answered 200.
  void post(Regional& h) {
    std::vector<model::Implementation> records;
    std::map<std::string, std::int64_t> sent;
    const std::string id = "DU2030-" + h.id + "-" + std::to_string(h.next++);
    records.push_back(record(h, id, 1));
    sent[id] = 1;
    if (h.next % 3 == 0 && !h.accepted.empty()) {
      auto it = h.accepted.begin();
      std::advance(it, static_cast<long>(h.next % h.accepted.size()));
      records.push_back(record(h, it->first, it->second + 1));
      sent[it->first] = it->second + 1;
    }
    http::Response res;
    try {
      res = h.process->post("/api/v1/reports", exchange::writeReportXml(h.source, records),
                            "application/xml", h.token);
    } catch (const std::exception& e) {
      ADD_FAILURE() << h.id << ": report not answered: " << e.what();
      return;
    }
    EXPECT_EQ(res.status, 200) << h.id << ": " << res.body;
    if (res.status != 200) return;
    for (const auto& [measure, revision] : sent) h.accepted[measure] = revision;
  }

  void postRound(int rounds) {
    for (int i = 0; i < rounds; ++i)
      for (auto& h : hubs_) post(*h);
  }

  double ministryValue(const std::string& name) {
    return metric(ministry_->get("/metrics", kReader).body, name).value_or(-1);
  }

  std::string logs() {
    std::string out = "--- ministry\n" + ministry_->log();
    for (auto& h : hubs_) out += "--- " + h->id + "\n" + h->process->log();
    return out;
  }

  std::filesystem::path root_, ministryDir_;
  std::vector<std::unique_ptr<Regional>> hubs_;
  std::unique_ptr<HubProcess> ministry_;
};

TEST_F(FeedFaultsTest,
       EveryAcceptedReportReachesTheMinistryExactlyOnceThroughKillsResetsAndAnOutage) {
  using namespace std::chrono_literals;
  auto& tashkent = *hubs_[0];
  auto& andijan = *hubs_[1];
  postRound(3);

  // Slow links: every chunk of both proxies is held back.
  for (auto& h : hubs_) h->proxy->setDelay(30ms);
  postRound(3);

  // Requests cut after 150 bytes: the ministry never sees a whole batch and stores nothing.
  tashkent.proxy->setResetAfter(150);
  postRound(2);
  ASSERT_TRUE(waitFor([&] { return tashkent.proxy->counters().resets >= 2; })) << logs();
  for (auto& h : hubs_) h->proxy->passThrough();

  // Three SIGKILLs of a regional hub while it has a batch made but not delivered: its proxy holds
  // the push back so the kill lands mid-push, then it restarts on the same store and config.
  int kills = 0;
  for (Regional* h : {&tashkent, &andijan, &tashkent}) {
    h->proxy->setDelay(400ms);
    post(*h);
    ASSERT_TRUE(waitFor([&] { return h->value("ijro_feed_lag_batches") > 0; }, 30s))
        << h->process->log();
    h->process->signal(SIGKILL);
    EXPECT_EQ(h->process->wait(), 128 + SIGKILL);
    ++kills;
    for (auto& other : hubs_)
      if (other.get() != h) post(*other);
    h->proxy->passThrough();
    h->process->start();
    post(*h);
  }
  EXPECT_EQ(kills, 3);

  // The ministry goes down (SIGKILL) while reports keep coming; the regional hubs keep their
  // batches and retry; it comes back on the same store at another port.
  ministry_->signal(SIGKILL);
  EXPECT_EQ(ministry_->wait(), 128 + SIGKILL);
  postRound(3);
  ASSERT_TRUE(waitFor([&] {
    return tashkent.proxy->counters().targetFailures > 0 &&
           andijan.proxy->counters().targetFailures > 0;
  })) << logs();
  ministry_->start();
  for (auto& h : hubs_) h->proxy->setTarget("127.0.0.1", ministry_->port());

  // The receipt is cut after 20 bytes: the ministry committed the batch, the regional hub never
  // saw it and sends it again; the resend comes back as a duplicate.
  andijan.proxy->setResponseResetAfter(20);
  post(andijan);
  ASSERT_TRUE(waitFor([&] { return andijan.proxy->counters().responseResets >= 1; })) << logs();
  andijan.proxy->passThrough();
  ASSERT_TRUE(waitFor([&] { return ministryValue("ijro_records_duplicate_total") > 0; })) << logs();

  postRound(3);

  // Both regional hubs catch up: nothing unbatched, nothing undelivered.
  for (auto& h : hubs_) {
    ASSERT_TRUE(waitFor(
        [&] {
          return h->value("ijro_feed_lag_batches") == 0 &&
                 h->value("ijro_feed_unbatched_changes") == 0;
        },
        90s))
        << h->id << "\n"
        << h->process->get("/metrics", kReader).body << logs();
  }
  std::map<std::string, std::int64_t> lastSequence;
  for (auto& h : hubs_)
    lastSequence[h->id] = static_cast<std::int64_t>(h->value("ijro_feed_last_sequence"));

  // The faults really happened.
  const auto t = tashkent.proxy->counters(), a = andijan.proxy->counters();
  EXPECT_GE(t.resets, 2u) << t.json();
  EXPECT_GE(a.responseResets, 1u) << a.json();
  EXPECT_GT(t.delayedChunks + a.delayedChunks, 0u) << t.json() << a.json();
  EXPECT_GT(t.targetFailures, 0u) << t.json();
  EXPECT_GT(a.targetFailures, 0u) << a.json();

  ministry_->signal(SIGTERM);
  EXPECT_EQ(ministry_->wait(), 0);

  soci::session sql(*soci::factory_sqlite3(), (ministryDir_ / "hub.db").string());
  // The ministry's current rows of the regional hubs' sources: exactly the accepted set.
  std::map<std::string, std::map<std::string, std::int64_t>> stored;  // source -> measure -> rev
  std::vector<std::string> twice;
  {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT source, measure_id, CAST(revision AS TEXT) FROM implementation");
    for (const auto& r : rows) {
      const auto source = r.get<std::string>(0), measure = r.get<std::string>(1);
      const std::int64_t revision = std::stoll(r.get<std::string>(2));
      if (!stored[source].emplace(measure, revision).second)
        twice.push_back(source + " " + measure);
    }
  }
  EXPECT_TRUE(twice.empty()) << ::testing::PrintToString(twice);
  std::map<std::string, std::map<std::string, std::int64_t>> expected;
  for (auto& h : hubs_) expected[h->id + "/" + h->source] = h->accepted;
  EXPECT_EQ(stored, expected);
  std::size_t total = 0;
  for (auto& h : hubs_) total += h->accepted.size();
  EXPECT_GE(total, 30u);  // the run really carried a stream of reports

  // Each accepted change is in the ministry's history once, however often its batch was sent.
  {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT source, measure_id, CAST(revision AS TEXT) FROM history "
                        "GROUP BY source, measure_id, region, organisation, revision "
                        "HAVING COUNT(*) > 1");
    std::vector<std::string> repeated;
    for (const auto& r : rows)
      repeated.push_back(r.get<std::string>(0) + " " + r.get<std::string>(1) + " revision " +
                         r.get<std::string>(2));
    EXPECT_TRUE(repeated.empty()) << ::testing::PrintToString(repeated);
  }

  // The batches received per hub are 1..N, N the regional hub's last sequence.
  std::map<std::string, std::vector<std::int64_t>> received;
  {
    soci::rowset<soci::row> rows =
        (sql.prepare
         << "SELECT hub, CAST(sequence AS TEXT) FROM received_batch ORDER BY hub, sequence");
    for (const auto& r : rows)
      received[r.get<std::string>(0)].push_back(std::stoll(r.get<std::string>(1)));
  }
  for (auto& h : hubs_) {
    const auto& got = received[h->id];
    ASSERT_GT(lastSequence[h->id], 0) << h->id;
    std::vector<std::int64_t> want;
    for (std::int64_t s = 1; s <= lastSequence[h->id]; ++s) want.push_back(s);
    EXPECT_EQ(got, want) << h->id;
  }
}

}  // namespace
}  // namespace ijro::test
