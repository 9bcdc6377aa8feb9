// POST /api/v1/feeds as a plain function, over a real SQLite store: signed batches from a
// configured hub are accepted per entry; unsigned, unknown-key and altered ones are refused whole
// with nothing stored; the read side shows lineage, freshness and gaps.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "hub/api/api.hpp"
#include "hub/base/sha256.hpp"
#include "hub/exchange/batch.hpp"
#include "hub/xml/signature.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kReader = "ministry-read-token-0123";

model::Implementation entry(const std::string& id, const std::string& region,
                            std::int64_t revision = 1) {
  model::Implementation m;
  m.source = "tax-fiscal";
  m.measure = {id,
               "Install online cash registers",
               {"resolution", "PP-4699", *model::parseDate("2020-04-28"), ""}};
  m.region = region;
  m.organisation = "State Tax Committee";
  m.sector = "tax";
  m.revision = revision;
  m.lifecycle = model::Lifecycle::InProgress;
  m.start = *model::parseDate("2026-01-01");
  m.deadline = *model::parseDate("2027-03-01");
  return m;
}

struct Keys {
  xml::KeyPairPem tashkent = xml::makeSelfSignedKeyPair("tashkent-city", 30);
  xml::KeyPairPem stranger = xml::makeSelfSignedKeyPair("tashkent-city", 30);
};

const Keys& keys() {
  static const Keys k;
  return k;
}

class FeedsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::Store::open("sqlite:" + (test::tempDir("feeds") / "hub.db").string(), 2);
    Settings s;
    s.hubId = "ministry";
    intake::Scope reader;
    reader.id = "analyst";
    reader.read = true;
    reader.tokenSha256 = base::sha256Hex(kReader);
    s.scopes = {reader};
    PeerHub tashkent;
    tashkent.id = "tashkent-city";
    tashkent.regions = {"1726"};
    tashkent.certificatePems = {keys().tashkent.certPem};
    tashkent.certificateNames = {"keys/tashkent.pem"};
    tashkent.certificateNotAfter = {xml::readCertificate(keys().tashkent.certPem).notAfter};
    s.peers = {tashkent};
    api_ = std::make_unique<Api>(std::move(s), *store_);
  }

  static std::string unsignedBatch(std::int64_t sequence,
                                   const std::vector<model::Implementation>& impls,
                                   const std::string& hub = "tashkent-city", int minor = 1) {
    exchange::BatchHeader h;
    h.hub = hub;
    h.sequence = sequence;
    h.generatedAt = "2026-11-28T10:00:00Z";
    h.asOf = *model::parseDate("2026-11-28");
    h.schemaMinor = minor;
    std::vector<exchange::BatchEntry> entries;
    for (const auto& i : impls)
      entries.push_back({i,
                         {i.source,
                          "tax-fiscal 0.3.0",
                          "2026-11-28T09:00:00Z",
                          i.revision,
                          {{hub, 0, "2026-11-28T09:00:00Z"}}}});
    return exchange::writeBatch(h, {}, entries);
  }
  static std::string signedBy(const xml::KeyPairPem& k, const std::string& xml) {
    auto key = xml::signingKeyFromPem(k.keyPem, k.certPem, "test key");
    return xml::signEnveloped(xml, *key);
  }
  static std::string batch(std::int64_t sequence, const std::vector<model::Implementation>& impls,
                           int minor = 1) {
    return signedBy(keys().tashkent, unsignedBatch(sequence, impls, "tashkent-city", minor));
  }

  http::Response post(const std::string& body) {
    http::Request r;
    r.method = "POST";
    r.path = r.target = "/api/v1/feeds";
    r.headers["content-type"] = "application/xml";
    r.body = body;
    return api_->handle(r);
  }
  http::Response get(const std::string& path) {
    http::Request r;
    r.method = "GET";
    r.path = r.target = path;
    r.headers["authorization"] = std::string("Bearer ") + kReader;
    return api_->handle(r);
  }
  // Outcomes of a receipt, in order.
  static std::vector<std::string> outcomes(const http::Response& res) {
    std::vector<std::string> out;
    const std::string marker = "outcome=\"";
    for (auto at = res.body.find(marker); at != std::string::npos;
         at = res.body.find(marker, at + 1)) {
      const auto from = at + marker.size();
      out.push_back(res.body.substr(from, res.body.find('"', from) - from));
    }
    return out;
  }
  void expectNothingStored() {
    EXPECT_EQ(store_->count(), 0u);
    EXPECT_EQ(store_->lastHistoryId(), 0);
    EXPECT_TRUE(store_->peerBatches().empty());
  }

  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Api> api_;
};

TEST_F(FeedsTest, SignedBatchIsAcceptedUnderHubAndSourceWithLineage) {
  auto res = post(batch(1, {entry("M-1", "1726"), entry("M-2", "1726")}));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_THAT(outcomes(res), ElementsAre("accepted", "accepted"));
  EXPECT_THAT(res.body, HasSubstr("hub=\"tashkent-city\" sequence=\"1\""));
  auto stored = store_->get({"tashkent-city/tax-fiscal", "M-1", "1726", "State Tax Committee"});
  ASSERT_TRUE(stored);
  auto page = get("/api/v1/measures");
  ASSERT_EQ(page.status, 200) << page.body;
  const auto doc = boost::json::parse(page.body);
  const auto& items = doc.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  const auto& lineage = items[0].at("lineage");
  EXPECT_EQ(lineage.at("source").as_string(), "tax-fiscal");
  EXPECT_EQ(lineage.at("adapter").as_string(), "tax-fiscal 0.3.0");
  const auto& hops = lineage.at("hubs").as_array();
  ASSERT_EQ(hops.size(), 2u);
  EXPECT_EQ(hops[0].at("hub").as_string(), "tashkent-city");
  EXPECT_EQ(hops[0].at("sequence").as_int64(), 1);  // the batch it left the sender in
  EXPECT_EQ(hops[1].at("hub").as_string(), "ministry");
  EXPECT_EQ(hops[1].at("sequence").as_int64(), 0);
}

