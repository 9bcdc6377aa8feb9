// Feed batches received from other hubs and the lineage of stored records, on both backends:
// written in the upsert's transaction, read back per sending hub (last batch, highest sequence,
// gaps) and with each change of the change feed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store_fixture.hpp"

namespace ijro::store::test {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class FeedBatchStoreTest : public StoreTest {};

const auto kAt = std::chrono::system_clock::time_point(std::chrono::seconds(1796000000));

model::Lineage lineage(const std::string& source, std::int64_t revision) {
  return {source,
          "health-fhir 0.2.0",
          "2026-11-27T08:00:00Z",
          revision,
          {{"yunusobod", 9, "2026-11-27T08:00:00Z"},
           {"tashkent-city", 4, "2026-11-27T09:00:00Z"},
           {"ministry", 0, "2026-11-28T10:00:00Z"}}};
}

model::Implementation fromHub(const std::string& measure, std::int64_t revision = 1) {
  auto x = sample(measure, "1726", "Ministry of Health", revision);
  x.source = "tashkent-city/health-fhir";
  return x;
}

// Upserts `records` as the feed batch `sequence` of tashkent-city, each with its lineage.
std::vector<UpsertResult> receive(Store& s, std::int64_t sequence,
                                  const std::vector<model::Implementation>& records,
                                  std::int64_t rejectedBefore = 0) {
  UpsertOptions o;
  for (const auto& r : records) o.lineage.push_back(lineage("health-fhir", r.revision));
  ReceivedBatch b;
  b.hub = "tashkent-city";
  b.sequence = sequence;
  b.digest = std::string(64, 'a' + static_cast<char>(sequence % 6));
  b.rejected = rejectedBefore;
  o.receivedBatch = b;
  return s.upsert(records, kAt + std::chrono::seconds(sequence), o);
}

TEST_P(FeedBatchStoreTest, BatchRowHasItsDigestTimeAndOutcomeCounts) {
  auto s = db().open();
  receive(*s, 1, {fromHub("M-1"), fromHub("M-2")}, 1);
  auto again = receive(*s, 2, {fromHub("M-1")});
  EXPECT_EQ(again[0].outcome, Outcome::Duplicate);
  auto first = s->receivedBatch("tashkent-city", 1);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->digest, std::string(64, 'b'));
  EXPECT_EQ(first->receivedAt, "2026-11-30T00:53:21Z");
  EXPECT_EQ(first->accepted, 2);
  EXPECT_EQ(first->duplicate, 0);
  EXPECT_EQ(first->rejected, 1);
  auto second = s->receivedBatch("tashkent-city", 2);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->accepted, 0);
  EXPECT_EQ(second->duplicate, 1);
  EXPECT_FALSE(s->receivedBatch("tashkent-city", 3));
  EXPECT_FALSE(s->receivedBatch("andijan", 1));
}

TEST_P(FeedBatchStoreTest, EmptyBatchIsStillRecorded) {
  auto s = db().open();
  receive(*s, 1, {});
  EXPECT_TRUE(s->receivedBatch("tashkent-city", 1));
}

TEST_P(FeedBatchStoreTest, BatchRowAlreadyThereIsKeptAsItWas) {
  auto s = db().open();
  receive(*s, 1, {fromHub("M-1")});
  UpsertOptions o;
  o.receivedBatch = ReceivedBatch{"tashkent-city", 1, "", std::string(64, 'f'), 0, 0, 0, 0};
  s->upsert(std::vector<model::Implementation>{}, kAt, o);
  EXPECT_EQ(s->receivedBatch("tashkent-city", 1)->digest, std::string(64, 'b'));
}

