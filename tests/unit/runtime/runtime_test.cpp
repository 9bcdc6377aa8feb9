// The plugin runtime against a real store (SQLite in a temporary folder) with the test plugins of
// tests/plugins, and with scripted runners for what no well-behaved plugin does (throwing,
// answering RETRY a given number of times, taking its time).
#include "hub/runtime/runtime.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "hub/isolation/make_runner.hpp"
#include "hub/plugin_host/records.hpp"
#include "hub/store/store.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::runtime {
namespace {

using isolation::makeRunner;
using isolation::RunnerHealth;
using plugin_host::checkRecords;
using plugin_host::InstanceStats;
using plugin_host::recordJson;

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

// Polls `done` every 10 ms until it holds or `timeout` passes.
template <typename F>
bool waitFor(F done, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

std::string record(const std::string& id, const std::string& region = "1726",
                   std::int64_t revision = 1) {
  return "{\"revision\":" + std::to_string(revision) + ",\"measure\":{\"id\":\"" + id +
         "\",\"title\":\"Demo\",\"act\":{\"type\":\"decree\",\"number\":\"UP-6079\",\"date\":"
         "\"2020-10-05\"}},\"region\":\"" +
         region +
         "\",\"organisation\":\"Ministry of Health\",\"sector\":\"health\",\"lifecycle\":"
         "\"inProgress\",\"start\":\"2026-01-01\",\"deadline\":\"2027-12-31\"}";
}

// A runner whose answers the test scripts; counts calls and the most that ran at once.
class ScriptedRunner : public Runner {
 public:
  explicit ScriptedRunner(Kind kind, std::string name = "scripted")
      : kind_(kind), name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  Kind kind() const override { return kind_; }
  PollResult poll() override {
    enter();
    // Part of the scenario, not a wait: a poll that takes this long (0 by default).
    std::this_thread::sleep_for(pollTakes);
    PollResult r;
    if (pollThrows) {
      leave();
      throw std::runtime_error("scripted failure");
    }
    r.status = Status::Ok;
    for (int i = 0; i < recordsPerPoll; ++i)
      r.records.push_back(record("S-" + std::to_string(++emitted)));
    r.checkpoint = std::to_string(emitted);
    leave();
    return r;
  }
  DeliverResult deliver(std::span<const std::string> records) override {
    enter();
    DeliverResult r;
    const int n = ++deliveries;
    if (n <= retriesFirst) {
      r.status = Status::Retry;
      r.message = "target busy";
      r.records.assign(records.size(), Status::Retry);
    } else {
      r.status = Status::Ok;
      r.records.assign(records.size(), Status::Ok);
      std::lock_guard lock(mutex);
      delivered.insert(delivered.end(), records.begin(), records.end());
    }
    leave();
    return r;
  }
  TransformResult transform(std::string_view) override { return {}; }
  void setCheckpoint(std::optional<std::string> cp) override {
    std::lock_guard lock(mutex);
    checkpoint = std::move(cp);
  }
  InstanceStats stats() const override { return {}; }
  RunnerHealth health() const override { return {}; }

  std::chrono::milliseconds pollTakes{0};
  std::atomic<bool> pollThrows{false};
  int recordsPerPoll = 1;
  int retriesFirst = 0;
  std::atomic<int> emitted{0}, deliveries{0}, running{0}, mostAtOnce{0}, calls{0};
  std::mutex mutex;
  std::vector<std::string> delivered;
  std::optional<std::string> checkpoint;

 private:
  void enter() {
    ++calls;
    int now = ++running;
    int seen = mostAtOnce;
    while (now > seen && !mostAtOnce.compare_exchange_weak(seen, now)) {
    }
  }
  void leave() { --running; }
  Kind kind_;
  std::string name_;
};

// The runtime owns (and at stop() destroys) its runners; the test keeps the scripted one alive
// through this.
class Forwarder : public Runner {
 public:
  explicit Forwarder(std::shared_ptr<Runner> r) : r_(std::move(r)) {}
  const std::string& name() const override { return r_->name(); }
  Kind kind() const override { return r_->kind(); }
  PollResult poll() override { return r_->poll(); }
  DeliverResult deliver(std::span<const std::string> records) override {
    return r_->deliver(records);
  }
  TransformResult transform(std::string_view r) override { return r_->transform(r); }
  void setCheckpoint(std::optional<std::string> cp) override { r_->setCheckpoint(cp); }
  InstanceStats stats() const override { return r_->stats(); }
  RunnerHealth health() const override { return r_->health(); }

 private:
  std::shared_ptr<Runner> r_;
};

// A factory handing out `runner` (created with `kind` and configured by `setUp`).
template <typename SetUp>
RunnerFactory scripted(std::shared_ptr<ScriptedRunner>& runner, Kind kind, SetUp setUp) {
  return [&runner, kind, setUp](const RunnerOptions& o) -> std::unique_ptr<Runner> {
    runner = std::make_shared<ScriptedRunner>(kind, o.name);
    setUp(*runner);
    return std::make_unique<Forwarder>(runner);
  };
}

class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::tempDir("runtime");
    store_ = store::Store::open("sqlite:" + (dir_ / "hub.db").string());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static SourceSettings source(const std::string& id, const char* library) {
    SourceSettings s;
    s.id = id;
    s.library = library;
    s.interval = 20ms;
    s.jitter = 0;
    s.retryMin = 20ms;
    s.retryMax = 100ms;
    s.origin = "test.xml:7";
    return s;
  }
  static SinkSettings sink(const std::string& id, const char* library) {
    SinkSettings s;
    s.id = id;
    s.library = library;
    s.batchSize = 2;
    s.retryMin = 20ms;
    s.retryMax = 100ms;
    s.idle = 20ms;
    s.origin = "test.xml:9";
    return s;
  }
  InstanceMetrics metricsOf(const Runtime& rt, const std::string& id) {
    for (auto& m : rt.metrics())
      if (m.id == id) return m;
    ADD_FAILURE() << "no instance " << id;
    return {};
  }
  std::vector<store::DeadLetter> dead(std::optional<store::DeadLetterKind> kind = std::nullopt) {
    store::DeadLetterFilter f;
    f.kind = kind;
    return store_->deadLetters(f);
  }
  // Stores implementations DEMO-1..n as if they had been reported.
  void seed(int n, const std::string& source = "seed") {
    std::vector<std::string> json;
    for (int i = 1; i <= n; ++i) json.push_back(record("DEMO-" + std::to_string(i)));
    std::vector<model::Implementation> batch;
    for (auto& o : checkRecords(json, source)) batch.push_back(*o.record);
    store_->upsert(batch, std::chrono::system_clock::now());
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

// ---- sources ----------------------------------------------------------------------------------

TEST_F(RuntimeTest, GoodSourceRecordsLandWithTheirCheckpoint) {
  RuntimeSettings rs;
  auto s = source("demo", IJRO_TEST_PLUGIN_GOOD_SOURCE);
  s.options = {{"endpoint", "https://dhis2.example.uz"}, {"count", "3"}};
  rs.sources = {s};
  {
    Runtime rt(rs, *store_);
    rt.start();
    ASSERT_TRUE(waitFor([&] { return metricsOf(rt, "demo").polls >= 3; }));
    ASSERT_TRUE(rt.stop());
    auto m = metricsOf(rt, "demo");
    EXPECT_EQ(m.recordsEmitted, 3 * m.polls);
    EXPECT_EQ(m.recordsStored, 3 * m.polls);  // each poll is a new revision of the same three
    EXPECT_EQ(m.recordsRejected, 0u);
    EXPECT_EQ(m.exceptions, 0u);
  }
  // Every record is stored under the instance's id, at the revision of the stored checkpoint.
  auto cp = store_->checkpoint("demo");
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(store_->count(), 3u);
  std::int64_t revision = 0;
  store_->forEach({}, [&](const model::Implementation& x) {
    EXPECT_EQ(x.source, "demo");
    revision = x.revision;
  });
  EXPECT_EQ(std::to_string(revision), *cp);

  // A new runtime (a restarted hub) resumes from the stored checkpoint: no revision is redone.
  {
    Runtime rt(rs, *store_);
    rt.start();
    ASSERT_TRUE(waitFor([&] { return metricsOf(rt, "demo").polls >= 1; }));
    ASSERT_TRUE(rt.stop());
    auto m = metricsOf(rt, "demo");
    EXPECT_EQ(m.recordsDuplicate, 0u);
    EXPECT_EQ(m.recordsStale, 0u);
    EXPECT_EQ(m.recordsStored, 3 * m.polls);
  }
  auto history = store_->history({"demo", "DEMO-1", "1726", "Ministry of Health"});
  for (std::size_t i = 0; i < history.size(); ++i)
    EXPECT_EQ(history[i].revision, static_cast<std::int64_t>(i + 1));
}

TEST_F(RuntimeTest, InvalidRecordsAreDeadLetteredWithTheirReasons) {
  RuntimeSettings rs;
  rs.sources = {source("messy", IJRO_TEST_PLUGIN_INVALID_RECORDS)};
  Runtime rt(rs, *store_);
  rt.start();
  ASSERT_TRUE(waitFor([&] { return metricsOf(rt, "messy").polls >= 1; }));
  ASSERT_TRUE(rt.stop());

  // The valid one is stored, with the checkpoint of its poll.
  EXPECT_TRUE(store_->get({"messy", "OK-1", "1726", "Tax Committee"}).has_value());
  EXPECT_EQ(store_->checkpoint("messy"), "after-7");
  auto m = metricsOf(rt, "messy");
  // Later polls re-emit the same: the valid record is a duplicate, the others dead again.
  EXPECT_EQ(m.recordsRejected, 6 * m.polls);
  EXPECT_EQ(m.deadLetters, 6 * m.polls);

  auto letters = dead();
  ASSERT_GE(letters.size(), 6u);
  std::vector<std::string> reasons;
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(letters[i].kind, store::DeadLetterKind::Source);
    EXPECT_EQ(letters[i].owner, "messy");
    EXPECT_FALSE(letters[i].reason.empty());
    reasons.push_back(letters[i].reason);
  }
  EXPECT_EQ(letters[0].record, "{\"revision\": 1, \"measure\": ");
  EXPECT_THAT(reasons[0], HasSubstr("not valid JSON"));
  EXPECT_THAT(reasons[1], HasSubstr("JSON object"));
  EXPECT_THAT(reasons[5], HasSubstr("fishing"));
  EXPECT_EQ(letters[5].key.measureId, "OK-1");  // it parsed: its key is known
}

TEST_F(RuntimeTest, OutOfScopeRecordsAreDeadLetteredAndReplayAfterTheScopeGrows) {
  RuntimeSettings rs;
  auto s = source("demo", IJRO_TEST_PLUGIN_GOOD_SOURCE);
  s.options = {{"endpoint", "x"}, {"count", "2"}};  // region 1726, sector health
  s.scope.regions = {"1703"};
  s.scope.sectors = {"health"};
  rs.sources = {s};
  {
    Runtime rt(rs, *store_);
    rt.start();
    ASSERT_TRUE(waitFor([&] { return metricsOf(rt, "demo").polls >= 1; }));
    ASSERT_TRUE(rt.stop());
  }
  EXPECT_EQ(store_->count(), 0u);
  auto letters = dead();
  ASSERT_GE(letters.size(), 2u);
  EXPECT_THAT(letters[0].reason, HasSubstr("region 1726 is outside the regions"));
  // The checkpoint moved with the poll: those records are not fetched again, only replayed.
  EXPECT_TRUE(store_->checkpoint("demo").has_value());

  // The operator widens the scope and replays them: the next poll cycle stores them.
  auto queued = store_->queueReplay({store::DeadLetterKind::Source, "demo", {}, {}, 0, 1000});
  EXPECT_EQ(queued.size(), letters.size());
  rs.sources[0].scope.regions.clear();
  rs.sources[0].options["count"] = "0";  // nothing new: only the replays
  {
    Runtime rt(rs, *store_);
    rt.start();
    ASSERT_TRUE(waitFor([&] { return metricsOf(rt, "demo").replayed >= queued.size(); }));
    ASSERT_TRUE(rt.stop());
  }
  EXPECT_EQ(store_->count(), 2u);
  for (const auto& l : dead()) EXPECT_EQ(l.state, store::ReplayState::Replayed);
}

TEST_F(RuntimeTest, ExceptionsAroundPluginCallsAreCaughtCountedAndBackedOff) {
  std::shared_ptr<ScriptedRunner> runner;
  RuntimeSettings rs;
  rs.sources = {source("flaky", "flaky.so")};
  rs.makeRunner = scripted(runner, Kind::Source, [](ScriptedRunner& r) { r.pollThrows = true; });
  Runtime rt(rs, *store_);
  rt.start();
  // Every exception is a failed poll. (The two counters move one after the other, so a snapshot
  // may fall between them: wait for one that does not.)
  ASSERT_TRUE(waitFor([&] {
    auto m = metricsOf(rt, "flaky");
    return m.exceptions >= 3 && m.pollFailures == m.exceptions;
  }));
  auto m = metricsOf(rt, "flaky");
  EXPECT_THAT(m.lastFailure, HasSubstr("scripted failure"));
  EXPECT_THAT(rt.prometheus(), HasSubstr("ijro_plugin_exceptions_total{instance=\"flaky\""));
  runner->pollThrows = false;  // it recovers: the next poll after the back-off stores
  ASSERT_TRUE(waitFor([&] { return store_->count() >= 1; }));
  ASSERT_TRUE(rt.stop());
}

TEST_F(RuntimeTest, ConcurrencyBoundsPollsInFlight) {
  std::shared_ptr<ScriptedRunner> runner;
  RuntimeSettings rs;
  auto s = source("wide", "wide.so");
  s.interval = 1ms;
  s.concurrency = 2;
  rs.sources = {s};
  rs.makeRunner = scripted(runner, Kind::Source, [](ScriptedRunner& r) { r.pollTakes = 30ms; });
  Runtime rt(rs, *store_);
  rt.start();
  ASSERT_TRUE(waitFor([&] { return runner->calls >= 10; }));
  ASSERT_TRUE(rt.stop());
  EXPECT_EQ(runner->mostAtOnce, 2);
  EXPECT_EQ(store_->count(), static_cast<std::size_t>(runner->emitted));
}

TEST_F(RuntimeTest, RateLimitSpacesPolls) {
  std::shared_ptr<ScriptedRunner> runner;
  RuntimeSettings rs;
  auto s = source("limited", "limited.so");
  s.interval = 1ms;
  s.maxRecordsPerSecond = 100;
  rs.sources = {s};
  // A poll's worth of records is 200 ms of the limit.
  rs.makeRunner = scripted(runner, Kind::Source, [](ScriptedRunner& r) { r.recordsPerPoll = 20; });
  Runtime rt(rs, *store_);
  const auto started = Clock::now();
  rt.start();
  // 100 records per second allow a poll of 20 every 200 ms (the first is free): the fourth poll
  // cannot start before two of those spaces have passed. Without the limit (interval 1 ms) it
  // starts within milliseconds.
  ASSERT_TRUE(waitFor([&] { return runner->calls >= 4; }));
  const auto took = Clock::now() - started;
  ASSERT_TRUE(rt.stop());
  EXPECT_GE(took, 400ms);
  // Stopped right after the fourth poll: the limit did not let more than a couple through since.
  EXPECT_LE(runner->calls, 6);
}

TEST_F(RuntimeTest, StopLetsThePollInProgressFinishAndCommit) {
  std::shared_ptr<ScriptedRunner> runner;
  RuntimeSettings rs;
  rs.sources = {source("slow", "slow.so")};
  rs.makeRunner = scripted(runner, Kind::Source, [](ScriptedRunner& r) { r.pollTakes = 300ms; });
  Runtime rt(rs, *store_);
  rt.start();
  ASSERT_TRUE(waitFor([&] { return runner->running == 1; }));
  ASSERT_TRUE(rt.stop());
  EXPECT_EQ(runner->running, 0);
  EXPECT_EQ(store_->count(), static_cast<std::size_t>(runner->emitted));
  EXPECT_EQ(store_->checkpoint("slow"), std::to_string(runner->emitted));
  EXPECT_EQ(runner->checkpoint, store_->checkpoint("slow"));
}

TEST_F(RuntimeTest, PluginThatCannotStartNamesItsConfiguration) {
  RuntimeSettings rs;
  auto s = source("demo", IJRO_TEST_PLUGIN_GOOD_SOURCE);  // without the required "endpoint"
  rs.sources = {s};
  Runtime rt(rs, *store_);
  try {
    rt.start();
    FAIL() << "started without a required option";
  } catch (const RuntimeError& e) {
    EXPECT_THAT(e.what(), HasSubstr("test.xml:7: source \"demo\" cannot start"));
    EXPECT_THAT(e.what(), HasSubstr("endpoint"));
  }
}

TEST_F(RuntimeTest, CreationAskedToBeRetriedIsRetried) {
  std::atomic<int> attempts{0};
  RuntimeSettings rs;
  rs.sources = {source("later", "later.so")};
  rs.makeRunner = [&](const RunnerOptions& o) -> std::unique_ptr<Runner> {
    if (++attempts < 3)
      throw PluginError(PluginError::Reason::CreateFailed, "later.so", "not reachable yet", true);
    return std::make_unique<ScriptedRunner>(Kind::Source, o.name);
  };
  Runtime rt(rs, *store_);
  rt.start();
  ASSERT_TRUE(waitFor([&] { return store_->count() >= 1; }));
  ASSERT_TRUE(rt.stop());
  EXPECT_GE(attempts, 3);
}

// /readyz shows each instance's state, not its failure's text: that may name hosts, paths or
// credentials a plugin put in its message, and readiness is read by probes and dashboards.
TEST_F(RuntimeTest, HealthSaysAnInstanceIsDownWithoutItsFailuresText) {
  RuntimeSettings rs;
  rs.sources = {source("later", "later.so")};
  rs.makeRunner = [&](const RunnerOptions&) -> std::unique_ptr<Runner> {
    throw PluginError(PluginError::Reason::CreateFailed, "later.so",
                      "cannot reach postgresql://hub:s3cret@10.0.0.7/tasks", true);
  };
  Runtime rt(rs, *store_);
  rt.start();
  ASSERT_TRUE(waitFor([&] { return !metricsOf(rt, "later").lastFailure.empty(); }));
  EXPECT_THAT(metricsOf(rt, "later").lastFailure, HasSubstr("cannot reach"));
  const std::string health = rt.health();
  EXPECT_THAT(health, HasSubstr("source later: down"));
  EXPECT_THAT(health, HasSubstr("the hub's log says why"));
  EXPECT_THAT(health, ::testing::Not(HasSubstr("s3cret")));
  EXPECT_THAT(health, ::testing::Not(HasSubstr("10.0.0.7")));
  ASSERT_TRUE(rt.stop());
}

// ---- transforms -------------------------------------------------------------------------------

// A source that emits `records` in its first poll (checkpoint "1") and nothing afterwards.
class FixedSource : public Runner {
 public:
  FixedSource(std::string name, std::vector<std::string> records)
      : name_(std::move(name)), records_(std::move(records)) {}
  const std::string& name() const override { return name_; }
  Kind kind() const override { return Kind::Source; }
  PollResult poll() override {
    std::lock_guard lock(mutex_);
    if (checkpoint_) return {Status::Ok, {}, {}, checkpoint_};
    return {Status::Ok, {}, records_, std::string("1")};
  }
  DeliverResult deliver(std::span<const std::string>) override { return {}; }
  TransformResult transform(std::string_view) override { return {}; }
  void setCheckpoint(std::optional<std::string> cp) override {
    std::lock_guard lock(mutex_);
    checkpoint_ = std::move(cp);
  }
  InstanceStats stats() const override { return {}; }
  RunnerHealth health() const override { return {}; }

 private:
  std::string name_;
  std::vector<std::string> records_;
  std::mutex mutex_;
  std::optional<std::string> checkpoint_;
};

// A transform that answers RETRY to its first `retries` calls, then passes records on unchanged.
class RetryingTransform : public Runner {
 public:
  RetryingTransform(std::string name, int retries) : name_(std::move(name)), retries_(retries) {}
  const std::string& name() const override { return name_; }
  Kind kind() const override { return Kind::Transform; }
  PollResult poll() override { return {}; }
  DeliverResult deliver(std::span<const std::string>) override { return {}; }
  TransformResult transform(std::string_view record) override {
    if (++calls <= retries_) return {Status::Retry, "the code list service is down", {}};
    return {Status::Ok, {}, std::string(record)};
  }
  void setCheckpoint(std::optional<std::string>) override {}
  InstanceStats stats() const override { return {}; }
  RunnerHealth health() const override { return {}; }
  std::atomic<int> calls{0};

 private:
  std::string name_;
  int retries_;
};

std::string withOrganisation(std::string record, const std::string& organisation) {
  const std::string from = "\"organisation\":\"Ministry of Health\"";
  record.replace(record.find(from), from.size(), "\"organisation\":\"" + organisation + "\"");
  return record;
}

TransformSettings transform(const std::string& id, OptionValues options) {
  TransformSettings t;
  t.id = id;
  t.library = IJRO_TEST_PLUGIN_GOOD_TRANSFORM;
  t.options = std::move(options);
  t.origin = "test.xml:8";
  return t;
}

TEST_F(RuntimeTest, TransformChainMapsDropsAndRefusesEachRecordInOrder) {
  const std::vector<std::string> emitted = {
      record("T-1", "1726"),                            // mapped by both
      record("T-2", "1703"),                            // dropped by the second
      withOrganisation(record("T-3", "1726"), "fail"),  // refused by the first
      record("T-4", "1726202"),                         // mapped by both
  };
  RuntimeSettings rs;
  rs.sources = {source("feed", "feed.so")};
  rs.sources[0].transforms = {"first", "second"};
  // good_transform drops the records of drop_region, refuses organisation "fail", notes the rest.
  rs.transforms = {transform("second", {{"note", "noted by second"}, {"drop_region", "1703"}}),
                   transform("first", {{"note", "noted by first"}})};
  rs.makeRunner = [&](const RunnerOptions& o) -> std::unique_ptr<Runner> {
    if (o.name == "feed") return std::make_unique<FixedSource>(o.name, emitted);
    return makeRunner(o);
  };
  Runtime rt(rs, *store_);
  rt.start();
  ASSERT_TRUE(waitFor([&] { return metricsOf(rt, "feed").polls >= 2; }));
  EXPECT_THAT(rt.health(), HasSubstr("transform first: up\n"));
  ASSERT_TRUE(rt.stop());

  // Mapped: stored as the last transform of the chain left it.
  EXPECT_EQ(store_->count(), 2u);
  for (const char* id : {"T-1", "T-4"}) {
    SCOPED_TRACE(id);
    std::optional<model::Implementation> stored;
    store_->forEach({}, [&](const model::Implementation& x) {
      if (x.measure.id == id) stored = x;
    });
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->note, "noted by second");
    EXPECT_EQ(stored->source, "feed");
  }
  // Refused: a dead letter of the source, with the transform's message and the record as the
  // source emitted it.
  auto letters = dead();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].owner, "feed");
  EXPECT_EQ(letters[0].record, emitted[2]);
  EXPECT_THAT(letters[0].reason, HasSubstr("transform \"first\" refused it"));
  EXPECT_THAT(letters[0].reason, HasSubstr("cannot map records of organisation \"fail\""));
  // Dropped: counted, neither stored nor dead.
  auto feed = metricsOf(rt, "feed");
  EXPECT_EQ(feed.recordsDropped, 1u);
  EXPECT_EQ(feed.recordsStored, 2u);
  EXPECT_EQ(feed.deadLetters, 1u);
  EXPECT_EQ(feed.recordsRejected, 1u);
  EXPECT_EQ(store_->checkpoint("feed"), "1");
  auto first = metricsOf(rt, "first");
  EXPECT_EQ(first.kind, Kind::Transform);
  EXPECT_EQ(first.recordsMapped, 3u);
  EXPECT_EQ(first.recordsRefused, 1u);
  EXPECT_EQ(first.recordsDropped, 0u);
  auto second = metricsOf(rt, "second");
  EXPECT_EQ(second.recordsMapped, 2u);
  EXPECT_EQ(second.recordsDropped, 1u);
  EXPECT_EQ(second.transformRetries, 0u);
}

