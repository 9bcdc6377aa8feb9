// Ministry mode on the real binary: a regional hub's batch, signed with a key whose certificate
// the ministry's configuration lists under <peers>, is POSTed over loopback; its entries appear
// in /api/v1/measures with their lineage and /api/v1/summary shows the region's freshness. A
// batch signed with another key is refused and stores nothing.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "hub/exchange/batch.hpp"
#include "hub/xml/signature.hpp"
#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::test {
namespace {

namespace json = boost::json;

constexpr const char* kReader = "ministry-reader-token-0001";

constexpr const char* kConfig = R"(<?xml version="1.0" encoding="UTF-8"?>
<hub xmlns="urn:ijro-hub:config:1" id="ministry">
  <store url="sqlite:unused.db"/>
  <readers>
    <reader id="analyst" token="ministry-reader-token-0001" regions="*" sectors="*"/>
  </readers>
  <peers>
    <hub id="tashkent-city" regions="1726">
      <certificate file="keys/tashkent.pem"/>
    </hub>
  </peers>
</hub>
)";

model::Implementation entry(const std::string& id) {
  model::Implementation m;
  m.source = "tax-fiscal";
  m.measure = {id,
               "Install online cash registers",
               {"resolution", "PP-4699", *model::parseDate("2020-04-28"), ""}};
  m.region = "1726";
  m.organisation = "State Tax Committee";
  m.sector = "tax";
  m.revision = 4;
  m.lifecycle = model::Lifecycle::InProgress;
  m.start = *model::parseDate("2026-01-01");
  m.deadline = *model::parseDate("2027-03-01");
  return m;
}

std::string signedBatch(const xml::KeyPairPem& k, std::int64_t sequence) {
  exchange::BatchHeader h;
  h.hub = "tashkent-city";
  h.sequence = sequence;
  h.generatedAt = "2026-11-28T10:00:00Z";
  h.asOf = *model::parseDate("2026-11-28");
  const auto impl = entry("DU2030-5.1." + std::to_string(sequence));
  const std::vector<exchange::BatchEntry> entries{
      {impl,
       {"tax-fiscal",
        "tax-fiscal 0.3.0",
        "2026-11-28T09:00:00Z",
        4,
        {{"tashkent-city", 0, "2026-11-28T09:00:00Z"}}}}};
  auto key = xml::signingKeyFromPem(k.keyPem, k.certPem, "tashkent-city");
  return xml::signEnveloped(exchange::writeBatch(h, {}, entries), *key);
}

TEST(MinistryServe, SignedBatchFromAConfiguredHubShowsInMeasuresWithLineageAndFreshness) {
  const auto dir = tempDir("ministry");
  const auto tashkent = xml::makeSelfSignedKeyPair("tashkent-city", 30);
  const auto stranger = xml::makeSelfSignedKeyPair("tashkent-city", 30);
  std::filesystem::create_directories(dir / "keys");
  std::ofstream(dir / "keys" / "tashkent.pem") << tashkent.certPem;
  std::ofstream(dir / "hub.xml") << kConfig;
  HubProcess hub(dir, dir / "hub.xml");
  hub.start();

  auto refused = hub.post("/api/v1/feeds", signedBatch(stranger, 1), "application/xml", "");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("unknown key"), std::string::npos) << refused.body;

  auto res = hub.post("/api/v1/feeds", signedBatch(tashkent, 1), "application/xml", "");
  ASSERT_EQ(res.status, 200) << res.body << hub.log();
  EXPECT_NE(res.body.find("outcome=\"accepted\""), std::string::npos) << res.body;

  auto measures = hub.get("/api/v1/measures", kReader);
  ASSERT_EQ(measures.status, 200) << measures.body;
  const auto doc = json::parse(measures.body);
  ASSERT_EQ(doc.at("total").to_number<int>(), 1) << doc;  // the refused batch stored nothing
  const auto& item = doc.at("items").at(0);
  EXPECT_EQ(item.at("source").as_string(), "tashkent-city/tax-fiscal");
  const auto& hops = item.at("lineage").at("hubs").as_array();
  ASSERT_EQ(hops.size(), 2u) << item;
  EXPECT_EQ(hops[0].at("hub").as_string(), "tashkent-city");
  EXPECT_EQ(hops[0].at("sequence").to_number<int>(), 1);
  EXPECT_EQ(hops[1].at("hub").as_string(), "ministry");

  auto summary = hub.get("/api/v1/summary", kReader);
  ASSERT_EQ(summary.status, 200) << summary.body;
  const auto sdoc = json::parse(summary.body);
  EXPECT_EQ(sdoc.at("implementations").to_number<int>(), 1);
  const auto& fresh = sdoc.at("freshness").at(0);
  EXPECT_EQ(fresh.at("region").as_string(), "1726");
  EXPECT_EQ(fresh.at("hubs").at(0).at("lastSequence").to_number<int>(), 1);
  EXPECT_GE(fresh.at("ageSeconds").to_number<int>(), 0);
}

}  // namespace
}  // namespace ijro::test
