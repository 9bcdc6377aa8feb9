// HTTP/1.1 server on Boost.Beast. The only translation unit of the server that sees Asio/Beast.
//
// Shape: a Core owns the io_context, the acceptor (driven on the core's strand) and a registry of
// live Sessions. Each accepted socket gets its own strand; a Session walks one request at a time
// through awaitRequest -> readHeader -> readBody -> handleRequest -> write and back, with the
// deadline of the beast::tcp_stream set for each phase. The Handler runs on the session's strand
// (it may block: it does database work), so a connection never has two requests in flight.
//
// stop(): closes the acceptor at once, closes connections that sit idle between requests, lets
// the others finish the request they are in (their response then carries "Connection: close"),
// and after drainTimeout closes whatever is still open. run() returns when no connection is left
// (the io_context runs out of work: acceptor closed, drain poll and signal set finished).
//
// Timeouts, all on the tcp_stream deadline: a new connection must deliver its request head
// within headerTimeout of being accepted; a kept-alive one may idle for idleTimeout, then its
// head has headerTimeout from its first byte; the whole request readTimeout from the first byte.
//
// Bodies: the head is read with a body-less parser; then, depending on the route
// (ServerOptions::streamBody), the parser becomes one that holds the body in a string (bodyLimit)
// or one that hands it over in chunks, which go to a temporary file (the route's own limit). A
// Content-Length over the limit is refused from the head, before any of the body is read (and
// before a 100 Continue); a chunked body is refused when it grows past the limit. The chunks are
// written on the I/O thread: writes into the page cache, not fsyncs, which the Handler does.
#include "hub/http/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hub/base/correlation.hpp"
#include "hub/http/url.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ijro::http {

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr const char* kServerName = "ijro-hub";
constexpr std::size_t kReadChunk = 8192;
constexpr std::size_t kStreamChunk = 64 * 1024;  // a streamed body goes to its file in these
// After an error response with (possibly) unread request bytes, keep reading and discarding for
// this long before closing: closing with unread data makes the kernel send a RST, which can
// destroy the response before the client has read it.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr std::size_t kLingerChunk = 64 * 1024;
constexpr std::chrono::milliseconds kDrainPoll{10};
constexpr std::chrono::milliseconds kAcceptRetry{100};
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr const char* kRetryAfter = "1";  // seconds, in the 503s of load shedding

// What a connection over maxConnections gets before it is closed (written straight to the new
// socket: it is small enough for an empty send buffer).
const std::string& tooManyConnections() {
  static const std::string text = [] {
    const std::string body = "the hub has too many open connections; retry after a second\n";
    return "HTTP/1.1 503 Service Unavailable\r\nServer: ijro-hub\r\n"
           "Content-Type: text/plain; charset=utf-8\r\nRetry-After: " +
           std::string(kRetryAfter) +
           "\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
           body;
  }();
  return text;
}

std::string toString(beast::string_view s) {
  return std::string(s.data(), s.size());
}

// A 503 of load shedding: the server is busy, the client may retry after Retry-After.
Response busy(const std::string& why) {
  return Response{503,
                  "text/plain; charset=utf-8",
                  "the hub is busy (" + why + "); nothing was done, retry after " +
                      std::string(kRetryAfter) + " second\n",
                  {{"Retry-After", kRetryAfter}}};
}

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT", independent of the C locale.
std::string httpDate() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string endpointString(const tcp::endpoint& ep) {
  const auto addr = ep.address();
  if (addr.is_v6()) return "[" + addr.to_string() + "]:" + std::to_string(ep.port());
  return addr.to_string() + ":" + std::to_string(ep.port());
}

// A field name is an RFC 9110 token; a value must not smuggle in a line break.
bool validFieldName(const std::string& name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos)
      return false;
  }
  return true;
}

bool validFieldValue(const std::string& value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos;
}

// Errors that mean "the bytes are not a valid HTTP request" (answered with 400), as opposed to
// the peer going away or a limit being hit.
bool isMalformed(const beast::error_code& ec) {
  if (ec.category() != bhttp::make_error_code(bhttp::error::bad_method).category()) return false;
  switch (static_cast<bhttp::error>(ec.value())) {
    case bhttp::error::end_of_stream:
    case bhttp::error::partial_message:
    case bhttp::error::need_more:
    case bhttp::error::need_buffer:
    case bhttp::error::end_of_chunk:
    case bhttp::error::stale_parser:
    case bhttp::error::header_limit:
    case bhttp::error::body_limit:
    case bhttp::error::buffer_overflow:
      return false;
    default:
      return true;
  }
}

// The OpenSSL reason of a TLS error code, else its message.
std::string tlsReason(const beast::error_code& ec) {
  if (ec.category() == net::error::get_ssl_category()) {
    if (const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value())))
      return reason;
  }
  return ec.message();
}

// The server's TLS context from ServerOptions::tls: TLS 1.2+, security level 2 or above, the
// certificate chain and key, and the client CAs when mutual TLS is asked for. Throws
// std::runtime_error naming the file that cannot be used.
std::unique_ptr<ssl::context> makeTlsContext(const ServerTls& o) {
  const auto fail = [](const std::string& what) {
    throw std::runtime_error("http server: TLS: " + what);
  };
  if (o.certificateFile.empty()) fail("no certificate file: give the server's certificate (PEM)");
  if (o.keyFile.empty()) fail("no key file: give the private key of " + o.certificateFile);
  if (o.requireClientCert && o.clientCaFile.empty())
    fail("requireClientCert needs the CAs that sign client certificates (clientCa)");
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  // SSL_CTX_set_min_proto_version without the macro's C cast.
  SSL_CTX_ctrl(native, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, nullptr);
  if (SSL_CTX_get_security_level(native) < 2) SSL_CTX_set_security_level(native, 2);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::single_dh_use);
  beast::error_code ec;
  ctx->use_certificate_chain_file(o.certificateFile, ec);
  if (ec)
    fail("cannot load the certificate " + o.certificateFile + ": " + tlsReason(ec) +
         "; give a PEM file with the server's certificate, then its intermediate CAs");
  ctx->use_private_key_file(o.keyFile, ssl::context::pem, ec);
  if (ec && ec.category() == net::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH)
    fail("the key " + o.keyFile + " does not belong to the certificate " + o.certificateFile +
         "; give the key the certificate was made for");
  if (ec)
    fail("cannot load the key " + o.keyFile + ": " + tlsReason(ec) +
         "; give an unencrypted PEM private key (a passphrase is not supported)");
  if (SSL_CTX_check_private_key(native) != 1)
    fail("the key " + o.keyFile + " does not belong to the certificate " + o.certificateFile);
  if (!o.clientCaFile.empty()) {
    ctx->load_verify_file(o.clientCaFile, ec);
    if (ec)
      fail("cannot load the client CAs " + o.clientCaFile + ": " + tlsReason(ec) +
           "; give a PEM file of the CAs that sign client certificates");
    // The CA names sent in the certificate request, so a client picks a certificate they signed.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(o.clientCaFile.c_str()))
      SSL_CTX_set_client_CA_list(native, names);
    ctx->set_verify_mode(ssl::verify_peer |
                         (o.requireClientCert ? ssl::verify_fail_if_no_peer_cert : 0));
    // Resumed sessions keep the verified certificate; OpenSSL needs a context name for that.
    static constexpr unsigned char kSessionContext[] = "ijro-hub";
    SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  } else {
    ctx->set_verify_mode(ssl::verify_none);
  }
  return ctx;
}

// The subject of the peer's verified certificate, RFC 2253 with UTF-8 kept; empty when none.
std::string peerSubject(SSL* ssl) {
  if (SSL_get_verify_result(ssl) != X509_V_OK) return {};
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return {};
  std::string out;
  if (BIO* bio = BIO_new(BIO_s_mem())) {
    if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0,
                           XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
      char* data = nullptr;
      const long n = BIO_get_mem_data(bio, &data);
      if (n > 0 && data) out.assign(data, static_cast<std::size_t>(n));
    }
    BIO_free(bio);
  }
  X509_free(cert);
  return out;
}

// The temporary file a streamed body is written to; removed unless handed to the Handler.
class BodyFile {
 public:
  BodyFile() = default;
  ~BodyFile() { discard(); }
  BodyFile(const BodyFile&) = delete;
  BodyFile& operator=(const BodyFile&) = delete;

