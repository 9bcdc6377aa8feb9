// A plugin-host that misbehaves on purpose, for the isolation tests: the runner execs it as
// `fake_plugin_host plugin-host --fd 3`; IJRO_FAKE_HOST_MODE in the environment says how it
// breaks the protocol (the test passes the variable on with RunnerOptions::child.env). It starts
// like the real one (Hello, then Ready for any Init) and breaks on the first Poll, unless the mode
// breaks the start. Some modes are a hostile child testing the hub's limits (taken from Init).
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "hub/isolation/protocol.hpp"

namespace proto = ijro::isolation::protocol;
using proto::FrameType;

namespace {

void sendRaw(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + sent, bytes.size() - sent);
    if (n <= 0) std::_Exit(9);
    sent += static_cast<std::size_t>(n);
  }
}

void misbehave(proto::Channel& ch, const std::string& mode,
               const ijro::plugin_host::HostLimits& limits) {
  if (mode == "oversize") {  // announces a 4 GiB frame
    sendRaw(ch.fd(), std::string("\xff\xff\xff\xf0\x06", 5));
  } else if (mode == "big_frame") {  // announces an 8 MiB PollDone, sends nothing more
    sendRaw(ch.fd(), std::string("\x00\x80\x00\x00\x07", 5));
    std::this_thread::sleep_for(std::chrono::seconds(30));
  } else if (mode == "big_record") {  // one record past maxRecordBytes between two good ones
    ch.send(FrameType::Record, R"({"n":1})");
    ch.send(FrameType::Record, std::string(limits.maxRecordBytes + 1, 'x'));
    ch.send(FrameType::Record, R"({"n":3})");
    proto::PollDone done;
    done.status = ijro::plugin_host::Status::Ok;
    done.records = 3;
    done.checkpoint = "7";
    ch.send(FrameType::PollDone, proto::encode(done));
  } else if (mode == "big_checkpoint") {
    proto::PollDone done;
    done.status = ijro::plugin_host::Status::Ok;
    done.checkpoint = std::string(limits.maxCheckpointBytes + 1, 'c');
    ch.send(FrameType::PollDone, proto::encode(done));
  } else if (mode == "too_many") {
    for (std::size_t i = 0; i <= limits.maxRecordsPerPoll; ++i) ch.send(FrameType::Record, "{}");
    proto::PollDone done;
    done.status = ijro::plugin_host::Status::Ok;
    done.records = static_cast<std::uint32_t>(limits.maxRecordsPerPoll + 1);
    ch.send(FrameType::PollDone, proto::encode(done));
  } else if (mode == "unknown_type") {
    sendRaw(ch.fd(), proto::encodeFrame(static_cast<FrameType>(200), ""));
  } else if (mode == "truncated") {
    ch.send(FrameType::PollDone, std::string(1, '\0'));
  } else if (mode == "wrong_count") {
    proto::PollDone done;
    done.status = ijro::plugin_host::Status::Ok;
    done.records = 3;
    ch.send(FrameType::PollDone, proto::encode(done));
  } else if (mode == "unexpected") {
    ch.send(FrameType::Ready, proto::encode(proto::Ready{"fake", "1.0", {}}));
  } else if (mode == "bad_status") {
    std::string payload = proto::encode(proto::PollDone{});
    payload[0] = 9;  // no such status
    ch.send(FrameType::PollDone, payload);
  } else if (mode == "protocol_error") {
    ch.send(FrameType::ProtocolError, proto::encodeText("the fake host is confused"));
  } else if (mode == "exit") {
    std::_Exit(3);
  } else if (mode == "close_and_linger") {
    ::close(ch.fd());
    std::this_thread::sleep_for(std::chrono::seconds(30));
  } else {  // "ok": an empty successful poll
    proto::PollDone done;
    done.status = ijro::plugin_host::Status::Ok;
    ch.send(FrameType::PollDone, proto::encode(done));
  }
}

}  // namespace

int main() {
  const char* env = std::getenv("IJRO_FAKE_HOST_MODE");
  const std::string mode = env != nullptr ? env : "ok";
  proto::Channel ch(3, proto::kBaseFrameLimit);
  if (mode == "no_hello") return 4;
  if (mode == "big_hello") {  // announces an 8 MiB Hello
    sendRaw(ch.fd(), std::string("\x00\x80\x00\x00\x01", 5));
    std::this_thread::sleep_for(std::chrono::seconds(30));
    return 0;
  }
  ijro::plugin_host::HostLimits limits;
  proto::Hello hello;
  hello.version = mode == "bad_version" ? 99 : proto::kVersion;
  hello.pid = ::getpid();
  ch.send(FrameType::Hello, proto::encode(hello));
  try {
    for (;;) {
      proto::Frame f = ch.receive();
      switch (f.type) {
        case FrameType::Init:
          limits = proto::decodeInit(f).limits;
          ch.send(FrameType::Ready,
                  proto::encode(proto::Ready{"fake", "1.0",
                                             mode == "big_transform"
                                                 ? ijro::plugin_host::Kind::Transform
                                                 : ijro::plugin_host::Kind::Source}));
          break;
        case FrameType::Transform: {  // big_transform: a mapped record past maxRecordBytes
          proto::TransformDone done;
          done.status = ijro::plugin_host::Status::Ok;
          done.record = std::string(limits.maxRecordBytes + 1, 'x');
          ch.send(FrameType::TransformDone, proto::encode(done));
          break;
        }
        case FrameType::Poll:
          misbehave(ch, mode, limits);
          break;
        case FrameType::Shutdown:
          if (mode == "ignore_shutdown") {
            std::this_thread::sleep_for(std::chrono::seconds(30));
            break;
          }
          ch.send(FrameType::Bye, {});
          return 0;
        default:
          break;
      }
    }
  } catch (const proto::ChannelError&) {
    return 0;
  }
}
