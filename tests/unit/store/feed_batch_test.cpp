// The hub's outgoing feed on both backends: batches take a gap-free sequence and each change
// once, also with several writers on one database; a batch is sent by one sender at a time and
// delivered once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "store_fixture.hpp"

namespace ijro::store::test {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::system_clock;

class FeedBatchTest : public StoreTest {};

model::Implementation numbered(int i, std::int64_t revision = 1) {
  auto x = sample("M-" + std::to_string(i));
  x.source = "tests";
  x.revision = revision;
  return x;
}

// The batch's body names its sequence and its changes, so a test can tell what was built.
std::string describe(std::int64_t sequence, const std::vector<Change>& changes) {
  std::string out = "batch " + std::to_string(sequence) + ":";
  for (const auto& c : changes)
    out += " " + c.current.measure.id + "@" + std::to_string(c.historyId);
  return out;
}

TEST_P(FeedBatchTest, BatchesTakeGapFreeSequencesAndCarryEachChangeOnce) {
  auto s = db().open();
  EXPECT_FALSE(s->appendFeedBatch("hub-a", 10, describe).has_value());  // nothing yet
  for (int i = 1; i <= 5; ++i) s->upsert(std::vector{numbered(i)}, Clock::now());

  auto b1 = s->appendFeedBatch("hub-a", 2, describe);
  auto b2 = s->appendFeedBatch("hub-a", 2, describe);
  auto b3 = s->appendFeedBatch("hub-a", 2, describe);
  ASSERT_TRUE(b1 && b2 && b3);
  EXPECT_FALSE(s->appendFeedBatch("hub-a", 2, describe).has_value());
  EXPECT_EQ(b1->sequence, 1);
  EXPECT_EQ(b2->sequence, 2);
  EXPECT_EQ(b3->sequence, 3);
  EXPECT_EQ(b1->body, "batch 1: M-1@1 M-2@2");
  EXPECT_EQ(b2->body, "batch 2: M-3@3 M-4@4");
  EXPECT_EQ(b3->body, "batch 3: M-5@5");
  EXPECT_EQ(b3->firstHistoryId, 5);
  EXPECT_EQ(b3->lastHistoryId, 5);

  // Stored as built: what a resend or a pull reads is the same bytes.
  EXPECT_EQ(s->feedBatchAfter(0)->body, b1->body);
  EXPECT_EQ(s->feedBatchAfter(2)->body, b3->body);
  EXPECT_FALSE(s->feedBatchAfter(3).has_value());

  // A later change of an implementation already sent goes into the next batch.
  s->upsert(std::vector{numbered(2, 2)}, Clock::now());
  auto b4 = s->appendFeedBatch("hub-a", 10, describe);
  ASSERT_TRUE(b4);
  EXPECT_EQ(b4->body, "batch 4: M-2@6");
  auto backlog = s->feedBacklog();
  EXPECT_EQ(backlog.lastSequence, 4);
  EXPECT_EQ(backlog.undelivered, 4);
  EXPECT_EQ(backlog.batchedHistoryId, 6);
  EXPECT_EQ(backlog.lastHistoryId, 6);
  EXPECT_FALSE(backlog.oldestUndeliveredAt.empty());
}

TEST_P(FeedBatchTest, ChangeCarriesWhenItsCurrentStateWasAccepted) {
  auto s = db().open();
  s->upsert(std::vector{numbered(1)}, Clock::now());
  auto changes = s->changesAfter(0, 10);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].receivedAt.size(), 20u) << changes[0].receivedAt;  // 2026-01-02T03:04:05Z
  EXPECT_EQ(changes[0].receivedAt, db().text("SELECT received_at FROM implementation"));
}

TEST_P(FeedBatchTest, BuilderThatFailsLeavesNoBatchAndNoSequenceUsed) {
  auto s = db().open();
  s->upsert(std::vector{numbered(1)}, Clock::now());
  EXPECT_THROW(s->appendFeedBatch("hub-a", 10,
                                  [](std::int64_t, std::vector<Change>&) -> std::string {
                                    throw std::invalid_argument("cannot write");
                                  }),
               std::invalid_argument);
  EXPECT_EQ(db().scalar("SELECT count(*) FROM feed_batch"), 0);
  auto b = s->appendFeedBatch("hub-a", 10, describe);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->sequence, 1);
}

TEST_P(FeedBatchTest, FeedOfAnotherHubIdIsRefused) {
  auto s = db().open();
  s->upsert(std::vector{numbered(1)}, Clock::now());
  ASSERT_TRUE(s->appendFeedBatch("hub-a", 10, describe));
  s->upsert(std::vector{numbered(2)}, Clock::now());
  try {
    s->appendFeedBatch("hub-b", 10, describe);
    FAIL() << "another hub's id was taken";
  } catch (const StoreError& e) {
    EXPECT_THAT(e.what(), HasSubstr("belongs to hub \"hub-a\", not to \"hub-b\""));
  }
  EXPECT_EQ(db().scalar("SELECT count(*) FROM feed_batch"), 1);
}

