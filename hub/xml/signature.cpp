#include "hub/xml/signature.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/io.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/templates.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <initializer_list>
#include <mutex>
#include <sstream>

#include "hub/base/timestamp.hpp"

namespace ijro::xml {

namespace {

// The algorithm URIs of what the hub signs (and the only ones it accepts).
constexpr const char* kDsigNs = "http://www.w3.org/2000/09/xmldsig#";
constexpr const char* kExcC14n = "http://www.w3.org/2001/10/xml-exc-c14n#";
constexpr const char* kEnveloped = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
constexpr const char* kRsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
constexpr const char* kEcdsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
constexpr const char* kSha256 = "http://www.w3.org/2001/04/xmlenc#sha256";

// ---- OpenSSL and xmlsec resources ------------------------------------------------------------

struct EvpKeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};
struct DSigCtxFree {
  void operator()(xmlSecDSigCtx* p) const noexcept { xmlSecDSigCtxDestroy(p); }
};
struct XmlFree {
  void operator()(xmlChar* p) const noexcept { xmlFree(p); }
};
using EvpKeyPtr = std::unique_ptr<EVP_PKEY, EvpKeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using DSigCtxPtr = std::unique_ptr<xmlSecDSigCtx, DSigCtxFree>;
using XmlCharPtr = std::unique_ptr<xmlChar, XmlFree>;

// The OpenSSL errors of this thread as one line (and the queue emptied).
std::string opensslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? std::string("no detail from OpenSSL") : out;
}

// xmlsec reports errors through one global callback: each thread keeps its own first message
// of the current operation, so concurrent calls do not mix them and nothing is printed.
thread_local std::string xmlsecError;

void onXmlsecError(const char* /*file*/, int /*line*/, const char* func, const char* errorObject,
                   const char* errorSubject, int reason, const char* msg) {
  if (!xmlsecError.empty()) return;
  std::ostringstream s;
  s << (func ? func : "xmlsec");
  if (errorObject && std::strcmp(errorObject, "unknown") != 0) s << " " << errorObject;
  if (errorSubject && std::strcmp(errorSubject, "unknown") != 0) s << " " << errorSubject;
  s << ": ";
  for (xmlSecSize i = 0; xmlSecErrorsGetMsg(i) != nullptr; ++i) {
    if (xmlSecErrorsGetCode(i) == reason) {
      s << xmlSecErrorsGetMsg(i);
      break;
    }
  }
  if (msg && *msg) s << " (" << msg << ")";
  xmlsecError = s.str();
}

std::string takeXmlsecError() {
  std::string e = xmlsecError.empty() ? std::string("no detail from xmlsec") : xmlsecError;
  xmlsecError.clear();
  return e;
}

std::once_flag initOnce;
std::string initFailure;

// libxml2, xmlsec and its OpenSSL backend, once per process. xmlsec's own I/O callbacks (used
// for external Reference URIs) are removed, so no signature can make the hub open a file or
// a URL.
void initialise() {
  std::call_once(initOnce, [] {
    xmlInitParser();
    xmlSecErrorsSetCallback(onXmlsecError);
    if (xmlSecInit() < 0) {
      initFailure = "xmlsec could not be initialised: " + takeXmlsecError();
      return;
    }
    if (xmlSecCheckVersion() != 1) {
      initFailure = "the xmlsec library is not the version the hub was built with";
      return;
    }
    if (xmlSecCryptoAppInit(nullptr) < 0 || xmlSecCryptoInit() < 0) {
      initFailure = "xmlsec's OpenSSL backend could not be initialised: " + takeXmlsecError();
      return;
    }
    xmlSecIOCleanupCallbacks();
    // Set again: initialisation may have put back xmlsec's default (printing) callback.
    xmlSecErrorsSetCallback(onXmlsecError);
  });
  if (!initFailure.empty()) throw SignatureError(initFailure);
  xmlsecError.clear();
}

