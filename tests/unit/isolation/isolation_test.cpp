// Process isolation: plugins run in `ijro-hub plugin-host` children (the real binary). A crash, a
// hang or a broken frame costs the child, never this process; the runner restarts the child
// after a back-off from the last checkpoint, and no child is ever left behind as a zombie.
#include "hub/isolation/isolated_runner.hpp"
#include "hub/isolation/make_runner.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/wait.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "hub/isolation/protocol.hpp"
#include "hub/plugin_host/harness.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::isolation {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

const OptionValues kSource = {{"endpoint", "https://health.example.uz"}, {"count", "2"}};

RunnerOptions isolated(const char* plugin, OptionValues options = {}) {
  RunnerOptions o;
  o.pluginPath = plugin;
  o.name = "iso";
  o.options = std::move(options);
  o.isolation = Isolation::Process;
  o.hubBinary = IJRO_HUB_BINARY;
  o.callTimeout = 10s;
  o.restartBackoffMin = 50ms;
  o.restartBackoffMax = 400ms;
  return o;
}

// True once the process is gone and collected: waitpid finds no such child of ours.
bool reaped(pid_t pid) {
  return ::waitpid(pid, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

bool restarting(const std::string& message) {
  return message.find("is restarting in") != std::string::npos;
}

// Repeats a call the runner refuses while it backs off until the back-off is over (at most 5 s of
// waiting); the first answer that is not such a refusal.
template <class Call>
auto afterBackoff(Call call) {
  auto result = call();
  for (int i = 0; i < 250 && result.status == Status::Retry && restarting(result.message); ++i) {
    std::this_thread::sleep_for(20ms);
    result = call();
  }
  return result;
}

PollResult pollAfterBackoff(Runner& r) {
  return afterBackoff([&] { return r.poll(); });
}

// Waits (at most 5 s) until the thread `tid` of this process is gone from the kernel: past its
// exit, when the death signals of the children it forked have been sent.
bool threadGone(pid_t tid) {
  const auto entry = std::filesystem::path("/proc/self/task") / std::to_string(tid);
  for (int i = 0; i < 5000 && std::filesystem::exists(entry); ++i) std::this_thread::sleep_for(1ms);
  return !std::filesystem::exists(entry);
}

// Waits until the child `pid` has exited, leaving it to be reaped (by the runner): by then its
// end of the socket is closed.
bool exited(pid_t pid) {
  siginfo_t info{};
  int r = 0;
  do {
    r = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT);
  } while (r == -1 && errno == EINTR);
  return r == 0;
}

std::vector<std::string> inProcessRecords(const char* plugin, const OptionValues& options,
                                          int polls) {
  std::vector<std::string> out;
  auto in = Instance::create(load(plugin), "iso", options);
  for (int i = 0; i < polls; ++i) {
    PollResult p = in->poll();
    EXPECT_EQ(p.status, Status::Ok) << p.message;
    out.insert(out.end(), p.records.begin(), p.records.end());
    in->setCheckpoint(p.checkpoint);
  }
  return out;
}

TEST(Isolation, AGoodSourcePollsTheSameRecordsAsInProcess) {
  auto runner = makeRunner(isolated(IJRO_TEST_PLUGIN_GOOD_SOURCE, kSource));
  EXPECT_EQ(runner->name(), "iso");
  EXPECT_EQ(runner->kind(), Kind::Source);
  std::vector<std::string> records;
  std::optional<std::string> checkpoint;
  for (int i = 0; i < 3; ++i) {
    PollResult p = runner->poll();
    ASSERT_EQ(p.status, Status::Ok) << p.message;
    records.insert(records.end(), p.records.begin(), p.records.end());
    checkpoint = p.checkpoint;
    runner->setCheckpoint(p.checkpoint);
  }
  EXPECT_EQ(records, inProcessRecords(IJRO_TEST_PLUGIN_GOOD_SOURCE, kSource, 3));
  EXPECT_EQ(checkpoint, "3");
  InstanceStats s = runner->stats();
  EXPECT_EQ(s.polls, 3u);
  EXPECT_EQ(s.recordsEmitted, 6u);
  RunnerHealth h = runner->health();
  EXPECT_TRUE(h.up);
  EXPECT_EQ(h.restarts, 0u);
  EXPECT_EQ(h.lastFailure, "");
  auto& iso = dynamic_cast<IsolatedRunner&>(*runner);
  EXPECT_EQ(iso.counters().at("records_emitted"), 6);
}

TEST(Isolation, ThePluginsCountersComeWithEveryAnswerAndOutliveARestart) {
  auto runner = makeRunner(isolated(IJRO_TEST_PLUGIN_GOOD_SOURCE, kSource));  // 2 per poll
  EXPECT_TRUE(runner->counters().empty());
  ASSERT_EQ(runner->poll().status, Status::Ok);
  EXPECT_EQ(runner->counters(), (PluginCounters{{"records_emitted", 2}}));

  auto& iso = dynamic_cast<IsolatedRunner&>(*runner);
  const pid_t pid = iso.childPid();
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  PollResult lost = runner->poll();
  EXPECT_EQ(lost.status, Status::Retry);
  EXPECT_THAT(lost.message, HasSubstr("SIGKILL"));
  // What the dead child had counted is kept; the next child counts on top of it.
  EXPECT_EQ(runner->counters(), (PluginCounters{{"records_emitted", 2}}));
  PollResult again = pollAfterBackoff(*runner);
  ASSERT_EQ(again.status, Status::Ok) << again.message;
  EXPECT_EQ(runner->health().restarts, 1u);
  EXPECT_EQ(runner->counters(), (PluginCounters{{"records_emitted", 4}}));
}

TEST(Isolation, AnInProcessRunnerHandsOverThePluginsCounters) {
  RunnerOptions o = isolated(IJRO_TEST_PLUGIN_GOOD_SOURCE, kSource);
  o.isolation = Isolation::InProcess;
  auto runner = makeRunner(o);
  EXPECT_TRUE(runner->counters().empty());
  ASSERT_EQ(runner->poll().status, Status::Ok);
  ASSERT_EQ(runner->poll().status, Status::Ok);
  EXPECT_EQ(runner->counters(), (PluginCounters{{"records_emitted", 4}}));
}

TEST(Isolation, TheInitialCheckpointReachesTheChild) {
  RunnerOptions o = isolated(IJRO_TEST_PLUGIN_GOOD_SOURCE, kSource);
  o.checkpoint = "41";
  auto runner = makeRunner(o);
  PollResult p = runner->poll();
  ASSERT_EQ(p.status, Status::Ok) << p.message;
  EXPECT_EQ(p.checkpoint, "42");
  EXPECT_THAT(p.records.at(0), HasSubstr("\"revision\":42"));
}

TEST(Isolation, InProcessRunnerIsTheInstance) {
  RunnerOptions o = isolated(IJRO_TEST_PLUGIN_GOOD_SOURCE, kSource);
  o.isolation = Isolation::InProcess;
  o.name.clear();
  auto runner = makeRunner(o);
  EXPECT_EQ(runner->name(), "good-source");
  PollResult p = runner->poll();
  ASSERT_EQ(p.status, Status::Ok) << p.message;
  EXPECT_EQ(p.records.size(), 2u);
  EXPECT_EQ(runner->stats().polls, 1u);
  EXPECT_TRUE(runner->health().up);
}

TEST(Isolation, ASinkAnswersAsInProcess) {
  const std::vector<std::string> batch = {R"({"id":"keep"})", R"({"id":"reject-me"})",
                                          R"({"id":"defer-me"})"};
  const OptionValues options = {{"reject", "reject-me"}, {"defer", "defer-me"}};
  auto runner = makeRunner(isolated(IJRO_TEST_PLUGIN_GOOD_SINK, options));
  EXPECT_EQ(runner->kind(), Kind::Sink);
  DeliverResult d = runner->deliver(batch);
  auto in = Instance::create(load(IJRO_TEST_PLUGIN_GOOD_SINK), "iso", options);
  DeliverResult expected = in->deliver(batch);
  EXPECT_EQ(d.status, expected.status);
  EXPECT_EQ(d.records, expected.records);
  EXPECT_THAT(d.records, ElementsAre(Status::Ok, Status::Error, Status::Retry));
  EXPECT_EQ(runner->stats().recordsDelivered, 1u);

  DeliverResult empty = runner->deliver({});
  EXPECT_EQ(empty.status, Status::Ok) << empty.message;
  EXPECT_TRUE(empty.records.empty());

  auto offline = makeRunner(isolated(IJRO_TEST_PLUGIN_GOOD_SINK, {{"offline", "yes"}}));
  DeliverResult r = offline->deliver(batch);
  EXPECT_EQ(r.status, Status::Retry);
  EXPECT_THAT(r.message, HasSubstr("the ministry endpoint is offline"));
  EXPECT_THAT(r.records, ElementsAre(Status::Retry, Status::Retry, Status::Retry));
  EXPECT_TRUE(offline->health().up);  // an answer from the plugin is not a failure of the child
}

TEST(Isolation, ATransformMapsAsInProcess) {
  const OptionValues options = {{"drop_region", "1726"}, {"note", "seen"}};
  auto runner = makeRunner(isolated(IJRO_TEST_PLUGIN_GOOD_TRANSFORM, options));
  auto in = Instance::create(load(IJRO_TEST_PLUGIN_GOOD_TRANSFORM), "iso", options);
  for (const char* record :
       {R"({"region":"1703","organisation":"A"})", R"({"region":"1726","organisation":"A"})",
        R"({"region":"1703","organisation":"fail"})"}) {
    TransformResult got = runner->transform(record);
    TransformResult want = in->transform(record);
    EXPECT_EQ(got.status, want.status) << record;
    EXPECT_EQ(got.record, want.record) << record;
    EXPECT_EQ(got.message, want.message) << record;
  }
  InstanceStats s = runner->stats();
  EXPECT_EQ(s.transforms, 3u);
  EXPECT_EQ(s.transformsDropped, 1u);
  EXPECT_EQ(s.transformsFailed, 1u);
}

TEST(Isolation, CallsOfTheWrongKindAreABugOfTheCaller) {
  auto runner = makeRunner(isolated(IJRO_TEST_PLUGIN_GOOD_SINK));
  EXPECT_THROW(runner->poll(), std::logic_error);
  EXPECT_THROW(runner->transform("{}"), std::logic_error);
}

TEST(Isolation, LoadAndOptionErrorsComeBackAsPluginErrors) {
  try {
    makeRunner(isolated(IJRO_TEST_PLUGIN_ABI_MAJOR));
    FAIL() << "a plugin of another ABI major was accepted";
  } catch (const PluginError& e) {
    EXPECT_EQ(e.reason(), PluginError::Reason::AbiMajor);
    try {
      load(IJRO_TEST_PLUGIN_ABI_MAJOR);
    } catch (const PluginError& direct) {
      EXPECT_STREQ(e.what(), direct.what());  // the loader's own words, from the child
    }
  }
  try {
    makeRunner(isolated(IJRO_TEST_PLUGIN_GOOD_SOURCE, {{"colour", "red"}}));
    FAIL() << "options without the required one were accepted";
  } catch (const PluginError& e) {
    EXPECT_EQ(e.reason(), PluginError::Reason::InvalidOptions);
    EXPECT_THAT(e.what(), AllOf(HasSubstr("colour"), HasSubstr("endpoint")));
  }
  try {
    makeRunner(isolated(IJRO_TEST_PLUGIN_GOOD_SINK, {{"offline", "maybe"}}));
    FAIL();
  } catch (const PluginError& e) {
    EXPECT_EQ(e.reason(), PluginError::Reason::InvalidOptions);
  }
  try {
    makeRunner(isolated("/nonexistent/plugin.so"));
    FAIL();
  } catch (const PluginError& e) {
    EXPECT_EQ(e.reason(), PluginError::Reason::NotLoadable);
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/plugin.so"));
  }
}

TEST(Isolation, ASegfaultCostsTheChildOnlyAndItIsRestartedAfterABackoff) {
  auto runner = makeRunner(isolated(IJRO_TEST_PLUGIN_SEGFAULT));
  auto& iso = dynamic_cast<IsolatedRunner&>(*runner);
  const pid_t first = iso.childPid();
  ASSERT_GT(first, 0);

  PollResult p = runner->poll();
  EXPECT_EQ(p.status, Status::Retry);
  EXPECT_THAT(
      p.message,
      AllOf(HasSubstr("plugin \"c-source\" instance \"iso\""), HasSubstr(IJRO_TEST_PLUGIN_SEGFAULT),
            HasSubstr("crashed with SIGSEGV during poll; restarting from the last "
                      "checkpoint")));
  EXPECT_TRUE(p.records.empty());
  EXPECT_TRUE(reaped(first));
  EXPECT_EQ(iso.childPid(), -1);
  RunnerHealth h = runner->health();
  EXPECT_FALSE(h.up);
  EXPECT_EQ(h.restarts, 0u);
  EXPECT_EQ(h.lastFailure, p.message);

  // While backing off, calls answer at once without starting a child.
  PollResult waiting = runner->poll();
  EXPECT_EQ(waiting.status, Status::Retry);
  EXPECT_THAT(waiting.message, HasSubstr("is restarting in"));
  EXPECT_EQ(iso.childPid(), -1);

  // After the back-off a new child runs the poll, and crashes again.
  PollResult again = pollAfterBackoff(*runner);
  EXPECT_EQ(again.status, Status::Retry);
  EXPECT_THAT(again.message, HasSubstr("SIGSEGV"));
  EXPECT_EQ(runner->health().restarts, 1u);
  again = pollAfterBackoff(*runner);
  EXPECT_THAT(again.message, HasSubstr("SIGSEGV"));
  EXPECT_EQ(runner->health().restarts, 2u);
  InstanceStats s = runner->stats();
  EXPECT_GE(s.polls, 4u);
  EXPECT_EQ(s.polls, s.pollsFailed);
}

TEST(Isolation, TheBackoffGrowsUpToItsMaximum) {
  RunnerOptions o = isolated(IJRO_TEST_PLUGIN_SEGFAULT);
  o.restartBackoffMin = 400ms;
  o.restartBackoffMax = 1000ms;
  auto runner = makeRunner(o);
  auto waitOf = [&]() {
    PollResult p = runner->poll();  // refused: "restarting in N ms"
    auto at = p.message.find("restarting in ");
    EXPECT_NE(at, std::string::npos) << p.message;
    return at == std::string::npos ? -1 : std::stoi(p.message.substr(at + 14));
  };
  ASSERT_THAT(runner->poll().message, HasSubstr("SIGSEGV"));
  EXPECT_LE(waitOf(), 400);
  ASSERT_THAT(pollAfterBackoff(*runner).message, HasSubstr("SIGSEGV"));
  int second = waitOf();
  EXPECT_GT(second, 400);
  EXPECT_LE(second, 800);
  ASSERT_THAT(pollAfterBackoff(*runner).message, HasSubstr("SIGSEGV"));
  int third = waitOf();
  EXPECT_GT(third, 800);
  EXPECT_LE(third, 1000);
}

TEST(Isolation, TheChildOutlivesTheThreadThatStartedIt) {
  // PR_SET_PDEATHSIG follows the forking thread: a runner made and used on a thread that ends
  // must keep its child.
  std::unique_ptr<Runner> runner;
  pid_t starter = -1;
  std::thread([&] {
    starter = ::gettid();
    runner = makeRunner(isolated(IJRO_TEST_PLUGIN_GOOD_SOURCE, kSource));
    EXPECT_EQ(runner->poll().status, Status::Ok);
  }).join();
  // join() returns before the kernel is done with the thread; once it is gone, a death signal
  // tied to it has been sent, and a child it killed can no longer answer the poll.
  ASSERT_TRUE(threadGone(starter));
  PollResult p = runner->poll();
  EXPECT_EQ(p.status, Status::Ok) << p.message;
  EXPECT_EQ(runner->health().restarts, 0u);
}

TEST(Isolation, AfterACrashTheWorkIsRedoneFromTheLastCheckpoint) {
  const auto dir = test::tempDir("crash-once");
  const OptionValues options = {{"marker", (dir / "crashed").string()}, {"crash_at", "3"}};
  // What the plugin produces when nothing goes wrong: revisions 1, 2, 3.
  const OptionValues calm = {{"marker", (dir / "calm").string()}, {"crash_at", "0"}};
  const auto expected = inProcessRecords(IJRO_TEST_PLUGIN_CRASH_ONCE, calm, 3);

  auto runner = makeRunner(isolated(IJRO_TEST_PLUGIN_CRASH_ONCE, options));
  std::vector<std::string> committed;
  auto commit = [&](const PollResult& p) {  // what the hub's store does with a good poll
    committed.insert(committed.end(), p.records.begin(), p.records.end());
    runner->setCheckpoint(p.checkpoint);
  };
  for (int i = 0; i < 2; ++i) {
    PollResult p = runner->poll();
    ASSERT_EQ(p.status, Status::Ok) << p.message;
    commit(p);
  }
  PollResult boom = runner->poll();  // revision 3: crashes, once
  ASSERT_EQ(boom.status, Status::Retry);
  EXPECT_THAT(boom.message, HasSubstr("crashed with SIGSEGV during poll"));
  EXPECT_TRUE(std::filesystem::exists(dir / "crashed"));

  PollResult redone = pollAfterBackoff(*runner);  // a new child, from checkpoint 2
  ASSERT_EQ(redone.status, Status::Ok) << redone.message;
  EXPECT_EQ(redone.checkpoint, "3");
  commit(redone);
  EXPECT_EQ(runner->health().restarts, 1u);
  EXPECT_TRUE(runner->health().up);
  EXPECT_EQ(committed, expected);  // nothing lost, nothing twice
}

TEST(Isolation, ACrashBeforeTheFirstCommitStartsOverFromTheInitialCheckpoint) {
  const auto dir = test::tempDir("crash-first");
  RunnerOptions o =
      isolated(IJRO_TEST_PLUGIN_CRASH_ONCE, {{"marker", (dir / "m").string()}, {"crash_at", "5"}});
  o.checkpoint = "4";
  auto runner = makeRunner(o);
  PollResult boom = runner->poll();
  ASSERT_EQ(boom.status, Status::Retry);
  PollResult redone = pollAfterBackoff(*runner);
  ASSERT_EQ(redone.status, Status::Ok) << redone.message;
  EXPECT_EQ(redone.checkpoint, "5");
  EXPECT_THAT(redone.records.at(0), HasSubstr("\"revision\":5"));
}

TEST(Isolation, AHangIsKilledAtTheTimeoutAndRestarted) {
  RunnerOptions o = isolated(IJRO_TEST_PLUGIN_HANG);
  o.callTimeout = 300ms;
  auto runner = makeRunner(o);
  auto& iso = dynamic_cast<IsolatedRunner&>(*runner);
  const pid_t first = iso.childPid();

  const auto t0 = std::chrono::steady_clock::now();
  PollResult p = runner->poll();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(p.status, Status::Retry);
  EXPECT_THAT(p.message, AllOf(HasSubstr("plugin \"c-source\" instance \"iso\""),
                               HasSubstr("did not answer poll within 300 ms: killed; restarting")));
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 3s);
  EXPECT_TRUE(reaped(first));
  EXPECT_FALSE(runner->health().up);

  PollResult again = pollAfterBackoff(*runner);
  EXPECT_THAT(again.message, HasSubstr("did not answer poll within 300 ms"));
  EXPECT_EQ(runner->health().restarts, 1u);
}

