#include "hub/delivery/delivery.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>

#include "hub/base/backoff.hpp"
#include "hub/base/memory.hpp"
#include "hub/base/timestamp.hpp"
#include "hub/exchange/batch.hpp"
#include "hub/exchange/json_strict.hpp"

namespace ijro::delivery {

namespace json = boost::json;
using Clock = std::chrono::system_clock;

namespace {

std::string text(const json::object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string())
                                                  : std::string();
}

std::int64_t number(const json::object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_int64() ? it->value().as_int64() : 0;
}

// The receiver's words for a refusal: the problem's detail, else the start of the body.
std::string refusalText(const HttpAnswer& a) {
  std::error_code ec;
  auto v = json::parse(a.body, ec);
  if (!ec && v.is_object()) {
    auto detail = text(v.as_object(), "detail");
    if (!detail.empty()) return detail;
  }
  return a.body.substr(0, 300);
}

}  // namespace

std::optional<store::FeedBatch> makeBatch(store::Store& store, const Settings& settings) {
  // Entries a receiver rejected that someone queued for replay (`ijro-hub dlq replay`): their
  // current state goes into the next batch, with the new changes or alone.
  store::DeadLetterFilter queued;
  queued.kind = store::DeadLetterKind::Sink;
  queued.owner = kDeadLetterOwner;
  queued.states = {store::ReplayState::Queued};
  queued.limit = settings.batchSize;
  std::vector<store::Change> replayed;
  std::vector<std::int64_t> replayedIds;
  for (const auto& letter : store.deadLetters(queued)) {
    if (auto current = store.get(letter.key)) {
      // When the hub first accepted it, as the rejected batch said.
      std::string receivedAt;
      std::error_code ec;
      const auto record = json::parse(letter.record, ec);
      if (!ec && record.is_object()) receivedAt = text(record.as_object(), "receivedAt");
      replayed.push_back({letter.historyId.value_or(0), std::move(*current), receivedAt, {}});
      replayedIds.push_back(letter.id);
    } else {
      store.returnToDeadLetters(letter.id,
                                "the hub no longer holds this implementation under source \"" +
                                    letter.key.source + "\": nothing to send again");
    }
  }
  auto batch = store.appendFeedBatch(
      settings.hubId, settings.batchSize,
      [&](std::int64_t sequence, std::vector<store::Change>& changes) {
        for (const auto& r : replayed) changes.push_back(r);
        exchange::BatchHeader header;
        header.hub = settings.hubId;
        header.sequence = sequence;
        header.generatedAt = base::formatTimestamp(Clock::now());
        header.asOf = settings.today ? settings.today() : model::today();
        std::vector<exchange::BatchEntry> entries;
        entries.reserve(changes.size());
        for (auto& c : changes) {
          exchange::BatchEntry e;
          if (c.lineage) {
            // It came from another hub: its lineage as stored, which ends with this hub's own
            // hop; that hop leaves in this batch.
            e.lineage = std::move(*c.lineage);
            if (e.lineage.hubs.empty() || e.lineage.hubs.back().hub != settings.hubId)
              e.lineage.hubs.push_back({settings.hubId, 0, c.receivedAt});
            e.lineage.hubs.back().sequence = sequence;
          } else {
            e.lineage.source = c.current.source;
            e.lineage.adapter = settings.adapterOf ? settings.adapterOf(c.current.source) : "";
            e.lineage.receivedAt = c.receivedAt;
            e.lineage.revision = c.current.revision;
            e.lineage.hubs.push_back({settings.hubId, sequence, c.receivedAt});
          }
          e.implementation = std::move(c.current);
          entries.push_back(std::move(e));
        }
        auto xml = exchange::writeBatch(header, settings.rules, entries);
        return settings.sign ? settings.sign(xml) : xml;
      },
      !replayed.empty());
  // Sent again from now on (at least once: a crash before this line sends them twice, and the
  // receiver answers the second time duplicate).
  if (batch && !replayedIds.empty()) store.markReplayed(replayedIds);
  return batch;
}

