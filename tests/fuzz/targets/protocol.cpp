// The framed protocol between the hub and a plugin-host child (hub/isolation/protocol.cpp): the
// bytes a crashed, hostile or confused child could write. They go through a socketpair into
// Channel::receive (frame header, type, length limit) and every frame's payload through every
// decoder. Anything that is not the protocol is a ChannelError.
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "hub/isolation/protocol.hpp"

namespace p = ijro::isolation::protocol;

namespace {

template <typename F>
void tryDecode(F&& decode) {
  try {
    decode();
  } catch (const p::ChannelError&) {
  }
}

void decodeAll(const p::Frame& f) {
  (void)p::toString(f.type);
  tryDecode([&] { (void)p::decodeHello(f); });
  tryDecode([&] { (void)p::decodeInit(f); });
  tryDecode([&] { (void)p::decodeReady(f); });
  tryDecode([&] { (void)p::decodeFailed(f); });
  tryDecode([&] { (void)p::decodePollDone(f); });
  tryDecode([&] { (void)p::decodeDeliverDone(f); });
  tryDecode([&] { (void)p::decodeTransformDone(f); });
  tryDecode([&] { (void)p::decodeStatsReply(f); });
  tryDecode([&] { (void)p::decodeCount(f); });
  tryDecode([&] { (void)p::decodeCheckpoint(f); });
  tryDecode([&] { (void)p::decodeText(f); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A socketpair holds some hundred KiB; the fuzzer's inputs stay well below (-max_len).
  if (size > 65536) return 0;
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    std::perror("socketpair");
    std::abort();
  }
  std::size_t sent = 0;
  while (sent < size) {
    const ssize_t n = ::send(fds[1], data + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      std::perror("send");
      std::abort();
    }
    sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fds[1], SHUT_WR);
  {
    // A small limit, so a length field can pass it (and be refused) without megabytes of zeros.
    p::Channel channel(fds[0], 1u << 16);
    try {
      for (;;)
        decodeAll(channel.receive(std::chrono::steady_clock::now() + std::chrono::seconds(5)));
    } catch (const p::ChannelError&) {
    }
  }
  ::close(fds[0]);
  ::close(fds[1]);
  return 0;
}
