// ijro-fault-proxy: the fault proxy of the delivery fault tests as a stand-alone program, for the
// soak runs. Prints "listening on HOST:PORT" once it accepts connections; on SIGTERM (or SIGINT)
// closes everything, prints its counters as one JSON line and exits 0. Bad options: exit 2.
#include <signal.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "tests/support/fault_proxy.hpp"

namespace {

constexpr const char* kUsage =
    "usage: ijro-fault-proxy --to HOST:PORT [--listen HOST:PORT] [--seed N]\n"
    "         [--refuse P] [--blackhole P] [--reset P] [--reset-after N|A-B]\n"
    "         [--response-reset P] [--response-reset-after N|A-B] [--delay P] [--delay-ms D]\n"
    "  --to HOST:PORT             where each connection is forwarded (required)\n"
    "  --listen HOST:PORT         where to listen (default 127.0.0.1:0, any free port)\n"
    "  --seed N                   seed of the fault draws (default 1)\n"
    "  --refuse P                 probability a connection is accepted and reset at once\n"
    "  --blackhole P              probability a connection is read and never answered\n"
    "  --reset P                  probability a connection is reset mid-request, after\n"
    "  --reset-after N|A-B        N client bytes (or a count drawn from A..B; default 0-1024)\n"
    "  --response-reset P         probability the answer is reset, after\n"
    "  --response-reset-after N|A-B  N target bytes (or drawn from A..B; default 0-1024)\n"
    "  --delay P                  probability each chunk is held back (default 1 with --delay-ms)\n"
    "  --delay-ms D               how long a held-back chunk waits, in milliseconds\n"
    "Probabilities are 0..1 (default 0). On SIGTERM the counters are printed as one JSON line.\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::uint64_t parseCount(const std::string& option, std::string_view text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
    throw UsageError(option + ": '" + std::string(text) + "' is not a whole number of 0 or more");
  return v;
}

double parseProbability(const std::string& option, const std::string& text) {
  std::size_t used = 0;
  double p = -1;
  try {
    p = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !(p >= 0.0 && p <= 1.0))
    throw UsageError(option + ": '" + text + "' is not a probability; give a number from 0 to 1");
  return p;
}

ijro::test::ByteRange parseRange(const std::string& option, const std::string& text) {
  const auto dash = text.find('-');
  ijro::test::ByteRange r;
  if (dash == std::string::npos) {
    r.from = r.to = parseCount(option, text);
  } else {
    r.from = parseCount(option, std::string_view(text).substr(0, dash));
    r.to = parseCount(option, std::string_view(text).substr(dash + 1));
    if (r.from > r.to)
      throw UsageError(option + ": the range '" + text +
                       "' ends before it starts; give A-B, A <= B");
  }
  return r;
}

std::pair<std::string, std::uint16_t> parseHostPort(const std::string& option,
                                                    const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw UsageError(option + ": '" + text + "' is not HOST:PORT (e.g. 127.0.0.1:8080)");
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const auto port = parseCount(option, std::string_view(text).substr(colon + 1));
  if (port > 65535) throw UsageError(option + ": the port in '" + text + "' is above 65535");
  return {host, static_cast<std::uint16_t>(port)};
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> opts;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string name = argv[i];
      if (name == "--help" || name == "-h") {
        std::cout << kUsage;
        return 0;
      }
      static const char* const known[] = {
          "--to",          "--listen",         "--seed",
          "--refuse",      "--blackhole",      "--reset",
          "--reset-after", "--response-reset", "--response-reset-after",
          "--delay",       "--delay-ms"};
      bool isKnown = false;
      for (const char* k : known) isKnown = isKnown || name == k;
      if (!isKnown) throw UsageError("unknown option '" + name + "'");
      if (i + 1 >= argc) throw UsageError(name + " needs a value");
      opts[name] = argv[++i];
    }
    if (!opts.count("--to")) throw UsageError("--to HOST:PORT is required");

    const auto [toHost, toPort] = parseHostPort("--to", opts["--to"]);
    const auto [listenHost, listenPort] =
        parseHostPort("--listen", opts.count("--listen") ? opts["--listen"] : "127.0.0.1:0");
    auto probability = [&](const char* name) {
      return opts.count(name) ? parseProbability(name, opts[name]) : 0.0;
    };
    ijro::test::FaultMix mix;
    mix.refuse = probability("--refuse");
    mix.blackhole = probability("--blackhole");
    mix.reset = probability("--reset");
    mix.responseReset = probability("--response-reset");
    mix.resetAfter =
        parseRange("--reset-after", opts.count("--reset-after") ? opts["--reset-after"] : "0-1024");
    mix.responseResetAfter = parseRange(
        "--response-reset-after",
        opts.count("--response-reset-after") ? opts["--response-reset-after"] : "0-1024");
    const auto delayMs =
        opts.count("--delay-ms") ? parseCount("--delay-ms", opts["--delay-ms"]) : 0;
    mix.delayBy = std::chrono::milliseconds(static_cast<std::int64_t>(delayMs));
    mix.delay = opts.count("--delay") ? probability("--delay") : (delayMs > 0 ? 1.0 : 0.0);
    const auto seed = opts.count("--seed") ? parseCount("--seed", opts["--seed"]) : 1;

    // SIGTERM/SIGINT are blocked before the proxy's thread starts (it inherits the mask), so
    // only sigwait below receives them.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    ijro::test::FaultProxy proxy(toHost, toPort, listenHost, listenPort);
    proxy.setRandom(seed, mix);
    std::cout << "listening on " << listenHost << ":" << proxy.port() << std::endl;

    int received = 0;
    while (sigwait(&stopSignals, &received) != 0) {
    }
    proxy.stop();
    std::cout << proxy.counters().json() << std::endl;
    return 0;
  } catch (const UsageError& e) {
    std::cerr << "ijro-fault-proxy: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ijro-fault-proxy: " << e.what() << "\n";
    return 1;
  }
}