  // A new empty file in `folder`; false (errno set) when it cannot be made.
  bool create(const std::string& folder) {
    discard();
    std::string pattern = folder + "/upload-XXXXXX";
    fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd_ < 0) return false;
    path_ = std::move(pattern);
    size_ = 0;
    return true;
  }
  // Appends; false (errno set) on a write error.
  bool append(const char* data, std::size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(fd_, data, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      data += w;
      n -= static_cast<std::size_t>(w);
      size_ += static_cast<std::uint64_t>(w);
    }
    return true;
  }
  // Closes the file and gives up its path: the caller removes it.
  std::string release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return std::exchange(path_, {});
  }
  void discard() {
    const auto p = release();
    if (!p.empty()) ::unlink(p.c_str());
  }
  std::uint64_t size() const { return size_; }

 private:
  int fd_ = -1;
  std::string path_;
  std::uint64_t size_ = 0;
};

// Reads `length` bytes of `fd` from `offset` and hands them to `bytes` in parts of kPartBytes.
void readFileRange(int fd, std::uint64_t offset, std::uint64_t length,
                   const BodyWriter::Bytes& bytes) {
  constexpr std::uint64_t kPartBytes = 64u << 10;
  while (length > 0) {
    std::string part(static_cast<std::size_t>(std::min(length, kPartBytes)), '\0');
    const ssize_t r = ::pread(fd, part.data(), part.size(), static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0)
      throw std::runtime_error(std::string("cannot read the body's file: ") + std::strerror(errno));
    if (r == 0) throw std::runtime_error("the body's file ended before the range to send");
    part.resize(static_cast<std::size_t>(r));
    offset += static_cast<std::uint64_t>(r);
    length -= static_cast<std::uint64_t>(r);
    bytes(std::move(part));
  }
}

// A descriptor of its own for a file a streamed body sends ranges of; closed with the last range.
struct OwnFile {
  explicit OwnFile(int source) : fd(::fcntl(source, F_DUPFD_CLOEXEC, 0)) {
    if (fd < 0)
      throw std::runtime_error(std::string("cannot keep the body's file open: ") +
                               std::strerror(errno));
  }
  ~OwnFile() { ::close(fd); }
  OwnFile(const OwnFile&) = delete;
  OwnFile& operator=(const OwnFile&) = delete;
  const int fd;
};

// A part of a streamed body: bytes, or (file set) `length` bytes of a file from `offset`.
struct BodyPart {
  std::string bytes;
  std::shared_ptr<const OwnFile> file;
  std::uint64_t offset = 0, length = 0;
};

// Between a streamed body's writer (Response::stream, on a handler thread) and its connection (on
// the session's strand): the parts handed over and not yet taken, in order. Bytes waiting add up
// to at most `window` before the writer waits; file ranges hold no memory and do not count (the
// writer of a file is paced by the file's own writer). The strand takes the bytes there are as
// one part, or one file range (contiguous ranges of one file are joined).
class BodyPipe {
 public:
  enum class Next { Data, Wait, Done, Failed };

  explicit BodyPipe(std::size_t window) : window_(std::max<std::size_t>(window, 1)) {}

  // Writer side. Waits for the connection to start the body; false: it will not (HEAD, an
  // invalid response, the connection is gone), so the writer is not called.
  bool awaitStart() {
    std::unique_lock lock(m_);
    cv_.wait(lock, [&] { return started_ || closed_; });
    return !closed_;
  }
  void write(std::string&& part) {
    if (part.empty()) return;
    std::unique_lock lock(m_);
    cv_.wait(lock, [&] { return closed_ || bytes_ < window_; });
    if (closed_) throw ClientGone("the client is gone");
    bytes_ += part.size();
    if (!parts_.empty() && !parts_.back().file)
      parts_.back().bytes += part;
    else
      parts_.push_back(BodyPart{std::move(part), nullptr, 0, 0});
    wake(lock);
  }
  void writeFile(int fd, std::uint64_t offset, std::uint64_t length) {
    if (length == 0) return;
    if (!files_) {  // the connection sends bytes only
      readFileRange(fd, offset, length, [&](std::string&& part) { write(std::move(part)); });
      return;
    }
    std::unique_lock lock(m_);
    if (closed_) throw ClientGone("the client is gone");
    // The same descriptor number may name another file by now: the file is told by its inode.
    struct stat st {};
    if (::fstat(fd, &st) != 0)
      throw std::runtime_error(std::string("cannot read the body's file: ") + std::strerror(errno));
    if (!file_ || st.st_dev != sourceDev_ || st.st_ino != sourceIno_) {
      file_ = std::make_shared<const OwnFile>(fd);
      sourceDev_ = st.st_dev;
      sourceIno_ = st.st_ino;
    }
    if (!parts_.empty() && parts_.back().file == file_ &&
        parts_.back().offset + parts_.back().length == offset)
      parts_.back().length += length;
    else
      parts_.push_back(BodyPart{{}, file_, offset, length});
    wake(lock);
  }
  void finish(bool ok) {
    std::unique_lock lock(m_);
    finished_ = true;
    failed_ = !ok;
    wake(lock);
  }

  // Connection side. `kick` is called (from the writer's thread) when the connection waits for
  // data (take() said Wait) and some arrives, or the writer finishes. With `files` the
  // connection takes file ranges as they are; else they are read and handed over as bytes.
  void start(std::function<void()> kick, bool files) {
    std::lock_guard lock(m_);
    kick_ = std::move(kick);
    files_ = files;
    started_ = true;
    cv_.notify_all();
  }
  Next take(BodyPart& into) {
    std::lock_guard lock(m_);
    if (!parts_.empty()) {
      into = std::move(parts_.front());
      parts_.pop_front();
      if (!into.file) {
        bytes_ -= into.bytes.size();
        cv_.notify_all();
      }
      return Next::Data;
    }
    if (finished_) return failed_ ? Next::Failed : Next::Done;
    waiting_ = true;
    return Next::Wait;
  }
  // The connection is gone or will not send the body: the writer stops at its next part.
  void close() {
    std::function<void()> kick;  // let go of outside the lock: it may hold the last reference
    {
      std::lock_guard lock(m_);
      closed_ = true;
      kick.swap(kick_);
      cv_.notify_all();
    }
  }

 private:
  void wake(std::unique_lock<std::mutex>& lock) {
    if (!waiting_ || !kick_) return;
    waiting_ = false;
    auto kick = kick_;
    lock.unlock();
    kick();
  }

  std::mutex m_;
  std::condition_variable cv_;
  const std::size_t window_;
  std::deque<BodyPart> parts_;
  std::size_t bytes_ = 0;                // in parts_
  std::shared_ptr<const OwnFile> file_;  // the last file handed over, and which file it is
  dev_t sourceDev_ = 0;
  ino_t sourceIno_ = 0;
  std::function<void()> kick_;
  bool started_ = false, closed_ = false, finished_ = false, failed_ = false, waiting_ = false;
  bool files_ = false;
};

class Session;

class Core {
 public:
  Core(ServerOptions o, Handler h)
      : options(std::move(o)),
        handler(std::move(h)),
        strand_(net::make_strand(ioc_)),
        acceptor_(ioc_),
        acceptRetry_(strand_),
        drainTimer_(strand_) {
    if (!handler) throw std::invalid_argument("http server: no handler");
    if (options.threads < 1) options.threads = 1;
    // The buffer holds a whole head (up to headerLimit) and what arrives with it.
    options.maxBuffer =
        std::max({options.maxBuffer, options.headerLimit + kReadChunk, kReadChunk * 2});
    if (options.maxConnections < 1) options.maxConnections = 1;
    if (options.tls) tls_ = makeTlsContext(*options.tls);  // before listening: a bad file stops
    const auto endpoint = resolve();
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    beast::error_code ec;
    acceptor_.bind(endpoint, ec);
    if (ec)
      throw std::runtime_error("http server: cannot listen on " + endpointString(endpoint) + ": " +
                               ec.message());
    acceptor_.listen(net::socket_base::max_listen_connections);
    boundPort_ = acceptor_.local_endpoint().port();
    spdlog::debug("http: listening on {}{}", endpointString(acceptor_.local_endpoint()),
                  tls_ ? " (TLS)" : "");
  }

  ~Core() {
    beast::error_code ec;
    acceptor_.close(ec);
  }

  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  std::uint16_t port() const { return boundPort_; }
  bool stopping() const { return stopping_.load(); }
  void run(bool handleSignals);
  void stop();
  void forget(std::uint64_t id);