// ---- certificates and keys ------------------------------------------------------------------

std::string bioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

BioPtr memoryBio(std::string_view text) {
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) throw SignatureError("out of memory (OpenSSL BIO)");
  return bio;
}

std::string subjectOf(const X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) throw SignatureError("out of memory (OpenSSL BIO)");
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0,
                     XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return bioText(bio.get());
}

std::string fingerprintOf(const X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &len) != 1)
    throw SignatureError("cannot compute a certificate's SHA-256 fingerprint: " + opensslErrors());
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    if (i) out += ':';
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0xF];
  }
  return out;
}

std::int64_t unixSeconds(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
    throw SignatureError("a certificate's validity time cannot be read");
  return static_cast<std::int64_t>(timegm(&tm));
}

CertificateInfo infoOf(const X509* cert) {
  CertificateInfo info;
  info.subject = subjectOf(cert);
  info.fingerprintSha256 = fingerprintOf(cert);
  info.notBefore = unixSeconds(X509_get0_notBefore(cert));
  info.notAfter = unixSeconds(X509_get0_notAfter(cert));
  return info;
}

// One PEM certificate; `name` names it in the error (none when empty).
X509Ptr parseCertificatePem(std::string_view pem, const std::string& name) {
  const std::string what = name.empty() ? std::string() : name + ": ";
  if (pem.find("-----BEGIN CERTIFICATE-----") == std::string_view::npos)
    throw SignatureError(what +
                         "not a PEM certificate (expected a \"-----BEGIN CERTIFICATE-----\" "
                         "block, e.g. as `ijro-hub feed keygen` writes it)");
  auto bio = memoryBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) throw SignatureError(what + "the PEM certificate cannot be read: " + opensslErrors());
  return cert;
}

std::string formatTime(std::int64_t t) {
  return base::formatTimestamp(std::chrono::system_clock::time_point(std::chrono::seconds(t)));
}

std::string describe(const CertificateInfo& c) {
  return "subject \"" + c.subject + "\", SHA-256 fingerprint " + c.fingerprintSha256;
}

std::string readWholeFile(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SignatureError(path + ": cannot read the " + what + ": " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw SignatureError(path + ": cannot read the " + what);
  return s.str();
}

// Never prompts for a pass phrase: an encrypted key is refused with a message instead.
int noPassphrase(char*, int, int, void*) {
  return -1;
}

std::string base64(const unsigned char* data, std::size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  int len =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
  out.resize(static_cast<std::size_t>(std::max(len, 0)));
  return out;
}

// Base64 (whitespace allowed between the characters) to bytes; false when it is not base64.
bool unbase64(std::string_view text, std::string& out) {
  std::string compact;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) compact += c;
  if (compact.empty() || compact.size() % 4 != 0) return false;
  out.assign(compact.size() / 4 * 3, '\0');
  int len = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(compact.data()),
                            static_cast<int>(compact.size()));
  if (len < 0) return false;
  std::size_t padding = 0;
  if (compact.back() == '=') ++padding;
  if (compact.size() > 1 && compact[compact.size() - 2] == '=') ++padding;
  out.resize(static_cast<std::size_t>(len) - padding);
  return true;
}

// An xmlsec key holding `pkey` (taken over, also on failure).
xmlSecKeyPtr xmlsecKey(EvpKeyPtr pkey) {
  if (!pkey) throw SignatureError("cannot copy the key: " + opensslErrors());
  xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(pkey.get());
  if (!data) throw SignatureError("xmlsec cannot use the key: " + takeXmlsecError());
  pkey.release();
  xmlSecKeyPtr key = xmlSecKeyCreate();
  if (!key || xmlSecKeySetValue(key, data) < 0) {
    xmlSecKeyDataDestroy(data);
    if (key) xmlSecKeyDestroy(key);
    throw SignatureError("xmlsec cannot hold the key: " + takeXmlsecError());
  }
  return key;
}

