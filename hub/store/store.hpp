// Durable storage of implementations and their history, through SOCI.
// URLs: "sqlite:/path/to/hub.db" (embedded default; also "sqlite3:", "sqlite:///abs/path" and
// "sqlite::memory:"), "postgresql://dbname=ijro host=/run/postgresql port=5432 user=hub" (a libpq
// key=value string after "postgresql://" or "postgresql:") or a libpq URI
// "postgresql://user@host:port/db". The schema is versioned (schema_version table) and migrated
// on open. Every member function may be called from several threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hub/model/lineage.hpp"
#include "hub/model/status.hpp"
#include "hub/model/types.hpp"
#include "hub/store/access_tokens.hpp"
#include "hub/store/organisations.hpp"

namespace ijro::store {

enum class Outcome { Accepted, Duplicate, Stale, Rejected };
const char* toString(Outcome o);

struct UpsertResult {
  Outcome outcome = Outcome::Rejected;
  // Why: for Stale / Rejected / Duplicate; "created" or "revision 3 replaces revision 2" when
  // Accepted.
  std::string reason;
  // The revision in the store after the call; 0 if there is none, or if the record was rejected
  // before the store was consulted.
  std::int64_t storedRevision = 0;
};

// What the SQL side can filter on in the stored facts. Execution status is evaluated in C++ on
// top, or, as of today, filtered by the stored evaluation (StatusFilter, statusPage).
struct Filter {
  std::optional<std::string> region;  // 4-digit region: also matches its 7-digit districts
  std::optional<std::string> sector;
  std::optional<std::string> organisation;  // a code or any spelling of the organisation
  std::optional<std::string> measureId;
  std::optional<std::string> text;  // case-insensitive substring of measure id, title or note
  // A reader's scope, on top of the above: only these first-level regions (each with its
  // districts; "17" is the national level only) and these sectors. Empty: any.
  std::set<std::string> regionsIn;
  std::set<std::string> sectorsIn;
};

// Conditions on the evaluation the store keeps with each row (see Store::setStatusRules): the
// read side's status filters, answered in SQL. Every condition must hold; empty: any.
struct StatusFilter {
  std::set<model::ExecutionStatus> statuses;  // any of these
  std::optional<bool> overdue;                // status overdue, or any other
  std::optional<model::Rag> rag;
  std::optional<long> minDelay;  // delay days at least
  std::optional<bool> earlyWarning;
};

// The order of a StatusPage: forEach's (measure id, region, organisation, source), or by the
// deadline in force first (earliest first; ties in forEach's order).
enum class StatusOrder { Key, Deadline };

// One page of current implementations (with every child, as forEach gives them) and each one's
// stored figures.
struct StatusRow {
  model::Implementation impl;
  model::StatusFigures figures;
};
struct StatusPage {
  std::size_t total = 0;  // every match, not only the page's
  std::vector<StatusRow> rows;
};

// The current implementations of one roll-up group (model::rollUpKey) that share the discrete
// figures of `sums` (status, rag, the flags); its task fields are their sums. From statusCells,
// `key` is the first-level region (model::rollUpKey by region) and `sector` the sector.
struct StatusGroup {
  std::string key;
  std::string sector{};
  model::StatusFigures sums;
  std::size_t count = 0;
  std::size_t withOverdueTasks = 0;
};

// A source plugin instance's checkpoint: opaque bytes the plugin committed with a poll.
struct Checkpoint {
  std::string instance;
  std::string data;
};

// One accepted change for the sinks: the history row (the durable outbox, in commit order) and
// the implementation as it is now.
struct Change {
  std::int64_t historyId = 0;
  model::Implementation current;
  std::string receivedAt{};  // when the current state was accepted (ISO 8601 UTC)
  // Where the current state came from, when it came in a feed batch (or its source said so):
  // stored with the row's revision, so a later revision without one leaves it empty.
  std::optional<model::Lineage> lineage{};
};

// A feed batch received from another hub (POST /api/v1/feeds): one row per (hub, sequence).
struct ReceivedBatch {
  std::string hub;
  std::int64_t sequence = 0;
  std::string receivedAt{};  // ISO 8601 UTC; the upsert's receivedAt when empty
  std::string digest{};      // SHA-256 hex of the batch's bytes as received
  // The batch's entries by outcome. Given to upsert: rejected counts the entries refused before
  // the store (unreadable, invalid, outside the hub's regions); the store adds its own outcomes.
  std::int64_t accepted = 0, duplicate = 0, stale = 0, rejected = 0;
};

// What the ministry knows of one sending hub's batches.
struct PeerBatches {
  std::string hub;
  std::int64_t lastSequence = 0;  // of the batch received last
  std::string lastReceivedAt{};   // when that batch was received
  std::int64_t highestSequence = 0;
  std::int64_t received = 0;              // batches received
  std::int64_t gaps = 0;                  // sequences below the highest never received
  std::vector<std::int64_t> firstGaps{};  // the lowest of them, at most kFirstGaps
  static constexpr std::size_t kFirstGaps = 10;
};

// One batch of the hub's outgoing feed: the changes after the previous batch's, as the bytes
// that are sent every time (signed), with where its delivery stands.
struct FeedBatch {
  std::int64_t sequence = 0;  // from 1, without gaps
  std::int64_t firstHistoryId = 0, lastHistoryId = 0;
  std::int64_t entries = 0;
  std::string createdAt;  // ISO 8601 UTC
  std::string body;
  std::string deliveredAt;  // empty: not delivered yet
  int attempts = 0;         // sends that did not end in a receipt
  std::string lastError;
};

// How far delivery is behind: batches not yet delivered (and when the oldest was made), and
// accepted changes not yet in any batch.
struct FeedBacklog {
  std::int64_t lastSequence = 0;
  std::int64_t undelivered = 0;
  std::string oldestUndeliveredAt;    // empty when none
  std::int64_t lastHistoryId = 0;     // the last accepted change
  std::int64_t batchedHistoryId = 0;  // the last change in a batch
};

// Makes a batch's bytes from its sequence and changes (the caller writes and signs it).
using FeedBatchBuilder =
    std::function<std::string(std::int64_t sequence, std::vector<Change>& changes)>;

// A record a plugin produced or was to deliver that could not be taken: kept with the reason
// until someone looks at it (`ijro-hub dlq list`) and, if wanted, replays it.
enum class DeadLetterKind { Source, Sink };
const char* toString(DeadLetterKind k);  // "source" | "sink"
std::optional<DeadLetterKind> deadLetterKindFromString(std::string_view s);

// Dead: waiting. Queued: a replay was asked for; the instance retries it in its next cycle.
// Replayed: taken on replay (stored by the source's path, or delivered by the sink).
enum class ReplayState { Dead, Queued, Replayed };
const char* toString(ReplayState s);  // "dead" | "queued" | "replayed"

struct DeadLetter {
  std::int64_t id = 0;  // assigned by the store
  DeadLetterKind kind = DeadLetterKind::Source;
  std::string owner;  // the source or sink instance
  // The record's key and revision as far as they are known (empty when it did not parse).
  model::ImplementationKey key;
  std::optional<std::int64_t> revision;
  std::optional<std::int64_t> historyId;  // sinks: the change the record was built from
  std::string record;                     // the JSON text as produced or as to be delivered
  std::string reason;
  int attempts = 0;  // replays tried that failed again
  // Set by the store:
  std::string createdAt;  // ISO 8601 UTC
  ReplayState state = ReplayState::Dead;
  std::string replayedAt;  // empty unless Replayed
};

struct DeadLetterFilter {
  std::optional<DeadLetterKind> kind;
  std::optional<std::string> owner;
  std::vector<std::int64_t> ids;    // empty: any
  std::vector<ReplayState> states;  // empty: any
  std::int64_t afterId = 0;         // only ids above this
  std::size_t limit = 1000;
};

// What a plugin's poll commits in the same transaction as its records.
struct UpsertOptions {
  std::optional<Checkpoint> checkpoint;
  std::vector<DeadLetter> deadLetters;
  // When set, each record the store rejects becomes the dead letter this returns (given the
  // record's position in the batch and the store's reason), in the same transaction.
  std::function<DeadLetter(std::size_t index, const std::string& reason)> deadLetterRejected;
  // A feed batch: each record's lineage by its position (empty, or one per record), written for
  // the records accepted, and the batch's row, in the same transaction. A row for the same hub
  // and sequence already there is kept as it was.
  std::vector<std::optional<model::Lineage>> lineage{};
  std::optional<ReceivedBatch> receivedBatch{};
};

// What a submitted batch comes back with (Store::submit).
using Submitted = std::function<void(std::vector<UpsertResult> results, std::exception_ptr error)>;

struct HistoryEntry {
  model::ImplementationKey key;  // the source's own key: its source and its spelling
  std::int64_t revision = 0;
  std::string receivedAt;  // ISO 8601 UTC
  std::string changes;     // human-readable list of what changed, one "field: old -> new" per line
  std::int64_t id = 0;     // the history row (grows in commit order)
  std::string organisationKey;  // the implementation's identity: organisation code or spelling
};

// How implementations are identified: an implementation is (measure, region, organisation key),
// where the key is the organisation's code when the directory knows the spelling, otherwise the
// normalised spelling. Each source keeps its own revisions (its own row per spelling it uses);
// the implementation's current state is the row of the source with the highest priority, the
// latest received among equals. Sources not listed have kDefaultSourcePriority.
inline constexpr int kDefaultSourcePriority = 0;
struct IdentityRules {
  OrganisationDirectory organisations;
  std::map<std::string, int> sourcePriorities;
  int priorityOf(const std::string& source) const {
    auto it = sourcePriorities.find(source);
    return it == sourcePriorities.end() ? kDefaultSourcePriority : it->second;
  }
};

// Which history rows to read (Store::historyOf): one measure, optionally narrowed.
struct HistoryQuery {
  std::string measureId;
  std::optional<std::string> region;        // exactly this region code
  std::optional<std::string> organisation;  // a code or any spelling of the organisation
  std::optional<std::string> assignment;    // changes that name this task, and its creation
  // A reader's scope, as in Filter (sectors by the sector of the source's row).
  std::set<std::string> regionsIn;
  std::set<std::string> sectorsIn;
  bool newestFirst = true;
  std::size_t offset = 0;
  std::size_t limit = 100;
};

// A spelling of an organisation as sources sent it: for mapping the unknown ones.
struct OrganisationSeen {
  std::string spelling;  // as stored (the parsers collapse white space)
  std::string key;       // the code it resolves to, or its normalised form
  std::string source;
  std::int64_t reports = 0;  // accepted reports (history rows) with this spelling from the source
  std::string firstSeen;     // ISO 8601 UTC
  std::string lastSeen;
};

// One uploaded evidence file linked to the implementation (and optionally one of its tasks) it
// is evidence for. The same content may be linked to several implementations; the content itself
// is kept once (on disk by hub/evidence, or by a PostgreSQL store as a large object).
struct EvidenceUpload {
  std::string sha256;  // 64 lower-case hex digits of the content
  std::int64_t size = 0;
  std::string type;  // the media type, checked against the content
  std::string filename;
  std::string title;
  std::string measureId;
  std::string region;
  std::string organisation;
  std::string task;        // empty: the implementation as a whole
  std::string uploader;    // the token's id
  std::string uploadedAt;  // ISO 8601 UTC; set by the store when empty
};

struct EvidenceAdded {
  bool linked = false;         // false: this content was already linked to the same place
  bool contentStored = false;  // addEvidence with content: false when the store had it already
};

class Store {
 public:
  virtual ~Store() = default;

