// One call of a transform instance on behalf of a source's poll: the record mapped, dropped or
// refused, counted, and whatever goes wrong around the call turned into RETRY, so that a broken
// transform holds the poll back instead of losing records.
#include <spdlog/spdlog.h>

#include "hub/runtime/runtime_workers.hpp"

namespace ijro::runtime::detail {

TransformWorker::TransformWorker(Shared shared, const TransformSettings& settings)
    : Worker(shared, Kind::Transform, settings.id, settings.library, settings.origin,
             runnerOptionsOf(settings, shared.settings)) {}

TransformResult TransformWorker::apply(std::string_view record) {
  auto runner = this->runner();
  if (!runner) {
    ++counters_.transformRetries;
    return {Status::Retry, label() + " is not running: " + metrics().lastFailure, {}};
  }
  // An exception is a bug in the plugin or its runner, not a verdict on the record: retry.
  TransformResult r = guarded(
      "transform", [&] { return runner->transform(record); },
      [](const std::string& what) {
        return TransformResult{Status::Retry, what, {}};
      });
  switch (r.status) {
    case Status::Ok:
      ++(r.record ? counters_.recordsMapped : counters_.recordsDropped);
      break;
    case Status::Error:
      ++counters_.recordsRefused;
      if (r.message.empty()) r.message = "the transform answered ERROR for this record";
      break;
    case Status::Retry:
      ++counters_.transformRetries;
      failed("transform answered RETRY: " + r.message);
      break;
  }
  return r;
}

}  // namespace ijro::runtime::detail
