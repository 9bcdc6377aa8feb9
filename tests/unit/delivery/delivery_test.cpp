// The outgoing feed from the store to a receiver: batches are signed feed documents carrying
// each change's lineage; a batch is sent again until a receipt comes, the receiver's rejections
// become dead letters, and the backlog is the store's, so a new process picks it up.
#include "hub/delivery/delivery.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>

#include "hub/exchange/batch.hpp"
#include "hub/xml/signature.hpp"
#include "tests/support/test_support.hpp"
#include "tests/support/wait.hpp"

namespace ijro::delivery {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Clock = std::chrono::system_clock;

model::Implementation record(int i, const std::string& source = "tashkent-city") {
  model::Implementation x;
  x.source = source;
  x.revision = 1;
  x.measure.id = "DU2030-1." + std::to_string(i);
  x.measure.title = "Measure " + std::to_string(i);
  x.measure.act = {"decree", "UP-6079", model::Date{std::chrono::year{2020} / 10 / 5}, ""};
  x.region = "1726";
  x.organisation = "Tashkent City Health Department";
  x.sector = "health";
  x.lifecycle = model::Lifecycle::InProgress;
  x.start = model::Date{std::chrono::year{2026} / 1 / 1};
  x.deadline = model::Date{std::chrono::year{2026} / 12 / 31};
  return x;
}

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::tempDir("delivery");
    store_ = store::Store::open("sqlite:" + (dir_ / "hub.db").string(), 2);
    keys_ = xml::makeSelfSignedKeyPair("hub-a", 30);
    key_ = xml::signingKeyFromPem(keys_.keyPem, keys_.certPem, "test key");
  }
  Settings settings() {
    Settings s;
    s.hubId = "hub-a";
    s.batchSize = 2;
    s.retryMin = std::chrono::milliseconds(1);
    s.retryMax = std::chrono::milliseconds(4);
    s.interval = std::chrono::milliseconds(5);
    s.owner = "test-process";
    s.sign = [key = key_](const std::string& xml) { return xml::signEnveloped(xml, *key); };
    s.adapterOf = [](const std::string& source) {
      return source == "fhir" ? std::string("health-fhir 0.2.0") : std::string("http");
    };
    s.today = [] { return model::Date{std::chrono::year{2026} / 12 / 2}; };
    return s;
  }
  void add(int from, int to, const std::string& source = "tashkent-city") {
    for (int i = from; i <= to; ++i) store_->upsert(std::vector{record(i, source)}, Clock::now());
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  xml::KeyPairPem keys_;
  std::shared_ptr<const xml::SigningKey> key_;
};

TEST_F(DeliveryTest, BatchIsASignedFeedWhoseEntriesCarryTheirLineage) {
  add(1, 1, "fhir");
  add(2, 2);
  auto batch = makeBatch(*store_, settings());
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->sequence, 1);

  auto verdict = xml::verifyEnveloped(batch->body, {keys_.certPem});
  EXPECT_TRUE(verdict.ok) << verdict.reason;
  auto parsed = exchange::parseBatch(batch->body);
  EXPECT_EQ(parsed.header.hub, "hub-a");
  EXPECT_EQ(parsed.header.sequence, 1);
  EXPECT_EQ(model::formatDate(parsed.header.asOf), "2026-12-02");
  ASSERT_EQ(parsed.entries.size(), 2u);
  const auto& first = parsed.entries[0].entry;
  ASSERT_TRUE(first) << ::testing::PrintToString(parsed.entries[0].errors);
  EXPECT_EQ(first->implementation.measure.id, "DU2030-1.1");
  EXPECT_EQ(first->lineage.source, "fhir");
  EXPECT_EQ(first->lineage.adapter, "health-fhir 0.2.0");
  EXPECT_EQ(first->lineage.revision, 1);
  EXPECT_EQ(first->lineage.receivedAt, store_->changesAfter(0, 1).at(0).receivedAt);
  ASSERT_EQ(first->lineage.hubs.size(), 1u);
  EXPECT_EQ(first->lineage.hubs[0].hub, "hub-a");
  EXPECT_EQ(first->lineage.hubs[0].sequence, 1);
  ASSERT_TRUE(parsed.entries[1].entry);
  EXPECT_EQ(parsed.entries[1].entry->lineage.adapter, "http");

  // Stored as signed: a pull reads the very bytes.
  EXPECT_EQ(store_->feedBatchAfter(0)->body, batch->body);
}

HttpAnswer receipt(const std::string& records) {
  return {200, R"({"summary":{},"records":[)" + records + "]}"};
}

