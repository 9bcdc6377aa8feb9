// The plugin benchmark's source: every poll emits `count` implementations (prepared once at
// create, so a poll measures the ABI crossing, not the plugin's own work) and a checkpoint.
#include <ijro_plugin.hpp>

#include <string>
#include <vector>

namespace {

using ijro::sdk::Context;
using ijro::sdk::Host;
using ijro::sdk::Status;

class BenchSource : public ijro::sdk::Source {
 public:
  explicit BenchSource(Host& host) {
    const long long count = host.optionInt("count");
    static const char* kRegions[] = {"1703", "1706", "1708", "1710", "1712", "1714", "1718",
                                     "1722", "1724", "1726", "1727", "1730", "1733", "1735"};
    for (long long n = 0; n < count; ++n) {
      const std::string id = std::to_string(n);
      records_.push_back(
          "{\"revision\":1,\"measure\":{\"id\":\"P-" + id +
          "\",\"title\":\"Connect general schools to the electronic school diary\","
          "\"act\":{\"type\":\"decree\",\"number\":\"UP-6079\",\"date\":\"2020-10-05\",\"item\":"
          "\"" +
          std::to_string(n % 300 + 1) + "\"}},\"region\":\"" + kRegions[n % 14] +
          "\",\"organisation\":\"Ministry " + std::to_string(n % 40) +
          "\",\"sector\":\"education\",\"lifecycle\":\"inProgress\",\"start\":\"2026-01-15\","
          "\"deadline\":\"2026-12-31\",\"indicators\":[{\"code\":\"schools-connected\","
          "\"name\":\"Schools connected to the e-diary\",\"unit\":\"schools\",\"ascending\":true,"
          "\"baseline\":100,\"periods\":[{\"start\":\"2026-01-01\",\"end\":\"2026-06-30\","
          "\"target\":400,\"actual\":" +
          std::to_string(250 + n % 100) +
          "},{\"start\":\"2026-07-01\",\"end\":\"2026-12-31\",\"target\":900}]}],"
          "\"evidence\":[{\"url\":\"https://example.uz/docs/" +
          id +
          ".pdf\",\"title\":\"Connection act\",\"format\":\"application/pdf\","
          "\"date\":\"2026-05-20\",\"uploader\":\"specialist\"}],\"note\":\"Works proceed by "
          "stage.\"}");
    }
  }

  Status poll(Context& ctx) override {
    for (const auto& r : records_) ctx.emit(r);
    ctx.commitCheckpoint(std::to_string(++polls_));
    return Status::Ok;
  }

 private:
  std::vector<std::string> records_;
  long long polls_ = 0;
};

}  // namespace

IJRO_DEFINE_SOURCE_PLUGIN(BenchSource, "bench-source", "1.0.0",
                          "Emits the same prepared implementations on every poll (benchmarks)",
                          ijro::sdk::option(ijro::sdk::OptionType::Int, "count", "1000",
                                            "Implementations emitted per poll."))