bool isEc(const EVP_PKEY* pkey) {
  return EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC;
}

// ---- the shape of an accepted signature -----------------------------------------------------

bool isDsig(const xmlNode* n, const char* localName) {
  return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
         std::strcmp(reinterpret_cast<const char*>(n->ns->href), kDsigNs) == 0 &&
         std::strcmp(reinterpret_cast<const char*>(n->name), localName) == 0;
}

std::string nameOf(const xmlNode* n) {
  std::string local = reinterpret_cast<const char*>(n->name);
  if (n->ns && n->ns->href && std::strcmp(reinterpret_cast<const char*>(n->ns->href), kDsigNs) == 0)
    return "ds:" + local;
  return local;
}

std::string at(const xmlNode* n) {
  return " (line " + std::to_string(xmlGetLineNo(n)) + ")";
}

bool isBlank(const xmlNode* n) {
  if (n->type != XML_TEXT_NODE) return false;
  for (const xmlChar* c = n->content; c && *c; ++c)
    if (!std::isspace(*c)) return false;
  return true;
}

std::string attribute(const xmlNode* n, const char* name) {
  XmlCharPtr v(xmlGetNoNsProp(n, reinterpret_cast<const xmlChar*>(name)));
  return v ? std::string(reinterpret_cast<const char*>(v.get())) : std::string();
}

bool hasAttribute(const xmlNode* n, const char* name) {
  return xmlHasNsProp(n, reinterpret_cast<const xmlChar*>(name), nullptr) != nullptr;
}

// Throws (caught as Malformed) when a node of the signature is not as the hub makes it.
struct ShapeError {
  std::string message;
};

// The element's attributes must be among `allowed` (unqualified).
void onlyAttributes(const xmlNode* n, std::initializer_list<const char*> allowed) {
  for (const xmlAttr* a = n->properties; a; a = a->next) {
    bool ok = a->ns == nullptr && std::any_of(allowed.begin(), allowed.end(), [&](const char* x) {
                return std::strcmp(reinterpret_cast<const char*>(a->name), x) == 0;
              });
    if (!ok)
      throw ShapeError{nameOf(n) + at(n) + " has the attribute " +
                       reinterpret_cast<const char*>(a->name) + ", which the hub does not sign"};
  }
}

// The element children must be exactly `names` (ds: elements, in this order); between them only
// whitespace. Returns the children.
std::vector<xmlNode*> children(const xmlNode* n, std::initializer_list<const char*> names) {
  std::vector<xmlNode*> found;
  std::string list;
  for (xmlNode* c = n->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) {
      found.push_back(c);
      list += (list.empty() ? "" : ", ") + nameOf(c);
    } else if (!isBlank(c)) {
      throw ShapeError{nameOf(n) + at(n) + " holds text or other content beside its elements"};
    }
  }
  bool ok = found.size() == names.size();
  for (std::size_t i = 0; ok && i < found.size(); ++i) ok = isDsig(found[i], names.begin()[i]);
  if (!ok) {
    std::string expected;
    for (const char* x : names) expected += (expected.empty() ? "ds:" : ", ds:") + std::string(x);
    throw ShapeError{nameOf(n) + at(n) + " must hold " +
                     (names.size() ? expected : std::string("nothing")) +
                     (names.size() > 1 ? " in this order" : "") + "; it holds " +
                     (list.empty() ? std::string("nothing") : list)};
  }
  return found;
}

// The text of an element that must hold text only.
std::string textOf(const xmlNode* n) {
  std::string text;
  for (const xmlNode* c = n->children; c; c = c->next) {
    if (c->type != XML_TEXT_NODE) throw ShapeError{nameOf(n) + at(n) + " must hold text only"};
    if (c->content) text += reinterpret_cast<const char*>(c->content);
  }
  return text;
}

