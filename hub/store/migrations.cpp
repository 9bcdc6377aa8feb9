#include "hub/store/migrations.hpp"

#include <soci/soci.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hub/store/identity.hpp"
#include "hub/store/organisations.hpp"
#include "hub/store/record_io.hpp"
#include "hub/store/revision_facts.hpp"
#include "hub/store/store.hpp"
#include "hub/store/text.hpp"

namespace ijro::store::detail {

namespace {

// The SQL is written once for both backends; these placeholders differ:
//   {pk}   an auto-assigned 64-bit primary key
//   {key}  text compared byte-wise (PostgreSQL: COLLATE "C", the same order as SQLite's BINARY),
//          used for identifiers and everything the store filters or orders on
// Dates are ISO 'YYYY-MM-DD' text, timestamps ISO 8601 UTC text, booleans 0/1 integers.
struct Migration {
  int version;
  const char* description;
  std::vector<const char*> statements;
  // Data steps that SQL alone cannot express, run after the statements in the same transaction.
  void (*after)(soci::session&) = nullptr;
};

// Version 4: the organisation key of every stored row is its normalised spelling (no aliases are
// known yet; Store::setIdentity applies the configured ones), and each implementation's current
// state is chosen among its sources' rows.
void identityData(soci::session& sql) {
  rekeyOrganisations(sql, [](const std::string& s) { return normaliseOrganisation(s); });
  markCurrent(sql, std::nullopt);
}

// Version 11: each source row's last history row gets the facts of the revision the row holds,
// so the work stored before the facts were kept is known from its latest revision on. (Earlier
// revisions of it stay without facts: what they said is gone.)
void revisionFactsData(soci::session& sql) {
  constexpr std::size_t kPage = 500;
  long long after = 0;
  for (;;) {
    std::vector<Loaded> rows;
    readRows(sql,
             std::string("SELECT ") + kRowColumns +
                 " FROM implementation WHERE id > CAST(:after AS BIGINT) ORDER BY id LIMIT " +
                 std::to_string(kPage),
             {std::to_string(after)}, rows);
    if (rows.empty()) break;
    loadChildren(sql, rows, Decisions::OwnRow);
    for (const auto& r : rows) {
      const std::string facts = encodeFacts(r.impl);
      sql << "UPDATE history SET facts = :facts WHERE id = (SELECT max(id) FROM history WHERE "
             "source = :s AND measure_id = :m AND region = :r AND organisation = :o)",
          soci::use(facts), soci::use(r.impl.source), soci::use(r.impl.measure.id),
          soci::use(r.impl.region), soci::use(r.impl.organisation);
    }
    if (rows.size() < kPage) break;
    after = rows.back().id;
  }
}

// Version 13, PostgreSQL only: the implementation's child tables lose their foreign keys. There
// each child row's check looked its parent up and locked it (FOR KEY SHARE), a quarter of the
// time a national report took to store. The store writes child rows only in the transaction that
// writes their parent row, with the id that insert returned, and deletes them (grandchildren
// first) only to replace them there; implementation rows are never deleted. SQLite's checks are
// an index probe each and stay.
void dropChildForeignKeys(soci::session& sql) {
  if (sql.get_backend_name() != "postgresql") return;
  std::vector<std::pair<std::string, std::string>> keys;
  {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT c.relname, k.conname FROM pg_constraint k JOIN pg_class c ON "
                        "c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
                        "k.contype = 'f' AND n.nspname = current_schema() ORDER BY 1, 2");
    for (const auto& r : rows) keys.emplace_back(r.get<std::string>(0), r.get<std::string>(1));
  }
  auto quoted = [](const std::string& name) {
    std::string q = "\"";
    for (char c : name) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + '"';
  };
  for (const auto& [table, key] : keys)
    sql << "ALTER TABLE " + quoted(table) + " DROP CONSTRAINT " + quoted(key);
}

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1,
       "implementations with their children, and history",
       {
           R"(CREATE TABLE implementation (
  id {pk},
  source {key} NOT NULL,
  measure_id {key} NOT NULL,
  region {key} NOT NULL,
  organisation {key} NOT NULL,
  sector {key} NOT NULL,
  revision BIGINT NOT NULL,
  lifecycle TEXT NOT NULL,
  start_date TEXT NOT NULL,
  deadline TEXT NOT NULL,
  completed TEXT,
  title TEXT NOT NULL,
  act_type TEXT NOT NULL,
  act_number TEXT NOT NULL,
  act_date TEXT NOT NULL,
  act_item TEXT NOT NULL,
  note TEXT NOT NULL,
  search_text TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  received_at TEXT NOT NULL
))",
           // The key, in the order forEach streams in (its pages walk this index).
           "CREATE UNIQUE INDEX implementation_key ON implementation (measure_id, region, "
           "organisation, source)",
           "CREATE INDEX implementation_region ON implementation (region)",
           "CREATE INDEX implementation_sector ON implementation (sector)",
           "CREATE INDEX implementation_organisation ON implementation (organisation)",
           R"(CREATE TABLE deadline_change (
  implementation_id BIGINT NOT NULL REFERENCES implementation (id) ON DELETE CASCADE,
  pos INTEGER NOT NULL,
  previous TEXT NOT NULL,
  deadline TEXT NOT NULL,
  approved_by TEXT NOT NULL,
  approved_on TEXT,
  reason TEXT NOT NULL,
  PRIMARY KEY (implementation_id, pos)
))",
           R"(CREATE TABLE indicator (
  implementation_id BIGINT NOT NULL REFERENCES implementation (id) ON DELETE CASCADE,
  pos INTEGER NOT NULL,
  code {key} NOT NULL,
  name TEXT NOT NULL,
  unit TEXT NOT NULL,
  ascending INTEGER NOT NULL,
  baseline DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (implementation_id, pos)
))",
           R"(CREATE TABLE indicator_period (
  implementation_id BIGINT NOT NULL,
  indicator_pos INTEGER NOT NULL,
  pos INTEGER NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  target DOUBLE PRECISION,
  actual DOUBLE PRECISION,
  PRIMARY KEY (implementation_id, indicator_pos, pos),
  FOREIGN KEY (implementation_id, indicator_pos) REFERENCES indicator (implementation_id, pos)
    ON DELETE CASCADE
))",
           R"(CREATE TABLE assignment (
  implementation_id BIGINT NOT NULL REFERENCES implementation (id) ON DELETE CASCADE,
  pos INTEGER NOT NULL,
  assignment_id {key} NOT NULL,
  parent_id {key} NOT NULL,
  assignee TEXT NOT NULL,
  title TEXT NOT NULL,
  deadline TEXT NOT NULL,
  control TEXT NOT NULL,
  completed TEXT,
  PRIMARY KEY (implementation_id, pos)
))",
           R"(CREATE TABLE assignment_deadline_change (
  implementation_id BIGINT NOT NULL,
  assignment_pos INTEGER NOT NULL,
  pos INTEGER NOT NULL,
  previous TEXT NOT NULL,
  deadline TEXT NOT NULL,
  approved_by TEXT NOT NULL,
  approved_on TEXT,
  reason TEXT NOT NULL,
  PRIMARY KEY (implementation_id, assignment_pos, pos),
  FOREIGN KEY (implementation_id, assignment_pos) REFERENCES assignment (implementation_id, pos)
    ON DELETE CASCADE
))",
           R"(CREATE TABLE evidence (
  implementation_id BIGINT NOT NULL REFERENCES implementation (id) ON DELETE CASCADE,
  pos INTEGER NOT NULL,
  url TEXT NOT NULL,
  title TEXT NOT NULL,
  format TEXT NOT NULL,
  doc_date TEXT NOT NULL,
  uploader TEXT NOT NULL,
  PRIMARY KEY (implementation_id, pos)
))",
           R"(CREATE TABLE history (
  id {pk},
  source {key} NOT NULL,
  measure_id {key} NOT NULL,
  region {key} NOT NULL,
  organisation {key} NOT NULL,
  revision BIGINT NOT NULL,
  received_at TEXT NOT NULL,
  changes TEXT NOT NULL
))",
           "CREATE INDEX history_key ON history (source, measure_id, region, organisation, id)",
       }},
      {2,
       "plugin checkpoints, sink cursors and dead letters",
       {
           // The checkpoint a source plugin committed with its last stored poll, base64 of the
           // plugin's opaque bytes (written in the same transaction as the poll's records).
           R"(CREATE TABLE plugin_checkpoint (
  instance {key} NOT NULL PRIMARY KEY,
  data TEXT NOT NULL,
  updated_at TEXT NOT NULL
))",
           // How far each sink is in the change feed (history is the outbox).
           R"(CREATE TABLE sink_cursor (
  sink {key} NOT NULL PRIMARY KEY,
  history_id BIGINT NOT NULL,
  updated_at TEXT NOT NULL
))",
           // Records a plugin instance produced or could not deliver, with the reason. kind is
           // 'source' or 'sink', owner the instance; the key columns are '' when unknown.
           // queued_at: a replay was asked for; replayed = 1 once it worked.
           R"(CREATE TABLE dead_letter (
  id {pk},
  kind TEXT NOT NULL,
  owner {key} NOT NULL,
  source {key} NOT NULL,
  measure_id {key} NOT NULL,
  region {key} NOT NULL,
  organisation {key} NOT NULL,
  revision BIGINT,
  history_id BIGINT,
  record TEXT NOT NULL,
  reason TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  queued_at TEXT,
  replayed INTEGER NOT NULL,
  replayed_at TEXT
))",
           "CREATE INDEX dead_letter_owner ON dead_letter (kind, owner, replayed, id)",
       }},
      {3,
       "deadline change requests and decisions, titles in other languages, control events and "
       "comments as journals",
       {
           // A deadline change is a request with a decision. Rows written before say approved_by
           // (empty: requested): approved_by given means approved, by that person.
           "ALTER TABLE deadline_change ADD COLUMN requested_by TEXT NOT NULL DEFAULT ''",
           "ALTER TABLE deadline_change ADD COLUMN requested_on TEXT",
           "ALTER TABLE deadline_change ADD COLUMN decision TEXT NOT NULL DEFAULT 'pending'",
           "ALTER TABLE deadline_change ADD COLUMN decided_by TEXT NOT NULL DEFAULT ''",
           "ALTER TABLE deadline_change ADD COLUMN decided_on TEXT",
           "UPDATE deadline_change SET decision = CASE WHEN approved_by <> '' THEN 'approved' "
           "ELSE 'pending' END, decided_by = approved_by, decided_on = approved_on",
           "ALTER TABLE deadline_change DROP COLUMN approved_by",
           "ALTER TABLE deadline_change DROP COLUMN approved_on",
           "ALTER TABLE assignment_deadline_change ADD COLUMN requested_by TEXT NOT NULL DEFAULT "
           "''",
           "ALTER TABLE assignment_deadline_change ADD COLUMN requested_on TEXT",
           "ALTER TABLE assignment_deadline_change ADD COLUMN decision TEXT NOT NULL DEFAULT "
           "'pending'",
           "ALTER TABLE assignment_deadline_change ADD COLUMN decided_by TEXT NOT NULL DEFAULT ''",
           "ALTER TABLE assignment_deadline_change ADD COLUMN decided_on TEXT",
           "UPDATE assignment_deadline_change SET decision = CASE WHEN approved_by <> '' THEN "
           "'approved' ELSE 'pending' END, decided_by = approved_by, decided_on = approved_on",
           "ALTER TABLE assignment_deadline_change DROP COLUMN approved_by",
           "ALTER TABLE assignment_deadline_change DROP COLUMN approved_on",
           // Titles in other languages, replaced with each revision like the other children.
           // assignment_pos -1 is the measure's title.
           R"(CREATE TABLE title_translation (
  implementation_id BIGINT NOT NULL REFERENCES implementation (id) ON DELETE CASCADE,
  assignment_pos INTEGER NOT NULL,
  pos INTEGER NOT NULL,
  lang TEXT NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (implementation_id, assignment_pos, pos)
))",
           // Journals: append-only, never deleted when a revision replaces the row. task_id is
           // the assignment's id ('' for the implementation as a whole); digest is SHA-256 of the
           // entry's content, so an entry received again (in a later revision or from another
           // source) is stored once. source and received_at: who sent it first, and when.
           R"(CREATE TABLE journal_control_event (
  id {pk},
  implementation_id BIGINT NOT NULL REFERENCES implementation (id) ON DELETE CASCADE,
  task_id {key} NOT NULL,
  digest TEXT NOT NULL,
  state TEXT NOT NULL,
  by_whom TEXT NOT NULL,
  on_date TEXT NOT NULL,
  at_time TEXT NOT NULL,
  completed TEXT,
  reason TEXT NOT NULL,
  source {key} NOT NULL,
  received_at TEXT NOT NULL
))",
           "CREATE UNIQUE INDEX journal_control_event_once ON journal_control_event "
           "(implementation_id, task_id, digest)",
           R"(CREATE TABLE journal_comment (
  id {pk},
  implementation_id BIGINT NOT NULL REFERENCES implementation (id) ON DELETE CASCADE,
  task_id {key} NOT NULL,
  digest TEXT NOT NULL,
  author TEXT NOT NULL,
  at_time TEXT NOT NULL,
  lang TEXT NOT NULL,
  body TEXT NOT NULL,
  source {key} NOT NULL,
  received_at TEXT NOT NULL
))",
           "CREATE UNIQUE INDEX journal_comment_once ON journal_comment (implementation_id, "
           "task_id, digest)",
       }},
      {4,
       "organisation identity: implementations across sources, source priorities",
       {
           // The implementation this source row belongs to: (measure_id, region,
           // organisation_key), the key being the organisation's code or normalised spelling.
           "ALTER TABLE implementation ADD COLUMN organisation_key {key} NOT NULL DEFAULT ''",
           // The source's priority when the row was last written or the priorities changed.
           "ALTER TABLE implementation ADD COLUMN priority INTEGER NOT NULL DEFAULT 0",
           // Receipt order of the row's last accepted report (ties between equal priorities).
           "ALTER TABLE implementation ADD COLUMN reported_seq BIGINT NOT NULL DEFAULT 0",
           // 1 for the one row per implementation that is its current state.
           "ALTER TABLE implementation ADD COLUMN is_current INTEGER NOT NULL DEFAULT 1",
           "ALTER TABLE history ADD COLUMN organisation_key {key} NOT NULL DEFAULT ''",
           // The order rows were reported in so far is the order of their last history rows.
           R"(UPDATE implementation SET reported_seq = (SELECT coalesce(max(h.id), 0) FROM history h
  WHERE h.source = implementation.source AND h.measure_id = implementation.measure_id
  AND h.region = implementation.region AND h.organisation = implementation.organisation))",
           "CREATE INDEX implementation_identity ON implementation (measure_id, region, "
           "organisation_key)",
           "CREATE INDEX implementation_reported_seq ON implementation (reported_seq)",
           "CREATE INDEX history_identity ON history (measure_id, region, organisation_key, id)",
           "CREATE INDEX history_organisation ON history (organisation, source)",
       },
       identityData},
      {5,
       "bearer tokens issued at run time",
       {
           R"(CREATE TABLE access_token (
  id {key} NOT NULL PRIMARY KEY,
  token_sha256 {key} NOT NULL,
  roles TEXT NOT NULL,
  regions TEXT NOT NULL,
  sectors TEXT NOT NULL,
  note TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
))",
           "CREATE UNIQUE INDEX access_token_hash ON access_token (token_sha256)",
       }},
      {6,
       "evidence uploads: links to implementations, content kept by PostgreSQL",
       {
           // An uploaded file linked to the implementation (task: empty for the implementation
           // as a whole) it is evidence for; the same content linked to the same place once.
           R"(CREATE TABLE evidence_upload (
  id {pk},
  sha256 {key} NOT NULL,
  size BIGINT NOT NULL,
  media_type TEXT NOT NULL,
  filename TEXT NOT NULL,
  title TEXT NOT NULL,
  measure_id {key} NOT NULL,
  region {key} NOT NULL,
  organisation {key} NOT NULL,
  task {key} NOT NULL,
  uploader TEXT NOT NULL,
  uploaded_at TEXT NOT NULL
))",
           "CREATE UNIQUE INDEX evidence_upload_link ON evidence_upload (sha256, measure_id, "
           "region, organisation, task)",
           "CREATE INDEX evidence_upload_measure ON evidence_upload (measure_id, region, "
           "organisation)",
           // The content itself, with a PostgreSQL store: the large object holding it. A store
           // on SQLite keeps content as files beside the database and leaves this empty.
           R"(CREATE TABLE evidence_content (
  sha256 {key} NOT NULL PRIMARY KEY,
  size BIGINT NOT NULL,
  large_object BIGINT NOT NULL
))",
       }},
      {7,
       "the content hash and size of a report's evidence",
       {
           // Empty and NULL for evidence known only by its address.
           "ALTER TABLE evidence ADD COLUMN sha256 TEXT NOT NULL DEFAULT ''",
           "ALTER TABLE evidence ADD COLUMN size BIGINT",
       }},
      {8,
       "indicator numerators and denominators, and breakdowns of a period's values",
       {
           // NULL where not given (every period stored before this version).
           "ALTER TABLE indicator_period ADD COLUMN numerator DOUBLE PRECISION",
           "ALTER TABLE indicator_period ADD COLUMN denominator DOUBLE PRECISION",
           // One stratum of a period (dimension "sex", category "female"), in the order given.
           R"(CREATE TABLE indicator_breakdown (
  implementation_id BIGINT NOT NULL,
  indicator_pos INTEGER NOT NULL,
  period_pos INTEGER NOT NULL,
  pos INTEGER NOT NULL,
  dimension TEXT NOT NULL,
  category TEXT NOT NULL,
  target DOUBLE PRECISION,
  actual DOUBLE PRECISION,
  numerator DOUBLE PRECISION,
  denominator DOUBLE PRECISION,
  PRIMARY KEY (implementation_id, indicator_pos, period_pos, pos),
  FOREIGN KEY (implementation_id, indicator_pos, period_pos)
    REFERENCES indicator_period (implementation_id, indicator_pos, pos) ON DELETE CASCADE
))",
       }},
      {9,
       "the hub's outgoing feed: batches with a gap-free sequence, stored before their first send",
       {
           // One row: which hub owns this database's feed (set by the first batch), the last
           // sequence given out and the last history row in a batch. Writers of batches lock it.
           R"(CREATE TABLE feed_state (
  id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  hub TEXT NOT NULL,
  last_sequence BIGINT NOT NULL,
  last_history_id BIGINT NOT NULL
))",
           "INSERT INTO feed_state (id, hub, last_sequence, last_history_id) VALUES (1, '', 0, 0)",
           // A batch's bytes (signed) are written once, before the first send, so every resend
           // is byte-identical. delivered_at: when the receiver's receipt came (NULL: not yet);
           // lease_owner / lease_until: the process sending it now, so that two processes of one
           // hub never send the same batch at the same time.
           R"(CREATE TABLE feed_batch (
  sequence BIGINT NOT NULL PRIMARY KEY,
  first_history_id BIGINT NOT NULL,
  last_history_id BIGINT NOT NULL,
  entries INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  body TEXT NOT NULL,
  delivered_at TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  lease_owner TEXT,
  lease_until TEXT
))",
           "CREATE INDEX feed_batch_undelivered ON feed_batch (delivered_at, sequence)",
       }},
      {10,
       "feed batches received from other hubs, and the lineage of stored records",
       {
           // One row per batch received: its digest tells a batch sent again from another
           // batch under the same number; the counts are its entries' outcomes.
           R"(CREATE TABLE received_batch (
  hub {key} NOT NULL,
  sequence BIGINT NOT NULL,
  received_at TEXT NOT NULL,
  digest TEXT NOT NULL,
  accepted BIGINT NOT NULL,
  duplicate BIGINT NOT NULL,
  stale BIGINT NOT NULL,
  rejected BIGINT NOT NULL,
  PRIMARY KEY (hub, sequence)
))",
           "CREATE INDEX received_batch_by_time ON received_batch (hub, received_at)",
           // Where a source row's state came from: one row per source row (its key), for the
           // revision stored with it; hops one per line, "hub<TAB>sequence<TAB>receivedAt".
           R"(CREATE TABLE record_lineage (
  source {key} NOT NULL,
  measure_id {key} NOT NULL,
  region {key} NOT NULL,
  organisation {key} NOT NULL,
  revision BIGINT NOT NULL,
  origin_source TEXT NOT NULL,
  adapter TEXT NOT NULL,
  received_at TEXT NOT NULL,
  origin_revision BIGINT NOT NULL,
  hops TEXT NOT NULL,
  PRIMARY KEY (source, measure_id, region, organisation)
))",
       }},
      {11,
       "the facts of each accepted revision, for how work stood on past dates",
       {
           // encodeFacts of the revision (revision_facts.hpp); NULL for revisions stored before.
           "ALTER TABLE history ADD COLUMN facts TEXT",
           "CREATE INDEX history_received ON history (received_at)",
       },
       revisionFactsData},
      {12,
       "each implementation's evaluation as of a day, kept with its row",
       {
           // The day and rules the figures were computed for (Store::refreshStatus); NULL: not
           // evaluated yet (every row stored before this version, or since changed).
           "ALTER TABLE implementation ADD COLUMN ev_stamp {key}",
           "ALTER TABLE implementation ADD COLUMN ev_status TEXT",
           "ALTER TABLE implementation ADD COLUMN ev_rag TEXT",
           "ALTER TABLE implementation ADD COLUMN ev_delay BIGINT",
           "ALTER TABLE implementation ADD COLUMN ev_deadline TEXT",
           "ALTER TABLE implementation ADD COLUMN ev_early_warning INTEGER",
           "ALTER TABLE implementation ADD COLUMN ev_counts_for_delay INTEGER",
           "ALTER TABLE implementation ADD COLUMN ev_due INTEGER",
           "ALTER TABLE implementation ADD COLUMN ev_tasks INTEGER",
           "ALTER TABLE implementation ADD COLUMN ev_tasks_overdue INTEGER",
           "ALTER TABLE implementation ADD COLUMN ev_tasks_done_on_time INTEGER",
           "ALTER TABLE implementation ADD COLUMN ev_tasks_done_late INTEGER",
           "ALTER TABLE implementation ADD COLUMN ev_tasks_due_soon INTEGER",
           "ALTER TABLE implementation ADD COLUMN ev_tasks_due_or_finished INTEGER",
           "ALTER TABLE implementation ADD COLUMN ev_tasks_cancelled INTEGER",
           "ALTER TABLE implementation ADD COLUMN ev_tasks_suspended INTEGER",
           "CREATE INDEX implementation_ev_stamp ON implementation (is_current, ev_stamp)",
           // Every column the status filters, counts and roll-up groups read (all but the text
           // search): they are answered from the index alone, without the wide rows.
           "CREATE INDEX implementation_ev_figures ON implementation (is_current, ev_status, "
           "ev_rag, ev_early_warning, ev_counts_for_delay, ev_due, region, sector, organisation, "
           "organisation_key, measure_id, ev_delay, ev_tasks, ev_tasks_overdue, "
           "ev_tasks_done_on_time, ev_tasks_done_late, ev_tasks_due_soon, "
           "ev_tasks_due_or_finished, ev_tasks_cancelled, ev_tasks_suspended)",
           // The dashboard's early warnings, by deadline.
           "CREATE INDEX implementation_ev_warning ON implementation (is_current, "
           "ev_early_warning, ev_deadline)",
           // And when each territory last reported (Store::lastReceived), beside them.
           "CREATE INDEX implementation_received ON implementation (is_current, region, "
           "received_at)",
       }},
      {13, "child rows without per-row foreign key checks on PostgreSQL", {}, dropChildForeignKeys},
      {14,
       "history without its (organisation, source) index",
       {
           // Every accepted revision paid an entry in it (a page of write-ahead log per
           // implementation and commit under a steady intake), and no read is quicker with it:
           // the spellings per source scan history faster without it (organisationsSeen), and
           // re-keying reads the pairs of spelling and key in one scan (identity.cpp).
           "DROP INDEX IF EXISTS history_organisation",
       }},
  };
  return all;
}

