// SQL for the plugin side of the store: checkpoints, the change feed, sink cursors and dead
// letters. Internal to hub_store; every function runs inside the caller's transaction and binds
// every value as a parameter.
#pragma once

#include <soci/session.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hub/store/store.hpp"
#include "hub/store/url.hpp"

namespace ijro::store::detail {

void writeCheckpoint(soci::session& sql, const Checkpoint& cp, const std::string& at);
std::optional<std::string> readCheckpoint(soci::session& sql, const std::string& instance);

// Serialises writers that add history rows, so that history ids are taken in commit order (see
// Store::changesAfter). SQLite writers are serialised already (BEGIN IMMEDIATE).
void lockHistoryOrder(soci::session& sql, Dialect dialect);

// The change feed, read in one snapshot by the caller.
std::vector<Change> readChangesAfter(soci::session& sql, std::int64_t historyId, std::size_t limit);
std::int64_t readLastHistoryId(soci::session& sql);

std::int64_t readSinkCursor(soci::session& sql, const std::string& sink);
void writeSinkCursor(soci::session& sql, const std::string& sink, std::int64_t historyId,
                     const std::string& at);

std::int64_t insertDeadLetter(soci::session& sql, const DeadLetter& letter, const std::string& at);
// Matching dead letters, by id. forUpdate (PostgreSQL) locks them until the transaction ends.
std::vector<DeadLetter> selectDeadLetters(soci::session& sql, const DeadLetterFilter& filter,
                                          bool forUpdate);
void setQueued(soci::session& sql, const std::vector<std::int64_t>& ids, const std::string& at);
void setReplayed(soci::session& sql, const std::vector<std::int64_t>& ids, const std::string& at);
void setDeadAgain(soci::session& sql, std::int64_t id, const std::string& reason);

}  // namespace ijro::store::detail