  ServerOptions options;
  const Handler handler;
  ServerStats stats;
  net::thread_pool* handlers() { return handlers_ ? &*handlers_ : nullptr; }
  // A place in the handler queue (false: it is full); given back when the job starts.
  bool enqueue() {
    if (stats.queued.fetch_add(1) >= options.handlerQueue) {
      stats.queued.fetch_sub(1);
      return false;
    }
    return true;
  }
  void dequeued() { stats.queued.fetch_sub(1); }
  ssl::context* tls() { return tls_.get(); }  // null: plain HTTP

 private:
  tcp::endpoint resolve();
  void runLoop();
  void awaitSignal();
  void doAccept();
  void onAccept(beast::error_code ec, tcp::socket socket);
  void doStop();
  void drainTick();
  std::vector<std::shared_ptr<Session>> liveSessions();
  std::size_t liveCount();

  // Declared before the io_context so that Sessions destroyed with it can still unregister.
  std::mutex sessionsMutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions_;
  std::uint64_t nextSessionId_ = 0;
  std::atomic<bool> stopRequested_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> ran_{false};
  std::uint16_t boundPort_ = 0;

  std::optional<net::thread_pool> handlers_;  // see ServerOptions::handlerThreads
  std::unique_ptr<ssl::context> tls_;         // ServerOptions::tls, read at construction
  net::io_context ioc_;
  net::strand<net::io_context::executor_type> strand_;  // acceptor, signals, drain timer
  tcp::acceptor acceptor_;
  net::steady_timer acceptRetry_;
  net::steady_timer drainTimer_;
  Clock::time_point drainDeadline_;  // these two: on strand_ only
  bool forced_ = false;
  std::optional<net::signal_set> signals_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Core& core, tcp::socket&& socket, std::string remote)
      : core_(core),
        stream_(std::move(socket)),
        buffer_(core.options.maxBuffer),
        fileWait_(stream_.get_executor()),
        remote_(std::move(remote)),
        accepted_(Clock::now()) {
    if (auto* ctx = core_.tls()) tls_.emplace(stream_, *ctx);
    // Beast applies no limit of its own to a chunk's extensions: this one does.
    onChunkHeader_ = [this](std::uint64_t, beast::string_view extensions, beast::error_code& ec) {
      if (extensions.size() > core_.options.chunkLineLimit) {
        chunkLineTooLong_ = true;
        ec = bhttp::error::bad_chunk_extension;
      }
    };
  }

  ~Session() {
    if (pipe_) pipe_->close();
    core_.forget(id);
  }

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(tls_ ? &Session::handshake : &Session::awaitRequest,
                                            shared_from_this()));
  }

  // Both run on the session's strand (posted there by the Core).
  void serverStopping() {
    stopRequested_ = true;
    // Waiting for the next request (or still in the TLS handshake) with nothing received:
    // nothing to finish, close now.
    if (state_ == State::Idle || state_ == State::Handshake) close();
  }
  void forceClose() {
    if (!closed_ && state_ != State::Closing)
      spdlog::warn("http: closing connection from {}: its request did not finish while draining",
                   remote_);
    close();
  }

  net::any_io_executor executor() { return stream_.get_executor(); }

  std::uint64_t id = 0;

 private:
  enum class State {
    Handshake,
    Idle,
    ReadingHead,
    Checking,
    ReadingBody,
    Handling,
    Writing,
    Closing
  };

  // Work for the handler pool (the head check, the Handler) and what to do with its result back
  // on the session's strand. The job waits in the pool's queue under its bound; if it has not
  // started within queueTimeout the request is answered 503 and the job is dropped unstarted.
  using Work = std::function<std::optional<Response>()>;
  using Done = std::function<void(std::optional<Response>)>;
  struct Job {
    explicit Job(net::any_io_executor ex) : timer(std::move(ex)) {}
    std::atomic<bool> claimed{false};  // by the pool (it runs) or the deadline (it is shed)
    Work work;
    net::steady_timer timer;  // on the session's strand
  };

  // Runs f on the stream the HTTP bytes travel on: the TLS stream over TLS, else the TCP one;
  // so reading and writing have one code path for both. Deadlines and closing stay on stream_.
  template <typename F>
  void withStream(F&& f) {
    if (tls_)
      f(*tls_);
    else
      f(stream_);
  }

  void handshake();
  void onHandshake(beast::error_code ec);
  void awaitRequest();
  void onFirstBytes(beast::error_code ec, std::size_t n);
  void readHeader();
  void onReadHeader(beast::error_code ec, std::size_t n);
  void onContinueWritten(beast::error_code ec, std::size_t n);
  void startBody();  // the head is in: pick the body's parser, refuse what is too large
  void readBody();
  void onReadBody(beast::error_code ec, std::size_t n);
  void readStreamedChunk();
  void onStreamedChunk(beast::error_code ec, std::size_t n);
  bool bodyDone() const { return streamed_ ? streamed_->is_done() : parser_->is_done(); }
  void readFailed(beast::error_code ec);
  void checkHead(bool expectContinue);
  void afterHead(bool expectContinue);  // the head is admitted: read the body
  void headChecked(bool expectContinue, bool bodyRead, std::optional<Response> refusal);
  void offload(Work work, Done done, bool bodyRead);
  void shed(const std::string& why, bool bodyRead);
  void handleRequest();
  // Runs a callback of the server's user: an exception becomes a 500 with an error id (a head
  // check's verdict: the refusal of the head).
  template <typename F>
  auto guarded(const Request& req, F&& f) -> decltype(f());
  // Sends `out`, or waits for its Reply when it comes later.
  struct Awaiting;
  void answer(unsigned version, bool head, Response out, bool keepAlive);
  Response internalError(const Request& req, const std::string& detail);
  void reject(unsigned status, std::string text, unsigned version = 0);
  void respond(unsigned version, bool head, Response out, bool keepAlive, bool linger);
  template <typename Message>
  void setHead(Message& msg, unsigned version, Response& out, bool& keepAlive);
  void startStream(unsigned version, Response out, bool keepAlive);
  void pumpStream();
  enum class Sent { Head, Part, Last };
  void sendStreamPart(BodyPipe::Next next);
  void onStreamWritten(Sent sent, beast::error_code ec, std::size_t n);
  void sendFileRange();  // streamPart_'s file range, with sendfile(2)
  void onFileRangeSent();
  void onWrite(bool keepAlive, bool linger, beast::error_code ec, std::size_t n);
  void lingerClose();
  void onLinger(beast::error_code ec, std::size_t n);
  void close();
  std::chrono::milliseconds readTimeout() const {
    return route_ && route_->readTimeout.count() > 0 ? route_->readTimeout
                                                     : core_.options.readTimeout;
  }

  Core& core_;
  beast::tcp_stream stream_;
  std::optional<ssl::stream<beast::tcp_stream&>> tls_;  // over stream_ when the port is TLS
  std::string clientSubject_;                           // verified in the handshake
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::empty_body>> head_;     // until the head is in
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;  // then one of these two
  std::optional<bhttp::request_parser<bhttp::buffer_body>> streamed_;
  std::optional<StreamedBody> route_;  // the route streams its body
  BodyFile bodyFile_;
  std::vector<char> chunk_;
  std::function<void(std::uint64_t, beast::string_view, beast::error_code&)> onChunkHeader_;
  bool chunkLineTooLong_ = false;
  std::shared_ptr<Job> job_;  // the one waiting in or running on the handler pool
  std::uint64_t limit_ = 0;   // of the request being read
  unsigned version_ = 11;     // of the request being read, once its head is in
  bool headDone_ = false;
  bhttp::response<bhttp::string_body> res_;
  std::optional<bhttp::response<bhttp::file_body>> fileRes_;  // a body sent from a file
  // A streamed body (Response::stream): its pipe (set before respond() when the Handler's
  // response streams), its head and serializer, the part being sent.
  std::shared_ptr<BodyPipe> pipe_;
  std::optional<bhttp::response<bhttp::empty_body>> streamRes_;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> streamSer_;
  BodyPart streamPart_;
  std::string streamFrame_;      // a file range's chunk header or trailer
  net::steady_timer fileWait_;   // a client that does not take a file range within readTimeout
  std::uint64_t fileWaits_ = 0;  // which wait the timer is for
  bool streamChunked_ = true, streamKeepAlive_ = false, streamHeadSent_ = false;
  BodyPipe::Next streamFirst_ = BodyPipe::Next::Data;  // taken before the head was sent
  unsigned streamVersion_ = 11;
  std::uint64_t streamBytes_ = 0;
  std::string remote_;
  std::string method_, target_;  // of the request being answered, for logs
  Clock::time_point accepted_;
  Clock::time_point requestStart_;
  State state_ = State::Idle;
  bool first_ = true;           // no request completed on this connection yet
  bool stopRequested_ = false;  // the server is stopping: close after the current response
  bool closed_ = false;
  // What lingerClose() reads and throws away: made only while lingering, and large, so that
  // draining a refused multi-MB body costs few reads (a flood of them is cheap to shed).
  std::unique_ptr<char[]> discard_;
};