TEST_F(FeedsTest, SameBatchAgainIsDuplicateAndStoresNothingNew) {
  const std::string body = batch(1, {entry("M-1", "1726")});
  ASSERT_EQ(post(body).status, 200);
  const auto before = store_->lastHistoryId();
  auto again = post(body);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_THAT(outcomes(again), ElementsAre("duplicate"));
  EXPECT_EQ(store_->lastHistoryId(), before);
}

TEST_F(FeedsTest, OtherBytesUnderAUsedSequenceAre409) {
  ASSERT_EQ(post(batch(1, {entry("M-1", "1726")})).status, 200);
  auto res = post(batch(1, {entry("M-1", "1726", 2)}));
  EXPECT_EQ(res.status, 409);
  EXPECT_THAT(res.body, HasSubstr("already sent a batch 1"));
  EXPECT_EQ(
      store_->get({"tashkent-city/tax-fiscal", "M-1", "1726", "State Tax Committee"})->revision, 1);
}

TEST_F(FeedsTest, UnsignedBatchIsRefusedWholeWithNothingStored) {
  auto res = post(unsignedBatch(1, {entry("M-1", "1726")}));
  EXPECT_EQ(res.status, 403);
  EXPECT_THAT(res.body, HasSubstr("unsigned"));
  expectNothingStored();
}

TEST_F(FeedsTest, BatchSignedByAnUnknownKeyIsRefusedWholeWithNothingStored) {
  auto res = post(signedBy(keys().stranger, unsignedBatch(1, {entry("M-1", "1726")})));
  EXPECT_EQ(res.status, 403);
  EXPECT_THAT(res.body, HasSubstr("unknown key"));
  expectNothingStored();
}

TEST_F(FeedsTest, AlteredBatchIsRefusedWholeWithNothingStored) {
  std::string body = batch(1, {entry("M-1", "1726"), entry("M-2", "1726")});
  const auto at = body.find("State Tax Committee");
  ASSERT_NE(at, std::string::npos);
  body.replace(at, 5, "Other");
  auto res = post(body);
  EXPECT_EQ(res.status, 403);
  EXPECT_THAT(res.body, HasSubstr("altered"));
  expectNothingStored();
}

TEST_F(FeedsTest, BatchOfAnUnconfiguredHubIsRefusedNamingIt) {
  auto res = post(signedBy(keys().tashkent, unsignedBatch(1, {entry("M-1", "1726")}, "andijan")));
  EXPECT_EQ(res.status, 403);
  EXPECT_THAT(res.body, HasSubstr("hub \\\"andijan\\\" is not configured"));
  expectNothingStored();
}

TEST_F(FeedsTest, EntryOutsideTheHubsRegionsIsRejectedAlone) {
  auto res = post(batch(1, {entry("M-1", "1726"), entry("M-2", "1703"), entry("M-3", "1726")}));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_THAT(outcomes(res), ElementsAre("accepted", "rejected", "accepted"));
  EXPECT_THAT(res.body, HasSubstr("1703"));
  EXPECT_EQ(store_->count(), 2u);
  EXPECT_EQ(store_->receivedBatch("tashkent-city", 1)->rejected, 1);
}

TEST_F(FeedsTest, OutOfOrderBatchesAreAcceptedAndTheGapIsShown) {
  ASSERT_EQ(post(batch(3, {entry("M-3", "1726")})).status, 200);
  ASSERT_EQ(post(batch(1, {entry("M-1", "1726")})).status, 200);
  EXPECT_EQ(store_->count(), 2u);
  auto metrics = get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr("ijro_feed_gaps{hub=\"tashkent-city\"} 1"));
  EXPECT_THAT(metrics.body, HasSubstr("ijro_feed_last_batch_age_seconds{hub=\"tashkent-city\"}"));
  auto summary = get("/api/v1/summary");
  ASSERT_EQ(summary.status, 200) << summary.body;
  const auto doc = boost::json::parse(summary.body);
  const auto& fresh = doc.at("freshness").as_array();
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0].at("region").as_string(), "1726");
  EXPECT_TRUE(fresh[0].at("ageSeconds").is_int64());
  EXPECT_LT(fresh[0].at("ageSeconds").as_int64(), 600);
  EXPECT_EQ(fresh[0].at("hubs").as_array()[0].at("hub").as_string(), "tashkent-city");
}

TEST_F(FeedsTest, BatchOfTheSchemaVersionBeforeIsAccepted) {
  auto res = post(batch(1, {entry("M-1", "1726")}, 0));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_THAT(outcomes(res), ElementsAre("accepted"));
  EXPECT_EQ(store_->count(), 1u);
}

TEST_F(FeedsTest, MetricsShowCertificateExpiryAndRefusalsByReason) {
  post(unsignedBatch(1, {entry("M-1", "1726")}));
  auto metrics = get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr("ijro_feed_batches_refused_total{reason=\"unsigned\"} 1"));
  EXPECT_THAT(metrics.body,
              HasSubstr("ijro_feed_certificate_expiry_timestamp_seconds{certificate=\"keys/"
                        "tashkent.pem\",hub=\"tashkent-city\"}"));
  EXPECT_THAT(metrics.body, HasSubstr("ijro_feed_last_sequence{hub=\"tashkent-city\"} 0"));
}

}  // namespace
}  // namespace ijro::api