Transport receiptTransport(HttpPost post) {
  return [post = std::move(post)](const store::FeedBatch& batch) {
    SendResult r;
    HttpAnswer a;
    try {
      a = post(batch.body);
    } catch (const std::exception& e) {
      r.kind = SendResult::Kind::Transient;
      r.reason = e.what();
      return r;
    }
    const std::string status = "HTTP " + std::to_string(a.status);
    if (a.status >= 500 || a.status == 408 || a.status == 429) {
      r.kind = SendResult::Kind::Transient;
      r.reason = status + ": " + refusalText(a);
      return r;
    }
    if (a.status < 200 || a.status >= 300) {
      r.kind = SendResult::Kind::Refused;
      r.reason = status + ": " + refusalText(a);
      return r;
    }
    // A receipt: {"summary": {...}, "records": [{"index", "measure", "region", "organisation",
    // "revision", "outcome", "reason"}]}. A 2xx without one is not a receipt: send again.
    // Parsed strictly: a receipt that names an entry's outcome twice is no receipt.
    json::value receipt;
    bool parsed = true;
    try {
      receipt = exchange::parseStrictJson(a.body, {}, "the receipt");
    } catch (const std::invalid_argument&) {
      parsed = false;
    }
    const json::array* records = nullptr;
    if (parsed && receipt.is_object())
      if (auto it = receipt.as_object().find("records");
          it != receipt.as_object().end() && it->value().is_array())
        records = &it->value().as_array();
    if (records == nullptr) {
      r.kind = SendResult::Kind::Transient;
      r.reason =
          status + " without a receipt (a JSON object with \"records\"): " + a.body.substr(0, 200);
      return r;
    }
    r.kind = SendResult::Kind::Delivered;
    for (const auto& item : *records) {
      if (!item.is_object()) continue;
      const auto& o = item.as_object();
      const auto outcome = text(o, "outcome");
      if (outcome == "accepted") {
        ++r.accepted;
      } else if (outcome == "duplicate" || outcome == "stale") {
        ++r.duplicates;  // the receiver holds it (or something newer) already
      } else {
        r.rejected.push_back({static_cast<std::size_t>(number(o, "index")), text(o, "measure"),
                              text(o, "region"), text(o, "organisation"), number(o, "revision"),
                              outcome + ": " + text(o, "reason")});
      }
    }
    return r;
  };
}

Delivery::Delivery(store::Store& store, Settings settings, Transport transport)
    : store_(store),
      settings_(std::move(settings)),
      transport_(std::move(transport)),
      random_(std::random_device{}()) {}

Delivery::~Delivery() {
  stop();
}

void Delivery::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Delivery::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Delivery::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

Delivery::Counters Delivery::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void Delivery::loop() {
  for (;;) {
    bool busy = false;
    try {
      busy = runOnce();
    } catch (const std::exception& e) {
      // A store that cannot be reached: the loop goes on and tries again at the next interval.
      std::lock_guard lock(mutex_);
      ++counters_.storeErrors;
      counters_.lastError = e.what();
      spdlog::error("feed delivery: {}", e.what());
    }
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    if (busy) continue;
    auto wait = settings_.interval;
    if (transport_ && failures_ > 0) {
      const auto untilSend = std::chrono::duration_cast<std::chrono::milliseconds>(
          nextSend_ - std::chrono::steady_clock::now());
      wait = std::max(std::chrono::milliseconds(1), std::min(wait, untilSend));
    }
    cv_.wait_for(lock, wait, [this] { return stopping_ || woken_; });
    woken_ = false;
    if (stopping_) return;
  }
}

bool Delivery::runOnce() {
  bool did = false;
  // A few batches per round, so that a long backlog of changes does not hold up sending.
  for (int i = 0; i < 4; ++i) {
    auto batch = makeBatch(store_, settings_);
    if (!batch) break;
    did = true;
    // A batch's text and documents are megabytes that the allocator keeps once freed; handing
    // them back keeps a long backlog's drain from growing the process (measured in
    // bench/RESULTS.md, "rss (feed drain, 1M backlog)").
    base::releaseFreeMemory();
    std::lock_guard lock(mutex_);
    ++counters_.batchesMade;
    counters_.entriesBatched += static_cast<std::uint64_t>(batch->entries);
  }
  if (!settings_.exchangeDir.empty() && writeExchangeFiles()) did = true;
  if (transport_) {
    bool due = false;
    {
      std::lock_guard lock(mutex_);
      due = failures_ == 0 || std::chrono::steady_clock::now() >= nextSend_;
    }
    if (due && sendOne()) did = true;
  }
  return did;
}

