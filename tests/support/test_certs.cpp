#include "tests/support/test_certs.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <stdexcept>

namespace ijro::test {

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("test certificates: " + what);
}

EVP_PKEY* newKey() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!key) fail("cannot make a P-256 key");
  return key;
}

void addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) fail("cannot make the extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

void addName(X509_NAME* name, const char* field, const std::string& value) {
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                 0) != 1)
    fail(std::string("cannot set ") + field + "=" + value);
}

// An unsigned certificate for `key` issued by `issuer`; issuer == nullptr: self-issued.
X509* makeCert(EVP_PKEY* key, const std::string& commonName, const std::string& organisation,
               X509* issuer) {
  static std::atomic<long> serial{1000};
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3 * 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* subject = X509_get_subject_name(cert);
  if (!organisation.empty()) addName(subject, "O", organisation);
  addName(subject, "CN", commonName);
  X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : subject);
  return cert;
}

void sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) <= 0) fail("cannot sign a certificate");
}

void writePem(const std::filesystem::path& path, X509* cert, EVP_PKEY* key) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "w"), &std::fclose);
  if (!f) fail("cannot write " + path.string());
  const int ok = cert ? PEM_write_X509(f.get(), cert)
                      : PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  if (ok != 1) fail("cannot write " + path.string());
}

}  // namespace

TestCa::TestCa(const std::filesystem::path& folder, const std::string& name) : folder_(folder) {
  EVP_PKEY* key = newKey();
  X509* cert = makeCert(key, name, {}, nullptr);
  addExtension(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
  addExtension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  addExtension(cert, cert, NID_subject_key_identifier, "hash");
  sign(cert, key);
  key_ = key;
  cert_ = cert;
  files_ = {folder / (name + ".crt"), folder / (name + ".key")};
  writePem(files_.certificate, cert, nullptr);
  writePem(files_.key, nullptr, key);
}

TestCa::~TestCa() {
  X509_free(static_cast<X509*>(cert_));
  EVP_PKEY_free(static_cast<EVP_PKEY*>(key_));
}

PemFiles TestCa::issue(const std::string& fileName, const std::string& commonName,
                       const std::vector<std::string>& names, bool client,
                       const std::string& organisation) const {
  auto* caCert = static_cast<X509*>(cert_);
  auto* caKey = static_cast<EVP_PKEY*>(key_);
  EVP_PKEY* key = newKey();
  X509* cert = makeCert(key, commonName, organisation, caCert);
  addExtension(cert, caCert, NID_basic_constraints, "critical,CA:FALSE");
  addExtension(cert, caCert, NID_key_usage, "critical,digitalSignature");
  addExtension(cert, caCert, NID_ext_key_usage, client ? "clientAuth" : "serverAuth");
  addExtension(cert, caCert, NID_authority_key_identifier, "keyid");
  if (!names.empty()) {
    std::string san;
    for (const auto& n : names) san += (san.empty() ? "" : ",") + n;
    addExtension(cert, caCert, NID_subject_alt_name, san);
  }
  sign(cert, caKey);
  PemFiles out{folder_ / (fileName + ".crt"), folder_ / (fileName + ".key")};
  writePem(out.certificate, cert, nullptr);
  writePem(out.key, nullptr, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

}  // namespace ijro::test
