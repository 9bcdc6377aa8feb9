#include "hub/store/plugin_state.hpp"

#include <soci/soci.h>

#include <map>
#include <tuple>

#include "hub/store/received_batches.hpp"
#include "hub/store/record_io.hpp"
#include "hub/store/text.hpp"

namespace ijro::store::detail {

namespace {

// Arbitrary, but not the migration lock's key (that one is a single bigint). The second key is
// the schema, so that hubs in different schemas of one database do not wait for each other.
constexpr const char* kHistoryLock =
    "SELECT pg_advisory_xact_lock(1768583792, hashtext(current_schema()))";

DeadLetterKind kindFrom(const std::string& s) {
  if (auto kind = deadLetterKindFromString(s)) return *kind;
  throw StoreError("store: unknown dead letter kind '" + s + "' in the database");
}

std::string placeholders(const std::string& prefix, std::size_t n, std::size_t first) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += ", ";
    out += ":" + prefix + std::to_string(first + i);
  }
  return out;
}

}  // namespace

void writeCheckpoint(soci::session& sql, const Checkpoint& cp, const std::string& at) {
  const std::string instance = cp.instance;
  const std::string data = encodeBase64(cp.data);
  sql << "INSERT INTO plugin_checkpoint (instance, data, updated_at) VALUES (:i, :d, :a) "
         "ON CONFLICT (instance) DO UPDATE SET data = excluded.data, updated_at = "
         "excluded.updated_at",
      soci::use(instance), soci::use(data), soci::use(at);
}

std::optional<std::string> readCheckpoint(soci::session& sql, const std::string& instance) {
  std::string data;
  sql << "SELECT data FROM plugin_checkpoint WHERE instance = :i", soci::use(instance),
      soci::into(data);
  if (!sql.got_data()) return std::nullopt;
  auto bytes = decodeBase64(data);
  if (!bytes)
    throw StoreError("store: the checkpoint of plugin instance \"" + instance +
                     "\" in the database is not base64");
  return bytes;
}

void lockHistoryOrder(soci::session& sql, Dialect dialect) {
  if (dialect == Dialect::Postgres) sql << kHistoryLock;
}

std::vector<Change> readChangesAfter(soci::session& sql, std::int64_t historyId,
                                     std::size_t limit) {
  // Each history row with the implementation's current row (the current state, whichever source
  // it came from): a lower-priority source's report brings the unchanged current state again.
  struct Ref {
    long long id;
    long long current;       // 0: none (cannot happen while rows are never deleted)
    std::string receivedAt;  // the current row's
  };
  std::vector<Ref> refs;
  {
    long long after = historyId, id = 0, current = 0;
    std::string receivedAt;
    soci::indicator currentInd = soci::i_null, receivedInd = soci::i_null;
    long long max = static_cast<long long>(limit);
    soci::statement st =
        (sql.prepare << "SELECT h.id, i.id, i.received_at FROM history h LEFT JOIN "
                        "implementation i ON i.measure_id = h.measure_id AND i.region = h.region "
                        "AND i.organisation_key = h.organisation_key AND i.is_current = 1 WHERE "
                        "h.id > :a ORDER BY h.id LIMIT :n",
         soci::use(after), soci::use(max), soci::into(id), soci::into(current, currentInd),
         soci::into(receivedAt, receivedInd));
    st.execute();
    while (st.fetch())
      refs.push_back({id, currentInd == soci::i_ok ? current : 0,
                      receivedInd == soci::i_ok ? receivedAt : std::string()});
  }
  if (refs.empty()) return {};

  std::vector<Loaded> rows;
  readRows(sql,
           std::string("SELECT ") + kRowColumns +
               // (+is_current: an index on is_current would have SQLite walk every current row
               // rather than look up the few ids listed.)
               " FROM implementation WHERE +is_current = 1 AND id IN (SELECT i.id FROM history h "
               "JOIN implementation i ON i.measure_id = h.measure_id AND i.region = h.region AND "
               "i.organisation_key = h.organisation_key WHERE h.id > :a AND h.id <= :b)",
           {std::to_string(historyId), std::to_string(refs.back().id)}, rows);
  loadChildren(sql, rows);

  std::map<long long, model::Implementation*> current;
  for (auto& r : rows) current[r.id] = &r.impl;
  // The last history row of each implementation in this page.
  std::map<long long, long long> last;
  for (const auto& r : refs) last[r.current] = r.id;

  // Their lineage, where they came with one: one query for the page.
  auto lineage = selectChangeLineages(sql, historyId, refs.back().id);

  std::vector<Change> out;
  for (const auto& r : refs) {
    if (last[r.current] != r.id) continue;
    auto it = current.find(r.current);
    if (it == current.end())
      throw StoreError("store: history row " + std::to_string(r.id) +
                       " names an implementation that is not in the database");
    Change c{r.id, std::move(*it->second), r.receivedAt};
    if (auto l = lineage.find(r.current); l != lineage.end()) c.lineage = std::move(l->second);
    out.push_back(std::move(c));
  }
  return out;
}

