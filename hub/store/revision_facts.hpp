// The facts of one accepted revision that its evaluation on a later date needs, kept with its
// history row (history.facts, migration 11), so the read side can say how the work stood on any
// past date: "as it was known then". Internal to hub_store.
#pragma once

#include <optional>
#include <string>

#include "hub/model/types.hpp"

namespace ijro::store::detail {

// One line per fact, "name value" ("sector health", "deadline 2026-06-30", "change 2026-06-30
// 2026-09-30 approved 2026-06-01", "event verified 2026-07-02 2026-06-28"; "-" for no date):
// sector, lifecycle, start, deadline, completion, deadline changes (previous, asked for, decision,
// decided on) and the implementation's control events (state, on, completed), in order. Tasks,
// indicators, titles and names are not kept: the implementation's own status needs none of them.
std::string encodeFacts(const model::Implementation& x);

// The facts back into `into` (its key fields are left as they are); false when the text is not
// what encodeFacts writes.
bool decodeFacts(const std::string& text, model::Implementation& into);

}  // namespace ijro::store::detail
