// The one path a record takes into the hub, whoever sends it (a report posted over HTTP, a source
// plugin's poll, a dead letter replayed): scope and territory, the model's rules, the store's
// idempotent upsert, and an outcome per record. What differs between the entrances is only what
// becomes of a refused record, and that is the Policy.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hub/exchange/batch.hpp"
#include "hub/exchange/report.hpp"
#include "hub/intake/scope.hpp"
#include "hub/model/sectors.hpp"
#include "hub/model/types.hpp"
#include "hub/store/store.hpp"

namespace ijro::intake {

// One record as it arrived.
struct Incoming {
  std::size_t index = 0;  // 1-based position in its report or poll
  // Whatever identifying fields could be read, echoed in receipts even when the record is invalid.
  std::string measureId, region, organisation;
  std::int64_t revision = 0;
  std::optional<model::Implementation> record;  // set when it could be read
  std::vector<std::string> errors;  // why it could not be read, or was refused on its way in
  std::string text;  // a plugin's record as the source emitted it: what its dead letter keeps
  // A feed batch's entry: where it came from (stored with it when accepted).
  std::optional<model::Lineage> lineage{};
};

// A record of a parsed status report.
Incoming fromReport(exchange::ParsedRecord&& parsed);
// An entry of a parsed feed batch; its record keeps the entry's source (accept prefixes it).
Incoming fromBatch(exchange::ParsedEntry&& parsed);

// Between the sending hub's id and an entry's own source in the source of a batch's record at
// the receiving hub: "tashkent-city/health-fhir". Not a character of configured ids ([a-z0-9._-]),
// so no configured source can take the name of an upstream one.
inline constexpr char kBatchSourceSeparator = '/';

enum class Verdict { Accepted, Duplicate, Stale, Rejected, OutOfScope };
const char* toString(Verdict v);  // accepted | duplicate | stale | rejected | outOfScope

struct Outcome {
  std::size_t index = 0;  // the Incoming's
  Verdict verdict = Verdict::Rejected;
  // Accepted: "created" or "revision 3 replaces revision 2"; Duplicate, Stale: the store's words;
  // Rejected, OutOfScope: what is wrong and how to fix it (for a plugin's record, the text its
  // dead letter carries).
  std::string reason;
};

// What becomes of a refused record (invalid, outside the scope, or refused by the store).
struct Policy {
  enum class Mode {
    // An HTTP report: a record outside the scope refuses the whole request and nothing is stored
    // (a partly stored report would need explaining); invalid records are rejected one by one.
    Request,
    // A plugin's poll: every refused record becomes a dead letter with its reason, committed in
    // the same transaction as the valid records and the plugin's checkpoint.
    Poll,
    // Dead letters replayed: per record, like Poll, but refused records only come back as
    // outcomes; the caller returns them to the dead letters.
    Replay,
    // A feed batch from another hub (the scope is that hub's: its id and regions): each record
    // is stored under the source "<hub>/<the entry's source>", so every upstream source keeps
    // its own revisions; a record outside the hub's regions is rejected alone (outOfScope) and
    // the others go on; the batch's row and the records' lineage commit with them, even when
    // no record is accepted.
    Batch,
  };
  Mode mode = Mode::Request;
  std::optional<std::string> checkpoint;  // Poll: the plugin's, committed with its records
  std::optional<store::ReceivedBatch> receivedBatch{};  // Batch: its hub, sequence and digest

  static Policy request() { return {Mode::Request, std::nullopt}; }
  static Policy poll(std::optional<std::string> checkpoint) {
    return {Mode::Poll, std::move(checkpoint)};
  }
  static Policy replay() { return {Mode::Replay, std::nullopt}; }
  static Policy batch(store::ReceivedBatch received) {
    return {Mode::Batch, std::nullopt, std::move(received)};
  }
};

// What the records are checked against and stored in.
struct Context {
  store::Store& store;
  const model::SectorCatalogue& sectors;
  model::Date today;
  std::chrono::system_clock::time_point receivedAt;
};

struct Result {
  // Request: records outside the scope, named, with what to do; nothing was stored.
  std::optional<std::string> refusal;
  std::vector<Outcome> outcomes;  // in the order of the records (empty when refused)
  std::size_t deadLetters = 0;    // Poll: dead letters committed
  std::size_t count(Verdict v) const;
};

// Checks each record against `scope` (territory and sector) and the model's rules (with the
// context's sectors and date), sets its source to the scope's id (Batch: "<id>/<its source>"),
// and upserts the valid ones in
// one transaction. Throws store::StoreError when the transaction fails: then nothing of it is
// stored, the checkpoint has not moved, and the same call can be made again.
Result accept(const Scope& scope, std::vector<Incoming> records, const Policy& policy,
              const Context& context);

// accept in two halves, for a caller that stores without waiting (store::Store::submit):
// prepare does everything before the store; when `write` is set, `batch` and `options` go to the
// store, and complete turns its results into the outcomes. Policies Request and Batch only (a
// poll's rejected records need the store to call back for their dead letters: use accept).
struct Prepared {
  Result result;  // final when `write` is not set
  bool write = false;
  std::vector<model::Implementation> batch;
  store::UpsertOptions options;
  std::vector<std::size_t> from;   // batch[k] is the record at position from[k] of `records`
  std::vector<std::string> texts;  // Poll: batch[k]'s text, for its dead letter
  std::string storePrefix;         // put before the reason of a record the store rejects
  bool poll = false;
};
Prepared prepare(const Scope& scope, std::vector<Incoming> records, const Policy& policy,
                 const Context& context);
Result complete(Prepared&& prepared, const std::vector<store::UpsertResult>& stored);

}  // namespace ijro::intake