TEST(Isolation, AChildKilledFromOutsideIsNoticedAndNoSigpipeReachesTheHub) {
  auto runner = makeRunner(isolated(IJRO_TEST_PLUGIN_GOOD_SINK));
  auto& iso = dynamic_cast<IsolatedRunner&>(*runner);
  const pid_t pid = iso.childPid();
  ASSERT_EQ(::kill(pid, SIGKILL), 0);  // e.g. the OOM killer
  ASSERT_TRUE(exited(pid));            // its end of the socket is closed now
  // Writing a batch to a dead peer: EPIPE, not SIGPIPE (which would end this test binary).
  std::vector<std::string> batch(200, std::string(4096, 'x'));
  DeliverResult d = runner->deliver(batch);
  EXPECT_EQ(d.status, Status::Retry);
  EXPECT_EQ(d.records.size(), batch.size());
  EXPECT_THAT(d.message,
              AllOf(HasSubstr("crashed with SIGKILL during deliver"), HasSubstr("restarting")));
  EXPECT_TRUE(reaped(pid));
  EXPECT_EQ(runner->stats().recordsRetry, batch.size());

  const std::vector<std::string> one = {R"({"a":1})"};
  DeliverResult ok = afterBackoff([&] { return runner->deliver(one); });
  EXPECT_EQ(ok.status, Status::Ok) << ok.message;
  EXPECT_EQ(runner->health().restarts, 1u);
}

