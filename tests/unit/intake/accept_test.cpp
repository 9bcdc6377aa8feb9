// The one intake path over a real SQLite store: the same scope and territory rule for every
// entrance, and what each policy makes of a refused record.
#include "hub/intake/accept.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/test_support.hpp"

namespace ijro::intake {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

model::Implementation sample(const std::string& id, const std::string& region,
                             const std::string& sector = "tax", std::int64_t revision = 1) {
  model::Implementation m;
  m.measure = {id,
               "Install online cash registers",
               {"resolution", "PP-4699", *model::parseDate("2020-04-28"), ""}};
  m.source = "claimed-by-the-sender";  // intake stores it under the scope's id
  m.region = region;
  m.organisation = "State Tax Committee";
  m.sector = sector;
  m.revision = revision;
  m.lifecycle = model::Lifecycle::InProgress;
  m.start = *model::parseDate("2026-01-01");
  m.deadline = *model::parseDate("2027-03-01");
  return m;
}

Incoming in(std::size_t index, const model::Implementation& m) {
  Incoming r;
  r.index = index;
  r.measureId = m.measure.id;
  r.region = m.region;
  r.organisation = m.organisation;
  r.revision = m.revision;
  r.record = m;
  r.text = "{\"record\":" + std::to_string(index) + "}";
  return r;
}

// A record the parser could not make sense of: only its territory was read.
Incoming unreadable(std::size_t index, const std::string& region) {
  Incoming r;
  r.index = index;
  r.region = region;
  r.errors = {"line 3: <deadline> is missing"};
  r.text = "unreadable";
  return r;
}

// Every call goes to the real store, except that upserts can be made to fail as a lost database
// connection would: to show that nothing of a call is stored unless all of it is.
class FailingStore : public store::Store {
 public:
  explicit FailingStore(store::Store& s) : s_(s) {}
  bool failUpserts = false;
  using store::Store::upsert;
  std::vector<store::UpsertResult> upsert(std::span<const model::Implementation> batch,
                                          std::chrono::system_clock::time_point at,
                                          const store::UpsertOptions& options) override {
    if (failUpserts) throw store::StoreError("the database connection was lost");
    return s_.upsert(batch, at, options);
  }
  std::optional<std::string> checkpoint(const std::string& i) override { return s_.checkpoint(i); }
  std::vector<store::Change> changesAfter(std::int64_t id, std::size_t n) override {
    return s_.changesAfter(id, n);
  }
  std::int64_t lastHistoryId() override { return s_.lastHistoryId(); }
  std::int64_t sinkCursor(const std::string& k) override { return s_.sinkCursor(k); }
  std::optional<store::FeedBatch> appendFeedBatch(const std::string& hub, std::size_t n,
                                                  const store::FeedBatchBuilder& b,
                                                  bool always) override {
    return s_.appendFeedBatch(hub, n, b, always);
  }
  std::optional<store::FeedBatch> feedBatchAfter(std::int64_t seq) override {
    return s_.feedBatchAfter(seq);
  }
  std::optional<store::FeedBatch> claimFeedBatch(const std::string& o,
                                                 std::chrono::seconds l) override {
    return s_.claimFeedBatch(o, l);
  }
  void feedBatchDelivered(std::int64_t seq, const std::string& o,
                          std::span<const store::DeadLetter> d) override {
    s_.feedBatchDelivered(seq, o, d);
  }
  void feedBatchFailed(std::int64_t seq, const std::string& o, const std::string& e) override {
    s_.feedBatchFailed(seq, o, e);
  }
  store::FeedBacklog feedBacklog() override { return s_.feedBacklog(); }
  void advanceSinkCursor(const std::string& k, std::int64_t id,
                         std::span<const store::DeadLetter> d) override {
    s_.advanceSinkCursor(k, id, d);
  }
  std::int64_t addDeadLetter(const store::DeadLetter& d) override { return s_.addDeadLetter(d); }
  std::vector<store::DeadLetter> deadLetters(const store::DeadLetterFilter& f) override {
    return s_.deadLetters(f);
  }
  std::vector<std::int64_t> queueReplay(const store::DeadLetterFilter& f) override {
    return s_.queueReplay(f);
  }
  void markReplayed(std::span<const std::int64_t> ids) override { s_.markReplayed(ids); }
  void returnToDeadLetters(std::int64_t id, const std::string& r) override {
    s_.returnToDeadLetters(id, r);
  }
  void forEach(const store::Filter& f,
               const std::function<void(const model::Implementation&)>& fn) override {
    s_.forEach(f, fn);
  }
  std::optional<model::Implementation> get(const model::ImplementationKey& k) override {
    return s_.get(k);
  }
  std::vector<store::HistoryEntry> history(const model::ImplementationKey& k) override {
    return s_.history(k);
  }
  std::vector<store::HistoryEntry> historyOf(const store::HistoryQuery& q) override {
    return s_.historyOf(q);
  }
  std::vector<store::OrganisationSeen> organisationsSeen() override {
    return s_.organisationsSeen();
  }
  void setIdentity(const store::IdentityRules& r) override { s_.setIdentity(r); }
  std::size_t count() override { return s_.count(); }
  bool issueToken(const store::AccessToken& t) override { return s_.issueToken(t); }
  std::vector<store::AccessToken> accessTokens() override { return s_.accessTokens(); }
  bool revokeToken(const std::string& id) override { return s_.revokeToken(id); }
  std::optional<store::AccessToken> validToken(const std::string& h) override {
    return s_.validToken(h);
  }
  int schemaVersion() override { return s_.schemaVersion(); }
  bool ping() noexcept override { return s_.ping(); }
  std::string backend() const override { return s_.backend(); }

