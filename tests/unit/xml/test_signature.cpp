#include "hub/xml/signature.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hub/xml/schema.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::xml {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// ---- keys and certificates made here, with the OpenSSL API --------------------------------------

enum class KeyType { Rsa, Ec };

struct Pem {
  std::string key, cert;
};

std::string bioString(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// A key and a self-signed certificate CN=<cn>, valid from now+fromSeconds to now+toSeconds.
Pem makePem(KeyType type, const std::string& cn, long fromSeconds = -60,
            long toSeconds = 3600L * 24 * 30) {
  EVP_PKEY* key = type == KeyType::Rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  if (!key) throw std::runtime_error("key generation failed");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> keyOwner(key, &EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  X509_set_version(cert.get(), X509_VERSION_3);
  static std::atomic<long> serial{1};
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), fromSeconds);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), toSeconds);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key);
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) throw std::runtime_error("X509_sign failed");
  std::unique_ptr<BIO, decltype(&BIO_free)> kb(BIO_new(BIO_s_mem()), &BIO_free),
      cb(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PrivateKey(kb.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_X509(cb.get(), cert.get());
  return {bioString(kb.get()), bioString(cb.get())};
}

// Made once per process (RSA key generation is slow under the sanitizers).
const Pem& rsaPem() {
  static const Pem p = makePem(KeyType::Rsa, "hub-rsa");
  return p;
}
const Pem& ecPem() {
  static const Pem p = makePem(KeyType::Ec, "hub-ec");
  return p;
}

std::shared_ptr<const SigningKey> keyOf(const Pem& p) {
  return signingKeyFromPem(p.key, p.cert, "test");
}

// A feed that validates against schemas/monitoring-feed.xsd.
const std::string kFeed =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<feed xmlns=\"urn:ijro-hub:feed:1\" hub=\"hub-tashkent\" generatedAt=\"2026-03-01T10:00:00Z\""
    " asOf=\"2026-03-01\">\n"
    "  <rollups>\n"
    "    <rollup by=\"region\" key=\"1726\" total=\"3\" rag=\"green\" done=\"1\" doneLate=\"0\""
    " shareDoneLate=\"0\" earlyWarnings=\"0\"/>\n"
    "  </rollups>\n"
    "</feed>\n";

// `text` with the first `from` replaced by `to` (the test fails if `from` is not there).
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << "\"" << from << "\" not in the document";
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

std::string between(const std::string& text, const std::string& open, const std::string& close) {
  auto a = text.find(open);
  auto b = text.find(close, a);
  if (a == std::string::npos || b == std::string::npos) return {};
  return text.substr(a, b + close.size() - a);
}

// ---- round trips ----------------------------------------------------------------------------

TEST(XmlSignature, RsaSignedFeedVerifiesAgainstItsCertificate) {
  auto signedXml = signEnveloped(kFeed, *keyOf(rsaPem()));
  EXPECT_THAT(signedXml, HasSubstr("xmldsig-more#rsa-sha256"));
  auto v = verifyEnveloped(signedXml, {rsaPem().cert});
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.certificate, 0);
  EXPECT_EQ(v.signer.subject, "CN=hub-rsa");
  EXPECT_EQ(v.signer.fingerprintSha256, readCertificate(rsaPem().cert).fingerprintSha256);
}

TEST(XmlSignature, EcdsaSignedFeedVerifiesAgainstItsCertificate) {
  auto signedXml = signEnveloped(kFeed, *keyOf(ecPem()));
  EXPECT_THAT(signedXml, HasSubstr("xmldsig-more#ecdsa-sha256"));
  auto v = verifyEnveloped(signedXml, {ecPem().cert});
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.certificate, 0);
  EXPECT_EQ(v.signer.subject, "CN=hub-ec");
}