// ----------------------------------------------------------------------------------- Session

// The handshake and the first request head share headerTimeout from the accept.
void Session::handshake() {
  state_ = State::Handshake;
  if (closed_) return;
  stream_.expires_at(accepted_ + core_.options.headerTimeout);
  tls_->async_handshake(ssl::stream_base::server,
                        beast::bind_front_handler(&Session::onHandshake, shared_from_this()));
}

void Session::onHandshake(beast::error_code ec) {
  if (closed_) return;
  if (ec) {
    ++core_.stats.tlsHandshakeFailures;
    const std::string why =
        ec == beast::error::timeout ? "no handshake within the header timeout" : tlsReason(ec);
    spdlog::info("http: TLS handshake with {} failed: {}", remote_, why);
    return;  // the session ends and the socket closes with it
  }
  clientSubject_ = peerSubject(tls_->native_handle());
  awaitRequest();
}

void Session::awaitRequest() {
  state_ = State::Idle;
  if (closed_) return;
  if (stopRequested_ || core_.stopping()) {
    close();
    return;
  }
  parser_.reset();
  streamed_.reset();
  route_.reset();
  headDone_ = false;
  chunkLineTooLong_ = false;
  head_.emplace();
  // The limit depends on the route, known once the head is in: startBody() checks it.
  head_->body_limit(boost::none);
  head_->header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(core_.options.headerLimit, std::numeric_limits<std::uint32_t>::max())));
  if (buffer_.size() > 0) {  // a pipelined request is already here
    requestStart_ = Clock::now();
    readHeader();
    return;
  }
  // A new connection must deliver its head within headerTimeout of being accepted; a kept-alive
  // one may sit idle for idleTimeout, and its head then has headerTimeout from the first byte.
  if (first_)
    stream_.expires_at(accepted_ + core_.options.headerTimeout);
  else
    stream_.expires_after(core_.options.idleTimeout);
  withStream([&](auto& s) {
    s.async_read_some(buffer_.prepare(kReadChunk),
                      beast::bind_front_handler(&Session::onFirstBytes, shared_from_this()));
  });
}

void Session::onFirstBytes(beast::error_code ec, std::size_t n) {
  if (closed_) return;
  if (ec) {
    if (ec == beast::error::timeout)
      spdlog::debug("http: {} sent no request within the {} timeout, closing", remote_,
                    first_ ? "header" : "idle");
    return;  // eof, reset, timeout: the session ends and the socket closes with it
  }
  buffer_.commit(n);
  requestStart_ = first_ ? accepted_ : Clock::now();
  readHeader();
}

void Session::readHeader() {
  state_ = State::ReadingHead;
  stream_.expires_at(requestStart_ +
                     std::min(core_.options.headerTimeout, core_.options.readTimeout));
  withStream([&](auto& s) {
    bhttp::async_read_header(s, buffer_, *head_,
                             beast::bind_front_handler(&Session::onReadHeader, shared_from_this()));
  });
}

void Session::onReadHeader(beast::error_code ec, std::size_t) {
  if (closed_) return;
  if (ec) {
    readFailed(ec);
    return;
  }
  const auto& head = head_->get();
  headDone_ = true;
  version_ = head.version();
  method_ = toString(head.method_string());
  target_ = toString(head.target());
  const bool expectContinue = head.version() >= 11 && !head_->is_done() &&
                              beast::iequals(head[bhttp::field::expect], "100-continue");
  if (core_.options.checkHead) {
    checkHead(expectContinue);
    return;
  }
  afterHead(expectContinue);
}

// The head check runs before any of the body is read and before a 100 Continue: a refused
// request costs its head only.
void Session::checkHead(bool expectContinue) {
  auto split = splitTarget(target_);
  if (!split.ok) {
    reject(400, "malformed HTTP request: invalid request target\n");
    return;
  }
  auto head = std::make_shared<Request>();
  head->method = method_;
  head->target = target_;
  for (const auto& field : head_->get()) {
    auto name = lower(toString(field.name_string()));
    auto value = toString(field.value());
    auto [it, inserted] = head->headers.emplace(std::move(name), value);
    if (!inserted) it->second += ", " + value;
  }
  head->path = std::move(split.path);
  head->query = parseQuery(split.query);
  head->remote = remote_;
  head->clientSubject = clientSubject_;
  state_ = State::Checking;
  stream_.expires_never();
  const bool bodyRead = head_->is_done();
  if (core_.options.quickCheckHead) {
    HeadVerdict v = guarded(*head, [&] { return core_.options.quickCheckHead(*head); });
    if (v.kind == HeadVerdict::Kind::Admit) {
      headChecked(expectContinue, bodyRead, std::nullopt);
      return;
    }
    if (v.kind == HeadVerdict::Kind::Refuse) {
      headChecked(expectContinue, bodyRead, std::move(v.refusal));
      return;
    }
  }
  offload(
      [this, head]() -> std::optional<Response> {
        return guarded(*head, [&] { return core_.options.checkHead(*head); });
      },
      [this, expectContinue, bodyRead](std::optional<Response> refusal) {
        headChecked(expectContinue, bodyRead, std::move(refusal));
      },
      bodyRead);
}

void Session::headChecked(bool expectContinue, bool bodyRead, std::optional<Response> refusal) {
  if (!refusal) {
    afterHead(expectContinue);
    return;
  }
  ++core_.stats.refusedOnHead;
  // The body was not read: the connection closes after the answer, draining what comes.
  const bool keepAlive = bodyRead && head_->get().keep_alive();
  const bool isHead = head_->get().method() == bhttp::verb::head;
  head_.reset();
  respond(version_, isHead, std::move(*refusal), keepAlive, !bodyRead);
}

void Session::afterHead(bool expectContinue) {
  startBody();
  if (!parser_ && !streamed_) return;  // refused
  if (expectContinue) {
    state_ = State::ReadingBody;
    stream_.expires_at(requestStart_ + readTimeout());
    withStream([&](auto& s) {
      net::async_write(s, net::buffer(kContinue, sizeof kContinue - 1),
                       beast::bind_front_handler(&Session::onContinueWritten, shared_from_this()));
    });
    return;
  }
  readBody();
}

void Session::onContinueWritten(beast::error_code ec, std::size_t) {
  if (closed_ || ec) return;
  readBody();
}

void Session::startBody() {
  const auto& opt = core_.options;
  if (opt.streamBody) {
    const auto split = splitTarget(target_);
    if (split.ok) route_ = opt.streamBody(method_, split.path);
  }
  limit_ = route_ ? route_->limit : static_cast<std::uint64_t>(opt.bodyLimit);
  const auto length = head_->content_length();
  if (length && *length > limit_) {
    head_.reset();
    readFailed(bhttp::error::body_limit);
    return;
  }
  if (!route_) {
    parser_.emplace(std::move(*head_));
    parser_->body_limit(limit_);
    parser_->on_chunk_header(onChunkHeader_);
    head_.reset();
    return;
  }
  if (!bodyFile_.create(route_->folder)) {
    const int err = errno;
    head_.reset();
    spdlog::error("http: cannot make a temporary file in {} for {} {}: {}", route_->folder, method_,
                  target_, std::strerror(err));
    reject(507, "the hub cannot store the request body now (" + std::string(std::strerror(err)) +
                    "); try again later\n");
    return;
  }
  streamed_.emplace(std::move(*head_));
  streamed_->body_limit(limit_);
  streamed_->on_chunk_header(onChunkHeader_);
  head_.reset();
  chunk_.resize(kStreamChunk);
}

void Session::readBody() {
  if (bodyDone()) {
    handleRequest();
    return;
  }
  state_ = State::ReadingBody;
  stream_.expires_at(requestStart_ + readTimeout());
  if (streamed_) {
    readStreamedChunk();
    return;
  }
  withStream([&](auto& s) {
    bhttp::async_read(s, buffer_, *parser_,
                      beast::bind_front_handler(&Session::onReadBody, shared_from_this()));
  });
}

void Session::readStreamedChunk() {
  auto& body = streamed_->get().body();
  body.data = chunk_.data();
  body.size = chunk_.size();
  withStream([&](auto& s) {
    bhttp::async_read(s, buffer_, *streamed_,
                      beast::bind_front_handler(&Session::onStreamedChunk, shared_from_this()));
  });
}