void algorithm(const xmlNode* n, std::initializer_list<const char*> allowed, const char* hint) {
  onlyAttributes(n, {"Algorithm"});
  std::string a = attribute(n, "Algorithm");
  if (std::none_of(allowed.begin(), allowed.end(), [&](const char* x) { return a == x; }))
    throw ShapeError{nameOf(n) + at(n) + " Algorithm=\"" + a + "\" is not accepted; " + hint};
  children(n, {});  // no parameters (e.g. an InclusiveNamespaces prefix list)
}

struct Shape {
  bool ecdsa = false;
  std::string certificateBase64;
};

// The signature must be exactly what signEnveloped makes (see the header).
Shape checkShape(const xmlNode* sig) {
  Shape shape;
  onlyAttributes(sig, {});
  auto top = children(sig, {"SignedInfo", "SignatureValue", "KeyInfo"});
  const xmlNode* signedInfo = top[0];
  onlyAttributes(signedInfo, {});
  auto si = children(signedInfo, {"CanonicalizationMethod", "SignatureMethod", "Reference"});
  algorithm(si[0], {kExcC14n}, "the canonicalisation must be exclusive c14n");
  algorithm(si[1], {kRsaSha256, kEcdsaSha256},
            "the signature method must be rsa-sha256 or ecdsa-sha256");
  shape.ecdsa = attribute(si[1], "Algorithm") == kEcdsaSha256;
  const xmlNode* reference = si[2];
  onlyAttributes(reference, {"URI"});
  if (!hasAttribute(reference, "URI") || !attribute(reference, "URI").empty())
    throw ShapeError{"ds:Reference" + at(reference) + " has " +
                     (hasAttribute(reference, "URI") ? "URI=\"" + attribute(reference, "URI") + "\""
                                                     : std::string("no URI")) +
                     "; only URI=\"\" (the whole document) is accepted"};
  auto ref = children(reference, {"Transforms", "DigestMethod", "DigestValue"});
  onlyAttributes(ref[0], {});
  auto transforms = children(ref[0], {"Transform", "Transform"});
  const char* order = "the transforms must be enveloped-signature, then exclusive c14n";
  algorithm(transforms[0], {kEnveloped}, order);
  algorithm(transforms[1], {kExcC14n}, order);
  algorithm(ref[1], {kSha256}, "the digest must be SHA-256");
  onlyAttributes(ref[2], {});
  textOf(ref[2]);
  onlyAttributes(top[1], {});
  textOf(top[1]);
  onlyAttributes(top[2], {});
  auto x509Data = children(top[2], {"X509Data"});
  onlyAttributes(x509Data[0], {});
  auto certificate = children(x509Data[0], {"X509Certificate"});
  onlyAttributes(certificate[0], {});
  shape.certificateBase64 = textOf(certificate[0]);
  return shape;
}

void collectSignatures(xmlNode* n, std::vector<xmlNode*>& out) {
  for (xmlNode* c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (isDsig(c, "Signature")) out.push_back(c);
    collectSignatures(c, out);
  }
}

}  // namespace

struct SigningKey {
  EvpKeyPtr key;
  X509Ptr certificate;
  bool ec = false;
  std::string certificateBase64;  // DER, for ds:X509Certificate
};

const char* failureName(SignatureFailure f) {
  switch (f) {
    case SignatureFailure::Unsigned:
      return "unsigned";
    case SignatureFailure::UnknownKey:
      return "unknown key";
    case SignatureFailure::Altered:
      return "altered";
    case SignatureFailure::Malformed:
      return "malformed";
    case SignatureFailure::Expired:
      return "expired";
  }
  return "unknown";
}

CertificateInfo readCertificate(const std::string& pem) {
  return infoOf(parseCertificatePem(pem, "").get());
}

