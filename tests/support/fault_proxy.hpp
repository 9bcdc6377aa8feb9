// A loopback TCP proxy that injects delivery faults between a regional hub and a ministry hub.
// Each accepted connection is forwarded to one target host:port byte for byte (TLS passes
// through untouched); the faults in force when a connection is accepted decide what happens to
// it: refused, reset mid-request, reset mid-response, delayed chunk by chunk, or black-holed.
// The faults can be changed at run time from any thread; a change applies to connections
// accepted afterwards (the delay of a chunk is drawn when the chunk arrives).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace ijro::test {

// A number of bytes drawn uniformly from [from, to] (both included) for each connection.
struct ByteRange {
  std::uint64_t from = 0;
  std::uint64_t to = 0;
};

// The faults drawn for each new connection (probabilities 0..1; 1 means every connection).
// Per connection, in this order: refuse; else blackhole; else reset and responseReset are drawn
// independently (whichever byte count is reached first fires; a stream that ends before its
// count is reached is not reset). Delay is drawn per chunk, for the chunks of connections that
// were not refused or black-holed.
struct FaultMix {
  double refuse = 0;     // accept, then close at once with a reset: no byte reaches the target
  double blackhole = 0;  // accept, read and discard the client's bytes, never answer
  double reset = 0;      // forward resetAfter client bytes to the target, then reset both sides
  ByteRange resetAfter{};
  double responseReset = 0;        // forward the request in full but only responseResetAfter bytes
  ByteRange responseResetAfter{};  // of the answer, then reset both sides
  double delay = 0;  // hold a chunk (either direction) back for delayBy before forwarding it
  std::chrono::milliseconds delayBy{0};
};

// What the proxy has done so far. Bytes count what was forwarded, each way. Each field is read
// atomically, the fields one after another (not all at one instant).
struct FaultProxyCounters {
  std::uint64_t connections = 0;     // accepted from clients
  std::uint64_t open = 0;            // client connections not yet closed
  std::uint64_t refused = 0;         // refuse faults injected
  std::uint64_t blackholed = 0;      // blackhole faults injected
  std::uint64_t resets = 0;          // reset faults fired (mid-request)
  std::uint64_t responseResets = 0;  // responseReset faults fired (mid-response)
  std::uint64_t delayedChunks = 0;   // chunks held back by the delay fault
  std::uint64_t targetFailures = 0;  // connects to the target that failed (client is reset)
  std::uint64_t bytesToTarget = 0;   // client -> target
  std::uint64_t bytesToClient = 0;   // target -> client

  std::string json() const;  // one line: {"connections":N,...}, the names as above
};

class FaultProxy {
 public:
  // Listens on listenHost:listenPort (0: any free port, see port()) and forwards to
  // targetHost:targetPort (resolved once, here). Serves on its own I/O thread until stop().
  // Starts with no faults. Throws std::runtime_error if it cannot resolve or listen.
  FaultProxy(const std::string& targetHost, std::uint16_t targetPort,
             const std::string& listenHost = "127.0.0.1", std::uint16_t listenPort = 0);
  ~FaultProxy();  // stop()
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::uint16_t port() const;  // the bound port

  // Forwards connections accepted from now on to targetHost:targetPort (resolved here), e.g. to
  // a receiver restarted on another port; connections already open keep their target.
  // Thread-safe. Throws std::runtime_error if it cannot resolve the target.
  void setTarget(const std::string& targetHost, std::uint16_t targetPort);

  // Thread-safe fault setters. Each fixed setter replaces the whole mix with one fault applied
  // to every new connection; passThrough() clears all faults.
  void passThrough();
  void setRefuse();
  void setBlackhole();
  void setResetAfter(std::uint64_t clientBytes);
  void setResponseResetAfter(std::uint64_t targetBytes);
  void setDelay(std::chrono::milliseconds perChunk);
  // A mix drawn from a generator seeded with `seed` (the same seed and the same sequence of
  // connections give the same faults). Throws std::invalid_argument for a probability outside
  // 0..1 or a byte range whose `from` exceeds `to`.
  void setRandom(std::uint64_t seed, const FaultMix& mix);
  FaultMix mix() const;

  FaultProxyCounters counters() const;  // a snapshot

  // Stops accepting, closes every connection and joins the I/O thread.
  // Thread-safe and idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ijro::test