// Two stores on one database are two processes of one hub: batches made by both at once while
// records keep arriving still number 1, 2, 3, ... and carry every change exactly once.
TEST_P(FeedBatchTest, TwoProcessesMakingBatchesAtOnceNeverShareASequenceOrAChange) {
  auto a = db().open(2), b = db().open(2), writer = db().open(2);
  constexpr int kRecords = 120;
  std::mutex m;
  std::condition_variable changed;
  int written = 0;    // records the writer has stored (under m)
  bool done = false;  // under m
  std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> ranges;  // sequence -> ids
  // A batcher that found nothing waits for the writer's next record instead of asking again at
  // once: two loops of write transactions would keep the writer from its turn.
  auto batcher = [&](Store& s) {
    int seen = 0;
    try {
      for (;;) {
        bool last = false;
        {
          std::lock_guard<std::mutex> lock(m);
          last = done;
          seen = written;
        }
        auto batch = s.appendFeedBatch("hub-a", 7, describe);
        std::unique_lock<std::mutex> lock(m);
        if (batch) {
          EXPECT_TRUE(
              ranges
                  .emplace(batch->sequence, std::pair{batch->firstHistoryId, batch->lastHistoryId})
                  .second)
              << "sequence " << batch->sequence << " given out twice";
        } else if (last) {
          return;
        } else {
          changed.wait(lock, [&] { return done || written != seen; });
        }
      }
    } catch (const std::exception& e) {
      ADD_FAILURE() << "a batcher failed: " << e.what();
    }
  };
  std::thread ta(batcher, std::ref(*a)), tb(batcher, std::ref(*b));
  for (int i = 1; i <= kRecords; ++i) {
    writer->upsert(std::vector{numbered(i)}, Clock::now());
    {
      std::lock_guard<std::mutex> lock(m);
      ++written;
    }
    changed.notify_all();
  }
  {
    std::lock_guard<std::mutex> lock(m);
    done = true;
  }
  changed.notify_all();
  ta.join();
  tb.join();
  ASSERT_FALSE(ranges.empty());
  std::int64_t expectSequence = 1, expectFirst = 1;
  for (const auto& [sequence, range] : ranges) {
    EXPECT_EQ(sequence, expectSequence++);
    EXPECT_EQ(range.first, expectFirst) << "batch " << sequence;
    EXPECT_GE(range.second, range.first);
    expectFirst = range.second + 1;
  }
  EXPECT_EQ(expectFirst, kRecords + 1);  // every change in exactly one batch
}

TEST_P(FeedBatchTest, BatchIsSentByOneSenderAtATimeAndDeliveredOnce) {
  auto s = db().open();
  for (int i = 1; i <= 3; ++i) {
    s->upsert(std::vector{numbered(i)}, Clock::now());
    ASSERT_TRUE(s->appendFeedBatch("hub-a", 10, describe));
  }
  auto p1 = s->claimFeedBatch("process-1", std::chrono::seconds(60));
  auto p2 = s->claimFeedBatch("process-2", std::chrono::seconds(60));
  ASSERT_TRUE(p1 && p2);
  EXPECT_EQ(p1->sequence, 1);
  EXPECT_EQ(p2->sequence, 2);  // not the one process 1 holds

  // Process 1's send failed: the batch is free again, the attempt counted.
  s->feedBatchFailed(1, "process-1", "connection refused");
  auto again = s->claimFeedBatch("process-2", std::chrono::seconds(60));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->sequence, 1);
  EXPECT_EQ(again->attempts, 1);
  EXPECT_EQ(again->lastError, "connection refused");
  EXPECT_EQ(again->body, "batch 1: M-1@1");

  DeadLetter d;
  d.kind = DeadLetterKind::Sink;
  d.owner = "ministry";
  d.key = {"tests", "M-1", "1703", "Ministry of Health"};
  d.record = "entry 1";
  d.reason = "rejected by the receiver";
  s->feedBatchDelivered(1, "process-2", std::vector{d});
  // A sender whose lease outlived the delivery reports it too: nothing is added twice.
  s->feedBatchDelivered(1, "process-1", std::vector{d});
  EXPECT_EQ(db().scalar("SELECT count(*) FROM dead_letter"), 1);
  EXPECT_EQ(s->feedBacklog().undelivered, 2);

  auto third = s->claimFeedBatch("process-1", std::chrono::seconds(60));
  ASSERT_TRUE(third);
  EXPECT_EQ(third->sequence, 3);
  EXPECT_FALSE(s->claimFeedBatch("process-1", std::chrono::seconds(60)).has_value());
}

TEST_P(FeedBatchTest, LeaseOfASenderThatDiedRunsOutAndAnotherTakesTheBatch) {
  auto s = db().open();
  s->upsert(std::vector{numbered(1)}, Clock::now());
  ASSERT_TRUE(s->appendFeedBatch("hub-a", 10, describe));
  // A lease that ended a second ago: its sender is gone.
  ASSERT_TRUE(s->claimFeedBatch("died", std::chrono::seconds(-1)));
  auto taken = s->claimFeedBatch("alive", std::chrono::seconds(60));
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->sequence, 1);
  EXPECT_FALSE(s->claimFeedBatch("third", std::chrono::seconds(60)).has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, FeedBatchTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

}  // namespace
}  // namespace ijro::store::test