TEST_F(RuntimeTest, TransformRetryFailsThePollAndLosesNothing) {
  std::shared_ptr<RetryingTransform> flaky;
  RuntimeSettings rs;
  auto s = source("demo", IJRO_TEST_PLUGIN_GOOD_SOURCE);
  s.options = {{"endpoint", "x"}, {"count", "2"}};
  s.transforms = {"codes"};
  rs.sources = {s};
  rs.transforms = {transform("codes", {})};
  rs.makeRunner = [&](const RunnerOptions& o) -> std::unique_ptr<Runner> {
    if (o.name != "codes") return makeRunner(o);
    flaky = std::make_shared<RetryingTransform>(o.name, 3);
    return std::make_unique<Forwarder>(flaky);
  };
  Runtime rt(rs, *store_);
  rt.start();
  ASSERT_TRUE(waitFor([&] { return store_->count() == 2u; }));
  ASSERT_TRUE(rt.stop());

  // Three polls failed as a whole (one RETRY each: the rest of the poll was not tried); the
  // fourth stored both records at revision 1: the checkpoint had not moved, so the source sent
  // the same records again.
  auto m = metricsOf(rt, "demo");
  EXPECT_EQ(m.pollFailures, 3u);
  EXPECT_THAT(m.lastFailure, HasSubstr("transform \"codes\" answered RETRY"));
  EXPECT_EQ(metricsOf(rt, "codes").transformRetries, 3u);
  auto history = store_->history({"demo", "DEMO-1", "1726", "Ministry of Health"});
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history.front().revision, 1);
  EXPECT_TRUE(dead().empty());
}