 private:
  store::Store& s_;
};

class AcceptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test::tempDir("intake");
    real_ = store::Store::open("sqlite:" + (dir_ / "hub.db").string(), 2);
    store_ = std::make_unique<FailingStore>(*real_);
    tashkentTax_ = Scope::writer("tashkent-tax");
    tashkentTax_.regions = {"1726"};
    tashkentTax_.sectors = {"tax"};
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result run(std::vector<Incoming> records, const Policy& policy) {
    return accept(
        tashkentTax_, std::move(records), policy,
        {*store_, sectors_, *model::parseDate("2026-06-01"), std::chrono::system_clock::now()});
  }
  std::vector<store::DeadLetter> dead() { return store_->deadLetters({}); }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> real_;
  std::unique_ptr<FailingStore> store_;
  model::SectorCatalogue sectors_;
  Scope tashkentTax_;
};

TEST_F(AcceptTest, RequestGivesAnOutcomePerRecordAndStoresUnderTheScopesId) {
  auto invalid = sample("M-3", "1726");
  invalid.start = *model::parseDate("2028-01-01");  // after the deadline
  auto r = run({in(1, sample("M-1", "1726")), in(2, sample("M-2", "1726264")), in(3, invalid),
                unreadable(4, "1726")},
               Policy::request());
  ASSERT_FALSE(r.refusal.has_value());
  ASSERT_EQ(r.outcomes.size(), 4u);
  EXPECT_EQ(r.outcomes[0].verdict, Verdict::Accepted);
  EXPECT_EQ(r.outcomes[0].reason, "created");
  EXPECT_EQ(r.outcomes[1].verdict, Verdict::Accepted);
  EXPECT_EQ(r.outcomes[2].verdict, Verdict::Rejected);
  EXPECT_THAT(r.outcomes[2].reason, HasSubstr("start"));
  EXPECT_EQ(r.outcomes[3].verdict, Verdict::Rejected);
  EXPECT_EQ(r.outcomes[3].reason, "line 3: <deadline> is missing");
  EXPECT_EQ(r.outcomes[3].index, 4u);
  EXPECT_EQ(r.count(Verdict::Accepted), 2u);
  EXPECT_EQ(store_->count(), 2u);
  EXPECT_TRUE(store_->get({"tashkent-tax", "M-1", "1726", "State Tax Committee"}).has_value());
  EXPECT_TRUE(dead().empty());  // a request never leaves dead letters

  auto changed = sample("M-1", "1726");
  changed.note = "other content, same revision";
  auto again =
      run({in(1, sample("M-1", "1726")), in(2, sample("M-2", "1726264", "tax", 0)), in(3, changed)},
          Policy::request());
  EXPECT_EQ(again.outcomes[0].verdict, Verdict::Duplicate);
  EXPECT_EQ(again.outcomes[1].verdict, Verdict::Rejected);  // revision 0: invalid
  EXPECT_EQ(again.outcomes[2].verdict, Verdict::Rejected);
  EXPECT_THAT(again.outcomes[2].reason, StartsWith("revision 1 is already stored"));
}

