// Evidence uploads in the store, on both backends: links kept once, read back by content and by
// measure; with PostgreSQL the content itself as a large object, committed with its link.
#include <gtest/gtest.h>

#include <fstream>

#include "hub/base/sha256.hpp"
#include "store_fixture.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::store::test {
namespace {

namespace fs = std::filesystem;

class EvidenceStoreTest : public StoreTest {};

EvidenceUpload upload(const std::string& bytes, const std::string& task = "") {
  EvidenceUpload u;
  u.sha256 = base::sha256Hex(bytes);
  u.size = static_cast<std::int64_t>(bytes.size());
  u.type = "application/pdf";
  u.filename = "dalolatnoma.pdf";
  u.title = "Dalolatnoma";
  u.measureId = "DU2030-1.2.15";
  u.region = "1703";
  u.organisation = "Ministry of Health";
  u.task = task;
  u.uploader = "andijan-health";
  return u;
}

fs::path fileWith(const std::string& bytes) {
  const auto p = ijro::test::tempDir("evidence-store") / "content";
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

std::string contentOf(Store& s, const std::string& sha) {
  std::string out;
  if (!s.readEvidenceContent(sha, [&](std::string_view chunk) { out.append(chunk); }))
    return "<not stored>";
  return out;
}

TEST_P(EvidenceStoreTest, LinkIsKeptOnceAndReadBackByContentAndByMeasure) {
  auto s = db().open();
  const auto u = upload("%PDF-1.7 report");
  const std::optional<std::string> content =
      s->keepsEvidenceContent() ? std::optional(fileWith("%PDF-1.7 report").string())
                                : std::nullopt;
  EXPECT_TRUE(s->addEvidence(u, content).linked);
  EXPECT_FALSE(s->addEvidence(u, content).linked);  // the same link again
  EXPECT_TRUE(s->addEvidence(upload("%PDF-1.7 report", "T1"), content).linked);  // to a task
  const auto links = s->evidenceLinks(u.sha256);
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].title, "Dalolatnoma");
  EXPECT_EQ(links[0].size, u.size);
  EXPECT_EQ(links[0].uploader, "andijan-health");
  EXPECT_FALSE(links[0].uploadedAt.empty());
  EXPECT_EQ(links[1].task, "T1");
  EXPECT_EQ(s->evidenceUploads(std::string("DU2030-1.2.15")).size(), 2u);
  EXPECT_EQ(s->evidenceUploads(std::string("other")).size(), 0u);
  EXPECT_EQ(s->evidenceUploads(std::nullopt).size(), 2u);
  EXPECT_TRUE(s->evidenceLinks(std::string(64, 'a')).empty());
  EXPECT_EQ(db().scalar("SELECT count(*) FROM evidence_upload"), 2);
}

TEST(EvidenceStoreSqlite, KeepsNoContentInTheDatabase) {
  FreshDatabase db("sqlite");
  auto s = db.open();
  EXPECT_FALSE(s->keepsEvidenceContent());
  EXPECT_THROW(s->addEvidence(upload("x"), fileWith("x").string()), StoreError);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM evidence_upload"), 0);
}

TEST(EvidenceStorePostgres, KeepsTheContentAsOneLargeObject) {
  FreshDatabase pg("postgresql");
  auto& db = pg;
  auto s = db.open();
  ASSERT_TRUE(s->keepsEvidenceContent());
  // Over several lo_put chunks, every byte value.
  std::string bytes;
  for (int i = 0; i < 700000; ++i) bytes += static_cast<char>((i * 7 + i / 251) & 0xff);
  const auto file = fileWith(bytes);
  auto first = s->addEvidence(upload(bytes), file.string());
  EXPECT_TRUE(first.contentStored);
  auto again = s->addEvidence(upload(bytes, "T2"), file.string());
  EXPECT_FALSE(again.contentStored);  // the same content is kept once
  EXPECT_TRUE(again.linked);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM evidence_content"), 1);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_largeobject_metadata WHERE oid = (SELECT "
                      "large_object FROM evidence_content)"),
            1);
  EXPECT_TRUE(contentOf(*s, base::sha256Hex(bytes)) == bytes);
  EXPECT_EQ(contentOf(*s, std::string(64, 'b')), "<not stored>");
}

TEST(EvidenceStorePostgres, StoresNothingWhenTheFileIsNotWhatWasChecked) {
  FreshDatabase db("postgresql");
  auto s = db.open();
  auto u = upload("%PDF-1.7 checked");
  u.size += 1;  // the file changed after its check: the transaction rolls back
  EXPECT_THROW(s->addEvidence(u, fileWith("%PDF-1.7 checked").string()), StoreError);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM evidence_content"), 0);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM evidence_upload"), 0);
  EXPECT_EQ(contentOf(*s, u.sha256), "<not stored>");
}

INSTANTIATE_TEST_SUITE_P(Backends, EvidenceStoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

}  // namespace
}  // namespace ijro::store::test
