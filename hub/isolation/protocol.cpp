#include "hub/isolation/protocol.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <system_error>

#include "hub/base/enum_names.hpp"
#include "hub/base/saturating.hpp"

namespace ijro::isolation::protocol {

namespace {

constexpr std::size_t kReadChunk = std::size_t{64} << 10;

std::uint32_t readBe32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

constexpr base::NameTable<FrameType, 18> kFrameTypes{{
    {FrameType::Hello, "Hello"},
    {FrameType::Init, "Init"},
    {FrameType::Ready, "Ready"},
    {FrameType::Failed, "Failed"},
    {FrameType::Poll, "Poll"},
    {FrameType::Record, "Record"},
    {FrameType::PollDone, "PollDone"},
    {FrameType::Deliver, "Deliver"},
    {FrameType::DeliverDone, "DeliverDone"},
    {FrameType::Transform, "Transform"},
    {FrameType::TransformDone, "TransformDone"},
    {FrameType::SetCheckpoint, "SetCheckpoint"},
    {FrameType::Stats, "Stats"},
    {FrameType::StatsReply, "StatsReply"},
    {FrameType::Shutdown, "Shutdown"},
    {FrameType::Bye, "Bye"},
    {FrameType::ProtocolError, "ProtocolError"},
    {FrameType::ExecFailed, "ExecFailed"},
}};
static_assert(base::namesEvery(kFrameTypes, FrameType::Hello, FrameType::ExecFailed));

bool knownType(std::uint8_t t) {
  return t >= static_cast<std::uint8_t>(FrameType::Hello) &&
         t <= static_cast<std::uint8_t>(FrameType::ExecFailed);
}

// InstanceStats in wire order; a new field goes at the end (and kVersion goes up).
constexpr std::uint64_t InstanceStats::*kStatsFields[] = {
    &InstanceStats::polls,
    &InstanceStats::pollsFailed,
    &InstanceStats::recordsEmitted,
    &InstanceStats::recordsRefused,
    &InstanceStats::batches,
    &InstanceStats::batchesFailed,
    &InstanceStats::recordsDelivered,
    &InstanceStats::recordsRetry,
    &InstanceStats::recordsFailed,
    &InstanceStats::transforms,
    &InstanceStats::transformsDropped,
    &InstanceStats::transformsFailed,
    &InstanceStats::exceptions,
    &InstanceStats::callbackMisuse,
};

void putStats(Encoder& e, const InstanceStats& s) {
  for (auto field : kStatsFields) e.u64(s.*field);
}

InstanceStats getStats(Decoder& d) {
  InstanceStats s;
  for (auto field : kStatsFields) s.*field = d.u64();
  return s;
}

void putCounters(Encoder& e, const PluginCounters& counters) {
  e.u32(static_cast<std::uint32_t>(counters.size()));
  for (const auto& [name, value] : counters) e.str(name).u64(static_cast<std::uint64_t>(value));
}

// The names are checked as the plugin host checks them: what crosses from a child (where the
// plugin's code runs) is untrusted, and the names end up as label values in /metrics.
PluginCounters getCounters(Decoder& d, FrameType type) {
  PluginCounters counters;
  for (std::uint32_t n = d.u32(); n > 0; --n) {
    std::string name = d.str();
    const auto value = static_cast<std::int64_t>(d.u64());
    if (!plugin_host::validCounterName(name))
      throw ChannelError(ChannelError::Kind::Malformed,
                         fmt::format("a {} frame names a counter \"{}\" (not 1 to {} characters "
                                     "of [a-z0-9_])",
                                     toString(type), name.substr(0, plugin_host::kMaxCounterName),
                                     plugin_host::kMaxCounterName));
    if (!counters.emplace(std::move(name), value).second)
      throw ChannelError(ChannelError::Kind::Malformed,
                         fmt::format("a {} frame has a counter twice", toString(type)));
  }
  return counters;
}

void putGauges(Encoder& e, const PluginGauges& gauges) {
  e.u32(static_cast<std::uint32_t>(gauges.size()));
  for (const auto& [name, value] : gauges) e.str(name).u64(std::bit_cast<std::uint64_t>(value));
}

// Checked like the counters, and a value must be finite, as callback_gauge_set requires.
PluginGauges getGauges(Decoder& d, FrameType type) {
  PluginGauges gauges;
  for (std::uint32_t n = d.u32(); n > 0; --n) {
    std::string name = d.str();
    const auto value = std::bit_cast<double>(d.u64());
    if (!plugin_host::validCounterName(name))
      throw ChannelError(ChannelError::Kind::Malformed,
                         fmt::format("a {} frame names a gauge \"{}\" (not 1 to {} characters "
                                     "of [a-z0-9_])",
                                     toString(type), name.substr(0, plugin_host::kMaxCounterName),
                                     plugin_host::kMaxCounterName));
    if (!std::isfinite(value))
      throw ChannelError(ChannelError::Kind::Malformed,
                         fmt::format("a {} frame has a gauge that is not finite", toString(type)));
    if (!gauges.emplace(std::move(name), value).second)
      throw ChannelError(ChannelError::Kind::Malformed,
                         fmt::format("a {} frame has a gauge twice", toString(type)));
  }
  return gauges;
}

void putStatus(Encoder& e, Status s) {
  e.u8(static_cast<std::uint8_t>(s));
}

Status getStatus(Decoder& d) {
  std::uint8_t v = d.u8();
  if (v > static_cast<std::uint8_t>(Status::Error))
    throw ChannelError(ChannelError::Kind::Malformed, fmt::format("unknown status {}", v));
  return static_cast<Status>(v);
}

void expect(const Frame& f, FrameType type) {
  if (f.type != type)
    throw ChannelError(
        ChannelError::Kind::Malformed,
        fmt::format("expected a {} frame, got {}", toString(type), toString(f.type)));
}

}  // namespace

std::size_t frameLimit(const HostLimits& limits) {
  return std::max(kBaseFrameLimit,
                  limits.maxRecordBytes + limits.maxCheckpointBytes + (std::size_t{1} << 20));
}

std::size_t replyLimit(const HostLimits& limits, std::size_t answers) {
  return limits.maxRecordBytes + limits.maxCheckpointBytes + kReplySlack + answers;
}

const char* toString(FrameType t) {
  return base::nameOf(kFrameTypes, t, "unknown");
}

// ---- Encoder / Decoder -----------------------------------------------------------------------

Encoder& Encoder::u8(std::uint8_t v) {
  out_.push_back(static_cast<char>(v));
  return *this;
}

Encoder& Encoder::u32(std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out_.push_back(static_cast<char>((v >> shift) & 0xff));
  return *this;
}

Encoder& Encoder::u64(std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out_.push_back(static_cast<char>((v >> shift) & 0xff));
  return *this;
}

Encoder& Encoder::str(std::string_view s) {
  if (s.size() > 0xffffffffu) throw std::length_error("a string of more than 4 GiB in a frame");
  u32(static_cast<std::uint32_t>(s.size()));
  out_.append(s);
  return *this;
}

Encoder& Encoder::optStr(const std::optional<std::string>& s) {
  u8(s ? 1 : 0);
  if (s) str(*s);
  return *this;
}

void Decoder::fail(const std::string& what) const {
  throw ChannelError(ChannelError::Kind::Malformed,
                     fmt::format("a {} frame {}", toString(type_), what));
}

std::string_view Decoder::take(std::size_t n) {
  if (in_.size() < n) fail(fmt::format("ends early ({} bytes missing)", n - in_.size()));
  std::string_view out = in_.substr(0, n);
  in_.remove_prefix(n);
  return out;
}

std::uint8_t Decoder::u8() {
  return static_cast<std::uint8_t>(take(1)[0]);
}

std::uint32_t Decoder::u32() {
  return readBe32(take(4).data());
}

std::uint64_t Decoder::u64() {
  std::string_view b = take(8);
  std::uint64_t v = 0;
  for (char c : b) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

std::string Decoder::str() {
  std::uint32_t n = u32();
  return std::string(take(n));
}

std::optional<std::string> Decoder::optStr() {
  std::uint8_t present = u8();
  if (present > 1) fail(fmt::format("has an optional marker of {}", present));
  if (present == 0) return std::nullopt;
  return str();
}

void Decoder::end() const {
  if (!in_.empty()) fail(fmt::format("has {} bytes too many", in_.size()));
}

std::string encodeFrame(FrameType type, std::string_view payload) {
  if (payload.size() > 0xffffffffu) throw std::length_error("a frame of more than 4 GiB");
  std::string out;
  out.reserve(kHeaderBytes + payload.size());
  const auto n = static_cast<std::uint32_t>(payload.size());
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((n >> shift) & 0xff));
  out.push_back(static_cast<char>(type));
  out.append(payload);
  return out;
}

// ---- Channel ---------------------------------------------------------------------------------

void Channel::waitFor(short events, Deadline deadline, const char* what) {
  for (;;) {
    int timeout = -1;
    if (deadline) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline -
                                                               std::chrono::steady_clock::now());
      if (left.count() <= 0) throw ChannelError(ChannelError::Kind::Timeout, what);
      timeout = static_cast<int>(std::min<std::chrono::milliseconds::rep>(left.count(), 1 << 30));
    }
    pollfd p{fd_, events, 0};
    int n = ::poll(&p, 1, timeout);
    if (n > 0) return;  // ready, or hung up / in error: the next send or recv tells which
    if (n < 0 && errno != EINTR)
      throw ChannelError(ChannelError::Kind::System, fmt::format("poll: {}", std::strerror(errno)));
  }
}

