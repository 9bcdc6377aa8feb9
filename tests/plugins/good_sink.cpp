// A well-behaved sink written with the C++ SDK. It pretends to deliver: a record whose text
// contains `reject` is refused for good, one containing `defer` is to be retried, and when
// `offline` is set the whole batch is to be retried.
#include <ijro_plugin.hpp>

#include <string>

namespace {

using ijro::sdk::Batch;
using ijro::sdk::OptionType;
using ijro::sdk::Results;
using ijro::sdk::Status;

class DemoSink : public ijro::sdk::Sink {
 public:
  DemoSink()
      : reject_(host().optionString("reject")),
        defer_(host().optionString("defer")),
        offline_(host().optionBool("offline")) {}

  Status deliver(const Batch& batch, Results& results) override {
    if (offline_) throw ijro::sdk::RetryLater("the ministry endpoint is offline");
    std::int64_t delivered = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      std::string_view r = batch[i];
      if (!reject_.empty() && r.find(reject_) != std::string_view::npos) {
        results.set(i, Status::Error);
      } else if (!defer_.empty() && r.find(defer_) != std::string_view::npos) {
        results.set(i, Status::Retry);
      } else {
        ++delivered;
      }
    }
    host().counterAdd("delivered", delivered);
    return Status::Ok;
  }

 private:
  std::string reject_;
  std::string defer_;
  bool offline_;
};

}  // namespace

IJRO_DEFINE_SINK_PLUGIN(DemoSink, "good-sink", "0.3.1", "Pretends to deliver batches.",
                        ijro::sdk::option(OptionType::String, "reject", "",
                                          "Refuse records containing this text."),
                        ijro::sdk::option(OptionType::String, "defer", "",
                                          "Ask to retry records containing this text."),
                        ijro::sdk::option(OptionType::Bool, "offline", "false",
                                          "Answer RETRY for whole batches."))