TEST_F(RuntimeTest, ReplayedDeadLettersGoThroughTheTransformsAgain) {
  RuntimeSettings rs;
  auto s = source("demo", IJRO_TEST_PLUGIN_GOOD_SOURCE);
  s.options = {{"endpoint", "x"}, {"count", "1"}};  // DEMO-1 in 1726
  s.scope.regions = {"1703"};
  s.transforms = {"notes"};
  s.interval = 1h;  // one poll
  rs.sources = {s};
  rs.transforms = {transform("notes", {{"note", "noted"}})};
  {
    Runtime rt(rs, *store_);
    rt.start();
    ASSERT_TRUE(waitFor([&] { return metricsOf(rt, "demo").deadLetters >= 1; }));
    ASSERT_TRUE(rt.stop());
  }
  auto letters = dead();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_THAT(letters[0].reason, HasSubstr("region 1726 is outside the regions"));
  EXPECT_EQ(letters[0].record.find("noted"), std::string::npos);  // as the source emitted it

  store_->queueReplay({store::DeadLetterKind::Source, "demo", {}, {}, 0, 10});
  rs.sources[0].scope.regions.clear();
  rs.sources[0].options["count"] = "0";
  {
    Runtime rt(rs, *store_);
    rt.start();
    ASSERT_TRUE(waitFor([&] { return metricsOf(rt, "demo").replayed >= 1; }));
    ASSERT_TRUE(rt.stop());
  }
  auto stored = store_->get({"demo", "DEMO-1", "1726", "Ministry of Health"});
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->note, "noted");
}

