// `ijro-hub feed keygen|sign|verify` run as the real binary: a hub's key pair, a signed batch,
// and the verdicts on a signed, an altered, an unsigned and a foreign batch.
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "hub/xml/signature.hpp"
#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::test {
namespace {

using ::testing::HasSubstr;

const char* kBatch =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<feed xmlns=\"urn:ijro-hub:feed:1\" hub=\"hub-a\" sequence=\"7\""
    " generatedAt=\"2026-03-01T10:00:00Z\" asOf=\"2026-03-01\">\n"
    "  <rollups>\n"
    "    <rollup by=\"region\" key=\"1726\" total=\"3\" rag=\"green\" done=\"1\" doneLate=\"0\""
    " shareDoneLate=\"0\" earlyWarnings=\"0\"/>\n"
    "  </rollups>\n"
    "</feed>\n";

struct Keys {
  std::string key, cert;
};

// A folder with the batch, key pairs for hub-a and hub-b made by `feed keygen`, and the batch
// signed by hub-a with `feed sign`.
class FeedCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tempDir("feed-verify");
    std::ofstream(path("batch.xml")) << kBatch;
    a_ = keygen("hub-a");
    b_ = keygen("hub-b");
    auto r = runHub({"feed", "sign", path("batch.xml"), "--key", a_.key, "--cert", a_.cert, "--out",
                     path("signed.xml")});
    ASSERT_EQ(r.exitCode, 0) << r.err;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  Keys keygen(const std::string& hub) {
    Keys k{path(hub + ".key"), path(hub + ".crt")};
    auto r = runHub({"feed", "keygen", "--key", k.key, "--cert", k.cert, "--hub", hub});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return k;
  }

  std::string fingerprint(const Keys& k) const {
    return xml::readCertificate(readFile(k.cert)).fingerprintSha256;
  }

  // `text` with `from` replaced by `to` once, written to `name`.
  std::string writeChanged(const std::string& name, const std::string& from,
                           const std::string& to) {
    auto text = readFile(path("signed.xml"));
    auto pos = text.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    if (pos != std::string::npos) text.replace(pos, from.size(), to);
    std::ofstream(path(name)) << text;
    return path(name);
  }

  std::filesystem::path dir_;
  Keys a_, b_;
};

TEST_F(FeedCommand, SignedBatchVerifiesNamingSignerCertificateHubAndSequence) {
  auto r = runHub({"feed", "verify", path("signed.xml"), "--cert", a_.cert});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, path("signed.xml") + ": signed by CN=hub-a (certificate 0, fingerprint " +
                       fingerprint(a_) + "), hub hub-a, sequence 7\n");
}

TEST_F(FeedCommand, SecondCertificateOfARotationVerifiesAndIsNamed) {
  auto r = runHub({"feed", "verify", path("signed.xml"), "--cert", b_.cert, "--cert", a_.cert});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("(certificate 1, fingerprint " + fingerprint(a_) + ")"));
}

TEST_F(FeedCommand, AlteredBatchIsRefusedAsAlteredWithOneLineOnStderr) {
  auto altered = writeChanged("altered.xml", "total=\"3\"", "total=\"4\"");
  auto r = runHub({"feed", "verify", altered, "--cert", a_.cert});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_THAT(r.err, ::testing::StartsWith(altered + ": altered: the document was altered after "
                                                     "signing"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(FeedCommand, UnsignedBatchIsRefusedAsUnsigned) {
  auto r = runHub({"feed", "verify", path("batch.xml"), "--cert", a_.cert});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err, path("batch.xml") +
                       ": unsigned: the document is not signed: no ds:Signature as the last "
                       "child of <feed>\n");
}

TEST_F(FeedCommand, BatchSignedByAnotherHubIsUnknownKeyNamingItsFingerprint) {
  auto r = runHub({"feed", "verify", path("signed.xml"), "--cert", b_.cert});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_THAT(r.err, HasSubstr(": unknown key: signed by a certificate that is not trusted"));
  EXPECT_THAT(r.err, HasSubstr("CN=hub-a"));
  EXPECT_THAT(r.err, HasSubstr(fingerprint(a_)));
}

TEST_F(FeedCommand, DoctypeInABatchIsMalformed) {
  auto dtd = writeChanged("dtd.xml", "<feed ", "<!DOCTYPE feed>\n<feed ");
  auto r = runHub({"feed", "verify", dtd, "--cert", a_.cert});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_THAT(r.err, HasSubstr(": malformed: "));
  EXPECT_THAT(r.err, HasSubstr("DOCTYPE"));
}

TEST_F(FeedCommand, MissingCertificateOptionIsAUsageError) {
  auto r = runHub({"feed", "verify", path("signed.xml")});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_THAT(r.err, HasSubstr("--cert"));
}

TEST_F(FeedCommand, KeygenWritesAnOwnerOnlyKeyAndACertificateForTheHub) {
  struct stat st {};
  ASSERT_EQ(::stat(a_.key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto info = xml::readCertificate(readFile(a_.cert));
  EXPECT_EQ(info.subject, "CN=hub-a");
  EXPECT_NEAR(static_cast<double>(info.notAfter - info.notBefore), 730.0 * 24 * 3600, 5.0);
  EXPECT_THAT(readFile(a_.key), HasSubstr("-----BEGIN PRIVATE KEY-----"));

  Keys c{path("c.key"), path("c.crt")};
  auto r = runHub(
      {"feed", "keygen", "--key", c.key, "--cert", c.cert, "--hub", "hub-c", "--days", "10"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto cInfo = xml::readCertificate(readFile(c.cert));
  EXPECT_NEAR(static_cast<double>(cInfo.notAfter - cInfo.notBefore), 10.0 * 24 * 3600, 5.0);
  EXPECT_THAT(r.out, HasSubstr(cInfo.fingerprintSha256));
}

TEST_F(FeedCommand, KeygenRefusesToOverwriteAndWritesNothing) {
  const auto keyBefore = readFile(a_.key);
  auto r = runHub({"feed", "keygen", "--key", a_.key, "--cert", path("new.crt"), "--hub", "x"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_THAT(r.err, HasSubstr(a_.key + " exists"));
  EXPECT_EQ(readFile(a_.key), keyBefore);
  EXPECT_FALSE(std::filesystem::exists(path("new.crt")));
  auto bad =
      runHub({"feed", "keygen", "--key", path("n.key"), "--cert", path("n.crt"), "--hub", "a b"});
  EXPECT_EQ(bad.exitCode, 1);
  EXPECT_THAT(bad.err, HasSubstr("--hub \"a b\""));
  EXPECT_FALSE(std::filesystem::exists(path("n.key")));
}

TEST_F(FeedCommand, SignRefusesAKeyWithAnotherHubsCertificate) {
  auto r = runHub({"feed", "sign", path("batch.xml"), "--key", a_.key, "--cert", b_.cert, "--out",
                   path("x.xml")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_THAT(r.err, HasSubstr("do not belong together"));
  EXPECT_FALSE(std::filesystem::exists(path("x.xml")));
}

}  // namespace
}  // namespace ijro::test