TEST(Isolation, TheDestructorShutsTheChildDownAndReapsIt) {
  pid_t pid = -1;
  {
    auto runner = makeRunner(isolated(IJRO_TEST_PLUGIN_GOOD_SOURCE, kSource));
    pid = dynamic_cast<IsolatedRunner&>(*runner).childPid();
    ASSERT_GT(pid, 0);
    EXPECT_EQ(runner->poll().status, Status::Ok);
  }
  EXPECT_TRUE(reaped(pid));
  EXPECT_NE(::kill(pid, 0), 0);
}

TEST(Isolation, ConcurrentCallsAreSerialised) {
  auto runner = makeRunner(isolated(IJRO_TEST_PLUGIN_GOOD_SOURCE, kSource));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i)
        if (runner->poll().status == Status::Ok) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_EQ(runner->stats().polls, 40u);
  EXPECT_EQ(runner->health().restarts, 0u);
}

// ---- A plugin-host that breaks the protocol (tests/unit/plugin_host/fake_plugin_host.cpp) ----

class FakeHost : public ::testing::Test {
 protected:
  void TearDown() override { ::unsetenv("IJRO_FAKE_HOST_MODE"); }
  std::unique_ptr<Runner> start(const char* mode) {
    ::setenv("IJRO_FAKE_HOST_MODE", mode, 1);
    RunnerOptions o = isolated(IJRO_TEST_PLUGIN_GOOD_SOURCE);
    o.hubBinary = IJRO_FAKE_PLUGIN_HOST;
    o.callTimeout = 2s;
    o.child.env = {"IJRO_FAKE_HOST_MODE"};  // the child's environment is cleared otherwise
    o.limits.maxRecordsPerPoll = 5;
    return makeRunner(o);
  }
};