  // Opens (creating if needed) and migrates to the latest schema version. Throws StoreError.
  // `password`, when not empty, is added to a PostgreSQL connection (so it need not be written
  // in the URL, a command line or a configuration file); a SQLite store takes none.
  static std::unique_ptr<Store> open(const std::string& url, std::size_t poolSize = 4,
                                     const std::string& password = {});

  // Stores a batch in one transaction. When this returns, every Accepted record is on disk
  // (SQLite: WAL + synchronous=FULL; PostgreSQL: committed). Each record's source must be set.
  // The key here is the source's: (source, measure, region, organisation spelling); see
  // IdentityRules for how rows of several sources make one implementation.
  // Same key and revision with the same content: Duplicate, nothing written.
  // Same key and revision with other content: Rejected (send a higher revision).
  // Lower revision than stored: Stale, nothing written.
  // Higher revision: the row and all its children are replaced and history records what changed.
  // Results come back in batch order; records with the same key are applied in batch order.
  // A record the store cannot hold (no source, text that is not UTF-8 or contains NUL, a
  // non-finite number, a date outside 0001..9999) or that the database refuses (a constraint or
  // data error, a trigger, a value beyond a limit such as an index row too large) is Rejected
  // without leaving anything behind, and the rest of the batch goes on; its reason is a short
  // phrase with an error id, the database's own message goes to the log under that id.
  // Any other database failure throws StoreError and nothing of the batch is committed; sending
  // the batch again is always safe.
  std::vector<UpsertResult> upsert(std::span<const model::Implementation> batch,
                                   std::chrono::system_clock::time_point receivedAt) {
    return upsert(batch, receivedAt, UpsertOptions{});
  }
  // The same, committing a source plugin's checkpoint in the same transaction as the records: a
  // crash leaves either both or neither, so the plugin resumes exactly after what is stored.
  // If the transaction fails (StoreError), nothing is stored and the checkpoint does not move.
  // A batch may be empty (only the checkpoint moves).
  std::vector<UpsertResult> upsert(std::span<const model::Implementation> batch,
                                   std::chrono::system_clock::time_point receivedAt,
                                   const std::optional<Checkpoint>& checkpoint) {
    return upsert(batch, receivedAt, UpsertOptions{checkpoint, {}, {}});
  }
  // The same, with the checkpoint and dead letters of UpsertOptions.
  virtual std::vector<UpsertResult> upsert(std::span<const model::Implementation> batch,
                                           std::chrono::system_clock::time_point receivedAt,
                                           const UpsertOptions& options) = 0;
  // The same without waiting, for a caller that must not block (an HTTP I/O thread), where
  // submits(): the store takes the batch and calls `done` once, with upsert's results or with
  // the error upsert would have thrown (results empty), after the commit or the rollback.
  // `done` runs on the store's writer thread (or within submit when nothing is to be written):
  // it must be quick, must not block, and must not call the store. A store that does not
  // submits() writes while the caller waits and then calls `done`.
  virtual bool submits() const { return false; }
  virtual void submit(std::vector<model::Implementation> batch,
                      std::chrono::system_clock::time_point receivedAt, UpsertOptions options,
                      Submitted done) {
    std::vector<UpsertResult> results;
    std::exception_ptr error;
    try {
      results = upsert(batch, receivedAt, options);
    } catch (...) {
      error = std::current_exception();
    }
    done(std::move(results), error);
  }