void Session::onStreamedChunk(beast::error_code ec, std::size_t) {
  if (closed_) return;
  if (ec == bhttp::error::need_buffer) ec = {};  // the chunk is full: write it, read on
  if (ec) {
    readFailed(ec);
    return;
  }
  const std::size_t got = chunk_.size() - streamed_->get().body().size;
  if (got > 0 && !bodyFile_.append(chunk_.data(), got)) {
    const int err = errno;
    spdlog::error("http: cannot write the body of {} {} from {} to a temporary file: {}", method_,
                  target_, remote_, std::strerror(err));
    reject(507, "the hub cannot store the request body now (" + std::string(std::strerror(err)) +
                    "); try again later\n");
    return;
  }
  if (streamed_->is_done()) {
    handleRequest();
    return;
  }
  readStreamedChunk();
}

void Session::onReadBody(beast::error_code ec, std::size_t) {
  if (closed_) return;
  if (ec) {
    readFailed(ec);
    return;
  }
  handleRequest();
}

void Session::readFailed(beast::error_code ec) {
  const auto& opt = core_.options;
  bodyFile_.discard();  // nothing of an unfinished body stays behind
  if (ec == bhttp::error::body_limit && route_) {
    reject(413, "request body is larger than the limit of " + std::to_string(limit_) +
                    " bytes for " + target_.substr(0, target_.find('?')) + "; " +
                    route_->limitHint + "\n");
  } else if (ec == bhttp::error::body_limit) {
    reject(413, "request body is larger than the limit of " + std::to_string(opt.bodyLimit) +
                    " bytes; send a smaller body (split the batch into several requests) or "
                    "raise the server's body limit (limits/@bodyBytes in the hub configuration)\n");
  } else if (chunkLineTooLong_ ||
             (ec == bhttp::error::buffer_overflow && state_ == State::ReadingBody)) {
    // Past the head only a chunk-size line (with its extensions) or the trailer can fill the
    // buffer: Beast bounds neither.
    reject(400, "malformed HTTP request: a chunk-size line or the trailer is longer than " +
                    std::to_string(chunkLineTooLong_ ? opt.chunkLineLimit : opt.maxBuffer) +
                    " bytes; send chunks without extensions\n");
  } else if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    reject(431, "request head (request line and header fields) is larger than the limit of " +
                    std::to_string(opt.headerLimit) + " bytes\n");
  } else if (isMalformed(ec)) {
    reject(400, "malformed HTTP request: " + ec.message() + "\n");
  } else if (ec == beast::error::timeout) {
    // The stream closed the socket when its deadline passed; there is nobody to answer.
    ++core_.stats.rejected;
    spdlog::debug("http: {} did not send its request in time ({}), connection closed", remote_,
                  state_ == State::ReadingHead ? "header timeout" : "read timeout");
  } else {
    // end_of_stream: a kept-alive connection closed by the client; anything else: peer gone.
    if (ec != bhttp::error::end_of_stream && ec != net::error::operation_aborted)
      spdlog::debug("http: reading from {} failed: {}", remote_, ec.message());
  }
}

void Session::handleRequest() {
  state_ = State::Handling;
  stream_.expires_never();

  Request req;
  unsigned version = 11;
  bool head = false, keepAlive = false;
  // The head's fields, whichever parser holds the message.
  const auto takeHead = [&](const auto& msg) {
    req.method = toString(msg.method_string());
    req.target = toString(msg.target());
    for (const auto& field : msg) {
      auto name = lower(toString(field.name_string()));
      auto value = toString(field.value());
      auto [it, inserted] = req.headers.emplace(std::move(name), value);
      if (!inserted) it->second += ", " + value;  // repeated field: one comma-separated list
    }
    version = msg.version();
    head = msg.method() == bhttp::verb::head;
    keepAlive = msg.keep_alive();
  };
  if (streamed_) {
    takeHead(streamed_->get());
    streamed_.reset();
    req.bodySize = bodyFile_.size();
    req.bodyFile = bodyFile_.release();  // removed after the Handler, below
  } else {
    auto msg = parser_->release();
    parser_.reset();
    takeHead(msg);
    req.body = std::move(msg.body());
  }
  method_ = req.method;
  target_ = req.target;
  auto split = splitTarget(req.target);
  if (!split.ok) {
    if (!req.bodyFile.empty()) ::unlink(req.bodyFile.c_str());
    reject(400, "malformed HTTP request: invalid request target\n", version);
    return;
  }
  req.path = std::move(split.path);
  req.query = parseQuery(split.query);
  req.remote = remote_;
  req.clientSubject = clientSubject_;

  // The request (and its body file, removed with it) lives as long as its job's work.
  struct Owned {
    Request req;
    ~Owned() {
      if (!req.bodyFile.empty()) ::unlink(req.bodyFile.c_str());
    }
  };
  // Requests answered later count against the handler queue's bound too: past it, a request
  // takes the pool's way (and is shed there when that is full).
  if (core_.options.quick && req.bodyFile.empty() &&
      req.body.size() <= core_.options.quickBodyLimit &&
      core_.stats.awaitingReply.load() < core_.options.handlerQueue) {
    auto out = guarded(req, [&] { return core_.options.quick(req); });
    if (out) {
      ++core_.stats.requests;
      answer(version, head, std::move(*out), keepAlive);
      return;
    }
  }
  auto owned = std::make_shared<Owned>();
  owned->req = std::move(req);
  offload(
      [this, owned]() -> std::optional<Response> {
        ++core_.stats.requests;
        return guarded(owned->req, [&] { return core_.handler(owned->req); });
      },
      [this, version, head, keepAlive](std::optional<Response> out) {
        answer(version, head, std::move(*out), keepAlive);
      },
      true);
}

// A later response keeps the session (and so the server's drain) until its Reply is called or
// dropped; a session closed meanwhile drops the response.
struct Session::Awaiting {
  std::shared_ptr<Session> session;  // released by the first reply
  std::atomic<bool> replied{false};
  unsigned version = 11;
  bool head = false, keepAlive = false;

  void reply(MakeResponse make) {
    if (replied.exchange(true)) return;
    auto self = std::move(session);
    --self->core_.stats.awaitingReply;
    net::post(self->stream_.get_executor(), [self, make = std::move(make), version = version,
                                             head = head, keepAlive = keepAlive]() mutable {
      if (self->closed_) return;
      Response r = self->guarded(Request{self->method_, self->target_}, [&] {
        Response made = make();
        if (made.later || made.stream)
          throw std::logic_error("a deferred response was deferred again or streamed");
        return made;
      });
      self->respond(version, head, std::move(r), keepAlive, false);
    });
  }
  // Every copy of the Reply is gone and none was called: the request is answered 500.
  ~Awaiting() {
    if (!replied.load())
      reply([]() -> Response { throw std::logic_error("the Reply was dropped uncalled"); });
  }
};

void Session::answer(unsigned version, bool head, Response out, bool keepAlive) {
  if (!out.later) {
    respond(version, head, std::move(out), keepAlive, false);
    return;
  }
  auto later = std::exchange(out.later, nullptr);
  auto awaiting = std::make_shared<Awaiting>();
  awaiting->session = shared_from_this();
  awaiting->version = version;
  awaiting->head = head;
  awaiting->keepAlive = keepAlive;
  ++core_.stats.awaitingReply;
  Reply reply = [awaiting](MakeResponse make) { awaiting->reply(std::move(make)); };
  try {
    later(std::move(reply));
  } catch (const std::exception& e) {
    awaiting->reply([error = internalError(Request{method_, target_}, e.what())] { return error; });
  } catch (...) {
    awaiting->reply(
        [error = internalError(Request{method_, target_}, "unknown exception")] { return error; });
  }
}

