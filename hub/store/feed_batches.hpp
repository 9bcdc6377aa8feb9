// SQL for the hub's outgoing feed: the feed's state row, batches and their delivery. Internal to
// hub_store; every function runs inside the caller's write transaction and binds every value.
#pragma once

#include <soci/session.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "hub/store/store.hpp"
#include "hub/store/url.hpp"

namespace ijro::store::detail {

std::optional<FeedBatch> appendBatch(soci::session& sql, Dialect dialect, const std::string& hub,
                                     std::size_t limit, const FeedBatchBuilder& build,
                                     const std::string& at, bool always);
std::optional<FeedBatch> selectBatchAfter(soci::session& sql, std::int64_t sequence);
std::optional<FeedBatch> claimBatch(soci::session& sql, Dialect dialect, const std::string& owner,
                                    const std::string& now, const std::string& until);
// false when the batch was delivered already (by another sender whose lease outlived ours).
bool markBatchDelivered(soci::session& sql, std::int64_t sequence, const std::string& at);
void markBatchFailed(soci::session& sql, std::int64_t sequence, const std::string& owner,
                     const std::string& error);
FeedBacklog selectBacklog(soci::session& sql);

}  // namespace ijro::store::detail