  // ---- plugin state --------------------------------------------------------------------------

  // The last checkpoint committed for a source instance (nullopt: none yet).
  virtual std::optional<std::string> checkpoint(const std::string& instance) = 0;

  // The change feed for sinks: accepted changes with a history id above `historyId`, oldest
  // first, at most `limit` history rows read. History ids grow in commit order (writers take
  // them one transaction after the other), so a cursor never skips a change committed later.
  // Several changes of one implementation in the page come back once, with the last id.
  // Nothing extra is written when records are stored: history is the outbox.
  virtual std::vector<Change> changesAfter(std::int64_t historyId, std::size_t limit) = 0;
  virtual std::int64_t lastHistoryId() = 0;  // 0 for an empty history
  // Where a sink is in the change feed: the last history id it has dealt with (0: none yet).
  virtual std::int64_t sinkCursor(const std::string& sink) = 0;
  // Moves the cursor forward (never back) and stores the batch's dead letters in the same
  // transaction, so a crash neither loses them nor records them twice.
  virtual void advanceSinkCursor(const std::string& sink, std::int64_t historyId,
                                 std::span<const DeadLetter> deadLetters) = 0;

  // ---- the hub's outgoing feed ---------------------------------------------------------------

  // Makes the next batch: under the feed's lock (one writer of batches at a time, across every
  // process on the database), reads at most `limit` changes after the last batched one and, if
  // there are any, stores build(last sequence + 1, changes) with them in the same transaction.
  // The first batch records `hub` as the feed's owner; a database whose feed another hub id
  // owns is refused (StoreError naming both). nullopt when there is nothing new, unless
  // `always`: then a batch is made even without new changes (the builder adds entries of its
  // own, e.g. dead letters replayed).
  virtual std::optional<FeedBatch> appendFeedBatch(const std::string& hub, std::size_t limit,
                                                   const FeedBatchBuilder& build,
                                                   bool always = false) = 0;
  // The first batch with a sequence above `sequence` (nullopt: none yet).
  virtual std::optional<FeedBatch> feedBatchAfter(std::int64_t sequence) = 0;
  // Takes the undelivered batch with the lowest sequence that no other sender holds, for
  // `lease` under the name `owner` (a process), so that two senders never send one batch at the
  // same time; a sender that dies lets its lease run out. nullopt when none is free.
  virtual std::optional<FeedBatch> claimFeedBatch(const std::string& owner,
                                                  std::chrono::seconds lease) = 0;
  // The receiver's receipt came: the batch is delivered, and its entries the receiver rejected
  // for good become dead letters, in one transaction.
  virtual void feedBatchDelivered(std::int64_t sequence, const std::string& owner,
                                  std::span<const DeadLetter> deadLetters) = 0;
  // The send failed (it is tried again): releases the lease, counts the attempt, keeps `error`.
  virtual void feedBatchFailed(std::int64_t sequence, const std::string& owner,
                               const std::string& error) = 0;
  virtual FeedBacklog feedBacklog() = 0;

