// The framed protocol between the hub and an isolated plugin instance (`ijro-hub plugin-host`),
// spoken over a socketpair. Every frame is a 4-byte big-endian payload length, a 1-byte type and
// the payload; a frame longer than the receiver's limit is refused before it is read.
//
// One conversation:
//   child  -> Hello {version, ABI, pid}          first frame; the parent checks the version
//   parent -> Init {plugin, instance, options, checkpoint, limits, log level}
//   child  -> Ready {plugin name, version, kind} | Failed {reason, retryable, message}
//   then, one call at a time:
//     Poll                       -> Record* PollDone {status, message, count, checkpoint, stats,
//                                                   counters}
//     Record* Deliver {count}    -> DeliverDone {status, message, per-record statuses, stats,
//                                                counters}
//     Transform {record}         -> TransformDone {status, message, record, stats, counters}
//     SetCheckpoint {checkpoint}    (no answer)
//     Stats                      -> StatsReply {stats, counters}
//     Shutdown                   -> Bye, and the child exits
//   either side -> ProtocolError {message} before it closes on a frame it cannot take.
//
// Payloads are built from u8, u32, u64 (big-endian) and strings (u32 length, bytes). Records
// travel one per frame, so no frame has to hold a whole poll or batch. "stats" is the host's
// InstanceStats, u64 each; "counters" the plugin's own (callback_counter_add): u32 n, then n
// times {str name, u64 value as two's complement}, names valid and distinct. Every answer carries
// both, so the hub knows them without asking and keeps them when the child dies. "gauges" follow
// the counters (ABI 1.2, callback_gauge_set): u32 n, then n times {str name, u64 the IEEE 754
// bits of a finite double}, names valid and distinct.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hub/isolation/boundary.hpp"
#include "hub/isolation/child_limits.hpp"

namespace ijro::isolation::protocol {

// Bumped whenever a frame changes; the hub refuses a plugin-host that speaks another version.
// 2: PollDone, DeliverDone and TransformDone carry the plugin's counters.
// 3: every answer that carries the counters carries the plugin's gauges after them.
// 4: Init carries the child's resource limits and user.
inline constexpr std::uint32_t kVersion = 4;
inline constexpr std::size_t kHeaderBytes = 5;
// Frames before Init (and the floor of frameLimit): Init carries options and a checkpoint.
inline constexpr std::size_t kBaseFrameLimit = std::size_t{16} << 20;

// The largest frame the child accepts from the hub once the instance's limits are known (the
// hub is trusted; this only bounds a frame that is not the protocol).
std::size_t frameLimit(const HostLimits& limits);
// What the hub accepts from a child, which runs untrusted code. Before Ready (Hello, Failed,
// Ready): kStartReplyLimit. After it: a record, a checkpoint and kReplySlack for the message,
// the stats, counters and gauges, plus `answers` bytes for a DeliverDone's per-record statuses.
// A longer frame is refused from its header, before any of it is read.
inline constexpr std::size_t kStartReplyLimit = std::size_t{1} << 20;
inline constexpr std::size_t kReplySlack = std::size_t{1} << 20;
std::size_t replyLimit(const HostLimits& limits, std::size_t answers = 0);

enum class FrameType : std::uint8_t {
  Hello = 1,
  Init = 2,
  Ready = 3,
  Failed = 4,
  Poll = 5,
  Record = 6,
  PollDone = 7,
  Deliver = 8,
  DeliverDone = 9,
  Transform = 10,
  TransformDone = 11,
  SetCheckpoint = 12,
  Stats = 13,
  StatsReply = 14,
  Shutdown = 15,
  Bye = 16,
  ProtocolError = 17,
  ExecFailed = 18,  // written by the forked child when exec fails: u32 errno
};
const char* toString(FrameType t);  // "Poll"; "unknown" for a value outside the enum

struct Frame {
  FrameType type = FrameType::ProtocolError;
  std::string payload;
};

// What can go wrong on a channel. Closed: the peer closed (or died); Timeout: the deadline passed;
// Malformed: the peer sent something that is not this protocol; System: a socket call failed.
class ChannelError : public std::runtime_error {
 public:
  enum class Kind { Closed, Timeout, Malformed, System };
  ChannelError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// Builds a payload.
class Encoder {
 public:
  Encoder& u8(std::uint8_t v);
  Encoder& u32(std::uint32_t v);
  Encoder& u64(std::uint64_t v);
  Encoder& str(std::string_view s);
  Encoder& optStr(const std::optional<std::string>& s);  // u8 present, then str
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads a payload; every read checks the bounds and throws ChannelError(Malformed).
class Decoder {
 public:
  explicit Decoder(std::string_view payload, FrameType type) : in_(payload), type_(type) {}
  std::uint8_t u8();
  std::uint32_t u32();
  std::uint64_t u64();
  std::string str();
  std::optional<std::string> optStr();
  void end() const;  // nothing may be left over