TEST_F(RuntimeTest, SourceNamingAnUnconfiguredTransformCannotStart) {
  RuntimeSettings rs;
  auto s = source("demo", IJRO_TEST_PLUGIN_GOOD_SOURCE);
  s.options = {{"endpoint", "x"}};
  s.transforms = {"missing"};
  rs.sources = {s};
  Runtime rt(rs, *store_);
  try {
    rt.start();
    FAIL() << "started with an unknown transform";
  } catch (const RuntimeError& e) {
    EXPECT_THAT(e.what(), HasSubstr("test.xml:7: source \"demo\" names transform \"missing\""));
  }
}

// ---- sinks ------------------------------------------------------------------------------------

// What a recorded sink was handed, batch by batch.
struct Log {
  std::mutex mutex;
  std::vector<std::vector<std::string>> batches;
  std::size_t records() {
    std::lock_guard lock(mutex);
    std::size_t n = 0;
    for (const auto& b : batches) n += b.size();
    return n;
  }
};

// Wraps a real runner and logs the batches it was handed.
class Recording : public Forwarder {
 public:
  Recording(std::unique_ptr<Runner> inner, std::shared_ptr<Log> log)
      : Forwarder(std::move(inner)), log_(std::move(log)) {}
  DeliverResult deliver(std::span<const std::string> records) override {
    {
      std::lock_guard lock(log_->mutex);
      log_->batches.emplace_back(records.begin(), records.end());
    }
    return Forwarder::deliver(records);
  }