  // ---- dead letters --------------------------------------------------------------------------

  virtual std::int64_t addDeadLetter(const DeadLetter& letter) = 0;  // returns its id
  virtual std::vector<DeadLetter> deadLetters(const DeadLetterFilter& filter) = 0;  // by id
  // Queues every matching dead letter (only those in state Dead) for replay; returns their ids.
  virtual std::vector<std::int64_t> queueReplay(const DeadLetterFilter& filter) = 0;
  // The replay of these worked: they become Replayed.
  virtual void markReplayed(std::span<const std::int64_t> ids) = 0;
  // The replay of this one failed again: back to Dead with the new reason, one more attempt.
  virtual void returnToDeadLetters(std::int64_t id, const std::string& reason) = 0;

  // ---- reading -------------------------------------------------------------------------------

  // Sets how implementations are identified (organisation codes and aliases, source priorities)
  // and applies it to what is stored already: keys of stored rows and history follow a new alias,
  // current states follow new priorities. Until called: no organisations known, every source at
  // kDefaultSourcePriority. Call it before serving.
  virtual void setIdentity(const IdentityRules& rules) = 0;

  // ---- the stored evaluation -----------------------------------------------------------------
  // (Not pure: a store without it answers nullopt / false, and the read side evaluates every
  // implementation itself, as it does for any other date than today.)
  //
  // Each implementation row keeps its evaluation (model::evaluate of the row as forEach reads it)
  // as of a day under these rules, with a stamp naming both. Every write of a row evaluates it,
  // and the other sources' rows of the same implementation, as of model::today(); what a new day
  // or new rules make stale, refreshStatus evaluates again.