 private:
  std::string_view take(std::size_t n);
  [[noreturn]] void fail(const std::string& what) const;
  std::string_view in_;
  FrameType type_;
};

// The header (length and type) and the payload of one frame.
std::string encodeFrame(FrameType type, std::string_view payload);

// One end of the socketpair. Reads are buffered; every call takes a deadline (nullopt: wait for
// ever). Writes use send(MSG_NOSIGNAL): a peer that is gone is a ChannelError, never a SIGPIPE.
class Channel {
 public:
  using Deadline = std::optional<std::chrono::steady_clock::time_point>;
  Channel(int fd, std::size_t frameLimit) : fd_(fd), limit_(frameLimit) {}
  int fd() const { return fd_; }
  void setFrameLimit(std::size_t limit) { limit_ = limit; }

  void send(FrameType type, std::string_view payload, Deadline deadline = std::nullopt);
  // The next frame; throws ChannelError(Closed) at end of stream.
  Frame receive(Deadline deadline = std::nullopt);

 private:
  void waitFor(short events, Deadline deadline, const char* what);
  int fd_;
  std::size_t limit_;
  std::string buffer_;  // bytes received but not yet returned as a frame
};

// ---- Messages --------------------------------------------------------------------------------

struct Hello {
  std::uint32_t version = kVersion;
  AbiVersion abi;
  std::int64_t pid = 0;
};
std::string encode(const Hello& m);
Hello decodeHello(const Frame& f);

struct Init {
  std::string pluginPath;
  std::string instanceName;
  OptionValues options;
  std::optional<std::string> checkpoint;
  HostLimits limits;
  std::int32_t logLevel = 2;  // spdlog::level::level_enum
  // The child's resource limits and user (its env list is the parent's business: not sent).
  ChildLimits child;
};
std::string encode(const Init& m);
Init decodeInit(const Frame& f);

struct Ready {
  std::string pluginName;
  std::string pluginVersion;
  Kind kind = Kind::Source;
};
std::string encode(const Ready& m);
Ready decodeReady(const Frame& f);

struct Failed {
  PluginError::Reason reason = PluginError::Reason::CreateFailed;
  bool retryable = false;
  std::string message;
};
std::string encode(const Failed& m);
Failed decodeFailed(const Frame& f);

struct PollDone {
  Status status = Status::Error;
  std::string message;
  std::uint32_t records = 0;  // Record frames sent before this one
  std::optional<std::string> checkpoint;
  InstanceStats stats;
  PluginCounters counters;
  PluginGauges gauges;
};
std::string encode(const PollDone& m);
PollDone decodePollDone(const Frame& f);

struct DeliverDone {
  Status status = Status::Error;
  std::string message;
  std::vector<Status> records;
  InstanceStats stats;
  PluginCounters counters;
  PluginGauges gauges;
};
std::string encode(const DeliverDone& m);
DeliverDone decodeDeliverDone(const Frame& f);

struct TransformDone {
  Status status = Status::Error;
  std::string message;
  std::optional<std::string> record;
  InstanceStats stats;
  PluginCounters counters;
  PluginGauges gauges;
};
std::string encode(const TransformDone& m);
TransformDone decodeTransformDone(const Frame& f);

struct StatsReply {
  InstanceStats stats;
  PluginCounters counters;
  PluginGauges gauges;
};
std::string encode(const StatsReply& m);
StatsReply decodeStatsReply(const Frame& f);

// Deliver {u32 count}, SetCheckpoint {optStr}, Transform {str}, ProtocolError {str}: one field.
std::string encodeCount(std::uint32_t n);
std::uint32_t decodeCount(const Frame& f);
std::string encodeCheckpoint(const std::optional<std::string>& checkpoint);
std::optional<std::string> decodeCheckpoint(const Frame& f);
std::string encodeText(std::string_view text);
std::string decodeText(const Frame& f);

// Sums of host-side counts (a restarted child starts again from zero).
InstanceStats& operator+=(InstanceStats& a, const InstanceStats& b);
// Adds each of `b`'s counters to `a`'s of the same name (saturating at the int64_t limits).
void addCounters(PluginCounters& a, const PluginCounters& b);

}  // namespace ijro::isolation::protocol
