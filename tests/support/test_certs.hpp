// Certificates made at run time for the TLS tests (OpenSSL API, P-256 keys, SHA-256): a CA and
// certificates it signs, written as PEM files, so no test depends on a key kept in the tree.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ijro::test {

struct PemFiles {
  std::filesystem::path certificate;  // PEM certificate
  std::filesystem::path key;          // PEM private key, not encrypted
};

// A certificate authority: a self-signed certificate (CA:TRUE) and its key, in `folder` as
// <name>.crt and <name>.key; it signs the certificates issue() makes.
class TestCa {
 public:
  TestCa(const std::filesystem::path& folder, const std::string& name);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  const PemFiles& files() const { return files_; }
  // A leaf certificate with subject CN=<commonName> (and O=<organisation> when not empty), for
  // a server (extendedKeyUsage serverAuth, subjectAltName from `names`: "DNS:localhost",
  // "IP:127.0.0.1") or a client (clientAuth), written as <fileName>.crt and <fileName>.key.
  PemFiles issue(const std::string& fileName, const std::string& commonName,
                 const std::vector<std::string>& names, bool client,
                 const std::string& organisation = {}) const;

 private:
  std::filesystem::path folder_;
  PemFiles files_;
  void* key_ = nullptr;   // EVP_PKEY
  void* cert_ = nullptr;  // X509
};

}  // namespace ijro::test