// Without a handler pool the work runs here, on the I/O thread. With one, the job waits in the
// pool's queue (the Handler may block on the store) and the result comes back to this strand.
// The deadline's timer holds the session while the job waits or runs; the pool holds it only
// weakly, so a session closed meanwhile (forceClose) ends and its job is dropped unstarted.
void Session::offload(Work work, Done done, bool bodyRead) {
  auto* pool = core_.handlers();
  if (!pool) {
    auto out = work();
    work = nullptr;
    // No thread to write a streamed body on while this one sends it: gathered first.
    if (out && out->stream) {
      try {
        gatherBody(*out);
      } catch (const std::exception& e) {
        out = internalError(Request{method_, target_}, e.what());
      }
    }
    if (!closed_) done(std::move(out));
    return;
  }
  if (!core_.enqueue()) {
    shed("every handler thread is busy and " + std::to_string(core_.options.handlerQueue) +
             " requests are waiting",
         bodyRead);
    return;
  }
  auto job = std::make_shared<Job>(stream_.get_executor());
  job->work = std::move(work);
  job_ = job;
  job->timer.expires_after(core_.options.queueTimeout);
  job->timer.async_wait([self = shared_from_this(), job, bodyRead](beast::error_code ec) {
    if (ec || job->claimed.exchange(true)) return;
    job->work = nullptr;  // frees the request now, not when the pool gets to it
    if (self->job_ == job) self->job_.reset();
    if (self->closed_) return;
    self->shed("no handler thread was free within " +
                   std::to_string(self->core_.options.queueTimeout.count()) + " ms",
               bodyRead);
  });
  net::post(*pool, [core = &core_, weak = weak_from_this(), job, done = std::move(done)]() mutable {
    core->dequeued();
    auto self = weak.lock();
    if (job->claimed.exchange(true) || !self) return;
    std::optional<Response> out = job->work();
    job->work = nullptr;
    // A streamed body is written here, on this handler thread, while the session sends it.
    std::function<void(const BodyWriter&)> stream;
    std::shared_ptr<BodyPipe> pipe;
    if (out && out->stream) {
      stream = std::exchange(out->stream, nullptr);
      pipe = std::make_shared<BodyPipe>(core->options.streamWindow);
    }
    Request what{self->method_, self->target_};  // for the log, read before the strand goes on
    net::post(self->stream_.get_executor(),
              [self, job, pipe, done = std::move(done), out = std::move(out)]() mutable {
                job->timer.cancel();
                if (self->job_ == job) self->job_.reset();
                if (self->closed_) {
                  if (pipe) pipe->close();
                  return;
                }
                self->pipe_ = pipe;
                done(std::move(out));
              });
    if (!stream) return;
    self.reset();  // while the body is written, the pipe's kick keeps the session
    if (!pipe->awaitStart()) return;
    bool ok = false;
    try {
      stream(BodyWriter([&](std::string&& part) { pipe->write(std::move(part)); },
                        [&](int fd, std::uint64_t offset, std::uint64_t length) {
                          pipe->writeFile(fd, offset, length);
                        }));
      ok = true;
    } catch (const ClientGone&) {
      spdlog::debug("http: {} {}: the client went before the streamed body was sent", what.method,
                    what.target);
    } catch (const std::exception& e) {
      ++core->stats.handlerErrors;
      spdlog::error("http: writing the body of {} {} failed (error id {}): {}", what.method,
                    what.target, base::newCorrelationId(), e.what());
    } catch (...) {
      ++core->stats.handlerErrors;
      spdlog::error("http: writing the body of {} {} failed: unknown exception", what.method,
                    what.target);
    }
    pipe->finish(ok);
  });
}

// Load shedding: the request is answered 503 with Retry-After, its connection closed.
void Session::shed(const std::string& why, bool bodyRead) {
  ++core_.stats.requestsShed;
  spdlog::debug("http: shedding {} {} from {}: {}", method_, target_, remote_, why);
  const bool isHead = method_ == "HEAD";
  bodyFile_.discard();
  head_.reset();
  parser_.reset();
  streamed_.reset();
  respond(version_ == 10 ? 10 : 11, isHead, busy(why), false, !bodyRead);
}

// Runs the Handler; whatever it throws becomes a logged, counted 500. Touches no session state
// but what is fixed for its lifetime, so it may run on a handler thread.
template <typename F>
auto Session::guarded(const Request& req, F&& f) -> decltype(f()) {
  using Result = decltype(f());
  const auto failed = [&](const std::string& detail) -> Result {
    Response error = internalError(req, detail);
    if constexpr (std::is_same_v<Result, HeadVerdict>)
      return HeadVerdict{HeadVerdict::Kind::Refuse, std::move(error)};
    else
      return error;
  };
  try {
    return f();
  } catch (const std::exception& e) {
    return failed(e.what());
  } catch (...) {
    return failed("unknown exception");
  }
}

// The client learns that the hub failed and the id to quote; the detail (an exception's text may
// hold paths, SQL or a driver's words) goes to the log only, under the same id.
Response Session::internalError(const Request& req, const std::string& detail) {
  ++core_.stats.handlerErrors;
  const std::string errorId = base::newCorrelationId();
  spdlog::error("http: handler failed for {} {} from {} (error id {}): {}", req.method, req.target,
                remote_, errorId, detail);
  return Response{500,
                  "text/plain; charset=utf-8",
                  "internal error (error id " + errorId +
                      "): the request was not completed; the hub's log has the detail under this "
                      "id\n",
                  {}};
}

// An error the server answers itself, without calling the Handler; the connection then closes.
// version 0: take it from the request head if that was parsed, else 1.1.
void Session::reject(unsigned status, std::string text, unsigned version) {
  ++core_.stats.rejected;
  if (version == 0) version = headDone_ ? version_ : 11;
  spdlog::debug("http: rejecting request from {} with {}: {}", remote_, status, text);
  bodyFile_.discard();
  head_.reset();
  parser_.reset();
  streamed_.reset();
  // The rest of the request may still be on its way: answer, then close, draining it.
  respond(version == 10 ? 10 : 11, false,
          Response{static_cast<int>(status), "text/plain; charset=utf-8", std::move(text), {}},
          false, true);
}

void Session::respond(unsigned version, bool head, Response out, bool keepAlive, bool linger) {
  bool valid = true;
  const auto fail = [&](const std::string& why) {
    valid = false;
    ++core_.stats.handlerErrors;
    spdlog::error("http: handler returned an invalid response for {} {} from {}: {}", method_,
                  target_, remote_, why);
    out = Response{500, "text/plain; charset=utf-8", "internal error: " + why, {}};
  };
  if (out.status < 200 || out.status > 999) {
    fail("invalid status " + std::to_string(out.status));
  } else if (!validFieldValue(out.contentType)) {
    fail("invalid Content-Type value");
  } else {
    for (const auto& [name, value] : out.headers) {
      if (!validFieldName(name) || !validFieldValue(value)) {
        fail("invalid header field \"" + name + "\"");
        break;
      }
    }
  }

  // A streamed body: sent as the Handler's thread writes it; not written at all for HEAD,
  // 204, 304 or an invalid response.
  bool unsized = false;  // HEAD of a streamed body: its length is not known
  if (auto pipe = std::exchange(pipe_, nullptr)) {
    if (valid && !head && out.status != 204 && out.status != 304) {
      pipe_ = std::move(pipe);
      startStream(version, std::move(out), keepAlive);
      return;
    }
    pipe->close();
    unsized = valid && head;
  }

  // A body from a file: opened here, so that a file that is gone is still a clean 500.
  bhttp::file_body::value_type file;
  if (!out.bodyFile.empty() && out.status != 204 && out.status != 304) {
    beast::error_code ec;
    file.open(out.bodyFile.c_str(), beast::file_mode::scan, ec);
    if (out.removeBodyFile) ::unlink(out.bodyFile.c_str());
    if (ec) fail("cannot open the body file: " + ec.message());
  }
  res_ = {};
  setHead(res_, version, out, keepAlive);
  const bool bodyless = out.status == 204 || out.status == 304;
  const bool fromFile = file.is_open() && out.status != 500;
  std::uint64_t size = fromFile ? file.size() : out.body.size();
  if (!bodyless && !unsized) {
    res_.content_length(size);
    if (!head && !fromFile) res_.body() = std::move(out.body);
  }
  if (stopRequested_ || core_.stopping()) keepAlive = false;
  res_.keep_alive(keepAlive);

  spdlog::debug(
      "http: {} {} {} -> {} ({} bytes{}) in {} ms", remote_, method_, target_, out.status, size,
      fromFile ? " from a file" : "",
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - requestStart_).count());
  method_.clear();
  target_.clear();

  state_ = State::Writing;
  stream_.expires_after(core_.options.readTimeout);  // a client must also read in reasonable time
  if (fromFile && !head && !bodyless) {
    fileRes_.emplace(std::move(res_.base()));
    fileRes_->body() = std::move(file);
    fileRes_->content_length(size);
    withStream([&](auto& s) {
      bhttp::async_write(
          s, *fileRes_,
          beast::bind_front_handler(&Session::onWrite, shared_from_this(), keepAlive, linger));
    });
    return;
  }
  withStream([&](auto& s) {
    bhttp::async_write(
        s, res_,
        beast::bind_front_handler(&Session::onWrite, shared_from_this(), keepAlive, linger));
  });
}