// ---- A hostile child: the hub holds it to the instance's limits ------------------------------

TEST_F(FakeHost, ARecordPastMaxRecordBytesIsRefusedAndTheRestOfThePollStands) {
  auto runner = start("big_record");
  const pid_t pid = dynamic_cast<IsolatedRunner&>(*runner).childPid();
  PollResult p = runner->poll();
  ASSERT_EQ(p.status, Status::Ok) << p.message;
  EXPECT_THAT(p.records, ElementsAre(R"({"n":1})", R"({"n":3})"));
  EXPECT_EQ(p.checkpoint, "7");
  EXPECT_EQ(runner->stats().recordsRefused, 1u);
  EXPECT_EQ(dynamic_cast<IsolatedRunner&>(*runner).childPid(), pid);  // still the same child
  EXPECT_TRUE(runner->health().up);
}

TEST_F(FakeHost, ACheckpointPastMaxCheckpointBytesKillsTheChild) {
  auto runner = start("big_checkpoint");
  const pid_t pid = dynamic_cast<IsolatedRunner&>(*runner).childPid();
  PollResult p = runner->poll();
  EXPECT_EQ(p.status, Status::Retry);
  EXPECT_EQ(p.checkpoint, std::nullopt);
  EXPECT_THAT(p.message, AllOf(HasSubstr("broke the plugin-host protocol during poll"),
                               HasSubstr("a checkpoint of 65537 bytes, more than the limit of "
                                         "65536 bytes (maxCheckpointBytes)"),
                               HasSubstr("killed")));
  EXPECT_TRUE(reaped(pid));
}