  // The rules the store evaluates by (until called: model::StatusRules{}). New rules make every
  // stored evaluation stale; call it where setIdentity is called.
  virtual void setStatusRules(const model::StatusRules& /*rules*/) {}
  // Evaluates again, in pages of short transactions, every current row whose evaluation is not
  // as of `today` under the store's rules; cheap when none is. One caller at a time does the
  // work: another caller meanwhile returns false at once. Whether every current row's evaluation
  // is as of `today` when it returns.
  virtual bool refreshStatus(model::Date /*today*/) { return false; }
  // The current implementations matching both filters, in forEach's order, from the `offset`-th
  // match, at most `limit`, with the count of every match. nullopt (the caller evaluates itself)
  // unless every current row's evaluation is as of `today` under `rules`.
  virtual std::optional<StatusPage> statusPage(const Filter& /*filter*/,
                                               const StatusFilter& /*status*/,
                                               model::Date /*today*/,
                                               const model::StatusRules& /*rules*/,
                                               std::size_t /*offset*/, std::size_t /*limit*/,
                                               StatusOrder /*order*/ = StatusOrder::Key) {
    return std::nullopt;
  }
  // The current implementations matching the filter, counted per roll-up group (see
  // StatusGroup): what model::RollUpBuilder makes of them. nullopt as for statusPage.
  virtual std::optional<std::vector<StatusGroup>> statusGroups(
      const Filter& /*filter*/, model::RollUpBy /*by*/, model::Date /*today*/,
      const model::StatusRules& /*rules*/) {
    return std::nullopt;
  }
  // The same per first-level region and sector (the dashboard's matrix).
  virtual std::optional<std::vector<StatusGroup>> statusCells(const Filter& /*filter*/,
                                                              model::Date /*today*/,
                                                              const model::StatusRules& /*rules*/) {
    return std::nullopt;
  }

