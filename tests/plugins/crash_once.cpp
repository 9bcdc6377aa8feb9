// A source that crashes once: the poll that would produce revision `crash_at` raises SIGSEGV,
// unless the file `marker` exists; it creates the marker first, so the next attempt (in a
// restarted plugin-host) succeeds. Otherwise it behaves like good_source: `count` records per
// poll at the next revision, committed as the checkpoint. Shows recovery from the last checkpoint.
#include <ijro_plugin.hpp>

#include <csignal>
#include <fstream>
#include <string>

namespace {

using ijro::sdk::Context;
using ijro::sdk::Host;
using ijro::sdk::OptionType;
using ijro::sdk::Status;

class CrashOnce : public ijro::sdk::Source {
 public:
  explicit CrashOnce(Host& host)
      : marker_(host.optionString("marker")),
        crashAt_(host.optionInt("crash_at")),
        count_(host.optionInt("count")) {}

  Status poll(Context& ctx) override {
    long long revision = 1;
    if (auto cp = ctx.checkpoint()) revision = std::stoll(*cp) + 1;
    if (revision == crashAt_ && !std::ifstream(marker_)) {
      std::ofstream(marker_) << "crashed at revision " << revision << "\n";
      std::raise(SIGSEGV);
    }
    for (long long i = 1; i <= count_; ++i) ctx.emit(record(i, revision));
    ctx.commitCheckpoint(std::to_string(revision));
    return Status::Ok;
  }

 private:
  static std::string record(long long n, long long revision) {
    return "{\"revision\":" + std::to_string(revision) + ",\"measure\":{\"id\":\"FLAKY-" +
           std::to_string(n) +
           "\",\"title\":\"Flaky measure\",\"act\":{\"type\":\"order\",\"number\":\"12\","
           "\"date\":\"2024-05-02\"}},\"region\":\"1703\",\"organisation\":\"Andijan "
           "khokimiyat\",\"sector\":\"tax\",\"lifecycle\":\"planned\",\"start\":\"2026-03-01\","
           "\"deadline\":\"2027-06-30\"}";
  }

  std::string marker_;
  long long crashAt_;
  long long count_;
};

}  // namespace

IJRO_DEFINE_SOURCE_PLUGIN(
    CrashOnce, "crash-once", "0.1.0", "Crashes once, at one revision, then recovers.",
    ijro::sdk::required(OptionType::Path, "marker", "File that marks the crash as done."),
    ijro::sdk::option(OptionType::Int, "crash_at", "2", "The revision whose poll crashes."),
    ijro::sdk::option(OptionType::Int, "count", "2", "Implementations emitted per poll."))