 private:
  std::shared_ptr<Log> log_;
};

// The real runner of the sink `id`, logged; every other instance's plain.
RunnerFactory recording(const std::shared_ptr<Log>& log, const std::string& id) {
  return [log, id](const RunnerOptions& o) -> std::unique_ptr<Runner> {
    if (o.name != id) return makeRunner(o);
    return std::make_unique<Recording>(makeRunner(o), log);
  };
}

TEST_F(RuntimeTest, GoodSinkReceivesEveryChangeAndItsCursorAdvances) {
  seed(5);
  auto log = std::make_shared<Log>();
  RuntimeSettings rs;
  rs.sinks = {sink("files", IJRO_TEST_PLUGIN_GOOD_SINK)};
  rs.makeRunner = recording(log, "files");
  Runtime rt(rs, *store_);
  rt.start();
  const auto last = store_->lastHistoryId();
  ASSERT_TRUE(waitFor([&] { return store_->sinkCursor("files") == last; }));
  EXPECT_EQ(log->records(), 5u);
  {
    std::lock_guard lock(log->mutex);
    EXPECT_EQ(log->batches.size(), 3u);  // batches of at most 2
    // Each record is the JSON record form of the stored implementation.
    auto stored = store_->get({"seed", "DEMO-1", "1726", "Ministry of Health"});
    EXPECT_EQ(log->batches[0][0], recordJson(*stored));
  }

  // A new change reaches it too, without waiting for the idle check: wake().
  seed(6);
  rt.wake();
  ASSERT_TRUE(waitFor([&] { return store_->sinkCursor("files") == store_->lastHistoryId(); }));
  EXPECT_EQ(log->records(), 6u);
  ASSERT_TRUE(waitFor([&] { return metricsOf(rt, "files").lag == 0; }));
  auto m = metricsOf(rt, "files");
  EXPECT_EQ(m.recordsDelivered, 6u);
  EXPECT_EQ(m.cursor, store_->lastHistoryId());
  EXPECT_THAT(rt.prometheus(), HasSubstr("ijro_sink_lag{instance=\"files\",kind=\"sink\"} 0"));
  ASSERT_TRUE(rt.stop());
  EXPECT_TRUE(dead().empty());
}