std::string render(const char* sql, Dialect d) {
  std::string s = sql;
  auto replaceAll = [&](const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
      s.replace(at, from.size(), to);
  };
  replaceAll("{pk}", d == Dialect::Postgres ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
                                            : "INTEGER PRIMARY KEY");
  replaceAll("{key}", d == Dialect::Postgres ? "TEXT COLLATE \"C\"" : "TEXT");
  return s;
}

}  // namespace

std::size_t migrationCount() {
  return migrations().size();
}

int schemaVersionOf(soci::session& sql) {
  int version = 0;
  soci::indicator ind = soci::i_null;
  sql << "SELECT max(version) FROM schema_version", soci::into(version, ind);
  return ind == soci::i_ok ? version : 0;
}

int migrate(soci::session& sql, Dialect dialect, int target) {
  bool open = false;
  try {
    if (dialect == Dialect::Postgres) {
      sql << "BEGIN";
      open = true;
      // Serialises hubs migrating the same database at once (the key is arbitrary: "ijro").
      sql << "SELECT pg_advisory_xact_lock(1768583791)";
    } else {
      sql << "BEGIN IMMEDIATE";
      open = true;
    }
    // Look first: a role that may use but not create tables must still be able to open.
    long long present = 0;
    if (dialect == Dialect::Postgres)
      sql << "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
             "current_schema() AND table_name = 'schema_version'",
          soci::into(present);
    else
      sql << "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
             "'schema_version'",
          soci::into(present);
    if (present == 0)
      sql << "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, description "
             "TEXT NOT NULL, applied_at TEXT NOT NULL)";
    int current = schemaVersionOf(sql);
    if (current > kLatestSchemaVersion)
      throw StoreError("store: the database has schema version " + std::to_string(current) +
                       ", newer than this ijro-hub knows (" + std::to_string(kLatestSchemaVersion) +
                       "): it was written by a newer ijro-hub. Run that version, or point "
                       "--store at another database; nothing was changed");
    for (const auto& m : migrations()) {
      if (m.version <= current || m.version > target) continue;
      for (const char* statement : m.statements) {
        try {
          sql << render(statement, dialect);
        } catch (const soci::soci_error& e) {
          throw StoreError("store: schema migration " + std::to_string(m.version) + " (" +
                           m.description + ") failed: " + e.get_error_message());
        }
      }
      if (m.after) {
        try {
          m.after(sql);
        } catch (const soci::soci_error& e) {
          throw StoreError("store: schema migration " + std::to_string(m.version) + " (" +
                           m.description + ") failed: " + e.get_error_message());
        }
      }
      std::string description = m.description;
      std::string at = formatTimestamp(std::chrono::system_clock::now());
      sql << "INSERT INTO schema_version (version, description, applied_at) VALUES (:v, :d, :a)",
          soci::use(m.version), soci::use(description), soci::use(at);
      current = m.version;
    }
    sql << "COMMIT";
    return current;
  } catch (...) {
    if (open) {
      try {
        sql << "ROLLBACK";
      } catch (...) {
      }
    }
    throw;
  }
}

}  // namespace ijro::store::detail