namespace {

// "<hub>-000000000042.xml" -> 42 for this hub; nullopt for any other name.
std::optional<std::int64_t> sequenceOfFile(const std::string& name, const std::string& hub) {
  const std::string prefix = hub + "-";
  if (name.size() != prefix.size() + 12 + 4 || name.rfind(prefix, 0) != 0 ||
      !name.ends_with(".xml"))
    return std::nullopt;
  std::int64_t n = 0;
  for (std::size_t i = prefix.size(); i < prefix.size() + 12; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    n = n * 10 + (name[i] - '0');
  }
  return n;
}

void writeAll(int fd, const std::string& bytes, const std::string& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
}

// The file appears whole under its name or not at all, and stays after a power cut.
void writeDurably(const std::filesystem::path& dir, const std::string& name,
                  const std::string& bytes) {
  const auto tmp = (dir / ("." + name + ".tmp")).string();
  const auto final = (dir / name).string();
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + tmp + ": " + std::strerror(errno));
  try {
    writeAll(fd, bytes, tmp);
    if (::fsync(fd) != 0)
      throw std::runtime_error("cannot fsync " + tmp + ": " + std::strerror(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), final.c_str()) != 0)
    throw std::runtime_error("cannot rename " + tmp + " to " + final + ": " + std::strerror(errno));
  const int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd >= 0) {
    ::fsync(dirFd);
    ::close(dirFd);
  }
}

}  // namespace

// Writes the batches after the last one in the exchange folder, a few per round.
bool Delivery::writeExchangeFiles() {
  const std::filesystem::path dir(settings_.exchangeDir);
  if (!exported_) {
    std::filesystem::create_directories(dir);
    std::int64_t last = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (auto n = sequenceOfFile(entry.path().filename().string(), settings_.hubId))
        last = std::max(last, *n);
    exported_ = last;
  }
  bool did = false;
  for (int i = 0; i < 4; ++i) {
    auto batch = store_.feedBatchAfter(*exported_);
    if (!batch) break;
    char name[32];
    std::snprintf(name, sizeof name, "-%012lld.xml", static_cast<long long>(batch->sequence));
    writeDurably(dir, settings_.hubId + name, batch->body);
    exported_ = batch->sequence;
    did = true;
    std::lock_guard lock(mutex_);
    ++counters_.filesWritten;
  }
  return did;
}

bool Delivery::sendOne() {
  auto batch = store_.claimFeedBatch(settings_.owner, settings_.lease);
  if (!batch) return false;
  SendResult r;
  try {
    r = transport_(*batch);
  } catch (const std::exception& e) {
    r.kind = SendResult::Kind::Transient;
    r.reason = e.what();
  }
  if (r.kind == SendResult::Kind::Delivered) {
    // The batch names each entry's source, which the receipt does not: the dead letter's key is
    // the implementation's row here, so a replay sends its current state again.
    std::map<std::size_t, std::string> sources, receivedAt;
    if (!r.rejected.empty()) {
      try {
        for (const auto& e : exchange::parseBatch(batch->body).entries) {
          sources[e.index] = e.source;
          if (e.entry) receivedAt[e.index] = e.entry->lineage.receivedAt;
        }
      } catch (const std::exception& e) {
        spdlog::warn(
            "feed delivery: batch {} cannot be read back ({}): its dead letters carry "
            "no source",
            batch->sequence, e.what());
      }
    }
    std::vector<store::DeadLetter> dead;
    for (const auto& x : r.rejected) {
      store::DeadLetter d;
      d.kind = store::DeadLetterKind::Sink;
      d.owner = kDeadLetterOwner;
      d.key = {sources[x.index], x.measure, x.region, x.organisation};
      d.revision = x.revision;
      json::object record{{"batch", batch->sequence},       {"entry", x.index},
                          {"measure", x.measure},           {"region", x.region},
                          {"organisation", x.organisation}, {"revision", x.revision},
                          {"source", sources[x.index]},     {"receivedAt", receivedAt[x.index]}};
      d.record = json::serialize(record);
      d.reason = "the receiver rejected entry " + std::to_string(x.index) + " of batch " +
                 std::to_string(batch->sequence) + ": " + x.reason;
      dead.push_back(std::move(d));
    }
    store_.feedBatchDelivered(batch->sequence, settings_.owner, dead);
    if (!dead.empty())
      spdlog::warn(
          "feed delivery: batch {}: {} entr{} rejected by the receiver (dead letters, "
          "owner \"{}\")",
          batch->sequence, dead.size(), dead.size() == 1 ? "y" : "ies", kDeadLetterOwner);
    std::lock_guard lock(mutex_);
    ++counters_.sends;
    ++counters_.delivered;
    counters_.entriesAccepted += r.accepted;
    counters_.entriesDuplicate += r.duplicates;
    counters_.entriesRejected += r.rejected.size();
    failures_ = 0;
    return true;
  }
  store_.feedBatchFailed(batch->sequence, settings_.owner, r.reason);
  std::lock_guard lock(mutex_);
  ++counters_.sends;
  ++failures_;
  counters_.lastError = r.reason;
  std::chrono::milliseconds delay;
  if (r.kind == SendResult::Kind::Refused) {
    ++counters_.refusals;
    delay = settings_.retryMax;
    spdlog::error("feed delivery: the receiver refused batch {}: {}; sending it again in {} ms",
                  batch->sequence, r.reason, delay.count());
  } else {
    ++counters_.transientFailures;
    delay = base::jittered(base::backoffFor(failures_, settings_.retryMin, settings_.retryMax),
                           random_);
    random_ = random_ * 6364136223846793005ULL + 1442695040888963407ULL;
    spdlog::warn("feed delivery: batch {} not delivered ({}); again in {} ms", batch->sequence,
                 r.reason, delay.count());
  }
  nextSend_ = std::chrono::steady_clock::now() + delay;
  return false;
}