TEST(XmlSignature, SignatureIsTheRootsLastChildWithTheCertificate) {
  auto signedXml = signEnveloped(kFeed, *keyOf(ecPem()));
  auto doc = parseDocument(signedXml, "signed");
  xmlNode* last = xmlGetLastChild(xmlDocGetRootElement(doc.get()));
  while (last && last->type != XML_ELEMENT_NODE) last = last->prev;
  ASSERT_NE(last, nullptr);
  EXPECT_STREQ(reinterpret_cast<const char*>(last->name), "Signature");
  EXPECT_THAT(signedXml, HasSubstr("<ds:Reference URI=\"\">"));
  EXPECT_THAT(signedXml, HasSubstr("<ds:X509Certificate>"));
  // The certificate in the document is the signer's.
  std::string pemBody = ecPem().cert;
  pemBody = pemBody.substr(pemBody.find('\n') + 1, 40);
  EXPECT_THAT(signedXml, HasSubstr(pemBody));
}

TEST(XmlSignature, SignedFeedStillValidatesAgainstTheFeedSchema) {
  Schema schema((test::sourceDir() / "schemas/monitoring-feed.xsd").string());
  auto unsignedDoc = parseDocument(kFeed, "unsigned");
  ASSERT_TRUE(schema.validate(unsignedDoc.get(), "unsigned").empty())
      << "the sample feed must validate before it is signed";
  for (const Pem* p : {&rsaPem(), &ecPem()}) {
    auto signedXml = signEnveloped(kFeed, *keyOf(*p));
    auto doc = parseDocument(signedXml, "signed");
    auto errors = schema.validate(doc.get(), "signed");
    EXPECT_TRUE(errors.empty()) << errors.front();
  }
}

TEST(XmlSignature, SigningAgainGivesAVerifiableDocumentEachTime) {
  // ECDSA signatures differ each time; each one verifies.
  auto key = keyOf(ecPem());
  auto a = signEnveloped(kFeed, *key), b = signEnveloped(kFeed, *key);
  EXPECT_NE(a, b);
  EXPECT_TRUE(verifyEnveloped(a, {ecPem().cert}).ok);
  EXPECT_TRUE(verifyEnveloped(b, {ecPem().cert}).ok);
}

TEST(XmlSignature, SigningAnAlreadySignedDocumentIsRefused) {
  auto key = keyOf(ecPem());
  auto signedXml = signEnveloped(kFeed, *key);
  try {
    signEnveloped(signedXml, *key);
    FAIL() << "a signed document was signed again";
  } catch (const SignatureError& e) {
    EXPECT_THAT(e.what(), HasSubstr("already signed"));
  }
}

// ---- failures -------------------------------------------------------------------------------

TEST(XmlSignature, OneAlteredByteInAValueIsAlteredWithTheDigestNamed) {
  auto signedXml = signEnveloped(kFeed, *keyOf(rsaPem()));
  auto v = verifyEnveloped(replaced(signedXml, "total=\"3\"", "total=\"4\""), {rsaPem().cert});
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.failure, SignatureFailure::Altered);
  EXPECT_THAT(v.reason, HasSubstr("DigestValue"));
  EXPECT_EQ(v.certificate, 0);
}

TEST(XmlSignature, AlteredAttributeOfTheRootIsAltered) {
  auto signedXml = signEnveloped(kFeed, *keyOf(ecPem()));
  auto v = verifyEnveloped(replaced(signedXml, "hub-tashkent", "hub-tashkenT"), {ecPem().cert});
  EXPECT_EQ(v.failure, SignatureFailure::Altered);
  EXPECT_FALSE(v.ok);
}

TEST(XmlSignature, AlteredSignedInfoIsAlteredWithTheSignatureValueNamed) {
  // The digest is right but SignedInfo changed (a digest of other content put in): the signature
  // value no longer covers it.
  auto key = keyOf(rsaPem());
  auto original = signEnveloped(kFeed, *key);
  auto other = signEnveloped(replaced(kFeed, "total=\"3\"", "total=\"9\""), *key);
  auto otherDigest = between(other, "<ds:DigestValue>", "</ds:DigestValue>");
  ASSERT_FALSE(otherDigest.empty());
  auto forged = replaced(replaced(original, "total=\"3\"", "total=\"9\""),
                         between(original, "<ds:DigestValue>", "</ds:DigestValue>"), otherDigest);
  auto v = verifyEnveloped(forged, {rsaPem().cert});
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.failure, SignatureFailure::Altered);
  EXPECT_THAT(v.reason, HasSubstr("SignatureValue"));
}

