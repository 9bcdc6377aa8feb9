#include "hub/app/feed_commands.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "hub/app/command_line.hpp"
#include "hub/base/timestamp.hpp"
#include "hub/xml/safe_reader.hpp"
#include "hub/xml/signature.hpp"

namespace ijro::app {

namespace po = boost::program_options;

namespace {

// A feed batch may be larger than a report; the other limits are the safe reader's.
xml::Limits feedLimits() {
  xml::Limits limits;
  limits.maxBytes = 64u << 20;
  return limits;
}

// At most `maxBytes` + 1 bytes of the file (one more than allowed, so the reader sees the excess
// and names the limit, without a huge file being read whole).
std::string readFile(const std::string& path, std::size_t maxBytes, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error(path + ": cannot read the " + what + ": " + std::strerror(errno));
  std::string data(maxBytes + 1, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  if (in.bad()) throw std::runtime_error(path + ": cannot read the " + what);
  data.resize(static_cast<std::size_t>(in.gcount()));
  return data;
}

void writeAll(int fd, const std::string& content, const std::string& path) {
  std::size_t done = 0;
  while (done < content.size()) {
    auto n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(path + ": cannot write: " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) throw std::runtime_error(path + ": cannot fsync: " + std::strerror(errno));
}

// Creates `path`, which must not exist, with `mode`, and writes `content` to it.
void writeNewFile(const std::string& path, const std::string& content, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    throw std::runtime_error(path + ": cannot create: " + std::strerror(errno) +
                             (errno == EEXIST ? " (remove it first, or choose another path)" : ""));
  try {
    writeAll(fd, content, path);
  } catch (...) {
    ::close(fd);
    ::unlink(path.c_str());
    throw;
  }
  if (::close(fd) != 0) {
    ::unlink(path.c_str());
    throw std::runtime_error(path + ": cannot write: " + std::strerror(errno));
  }
}

// Replaces `path` atomically: a temporary file beside it, fsynced, then renamed over it.
void replaceFile(const std::string& path, const std::string& content) {
  std::filesystem::path p(path);
  std::string tmpl = (p.parent_path().empty() ? std::filesystem::path(".") : p.parent_path()) /
                     ("." + p.filename().string() + ".XXXXXX");
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0)
    throw std::runtime_error(path +
                             ": cannot create a temporary file beside it: " + std::strerror(errno));
  try {
    writeAll(fd, content, tmpl);
    if (::fchmod(fd, 0644) != 0 || ::close(fd) != 0)
      throw std::runtime_error(tmpl + ": cannot write: " + std::strerror(errno));
    fd = -1;
    if (::rename(tmpl.c_str(), path.c_str()) != 0)
      throw std::runtime_error(
          path + ": cannot rename the temporary file onto it: " + std::strerror(errno));
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmpl.c_str());
    throw;
  }
}

std::string attributeOr(xmlNode* n, const char* name, const char* fallback) {
  xmlChar* v = xmlGetNoNsProp(n, reinterpret_cast<const xmlChar*>(name));
  if (!v) return fallback;
  std::string out(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}

std::string formatTime(std::int64_t t) {
  return base::formatTimestamp(std::chrono::system_clock::time_point(std::chrono::seconds(t)));
}

bool validHubId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

constexpr const char* kVerifyUsage =
    "usage: ijro-hub feed verify FILE --cert PEM [--cert PEM]\n"
    "Checks the enveloped signature of a feed batch against the sending hub's certificate(s).\n"
    "Exit 0: valid; 1: unsigned, unknown key, altered, malformed or expired (the reason on "
    "stderr); 2: usage.";

int verify(int argc, char** argv) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("file", po::value<std::string>()->required(),
                                                 "the signed feed batch (XML)")(
      "cert", po::value<std::vector<std::string>>()->required(),
      "a trusted PEM certificate of the sending hub (repeat for a key rotation)");
  po::positional_options_description positional;
  positional.add("file", 1);
  po::variables_map vm;
  if (!parseCommandLine(argc, argv, desc, vm, &positional, kVerifyUsage)) return 0;
  const auto file = vm["file"].as<std::string>();
  std::vector<std::string> certs;
  for (const auto& path : vm["cert"].as<std::vector<std::string>>()) {
    certs.push_back(readFile(path, 1u << 20, "certificate"));
    try {
      xml::readCertificate(certs.back());
    } catch (const xml::SignatureError& e) {
      throw std::runtime_error(path + ": " + e.what());
    }
  }
  const auto limits = feedLimits();
  const std::string bytes = readFile(file, limits.maxBytes, "feed batch");
  const auto v = xml::verifyEnveloped(bytes, certs, limits);
  if (!v.ok) {
    std::cerr << file << ": " << xml::failureName(v.failure) << ": " << v.reason << "\n";
    return 1;
  }
  // The hub and sequence as the (now verified) document states them.
  auto doc = xml::parseDocument(bytes, file, limits);
  xmlNode* root = xmlDocGetRootElement(doc.get());
  std::cout << file << ": signed by " << v.signer.subject << " (certificate " << v.certificate
            << ", fingerprint " << v.signer.fingerprintSha256 << "), hub "
            << attributeOr(root, "hub", "(none)") << ", sequence "
            << attributeOr(root, "sequence", "(none)") << "\n";
  return 0;
}

constexpr const char* kKeygenUsage =
    "usage: ijro-hub feed keygen --key FILE --cert FILE --hub ID [--days N]\n"
    "Makes a hub's signing key (EC P-256, PEM, mode 0600) and a self-signed certificate\n"
    "(CN=<hub id>) to give to the hubs that receive its feed. Neither file may exist yet.";

int keygen(int argc, char** argv) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("key", po::value<std::string>()->required(),
                                                 "the private key file to create")(
      "cert", po::value<std::string>()->required(), "the certificate file to create")(
      "hub", po::value<std::string>()->required(), "the hub's id (the certificate's subject CN)")(
      "days", po::value<int>()->default_value(730), "days the certificate is valid");
  po::variables_map vm;
  if (!parseCommandLine(argc, argv, desc, vm, nullptr, kKeygenUsage)) return 0;
  const auto keyFile = vm["key"].as<std::string>(), certFile = vm["cert"].as<std::string>();
  const auto hub = vm["hub"].as<std::string>();
  const int days = vm["days"].as<int>();
  if (!validHubId(hub))
    throw std::invalid_argument("--hub \"" + hub +
                                "\": use 1..64 letters, digits, '-', '_' or '.' (the hub's id)");
  if (days < 1 || days > 36500)
    throw std::invalid_argument("--days " + std::to_string(days) + ": give 1 to 36500 days");
  if (keyFile == certFile)
    throw std::invalid_argument("--key and --cert name the same file; give two files");
  for (const auto& f : {keyFile, certFile})
    if (std::filesystem::exists(f))
      throw std::runtime_error(f +
                               " exists; remove it first, or choose another path (nothing "
                               "was written)");
  const auto pair = xml::makeSelfSignedKeyPair(hub, days);
  writeNewFile(keyFile, pair.keyPem, 0600);
  try {
    writeNewFile(certFile, pair.certPem, 0644);
  } catch (...) {
    ::unlink(keyFile.c_str());  // no key without its certificate
    throw;
  }
  const auto info = xml::readCertificate(pair.certPem);
  std::cout << "wrote " << keyFile << " (EC P-256 private key, mode 0600) and " << certFile
            << " (certificate " << info.subject << ", fingerprint " << info.fingerprintSha256
            << ", valid until " << formatTime(info.notAfter) << ")\n";
  return 0;
}

constexpr const char* kSignUsage =
    "usage: ijro-hub feed sign FILE --key PEM --cert PEM --out FILE\n"
    "Signs a feed batch the hub wrote (enveloped XML signature as the root's last child).";

int sign(int argc, char** argv) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help")("file", po::value<std::string>()->required(),
                                                 "the feed batch to sign (XML)")(
      "key", po::value<std::string>()->required(), "the hub's PEM private key")(
      "cert", po::value<std::string>()->required(), "the hub's PEM certificate")(
      "out", po::value<std::string>()->required(), "where to write the signed batch");
  po::positional_options_description positional;
  positional.add("file", 1);
  po::variables_map vm;
  if (!parseCommandLine(argc, argv, desc, vm, &positional, kSignUsage)) return 0;
  const auto file = vm["file"].as<std::string>(), out = vm["out"].as<std::string>();
  auto key = xml::loadSigningKey(vm["key"].as<std::string>(), vm["cert"].as<std::string>());
  const auto limits = feedLimits();
  const std::string bytes = readFile(file, limits.maxBytes, "feed batch");
  std::string signedBytes;
  try {
    signedBytes = xml::signEnveloped(bytes, *key, limits);
  } catch (const xml::XmlError& e) {
    throw std::runtime_error(file + ": " + e.reason +
                             (e.line > 0 ? " (line " + std::to_string(e.line) + ")" : ""));
  }
  replaceFile(out, signedBytes);
  std::cout << "wrote " << out << " (signed)\n";
  return 0;
}

}  // namespace

int feedCommand(int argc, char** argv) {
  const std::string sub = argc > 1 ? argv[1] : "";
  if (sub == "verify") return verify(argc - 1, argv + 1);
  if (sub == "keygen") return keygen(argc - 1, argv + 1);
  if (sub == "sign") return sign(argc - 1, argv + 1);
  std::cerr << "usage: ijro-hub feed verify|keygen|sign ... (see `ijro-hub feed verify --help`)\n";
  return 2;
}

}  // namespace ijro::app