namespace {

// keyName and certName stand for the two files in messages.
std::shared_ptr<const SigningKey> makeSigningKey(std::string_view keyPem,
                                                 const std::string& keyName,
                                                 std::string_view certPem,
                                                 const std::string& certName) {
  initialise();
  auto key = std::make_shared<SigningKey>();
  if (keyPem.find("-----BEGIN") == std::string_view::npos)
    throw SignatureError(keyName +
                         ": not a PEM private key (expected a \"-----BEGIN PRIVATE "
                         "KEY-----\" block, e.g. as `ijro-hub feed keygen` writes it)");
  auto bio = memoryBio(keyPem);
  key->key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr));
  if (!key->key) {
    if (keyPem.find("ENCRYPTED") != std::string_view::npos) {
      ERR_clear_error();
      throw SignatureError(keyName +
                           ": the private key is encrypted; the hub reads an unencrypted key "
                           "(keep the file readable by the hub's user only)");
    }
    throw SignatureError(keyName + ": the PEM private key cannot be read: " + opensslErrors());
  }
  const int type = EVP_PKEY_get_base_id(key->key.get());
  if (type == EVP_PKEY_RSA) {
    if (EVP_PKEY_get_bits(key->key.get()) < 2048)
      throw SignatureError(keyName + ": the RSA key has " +
                           std::to_string(EVP_PKEY_get_bits(key->key.get())) +
                           " bits; use at least 2048 (or an EC P-256 key)");
  } else if (type == EVP_PKEY_EC) {
    char group[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(key->key.get(), group, sizeof group, &len) != 1 ||
        std::string_view(group, len) != "prime256v1")
      throw SignatureError(keyName + ": the EC key is on the curve \"" + std::string(group, len) +
                           "\"; the hub signs with P-256 (prime256v1)");
    key->ec = true;
  } else {
    throw SignatureError(keyName +
                         ": the private key is neither RSA nor EC; use an EC P-256 key "
                         "(`ijro-hub feed keygen`) or RSA of at least 2048 bits");
  }
  key->certificate = parseCertificatePem(certPem, certName);
  if (X509_check_private_key(key->certificate.get(), key->key.get()) != 1) {
    ERR_clear_error();
    throw SignatureError(keyName + " and " + certName + ": the private key and the certificate (" +
                         describe(infoOf(key->certificate.get())) +
                         ") do not belong together; give the certificate made with this key");
  }
  unsigned char* der = nullptr;
  int derLen = i2d_X509(key->certificate.get(), &der);
  if (derLen <= 0) throw SignatureError(keyName + ": cannot encode the certificate");
  key->certificateBase64 = base64(der, static_cast<std::size_t>(derLen));
  OPENSSL_free(der);
  return key;
}

}  // namespace

std::shared_ptr<const SigningKey> signingKeyFromPem(std::string_view keyPem,
                                                    std::string_view certPem,
                                                    const std::string& name) {
  return makeSigningKey(keyPem, name + " (key)", certPem, name + " (certificate)");
}

std::shared_ptr<const SigningKey> loadSigningKey(const std::string& keyFile,
                                                 const std::string& certFile) {
  return makeSigningKey(readWholeFile(keyFile, "private key"), keyFile,
                        readWholeFile(certFile, "certificate"), certFile);
}