TEST_F(RuntimeTest, SinkAnsweringRetryGetsTheSameBatchAgainAndTheCursorWaits) {
  seed(2);
  auto log = std::make_shared<Log>();
  RuntimeSettings rs;
  auto s = sink("ministry", IJRO_TEST_PLUGIN_GOOD_SINK);
  s.options = {{"offline", "true"}};
  rs.sinks = {s};
  rs.makeRunner = recording(log, "ministry");
  Runtime rt(rs, *store_);
  rt.start();
  ASSERT_TRUE(waitFor([&] { return metricsOf(rt, "ministry").batchRetries >= 3; }));
  ASSERT_TRUE(rt.stop());
  EXPECT_EQ(store_->sinkCursor("ministry"), 0);
  EXPECT_TRUE(dead().empty());
  std::lock_guard lock(log->mutex);
  for (const auto& b : log->batches) EXPECT_EQ(b, log->batches.front());
  EXPECT_THAT(metricsOf(rt, "ministry").lastFailure, HasSubstr("offline"));
}

TEST_F(RuntimeTest, SinkRetryThenSuccessDeliversOnceAndMovesOn) {
  seed(3);
  std::shared_ptr<ScriptedRunner> runner;
  RuntimeSettings rs;
  rs.sinks = {sink("flaky", "flaky.so")};
  rs.makeRunner = scripted(runner, Kind::Sink, [](ScriptedRunner& r) { r.retriesFirst = 2; });
  Runtime rt(rs, *store_);
  rt.start();
  ASSERT_TRUE(waitFor([&] { return store_->sinkCursor("flaky") == store_->lastHistoryId(); }));
  ASSERT_TRUE(rt.stop());
  EXPECT_EQ(runner->delivered.size(), 3u);
  EXPECT_EQ(runner->deliveries, 4);  // two refusals, then the two batches
  EXPECT_EQ(metricsOf(rt, "flaky").batchRetries, 2u);
}