  // Streams the current state of every implementation matching the filter (one row per
  // implementation: the current source's), with all children, ordered by
  // (measure id, region, organisation, source). Rows are read in pages of a few hundred, each in
  // its own short read transaction, and no database connection is held while fn runs (so fn may
  // call the store). A row updated during the stream appears once, in either version.
  virtual void forEach(const Filter& filter,
                       const std::function<void(const model::Implementation&)>& fn) = 0;

  virtual std::optional<model::Implementation> get(const model::ImplementationKey& key) = 0;
  // One source's row (its own revision), whether current or not.
  virtual std::vector<HistoryEntry> history(const model::ImplementationKey& key) = 0;  // oldest 1st
  // Every accepted change of the implementations matching the query, from every source, newest
  // or oldest first (by history id, the commit order), one page.
  virtual std::vector<HistoryEntry> historyOf(const HistoryQuery& query) = 0;
  // Every organisation spelling in the history, per source.
  virtual std::vector<OrganisationSeen> organisationsSeen() = 0;
  virtual std::size_t count() = 0;  // implementations (current states), not source rows

  // ---- tokens issued at run time ---------------------------------------------------------------

  // Stores a new token (its createdAt is set here); false when its id or hash is taken.
  virtual bool issueToken(const AccessToken& token) = 0;
  virtual std::vector<AccessToken> accessTokens() = 0;  // every token, revoked ones too, by id
  virtual bool revokeToken(const std::string& id) = 0;  // false: no valid token with that id
  // The valid token with this hash: read on every request that no configured token matches, so a
  // token issued or revoked by another process counts from its next request.
  virtual std::optional<AccessToken> validToken(const std::string& tokenSha256) = 0;

  // ---- evidence --------------------------------------------------------------------------------
  // (Not pure: test doubles of the store need not keep evidence; these defaults throw StoreError.)

  // Whether the store keeps evidence content itself (PostgreSQL: large objects) rather than the
  // files on disk beside it.
  virtual bool keepsEvidenceContent() const { return false; }
  // Records the link, in one transaction; a link already there (same content, implementation
  // and task) is kept as it was. With contentFile (only when keepsEvidenceContent()), the bytes
  // of that file are stored under upload.sha256 in the same transaction, unless they are there
  // already; the caller has checked the hash. When this returns, the link (and content) is
  // committed.
  virtual EvidenceAdded addEvidence(const EvidenceUpload& upload,
                                    const std::optional<std::string>& contentFile);
  // The links of this content (empty: never uploaded), oldest first.
  virtual std::vector<EvidenceUpload> evidenceLinks(const std::string& sha256);
  // Every link to implementations whose measure is `measureId` (all when nullopt), oldest first:
  // what the read side adds to the implementations it loads.
  virtual std::vector<EvidenceUpload> evidenceUploads(const std::optional<std::string>& measureId);
  // Streams stored content in chunks (keepsEvidenceContent() only); false when not stored.
  virtual bool readEvidenceContent(const std::string& sha256,
                                   const std::function<void(std::string_view chunk)>& fn);