TEST(XmlSignature, RemovedSignatureIsUnsigned) {
  auto signedXml = signEnveloped(kFeed, *keyOf(ecPem()));
  auto stripped = replaced(signedXml, between(signedXml, "<ds:Signature", "</ds:Signature>"), "");
  auto v = verifyEnveloped(stripped, {ecPem().cert});
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.failure, SignatureFailure::Unsigned);
  EXPECT_THAT(v.reason, HasSubstr("not signed"));
  EXPECT_EQ(verifyEnveloped(kFeed, {ecPem().cert}).failure, SignatureFailure::Unsigned);
}

TEST(XmlSignature, SignedByAnotherKeyIsUnknownKeyNamingSubjectAndFingerprint) {
  auto stranger = makePem(KeyType::Ec, "hub-stranger");
  auto signedXml = signEnveloped(kFeed, *keyOf(stranger));
  auto v = verifyEnveloped(signedXml, {ecPem().cert, rsaPem().cert});
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.failure, SignatureFailure::UnknownKey);
  EXPECT_EQ(v.certificate, -1);
  EXPECT_THAT(v.reason, HasSubstr("CN=hub-stranger"));
  EXPECT_THAT(v.reason, HasSubstr(readCertificate(stranger.cert).fingerprintSha256));
  EXPECT_THAT(v.reason, HasSubstr(readCertificate(ecPem().cert).fingerprintSha256));
}

TEST(XmlSignature, EmbeddedCertificateSwappedForATrustedOneIsAltered) {
  // Someone signs with their own key but puts a trusted certificate in KeyInfo: the trusted
  // certificate's key does not verify the signature.
  auto stranger = makePem(KeyType::Ec, "hub-stranger");
  auto signedXml = signEnveloped(kFeed, *keyOf(stranger));
  auto trustedSigned = signEnveloped(kFeed, *keyOf(ecPem()));
  auto forged =
      replaced(signedXml, between(signedXml, "<ds:X509Certificate>", "</ds:X509Certificate>"),
               between(trustedSigned, "<ds:X509Certificate>", "</ds:X509Certificate>"));
  auto v = verifyEnveloped(forged, {ecPem().cert});
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.failure, SignatureFailure::Altered);
  EXPECT_THAT(v.reason, HasSubstr("SignatureValue"));
}

TEST(XmlSignature, SecondTrustedCertificateVerifiesAndIsNamedByIndex) {
  auto signedXml = signEnveloped(kFeed, *keyOf(ecPem()));
  auto v = verifyEnveloped(signedXml, {rsaPem().cert, ecPem().cert});
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.certificate, 1);
}

TEST(XmlSignature, ExpiredCertificateIsExpiredNamingTheDate) {
  auto old = makePem(KeyType::Ec, "hub-old", -3600L * 24 * 10, -3600L * 24);
  auto signedXml = signEnveloped(kFeed, *keyOf(old));
  auto v = verifyEnveloped(signedXml, {old.cert});
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.failure, SignatureFailure::Expired);
  EXPECT_THAT(v.reason, HasSubstr("expired on "));
  EXPECT_EQ(v.certificate, 0);
}

TEST(XmlSignature, NotYetValidCertificateIsExpiredSayingFromWhen) {
  auto future = makePem(KeyType::Ec, "hub-future", 3600L * 24, 3600L * 24 * 10);
  auto signedXml = signEnveloped(kFeed, *keyOf(future));
  auto v = verifyEnveloped(signedXml, {future.cert});
  EXPECT_EQ(v.failure, SignatureFailure::Expired);
  EXPECT_THAT(v.reason, HasSubstr("not valid before"));
  // The same signature as of a time within the validity period verifies.
  auto info = readCertificate(future.cert);
  EXPECT_TRUE(verifyEnveloped(signedXml, {future.cert}, {}, info.notBefore + 60).ok);
}

TEST(XmlSignature, DoctypeIsMalformed) {
  auto signedXml = signEnveloped(kFeed, *keyOf(ecPem()));
  auto withDoctype =
      replaced(signedXml, "<feed ", "<!DOCTYPE feed [<!ENTITY x \"hub-tashkent\">]>\n<feed ");
  auto v = verifyEnveloped(withDoctype, {ecPem().cert});
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.failure, SignatureFailure::Malformed);
  EXPECT_THAT(v.reason, HasSubstr("DOCTYPE"));
}

