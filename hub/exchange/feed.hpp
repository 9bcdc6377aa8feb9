// The consolidated monitoring feed (urn:ijro-hub:feed:1) the ministry receives: every current
// implementation with its evaluated status, plus roll-ups by measure, region, sector, organisation.
#pragma once

#include <functional>
#include <string>

#include "hub/model/status.hpp"
#include "hub/model/types.hpp"

namespace ijro::exchange {

inline constexpr const char* kFeedNs = "urn:ijro-hub:feed:1";

struct FeedHeader {
  std::string hubId;        // who produced the feed
  std::string generatedAt;  // ISO 8601 UTC
  model::Date asOf{};
};

// Streams implementations from `each` (which calls its argument once per implementation) into
// the feed document, evaluating each with `rules` and accumulating the roll-ups.
std::string writeFeed(const FeedHeader& header, const model::StatusRules& rules,
                      const std::function<void(const std::function<void(const model::Implementation&)>&)>& each);

}  // namespace ijro::exchange