void Channel::send(FrameType type, std::string_view payload, Deadline deadline) {
  const std::string frame = encodeFrame(type, payload);
  std::size_t sent = 0;
  while (sent < frame.size()) {
    ssize_t n = ::send(fd_, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      waitFor(POLLOUT, deadline, "send");
      continue;
    }
    if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
      throw ChannelError(ChannelError::Kind::Closed,
                         fmt::format("the peer is gone ({})", std::strerror(errno)));
    throw ChannelError(ChannelError::Kind::System, fmt::format("send: {}", std::strerror(errno)));
  }
}

Frame Channel::receive(Deadline deadline) {
  for (;;) {
    std::size_t need = kHeaderBytes;
    if (buffer_.size() >= kHeaderBytes) {
      const std::uint32_t len = readBe32(buffer_.data());
      const auto type = static_cast<std::uint8_t>(buffer_[4]);
      if (!knownType(type))
        throw ChannelError(ChannelError::Kind::Malformed,
                           fmt::format("a frame of unknown type {}", type));
      if (len > limit_)
        throw ChannelError(ChannelError::Kind::Malformed,
                           fmt::format("a {} frame of {} bytes, more than the limit of {} bytes",
                                       toString(static_cast<FrameType>(type)), len, limit_));
      need = kHeaderBytes + len;
      if (buffer_.size() >= need) {
        Frame f{static_cast<FrameType>(type), buffer_.substr(kHeaderBytes, len)};
        buffer_.erase(0, need);
        return f;
      }
    }
    waitFor(POLLIN, deadline, "receive");
    const std::size_t old = buffer_.size();
    const std::size_t want = std::max(kReadChunk, need - old);
    buffer_.resize(old + want);
    ssize_t n = ::recv(fd_, buffer_.data() + old, want, MSG_DONTWAIT);
    buffer_.resize(old + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    if (n > 0) continue;
    if (n == 0)
      throw ChannelError(ChannelError::Kind::Closed,
                         old == 0 ? "end of stream" : "end of stream inside a frame");
    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
    if (errno == ECONNRESET) throw ChannelError(ChannelError::Kind::Closed, "connection reset");
    throw ChannelError(ChannelError::Kind::System, fmt::format("recv: {}", std::strerror(errno)));
  }
}

// ---- Messages --------------------------------------------------------------------------------

std::string encode(const Hello& m) {
  return Encoder()
      .u32(m.version)
      .u32(m.abi.major)
      .u32(m.abi.minor)
      .u64(static_cast<std::uint64_t>(m.pid))
      .take();
}

Hello decodeHello(const Frame& f) {
  expect(f, FrameType::Hello);
  Decoder d(f.payload, f.type);
  Hello m;
  m.version = d.u32();
  if (m.version != kVersion) return m;  // the rest is another version's business
  m.abi.major = static_cast<std::uint16_t>(d.u32());
  m.abi.minor = static_cast<std::uint16_t>(d.u32());
  m.pid = static_cast<std::int64_t>(d.u64());
  d.end();
  return m;
}

std::string encode(const Init& m) {
  Encoder e;
  e.str(m.pluginPath).str(m.instanceName).u32(static_cast<std::uint32_t>(m.options.size()));
  for (const auto& [k, v] : m.options) e.str(k).str(v);
  e.optStr(m.checkpoint)
      .u64(m.limits.maxRecordBytes)
      .u64(m.limits.maxRecordsPerPoll)
      .u64(m.limits.maxCheckpointBytes)
      .u64(m.limits.messageCapacity)
      .u32(static_cast<std::uint32_t>(m.logLevel))
      .u64(m.child.memoryMb)
      .u64(m.child.cpuSeconds)
      .u64(m.child.openFiles)
      .u8(m.child.user ? 1 : 0);
  if (m.child.user)
    e.str(m.child.user->name)
        .u32(static_cast<std::uint32_t>(m.child.user->uid))
        .u32(static_cast<std::uint32_t>(m.child.user->gid));
  return e.take();
}

Init decodeInit(const Frame& f) {
  expect(f, FrameType::Init);
  Decoder d(f.payload, f.type);
  Init m;
  m.pluginPath = d.str();
  m.instanceName = d.str();
  for (std::uint32_t n = d.u32(); n > 0; --n) {
    std::string k = d.str();
    m.options[std::move(k)] = d.str();
  }
  m.checkpoint = d.optStr();
  m.limits.maxRecordBytes = d.u64();
  m.limits.maxRecordsPerPoll = d.u64();
  m.limits.maxCheckpointBytes = d.u64();
  m.limits.messageCapacity = d.u64();
  m.logLevel = static_cast<std::int32_t>(d.u32());
  m.child.memoryMb = d.u64();
  m.child.cpuSeconds = d.u64();
  m.child.openFiles = d.u64();
  const std::uint8_t hasUser = d.u8();
  if (hasUser > 1)
    throw ChannelError(ChannelError::Kind::Malformed,
                       fmt::format("an Init frame has a user marker of {}", hasUser));
  if (hasUser == 1) {
    ChildUser user;
    user.name = d.str();
    user.uid = static_cast<uid_t>(d.u32());
    user.gid = static_cast<gid_t>(d.u32());
    m.child.user = std::move(user);
  }
  d.end();
  return m;
}

std::string encode(const Ready& m) {
  return Encoder()
      .str(m.pluginName)
      .str(m.pluginVersion)
      .u8(static_cast<std::uint8_t>(m.kind))
      .take();
}

Ready decodeReady(const Frame& f) {
  expect(f, FrameType::Ready);
  Decoder d(f.payload, f.type);
  Ready m;
  m.pluginName = d.str();
  m.pluginVersion = d.str();
  std::uint8_t kind = d.u8();
  if (kind > static_cast<std::uint8_t>(Kind::Transform))
    throw ChannelError(ChannelError::Kind::Malformed, fmt::format("unknown plugin kind {}", kind));
  m.kind = static_cast<Kind>(kind);
  d.end();
  return m;
}

std::string encode(const Failed& m) {
  return Encoder()
      .u8(static_cast<std::uint8_t>(m.reason))
      .u8(m.retryable ? 1 : 0)
      .str(m.message)
      .take();
}

Failed decodeFailed(const Frame& f) {
  expect(f, FrameType::Failed);
  Decoder d(f.payload, f.type);
  Failed m;
  std::uint8_t reason = d.u8();
  if (reason > static_cast<std::uint8_t>(PluginError::Reason::CreateFailed))
    throw ChannelError(ChannelError::Kind::Malformed, fmt::format("unknown reason {}", reason));
  m.reason = static_cast<PluginError::Reason>(reason);
  m.retryable = d.u8() != 0;
  m.message = d.str();
  d.end();
  return m;
}

std::string encode(const PollDone& m) {
  Encoder e;
  putStatus(e, m.status);
  e.str(m.message).u32(m.records).optStr(m.checkpoint);
  putStats(e, m.stats);
  putCounters(e, m.counters);
  putGauges(e, m.gauges);
  return e.take();
}

PollDone decodePollDone(const Frame& f) {
  expect(f, FrameType::PollDone);
  Decoder d(f.payload, f.type);
  PollDone m;
  m.status = getStatus(d);
  m.message = d.str();
  m.records = d.u32();
  m.checkpoint = d.optStr();
  m.stats = getStats(d);
  m.counters = getCounters(d, f.type);
  m.gauges = getGauges(d, f.type);
  d.end();
  return m;
}

std::string encode(const DeliverDone& m) {
  Encoder e;
  putStatus(e, m.status);
  e.str(m.message).u32(static_cast<std::uint32_t>(m.records.size()));
  for (Status s : m.records) putStatus(e, s);
  putStats(e, m.stats);
  putCounters(e, m.counters);
  putGauges(e, m.gauges);
  return e.take();
}

DeliverDone decodeDeliverDone(const Frame& f) {
  expect(f, FrameType::DeliverDone);
  Decoder d(f.payload, f.type);
  DeliverDone m;
  m.status = getStatus(d);
  m.message = d.str();
  std::uint32_t n = d.u32();
  if (n > f.payload.size())  // one byte each: a count beyond the payload is a lie
    throw ChannelError(ChannelError::Kind::Malformed,
                       fmt::format("a DeliverDone frame claims {} answers", n));
  m.records.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) m.records.push_back(getStatus(d));
  m.stats = getStats(d);
  m.counters = getCounters(d, f.type);
  m.gauges = getGauges(d, f.type);
  d.end();
  return m;
}

