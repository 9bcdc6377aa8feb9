#include "hub/store/feed_batches.hpp"

#include <soci/soci.h>

#include "hub/store/plugin_state.hpp"

namespace ijro::store::detail {

namespace {

constexpr const char* kBatchColumns =
    "sequence, first_history_id, last_history_id, entries, created_at, body, delivered_at, "
    "attempts, last_error";

std::optional<FeedBatch> selectOne(soci::session& sql, const std::string& where, long long value) {
  FeedBatch b;
  long long sequence = 0, first = 0, last = 0, entries = 0;
  std::string delivered;
  soci::indicator deliveredInd = soci::i_null;
  sql << std::string("SELECT ") + kBatchColumns + " FROM feed_batch WHERE " + where +
             " ORDER BY sequence LIMIT 1",
      soci::use(value), soci::into(sequence), soci::into(first), soci::into(last),
      soci::into(entries), soci::into(b.createdAt), soci::into(b.body),
      soci::into(delivered, deliveredInd), soci::into(b.attempts), soci::into(b.lastError);
  if (!sql.got_data()) return std::nullopt;
  b.sequence = sequence;
  b.firstHistoryId = first;
  b.lastHistoryId = last;
  b.entries = entries;
  if (deliveredInd == soci::i_ok) b.deliveredAt = delivered;
  return b;
}

}  // namespace

std::optional<FeedBatch> appendBatch(soci::session& sql, Dialect dialect, const std::string& hub,
                                     std::size_t limit, const FeedBatchBuilder& build,
                                     const std::string& at, bool always) {
  std::string owner;
  long long lastSequence = 0, lastHistory = 0;
  // The row lock makes batch writers take turns across processes (SQLite: BEGIN IMMEDIATE has).
  sql << std::string("SELECT hub, last_sequence, last_history_id FROM feed_state WHERE id = 1") +
             (dialect == Dialect::Postgres ? " FOR UPDATE" : ""),
      soci::into(owner), soci::into(lastSequence), soci::into(lastHistory);
  if (!sql.got_data()) throw StoreError("store: the feed's state row is missing (schema 9)");
  if (!owner.empty() && owner != hub)
    throw StoreError("store: this database's feed belongs to hub \"" + owner + "\", not to \"" +
                     hub +
                     "\": processes of one hub share one id (set <hub id> alike), and another "
                     "hub needs a database of its own");
  auto changes = limit > 0 ? readChangesAfter(sql, lastHistory, limit) : std::vector<Change>{};
  if (changes.empty() && !always) return std::nullopt;

  FeedBatch b;
  b.sequence = lastSequence + 1;
  b.firstHistoryId = lastHistory + 1;
  b.lastHistoryId = changes.empty() ? lastHistory : changes.back().historyId;
  b.createdAt = at;
  b.body = build(b.sequence, changes);
  b.entries = static_cast<std::int64_t>(changes.size());  // the builder may add its own
  long long sequence = b.sequence, first = b.firstHistoryId, last = b.lastHistoryId,
            entries = b.entries;
  sql << "INSERT INTO feed_batch (sequence, first_history_id, last_history_id, entries, "
         "created_at, body) VALUES (:s, :f, :l, :e, :c, :b)",
      soci::use(sequence), soci::use(first), soci::use(last), soci::use(entries),
      soci::use(b.createdAt), soci::use(b.body);
  sql << "UPDATE feed_state SET hub = :h, last_sequence = :s, last_history_id = :l WHERE id = 1",
      soci::use(hub), soci::use(sequence), soci::use(last);
  return b;
}

std::optional<FeedBatch> selectBatchAfter(soci::session& sql, std::int64_t sequence) {
  return selectOne(sql, "sequence > :s", sequence);
}

std::optional<FeedBatch> claimBatch(soci::session& sql, Dialect dialect, const std::string& owner,
                                    const std::string& now, const std::string& until) {
  long long sequence = 0;
  // SKIP LOCKED: a sender that is claiming another batch right now is not waited for.
  sql << std::string(
             "SELECT sequence FROM feed_batch WHERE delivered_at IS NULL AND (lease_until IS "
             "NULL OR lease_until < :n) ORDER BY sequence LIMIT 1") +
             (dialect == Dialect::Postgres ? " FOR UPDATE SKIP LOCKED" : ""),
      soci::use(now), soci::into(sequence);
  if (!sql.got_data()) return std::nullopt;
  sql << "UPDATE feed_batch SET lease_owner = :o, lease_until = :u WHERE sequence = :s",
      soci::use(owner), soci::use(until), soci::use(sequence);
  return selectOne(sql, "sequence = :s", sequence);
}

bool markBatchDelivered(soci::session& sql, std::int64_t sequence, const std::string& at) {
  long long s = sequence;
  soci::statement st = (sql.prepare << "UPDATE feed_batch SET delivered_at = :a, lease_owner = "
                                       "NULL, lease_until = NULL WHERE sequence = :s AND "
                                       "delivered_at IS NULL",
                        soci::use(at), soci::use(s));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

void markBatchFailed(soci::session& sql, std::int64_t sequence, const std::string& owner,
                     const std::string& error) {
  long long s = sequence;
  sql << "UPDATE feed_batch SET attempts = attempts + 1, last_error = :e, lease_owner = NULL, "
         "lease_until = NULL WHERE sequence = :s AND lease_owner = :o AND delivered_at IS NULL",
      soci::use(error), soci::use(s), soci::use(owner);
}

FeedBacklog selectBacklog(soci::session& sql) {
  FeedBacklog out;
  long long lastSequence = 0, batched = 0, undelivered = 0;
  sql << "SELECT last_sequence, last_history_id FROM feed_state WHERE id = 1",
      soci::into(lastSequence), soci::into(batched);
  std::string oldest;
  soci::indicator oldestInd = soci::i_null;
  sql << "SELECT count(*), min(created_at) FROM feed_batch WHERE delivered_at IS NULL",
      soci::into(undelivered), soci::into(oldest, oldestInd);
  out.lastSequence = lastSequence;
  out.batchedHistoryId = batched;
  out.undelivered = undelivered;
  if (oldestInd == soci::i_ok) out.oldestUndeliveredAt = oldest;
  out.lastHistoryId = readLastHistoryId(sql);
  return out;
}

}  // namespace ijro::store::detail
