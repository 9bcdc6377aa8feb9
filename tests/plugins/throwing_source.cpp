// A source written with the C++ SDK whose constructor or poll throws: the SDK's trampolines must
// turn each exception into a status with its text, and nothing may cross the C ABI.
#include <ijro_plugin.hpp>

#include <stdexcept>

namespace {

using ijro::sdk::OptionType;

class ThrowingSource : public ijro::sdk::Source {
 public:
  ThrowingSource() {
    if (host().optionBool("fail_create"))
      throw std::invalid_argument("cannot reach https://tasks.example.uz: connection refused");
  }
  ijro::sdk::Status poll(ijro::sdk::Context& ctx) override {
    ctx.emit("{\"revision\":1}");  // discarded: the poll fails
    if (host().optionBool("retry")) throw ijro::sdk::RetryLater("upstream busy (HTTP 503)");
    throw std::runtime_error("upstream returned HTTP 500 for /api/tasks?page=2");
  }
};

}  // namespace

IJRO_DEFINE_SOURCE_PLUGIN(ThrowingSource, "throwing-source", "0.0.1", "Throws.",
                          ijro::sdk::option(OptionType::Bool, "fail_create", "no",
                                            "Throw from the constructor."),
                          ijro::sdk::option(OptionType::Bool, "retry", "no",
                                            "Throw RetryLater instead of runtime_error."))
