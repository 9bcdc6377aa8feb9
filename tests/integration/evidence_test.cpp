// Evidence uploads on the real `ijro-hub serve`: an acknowledged upload survives kill -9
// byte for byte, content that is not what it claims is refused (415), a file over the limit is
// refused (413) leaving no temporary file, the same file twice is stored once, a crashed upload's
// temporary file is gone after a restart, scopes decide who may upload and read, and the feed
// lists the upload with its hash and size.
#include <gtest/gtest.h>
#include <signal.h>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>

#include "hub/base/sha256.hpp"
#include "hub/exchange/report.hpp"
#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAndijan = "demo-andijan-token";    // writes Andijan (1703)
constexpr const char* kTashkent = "demo-tashkent-token";  // writes and reads Tashkent (1726)
constexpr const char* kNational = "demo-national-read-token";
constexpr const char* kAndijanReader = "demo-andijan-read-token";
constexpr const char* kPdf = "application/pdf";
constexpr std::uint64_t kMaxBytes = 2u << 20;

std::string percentEncode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// A PDF of about n bytes with every byte value in its body.
std::string pdfOf(std::size_t n, int seed = 0) {
  std::string s = "%PDF-1.7\n";
  for (std::size_t i = 0; s.size() < n; ++i) s += static_cast<char>((i * 131 + seed) & 0xff);
  return s;
}

std::string headerOf(const http::Response& res, const std::string& lowerName) {
  for (const auto& [name, value] : res.headers)
    if (name == lowerName) return value;
  return {};
}

std::size_t storedFiles(const fs::path& evidenceDir) {
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(evidenceDir))
    if (e.is_regular_file() && e.path().parent_path().filename() != "tmp") ++n;
  return n;
}

class EvidenceTest : public ::testing::Test {
 protected:
  // The store's URL in the configuration; empty: the demo's SQLite file.
  virtual std::string storeUrl() { return {}; }
  void SetUp() override {
    dir_ = tempDir("evidence");
    // The demo configuration with a small evidence limit.
    auto config = readFile(sourceDir() / "config/hub.xml");

    const auto at = config.find("<status ");
    ASSERT_NE(at, std::string::npos);
    config.insert(at, "<evidence dir=\"" + evidenceDir().string() + "\" maxBytes=\"" +
                          std::to_string(kMaxBytes) + "\"/>\n  ");
    std::ofstream(dir_ / "hub.xml") << config;
    hub_ = std::make_unique<HubProcess>(dir_, dir_ / "hub.xml", storeUrl());
    hub_->start();
    const auto report = readFile(sourceDir() / "examples/report-andijan.xml");
    ASSERT_EQ(hub_->post("/api/v1/reports", report, "application/xml", kAndijan).status, 200);
    const auto parsed = exchange::parseReportXml(report);
    ASSERT_FALSE(parsed.records.empty());
    measure_ = parsed.records[0].measureId;
    region_ = parsed.records[0].region;
    organisation_ = parsed.records[0].organisation;
  }

  std::string uploadTarget(const std::string& extra = "") const {
    return "/api/v1/evidence?measure=" + percentEncode(measure_) +
           "&region=" + percentEncode(region_) + "&organisation=" + percentEncode(organisation_) +
           "&title=" + percentEncode("Dalolatnoma") + "&filename=dalolatnoma.pdf" + extra;
  }
  http::Response upload(const std::string& bytes, const std::string& type,
                        const std::string& token = kAndijan, const std::string& extra = "") {
    return hub_->post(uploadTarget(extra), bytes, type, token);
  }
  fs::path evidenceDir() const { return dir_ / "evidence"; }

  fs::path dir_;
  std::unique_ptr<HubProcess> hub_;
  std::string measure_, region_, organisation_;
};