TEST_F(FakeHost, MoreRecordsThanMaxRecordsPerPollKillTheChild) {
  auto runner = start("too_many");  // 6, the limit is 5
  const pid_t pid = dynamic_cast<IsolatedRunner&>(*runner).childPid();
  PollResult p = runner->poll();
  EXPECT_EQ(p.status, Status::Retry);
  EXPECT_TRUE(p.records.empty());
  EXPECT_THAT(p.message, AllOf(HasSubstr("more than 5 records in one poll"), HasSubstr("killed")));
  EXPECT_TRUE(reaped(pid));
}

TEST_F(FakeHost, ATransformedRecordPastMaxRecordBytesIsRefused) {
  auto runner = start("big_transform");
  ASSERT_EQ(runner->kind(), Kind::Transform);
  const pid_t pid = dynamic_cast<IsolatedRunner&>(*runner).childPid();
  TransformResult t = runner->transform(R"({"a":1})");
  EXPECT_EQ(t.status, Status::Error);
  EXPECT_EQ(t.record, std::nullopt);
  EXPECT_THAT(t.message, HasSubstr("on_transform returned a record of 1048577 bytes, more than "
                                   "the limit of 1048576 bytes (maxRecordBytes): refused"));
  EXPECT_EQ(runner->stats().transformsFailed, 1u);
  EXPECT_EQ(dynamic_cast<IsolatedRunner&>(*runner).childPid(), pid);
}