std::vector<metrics::Family> Delivery::metrics() {
  const auto c = counters();
  using metrics::Type;
  std::vector<metrics::Family> out;
  auto one = [&](const char* name, const char* help, Type type, double value) {
    out.push_back({name, help, type, {{{}, value}}});
  };
  one("ijro_feed_batches_made_total", "Feed batches made from accepted changes.", Type::Counter,
      static_cast<double>(c.batchesMade));
  one("ijro_feed_entries_batched_total", "Entries put into feed batches.", Type::Counter,
      static_cast<double>(c.entriesBatched));
  if (!settings_.exchangeDir.empty())
    one("ijro_feed_exchange_files_total", "Feed batches written as XML exchange files.",
        Type::Counter, static_cast<double>(c.filesWritten));
  if (transport_) {
    one("ijro_feed_sends_total", "Feed batches sent, delivered or not.", Type::Counter,
        static_cast<double>(c.sends));
    one("ijro_feed_batches_delivered_total", "Feed batches the receiver answered with a receipt.",
        Type::Counter, static_cast<double>(c.delivered));
    one("ijro_feed_send_failures_total",
        "Sends without a receipt (no answer, 5xx, 408, 429): sent again after a back-off.",
        Type::Counter, static_cast<double>(c.transientFailures));
    one("ijro_feed_batches_refused_total",
        "Sends the receiver refused whole (4xx): sent again at the longest back-off.",
        Type::Counter, static_cast<double>(c.refusals));
    out.push_back({"ijro_feed_entries_total",
                   "Entries of delivered batches by the receiver's outcome.",
                   Type::Counter,
                   {{{{"outcome", "accepted"}}, static_cast<double>(c.entriesAccepted)},
                    {{{"outcome", "duplicate"}}, static_cast<double>(c.entriesDuplicate)},
                    {{{"outcome", "rejected"}}, static_cast<double>(c.entriesRejected)}}});
  }
  const auto backlog = store_.feedBacklog();
  one("ijro_feed_last_sequence", "The sequence of the hub's last feed batch.", Type::Gauge,
      static_cast<double>(backlog.lastSequence));
  one("ijro_feed_unbatched_changes", "Accepted changes not yet in a feed batch.", Type::Gauge,
      static_cast<double>(
          std::max<std::int64_t>(0, backlog.lastHistoryId - backlog.batchedHistoryId)));
  if (transport_) {
    one("ijro_feed_lag_batches", "Feed batches made but not yet delivered.", Type::Gauge,
        static_cast<double>(backlog.undelivered));
    double seconds = 0;
    if (auto oldest = base::parseTimestamp(backlog.oldestUndeliveredAt))
      seconds = std::max(0.0, std::chrono::duration<double>(Clock::now() - *oldest).count());
    one("ijro_feed_lag_seconds", "Age of the oldest feed batch not yet delivered (0: none).",
        Type::Gauge, seconds);
  }
  return out;
}

}  // namespace ijro::delivery