std::string encode(const TransformDone& m) {
  Encoder e;
  putStatus(e, m.status);
  e.str(m.message).optStr(m.record);
  putStats(e, m.stats);
  putCounters(e, m.counters);
  putGauges(e, m.gauges);
  return e.take();
}

TransformDone decodeTransformDone(const Frame& f) {
  expect(f, FrameType::TransformDone);
  Decoder d(f.payload, f.type);
  TransformDone m;
  m.status = getStatus(d);
  m.message = d.str();
  m.record = d.optStr();
  m.stats = getStats(d);
  m.counters = getCounters(d, f.type);
  m.gauges = getGauges(d, f.type);
  d.end();
  return m;
}

std::string encode(const StatsReply& m) {
  Encoder e;
  putStats(e, m.stats);
  putCounters(e, m.counters);
  putGauges(e, m.gauges);
  return e.take();
}

StatsReply decodeStatsReply(const Frame& f) {
  expect(f, FrameType::StatsReply);
  Decoder d(f.payload, f.type);
  StatsReply m;
  m.stats = getStats(d);
  m.counters = getCounters(d, f.type);
  m.gauges = getGauges(d, f.type);
  d.end();
  return m;
}

std::string encodeCount(std::uint32_t n) {
  return Encoder().u32(n).take();
}

std::uint32_t decodeCount(const Frame& f) {
  Decoder d(f.payload, f.type);
  std::uint32_t n = d.u32();
  d.end();
  return n;
}

std::string encodeCheckpoint(const std::optional<std::string>& checkpoint) {
  return Encoder().optStr(checkpoint).take();
}

std::optional<std::string> decodeCheckpoint(const Frame& f) {
  Decoder d(f.payload, f.type);
  auto cp = d.optStr();
  d.end();
  return cp;
}

std::string encodeText(std::string_view text) {
  return Encoder().str(text).take();
}

std::string decodeText(const Frame& f) {
  Decoder d(f.payload, f.type);
  std::string s = d.str();
  d.end();
  return s;
}

InstanceStats& operator+=(InstanceStats& a, const InstanceStats& b) {
  for (auto field : kStatsFields) a.*field += b.*field;
  return a;
}

void addCounters(PluginCounters& a, const PluginCounters& b) {
  for (const auto& [name, value] : b) {
    auto& sum = a[name];
    sum = base::saturatingAdd(sum, value);
  }
}

}  // namespace ijro::isolation::protocol