TEST_F(FakeHost, AFramePastTheInstancesLimitIsRefusedFromItsHeader) {
  // 8 MiB is under the 16 MiB a frame to the child may have, but over what the instance's limits
  // let a child send (a record, a checkpoint and 1 MiB): refused at once, not waited for.
  auto runner = start("big_frame");
  const pid_t pid = dynamic_cast<IsolatedRunner&>(*runner).childPid();
  PollResult p = runner->poll();
  EXPECT_EQ(p.status, Status::Retry);
  EXPECT_THAT(p.message,
              AllOf(HasSubstr("a PollDone frame of 8388608 bytes, more than the limit of "),
                    HasSubstr(fmt::format("{} bytes", protocol::replyLimit(HostLimits{}))),
                    HasSubstr("killed")));
  EXPECT_TRUE(reaped(pid));
}

TEST_F(FakeHost, AnOversizedFrameBeforeReadyIsAStartError) {
  try {
    start("big_hello");
    FAIL() << "an 8 MiB Hello was waited for";
  } catch (const PluginError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("broke the protocol while starting"),
                                HasSubstr("a Hello frame of 8388608 bytes, more than the limit of "
                                          "1048576 bytes")));
  }
}

TEST_F(FakeHost, MalformedAnswersKillTheChildAndRetry) {
  const std::pair<const char*, const char*> cases[] = {
      {"oversize", "more than the limit"},
      {"unknown_type", "unknown type 200"},
      {"truncated", "ends early"},
      {"wrong_count", "PollDone counts 3 records, 0 came"},
      {"unexpected", "expected a PollDone frame, got Ready"},
      {"bad_status", "unknown status 9"},
      {"protocol_error", "it reported: the fake host is confused"},
  };
  for (const auto& [mode, why] : cases) {
    auto runner = start(mode);
    const pid_t pid = dynamic_cast<IsolatedRunner&>(*runner).childPid();
    PollResult p = runner->poll();
    EXPECT_EQ(p.status, Status::Retry) << mode;
    EXPECT_THAT(p.message, AllOf(HasSubstr("broke the plugin-host protocol during poll"),
                                 HasSubstr(why), HasSubstr("killed")))
        << mode;
    EXPECT_TRUE(reaped(pid)) << mode;
    EXPECT_FALSE(runner->health().up) << mode;
  }
}

