// A well-behaved source written with the C++ SDK: every poll emits `count` implementations at the
// next revision and commits that revision as its checkpoint; it counts what it emitted and sets a
// gauge to the revision it sent.
#include <ijro_plugin.hpp>

#include <stdexcept>
#include <string>

namespace {

using ijro::sdk::Context;
using ijro::sdk::Host;
using ijro::sdk::OptionType;
using ijro::sdk::Status;

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

class DemoSource : public ijro::sdk::Source {
 public:
  explicit DemoSource(Host& host)
      : region_(host.optionString("region")),
        organisation_(host.optionString("organisation")),
        count_(host.optionInt("count")) {
    if (count_ < 0 || count_ > 1000)
      throw std::invalid_argument("option \"count\" must be between 0 and 1000, not " +
                                  std::to_string(count_));
    host.info("connected to " + host.optionString("endpoint"));
  }

  Status poll(Context& ctx) override {
    long long revision = 1;
    if (auto cp = ctx.checkpoint()) revision = std::stoll(*cp) + 1;
    for (long long i = 1; i <= count_; ++i) ctx.emit(record(i, revision));
    ctx.commitCheckpoint(std::to_string(revision));
    ctx.counterAdd("records_emitted", count_);
    ctx.gaugeSet("last_revision", static_cast<double>(revision));  // a level: the revision sent
    return Status::Ok;
  }

 private:
  std::string record(long long n, long long revision) const {
    const std::string id = "DEMO-" + std::to_string(n);
    return "{\"revision\":" + std::to_string(revision) + ",\"measure\":{\"id\":" + quoted(id) +
           ",\"title\":\"Demo measure " + std::to_string(n) +
           "\",\"act\":{\"type\":\"decree\",\"number\":\"UP-6079\",\"date\":\"2020-10-05\"}}," +
           "\"region\":" + quoted(region_) + ",\"organisation\":" + quoted(organisation_) +
           ",\"sector\":\"health\",\"lifecycle\":\"inProgress\",\"start\":\"2026-01-01\"," +
           "\"deadline\":\"2027-12-31\"}";
  }

  std::string region_;
  std::string organisation_;
  long long count_;
};

}  // namespace

IJRO_DEFINE_SOURCE_PLUGIN(
    DemoSource, "good-source", "1.2.0", "Emits demo implementations, one revision per poll.",
    ijro::sdk::required(OptionType::String, "endpoint", "Base URL of the sector system."),
    ijro::sdk::option(OptionType::Int, "count", "3", "Implementations emitted per poll."),
    ijro::sdk::option(OptionType::String, "region", "1726", "SOATO code of the region."),
    ijro::sdk::option(OptionType::String, "organisation", "Ministry of Health",
                      "Responsible organisation."),
    ijro::sdk::option(OptionType::Double, "ratio", "0.5", "Unused; shows a double option."),
    ijro::sdk::option(OptionType::Bool, "verbose", "false", "Log every record."),
    ijro::sdk::option(OptionType::Path, "spool", nullptr, "Unused; shows a path option."))
