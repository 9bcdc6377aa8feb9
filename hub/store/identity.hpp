// SQL for implementation identity: organisation keys of stored rows, source priorities and which
// source's row is an implementation's current state. Internal to hub_store; every function runs
// inside the caller's transaction and binds every value.
#pragma once

#include <soci/session.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ijro::store::detail {

// Sets organisation_key of every implementation and history row to keyOf(its spelling), where it
// differs. Whether any implementation row changed.
bool rekeyOrganisations(soci::session& sql,
                        const std::function<std::string(const std::string&)>& keyOf);

// Sets the priority of every row of each listed source, and of every other source to `fallback`.
// Whether any row changed.
bool applyPriorities(soci::session& sql, const std::map<std::string, int>& priorities,
                     int fallback);

struct Identity {
  std::string measureId, region, organisationKey;
};

// Marks, in one implementation (or in every one when `only` is empty), the row with the highest
// priority, then the highest reported_seq (the latest received), then the highest id, as current
// and the others as not.
void markCurrent(soci::session& sql, const std::optional<Identity>& only);
// The same in each of `identities` with one statement (PostgreSQL).
void markCurrent(soci::session& sql, const std::vector<Identity>& identities);

// PostgreSQL, with one query: whether each of `identities` is one that no stored row has and
// that `identities` gives only once, so that a new row of it will be its implementation's only
// one (current by the column's default, evaluated on its own). Exact under the per-schema write
// lock, which every writer of implementation rows holds.
std::vector<bool> aloneOf(soci::session& sql, const std::vector<Identity>& identities);

}  // namespace ijro::store::detail