TEST_F(AcceptTest, RequestWithOneRecordOutOfScopeStoresNothingAndSaysWhatToDo) {
  auto r = run({in(1, sample("M-1", "1726")), in(2, sample("M-2", "1703")),
                in(3, sample("M-3", "1726", "health")), unreadable(4, "1735")},
               Policy::request());
  ASSERT_TRUE(r.refusal.has_value());
  EXPECT_THAT(*r.refusal, HasSubstr("record 2: region 1703 is outside the regions of source "
                                    "\"tashkent-tax\""));
  EXPECT_THAT(*r.refusal, HasSubstr("record 3: sector health is outside the sectors"));
  // Territory is checked even where the rest of the record could not be read.
  EXPECT_THAT(*r.refusal, HasSubstr("record 4: region 1735"));
  EXPECT_THAT(*r.refusal, HasSubstr("nothing was stored"));
  EXPECT_THAT(*r.refusal, HasSubstr("extend the source's regions/sectors"));
  EXPECT_TRUE(r.outcomes.empty());
  EXPECT_EQ(store_->count(), 0u);
}

TEST_F(AcceptTest, UnknownTerritoryIsInvalidNotOutOfScopeWhoeverSendsIt) {
  for (const auto& policy : {Policy::request(), Policy::poll(std::nullopt), Policy::replay()}) {
    auto r = run({in(1, sample("M-9", "9999"))}, policy);
    ASSERT_FALSE(r.refusal.has_value());
    ASSERT_EQ(r.outcomes.size(), 1u);
    EXPECT_EQ(r.outcomes[0].verdict, Verdict::Rejected);
    EXPECT_THAT(r.outcomes[0].reason, HasSubstr("9999"));
  }
}

TEST_F(AcceptTest, PollCommitsDeadLettersWithTheRecordsAndTheCheckpoint) {
  store_->upsert(std::vector{[&] {
                   auto m = sample("M-4", "1726");
                   m.source = "tashkent-tax";
                   return m;
                 }()},
                 std::chrono::system_clock::now());
  auto clash = sample("M-4", "1726");
  clash.note = "same revision, other content";
  auto r = run({in(1, sample("M-1", "1726")), in(2, sample("M-2", "1703")), unreadable(3, "1726"),
                in(4, clash)},
               Policy::poll("after-4"));
  ASSERT_EQ(r.outcomes.size(), 4u);
  EXPECT_EQ(r.outcomes[0].verdict, Verdict::Accepted);
  EXPECT_EQ(r.outcomes[1].verdict, Verdict::OutOfScope);
  EXPECT_THAT(r.outcomes[1].reason, HasSubstr("region 1703 is outside the regions"));
  EXPECT_THAT(r.outcomes[1].reason, HasSubstr("ijro-hub dlq replay"));
  EXPECT_EQ(r.outcomes[2].verdict, Verdict::Rejected);
  EXPECT_EQ(r.outcomes[3].verdict, Verdict::Rejected);
  EXPECT_THAT(r.outcomes[3].reason, StartsWith("the store refused it: revision 1"));
  EXPECT_EQ(r.deadLetters, 3u);

  EXPECT_EQ(store_->checkpoint("tashkent-tax"), "after-4");
  auto letters = dead();
  ASSERT_EQ(letters.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(letters[i].owner, "tashkent-tax");
    EXPECT_EQ(letters[i].kind, store::DeadLetterKind::Source);
    EXPECT_EQ(letters[i].reason, r.outcomes[i + 1].reason);
  }
  EXPECT_EQ(letters[0].record, "{\"record\":2}");  // the text as the source emitted it
  EXPECT_EQ(letters[0].key.measureId, "M-2");
  EXPECT_EQ(letters[0].key.source, "tashkent-tax");
  EXPECT_EQ(letters[1].record, "unreadable");
  EXPECT_EQ(letters[1].key.source, "tashkent-tax");
  EXPECT_EQ(letters[2].revision, 1);
}

TEST_F(AcceptTest, PollWithNothingValidStillCommitsItsDeadLettersAndCheckpoint) {
  auto r = run({in(1, sample("M-1", "1704"))}, Policy::poll("cp-1"));
  EXPECT_EQ(r.deadLetters, 1u);
  EXPECT_EQ(dead().size(), 1u);
  EXPECT_EQ(store_->checkpoint("tashkent-tax"), "cp-1");
}