template <typename Message>
void Session::setHead(Message& msg, unsigned version, Response& out, bool& keepAlive) {
  msg.version(version);
  msg.result(static_cast<unsigned>(out.status));
  msg.set(bhttp::field::server, kServerName);
  msg.set(bhttp::field::date, httpDate());
  if (!out.contentType.empty()) msg.set(bhttp::field::content_type, out.contentType);
  for (auto& [name, value] : out.headers) {
    const auto key = lower(name);
    if (key == "content-length" || key == "transfer-encoding") continue;  // framing is ours
    if (key == "connection") {
      if (lower(value).find("close") != std::string::npos) keepAlive = false;
      continue;
    }
    if (key == "server" || key == "content-type")
      msg.set(name, value);
    else
      msg.insert(name, value);
  }
}

// The head waits for the first part (or the end), so that a writer failing before it wrote
// anything still gets a proper 500. HTTP/1.0 has no chunks: the body runs to the close.
void Session::startStream(unsigned version, Response out, bool keepAlive) {
  streamRes_.emplace();
  setHead(*streamRes_, version, out, keepAlive);
  if (stopRequested_ || core_.stopping()) keepAlive = false;
  streamChunked_ = version >= 11;
  if (!streamChunked_) keepAlive = false;
  streamRes_->keep_alive(keepAlive);
  if (streamChunked_) streamRes_->chunked(true);
  streamKeepAlive_ = keepAlive;
  streamVersion_ = version;
  streamHeadSent_ = false;
  streamBytes_ = 0;
  state_ = State::Writing;
  stream_.expires_never();  // waiting for the writer; the client's deadline is set per write
  // While it waits for the writer no operation of the session is pending, so the kick keeps it:
  // the pipe lets go of the kick when the body ends or the connection closes.
  // File ranges go out with sendfile(2) on plain TCP; over TLS the pipe reads them into bytes.
  pipe_->start([self = shared_from_this(),
                ex = stream_.get_executor()] { net::post(ex, [self] { self->pumpStream(); }); },
               !tls_);
  pumpStream();
}

void Session::pumpStream() {
  if (closed_ || !pipe_ || state_ != State::Writing) return;
  streamPart_ = {};
  const auto next = pipe_->take(streamPart_);
  if (next == BodyPipe::Next::Wait) return;  // the pipe kicks when there is more
  if (next == BodyPipe::Next::Failed) {
    pipe_->close();
    pipe_.reset();
    streamSer_.reset();
    if (!streamHeadSent_) {  // nothing sent yet: an ordinary 500 (the writer logged why)
      streamRes_.reset();
      respond(streamVersion_, false,
              Response{500,
                       "text/plain; charset=utf-8",
                       "internal error: the response could not be written; the hub's log has "
                       "the detail\n",
                       {}},
              streamKeepAlive_, false);
      return;
    }
    spdlog::warn("http: cutting the response to {} after {} bytes: its body could not be written",
                 remote_, streamBytes_);
    close();  // the last chunk never comes: the client sees the body is incomplete
    return;
  }
  if (!streamHeadSent_) {
    streamHeadSent_ = true;
    spdlog::debug(
        "http: {} {} -> {} (streamed) after {} ms", remote_, method_, streamRes_->result_int(),
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - requestStart_)
            .count());
    method_.clear();
    target_.clear();
    streamSer_.emplace(*streamRes_);
    streamFirst_ = next;
    stream_.expires_after(core_.options.readTimeout);
    withStream([&](auto& s) {
      bhttp::async_write_header(
          s, *streamSer_,
          beast::bind_front_handler(&Session::onStreamWritten, shared_from_this(), Sent::Head));
    });
    return;
  }
  sendStreamPart(next);
}

// `next` is Data (streamPart_ holds it) or Done (the last chunk).
void Session::sendStreamPart(BodyPipe::Next next) {
  // A client must take each part within readTimeout, or the connection is closed.
  stream_.expires_after(core_.options.readTimeout);
  const bool last = next == BodyPipe::Next::Done;
  auto written = beast::bind_front_handler(&Session::onStreamWritten, shared_from_this(),
                                           last ? Sent::Last : Sent::Part);
  withStream([&](auto& s) {
    if (last) {
      if (streamChunked_)
        net::async_write(s, bhttp::make_chunk_last(), std::move(written));
      else
        written(beast::error_code{}, 0);  // HTTP/1.0: the close ends the body
    } else if (streamPart_.file) {        // plain TCP only (see startStream)
      if (!streamChunked_) return sendFileRange();
      char size[24];
      std::snprintf(size, sizeof size, "%llx\r\n",
                    static_cast<unsigned long long>(streamPart_.length));
      streamFrame_ = size;
      net::async_write(stream_, net::buffer(streamFrame_),
                       [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                         if (self->closed_) return;
                         if (ec) return self->onStreamWritten(Sent::Part, ec, n);
                         self->streamBytes_ += n;
                         self->sendFileRange();
                       });
    } else if (streamChunked_) {
      net::async_write(s, bhttp::make_chunk(net::buffer(streamPart_.bytes)), std::move(written));
    } else {
      net::async_write(s, net::buffer(streamPart_.bytes), std::move(written));
    }
  });
}

// A file range goes from the page cache to the socket with sendfile(2), never through the hub's
// memory. When the socket's buffer is full it waits for room, at most readTimeout (a client that
// takes nothing for that long is closed); a turn sends at most kFileTurn, so that the other
// connections of this I/O thread are served meanwhile.
void Session::sendFileRange() {
  if (closed_) return;
  constexpr std::uint64_t kFileTurn = 4u << 20;
  auto& socket = stream_.socket();
  beast::error_code ec;
  socket.native_non_blocking(true, ec);
  std::uint64_t turn = 0;
  while (streamPart_.length > 0 && !ec) {
    if (turn >= kFileTurn) {
      net::post(stream_.get_executor(),
                beast::bind_front_handler(&Session::sendFileRange, shared_from_this()));
      return;
    }
    auto offset = static_cast<off_t>(streamPart_.offset);
    const ssize_t n =
        ::sendfile(socket.native_handle(), streamPart_.file->fd, &offset,
                   static_cast<std::size_t>(std::min(streamPart_.length, kFileTurn - turn)));
    if (n > 0) {
      const auto sent = static_cast<std::uint64_t>(n);
      streamPart_.offset += sent;
      streamPart_.length -= sent;
      streamBytes_ += sent;
      turn += sent;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const auto wait = ++fileWaits_;
      fileWait_.expires_after(core_.options.readTimeout);
      fileWait_.async_wait([self = shared_from_this(), wait](beast::error_code tec) {
        if (tec || self->closed_ || self->fileWaits_ != wait) return;
        spdlog::debug("http: {} took none of the streamed body for {} ms: closing", self->remote_,
                      self->core_.options.readTimeout.count());
        self->close();
      });
      socket.async_wait(tcp::socket::wait_write,
                        [self = shared_from_this()](beast::error_code wec) {
                          ++self->fileWaits_;  // this wait is over, whatever the timer says
                          self->fileWait_.cancel();
                          if (self->closed_) return;
                          if (wec) return self->onStreamWritten(Sent::Part, wec, 0);
                          self->sendFileRange();
                        });
      return;
    } else {
      // 0: the file is shorter than the range its writer handed over.
      ec = n == 0 ? beast::error_code(net::error::eof)
                  : beast::error_code(errno, beast::system_category());
    }
  }
  if (ec) return onStreamWritten(Sent::Part, ec, 0);
  onFileRangeSent();
}

void Session::onFileRangeSent() {
  streamPart_ = {};  // lets go of the file
  if (!streamChunked_) return onStreamWritten(Sent::Part, {}, 0);
  streamFrame_ = "\r\n";  // the chunk's end
  stream_.expires_after(core_.options.readTimeout);
  net::async_write(
      stream_, net::buffer(streamFrame_),
      beast::bind_front_handler(&Session::onStreamWritten, shared_from_this(), Sent::Part));
}

void Session::onStreamWritten(Sent sent, beast::error_code ec, std::size_t n) {
  if (closed_) return;
  if (ec) {
    spdlog::debug("http: streaming to {} failed after {} bytes: {}", remote_, streamBytes_,
                  ec.message());
    close();  // the writer learns it at its next part
    return;
  }
  streamBytes_ += n;
  switch (sent) {
    case Sent::Head:
      sendStreamPart(streamFirst_);
      return;
    case Sent::Part:
      stream_.expires_never();  // waiting for the writer again
      pumpStream();
      return;
    case Sent::Last:
      pipe_->close();
      pipe_.reset();
      streamSer_.reset();
      streamRes_.reset();
      streamPart_ = {};
      streamFrame_ = {};
      onWrite(streamKeepAlive_, false, {}, 0);
      return;
  }
}