TEST_F(EvidenceTest, UploadedPdfIsByteIdenticalAfterKill9RightAfterIts201) {
  const std::string pdf = pdfOf(1u << 20);
  const auto res = upload(pdf, kPdf);
  ASSERT_EQ(res.status, 201) << res.body;
  hub_->signal(SIGKILL);  // at once: nothing after the 201 may be needed for the file to last
  EXPECT_EQ(hub_->wait(), 128 + SIGKILL);

  const auto answer = boost::json::parse(res.body).as_object();
  const std::string sha = answer.at("sha256").as_string().c_str();
  EXPECT_EQ(sha, base::sha256Hex(pdf));
  EXPECT_EQ(answer.at("size").to_number<std::uint64_t>(), pdf.size());
  EXPECT_EQ(answer.at("type").as_string(), kPdf);
  EXPECT_EQ(answer.at("url").as_string(), "/api/v1/evidence/" + sha);
  EXPECT_TRUE(answer.at("stored").as_bool());

  hub_->start();
  const auto got = hub_->get("/api/v1/evidence/" + sha, kNational);
  ASSERT_EQ(got.status, 200) << got.body.substr(0, 300);
  EXPECT_TRUE(got.body == pdf) << "the bytes read back differ from the bytes uploaded";
  EXPECT_EQ(got.contentType, kPdf);
  EXPECT_EQ(headerOf(got, "etag"), "\"" + sha + "\"");
  EXPECT_EQ(headerOf(got, "content-length"), std::to_string(pdf.size()));
  EXPECT_TRUE(fs::is_empty(evidenceDir() / "tmp"));
}

TEST_F(EvidenceTest, ContentThatIsNotWhatItClaimsIs415) {
  const auto html = upload("<html><body>a web page</body></html>", kPdf);
  EXPECT_EQ(html.status, 415) << html.body;
  EXPECT_NE(html.body.find("says application/pdf"), std::string::npos) << html.body;
  EXPECT_NE(html.body.find("unrecognised content"), std::string::npos) << html.body;
  const auto png = upload(std::string("\x89PNG\r\n\x1a\n", 8) + "pixels", kPdf);
  EXPECT_EQ(png.status, 415) << png.body;
  EXPECT_NE(png.body.find("a PNG image (image/png)"), std::string::npos) << png.body;
  // A type the hub does not take at all.
  const auto exe = upload("MZ\x90", "application/x-msdownload");
  EXPECT_EQ(exe.status, 415) << exe.body;
  EXPECT_NE(exe.body.find("is not accepted as evidence"), std::string::npos) << exe.body;
  EXPECT_EQ(storedFiles(evidenceDir()), 0u);
  EXPECT_TRUE(fs::is_empty(evidenceDir() / "tmp"));
}

TEST_F(EvidenceTest, OverTheSizeLimitIs413AndNoTemporaryFileIsLeft) {
  const auto res = upload(pdfOf(kMaxBytes + 1), kPdf);
  EXPECT_EQ(res.status, 413) << res.body;
  EXPECT_NE(res.body.find(std::to_string(kMaxBytes) + " bytes"), std::string::npos) << res.body;
  EXPECT_TRUE(fs::is_empty(evidenceDir() / "tmp"));
  EXPECT_EQ(storedFiles(evidenceDir()), 0u);
  // The hub goes on serving; exactly at the limit is taken.
  EXPECT_EQ(upload(pdfOf(kMaxBytes), kPdf).status, 201);
}

TEST_F(EvidenceTest, SameFileTwiceIsStoredOnce) {
  const std::string pdf = pdfOf(50000, 7);
  const auto first = upload(pdf, kPdf);
  ASSERT_EQ(first.status, 201) << first.body;
  const auto second = upload(pdf, kPdf);
  ASSERT_EQ(second.status, 200) << second.body;
  const auto answer = boost::json::parse(second.body).as_object();
  EXPECT_FALSE(answer.at("stored").as_bool());
  EXPECT_FALSE(answer.at("linked").as_bool());
  EXPECT_EQ(answer.at("sha256").as_string(), base::sha256Hex(pdf));
  EXPECT_EQ(storedFiles(evidenceDir()), 1u);
  EXPECT_TRUE(fs::is_empty(evidenceDir() / "tmp"));
}

TEST_F(EvidenceTest, TemporaryFileOfACrashedUploadIsRemovedOnStart) {
  hub_->signal(SIGKILL);
  hub_->wait();
  // What a crash between the temporary write and the rename leaves.
  const auto half = evidenceDir() / "tmp" / "upload-crashed";
  std::ofstream(half, std::ios::binary) << pdfOf(1000).substr(0, 500);
  hub_->start();
  EXPECT_FALSE(fs::exists(half));
  EXPECT_EQ(storedFiles(evidenceDir()), 0u);
  EXPECT_NE(hub_->log().find("removed 1 unfinished uploads"), std::string::npos) << hub_->log();
}