TEST_F(RuntimeTest, RecordsTheSinkRefusesAreDeadLetteredAndTheCursorMovesOn) {
  seed(4);
  RuntimeSettings rs;
  auto s = sink("files", IJRO_TEST_PLUGIN_GOOD_SINK);
  s.options = {{"reject", "DEMO-3"}};
  rs.sinks = {s};
  Runtime rt(rs, *store_);
  rt.start();
  ASSERT_TRUE(waitFor([&] { return store_->sinkCursor("files") == store_->lastHistoryId(); }));
  auto letters = dead(store::DeadLetterKind::Sink);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].owner, "files");
  EXPECT_EQ(letters[0].key.measureId, "DEMO-3");
  EXPECT_EQ(letters[0].key.source, "seed");
  EXPECT_TRUE(letters[0].historyId.has_value());
  EXPECT_THAT(letters[0].record, HasSubstr("DEMO-3"));
  EXPECT_FALSE(letters[0].reason.empty());
  EXPECT_EQ(metricsOf(rt, "files").recordsDelivered, 3u);
  EXPECT_EQ(metricsOf(rt, "files").deadLetters, 1u);
  ASSERT_TRUE(rt.stop());
}

TEST_F(RuntimeTest, QueuedSinkDeadLettersAreDeliveredAgain) {
  seed(2);
  store::DeadLetter d;
  d.kind = store::DeadLetterKind::Sink;
  d.owner = "files";
  d.key = {"seed", "DEMO-9", "1726", "Ministry of Health"};
  d.record = record("DEMO-9");
  d.reason = "the target was down";
  const auto id = store_->addDeadLetter(d);
  store_->queueReplay({store::DeadLetterKind::Sink, "files", {id}, {}, 0, 10});

  auto log = std::make_shared<Log>();
  RuntimeSettings rs;
  rs.sinks = {sink("files", IJRO_TEST_PLUGIN_GOOD_SINK)};
  rs.makeRunner = recording(log, "files");
  Runtime rt(rs, *store_);
  rt.start();
  ASSERT_TRUE(waitFor([&] { return store_->sinkCursor("files") == store_->lastHistoryId(); }));
  ASSERT_TRUE(rt.stop());
  // The replay goes first, in a batch of its own; then the change feed.
  ASSERT_GE(log->batches.size(), 2u);
  EXPECT_EQ(log->batches[0], std::vector<std::string>{record("DEMO-9")});
  EXPECT_EQ(dead().at(0).state, store::ReplayState::Replayed);
  EXPECT_EQ(metricsOf(rt, "files").replayed, 1u);
}