void Session::onWrite(bool keepAlive, bool linger, beast::error_code ec, std::size_t) {
  if (closed_) return;
  if (ec) {
    spdlog::debug("http: writing to {} failed: {}", remote_, ec.message());
    return;
  }
  res_ = {};
  fileRes_.reset();
  first_ = false;
  if (linger) {
    lingerClose();
  } else if (!keepAlive || stopRequested_ || core_.stopping()) {
    state_ = State::Closing;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    // the session ends here; the socket closes with it
  } else {
    awaitRequest();
  }
}

// Over TLS too the rest is drained from the TCP stream: it is discarded, not decrypted. No TLS
// close_notify is sent before closing: every response is framed by its Content-Length.
void Session::lingerClose() {
  state_ = State::Closing;
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTime);
  if (!discard_) discard_ = std::make_unique<char[]>(kLingerChunk);
  stream_.async_read_some(net::buffer(discard_.get(), kLingerChunk),
                          beast::bind_front_handler(&Session::onLinger, shared_from_this()));
}

void Session::onLinger(beast::error_code ec, std::size_t) {
  if (closed_ || ec) return;  // eof (the client closed too), timeout or error: done
  stream_.async_read_some(net::buffer(discard_.get(), kLingerChunk),
                          beast::bind_front_handler(&Session::onLinger, shared_from_this()));
}

void Session::close() {
  if (closed_) return;
  closed_ = true;
  state_ = State::Closing;
  if (job_) job_->timer.cancel();  // a job not yet started is dropped with the session
  if (pipe_) pipe_->close();       // a streamed body's writer stops at its next part
  fileWait_.cancel();

  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
}

// -------------------------------------------------------------------------------------- Core

tcp::endpoint Core::resolve() {
  beast::error_code ec;
  const auto address = net::ip::make_address(options.host, ec);
  if (!ec) return {address, options.port};
  tcp::resolver resolver(ioc_);
  const auto results =
      resolver.resolve(options.host, std::to_string(options.port), tcp::resolver::passive, ec);
  if (ec || results.empty())
    throw std::runtime_error("http server: cannot resolve listen host \"" + options.host +
                             "\": " + (ec ? ec.message() : std::string("no address")));
  return results.begin()->endpoint();
}

void Core::run(bool handleSignals) {
  if (ran_.exchange(true)) throw std::logic_error("http server: run() may be called only once");
  if (handleSignals) {
    signals_.emplace(ioc_, SIGINT, SIGTERM);
    awaitSignal();
  }
  // Started here, not at construction: threads made after the hub loaded its plugins see their
  // thread-local storage from the start.
  if (options.handlerThreads > 0)
    handlers_.emplace(static_cast<std::size_t>(options.handlerThreads));
  net::post(strand_, [this] { doAccept(); });

  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(options.threads - 1));
  try {
    for (int i = 1; i < options.threads; ++i) pool.emplace_back([this] { runLoop(); });
  } catch (...) {
    stop();
    for (auto& t : pool) t.join();
    signals_.reset();
    throw;
  }
  runLoop();
  for (auto& t : pool) t.join();
  // No Handler is still running when run() returns: the caller may destroy what it uses.
  if (handlers_) handlers_->join();
  signals_.reset();  // restores the default dispositions
  spdlog::debug("http: stopped; {} connections, {} requests served", stats.connections.load(),
                stats.requests.load());
}

// First signal: graceful stop. Another one while draining: close the remaining connections now.
void Core::awaitSignal() {
  signals_->async_wait(net::bind_executor(strand_, [this](beast::error_code ec, int sig) {
    if (ec) return;
    if (!stopRequested_) {
      spdlog::info("http: received signal {}, stopping (again to close connections at once)", sig);
      stop();
    } else {
      spdlog::warn("http: received signal {} while stopping, closing connections now", sig);
      drainDeadline_ = Clock::now();
    }
    awaitSignal();
  }));
}

void Core::runLoop() {
  for (;;) {
    try {
      ioc_.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("http: unexpected exception in the I/O loop: {}", e.what());
    } catch (...) {
      spdlog::error("http: unexpected exception in the I/O loop");
    }
  }
}

void Core::stop() {
  if (stopRequested_.exchange(true)) return;
  net::post(strand_, [this] { doStop(); });
}

void Core::doAccept() {
  if (stopping_) return;
  acceptor_.async_accept(net::make_strand(ioc_),
                         net::bind_executor(strand_, [this](beast::error_code ec, tcp::socket s) {
                           onAccept(ec, std::move(s));
                         }));
}

void Core::onAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping_) return;
  if (ec) {
    // EMFILE and the like: wait a little instead of spinning on the error
    spdlog::warn("http: accept failed: {}", ec.message());
    acceptRetry_.expires_after(kAcceptRetry);
    acceptRetry_.async_wait([this](beast::error_code e) {
      if (!e) doAccept();
    });
    return;
  }
  ++stats.connections;
  beast::error_code ignored;
  if (liveCount() >= options.maxConnections) {
    // Over the cap: a short 503 and the socket is closed, without a session (never blocking:
    // what the send buffer does not take is dropped).
    ++stats.connectionsShed;
    socket.non_blocking(true, ignored);
    socket.write_some(net::buffer(tooManyConnections()), ignored);
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
    doAccept();
    return;
  }
  socket.set_option(tcp::no_delay(true), ignored);
  const auto remote = socket.remote_endpoint(ignored);
  auto session = std::make_shared<Session>(*this, std::move(socket), endpointString(remote));
  {
    std::lock_guard lock(sessionsMutex_);
    session->id = ++nextSessionId_;
    sessions_.emplace(session->id, session);
    stats.openConnections = sessions_.size();
  }
  session->start();
  doAccept();
}

void Core::forget(std::uint64_t id) {
  std::lock_guard lock(sessionsMutex_);
  sessions_.erase(id);
  stats.openConnections = sessions_.size();
}

std::vector<std::shared_ptr<Session>> Core::liveSessions() {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard lock(sessionsMutex_);
  out.reserve(sessions_.size());
  for (auto& [id, weak] : sessions_)
    if (auto s = weak.lock()) out.push_back(std::move(s));
  return out;  // released outside the lock: a Session destructor takes it
}

std::size_t Core::liveCount() {
  std::lock_guard lock(sessionsMutex_);
  return sessions_.size();
}

void Core::doStop() {
  stopping_ = true;
  beast::error_code ignored;
  acceptor_.close(ignored);
  acceptRetry_.cancel();
  auto live = liveSessions();
  spdlog::debug("http: stopping, {} connections open", live.size());
  for (auto& s : live) net::post(s->executor(), [s] { s->serverStopping(); });
  live.clear();
  drainDeadline_ = Clock::now() + options.drainTimeout;
  drainTick();
}

// Polls until every connection is gone; past the deadline it closes them (a Handler that is
// still running finishes first: it cannot be interrupted). Then the signal set goes too, the
// io_context runs out of work and run() returns.
void Core::drainTick() {
  if (liveCount() == 0) {
    beast::error_code ignored;
    if (signals_) signals_->cancel(ignored);
    return;
  }
  const auto now = Clock::now();
  if (!forced_ && now >= drainDeadline_) {
    forced_ = true;
    for (auto& s : liveSessions()) net::post(s->executor(), [s] { s->forceClose(); });
  }
  drainTimer_.expires_after(forced_ ? kDrainPoll
                                    : std::min<Clock::duration>(kDrainPoll, drainDeadline_ - now));
  drainTimer_.async_wait([this](beast::error_code) { drainTick(); });
}

}  // namespace

void BodyWriter::file(int fd, std::uint64_t offset, std::uint64_t length) const {
  if (file_)
    file_(fd, offset, length);
  else
    readFileRange(fd, offset, length, bytes_);
}

// ------------------------------------------------------------------------------------ Server

struct Server::Impl final : Core {
  using Core::Core;
};

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() = default;

std::uint16_t Server::port() const {
  return impl_->port();
}

void Server::run(bool handleSignals) {
  impl_->run(handleSignals);
}

void Server::stop() {
  impl_->stop();
}

const ServerStats& Server::stats() const {
  return impl_->stats;
}

}  // namespace ijro::http
