// HTTP/1.1 server on Boost.Beast. Knows nothing of the API: every request is handed to one
// Handler as plain data, so routes are testable without a socket and Beast stays in one TU.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ijro::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: "/api/v1/measures?region=1703"
  std::string path;    // decoded path without the query: "/api/v1/measures"
  std::multimap<std::string, std::string> query;  // decoded query parameters
  std::map<std::string, std::string> headers;     // lower-case names
  std::string body;                               // empty when the body was streamed to bodyFile
  // A route that streams its body (ServerOptions::streamBody): the file holding the body, in the
  // route's folder. The server removes it after the Handler returns, so a Handler that keeps the
  // body renames it away; bodySize is its length.
  std::string bodyFile;
  std::uint64_t bodySize = 0;
  std::string remote;  // "127.0.0.1:54321"
  // Over TLS with a client CA (ServerTls::clientCaFile): the subject of the client certificate
  // the handshake verified, RFC 2253 ("CN=region-1703,O=Toshkent viloyati"); empty when the
  // client sent none or the connection is plain HTTP.
  std::string clientSubject{};
  std::string header(const std::string& lowerName) const {
    auto it = headers.find(lowerName);
    return it == headers.end() ? std::string{} : it->second;
  }
};

// What a Handler returns. The server adds Server, Date, Content-Length and Connection; framing
// headers in `headers` (Content-Length, Transfer-Encoding) are ignored, "Connection: close"
// closes the connection after the response, Content-Type/Server in `headers` replace the
// defaults. A status outside 200..999 or a header that is not a valid field (e.g. a value with
// CR/LF) turns the response into a 500. 204 and 304 are sent without a body.
// A large body is sent from a file rather than held in memory: `bodyFile` names it (then `body`
// is ignored); the server opens it when it writes the response and sends it in chunks. With
// `removeBodyFile` the server unlinks the file once it has opened it (a spooled copy). A file
// that cannot be opened turns the response into a 500.
//
// A body too large to hold is written while it is sent: `stream` (then `body` and `bodyFile` are
// ignored) is called on a handler thread once the response is under way and hands the body over
// in parts through its argument. That call blocks while the parts not yet sent add up to
// ServerOptions::streamWindow (back-pressure: a slow reader slows the writer, and the memory a
// response holds stays bounded), and throws ClientGone once the response cannot go on (the
// client went away, stopped reading for readTimeout, or the server is closing the connection).
// The response is sent with chunked transfer encoding (to an HTTP/1.0 client: without framing,
// and the connection closes after it). Its head goes with the first part, so `stream` throwing
// before it handed over any part still makes a clean 500; throwing later cuts the connection
// before the last chunk, so the client sees an incomplete body rather than a short one. Not
// called for HEAD, 204 and 304. Without a handler pool (handlerThreads 0) the parts are
// gathered and sent as one body.
struct ClientGone : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// What a streamed body's writer hands its parts to: bytes, or a range of an open file, which a
// plain-TCP connection sends with sendfile(2) (no copy through the hub's memory) and any other
// (TLS, or a response gathered in memory) reads and sends as bytes. A range is sent after the
// parts before it; the file need only stay open until the call returns (the server keeps its own
// descriptor), and its bytes in the range must not change until the response is sent.
class BodyWriter {
 public:
  using Bytes = std::function<void(std::string&& part)>;
  using FileRange = std::function<void(int fd, std::uint64_t offset, std::uint64_t length)>;
  // Only bytes: file ranges are read and handed over as bytes.
  template <typename F, typename = std::enable_if_t<std::is_invocable_v<F&, std::string&&>>>
  BodyWriter(F&& bytes)  // NOLINT(google-explicit-constructor): a lambda is a writer
      : bytes_(std::forward<F>(bytes)) {}
  BodyWriter(Bytes bytes, FileRange file) : bytes_(std::move(bytes)), file_(std::move(file)) {}

  void operator()(std::string&& part) const { bytes_(std::move(part)); }
  // Throws std::runtime_error when the file cannot be read (in the fallback) or ends early.
  void file(int fd, std::uint64_t offset, std::uint64_t length) const;

 private:
  Bytes bytes_;
  FileRange file_;
};

