// The HTTP client tests' server and throwaway certificate authority (see test_server.hpp).
#include "tests/unit/sdk/http/test_server.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <set>
#include <stdexcept>

namespace ijro::test::http {

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test certificate: ") + what + " failed");
}

std::string drain(BIO* bio) {
  std::string out(static_cast<std::size_t>(BIO_ctrl_pending(bio)), '\0');
  check(BIO_read(bio, out.data(), static_cast<int>(out.size())) == static_cast<int>(out.size()),
        "BIO_read");
  return out;
}

std::string pemOf(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  check(PEM_write_bio_X509(bio, cert) == 1, "PEM_write_bio_X509");
  std::string pem = drain(bio);
  BIO_free(bio);
  return pem;
}

std::string pemOf(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  check(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  std::string pem = drain(bio);
  BIO_free(bio);
  return pem;
}

EVP_PKEY* newKey() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  check(key != nullptr, "EVP_PKEY_Q_keygen");
  return key;
}

void addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(ext != nullptr, "X509V3_EXT_conf_nid");
  check(X509_add_ext(cert, ext, -1) == 1, "X509_add_ext");
  X509_EXTENSION_free(ext);
}

// A certificate for `key`, named `cn`, signed by `issuerKey` as `issuer` (itself when null).
X509* makeCertificate(EVP_PKEY* key, const std::string& cn, long serial, X509* issuer,
                      EVP_PKEY* issuerKey, const std::string& san) {
  X509* cert = X509_new();
  check(cert != nullptr, "X509_new");
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert;
  X509_set_issuer_name(cert, X509_get_subject_name(signer));
  addExtension(cert, signer, NID_subject_key_identifier, "hash");
  if (issuer == nullptr) {
    addExtension(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
    addExtension(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    addExtension(cert, signer, NID_basic_constraints, "critical,CA:FALSE");
    addExtension(cert, signer, NID_key_usage, "critical,digitalSignature");
    addExtension(cert, signer, NID_ext_key_usage, "serverAuth,clientAuth");
    addExtension(cert, signer, NID_authority_key_identifier, "keyid:always");
    addExtension(cert, signer, NID_subject_alt_name, san);
  }
  check(X509_sign(cert, issuerKey != nullptr ? issuerKey : key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

}  // namespace

struct TestAuthority::Keys {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  long serial = 1;
  ~Keys() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
};

TestAuthority::TestAuthority() : keys_(std::make_unique<Keys>()) {
  keys_->key = newKey();
  keys_->cert = makeCertificate(keys_->key, "ijro-hub throwaway test CA", keys_->serial++, nullptr,
                                nullptr, "");
  caPem_ = pemOf(keys_->cert);
}

TestAuthority::~TestAuthority() = default;

Identity TestAuthority::issue(const std::string& san) {
  EVP_PKEY* key = newKey();
  X509* cert = makeCertificate(key, "test server", keys_->serial++, keys_->cert, keys_->key, san);
  Identity identity{pemOf(cert), pemOf(key)};
  X509_free(cert);
  EVP_PKEY_free(key);
  return identity;
}

struct TestServer::State {
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::optional<ssl::context> tls;
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::vector<Received> received;
  bool stopping = false;
  std::set<int> connectionFds;           // open connections, shut down when the server stops
  std::vector<std::thread> connections;  // one thread each, so one that hangs blocks no other
};

TestServer::TestServer(Handler handler, std::optional<Identity> tls, const std::string& clientCaPem)
    : state_(std::make_unique<State>()), handler_(std::move(handler)), tls_(tls.has_value()) {
  if (tls) {
    state_->tls.emplace(ssl::context::tls_server);
    state_->tls->use_certificate_chain(net::buffer(tls->certificatePem));
    state_->tls->use_private_key(net::buffer(tls->keyPem), ssl::context::pem);
    if (!clientCaPem.empty()) {
      state_->tls->add_certificate_authority(net::buffer(clientCaPem));
      state_->tls->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }
  }
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
  port_ = state_->acceptor.local_endpoint().port();
  thread_ = std::thread([this] { run(); });
}

TestServer::~TestServer() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
    // Ends reads that wait on a client which never sends.
    for (const int fd : state_->connectionFds) ::shutdown(fd, SHUT_RDWR);
  }
  state_->changed.notify_all();
  // Wakes the blocking accept with a connection of our own.
  net::io_context wake;
  tcp::socket socket(wake);
  boost::system::error_code ec;
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), ec);
  thread_.join();
  for (auto& t : state_->connections) t.join();
}

std::string TestServer::url(const std::string& path) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<Received> TestServer::received() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->received;
}

bool TestServer::waitForRequests(std::size_t n) const {
  std::unique_lock<std::mutex> lock(state_->mutex);
  return state_->changed.wait_for(lock, std::chrono::seconds(10),
                                  [&] { return state_->received.size() >= n; });
}

void TestServer::run() {
  for (;;) {
    auto socket = std::make_shared<tcp::socket>(state_->ioc);
    boost::system::error_code ec;
    state_->acceptor.accept(*socket, ec);
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (state_->stopping) return;
    if (ec) continue;
    const int fd = socket->native_handle();
    state_->connectionFds.insert(fd);
    state_->connections.emplace_back([this, socket, fd] {
      serve(fd);
      std::lock_guard<std::mutex> done(state_->mutex);
      state_->connectionFds.erase(fd);
      socket->close();
    });
  }
}

namespace {

template <class Stream>
void answer(Stream& stream, const std::string& serverName, const Handler& handler,
            std::mutex& mutex, std::condition_variable& changed, std::vector<Received>& received,
            const bool& stopping) {
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> req;
  boost::system::error_code ec;
  bhttp::read(stream, buffer, req, ec);
  if (ec) return;
  Received r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // A field sent twice reads as one with both values, as HTTP combines them.
    auto& value = r.headers[name];
    value += (value.empty() ? "" : ", ") + std::string(field.value());
  }
  r.body = req.body();
  r.serverName = serverName;
  {
    std::lock_guard<std::mutex> lock(mutex);
    received.push_back(r);
  }
  changed.notify_all();
  const Reply reply = handler(r);
  if (reply.hang) {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return stopping; });
    return;
  }
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(reply.status), 11};
  bool length = false;
  for (const auto& [name, value] : reply.headers) {
    res.insert(name, value);
    if (beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding"))
      length = true;
  }
  res.body() = reply.body;
  if (!length) res.prepare_payload();
  res.keep_alive(false);
  bhttp::write(stream, res, ec);
}

}  // namespace

void TestServer::serve(int fd) {
  // The socket stays owned by run(); this only wraps it for Beast.
  net::io_context ioc;
  tcp::socket socket(ioc, tcp::v4(), ::dup(fd));
  if (!tls_) {
    answer(socket, "", handler_, state_->mutex, state_->changed, state_->received,
           state_->stopping);
    return;
  }
  ssl::stream<tcp::socket&> stream(socket, *state_->tls);
  boost::system::error_code ec;
  stream.handshake(ssl::stream_base::server, ec);
  if (ec) return;  // e.g. the client refused the certificate: that is what some tests want
  const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
  answer(stream, sni != nullptr ? sni : "", handler_, state_->mutex, state_->changed,
         state_->received, state_->stopping);
}

}  // namespace ijro::test::http