TEST_F(AcceptTest, FailedTransactionLeavesNothingBehind) {
  store_->failUpserts = true;
  EXPECT_THROW(
      run({in(1, sample("M-1", "1726")), in(2, sample("M-2", "1703"))}, Policy::poll("cp-2")),
      store::StoreError);
  store_->failUpserts = false;
  EXPECT_EQ(store_->count(), 0u);
  EXPECT_TRUE(dead().empty());
  EXPECT_FALSE(store_->checkpoint("tashkent-tax").has_value());
}

TEST_F(AcceptTest, ReplayReturnsRefusalsWithoutWritingDeadLetters) {
  auto r = run({in(1, sample("M-1", "1726")), in(2, sample("M-2", "1703"))}, Policy::replay());
  EXPECT_EQ(r.outcomes[0].verdict, Verdict::Accepted);
  EXPECT_EQ(r.outcomes[1].verdict, Verdict::OutOfScope);
  EXPECT_THAT(r.outcomes[1].reason, HasSubstr("region 1703 is outside the regions"));
  EXPECT_EQ(r.deadLetters, 0u);
  EXPECT_TRUE(dead().empty());
  EXPECT_EQ(store_->count(), 1u);
}

TEST_F(AcceptTest, ScopeWithoutTheWriteRightWritesNothing) {
  tashkentTax_.write = false;
  tashkentTax_.read = true;
  auto r = run({in(1, sample("M-1", "1726"))}, Policy::request());
  ASSERT_TRUE(r.refusal.has_value());
  EXPECT_THAT(*r.refusal, HasSubstr("may not write"));
  auto p = run({in(1, sample("M-1", "1726"))}, Policy::poll(std::nullopt));
  EXPECT_EQ(p.outcomes.at(0).verdict, Verdict::OutOfScope);
  EXPECT_EQ(store_->count(), 0u);
}

}  // namespace
}  // namespace ijro::intake

namespace ijro::intake {
namespace {

// A feed batch: entries under "<hub>/<their source>", one outside the hub's regions rejected
// alone, the batch's row and the accepted entries' lineage committed with them.
TEST_F(AcceptTest, BatchStoresUnderHubAndSourceAndRejectsAnEntryOutsideItsRegionsAlone) {
  auto fromUpstream = [](std::size_t index, const std::string& id, const std::string& region) {
    auto m = sample(id, region);
    m.source = "tax-fiscal";
    auto r = in(index, m);
    r.lineage = model::Lineage{"tax-fiscal",
                               "tax-fiscal 0.3.0",
                               "2026-05-31T09:00:00Z",
                               1,
                               {{"tashkent-tax", 7, "2026-05-31T09:00:00Z"}}};
    return r;
  };
  store::ReceivedBatch batch;
  batch.hub = "tashkent-tax";
  batch.sequence = 7;
  batch.digest = std::string(64, 'c');
  auto r = run({fromUpstream(1, "M-1", "1726"), fromUpstream(2, "M-2", "1703"),
                fromUpstream(3, "M-3", "1726")},
               Policy::batch(batch));
  ASSERT_FALSE(r.refusal.has_value());
  ASSERT_EQ(r.outcomes.size(), 3u);
  EXPECT_EQ(r.outcomes[0].verdict, Verdict::Accepted);
  EXPECT_EQ(r.outcomes[1].verdict, Verdict::OutOfScope);
  EXPECT_THAT(r.outcomes[1].reason, HasSubstr("1703"));
  EXPECT_EQ(r.outcomes[2].verdict, Verdict::Accepted);
  EXPECT_TRUE(real_->get({"tashkent-tax/tax-fiscal", "M-1", "1726", "State Tax Committee"}));
  EXPECT_FALSE(real_->get({"tashkent-tax", "M-1", "1726", "State Tax Committee"}));
  auto row = real_->receivedBatch("tashkent-tax", 7);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->accepted, 2);
  EXPECT_EQ(row->rejected, 1);
  EXPECT_EQ(real_->currentLineages(std::nullopt).size(), 2u);
  EXPECT_TRUE(dead().empty());
}

TEST_F(AcceptTest, BatchWithNothingAcceptedStillRecordsTheBatch) {
  store::ReceivedBatch batch;
  batch.hub = "tashkent-tax";
  batch.sequence = 8;
  batch.digest = std::string(64, 'd');
  auto r = run({unreadable(1, "1726")}, Policy::batch(batch));
  ASSERT_EQ(r.outcomes.size(), 1u);
  EXPECT_EQ(r.outcomes[0].verdict, Verdict::Rejected);
  auto row = real_->receivedBatch("tashkent-tax", 8);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->rejected, 1);
}

}  // namespace
}  // namespace ijro::intake