std::string signEnveloped(std::string_view xml, const SigningKey& key, const Limits& limits) {
  initialise();
  DocPtr doc = parseDocument(xml, "document to sign", limits);
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!root) throw XmlError("no root element", "document to sign", 0, 0);
  // A second signature would make the document malformed for every verifier.
  std::vector<xmlNode*> existing;
  collectSignatures(root, existing);
  if (!existing.empty())
    throw SignatureError("the document is already signed (ds:Signature" + at(existing.front()) +
                         "); sign the batch as the hub wrote it");

  xmlNode* sig = xmlSecTmplSignatureCreateNsPref(
      doc.get(), xmlSecTransformExclC14NId,
      key.ec ? xmlSecTransformEcdsaSha256Id : xmlSecTransformRsaSha256Id, nullptr,
      reinterpret_cast<const xmlChar*>("ds"));
  if (!sig) throw SignatureError("cannot make the signature template: " + takeXmlsecError());
  if (!xmlAddChild(root, sig)) {
    xmlFreeNode(sig);
    throw SignatureError("cannot append the signature to the document");
  }
  xmlNode* ref = xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, nullptr,
                                                 reinterpret_cast<const xmlChar*>(""), nullptr);
  if (!ref || !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) ||
      !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId))
    throw SignatureError("cannot make the signature's reference: " + takeXmlsecError());

  DSigCtxPtr ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) throw SignatureError("cannot make an xmlsec context: " + takeXmlsecError());
  ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty;
  // A copy of the key per call: the shared key is only read.
  ctx->signKey = xmlsecKey(EvpKeyPtr(EVP_PKEY_dup(key.key.get())));
  if (xmlSecDSigCtxSign(ctx.get(), sig) < 0)
    throw SignatureError("signing failed: " + takeXmlsecError());

  // KeyInfo is written here rather than by xmlsec, so it holds exactly the one certificate.
  xmlNode* keyInfo = xmlSecTmplSignatureEnsureKeyInfo(sig, nullptr);
  xmlNode* x509Data = keyInfo ? xmlSecTmplKeyInfoAddX509Data(keyInfo) : nullptr;
  xmlNode* certNode = x509Data ? xmlSecTmplX509DataAddCertificate(x509Data) : nullptr;
  if (!certNode) throw SignatureError("cannot add the certificate: " + takeXmlsecError());
  xmlNodeSetContent(certNode, reinterpret_cast<const xmlChar*>(key.certificateBase64.c_str()));

  xmlChar* out = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc.get(), &out, &size, "UTF-8");
  if (!out) throw SignatureError("cannot write the signed document (out of memory?)");
  XmlCharPtr owned(out);
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(size));
}