TEST(ReceiptTransport, ReceiptOutcomesAndFailuresAreToldApart) {
  std::deque<std::function<HttpAnswer()>> answers{
      [] {
        return receipt(
            R"({"index":1,"outcome":"accepted"},{"index":2,"outcome":"duplicate"},)"
            R"({"index":3,"measure":"M-3","region":"1703","organisation":"X","revision":4,)"
            R"("outcome":"rejected","reason":"region 1703 is not one hub-a speaks for"})");
      },
      [] {
        return HttpAnswer{503, R"({"detail":"the store is unavailable"})"};
      },
      [] {
        return HttpAnswer{403, R"({"detail":"hub \"hub-a\" is not configured"})"};
      },
      []() -> HttpAnswer { throw std::runtime_error("connection reset by peer"); },
      [] {
        return HttpAnswer{200, "<html>a proxy's page</html>"};
      },
  };
  auto transport = receiptTransport([&](const std::string&) {
    auto next = answers.front();
    answers.pop_front();
    return next();
  });
  store::FeedBatch b;
  auto r = transport(b);
  EXPECT_EQ(r.kind, SendResult::Kind::Delivered);
  EXPECT_EQ(r.accepted, 1u);
  EXPECT_EQ(r.duplicates, 1u);
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].index, 3u);
  EXPECT_EQ(r.rejected[0].measure, "M-3");
  EXPECT_EQ(r.rejected[0].revision, 4);
  EXPECT_THAT(r.rejected[0].reason, HasSubstr("not one hub-a speaks for"));

  r = transport(b);
  EXPECT_EQ(r.kind, SendResult::Kind::Transient);
  EXPECT_EQ(r.reason, "HTTP 503: the store is unavailable");
  r = transport(b);
  EXPECT_EQ(r.kind, SendResult::Kind::Refused);
  EXPECT_EQ(r.reason, "HTTP 403: hub \"hub-a\" is not configured");
  r = transport(b);
  EXPECT_EQ(r.kind, SendResult::Kind::Transient);
  EXPECT_EQ(r.reason, "connection reset by peer");
  r = transport(b);
  EXPECT_EQ(r.kind, SendResult::Kind::Transient);
  EXPECT_THAT(r.reason, HasSubstr("without a receipt"));
}

// A receiver that fails the first sends, then answers with a receipt rejecting the batch's
// second entry; it records what it was sent.
struct FlakyReceiver {
  std::mutex m;
  int failuresLeft = 2;
  bool rejectSecond = true;
  std::vector<std::string> bodies;
  SendResult operator()(const store::FeedBatch& b) {
    std::lock_guard lock(m);
    bodies.push_back(b.body);
    if (failuresLeft > 0) {
      --failuresLeft;
      return {SendResult::Kind::Transient, "connection refused", {}, 0, 0};
    }
    SendResult r;
    r.kind = SendResult::Kind::Delivered;
    r.accepted = 1;
    if (rejectSecond)  // the first batch's second entry, once
      r.rejected.push_back(
          {2, "DU2030-1.2", "1726", "Tashkent City Health Department", 1, "rejected: a reason"});
    rejectSecond = false;
    return r;
  }
};

TEST_F(DeliveryTest, BatchIsSentAgainUntilAReceiptAndRejectedEntriesBecomeDeadLetters) {
  add(1, 2);
  FlakyReceiver receiver;
  Delivery d(*store_, settings(), [&](const store::FeedBatch& b) { return receiver(b); });
  d.start();
  ASSERT_TRUE(test::waitFor([&] { return d.counters().delivered == 1; }));
  d.stop();
  {
    std::lock_guard lock(receiver.m);
    ASSERT_EQ(receiver.bodies.size(), 3u);
    // Every resend is byte-identical.
    EXPECT_EQ(receiver.bodies[1], receiver.bodies[0]);
    EXPECT_EQ(receiver.bodies[2], receiver.bodies[0]);
  }
  const auto c = d.counters();
  EXPECT_EQ(c.transientFailures, 2u);
  EXPECT_EQ(c.entriesRejected, 1u);
  EXPECT_EQ(store_->feedBacklog().undelivered, 0);

  store::DeadLetterFilter f;
  f.owner = kDeadLetterOwner;
  auto letters = store_->deadLetters(f);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].key.measureId, "DU2030-1.2");
  EXPECT_THAT(letters[0].reason,
              HasSubstr("the receiver rejected entry 2 of batch 1: rejected: a reason"));
}

