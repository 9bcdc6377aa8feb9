// The evaluation each implementation row keeps (schema version 12): model::evaluate of the row as
// the read side loads it, as of a day under the store's status rules, with a stamp naming both.
// Internal to hub_store.
#pragma once

#include <soci/session.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "hub/model/status.hpp"
#include "hub/store/record_io.hpp"

namespace ijro::store::detail {

// What the stored figures are as of: the day and the rules' fingerprint.
std::string statusStamp(model::Date day, const model::StatusRules& rules);

// The day and rules a write evaluates its rows as of, taken once for the write, and their stamp.
struct StatusAsOf {
  model::Date day{};
  std::shared_ptr<const model::StatusRules> rules;
  std::string stamp;
};

// A current row whose figures are not as of `stamp` (the placeholders :s1 and :s2 both bound to
// the stamp): three ranges of the (is_current, ev_stamp) index.
extern const char* const kStaleCondition;

// Evaluates each row (read with its children, the decisions of its implementation's other rows
// merged in, as forEach reads it) and stores its figures with `stamp`. A row that cannot be
// evaluated keeps no figures (its stamp stays NULL) and the others go on.
void storeEvaluations(soci::session& sql, const std::vector<Loaded>& rows, model::Date day,
                      const model::StatusRules& rules, const std::string& stamp);

// The figures a new row is written with (insertRow), when they are known before it is stored:
// its implementation has no other row yet (`others`, the rows it has, is 0: no other source's
// deadline decisions to gather) and neither it nor its tasks carry control events (kept once each
// when stored, so the list read back may differ from the report's). `stored` is the record as the
// row will hold it. Otherwise nullopt, and the row is evaluated once written
// (evaluateImplementationsOf).
std::optional<FigureValues> figuresOfNewRow(const model::Implementation& stored, long long others,
                                            const StatusAsOf& asOf);

// Every row of the implementations that the rows `ids` belong to (each source's row: one row's
// deadline changes and journals show in the others), evaluated and stored as storeEvaluations.
void evaluateImplementationsOf(soci::session& sql, const std::vector<long long>& ids,
                               model::Date day, const model::StatusRules& rules);

// The stored figures of the rows `ids` (rows without figures are left out).
std::unordered_map<long long, model::StatusFigures> readFigures(soci::session& sql,
                                                                const std::vector<long long>& ids);

}  // namespace ijro::store::detail
