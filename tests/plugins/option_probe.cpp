// A source that shows what the ABI 1.2 option types hand a plugin: each row of its table option
// "regions" (organisation -> SOATO region) becomes one implementation per poll, and its secret
// option "token" is logged and, with fail_on_create, put into on_create's error, as a careless
// plugin would, so the tests can check that the hub redacts it everywhere. It counts its polls and
// sets a gauge to the number of rows.
#include <ijro_plugin.hpp>
#include <ijro_record.hpp>

#include <stdexcept>
#include <string>

namespace {

using ijro::sdk::Context;
using ijro::sdk::Host;
using ijro::sdk::OptionType;
using ijro::sdk::Status;

class OptionProbe : public ijro::sdk::Source {
 public:
  explicit OptionProbe(Host& host) : regions_(host.optionTable("regions")) {
    if (auto token = host.option("token")) {
      host.info("connecting with token " + std::string(*token));
      if (host.optionBool("fail_on_create"))
        throw ijro::sdk::RetryLater("the sector system refused token " + std::string(*token) +
                                    ": check it");  // retried, so the hub keeps running
    }
  }

  Status poll(Context& ctx) override {
    long long n = 0;
    for (const auto& [organisation, region] : regions_.rows()) {
      ijro::sdk::Implementation r;
      r.revision = 1;
      r.measure = {"ROW-" + std::to_string(++n),
                   "Row " + std::to_string(n),
                   {"decree", "UP-6079", "2020-10-05", ""},
                   {}};
      r.region = region;
      r.organisation = organisation;
      r.sector = "health";
      r.lifecycle = ijro::sdk::lifecycle::kInProgress;
      r.start = "2026-01-01";
      r.deadline = "2027-12-31";
      ctx.emit(r.toJson());
    }
    ctx.counterAdd("probe_polls");
    ctx.gaugeSet("probe_rows", static_cast<double>(regions_.size()));
    return Status::Ok;
  }

 private:
  ijro::sdk::Table regions_;
};

}  // namespace

IJRO_DEFINE_SOURCE_PLUGIN(
    OptionProbe, "option-probe", "1.0.0", "Emits one implementation per row of its table.",
    ijro::sdk::option(OptionType::Table, "regions", "{}", "Organisation -> SOATO region."),
    ijro::sdk::option(OptionType::Secret, "token", nullptr, "Logged, to test redaction."),
    ijro::sdk::option(OptionType::Bool, "fail_on_create", "false",
                      "Fail on_create with the token in the message."))