Verification verifyEnveloped(std::string_view xml, const std::vector<std::string>& trustedCertPems,
                             const Limits& limits, std::int64_t now) {
  initialise();
  // The trusted certificates are configuration: a bad one is an error, not a verdict.
  std::vector<X509Ptr> trusted;
  std::vector<CertificateInfo> trustedInfo;
  for (std::size_t i = 0; i < trustedCertPems.size(); ++i) {
    trusted.push_back(
        parseCertificatePem(trustedCertPems[i], "trusted certificate " + std::to_string(i)));
    trustedInfo.push_back(infoOf(trusted.back().get()));
  }

  Verification v;
  auto fail = [&v](SignatureFailure f, std::string reason) {
    v.ok = false;
    v.failure = f;
    v.reason = std::move(reason);
    return v;
  };

  DocPtr doc;
  try {
    doc = parseDocument(xml, "document", limits);
  } catch (const XmlError& e) {
    std::string where =
        e.line > 0
            ? "line " + std::to_string(e.line) +
                  (e.column > 0 ? ", column " + std::to_string(e.column) : std::string()) + ": "
            : std::string();
    return fail(SignatureFailure::Malformed, where + e.reason);
  }
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!root) return fail(SignatureFailure::Malformed, "the document has no root element");

  std::vector<xmlNode*> signatures;
  collectSignatures(root, signatures);
  if (signatures.empty())
    return fail(SignatureFailure::Unsigned,
                "the document is not signed: no ds:Signature as the last child of <" +
                    std::string(reinterpret_cast<const char*>(root->name)) + ">");
  if (signatures.size() > 1)
    return fail(SignatureFailure::Malformed,
                "the document has " + std::to_string(signatures.size()) +
                    " ds:Signature elements (lines " + std::to_string(xmlGetLineNo(signatures[0])) +
                    " and " + std::to_string(xmlGetLineNo(signatures[1])) +
                    "); a signed document has exactly one");
  xmlNode* sig = signatures.front();
  if (sig->parent != root)
    return fail(SignatureFailure::Malformed, "the ds:Signature" + at(sig) +
                                                 " is not a child of the root element <" +
                                                 reinterpret_cast<const char*>(root->name) + ">");
  for (const xmlNode* after = sig->next; after; after = after->next) {
    if (after->type == XML_ELEMENT_NODE)
      return fail(SignatureFailure::Malformed, "the ds:Signature must be the root's last child; <" +
                                                   nameOf(after) + ">" + at(after) + " follows it");
    if (!isBlank(after))
      return fail(SignatureFailure::Malformed,
                  "the ds:Signature must be the root's last child; content follows it");
  }

  Shape shape;
  try {
    shape = checkShape(sig);
  } catch (const ShapeError& e) {
    return fail(SignatureFailure::Malformed, e.message);
  }

  std::string der;
  if (!unbase64(shape.certificateBase64, der))
    return fail(SignatureFailure::Malformed, "ds:X509Certificate is not base64");
  const auto* derBytes = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr embedded(d2i_X509(nullptr, &derBytes, static_cast<long>(der.size())));
  if (!embedded || derBytes != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    ERR_clear_error();
    return fail(SignatureFailure::Malformed,
                "ds:X509Certificate does not hold one DER X.509 certificate");
  }
  try {
    v.signer = infoOf(embedded.get());
  } catch (const SignatureError& e) {
    return fail(SignatureFailure::Malformed, std::string("the embedded certificate: ") + e.what());
  }

  for (std::size_t i = 0; i < trustedInfo.size(); ++i)
    if (trustedInfo[i].fingerprintSha256 == v.signer.fingerprintSha256) v.certificate = int(i);
  if (v.certificate < 0) {
    std::string list;
    for (std::size_t i = 0; i < trustedInfo.size(); ++i)
      list += (i ? "; " : "") + std::to_string(i) + ": " + trustedInfo[i].fingerprintSha256;
    return fail(SignatureFailure::UnknownKey,
                "signed by a certificate that is not trusted: " + describe(v.signer) +
                    (list.empty() ? std::string("; no certificate is trusted")
                                  : " (trusted: " + list + ")"));
  }
  const X509* cert = trusted[static_cast<std::size_t>(v.certificate)].get();
  EvpKeyPtr publicKey(X509_get_pubkey(const_cast<X509*>(cert)));
  if (!publicKey)
    return fail(SignatureFailure::Malformed,
                "the trusted certificate's public key cannot be read: " + opensslErrors());
  if (isEc(publicKey.get()) != shape.ecdsa)
    return fail(SignatureFailure::Malformed,
                std::string("ds:SignatureMethod is ") + (shape.ecdsa ? "ecdsa" : "rsa") +
                    "-sha256, but certificate " + std::to_string(v.certificate) + " holds an " +
                    (isEc(publicKey.get()) ? "EC" : "RSA") + " key");

  DSigCtxPtr ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) throw SignatureError("cannot make an xmlsec context: " + takeXmlsecError());
  // Only the whole document, only the algorithms the hub signs with; the key is the trusted
  // certificate's (KeyInfo is then not read by xmlsec at all).
  ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty;
  if (xmlSecDSigCtxEnableReferenceTransform(ctx.get(), xmlSecTransformEnvelopedId) < 0 ||
      xmlSecDSigCtxEnableReferenceTransform(ctx.get(), xmlSecTransformExclC14NId) < 0 ||
      xmlSecDSigCtxEnableReferenceTransform(ctx.get(), xmlSecTransformSha256Id) < 0 ||
      xmlSecDSigCtxEnableSignatureTransform(ctx.get(), xmlSecTransformExclC14NId) < 0 ||
      xmlSecDSigCtxEnableSignatureTransform(
          ctx.get(), shape.ecdsa ? xmlSecTransformEcdsaSha256Id : xmlSecTransformRsaSha256Id) < 0)
    throw SignatureError("cannot restrict the xmlsec context: " + takeXmlsecError());
  ctx->signKey = xmlsecKey(std::move(publicKey));

  if (xmlSecDSigCtxVerify(ctx.get(), sig) < 0)
    return fail(SignatureFailure::Malformed,
                "the signature cannot be checked: " + takeXmlsecError());
  if (ctx->status != xmlSecDSigStatusSucceeded) {
    bool digestMismatch = false;
    const xmlSecSize n = xmlSecPtrListGetSize(&ctx->signedInfoReferences);
    for (xmlSecSize i = 0; i < n; ++i) {
      auto* r = static_cast<xmlSecDSigReferenceCtxPtr>(
          xmlSecPtrListGetItem(&ctx->signedInfoReferences, i));
      if (r && r->status != xmlSecDSigStatusSucceeded) digestMismatch = true;
    }
    xmlsecError.clear();
    const std::string who =
        " (certificate " + std::to_string(v.certificate) + ", " + describe(v.signer) + ")";
    return fail(SignatureFailure::Altered,
                digestMismatch
                    ? "the document was altered after signing: its SHA-256 digest does not "
                      "match ds:DigestValue" +
                          who
                    : "the signature value does not match: ds:SignatureValue was not made over "
                      "this ds:SignedInfo with the trusted key" +
                          who);
  }

  const std::int64_t t = now != 0 ? now
                                  : std::chrono::duration_cast<std::chrono::seconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count();
  const auto& info = trustedInfo[static_cast<std::size_t>(v.certificate)];
  if (t < info.notBefore)
    return fail(SignatureFailure::Expired, "certificate " + std::to_string(v.certificate) + " (" +
                                               describe(info) + ") is not valid before " +
                                               formatTime(info.notBefore));
  if (t > info.notAfter)
    return fail(SignatureFailure::Expired, "certificate " + std::to_string(v.certificate) + " (" +
                                               describe(info) + ") expired on " +
                                               formatTime(info.notAfter));
  v.ok = true;
  return v;
}