  // ---- feed batches received from other hubs -----------------------------------------------
  // (Not pure, as for evidence: the defaults throw StoreError.)

  // The batch received from `hub` with this sequence, if any (to tell a batch sent again from
  // another batch under a number already used).
  virtual std::optional<ReceivedBatch> receivedBatch(const std::string& hub, std::int64_t sequence);
  // Per sending hub, by hub: its last batch, its highest sequence and the gaps below it.
  virtual std::vector<PeerBatches> peerBatches();
  // The lineage of every current implementation whose state came with one (by the source row's
  // key), of one measure or of all: what the read side shows beside the implementations.
  struct KeyedLineage {
    model::ImplementationKey key;
    model::Lineage lineage;
  };
  virtual std::vector<KeyedLineage> currentLineages(const std::optional<std::string>& measureId);

  // ---- the dashboard's reads -------------------------------------------------------------------
  // (Not pure, as for evidence: the defaults throw StoreError.)

  // Per stored territory code (a region, a district or "17"), the latest receivedAt of the
  // current rows matching the filter: when anything still shown for it last came in.
  struct TerritoryReceived {
    std::string territory;
    std::string lastReceivedAt;  // ISO 8601 UTC
  };
  virtual std::vector<TerritoryReceived> lastReceived(const Filter& filter);

  // Which accepted revisions to read (revisions()): those received up to `until` (inclusive, ISO
  // 8601 UTC) of rows in these regions (as in Filter; sectors are the caller's, from the facts).
  struct RevisionQuery {
    std::optional<std::string> region;
    std::set<std::string> regionsIn;
    std::optional<std::string> measureId;
    std::string until;
    // Of the revisions received up to `since` (ISO 8601 UTC), only each source row's latest:
    // the rest can no longer be what any date from `since` on knew. Empty: every revision.
    std::string since{};
  };
  // One accepted revision as it was: its source row's key, the implementation it belongs to
  // (organisationKey), when it came, its source's priority now, and the facts its evaluation
  // needs (sector, lifecycle, start, deadline, completion, deadline changes, control events; see
  // revision_facts.hpp) with the key's fields set. Revisions stored before the facts were kept
  // (schema 11) are left out, but for each row's latest, whose facts the migration filled in.
  struct Revision {
    std::int64_t historyId = 0;
    std::string receivedAt{};
    std::string organisationKey{};
    int priority = kDefaultSourcePriority;
    model::Implementation facts{};
  };
  // Every matching revision (see `since`), in commit order (history id).
  virtual std::vector<Revision> revisions(const RevisionQuery& query);

  virtual int schemaVersion() = 0;
  virtual bool ping() noexcept = 0;         // for /readyz
  virtual std::string backend() const = 0;  // "sqlite3" | "postgresql"
  // The settings in force on each of the store's own pooled connections, one map per connection
  // (waits until every connection is free): SQLite's journal_mode, synchronous (2 = FULL),
  // foreign_keys and busy_timeout; PostgreSQL's synchronous_commit and fsync. For diagnostics and
  // the tests that hold the store to what it promises above.
  virtual std::vector<std::map<std::string, std::string>> connectionSettings() { return {}; }
  // Child rows (tasks, indicators, periods, evidence, journals, ...) whose parent row is missing,
  // per table, naming only tables that have any. The store writes child rows only beside their
  // parent; PostgreSQL has no foreign keys holding it to that since schema 13, so this is how
  // `ijro-hub store check` finds rows a change made outside the hub left behind. Reads every
  // child table.
  virtual std::map<std::string, long long> orphanRows() { return {}; }
};

// The store URL with any password masked (password=..., user:password@): what logs, messages
// and `validate` show.
std::string redactStoreUrl(std::string_view url);

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace ijro::store