TEST_F(RuntimeTest, SourceAndSinkTogetherRelayRecords) {
  auto log = std::make_shared<Log>();
  RuntimeSettings rs;
  auto s = source("demo", IJRO_TEST_PLUGIN_GOOD_SOURCE);
  s.options = {{"endpoint", "x"}, {"count", "2"}};
  s.interval = 1h;  // one poll: the first is due at once
  rs.sources = {s};
  auto k = sink("files", IJRO_TEST_PLUGIN_GOOD_SINK);
  k.idle = 1h;  // only wake() from the source's commit can get it going again
  rs.sinks = {k};
  rs.makeRunner = recording(log, "files");
  Runtime rt(rs, *store_);
  rt.start();
  ASSERT_TRUE(waitFor([&] { return log->records() >= 2; }));
  ASSERT_TRUE(rt.stop());
  EXPECT_EQ(store_->sinkCursor("files"), store_->lastHistoryId());
}

TEST_F(RuntimeTest, MetricsAndHealthNameEveryInstance) {
  RuntimeSettings rs;
  auto s = source("demo", IJRO_TEST_PLUGIN_GOOD_SOURCE);
  s.options = {{"endpoint", "x"}};
  rs.sources = {s};
  rs.sinks = {sink("files", IJRO_TEST_PLUGIN_GOOD_SINK)};
  Runtime rt(rs, *store_);
  rt.start();
  ASSERT_TRUE(waitFor([&] { return metricsOf(rt, "demo").polls >= 1; }));
  auto text = rt.prometheus();
  EXPECT_THAT(text, HasSubstr("# TYPE ijro_plugin_polls_total counter"));
  EXPECT_THAT(text, HasSubstr("ijro_plugin_up{instance=\"demo\",kind=\"source\"} 1"));
  EXPECT_THAT(text, HasSubstr("ijro_plugin_up{instance=\"files\",kind=\"sink\"} 1"));
  EXPECT_THAT(text, HasSubstr("ijro_plugin_records_total{instance=\"demo\",kind=\"source\"}"));
  EXPECT_THAT(text, HasSubstr("ijro_sink_cursor{instance=\"files\",kind=\"sink\"}"));
  EXPECT_EQ(rt.health(), "source demo: up\nsink files: up\n");
  ASSERT_TRUE(rt.stop());
  EXPECT_TRUE(rt.stop());  // again: nothing to do
}

}  // namespace
}  // namespace ijro::runtime
