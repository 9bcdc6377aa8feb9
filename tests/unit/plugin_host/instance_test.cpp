// Instances: option checks before on_create, and everything a plugin can get wrong at the call
// boundary turned into a status with context, logged and counted; never an exception.
#include "hub/plugin_host/instance.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ijro::plugin_host {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

PluginError createRefusal(const char* path, const OptionValues& options) {
  try {
    Instance::create(load(path), "under-test", options);
  } catch (const PluginError& e) {
    return e;
  }
  ADD_FAILURE() << "created";
  return PluginError(PluginError::Reason::CreateFailed, path, "");
}

TEST(Instance, OptionsAreCheckedBeforeCreate) {
  PluginError e = createRefusal(IJRO_TEST_PLUGIN_GOOD_SOURCE, {{"cuont", "3"}});
  EXPECT_EQ(e.reason(), PluginError::Reason::InvalidOptions);
  EXPECT_THAT(e.what(), AllOf(HasSubstr("unknown option \"cuont\""),
                              HasSubstr("option \"endpoint\" is required"),
                              HasSubstr("Valid options: endpoint (string, required), count (int, "
                                        "default \"3\")")));
  e = createRefusal(IJRO_TEST_PLUGIN_GOOD_SOURCE, {{"endpoint", "x"}, {"count", "three"}});
  EXPECT_THAT(e.what(), HasSubstr("option \"count\" must be an integer"));
}

TEST(Instance, ACreateThatThrowsBecomesAnErrorWithItsText) {
  PluginError e = createRefusal(IJRO_TEST_PLUGIN_THROWING_SOURCE, {{"fail_create", "yes"}});
  EXPECT_EQ(e.reason(), PluginError::Reason::CreateFailed);
  EXPECT_FALSE(e.retryable());
  EXPECT_THAT(e.what(), AllOf(HasSubstr("plugin \"throwing-source\" instance \"under-test\" "
                                        "on_create failed (error)"),
                              HasSubstr("cannot reach https://tasks.example.uz"),
                              HasSubstr(IJRO_TEST_PLUGIN_THROWING_SOURCE)));
}

TEST(Instance, AnAdapterCheckingItsOptionsRefusesToStart) {
  PluginError e =
      createRefusal(IJRO_TEST_PLUGIN_GOOD_SOURCE, {{"endpoint", "x"}, {"count", "5000"}});
  EXPECT_THAT(e.what(), HasSubstr("option \"count\" must be between 0 and 1000, not 5000"));
}

TEST(Instance, AThrowingPollIsAnErrorStatusWithTheExceptionText) {
  auto in = Instance::create(load(IJRO_TEST_PLUGIN_THROWING_SOURCE), "tasks", {}, "cp-7");
  PollResult r = in->poll();
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_THAT(r.message,
              AllOf(HasSubstr("plugin \"throwing-source\" instance \"tasks\" on_poll failed "
                              "(error)"),
                    HasSubstr("upstream returned HTTP 500 for /api/tasks?page=2")));
  EXPECT_TRUE(r.records.empty());  // the record emitted before the throw is discarded
  EXPECT_FALSE(r.checkpoint);
  EXPECT_EQ(in->checkpoint(), "cp-7");
  auto s = in->stats();
  EXPECT_EQ(s.polls, 1u);
  EXPECT_EQ(s.pollsFailed, 1u);
  EXPECT_EQ(s.recordsEmitted, 0u);
  EXPECT_EQ(s.exceptions, 0u);  // the SDK caught it: nothing crossed the ABI
}

TEST(Instance, RetryLaterBecomesRetry) {
  auto in = Instance::create(load(IJRO_TEST_PLUGIN_THROWING_SOURCE), "tasks", {{"retry", "on"}});
  PollResult r = in->poll();
  EXPECT_EQ(r.status, Status::Retry);
  EXPECT_THAT(r.message, HasSubstr("on_poll failed (retry): upstream busy (HTTP 503)"));
}

TEST(Instance, AnExceptionAcrossTheAbiIsCaughtAtTheBoundary) {
  auto in = Instance::create(load(IJRO_TEST_PLUGIN_RAW_THROW), "raw", {});
  PollResult r = in->poll();
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_THAT(r.message, AllOf(HasSubstr("plugin \"raw-throw\" instance \"raw\" on_poll failed"),
                               HasSubstr("threw across the C ABI (escaped from on_poll)")));
  EXPECT_EQ(in->stats().exceptions, 1u);
  EXPECT_EQ(in->poll().status, Status::Error);  // and the instance is still usable
}

TEST(Instance, AnUnknownStatusIsAnError) {
  auto in = Instance::create(load(IJRO_TEST_PLUGIN_C_SOURCE), "c", {{"mode", "unknown_status"}});
  PollResult r = in->poll();
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_THAT(r.message, HasSubstr("on_poll returned unknown status 7"));
}

TEST(Instance, CallbacksUsedOutOfPlaceAreRefusedAndCounted) {
  auto in = Instance::create(load(IJRO_TEST_PLUGIN_C_SOURCE), "c", {{"mode", "misuse"}});
  // emit and checkpoint_commit in on_create, and a counter name with spaces.
  EXPECT_EQ(in->stats().callbackMisuse, 3u);
  EXPECT_TRUE(in->counters().empty());
  EXPECT_EQ(in->poll().status, Status::Ok);  // and it still works where the ABI allows
}