std::int64_t readLastHistoryId(soci::session& sql) {
  long long id = 0;
  soci::indicator ind = soci::i_null;
  sql << "SELECT max(id) FROM history", soci::into(id, ind);
  return ind == soci::i_ok ? id : 0;
}

std::int64_t readSinkCursor(soci::session& sql, const std::string& sink) {
  long long id = 0;
  sql << "SELECT history_id FROM sink_cursor WHERE sink = :s", soci::use(sink), soci::into(id);
  return sql.got_data() ? id : 0;
}

void writeSinkCursor(soci::session& sql, const std::string& sink, std::int64_t historyId,
                     const std::string& at) {
  long long id = historyId;
  sql << "INSERT INTO sink_cursor (sink, history_id, updated_at) VALUES (:s, :h, :a) "
         "ON CONFLICT (sink) DO UPDATE SET history_id = excluded.history_id, updated_at = "
         "excluded.updated_at WHERE sink_cursor.history_id < excluded.history_id",
      soci::use(sink), soci::use(id), soci::use(at);
}

std::int64_t insertDeadLetter(soci::session& sql, const DeadLetter& d, const std::string& at) {
  const std::string kind = toString(d.kind);
  const std::string owner = storableText(d.owner), source = storableText(d.key.source),
                    measure = storableText(d.key.measureId), region = storableText(d.key.region),
                    organisation = storableText(d.key.organisation),
                    record = storableText(d.record), reason = storableText(d.reason);
  long long revision = d.revision.value_or(0), history = d.historyId.value_or(0);
  soci::indicator revisionInd = d.revision ? soci::i_ok : soci::i_null;
  soci::indicator historyInd = d.historyId ? soci::i_ok : soci::i_null;
  int attempts = d.attempts;
  long long id = 0;
  sql << "INSERT INTO dead_letter (kind, owner, source, measure_id, region, organisation, "
         "revision, history_id, record, reason, attempts, created_at, replayed) VALUES (:k, :o, "
         ":s, :m, :r, :g, :v, :h, :rec, :why, :n, :at, 0) RETURNING id",
      soci::use(kind), soci::use(owner), soci::use(source), soci::use(measure), soci::use(region),
      soci::use(organisation), soci::use(revision, revisionInd), soci::use(history, historyInd),
      soci::use(record), soci::use(reason), soci::use(attempts), soci::use(at), soci::into(id);
  return id;
}

