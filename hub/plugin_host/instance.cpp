#include "hub/plugin_host/instance.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "hub/base/enum_names.hpp"
#include "hub/base/saturating.hpp"
#include "hub/plugin_host/reports.hpp"

namespace ijro::plugin_host {

namespace {

constexpr std::size_t kMaxLogLine = 8192;

constexpr base::NameTable<Status, 3> kStatusNames{{
    {Status::Ok, "ok"},
    {Status::Retry, "retry"},
    {Status::Error, "error"},
}};
static_assert(base::namesEvery(kStatusNames, Status::Ok, Status::Error));

std::optional<Status> statusFrom(std::int32_t raw) {
  switch (raw) {
    case IJRO_OK:
      return Status::Ok;
    case IJRO_RETRY:
      return Status::Retry;
    case IJRO_ERROR:
      return Status::Error;
    default:
      return std::nullopt;
  }
}

}  // namespace

bool validCounterName(std::string_view name) {
  if (name.empty() || name.size() > kMaxCounterName) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::string redactSecrets(std::string_view text, const std::vector<std::string>& secrets) {
  std::vector<const std::string*> longestFirst;
  for (const auto& s : secrets)
    if (!s.empty()) longestFirst.push_back(&s);
  std::sort(longestFirst.begin(), longestFirst.end(),
            [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
  std::string out(text);
  for (const std::string* s : longestFirst)
    for (auto at = out.find(*s); at != std::string::npos; at = out.find(*s, at + 3))
      out.replace(at, s->size(), "***");
  return out;
}

const char* toString(Status s) {
  return base::nameOf(kStatusNames, s);
}

// The host services behind ijro_host_api. They run on the plugin's side of the boundary, called
// from C: none may throw, and each checks that it is used where the ABI allows it.
struct Instance::Callbacks {
  static Instance* self(ijro_host* h) {
    return h == nullptr ? nullptr : static_cast<Instance*>(h->host_private);
  }

  // Inside a hook of this instance, on the thread running it.
  static bool inHook(Instance& in, const char* callback) {
    if (in.phase_.load() != Phase::Idle && in.hookThread_.load() == std::this_thread::get_id())
      return true;
    in.misuse(
        fmt::format("{} called outside a hook (or from another thread than the hook's)", callback));
    return false;
  }
  static bool inPoll(Instance& in, const char* callback) {
    if (!inHook(in, callback)) return false;
    if (in.phase_.load() == Phase::Polling) return true;
    in.misuse(fmt::format("{} called outside on_poll", callback));
    return false;
  }

  static void log(ijro_host* h, std::int32_t level, const char* message) noexcept {
    try {
      Instance* in = self(h);
      if (in == nullptr || message == nullptr) return;
      // Redacted before it is cut, so that no cut leaves the start of a secret behind.
      std::string text = redactSecrets(message, in->secrets_);
      if (text.size() > kMaxLogLine) text.resize(kMaxLogLine);
      auto lvl = spdlog::level::info;
      switch (level) {
        case IJRO_LOG_DEBUG:
          lvl = spdlog::level::debug;
          break;
        case IJRO_LOG_INFO:
          lvl = spdlog::level::info;
          break;
        case IJRO_LOG_WARN:
          lvl = spdlog::level::warn;
          break;
        default:  // IJRO_LOG_ERROR and anything newer than this hub knows
          lvl = spdlog::level::err;
          break;
      }
      spdlog::log(lvl, "plugin \"{}\" instance \"{}\": {}", in->plugin_.info().name, in->name_,
                  text);
    } catch (...) {
      // Logging must never fail the plugin; a log line lost under memory pressure is acceptable.
    }
  }

  static ijro_status emit(ijro_host* h, const char* json, std::size_t len) noexcept {
    try {
      Instance* in = self(h);
      if (in == nullptr || !inPoll(*in, "callback_emit_record")) return IJRO_ERROR;
      if (json == nullptr && len > 0) {
        in->misuse("callback_emit_record called with NULL json and a non-zero length");
        return IJRO_ERROR;
      }
      std::string refused;
      if (len > in->limits_.maxRecordBytes)
        refused = fmt::format("a record of {} bytes is larger than the limit of {} bytes", len,
                              in->limits_.maxRecordBytes);
      else if (in->pollRecords_.size() >= in->limits_.maxRecordsPerPoll)
        refused = fmt::format("more than {} records in one poll", in->limits_.maxRecordsPerPoll);
      if (!refused.empty()) {
        if (in->pollRefused_.empty()) in->pollRefused_ = refused;
        std::lock_guard lock(in->statsMutex_);
        ++in->stats_.recordsRefused;
        return IJRO_ERROR;
      }
      in->pollRecords_.emplace_back(json == nullptr ? "" : std::string(json, len));
      return IJRO_OK;
    } catch (...) {
      return IJRO_ERROR;  // out of memory: the record is not taken and the plugin is told so
    }
  }

  static ijro_status checkpointRead(ijro_host* h, const void** data, std::size_t* len) noexcept {
    try {
      Instance* in = self(h);
      if (in == nullptr || !inHook(*in, "callback_checkpoint_read")) return IJRO_ERROR;
      if (data == nullptr || len == nullptr) {
        in->misuse("callback_checkpoint_read called with NULL out-parameters");
        return IJRO_ERROR;
      }
      *data = in->checkpoint_ ? in->checkpoint_->data() : nullptr;
      *len = in->checkpoint_ ? in->checkpoint_->size() : 0;
      return IJRO_OK;
    } catch (...) {
      return IJRO_ERROR;
    }
  }

  static ijro_status checkpointCommit(ijro_host* h, const void* data, std::size_t len) noexcept {
    try {
      Instance* in = self(h);
      if (in == nullptr || !inPoll(*in, "callback_checkpoint_commit")) return IJRO_ERROR;
      if (data == nullptr && len > 0) {
        in->misuse("callback_checkpoint_commit called with NULL data and a non-zero length");
        return IJRO_ERROR;
      }
      if (len > in->limits_.maxCheckpointBytes) {
        in->misuse(fmt::format("a checkpoint of {} bytes is larger than the limit of {} bytes", len,
                               in->limits_.maxCheckpointBytes));
        return IJRO_ERROR;
      }
      in->pollCheckpoint_ = std::string(static_cast<const char*>(data), len);
      return IJRO_OK;
    } catch (...) {
      return IJRO_ERROR;
    }
  }

  // Whether `name` may name a counter or gauge; reports the misuse of `callback` otherwise.
  // Bounded: a name longer than the limit is refused without reading all of it.
  static bool metricName(Instance* in, const char* name, const char* callback) {
    if (name != nullptr &&
        validCounterName(std::string_view(name, ::strnlen(name, kMaxCounterName + 1))))
      return true;
    in->misuse(fmt::format("{} with an invalid name \"{}\" (use [a-z0-9_], at most {} characters)",
                           callback, name == nullptr ? "(null)" : name, kMaxCounterName));
    return false;
  }

  static void counterAdd(ijro_host* h, const char* name, std::int64_t delta) noexcept {
    try {
      Instance* in = self(h);
      if (in == nullptr) return;
      if (!metricName(in, name, "callback_counter_add")) return;
      std::lock_guard lock(in->statsMutex_);
      auto& counter = in->counters_[name];
      counter = base::saturatingAdd(counter, delta);  // a plugin may add any int64_t: no overflow
    } catch (...) {
      // A counter lost under memory pressure must not fail the plugin.
    }
  }

  static void gaugeSet(ijro_host* h, const char* name, double value) noexcept {
    try {
      Instance* in = self(h);
      if (in == nullptr) return;
      if (!metricName(in, name, "callback_gauge_set")) return;
      if (!std::isfinite(value)) {
        in->misuse(
            fmt::format("callback_gauge_set(\"{}\") with a value that is not finite; "
                        "the gauge keeps its last value",
                        name));
        return;
      }
      std::lock_guard lock(in->statsMutex_);
      in->gauges_[name] = value;
    } catch (...) {
      // A gauge lost under memory pressure must not fail the plugin.
    }
  }

  static const char* configGet(ijro_host* h, const char* name) noexcept {
    Instance* in = self(h);
    if (in == nullptr || name == nullptr) return nullptr;
    const std::string* v = in->options_.find(name);
    return v == nullptr ? nullptr : v->c_str();
  }

  static ijro_status reportXmlRead(ijro_host* h, const char* xml, std::size_t len,
                                   std::size_t maxBytes, const ijro_report_read** out) noexcept {
    try {
      if (out != nullptr) *out = nullptr;
      Instance* in = self(h);
      if (in == nullptr || !inHook(*in, "callback_report_xml_read")) return IJRO_ERROR;
      if (out == nullptr || (xml == nullptr && len > 0)) {
        in->misuse("callback_report_xml_read called with NULL out or NULL xml and a length");
        return IJRO_ERROR;
      }
      auto read = readReportForPlugin(std::string_view(xml == nullptr ? "" : xml, len), maxBytes);
      const bool ok = read->read();
      *out = read->c();
      in->reportsRead_.push_back(std::move(read));
      return ok ? IJRO_OK : IJRO_ERROR;
    } catch (...) {
      if (out != nullptr) *out = nullptr;
      return IJRO_ERROR;  // out of memory: nothing was read, and the plugin is told so
    }
  }

  static ijro_status reportXmlWrite(ijro_host* h, const char* source, const ijro_record* records,
                                    std::uint32_t count, const ijro_report_written** out) noexcept {
    try {
      if (out != nullptr) *out = nullptr;
      Instance* in = self(h);
      if (in == nullptr || !inHook(*in, "callback_report_xml_write")) return IJRO_ERROR;
      if (out == nullptr || (records == nullptr && count > 0)) {
        in->misuse("callback_report_xml_write called with NULL out or NULL records and a count");
        return IJRO_ERROR;
      }
      std::vector<std::string_view> texts;
      texts.reserve(count);
      for (std::uint32_t i = 0; i < count; ++i) {
        if (records[i].json == nullptr && records[i].json_len > 0) {
          in->misuse(fmt::format(
              "callback_report_xml_write called with record {} of NULL json and a length", i + 1));
          return IJRO_ERROR;
        }
        texts.emplace_back(records[i].json == nullptr ? "" : records[i].json, records[i].json_len);
      }
      auto written =
          writeReportForPlugin(source == nullptr ? "" : source, texts, in->limits_.maxRecordBytes);
      const bool ok = written->written();
      *out = written->c();
      in->reportsWritten_.push_back(std::move(written));
      return ok ? IJRO_OK : IJRO_ERROR;
    } catch (...) {
      if (out != nullptr) *out = nullptr;
      return IJRO_ERROR;
    }
  }

  static constexpr ijro_host_api kApi = {
      sizeof(ijro_host_api), IJRO_ABI_MAJOR,    IJRO_ABI_MINOR, &log,       &emit,
      &checkpointRead,       &checkpointCommit, &counterAdd,    &configGet, &reportXmlRead,
      &reportXmlWrite,       &gaugeSet,
  };
};

Instance::Instance(LoadedPlugin plugin, std::string name, ResolvedOptions options,
                   HostLimits limits)
    : plugin_(std::move(plugin)),
      name_(std::move(name)),
      options_(std::move(options)),
      limits_(limits) {
  if (limits_.messageCapacity < 256) limits_.messageCapacity = 256;
  for (const auto& [k, v] : options_.values) configEntries_.push_back({k.c_str(), v.c_str()});
  for (const auto& spec : plugin_.info().options)
    if (spec.type == OptionType::Secret)
      if (const std::string* v = options_.find(spec.name); v != nullptr && !v->empty())
        secrets_.push_back(*v);
  config_.struct_size = sizeof(ijro_config);
  config_.count = static_cast<std::uint32_t>(configEntries_.size());
  config_.entries = configEntries_.empty() ? nullptr : configEntries_.data();
  host_.api = &Callbacks::kApi;
  host_.host_private = this;
}

std::unique_ptr<Instance> Instance::create(LoadedPlugin plugin, std::string name,
                                           const OptionValues& options,
                                           std::optional<std::string> checkpoint,
                                           HostLimits limits) {
  ResolvedOptions resolved = resolveOptions(plugin.info(), options);
  std::unique_ptr<Instance> in(
      new Instance(std::move(plugin), std::move(name), std::move(resolved), limits));
  in->setCheckpoint(std::move(checkpoint));

  std::lock_guard lock(in->callMutex_);
  std::string message;
  const auto& d = in->plugin_.descriptor();
  Status s = in->callHook(
      Phase::Creating, "on_create",
      [&](ijro_message* m) { return d.on_create(&in->host_, &in->config_, &in->instance_, m); },
      message);
  if (s != Status::Ok) {
    in->instance_ = nullptr;  // on_destroy is not called after a failed on_create
    throw PluginError(PluginError::Reason::CreateFailed, in->plugin_.info().path,
                      fmt::format("{} ({})", message, in->plugin_.info().path.string()),
                      s == Status::Retry);
  }
  in->created_ = true;
  spdlog::debug("{} done", in->context("on_create"));
  return in;
}

Instance::~Instance() {
  if (!created_) return;
  std::lock_guard lock(callMutex_);
  std::string message;
  callHook(
      Phase::Destroying, "on_destroy",
      [&](ijro_message*) {
        plugin_.descriptor().on_destroy(instance_);
        return std::int32_t{IJRO_OK};
      },
      message);
}

std::string Instance::context(const char* hook) const {
  return fmt::format("plugin \"{}\" instance \"{}\" {}", plugin_.info().name, name_, hook);
}

void Instance::misuse(const std::string& what) {
  {
    std::lock_guard lock(statsMutex_);
    ++stats_.callbackMisuse;
  }
  spdlog::warn("plugin \"{}\" instance \"{}\": {} (a bug in the plugin; see ijro_plugin.h)",
               plugin_.info().name, name_, redactSecrets(what, secrets_));
}

template <typename F>
Status Instance::callHook(Phase phase, const char* hook, F&& call, std::string& message) {
  std::vector<char> buffer(limits_.messageCapacity + 1, '\0');
  ijro_message m{buffer.data(), limits_.messageCapacity};
  phase_ = phase;
  hookThread_ = std::this_thread::get_id();
  std::int32_t raw = IJRO_ERROR;
  std::string thrown;
  try {
    raw = std::forward<F>(call)(&m);
  } catch (const std::exception& e) {
    thrown = e.what();
  } catch (...) {
    thrown = "an exception not derived from std::exception";
  }
  phase_ = Phase::Idle;
  hookThread_ = std::thread::id();
  reportsRead_.clear();  // valid until the hook returns (ijro_plugin.h): it has
  reportsWritten_.clear();
  if (!thrown.empty()) {
    thrown = redactSecrets(thrown, secrets_);
    {
      std::lock_guard lock(statsMutex_);
      ++stats_.exceptions;
    }
    message = fmt::format(
        "{} failed: it threw across the C ABI ({}); hooks must catch every "
        "exception (the C++ SDK's trampolines do): fix the plugin",
        context(hook), thrown);
    spdlog::error("{}", message);
    return Status::Error;
  }
  buffer.back() = '\0';  // whatever the plugin wrote, the text ends inside the buffer
  message = redactSecrets(buffer.data(), secrets_);
  return fromPlugin(raw, hook, message);
}

Status Instance::fromPlugin(std::int32_t raw, const char* hook, std::string& message) {
  std::optional<Status> s = statusFrom(raw);
  if (s == Status::Ok) {
    message.clear();
    return Status::Ok;
  }
  if (!s) {
    message = fmt::format(
        "{} returned unknown status {} (expected IJRO_OK, IJRO_RETRY or "
        "IJRO_ERROR); taken as an error{}{}",
        context(hook), raw, message.empty() ? "" : ": ", message);
    spdlog::warn("{}", message);
    return Status::Error;
  }
  message = fmt::format("{} failed ({}): {}", context(hook), toString(*s),
                        message.empty() ? "the plugin gave no reason" : message);
  spdlog::warn("{}", message);
  return *s;
}

PollResult Instance::poll() {
  const auto& d = plugin_.descriptor();
  if (plugin_.info().kind != Kind::Source)
    throw std::logic_error(
        fmt::format("poll() on {}, a {}", context("instance"), toString(plugin_.info().kind)));
  std::lock_guard lock(callMutex_);
  pollRecords_.clear();
  pollCheckpoint_.reset();
  pollRefused_.clear();

  PollResult out;
  out.status = callHook(
      Phase::Polling, "on_poll", [&](ijro_message* m) { return d.on_poll(instance_, m); },
      out.message);
  if (out.status == Status::Ok && !pollRefused_.empty()) {
    // The plugin ignored a refused emit: taking the rest would lose records behind a checkpoint.
    out.status = Status::Error;
    out.message = fmt::format(
        "{} returned IJRO_OK, but the host refused records ({}); the poll "
        "is discarded and the checkpoint stays: emit fewer or smaller "
        "records per poll",
        context("on_poll"), pollRefused_);
    spdlog::warn("{}", out.message);
  }

  std::lock_guard countLock(statsMutex_);
  ++stats_.polls;
  if (out.status != Status::Ok) {
    ++stats_.pollsFailed;
  } else {
    stats_.recordsEmitted += pollRecords_.size();
    out.records = std::move(pollRecords_);
    out.checkpoint = std::move(pollCheckpoint_);
  }
  pollRecords_.clear();
  pollCheckpoint_.reset();
  return out;
}

DeliverResult Instance::deliver(std::span<const std::string> records) {
  const auto& d = plugin_.descriptor();
  if (plugin_.info().kind != Kind::Sink)
    throw std::logic_error(
        fmt::format("deliver() on {}, a {}", context("instance"), toString(plugin_.info().kind)));
  if (records.size() > std::numeric_limits<std::uint32_t>::max())
    throw std::invalid_argument("a batch of more than 2^32-1 records");

  // Host-owned for the duration of the hook: std::string keeps a NUL after json_len bytes.
  std::vector<ijro_record> items;
  items.reserve(records.size());
  for (const auto& r : records) items.push_back({r.c_str(), r.size()});
  ijro_batch batch{sizeof(ijro_batch), static_cast<std::uint32_t>(items.size()),
                   items.empty() ? nullptr : items.data()};
  std::vector<ijro_status> results(items.size(), IJRO_OK);

  std::lock_guard lock(callMutex_);
  DeliverResult out;
  out.status = callHook(
      Phase::Delivering, "on_deliver",
      [&](ijro_message* m) { return d.on_deliver(instance_, &batch, results.data(), m); },
      out.message);
  out.records.assign(records.size(), out.status);
  if (out.status == Status::Ok) {
    for (std::size_t i = 0; i < results.size(); ++i) {
      std::optional<Status> s = statusFrom(results[i]);
      if (!s)
        misuse(
            fmt::format("on_deliver answered unknown status {} for record {}; taken as an "
                        "error",
                        results[i], i + 1));
      out.records[i] = s.value_or(Status::Error);
    }
  }

  std::lock_guard countLock(statsMutex_);
  ++stats_.batches;
  if (out.status != Status::Ok) ++stats_.batchesFailed;
  for (Status s : out.records) {
    if (s == Status::Ok) ++stats_.recordsDelivered;
    if (s == Status::Retry) ++stats_.recordsRetry;
    if (s == Status::Error) ++stats_.recordsFailed;
  }
  return out;
}

TransformResult Instance::transform(std::string_view record) {
  const auto& d = plugin_.descriptor();
  if (plugin_.info().kind != Kind::Transform)
    throw std::logic_error(
        fmt::format("transform() on {}, a {}", context("instance"), toString(plugin_.info().kind)));
  const std::string input(record);  // NUL-terminated for the plugin
  ijro_record in{input.c_str(), input.size()};
  ijro_record mapped{nullptr, 0};

  std::lock_guard lock(callMutex_);
  TransformResult out;
  out.status = callHook(
      Phase::Transforming, "on_transform",
      [&](ijro_message* m) { return d.on_transform(instance_, &in, &mapped, m); }, out.message);
  if (out.status == Status::Ok && mapped.json != nullptr) {
    if (mapped.json_len > limits_.maxRecordBytes) {
      out.status = Status::Error;
      out.message = fmt::format("{} mapped a record to {} bytes, more than the limit of {} bytes",
                                context("on_transform"), mapped.json_len, limits_.maxRecordBytes);
      spdlog::warn("{}", out.message);
    } else {
      out.record.emplace(mapped.json, mapped.json_len);
    }
  } else if (out.status == Status::Ok && mapped.json_len > 0) {
    misuse("on_transform set a length but no pointer for its output; the record is dropped");
  }

  std::lock_guard countLock(statsMutex_);
  ++stats_.transforms;
  if (out.status != Status::Ok) ++stats_.transformsFailed;
  if (out.status == Status::Ok && !out.record) ++stats_.transformsDropped;
  return out;
}

void Instance::setCheckpoint(std::optional<std::string> checkpoint) {
  std::lock_guard lock(callMutex_);
  if (checkpoint && checkpoint->empty()) checkpoint.reset();  // zero bytes: none
  checkpoint_ = std::move(checkpoint);
}

std::optional<std::string> Instance::checkpoint() const {
  std::lock_guard lock(callMutex_);
  return checkpoint_;
}

InstanceStats Instance::stats() const {
  std::lock_guard lock(statsMutex_);
  return stats_;
}

PluginCounters Instance::counters() const {
  std::lock_guard lock(statsMutex_);
  return counters_;
}

PluginGauges Instance::gauges() const {
  std::lock_guard lock(statsMutex_);
  return gauges_;
}

}  // namespace ijro::plugin_host