TEST(Instance, APollIgnoringARefusedRecordIsDiscarded) {
  HostLimits limits;
  limits.maxRecordBytes = 64;  // the C source's records are larger
  auto in = Instance::create(load(IJRO_TEST_PLUGIN_C_SOURCE), "c", {{"mode", "ignore_refusal"}},
                             std::nullopt, limits);
  PollResult r = in->poll();
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_THAT(r.message, AllOf(HasSubstr("returned IJRO_OK, but the host refused records"),
                               HasSubstr("larger than the limit of 64 bytes"),
                               HasSubstr("the checkpoint stays")));
  EXPECT_FALSE(in->checkpoint());
  EXPECT_EQ(in->stats().recordsRefused, 2u);
}

TEST(Instance, ARefusedRecordFailsAnSdkPoll) {
  HostLimits limits;
  limits.maxRecordsPerPoll = 2;
  auto in = Instance::create(load(IJRO_TEST_PLUGIN_GOOD_SOURCE), "demo", {{"endpoint", "x"}},
                             std::nullopt, limits);
  PollResult r = in->poll();
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_THAT(r.message, HasSubstr("the host refused a record"));
}

TEST(Instance, KindsAreNotMixedUp) {
  auto sink = Instance::create(load(IJRO_TEST_PLUGIN_GOOD_SINK), "s", {});
  EXPECT_THROW(sink->poll(), std::logic_error);
  EXPECT_THROW(sink->transform("{}"), std::logic_error);
}

TEST(Instance, TheInstanceKeepsTheLibraryLoaded) {
  std::unique_ptr<Instance> in;
  {
    LoadedPlugin p = load(IJRO_TEST_PLUGIN_C_SOURCE);
    in = Instance::create(p, "c", {{"records", "1"}});
  }
  PollResult r = in->poll();
  ASSERT_EQ(r.status, Status::Ok) << r.message;
  EXPECT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.checkpoint, "1");
}

TEST(Instance, SinkAnswersPerRecordOrForTheBatch) {
  auto in = Instance::create(load(IJRO_TEST_PLUGIN_GOOD_SINK), "s",
                             {{"reject", "BAD"}, {"defer", "LATER"}});
  std::vector<std::string> batch = {"{\"a\":\"ok\"}", "{\"a\":\"BAD\"}", "{\"a\":\"LATER\"}"};
  DeliverResult r = in->deliver(batch);
  EXPECT_EQ(r.status, Status::Ok);
  EXPECT_EQ(r.records, (std::vector<Status>{Status::Ok, Status::Error, Status::Retry}));
  EXPECT_EQ(in->counters().at("delivered"), 1);
  auto s = in->stats();
  EXPECT_EQ(s.recordsDelivered, 1u);
  EXPECT_EQ(s.recordsFailed, 1u);
  EXPECT_EQ(s.recordsRetry, 1u);
  EXPECT_EQ(in->deliver({}).status, Status::Ok);  // an empty batch is fine

  auto offline = Instance::create(load(IJRO_TEST_PLUGIN_GOOD_SINK), "s", {{"offline", "true"}});
  r = offline->deliver(batch);
  EXPECT_EQ(r.status, Status::Retry);
  EXPECT_EQ(r.records, std::vector<Status>(3, Status::Retry));
  EXPECT_THAT(r.message, HasSubstr("on_deliver failed (retry): the ministry endpoint is offline"));
}

TEST(InstanceTest, CounterNamesAreOneToSixtyFourOfLowerCaseDigitsAndUnderscore) {
  EXPECT_TRUE(validCounterName("records_emitted"));
  EXPECT_TRUE(validCounterName("a"));
  EXPECT_TRUE(validCounterName(std::string(64, 'x')));
  EXPECT_FALSE(validCounterName(std::string(65, 'x')));
  EXPECT_FALSE(validCounterName(""));
  EXPECT_FALSE(validCounterName("Records"));
  EXPECT_FALSE(validCounterName("records emitted"));
  EXPECT_FALSE(validCounterName("records-emitted"));
  EXPECT_FALSE(validCounterName(std::string_view("nul\0", 4)));
}

}  // namespace
}  // namespace ijro::plugin_host

namespace ijro::plugin_host {
namespace {

TEST(InstanceSecrets, RedactionReplacesEveryOccurrenceLongestFirst) {
  EXPECT_EQ(redactSecrets("token abc and abcdef, abc.", {"abc", "abcdef", ""}),
            "token *** and ***, ***.");
  EXPECT_EQ(redactSecrets("nothing here", {}), "nothing here");
}

TEST(InstanceSecrets, ASecretInTheCreateErrorIsRedactedAndCreateStillFails) {
  try {
    Instance::create(load(IJRO_TEST_PLUGIN_OPTION_PROBE), "p",
                     {{"token", "s3cr3t-value"}, {"fail_on_create", "true"}});
    ADD_FAILURE() << "on_create succeeded";
  } catch (const PluginError& e) {
    EXPECT_THAT(e.what(), HasSubstr("refused token ***: check it"));
    EXPECT_EQ(std::string(e.what()).find("s3cr3t-value"), std::string::npos) << e.what();
  }
}

TEST(InstanceGauges, AGaugeKeepsTheLastValueSet) {
  auto in = Instance::create(load(IJRO_TEST_PLUGIN_OPTION_PROBE), "p",
                             {{"regions", R"({"Ministry of Health":"1726","b":"1703"})"}});
  EXPECT_TRUE(in->gauges().empty());
  ASSERT_EQ(in->poll().status, Status::Ok);
  ASSERT_EQ(in->poll().status, Status::Ok);
  EXPECT_EQ(in->gauges(), (PluginGauges{{"probe_rows", 2.0}}));
  EXPECT_EQ(in->counters(), (PluginCounters{{"probe_polls", 2}}));
}

}  // namespace
}  // namespace ijro::plugin_host
