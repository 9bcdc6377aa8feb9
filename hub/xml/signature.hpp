// XML signatures of the documents hubs send each other (feed batches): enveloped XML-DSig over
// the whole document, made and checked with xmlsec1 on OpenSSL.
//
// What the hub signs, and the only thing it accepts:
//   <ds:Signature> as the root's last child, one <ds:Reference URI=""> whose transforms are
//   enveloped-signature then exclusive c14n (no prefix list), digest SHA-256, canonicalisation
//   exclusive c14n, signature rsa-sha256 or ecdsa-sha256 (by the key), and a <ds:KeyInfo>
//   holding exactly one <ds:X509Data><ds:X509Certificate>, the signer's certificate.
// A verifier trusts certificates, not keys found in the document: the embedded certificate only
// says which trusted certificate to check against (a hub trusts two during a key rotation).
// Anything else (other references, transforms, algorithms, RetrievalMethod, Object, ...) is
// refused as malformed before any cryptography runs, and xmlsec may fetch nothing.
//
// Thread safety: the libraries are initialised once (std::call_once); every call has its own
// contexts, so signing and verifying run concurrently from many threads.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hub/xml/safe_reader.hpp"

namespace ijro::xml {

// A key or certificate that cannot be used; what() names the file (or "certificate N") and what
// is wrong.
struct SignatureError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A private key with its certificate, loaded once. Opaque; shareable between threads.
struct SigningKey;

// Loads a PEM private key (RSA of at least 2048 bits, or EC on P-256; unencrypted, PKCS#8 or
// traditional) and its PEM certificate. Throws SignatureError naming the file and the problem:
// unreadable, not PEM, encrypted, another key type or curve, key and certificate do not match.
std::shared_ptr<const SigningKey> loadSigningKey(const std::string& keyFile,
                                                 const std::string& certFile);
// The same from PEM text already in memory; messages name "<name> (key)", "<name> (certificate)".
std::shared_ptr<const SigningKey> signingKeyFromPem(std::string_view keyPem,
                                                    std::string_view certPem,
                                                    const std::string& name);

// Signs a well-formed document the hub wrote itself (parsed with the safe options and `limits`):
// appends an enveloped ds:Signature as the root's last child (see above) and returns the signed
// document's bytes (UTF-8, with an XML declaration). Throws XmlError for a document it cannot
// read, SignatureError for a document already signed or when xmlsec or OpenSSL fail.
std::string signEnveloped(std::string_view xml, const SigningKey& key, const Limits& limits = {});

enum class SignatureFailure {
  Unsigned,    // no ds:Signature in the document
  UnknownKey,  // signed with a certificate that is none of the trusted ones
  Altered,     // trusted certificate, but the digest or the signature value does not match
  Malformed,   // not well-formed, DOCTYPE, over a limit, a signature not as the hub makes them
  Expired,     // a trusted certificate, valid signature, outside its validity period
};
// "unsigned", "unknown key", "altered", "malformed", "expired"
const char* failureName(SignatureFailure f);

struct CertificateInfo {
  std::string subject;            // RFC 2253, e.g. "CN=hub-tashkent"
  std::string fingerprintSha256;  // SHA-256 of the DER, upper-case hex pairs joined by ':'
                                  // (as `openssl x509 -noout -fingerprint -sha256` prints it)
  std::int64_t notBefore = 0, notAfter = 0;  // unix seconds
};

struct Verification {
  bool ok = false;
  SignatureFailure failure{};  // meaningful when !ok
  std::string reason;          // when !ok: what is wrong, naming the certificate or element
  int certificate = -1;        // index into the trusted certificates that matched, else -1
  CertificateInfo signer{};    // the embedded certificate, when one could be read
};

// Verifies an untrusted document against the trusted PEM certificates, as of `now` (unix
// seconds; 0: the current time). Never throws for the document (every problem is a failure with
// its reason); throws SignatureError when a trusted certificate is not a PEM certificate.
Verification verifyEnveloped(std::string_view xml, const std::vector<std::string>& trustedCertPems,
                             const Limits& limits = {}, std::int64_t now = 0);

// Reads a PEM certificate. Throws SignatureError.
CertificateInfo readCertificate(const std::string& pem);

// A new key pair for a hub: EC P-256 private key (PKCS#8 PEM) and a self-signed certificate
// (subject CN=<commonName>, signed with SHA-256, valid from now for `days` days, 1..36500).
// Throws SignatureError.
struct KeyPairPem {
  std::string keyPem, certPem;
};
KeyPairPem makeSelfSignedKeyPair(const std::string& commonName, int days);

}  // namespace ijro::xml