TEST(XmlSignature, ExternalEntityIsMalformedAndNothingIsRead) {
  auto signedXml = signEnveloped(kFeed, *keyOf(ecPem()));
  auto xxe =
      replaced(replaced(signedXml, "<feed ",
                        "<!DOCTYPE feed [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<feed "),
               "key=\"1726\"", "key=\"&x;\"");
  auto v = verifyEnveloped(xxe, {ecPem().cert});
  EXPECT_EQ(v.failure, SignatureFailure::Malformed);
  EXPECT_THAT(v.reason, Not(HasSubstr("root:")));
}

TEST(XmlSignature, NotWellFormedIsMalformedWithItsLine) {
  auto v = verifyEnveloped("<feed xmlns=\"urn:ijro-hub:feed:1\">\n<a></b></feed>", {ecPem().cert});
  EXPECT_EQ(v.failure, SignatureFailure::Malformed);
  EXPECT_THAT(v.reason, HasSubstr("line 2"));
}

TEST(XmlSignature, ExtraReferenceIsMalformed) {
  auto signedXml = signEnveloped(kFeed, *keyOf(ecPem()));
  auto reference = between(signedXml, "<ds:Reference", "</ds:Reference>");
  auto twice =
      replaced(signedXml, reference, reference + replaced(reference, "URI=\"\"", "URI=\"#x\""));
  auto v = verifyEnveloped(twice, {ecPem().cert});
  EXPECT_EQ(v.failure, SignatureFailure::Malformed);
  EXPECT_THAT(v.reason, HasSubstr("ds:Reference, ds:Reference"));
}

TEST(XmlSignature, ExternalReferenceUriIsMalformed) {
  auto signedXml = signEnveloped(kFeed, *keyOf(ecPem()));
  auto v = verifyEnveloped(replaced(signedXml, "URI=\"\"", "URI=\"http://127.0.0.1:1/x\""),
                           {ecPem().cert});
  EXPECT_EQ(v.failure, SignatureFailure::Malformed);
  EXPECT_THAT(v.reason, HasSubstr("only URI=\"\""));
}

TEST(XmlSignature, XPathTransformIsMalformed) {
  auto signedXml = signEnveloped(kFeed, *keyOf(ecPem()));
  auto xpath =
      replaced(signedXml, "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
               "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\">"
               "<ds:XPath>not(ancestor-or-self::rollups)</ds:XPath></ds:Transform>");
  auto v = verifyEnveloped(xpath, {ecPem().cert});
  EXPECT_EQ(v.failure, SignatureFailure::Malformed);
  EXPECT_THAT(v.reason, HasSubstr("REC-xpath"));
}

TEST(XmlSignature, RetrievalMethodInKeyInfoIsMalformed) {
  auto signedXml = signEnveloped(kFeed, *keyOf(ecPem()));
  auto v =
      verifyEnveloped(replaced(signedXml, "<ds:KeyInfo>",
                               "<ds:KeyInfo><ds:RetrievalMethod URI=\"http://127.0.0.1:1/key\"/>"),
                      {ecPem().cert});
  EXPECT_EQ(v.failure, SignatureFailure::Malformed);
  EXPECT_THAT(v.reason, HasSubstr("ds:RetrievalMethod"));
}

TEST(XmlSignature, TwoSignaturesAreMalformed) {
  auto signedXml = signEnveloped(kFeed, *keyOf(ecPem()));
  auto sig = between(signedXml, "<ds:Signature", "</ds:Signature>");
  auto v = verifyEnveloped(replaced(signedXml, sig, sig + sig), {ecPem().cert});
  EXPECT_EQ(v.failure, SignatureFailure::Malformed);
  EXPECT_THAT(v.reason, HasSubstr("2 ds:Signature elements"));
}

TEST(XmlSignature, SignatureNotLastIsMalformed) {
  auto signedXml = signEnveloped(kFeed, *keyOf(ecPem()));
  auto v = verifyEnveloped(replaced(signedXml, "</feed>", "<rollups/></feed>"), {ecPem().cert});
  EXPECT_EQ(v.failure, SignatureFailure::Malformed);
  EXPECT_THAT(v.reason, HasSubstr("last child"));
}

