// Versioned schema migrations, recorded in the schema_version table. Internal to hub_store.
#pragma once

#include <soci/session.h>

#include <cstddef>

#include "hub/store/url.hpp"

namespace ijro::store::detail {

// The newest schema version this binary knows.
// Versions need not be consecutive: branches of development reserve their numbers.
inline constexpr int kLatestSchemaVersion = 14;

// How many migrations there are (the rows schema_version has once all are applied).
std::size_t migrationCount();

// Applies every missing migration in order, in one transaction (concurrent openers wait for each
// other). Throws StoreError if the database has a newer version than kLatestSchemaVersion, or if
// a migration fails (nothing of it is kept). Returns the version afterwards. `target` stops at
// an earlier version (tests build the databases earlier hubs left behind that way).
int migrate(soci::session& sql, Dialect dialect, int target = kLatestSchemaVersion);

// The version recorded in the database (0 for an empty database).
int schemaVersionOf(soci::session& sql);

}  // namespace ijro::store::detail