struct Response;
// Answers a request whose response was not known when its handler returned (Response::later):
// call it exactly once, from any thread (later calls are ignored), with what makes the response.
// That runs on the connection's thread, so whatever calls the Reply is not held by building the
// response; it must not block. The response it makes cannot be deferred again or streamed. When
// every copy of a Reply is dropped uncalled, the request is answered 500.
using MakeResponse = std::function<Response()>;
using Reply = std::function<void(MakeResponse)>;

struct Response {
  int status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string bodyFile{};
  bool removeBodyFile = false;
  std::function<void(const BodyWriter& write)> stream{};
  // Set: the response comes later. The server calls it once, on the connection's thread, with
  // the Reply that answers the request (the other fields are ignored); it must not block. If it
  // throws before replying, the request is answered 500.
  std::function<void(Reply)> later{};
};

// A streamed body (Response::stream) written into `body` and the stream dropped, for a caller
// that holds the response rather than sends it; exceptions of the stream pass through.
inline void gatherBody(Response& res) {
  if (!res.stream) return;
  auto stream = std::exchange(res.stream, nullptr);
  std::string body;
  stream([&](std::string&& part) { body += part; });
  res.body = std::move(body);
}

// Called once per complete request, on the connection's thread; it may block (database work),
// which ties up one of the server's threads meanwhile. An exception becomes a 500 with the body
// "internal error: <what()>" and is logged with method, target and remote address.
using Handler = std::function<Response(const Request&)>;

// The Handler's fast lane (ServerOptions::quick), tried first on the connection's I/O thread for
// a request whose body is in memory: it must not block (no database, no file), and answers the
// request it can, at once or with Response::later; std::nullopt leaves the request to the
// Handler on the handler pool. An exception becomes a 500 as for the Handler.
using QuickHandler = std::function<std::optional<Response>(const Request&)>;

// How a route takes its body when it streams it to a file instead of holding it in memory: the
// server writes the body chunk by chunk to a new temporary file in `folder` (mkstemp
// "upload-XXXXXX"), refusing it with 413 past `limit` bytes (the file is removed).
struct StreamedBody {
  std::string folder;
  std::uint64_t limit = 0;
  std::string limitHint;                     // appended to the 413 text: how to fix it
  std::chrono::milliseconds readTimeout{0};  // the whole request; 0: ServerOptions::readTimeout
};

// Which requests stream their body, decided from the request head (method and decoded path):
// nullopt for an ordinary request.
using StreamBodyRoute =
    std::function<std::optional<StreamedBody>(const std::string& method, const std::string& path)>;

// Called once a request head is parsed, before any of its body is read (and before a 100
// Continue is sent), with the head as a Request without a body (method, target, decoded path
// and query, headers, remote address, client subject). A Response refuses the request: it is
// sent as it is and, when the body was not read, the connection closes after it. It runs where
// the Handler runs (on the handler pool, under its queue bound and deadline), so it may block.
using RequestCheck = std::function<std::optional<Response>(const Request& head)>;

// checkHead's fast lane (ServerOptions::quickCheckHead), on the connection's I/O thread: it
// must not block; it admits or refuses the head as checkHead would, or defers it to checkHead
// on the handler pool.
struct HeadVerdict {
  enum class Kind { Admit, Refuse, Defer };
  Kind kind = Kind::Defer;
  Response refusal{};  // Refuse: what is sent
};
using QuickHeadCheck = std::function<HeadVerdict(const Request& head)>;