TEST_F(DeliveryTest, RejectedEntryQueuedForReplayIsSentAgainInTheNextBatch) {
  add(1, 2);
  FlakyReceiver receiver;
  receiver.failuresLeft = 0;
  Delivery d(*store_, settings(), [&](const store::FeedBatch& b) { return receiver(b); });
  while (d.runOnce()) {
  }
  store::DeadLetterFilter f;
  f.owner = kDeadLetterOwner;
  auto letters = store_->deadLetters(f);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].key.source, "tashkent-city");  // read back from the batch sent

  // Nothing new was accepted, yet the replayed entry goes out in batch 2.
  EXPECT_EQ(store_->queueReplay(f).size(), 1u);
  while (d.runOnce()) {
  }
  std::lock_guard lock(receiver.m);
  ASSERT_EQ(receiver.bodies.size(), 2u);
  auto second = exchange::parseBatch(receiver.bodies[1]);
  EXPECT_EQ(second.header.sequence, 2);
  ASSERT_EQ(second.entries.size(), 1u);
  ASSERT_TRUE(second.entries[0].entry) << ::testing::PrintToString(second.entries[0].errors);
  EXPECT_EQ(second.entries[0].entry->implementation.measure.id, "DU2030-1.2");
  EXPECT_EQ(second.entries[0].entry->lineage.receivedAt,
            exchange::parseBatch(receiver.bodies[0]).entries[1].entry->lineage.receivedAt);
  f.states = {store::ReplayState::Replayed};
  EXPECT_EQ(store_->deadLetters(f).size(), 1u);
}

TEST_F(DeliveryTest, ExchangeFolderHoldsEachBatchOnceAsItsSignedBytesAndAMissingOneIsWrittenAgain) {
  add(1, 5);
  auto s = settings();
  s.exchangeDir = (dir_ / "exchange").string();
  {
    Delivery d(*store_, s, {});
    while (d.runOnce()) {
    }
    EXPECT_EQ(d.counters().filesWritten, 3u);
  }
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir_ / "exchange"))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_THAT(names, ElementsAre("hub-a-000000000001.xml", "hub-a-000000000002.xml",
                                 "hub-a-000000000003.xml"));
  for (std::int64_t seq = 1; seq <= 3; ++seq) {
    const auto body = test::readFile(dir_ / "exchange" / names[static_cast<std::size_t>(seq - 1)]);
    EXPECT_EQ(body, store_->feedBatchAfter(seq - 1)->body);
    EXPECT_TRUE(xml::verifyEnveloped(body, {keys_.certPem}).ok);
  }
  // The last file lost (a crash before its rename): the next process writes it, and only it.
  std::filesystem::remove(dir_ / "exchange" / names[2]);
  Delivery again(*store_, s, {});
  while (again.runOnce()) {
  }
  EXPECT_EQ(again.counters().filesWritten, 1u);
  EXPECT_EQ(test::readFile(dir_ / "exchange" / names[2]), store_->feedBatchAfter(2)->body);
}

TEST_F(DeliveryTest, BacklogLivesInTheStoreAndANewProcessSendsIt) {
  add(1, 5);
  {
    // The first process makes batches but is gone before it sends any.
    Delivery first(*store_, settings(), {});
    while (first.runOnce()) {
    }
  }
  EXPECT_EQ(store_->feedBacklog().undelivered, 3);  // 5 changes, 2 per batch

  std::mutex m;
  std::vector<std::int64_t> sent;
  auto s = settings();
  Delivery second(*store_, s, [&](const store::FeedBatch& b) {
    std::lock_guard lock(m);
    sent.push_back(b.sequence);
    SendResult r;
    r.kind = SendResult::Kind::Delivered;
    return r;
  });
  while (second.runOnce()) {
  }
  EXPECT_THAT(sent, ElementsAre(1, 2, 3));
  EXPECT_EQ(store_->feedBacklog().undelivered, 0);
  EXPECT_EQ(store_->feedBacklog().lastSequence, 3);
}

TEST_F(DeliveryTest, MetricsShowTheLagInBatchesAndSeconds) {
  add(1, 3);
  Delivery d(*store_, settings(), [](const store::FeedBatch&) {
    return SendResult{SendResult::Kind::Transient, "down", {}, 0, 0};
  });
  d.runOnce();
  std::map<std::string, double> values;
  for (const auto& f : d.metrics())
    if (f.samples.size() == 1) values[f.name] = f.samples[0].value;
  EXPECT_EQ(values["ijro_feed_lag_batches"], 2);
  EXPECT_EQ(values["ijro_feed_last_sequence"], 2);
  EXPECT_EQ(values["ijro_feed_send_failures_total"], 1);
  EXPECT_GE(values["ijro_feed_lag_seconds"], 0);
  EXPECT_EQ(values["ijro_feed_unbatched_changes"], 0);
}

}  // namespace
}  // namespace ijro::delivery