TEST(XmlSignature, OtherDigestAlgorithmIsMalformed) {
  auto signedXml = signEnveloped(kFeed, *keyOf(rsaPem()));
  auto v = verifyEnveloped(replaced(signedXml, "http://www.w3.org/2001/04/xmlenc#sha256",
                                    "http://www.w3.org/2000/09/xmldsig#sha1"),
                           {rsaPem().cert});
  EXPECT_EQ(v.failure, SignatureFailure::Malformed);
  EXPECT_THAT(v.reason, HasSubstr("SHA-256"));
}

TEST(XmlSignature, OversizedDocumentIsMalformed) {
  auto signedXml = signEnveloped(kFeed, *keyOf(ecPem()));
  Limits small;
  small.maxBytes = 512;
  auto v = verifyEnveloped(signedXml, {ecPem().cert}, small);
  EXPECT_EQ(v.failure, SignatureFailure::Malformed);
  EXPECT_THAT(v.reason, HasSubstr("over the limit of 512"));
}

// ---- keys and certificates ------------------------------------------------------------------

TEST(XmlSignature, KeyAndCertificateThatDoNotMatchAreRefusedNamingBoth) {
  try {
    signingKeyFromPem(ecPem().key, rsaPem().cert, "pair");
    FAIL() << "a mismatched pair was accepted";
  } catch (const SignatureError& e) {
    EXPECT_THAT(e.what(), HasSubstr("do not belong together"));
    EXPECT_THAT(e.what(), HasSubstr("pair (key)"));
  }
}

TEST(XmlSignature, UnreadableOrNonPemKeyFilesAreRefusedNamingTheFile) {
  auto dir = test::tempDir("signature-keys");
  auto keyFile = (dir / "key.pem").string(), certFile = (dir / "cert.pem").string();
  std::ofstream(keyFile) << "not a key";
  std::ofstream(certFile) << ecPem().cert;
  try {
    loadSigningKey(keyFile, certFile);
    FAIL() << "a non-PEM key was accepted";
  } catch (const SignatureError& e) {
    EXPECT_THAT(e.what(), HasSubstr(keyFile));
    EXPECT_THAT(e.what(), HasSubstr("not a PEM private key"));
  }
  try {
    loadSigningKey((dir / "missing.pem").string(), certFile);
    FAIL() << "a missing key file was accepted";
  } catch (const SignatureError& e) {
    EXPECT_THAT(e.what(), HasSubstr("missing.pem: cannot read the private key"));
  }
  std::ofstream(keyFile) << ecPem().key;
  std::ofstream(certFile) << "junk";
  try {
    loadSigningKey(keyFile, certFile);
    FAIL() << "a non-PEM certificate was accepted";
  } catch (const SignatureError& e) {
    EXPECT_THAT(e.what(), HasSubstr(certFile + ": not a PEM certificate"));
  }
  std::ofstream(certFile) << ecPem().cert;
  EXPECT_NE(loadSigningKey(keyFile, certFile), nullptr);
  std::filesystem::remove_all(dir);
}

// The PEM of `key` (taken over), encrypted with `passphrase` when one is given.
std::string keyPem(EVP_PKEY* key, const char* passphrase = nullptr) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> owner(key, &EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (passphrase)
    PEM_write_bio_PKCS8PrivateKey(bio.get(), key, EVP_aes_256_cbc(), passphrase,
                                  static_cast<int>(std::strlen(passphrase)), nullptr, nullptr);
  else
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return bioString(bio.get());
}