TEST_P(FeedBatchStoreTest, PeerBatchesGiveLastHighestAndGaps) {
  auto s = db().open();
  for (std::int64_t seq : {2, 3, 7, 5, 20}) receive(*s, seq, {});
  receive(*s, 6, {});  // received last, below the highest
  auto peers = s->peerBatches();
  ASSERT_THAT(peers, SizeIs(1));
  const auto& p = peers[0];
  EXPECT_EQ(p.hub, "tashkent-city");
  EXPECT_EQ(p.highestSequence, 20);
  EXPECT_EQ(p.received, 6);
  EXPECT_EQ(p.lastSequence, 20);  // received at kAt + 20 s, the latest time
  EXPECT_EQ(p.gaps, 14);          // 1, 4, 8..19
  EXPECT_THAT(p.firstGaps, ElementsAre(1, 4, 8, 9, 10, 11, 12, 13, 14, 15));
}

TEST_P(FeedBatchStoreTest, NoGapsWhenEverySequenceCame) {
  auto s = db().open();
  for (std::int64_t seq : {3, 1, 2}) receive(*s, seq, {});
  auto peers = s->peerBatches();
  ASSERT_THAT(peers, SizeIs(1));
  EXPECT_EQ(peers[0].gaps, 0);
  EXPECT_THAT(peers[0].firstGaps, IsEmpty());
  EXPECT_EQ(peers[0].lastSequence, 3);
  EXPECT_EQ(peers[0].lastReceivedAt, "2026-11-30T00:53:23Z");
}

TEST_P(FeedBatchStoreTest, ChangeFeedCarriesTheLineageOfEachChange) {
  auto s = db().open();
  s->upsert(std::vector<model::Implementation>{sample("M-local")}, kAt);
  receive(*s, 1, {fromHub("M-1")});
  auto changes = s->changesAfter(0, 10);
  ASSERT_THAT(changes, SizeIs(2));
  EXPECT_FALSE(changes[0].lineage);  // a record of the hub's own source
  ASSERT_TRUE(changes[1].lineage);
  const auto& l = *changes[1].lineage;
  const auto want = lineage("health-fhir", 1);
  EXPECT_EQ(l.source, want.source);
  EXPECT_EQ(l.adapter, want.adapter);
  EXPECT_EQ(l.receivedAt, want.receivedAt);
  EXPECT_EQ(l.revision, 1);
  ASSERT_THAT(l.hubs, SizeIs(3));
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(l.hubs[i].hub, want.hubs[i].hub);
    EXPECT_EQ(l.hubs[i].sequence, want.hubs[i].sequence);
    EXPECT_EQ(l.hubs[i].receivedAt, want.hubs[i].receivedAt);
  }
}

TEST_P(FeedBatchStoreTest, LineageFollowsTheRevisionItCameWith) {
  auto s = db().open();
  receive(*s, 1, {fromHub("M-1", 1)});
  receive(*s, 2, {fromHub("M-1", 2)});
  auto lineages = s->currentLineages(std::nullopt);
  ASSERT_THAT(lineages, SizeIs(1));
  EXPECT_EQ(lineages[0].key.source, "tashkent-city/health-fhir");
  EXPECT_EQ(lineages[0].key.measureId, "M-1");
  EXPECT_EQ(lineages[0].lineage.revision, 2);
  // A later revision that came without lineage leaves the old one unread.
  s->upsert(std::vector<model::Implementation>{fromHub("M-1", 3)}, kAt);
  EXPECT_THAT(s->currentLineages(std::nullopt), IsEmpty());
  EXPECT_FALSE(s->changesAfter(0, 10).back().lineage);
}

TEST_P(FeedBatchStoreTest, LineageOfRejectedRecordsIsNotWritten) {
  auto s = db().open();
  receive(*s, 1, {fromHub("M-1", 2)});
  auto stale = receive(*s, 2, {fromHub("M-1", 1)});
  EXPECT_EQ(stale[0].outcome, Outcome::Stale);
  auto lineages = s->currentLineages(std::string("M-1"));
  ASSERT_THAT(lineages, SizeIs(1));
  EXPECT_EQ(lineages[0].lineage.revision, 2);
  EXPECT_EQ(s->receivedBatch("tashkent-city", 2)->stale, 1);
  EXPECT_THAT(s->currentLineages(std::string("M-other")), IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(Backends, FeedBatchStoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

}  // namespace
}  // namespace ijro::store::test
