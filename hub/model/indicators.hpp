// Indicator rules beyond a single field: values derived from a numerator and a denominator,
// periods merged into those already held (merge mode), and periods outside the work's dates.
// Pure functions of the model, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/model/types.hpp"

namespace ijro::model {

// The unit that makes a proportion a percentage: "%" exactly.
bool isPercentUnit(std::string_view unit);

// numerator / denominator, times 100 when the indicator's unit is "%" (a share reported as a
// percentage: 45 of 60 is 75 for unit "%", 0.75 for any other unit). nullopt when either is
// missing or the denominator is 0.
std::optional<double> ratioOf(std::optional<double> numerator, std::optional<double> denominator,
                              std::string_view unit);

// Whether a reported actual agrees with its numerator and denominator: within 0.005 (a value
// rounded to two decimals still matches), so 1 of 3 in "%" matches 33.33 but not 33.
bool actualMatchesRatio(double actual, double ratio);

// Fills the actual of every period and breakdown that has a numerator and a (non-zero)
// denominator but no actual, by ratioOf. Values that break the rules (validate.hpp) are left as
// they are, for validation to name.
void deriveActuals(Implementation& impl);

// Merge mode: for each indicator of `incoming` that says Merge, its periods are merged into the
// periods of the indicator with the same code in `stored` (the same source's row as the hub holds
// it; nullptr when there is none): a period with the same start and end is replaced by the
// report's, a new one is added after the others, the rest are kept in their order. The indicator's
// other fields (name, unit, ...) are the report's. A report that merges any indicator updates only
// the indicators it names: those of `stored` it does not name are kept, after its own (so two
// sources of periods, e.g. one FHIR Measure per indicator, each send only theirs; a report in
// replace mode alone removes an indicator). Every indicator comes out as Replace: the result is
// the whole list. Returns one line per period added or replaced, for the history, e.g.
// "indicator 'vacc' merged: period 2025-04-01..2025-06-30 added".
std::vector<std::string> mergeIndicators(const Implementation* stored, Implementation& incoming);

// Whether any indicator of the record says Merge.
bool hasMergedIndicators(const Implementation& impl);

// A period is outside the work when it ends before the work's start or begins after its deadline
// in force (lastApprovedDeadline): data may legitimately come early or late, so such a period is
// flagged, never refused.
bool outsideWork(const IndicatorPeriod& p, const Implementation& impl);
std::size_t periodsOutsideWork(const Implementation& impl);

}  // namespace ijro::model