KeyPairPem makeSelfSignedKeyPair(const std::string& commonName, int days) {
  if (commonName.empty()) throw SignatureError("the certificate's common name (hub id) is empty");
  if (days < 1 || days > 36500)
    throw SignatureError("the validity must be 1 to 36500 days, not " + std::to_string(days));
  EvpKeyPtr pkey(EVP_EC_gen("P-256"));
  if (!pkey) throw SignatureError("cannot make an EC P-256 key: " + opensslErrors());
  X509Ptr cert(X509_new());
  if (!cert) throw SignatureError("out of memory (X509)");
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(BN_new(), &BN_free);
  bool ok = serial && BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
            BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) != nullptr &&
            X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
            X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) != nullptr &&
            X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, nullptr) != nullptr;
  X509_NAME* name = X509_get_subject_name(cert.get());
  ok = ok &&
       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(commonName.c_str()), -1,
                                  -1, 0) == 1 &&
       X509_set_issuer_name(cert.get(), name) == 1 && X509_set_pubkey(cert.get(), pkey.get()) == 1;
  if (ok) {
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
                              std::pair{NID_key_usage, "critical,digitalSignature"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
      ok = ok && ext && X509_add_ext(cert.get(), ext, -1) == 1;
      X509_EXTENSION_free(ext);
    }
  }
  ok = ok && X509_sign(cert.get(), pkey.get(), EVP_sha256()) > 0;
  if (!ok) throw SignatureError("cannot make the certificate: " + opensslErrors());

  KeyPairPem out;
  BioPtr keyBio(BIO_new(BIO_s_mem())), certBio(BIO_new(BIO_s_mem()));
  if (!keyBio || !certBio ||
      PEM_write_bio_PrivateKey(keyBio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509(certBio.get(), cert.get()) != 1)
    throw SignatureError("cannot write the key pair as PEM: " + opensslErrors());
  out.keyPem = bioText(keyBio.get());
  out.certPem = bioText(certBio.get());
  return out;
}

}  // namespace ijro::xml