TEST_F(EvidenceTest, ScopesDecideWhoMayUploadAndRead) {
  // Tashkent's source may not upload for an Andijan implementation.
  const auto foreign = upload(pdfOf(1000), kPdf, kTashkent);
  EXPECT_EQ(foreign.status, 403) << foreign.body;
  EXPECT_NE(foreign.body.find("region " + region_), std::string::npos) << foreign.body;
  // A read token may not upload at all.
  EXPECT_EQ(upload(pdfOf(1000), kPdf, kNational).status, 403);
  // An implementation the hub does not have.
  const auto unknown = hub_->post("/api/v1/evidence?measure=NO-SUCH&region=1703&organisation=x",
                                  pdfOf(1000), kPdf, kAndijan);
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  const auto noTask = upload(pdfOf(1000), kPdf, kAndijan, "&task=no-such-task");
  EXPECT_EQ(noTask.status, 404) << noTask.body;

  const auto res = upload(pdfOf(1000), kPdf);
  ASSERT_EQ(res.status, 201) << res.body;
  const std::string url = boost::json::parse(res.body).at("url").as_string().c_str();
  EXPECT_EQ(hub_->get(url, kAndijanReader).status, 200);
  const auto outside = hub_->get(url, kTashkent);  // reads Tashkent only
  EXPECT_EQ(outside.status, 403) << outside.body;
  EXPECT_EQ(hub_->get(url, "").status, 401);
  EXPECT_EQ(hub_->get("/api/v1/evidence/" + std::string(64, '0'), kNational).status, 404);
}

TEST_F(EvidenceTest, FeedListsTheUploadWithItsHashAndSize) {
  const std::string pdf = pdfOf(3000, 3);
  ASSERT_EQ(upload(pdf, kPdf).status, 201);
  const auto feed = hub_->get("/api/v1/feed", kNational);
  ASSERT_EQ(feed.status, 200);
  const auto sha = base::sha256Hex(pdf);
  EXPECT_NE(feed.body.find("url=\"/api/v1/evidence/" + sha + "\""), std::string::npos) << feed.body;
  EXPECT_NE(feed.body.find("sha256=\"" + sha + "\" size=\"" + std::to_string(pdf.size()) + "\""),
            std::string::npos)
      << feed.body;
}

// With the store on PostgreSQL the content lives in large objects; it comes back byte for byte
// after kill -9, sent from a spooled copy that is gone once sent.
class EvidencePostgresTest : public EvidenceTest {
 protected:
  std::string storeUrl() override {
    const std::string base = postgresUrl();  // postgresql://<connection string>
    schema_ = "evidence_" + std::to_string(::getpid());
    soci::session admin(*soci::factory_postgresql(), connection());
    admin << "SET client_min_messages TO warning";
    admin << "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE";
    admin << "CREATE SCHEMA " + schema_;
    return base + " options='-c search_path=" + schema_ + "'";
  }
  void TearDown() override {
    hub_.reset();
    if (schema_.empty()) return;
    soci::session admin(*soci::factory_postgresql(), connection());
    admin << "SET client_min_messages TO warning";
    admin << "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE";
  }
  static std::string connection() {
    const std::string base = postgresUrl();
    return base.substr(base.find("://") + 3);
  }
  std::string schema_;
};

TEST_F(EvidencePostgresTest, UploadedPdfInLargeObjectsIsByteIdenticalAfterKill9) {
  const std::string pdf = pdfOf(3u << 19);  // 1.5 MiB: several chunks of a large object
  const auto res = upload(pdf, kPdf);
  ASSERT_EQ(res.status, 201) << res.body;
  hub_->signal(SIGKILL);
  EXPECT_EQ(hub_->wait(), 128 + SIGKILL);
  const std::string sha = boost::json::parse(res.body).at("sha256").as_string().c_str();
  // Nothing of it on disk: PostgreSQL holds it.
  EXPECT_EQ(storedFiles(evidenceDir()), 0u);

  hub_->start();
  const auto got = hub_->get("/api/v1/evidence/" + sha, kNational);
  ASSERT_EQ(got.status, 200) << got.body.substr(0, 300);
  EXPECT_TRUE(got.body == pdf) << "the bytes read back differ from the bytes uploaded";
  EXPECT_EQ(headerOf(got, "content-length"), std::to_string(pdf.size()));
  EXPECT_TRUE(fs::is_empty(evidenceDir() / "tmp")) << "the spooled copy is left behind";
}

}  // namespace
}  // namespace ijro::test
