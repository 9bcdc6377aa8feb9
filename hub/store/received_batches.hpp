// SQL for feed batches received from other hubs and for the lineage of stored records (schema
// version 10). Internal to hub_store; every function runs inside the caller's transaction and
// binds every value as a parameter.
#pragma once

#include <soci/session.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hub/model/lineage.hpp"
#include "hub/model/types.hpp"
#include "hub/store/store.hpp"

namespace ijro::store::detail {

// The lineage of the source row `x` (its key and revision), replacing the one it had.
void writeLineage(soci::session& sql, const model::Implementation& x, const model::Lineage& l);
// The batch's row; one already there for its hub and sequence is kept as it was.
void insertReceivedBatch(soci::session& sql, const ReceivedBatch& b);

std::optional<ReceivedBatch> selectReceivedBatch(soci::session& sql, const std::string& hub,
                                                 std::int64_t sequence);
std::vector<PeerBatches> selectPeerBatches(soci::session& sql);
std::vector<Store::KeyedLineage> selectCurrentLineages(soci::session& sql,
                                                       const std::optional<std::string>& measureId);
// The lineage of the current rows the change feed reads for history ids in (after, upTo], by
// implementation row id: one query for the page.
std::map<long long, model::Lineage> selectChangeLineages(soci::session& sql, std::int64_t after,
                                                         std::int64_t upTo);

}  // namespace ijro::store::detail
