// Reading and writing implementation rows and their child tables with SOCI. Internal to hub_store.
// Every value is bound as a parameter; SQL text is only ever assembled from fixed fragments.
#pragma once

#include <soci/session.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hub/model/status.hpp"
#include "hub/model/types.hpp"

namespace ijro::store::detail {

// Why a record cannot be stored as it is (empty source, text that is not UTF-8 or holds NUL,
// non-finite numbers, dates outside years 1..9999), or nullopt.
std::optional<std::string> unstorable(const model::Implementation& x);

// The text the "text" filter searches: folded measure id, title and note.
std::string searchTextOf(const model::Implementation& x);

struct CurrentRow {
  long long id = 0;
  long long revision = 0;
  std::string fingerprint;
  // lookUpRow only: the row is its implementation's only one (current, under the identity it is
  // written with) and its stored evaluation's stamp (empty when it has none).
  bool alone = false;
  std::string evStamp;
};

// The stored row for a key; with forUpdate (PostgreSQL) the row is locked until the transaction
// ends.
std::optional<CurrentRow> findCurrent(soci::session& sql, const model::ImplementationKey& key,
                                      bool forUpdate);

// SQLite, the single writer's look-up: with one statement, the row stored for `key`, if any,
// and how many rows the implementation `organisationKey` names has (`rowsOfIdentity`, this one
// included), which decides whether a new row has siblings and whether a stored one is alone.
std::optional<CurrentRow> lookUpRow(soci::session& sql, const model::ImplementationKey& key,
                                    const std::string& organisationKey, long long& rowsOfIdentity);

// A row's stored evaluation (see evaluations.hpp) as bound to a statement: the figures of
// model::StatusFigures, as of the day and rules `stamp` names.
struct FigureValues {
  long long id = 0;
  std::string stamp, status, rag, deadline;
  long long delay = 0;
  int earlyWarning = 0, countsForDelay = 0, due = 0;
  long long tasks = 0, overdue = 0, doneOnTime = 0, doneLate = 0, dueSoon = 0, dueOrFinished = 0,
            cancelled = 0, suspended = 0;

  FigureValues(long long rowId, std::string stampOf, const model::StatusFigures& f);
};

// Inserts the row unless the key is already there (a concurrent writer won); returns its id. The
// row is ranked as the source's latest report: its identity, its source's priority and the next
// reported_seq (above every row's; writers are serialised). With `figures` (SQLite), the row is
// written with its stored evaluation (their id is not used).
std::optional<long long> insertRow(soci::session& sql, const model::Implementation& x,
                                   const std::string& fingerprint, const std::string& receivedAt,
                                   const std::string& organisationKey, int priority,
                                   const FigureValues* figures = nullptr);
// A record for insertRows, with its fingerprint and ranking.
struct NewRow {
  const model::Implementation* record = nullptr;
  std::string fingerprint;
  std::string organisationKey;
  int priority = 0;
  const FigureValues* figures = nullptr;  // the row's stored evaluation, when known before
};
// PostgreSQL: the rows of records whose keys are all different, inserted with one statement and
// ranked like insertRow's, in the order given. Per record, the new row's id, or nullopt where the
// key was already stored (another transaction's or an earlier one's row). `noneStored`: the
// caller knows that no key of them is (aloneOf), so the rows go in without ON CONFLICT, and a key
// stored after all fails the statement.
std::vector<std::optional<long long>> insertRows(soci::session& sql,
                                                 const std::vector<NewRow>& rows,
                                                 const std::string& receivedAt, bool noneStored);
// A new revision of row `id`, ranked as its source's latest report like insertRow's; its stored
// evaluation is cleared (evaluated again once written).
void updateRow(soci::session& sql, long long id, const model::Implementation& x,
               const std::string& fingerprint, const std::string& receivedAt,
               const std::string& organisationKey, int priority);
// A new revision of row `id` whose content is the row's already (the same fingerprint): only its
// revision, time and ranking change; the children stay. With `keepEvaluation`, the stored
// evaluation stays too (the caller knows it still holds).
void reviseRow(soci::session& sql, long long id, std::int64_t revision,
               const std::string& receivedAt, const std::string& organisationKey, int priority,
               bool keepEvaluation);

// The child rows and history rows of the records written in one transaction, inserted with one
// statement per table instead of several per record (statement preparation dominates SQLite
// writes). mark()/dropAfter() take back what a record added when its savepoint is rolled back.
class PendingRows {
 public:
  PendingRows();
  ~PendingRows();
  // The child rows row `id` holds now are deleted before the pending rows go in (a new revision
  // replaces them); journals are never deleted.
  void replaceChildren(long long id);
  // Child rows of `x`, replacing what the row had (after replaceChildren), and its journal entries
  // (control events, comments), added to what is stored: entries already there are kept once.
  // `evaluated`: the row was written with its evaluation, so takeWritten leaves it out.
  void addChildren(long long id, const model::Implementation& x, const std::string& receivedAt,
                   bool evaluated = false);
  // organisationKey: the implementation's identity (see IdentityRules).
  void addHistory(const model::Implementation& x, const std::string& receivedAt,
                  std::string changes, const std::string& organisationKey);
  // Row `id` was written without children and its evaluation is to be renewed (takeWritten).
  void addWritten(long long id);
  struct Mark {
    std::size_t sizes[12];
  };
  Mark mark() const;
  void dropAfter(const Mark& m);
  bool empty() const;
  void insert(soci::session& sql);  // then empty
  // The ids of every row given to addChildren since the last call (whose stored evaluation the
  // writer renews; a record rolled back since may be among them).
  std::vector<long long> takeWritten();

 private:
  struct Rows;
  std::unique_ptr<Rows> rows_;
  std::vector<long long> written_;
};

struct Loaded {
  long long id = 0;
  model::Implementation impl;
};

// SELECT list for implementation rows, in the order readRows() expects.
extern const char* const kRowColumns;

// Runs `query` (which selects kRowColumns, with `params` bound in order) and appends the rows,
// without children.
void readRows(soci::session& sql, const std::string& query, const std::vector<std::string>& params,
              std::vector<Loaded>& out);

// The ids as ONE bound parameter (its value returned) and `condition`, "<column> is one of them"
// naming it :ids, for either backend.
std::string idListParameter(soci::session& sql, const std::vector<long long>& ids,
                            std::string& condition, const std::string& column);

// Whether a row's deadline changes gather those other sources' rows of the same implementation
// hold, with their decisions (what readers see), or stay as the row's own source sent them (what
// the history of that source's changes compares against).
enum class Decisions { WithSiblings, OwnRow };

// Loads the children of every element of `rows` (at most a few hundred at a time).
// Store::orphanRows: per child table, its rows whose parent row is missing (tables with none
// left out).
std::map<std::string, long long> countOrphanRows(soci::session& sql);

void loadChildren(soci::session& sql, std::vector<Loaded>& rows,
                  Decisions decisions = Decisions::WithSiblings);

}  // namespace ijro::store::detail