TEST_F(FakeHost, AChildThatExitsIsReportedWithItsStatus) {
  auto runner = start("exit");
  PollResult p = runner->poll();
  EXPECT_EQ(p.status, Status::Retry);
  EXPECT_THAT(p.message, HasSubstr("exited with status 3 during poll"));
}

TEST_F(FakeHost, AChildThatClosesItsSocketButLingersIsKilled) {
  auto runner = start("close_and_linger");
  const pid_t pid = dynamic_cast<IsolatedRunner&>(*runner).childPid();
  PollResult p = runner->poll();
  EXPECT_EQ(p.status, Status::Retry);
  EXPECT_THAT(p.message, HasSubstr("closed its connection without exiting and was killed"));
  EXPECT_TRUE(reaped(pid));
}

TEST_F(FakeHost, AnotherProtocolVersionIsRefusedNamingBoth) {
  try {
    start("bad_version");
    FAIL() << "a plugin-host of protocol version 99 was accepted";
  } catch (const PluginError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("speaks protocol version 99"),
                                HasSubstr(fmt::format("this hub version {}", protocol::kVersion))));
  }
}

TEST_F(FakeHost, AChildThatDiesBeforeHelloIsAStartError) {
  try {
    start("no_hello");
    FAIL();
  } catch (const PluginError& e) {
    EXPECT_EQ(e.reason(), PluginError::Reason::CreateFailed);
    EXPECT_THAT(e.what(), HasSubstr("exited with status 4 while starting"));
  }
}

TEST_F(FakeHost, AChildThatIgnoresShutdownIsKilledAfterTheGracePeriod) {
  pid_t pid = -1;
  const auto t0 = std::chrono::steady_clock::now();
  {
    auto runner = start("ignore_shutdown");
    pid = dynamic_cast<IsolatedRunner&>(*runner).childPid();
    EXPECT_EQ(runner->poll().status, Status::Ok);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
  EXPECT_TRUE(reaped(pid));
}

// ---- What the child may see and use ----------------------------------------------------------

// One poll of child_probe in a plugin-host child confined by `child`: its one record, or the
// failed poll's message after "!".
std::string probe(const std::string& mode, const std::string& arg, ChildLimits child = {}) {
  RunnerOptions o = isolated(IJRO_TEST_PLUGIN_CHILD_PROBE, {{"mode", mode}, {"arg", arg}});
  o.child = std::move(child);
  auto runner = makeRunner(o);
  PollResult p = runner->poll();
  if (p.status != Status::Ok) return "!" + p.message;
  return p.records.size() == 1 ? p.records[0] : "!" + std::to_string(p.records.size()) + " records";
}

class ChildEnvironment : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("IJRO_TEST_HUB_SECRET", "db-password-7f3a", 1); }
  void TearDown() override { ::unsetenv("IJRO_TEST_HUB_SECRET"); }
};

TEST_F(ChildEnvironment, TheChildDoesNotSeeTheHubsVariables) {
  EXPECT_EQ(probe("env", "IJRO_TEST_HUB_SECRET"), R"({"env":null})");
  EXPECT_EQ(probe("env", "HOME"), R"({"env":null})");
  EXPECT_EQ(probe("env", "LANG"), R"({"env":"C.UTF-8"})");
  EXPECT_EQ(probe("env", "PATH"), R"({"env":"/usr/local/bin:/usr/bin:/bin"})");
}

TEST_F(ChildEnvironment, AVariableTheInstanceNamesIsPassedOn) {
  ChildLimits c;
  c.env = {"IJRO_TEST_HUB_SECRET", "IJRO_TEST_NOT_SET"};
  EXPECT_EQ(probe("env", "IJRO_TEST_HUB_SECRET", c), R"({"env":"db-password-7f3a"})");
  EXPECT_EQ(probe("env", "IJRO_TEST_NOT_SET", c), R"({"env":null})");
}

