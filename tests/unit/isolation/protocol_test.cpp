// The framed protocol between the hub and plugin-host, over a real socketpair.
#include "hub/isolation/protocol.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bit>
#include <functional>
#include <limits>
#include <thread>

namespace ijro::isolation::protocol {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

Channel::Deadline soon() {
  return std::chrono::steady_clock::now() + 1s;
}

class ProtocolChannel : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0); }
  void TearDown() override {
    for (int fd : fds_)
      if (fd >= 0) ::close(fd);
  }
  void closeB() {
    ::close(fds_[1]);
    fds_[1] = -1;
  }
  void writeB(const std::string& bytes) {
    ASSERT_EQ(::write(fds_[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  ChannelError::Kind failureOf(Channel& c, Channel::Deadline deadline = std::nullopt) {
    try {
      c.receive(deadline);
    } catch (const ChannelError& e) {
      what_ = e.what();
      return e.kind();
    }
    ADD_FAILURE() << "a frame was received";
    return ChannelError::Kind::System;
  }
  int fds_[2] = {-1, -1};
  std::string what_;
};

TEST_F(ProtocolChannel, EveryMessageSurvivesTheTrip) {
  Channel a(fds_[0], kBaseFrameLimit), b(fds_[1], kBaseFrameLimit);

  Init init;
  init.pluginPath = "/opt/plugins/file_drop.so";
  init.instanceName = "health-drop";
  init.options = {{"directory", "/srv/in"}, {"pattern", "*.csv"}, {"empty", ""}};
  init.checkpoint = std::string("bin\0ary", 7);
  init.limits.maxRecordBytes = 12345;
  init.logLevel = 1;
  init.child.memoryMb = 77;
  init.child.cpuSeconds = 5;
  init.child.openFiles = 64;
  init.child.user = ChildUser{"nobody", 65534, 65533};
  a.send(FrameType::Init, encode(init));
  Init got = decodeInit(b.receive(soon()));
  EXPECT_EQ(got.pluginPath, init.pluginPath);
  EXPECT_EQ(got.instanceName, init.instanceName);
  EXPECT_EQ(got.options, init.options);
  EXPECT_EQ(got.checkpoint, init.checkpoint);
  EXPECT_EQ(got.limits.maxRecordBytes, 12345u);
  EXPECT_EQ(got.limits.maxRecordsPerPoll, init.limits.maxRecordsPerPoll);
  EXPECT_EQ(got.logLevel, 1);
  EXPECT_EQ(got.child.memoryMb, 77u);
  EXPECT_EQ(got.child.cpuSeconds, 5u);
  EXPECT_EQ(got.child.openFiles, 64u);
  ASSERT_TRUE(got.child.user.has_value());
  EXPECT_EQ(got.child.user->name, "nobody");
  EXPECT_EQ(got.child.user->uid, 65534u);
  EXPECT_EQ(got.child.user->gid, 65533u);
  init.child.user.reset();
  a.send(FrameType::Init, encode(init));
  EXPECT_FALSE(decodeInit(b.receive(soon())).child.user.has_value());

  PollDone done;
  done.status = Status::Ok;
  done.records = 2;
  done.checkpoint = "7";
  done.stats.polls = 3;
  done.stats.callbackMisuse = 9;
  b.send(FrameType::Record, R"({"revision":1})");
  b.send(FrameType::Record, "");
  b.send(FrameType::PollDone, encode(done));
  EXPECT_EQ(a.receive(soon()).payload, R"({"revision":1})");
  Frame empty = a.receive(soon());
  EXPECT_EQ(empty.type, FrameType::Record);
  EXPECT_EQ(empty.payload, "");
  PollDone d = decodePollDone(a.receive(soon()));
  EXPECT_EQ(d.status, Status::Ok);
  EXPECT_EQ(d.records, 2u);
  EXPECT_EQ(d.checkpoint, "7");
  EXPECT_EQ(d.stats.polls, 3u);
  EXPECT_EQ(d.stats.callbackMisuse, 9u);

  DeliverDone dd{Status::Ok, "", {Status::Ok, Status::Retry, Status::Error}, {}};
  b.send(FrameType::DeliverDone, encode(dd));
  EXPECT_EQ(decodeDeliverDone(a.receive(soon())).records, dd.records);

  TransformDone td{Status::Error, "cannot map", std::nullopt, {}};
  b.send(FrameType::TransformDone, encode(td));
  TransformDone tg = decodeTransformDone(a.receive(soon()));
  EXPECT_EQ(tg.status, Status::Error);
  EXPECT_EQ(tg.message, "cannot map");
  EXPECT_FALSE(tg.record);

  StatsReply sr{{}, {{"files", 3}, {"negative", -5}}};
  b.send(FrameType::StatsReply, encode(sr));
  EXPECT_EQ(decodeStatsReply(a.receive(soon())).counters, sr.counters);

  Failed f{PluginError::Reason::AbiMinor, true, "too new"};
  b.send(FrameType::Failed, encode(f));
  Failed fg = decodeFailed(a.receive(soon()));
  EXPECT_EQ(fg.reason, PluginError::Reason::AbiMinor);
  EXPECT_TRUE(fg.retryable);
  EXPECT_EQ(fg.message, "too new");

  b.send(FrameType::Ready, encode(Ready{"file-drop", "1.0.0", Kind::Transform}));
  EXPECT_EQ(decodeReady(a.receive(soon())).kind, Kind::Transform);

  a.send(FrameType::SetCheckpoint, encodeCheckpoint(std::nullopt));
  EXPECT_EQ(decodeCheckpoint(b.receive(soon())), std::nullopt);

  b.send(FrameType::Hello, encode(Hello{kVersion, {1, 0}, 4242}));
  Hello h = decodeHello(a.receive(soon()));
  EXPECT_EQ(h.pid, 4242);
  EXPECT_EQ(h.abi, (AbiVersion{1, 0}));
}

TEST_F(ProtocolChannel, ALargeRecordCrossesInOneFrame) {
  Channel a(fds_[0], kBaseFrameLimit), b(fds_[1], kBaseFrameLimit);
  const std::string big(3 << 20, 'r');  // larger than the socket's buffer
  std::thread writer(
      [&] { a.send(FrameType::Record, big, std::chrono::steady_clock::now() + 5s); });
  Frame f = b.receive(std::chrono::steady_clock::now() + 5s);
  writer.join();
  EXPECT_EQ(f.payload.size(), big.size());
  EXPECT_EQ(f.payload, big);
}

TEST_F(ProtocolChannel, AFrameOverTheLimitIsRefusedBeforeItIsRead) {
  Channel a(fds_[0], 1024);
  writeB(encodeFrame(FrameType::Record, std::string(2000, 'x')));
  EXPECT_EQ(failureOf(a, std::chrono::steady_clock::now() + 1s), ChannelError::Kind::Malformed);
  EXPECT_THAT(what_, HasSubstr("a Record frame of 2000 bytes, more than the limit of 1024"));
}

TEST_F(ProtocolChannel, AnUnknownFrameTypeIsMalformed) {
  Channel a(fds_[0], 1024);
  writeB(std::string("\0\0\0\0\x63", 5));
  EXPECT_EQ(failureOf(a), ChannelError::Kind::Malformed);
  EXPECT_THAT(what_, HasSubstr("unknown type 99"));
}

TEST_F(ProtocolChannel, PayloadsAreCheckedFieldByField) {
  Frame shortDone{FrameType::PollDone, std::string(3, '\0')};
  EXPECT_THROW(decodePollDone(shortDone), ChannelError);
  Frame extra{FrameType::Ready, encode(Ready{"a", "1", Kind::Source}) + "x"};
  try {
    decodeReady(extra);
    FAIL();
  } catch (const ChannelError& e) {
    EXPECT_THAT(e.what(), HasSubstr("a Ready frame has 1 bytes too many"));
  }
  Frame badKind{FrameType::Ready, Encoder().str("a").str("1").u8(7).take()};
  EXPECT_THROW(decodeReady(badKind), ChannelError);
  Frame lyingString{FrameType::Failed, Encoder().u8(0).u8(0).u32(1000).take()};
  EXPECT_THROW(decodeFailed(lyingString), ChannelError);
  Frame lyingCount{FrameType::DeliverDone, Encoder().u8(0).str("").u32(0xffffffff).take()};
  EXPECT_THROW(decodeDeliverDone(lyingCount), ChannelError);
  EXPECT_THROW(decodePollDone(Frame{FrameType::TransformDone, ""}), ChannelError);
}

TEST_F(ProtocolChannel, EveryAnswerCarriesThePluginsCounters) {
  const PluginCounters counters{{"files_read", 12},
                                {"rows_skipped", -3},
                                {"big", std::numeric_limits<std::int64_t>::max()},
                                {"small", std::numeric_limits<std::int64_t>::min()}};
  PollDone poll;
  poll.status = Status::Ok;
  poll.counters = counters;
  EXPECT_EQ(decodePollDone(Frame{FrameType::PollDone, encode(poll)}).counters, counters);
  DeliverDone deliver{Status::Ok, "", {Status::Ok}, {}, counters};
  EXPECT_EQ(decodeDeliverDone(Frame{FrameType::DeliverDone, encode(deliver)}).counters, counters);
  TransformDone transform{Status::Ok, "", "{}", {}, counters};
  EXPECT_EQ(decodeTransformDone(Frame{FrameType::TransformDone, encode(transform)}).counters,
            counters);
  EXPECT_TRUE(decodePollDone(Frame{FrameType::PollDone, encode(PollDone{})}).counters.empty());
}

// What a child sends is untrusted (the plugin's code runs there): counter names must be what the
// host accepts from a plugin, once each, and the count must not run past the payload.
TEST_F(ProtocolChannel, CountersFromAChildAreChecked) {
  auto withCounters = [](const std::function<void(Encoder&)>& counters) {
    Encoder e;
    e.u8(0).str("").u32(0).optStr(std::nullopt);
    for (int i = 0; i < 14; ++i) e.u64(0);  // InstanceStats
    counters(e);
    e.u32(0);  // no gauges (version 3)
    return Frame{FrameType::PollDone, e.take()};
  };
  auto refusal = [](const Frame& f) -> std::string {
    try {
      decodePollDone(f);
    } catch (const ChannelError& e) {
      EXPECT_EQ(e.kind(), ChannelError::Kind::Malformed);
      return e.what();
    }
    return "(accepted)";
  };
  EXPECT_EQ(decodePollDone(withCounters([](Encoder& e) {
              e.u32(1).str("ok_1").u64(5);
            })).counters.at("ok_1"),
            5);
  EXPECT_THAT(refusal(withCounters([](Encoder& e) { e.u32(1).str("Bad Name").u64(1); })),
              HasSubstr("names a counter \"Bad Name\""));
  EXPECT_THAT(refusal(withCounters([](Encoder& e) { e.u32(1).str("").u64(1); })),
              HasSubstr("names a counter"));
  EXPECT_THAT(refusal(withCounters([](Encoder& e) { e.u32(1).str(std::string(65, 'a')).u64(1); })),
              HasSubstr("not 1 to 64 characters"));
  EXPECT_THAT(
      refusal(withCounters([](Encoder& e) { e.u32(2).str("twice").u64(1).str("twice").u64(2); })),
      HasSubstr("has a counter twice"));
  EXPECT_THAT(refusal(withCounters([](Encoder& e) { e.u32(0xffffffff).str("a").u64(1); })),
              HasSubstr("ends early"));
  EXPECT_THAT(refusal(withCounters([](Encoder&) {})), HasSubstr("ends early"));  // version 1
}

// Gauges (version 3) follow the counters in every answer, checked like them, and finite.
TEST_F(ProtocolChannel, EveryAnswerCarriesThePluginsGaugesChecked) {
  const PluginGauges gauges{{"rows_per_second", 412.5}, {"seconds_left", 0.0}, {"lag", -3.25}};
  PollDone poll;
  poll.gauges = gauges;
  EXPECT_EQ(decodePollDone(Frame{FrameType::PollDone, encode(poll)}).gauges, gauges);
  DeliverDone deliver{Status::Ok, "", {Status::Ok}, {}, {}, gauges};
  EXPECT_EQ(decodeDeliverDone(Frame{FrameType::DeliverDone, encode(deliver)}).gauges, gauges);
  TransformDone transform{Status::Ok, "", "{}", {}, {}, gauges};
  EXPECT_EQ(decodeTransformDone(Frame{FrameType::TransformDone, encode(transform)}).gauges, gauges);
  StatsReply stats{{}, {}, gauges};
  EXPECT_EQ(decodeStatsReply(Frame{FrameType::StatsReply, encode(stats)}).gauges, gauges);

  auto withGauge = [](const std::string& name, double value) {
    Encoder e;
    e.u8(0).str("").u32(0).optStr(std::nullopt);
    for (int i = 0; i < 14; ++i) e.u64(0);  // InstanceStats
    e.u32(0);                               // no counters
    e.u32(1).str(name).u64(std::bit_cast<std::uint64_t>(value));
    return Frame{FrameType::PollDone, e.take()};
  };
  auto refusal = [](const Frame& f) -> std::string {
    try {
      decodePollDone(f);
    } catch (const ChannelError& e) {
      return e.what();
    }
    return "(accepted)";
  };
  EXPECT_EQ(refusal(withGauge("ok", 1.5)), "(accepted)");
  EXPECT_THAT(refusal(withGauge("Bad", 1)), HasSubstr("names a gauge \"Bad\""));
  EXPECT_THAT(refusal(withGauge("nan", std::numeric_limits<double>::quiet_NaN())),
              HasSubstr("not finite"));
  EXPECT_THAT(refusal(withGauge("inf", std::numeric_limits<double>::infinity())),
              HasSubstr("not finite"));
}

TEST(ProtocolCounters, AddCountersSumsByNameAndSaturates) {
  PluginCounters a{{"x", 1}, {"y", std::numeric_limits<std::int64_t>::max()}};
  addCounters(a, {{"x", 2}, {"y", 1}, {"z", -4}});
  EXPECT_EQ(a,
            (PluginCounters{{"x", 3}, {"y", std::numeric_limits<std::int64_t>::max()}, {"z", -4}}));
}

TEST_F(ProtocolChannel, NothingArrivingIsATimeout) {
  Channel a(fds_[0], 1024);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(failureOf(a, t0 + 100ms), ChannelError::Kind::Timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 100ms);
}

TEST_F(ProtocolChannel, TheEndOfTheStreamIsClosedEvenInsideAFrame) {
  Channel a(fds_[0], 1024);
  writeB(encodeFrame(FrameType::Record, "abc").substr(0, 6));
  closeB();
  EXPECT_EQ(failureOf(a), ChannelError::Kind::Closed);
  EXPECT_THAT(what_, HasSubstr("inside a frame"));
}

TEST_F(ProtocolChannel, SendingToAClosedPeerIsAnErrorNotASignal) {
  Channel a(fds_[0], 1024);
  closeB();
  try {
    for (int i = 0; i < 100; ++i) a.send(FrameType::Record, std::string(65536, 'x'), {});
    FAIL() << "sent into the void";
  } catch (const ChannelError& e) {
    EXPECT_EQ(e.kind(), ChannelError::Kind::Closed);
  }
}

TEST(ProtocolFrameLimit, WhatAChildMaySendFollowsTheInstanceLimitsWithoutAFloor) {
  HostLimits limits;
  EXPECT_EQ(replyLimit(limits), limits.maxRecordBytes + limits.maxCheckpointBytes + kReplySlack);
  EXPECT_LT(replyLimit(limits), kBaseFrameLimit);
  EXPECT_EQ(replyLimit(limits, 500), replyLimit(limits) + 500);  // a DeliverDone's answers
  limits.maxRecordBytes = 1000;
  limits.maxCheckpointBytes = 100;
  EXPECT_EQ(replyLimit(limits), 1100 + kReplySlack);
}

TEST(ProtocolFrameLimit, FollowsTheInstanceLimits) {
  HostLimits limits;
  EXPECT_EQ(frameLimit(limits), kBaseFrameLimit);
  limits.maxRecordBytes = std::size_t{64} << 20;
  EXPECT_GT(frameLimit(limits), limits.maxRecordBytes);
}

}  // namespace
}  // namespace ijro::isolation::protocol