// TLS on every connection of the port: TLS 1.2 or later, OpenSSL's default ciphers at security
// level 2 or above. The files are read when the Server is made; one that cannot be used throws
// std::runtime_error naming it and saying how to fix it.
struct ServerTls {
  std::string certificateFile{};  // PEM: the server's certificate, then its intermediate CAs
  std::string keyFile{};          // PEM: its private key, not encrypted
  // PEM: the CAs that sign client certificates. Set: the server asks for a client certificate
  // and a client that sends one the CAs did not sign is refused in the handshake; the verified
  // subject reaches Request::clientSubject. Empty: no client certificate is asked for.
  std::string clientCaFile{};
  bool requireClientCert = false;  // a client without a certificate is refused (needs a CA)
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;   // 0: any free port, see Server::port()
  int threads = 2;          // I/O threads
  int handlerThreads = 16;  // Handler calls run here, off the I/O threads, so that a Handler
                            // waiting on the store (a commit's fsync) holds no I/O thread and
                            // concurrent requests can share one commit; 0: on the I/O thread
  std::size_t bodyLimit = 4u << 20;  // bodies held in memory (Request::body)
  StreamBodyRoute streamBody;        // empty: no route streams its body
  std::size_t headerLimit = 16u << 10;
  // Load shedding. Past maxConnections open connections a new one is answered 503 (Retry-After)
  // and closed at once. At most handlerQueue requests wait for a handler thread; one that finds
  // the queue full, or cannot start within queueTimeout, is answered 503 with Retry-After and
  // its connection closed (a Handler that has started is never interrupted). Requests waiting
  // for a later reply (Response::later) count against handlerQueue too: past it, quick is not
  // tried and the request waits for the pool.
  std::size_t maxConnections = 10'000;
  std::size_t handlerQueue = 1'024;
  std::chrono::milliseconds queueTimeout{5'000};
  // The read buffer of a connection never grows past maxBuffer (at least headerLimit + 8 KiB):
  // a chunk-size line or trailer that does not fit is refused with 400. A chunk-size line's
  // extensions longer than chunkLineLimit bytes are refused with 400 too.
  std::size_t maxBuffer = 64u << 10;
  std::size_t chunkLineLimit = 4u << 10;
  // A streamed response body (Response::stream): bytes handed over and not yet sent, at most
  // (the writer waits past it), besides the part being sent.
  std::size_t streamWindow = 128u << 10;
  RequestCheck checkHead;  // empty: every head is admitted
  // The fast lanes (see QuickHandler and QuickHeadCheck); empty: none. quick is tried for a
  // body of at most quickBodyLimit bytes only: a larger one waits for the handler pool rather
  // than hold the I/O thread and every connection it serves.
  QuickHeadCheck quickCheckHead;
  QuickHandler quick;
  std::size_t quickBodyLimit = 64u << 10;
  std::chrono::milliseconds headerTimeout{10'000};  // whole request head must arrive within
  std::chrono::milliseconds readTimeout{30'000};    // whole request must arrive within
  std::chrono::milliseconds idleTimeout{60'000};    // keep-alive connection with no request
  std::chrono::milliseconds drainTimeout{10'000};   // on stop: in-flight requests may finish
  // Unset: plain HTTP. Set: TLS; the handshake and the request head share headerTimeout.
  std::optional<ServerTls> tls{};
};

struct ServerStats {
  std::atomic<std::uint64_t> connections{0};    // accepted
  std::atomic<std::uint64_t> requests{0};       // complete requests handed to the Handler
  std::atomic<std::uint64_t> handlerErrors{0};  // Handler threw or returned an invalid Response
  // requests the server refused itself: 400 malformed, 413 body too large, 431 head too large,
  // 507 a streamed body could not be written,
  // or closed because the head/body did not arrive within headerTimeout/readTimeout
  std::atomic<std::uint64_t> rejected{0};
  // TLS handshakes that failed or timed out: a plain-HTTP client on a TLS port, an untrusted or
  // missing client certificate, no common protocol version or cipher, a scanner
  std::atomic<std::uint64_t> tlsHandshakeFailures{0};
  std::atomic<std::uint64_t> openConnections{0};  // now (a gauge)
  std::atomic<std::uint64_t> queued{0};  // requests waiting for a handler thread now (a gauge)
  // requests whose response comes later (Response::later) and has not come yet (a gauge)
  std::atomic<std::uint64_t> awaitingReply{0};
  // connections answered 503 and closed at once because maxConnections were open
  std::atomic<std::uint64_t> connectionsShed{0};
  // requests answered 503 because the handler queue was full or they could not start in time
  std::atomic<std::uint64_t> requestsShed{0};
  // requests refused by ServerOptions::checkHead before their body was read
  std::atomic<std::uint64_t> refusedOnHead{0};
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);  // binds and listens; throws on failure
  ~Server();  // stop() and let run() return first if it is running on another thread
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;  // the bound port
  // Serves on `threads` threads (the caller's included) until stop() or, if handleSignals,
  // SIGINT/SIGTERM; then stops accepting, closes idle keep-alive connections, lets in-flight
  // requests finish (up to drainTimeout) and returns. A second signal while draining closes the
  // remaining connections at once. Call once; a second call throws std::logic_error.
  void run(bool handleSignals);
  void stop();  // thread-safe; run() returns once drained
  const ServerStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ijro::http