TEST(ChildResourceLimits, AnAllocationPastTheMemoryLimitEndsTheChildAndIsReported) {
  EXPECT_EQ(probe("alloc", "512", ChildLimits{.memoryMb = 0}), R"({"allocated":512})");
  RunnerOptions o = isolated(IJRO_TEST_PLUGIN_CHILD_PROBE, {{"mode", "alloc"}, {"arg", "512"}});
  o.child.memoryMb = 64;
  auto runner = makeRunner(o);
  const pid_t pid = dynamic_cast<IsolatedRunner&>(*runner).childPid();
  PollResult p = runner->poll();
  EXPECT_EQ(p.status, Status::Retry);
  EXPECT_TRUE(p.records.empty());
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer's allocator reports the failed allocation itself and aborts.
  EXPECT_THAT(p.message, HasSubstr("crashed with SIGABRT during poll"));
#else
  EXPECT_THAT(p.message, HasSubstr("ran out of memory: an allocation failed within its "
                                   "address-space limit of 64 MiB (memoryLimitMb) during poll"));
#endif
  EXPECT_TRUE(reaped(pid));
  EXPECT_FALSE(runner->health().up);
  // Restarted as after any crash.
  PollResult again = pollAfterBackoff(*runner);
  EXPECT_EQ(again.status, Status::Retry);
  EXPECT_EQ(runner->health().restarts, 1u);
}

TEST(ChildResourceLimits, ASpinningPluginIsEndedAtItsCpuLimit) {
  RunnerOptions o = isolated(IJRO_TEST_PLUGIN_CHILD_PROBE, {{"mode", "spin"}});
  o.child.cpuSeconds = 1;
  o.callTimeout = 30s;  // the CPU limit ends it, not the call timeout
  auto runner = makeRunner(o);
  const pid_t pid = dynamic_cast<IsolatedRunner&>(*runner).childPid();
  const auto t0 = std::chrono::steady_clock::now();
  PollResult p = runner->poll();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 20s);
  EXPECT_EQ(p.status, Status::Retry);
  EXPECT_THAT(p.message, HasSubstr("used up its CPU time limit of 1 s (cpuLimitSeconds) and was "
                                   "ended with SIGXCPU during poll"));
  EXPECT_TRUE(reaped(pid));
  EXPECT_EQ(runner->health().lastFailure, p.message);
}

TEST(ChildResourceLimits, OpeningMoreFilesThanTheLimitFails) {
  EXPECT_EQ(probe("files", "200", ChildLimits{.openFiles = 0}), R"({"opened":200,"errno":0})");
  const std::string limited = probe("files", "200", ChildLimits{.openFiles = 32});
  EXPECT_THAT(limited, HasSubstr(fmt::format(R"("errno":{})", EMFILE)));
  const int opened = std::stoi(limited.substr(limited.find(':') + 1));
  EXPECT_GT(opened, 0);
  EXPECT_LT(opened, 32);
}

// ---- Another user (the tests run as root) -----------------------------------------------------

TEST(ChildAsUser, TheChildRunsAsTheConfiguredUserAndCannotReadRootsFiles) {
  // The suite runs as root (scripts/test.sh); elsewhere this fails rather than pass unseen.
  ASSERT_EQ(::geteuid(), 0u) << "this test needs root to change users: run the suite as root";
  const passwd* nobody = ::getpwnam("nobody");
  ASSERT_NE(nobody, nullptr) << "no user nobody on this machine";
  const ChildUser user{"nobody", nobody->pw_uid, nobody->pw_gid};
  // The plugin file must be readable by the user: a copy in a folder anyone may enter.
  const auto dir = test::tempDir("child-user");
  std::filesystem::permissions(dir, std::filesystem::perms(0755));
  const auto plugin = dir / "child_probe.so";
  std::filesystem::copy_file(IJRO_TEST_PLUGIN_CHILD_PROBE, plugin);
  std::filesystem::permissions(plugin, std::filesystem::perms(0644));
  const auto secret = dir / "root-only.txt";
  { std::ofstream(secret) << "root only\n"; }
  std::filesystem::permissions(secret, std::filesystem::perms(0600));

  auto run = [&](std::optional<ChildUser> as) {
    RunnerOptions o = isolated(plugin.c_str(), {{"mode", "ids"}, {"arg", secret.string()}});
    o.child.user = as;
    PollResult p = makeRunner(o)->poll();
    EXPECT_EQ(p.status, Status::Ok) << p.message;
    return p.records.empty() ? std::string() : p.records[0];
  };
  EXPECT_EQ(run(std::nullopt), R"({"uid":0,"euid":0,"gid":0,"egid":0,"read":true})");
  EXPECT_EQ(run(user), fmt::format(R"({{"uid":{0},"euid":{0},"gid":{1},"egid":{1},"read":false}})",
                                   nobody->pw_uid, nobody->pw_gid));
}

TEST(Isolation, AHubBinaryThatCannotRunIsAStartError) {
  RunnerOptions o = isolated(IJRO_TEST_PLUGIN_GOOD_SOURCE, kSource);
  o.hubBinary = "/nonexistent/ijro-hub";
  try {
    makeRunner(o);
    FAIL();
  } catch (const PluginError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("/nonexistent/ijro-hub"), HasSubstr("plugin-host")));
  }
}

}  // namespace
}  // namespace ijro::isolation