std::vector<DeadLetter> selectDeadLetters(soci::session& sql, const DeadLetterFilter& f,
                                          bool forUpdate) {
  // Fixed fragments only; every value is bound.
  std::string where = " WHERE id > :after";
  long long after = f.afterId;
  std::string kind = f.kind ? toString(*f.kind) : "";
  if (f.kind) where += " AND kind = :kind";
  if (f.owner) where += " AND owner = :owner";
  if (!f.ids.empty()) where += " AND id IN (" + placeholders("id", f.ids.size(), 0) + ")";
  if (!f.states.empty()) {
    where += " AND (";
    for (std::size_t i = 0; i < f.states.size(); ++i) {
      if (i > 0) where += " OR ";
      switch (f.states[i]) {
        case ReplayState::Dead:
          where += "(replayed = 0 AND queued_at IS NULL)";
          break;
        case ReplayState::Queued:
          where += "(replayed = 0 AND queued_at IS NOT NULL)";
          break;
        case ReplayState::Replayed:
          where += "replayed = 1";
          break;
      }
    }
    where += ")";
  }
  long long limit = static_cast<long long>(f.limit);
  std::string q =
      "SELECT id, kind, owner, source, measure_id, region, organisation, revision, history_id, "
      "record, reason, attempts, created_at, queued_at, replayed, replayed_at FROM dead_letter" +
      where + " ORDER BY id LIMIT :limit";
  if (forUpdate) q += " FOR UPDATE";

  DeadLetter row;
  long long id = 0, revision = 0, history = 0;
  int attempts = 0, replayed = 0;
  std::string kindText, queuedAt, replayedAt;
  soci::indicator revisionInd, historyInd, queuedInd, replayedAtInd;
  soci::details::prepare_temp_type p = (sql.prepare << q);
  p, soci::into(id), soci::into(kindText), soci::into(row.owner), soci::into(row.key.source),
      soci::into(row.key.measureId), soci::into(row.key.region), soci::into(row.key.organisation),
      soci::into(revision, revisionInd), soci::into(history, historyInd), soci::into(row.record),
      soci::into(row.reason), soci::into(attempts), soci::into(row.createdAt),
      soci::into(queuedAt, queuedInd), soci::into(replayed), soci::into(replayedAt, replayedAtInd);
  p, soci::use(after, "after");
  if (f.kind) p, soci::use(kind, "kind");
  if (f.owner) p, soci::use(*f.owner, "owner");
  std::vector<long long> ids(f.ids.begin(), f.ids.end());
  for (std::size_t i = 0; i < ids.size(); ++i) p, soci::use(ids[i], "id" + std::to_string(i));
  p, soci::use(limit, "limit");
  soci::statement st(p);
  st.execute();
  std::vector<DeadLetter> out;
  while (st.fetch()) {
    DeadLetter d = row;
    d.id = id;
    d.kind = kindFrom(kindText);
    d.revision = revisionInd == soci::i_ok ? std::optional<std::int64_t>(revision) : std::nullopt;
    d.historyId = historyInd == soci::i_ok ? std::optional<std::int64_t>(history) : std::nullopt;
    d.attempts = attempts;
    d.state = replayed != 0             ? ReplayState::Replayed
              : queuedInd == soci::i_ok ? ReplayState::Queued
                                        : ReplayState::Dead;
    d.replayedAt = replayedAtInd == soci::i_ok ? replayedAt : std::string();
    out.push_back(std::move(d));
  }
  return out;
}

namespace {

template <typename Bind>
void updateByIds(soci::session& sql, const std::string& set, const std::vector<std::int64_t>& ids,
                 Bind bind) {
  constexpr std::size_t kChunk = 500;
  for (std::size_t from = 0; from < ids.size(); from += kChunk) {
    const std::size_t n = std::min(kChunk, ids.size() - from);
    std::vector<long long> chunk(ids.begin() + static_cast<std::ptrdiff_t>(from),
                                 ids.begin() + static_cast<std::ptrdiff_t>(from + n));
    soci::details::prepare_temp_type p =
        (sql.prepare << "UPDATE dead_letter SET " + set + " WHERE id IN (" +
                            placeholders("id", n, 0) + ")");
    bind(p);
    for (std::size_t i = 0; i < n; ++i) p, soci::use(chunk[i], "id" + std::to_string(i));
    soci::statement st(p);
    st.execute(true);
  }
}

}  // namespace

void setQueued(soci::session& sql, const std::vector<std::int64_t>& ids, const std::string& at) {
  updateByIds(sql, "queued_at = :at", ids,
              [&](soci::details::prepare_temp_type& p) { p, soci::use(at, "at"); });
}

void setReplayed(soci::session& sql, const std::vector<std::int64_t>& ids, const std::string& at) {
  updateByIds(sql, "replayed = 1, replayed_at = :at, queued_at = NULL", ids,
              [&](soci::details::prepare_temp_type& p) { p, soci::use(at, "at"); });
}

void setDeadAgain(soci::session& sql, std::int64_t id, const std::string& reason) {
  long long which = id;
  const std::string why = storableText(reason);
  sql << "UPDATE dead_letter SET queued_at = NULL, reason = :why, attempts = attempts + 1 WHERE "
         "id = :id AND replayed = 0",
      soci::use(why, "why"), soci::use(which, "id");
}

}  // namespace ijro::store::detail