std::string loadError(const std::string& key) {
  try {
    signingKeyFromPem(key, ecPem().cert, "k");
  } catch (const SignatureError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(XmlSignature, WeakOtherCurveAndEncryptedKeysAreRefusedSayingWhy) {
  EXPECT_THAT(loadError(keyPem(EVP_RSA_gen(1024))), HasSubstr("has 1024 bits; use at least 2048"));
  EXPECT_THAT(loadError(keyPem(EVP_EC_gen("P-384"))), HasSubstr("P-256"));
  // Encrypted: refused with a message, never a pass phrase prompt.
  EXPECT_THAT(loadError(keyPem(EVP_EC_gen("P-256"), "secret")), HasSubstr("is encrypted"));
}

TEST(XmlSignature, SignatureMethodThatDoesNotFitTheCertificatesKeyIsMalformed) {
  auto signedXml = signEnveloped(kFeed, *keyOf(rsaPem()));
  auto v = verifyEnveloped(
      replaced(signedXml, "xmldsig-more#rsa-sha256", "xmldsig-more#ecdsa-sha256"), {rsaPem().cert});
  EXPECT_EQ(v.failure, SignatureFailure::Malformed);
  EXPECT_THAT(v.reason, HasSubstr("holds an RSA key"));
}

TEST(XmlSignature, BadTrustedCertificateThrowsNamingItsIndex) {
  auto signedXml = signEnveloped(kFeed, *keyOf(ecPem()));
  EXPECT_THROW(
      {
        try {
          verifyEnveloped(signedXml, {ecPem().cert, "nonsense"});
        } catch (const SignatureError& e) {
          EXPECT_THAT(e.what(), HasSubstr("trusted certificate 1"));
          throw;
        }
      },
      SignatureError);
}

TEST(XmlSignature, ReadCertificateGivesSubjectFingerprintAndValidity) {
  auto pem = makePem(KeyType::Ec, "hub-samarkand", -100, 1000);
  auto info = readCertificate(pem.cert);
  EXPECT_EQ(info.subject, "CN=hub-samarkand");
  EXPECT_EQ(info.fingerprintSha256.size(), 32u * 3 - 1);
  EXPECT_THAT(info.fingerprintSha256, ::testing::MatchesRegex("([0-9A-F]{2}:){31}[0-9A-F]{2}"));
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  EXPECT_NEAR(static_cast<double>(info.notBefore), static_cast<double>(now - 100), 5.0);
  EXPECT_NEAR(static_cast<double>(info.notAfter), static_cast<double>(now + 1000), 5.0);
  EXPECT_THROW(readCertificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
               SignatureError);
  EXPECT_THROW(readCertificate("hello"), SignatureError);
}

TEST(XmlSignature, SelfSignedKeyPairIsP256WithTheHubAsSubjectAndSigns) {
  auto pair = makeSelfSignedKeyPair("hub-andijan", 30);
  auto info = readCertificate(pair.certPem);
  EXPECT_EQ(info.subject, "CN=hub-andijan");
  EXPECT_NEAR(static_cast<double>(info.notAfter - info.notBefore), 30.0 * 24 * 3600, 5.0);
  auto signedXml = signEnveloped(kFeed, *signingKeyFromPem(pair.keyPem, pair.certPem, "pair"));
  EXPECT_THAT(signedXml, HasSubstr("ecdsa-sha256"));
  EXPECT_TRUE(verifyEnveloped(signedXml, {pair.certPem}).ok);
  EXPECT_THROW(makeSelfSignedKeyPair("", 30), SignatureError);
  EXPECT_THROW(makeSelfSignedKeyPair("hub", 0), SignatureError);
}

// ---- threads --------------------------------------------------------------------------------

TEST(XmlSignature, FourThreadsSignAndVerifyConcurrently) {
  auto rsa = keyOf(rsaPem());
  auto ec = keyOf(ecPem());
  const std::vector<std::string> trusted = {rsaPem().cert, ecPem().cert};
  std::atomic<int> good{0}, bad{0}, caught{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        try {
          const bool useEc = (t + i) % 2 == 0;
          auto signedXml = signEnveloped(
              replaced(kFeed, "total=\"3\"", "total=\"" + std::to_string(t * 100 + i) + "\""),
              useEc ? *ec : *rsa);
          auto v = verifyEnveloped(signedXml, trusted);
          if (v.ok && v.certificate == (useEc ? 1 : 0)) ++good;
          auto altered =
              verifyEnveloped(replaced(signedXml, "hub-tashkent", "hub-tashkenX"), trusted);
          if (!altered.ok && altered.failure == SignatureFailure::Altered) ++bad;
        } catch (...) {
          ++caught;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(caught.load(), 0);
  EXPECT_EQ(good.load(), 40);
  EXPECT_EQ(bad.load(), 40);
}

}  // namespace
}  // namespace ijro::xml
