// What changed between two revisions of an implementation, and a fingerprint of its content.
#pragma once

#include <string>

#include "hub/model/types.hpp"

namespace ijro::store {

// Human-readable description of what changed from `before` to `after`, one line per changed field
// ("deadline: 2026-06-30 -> 2026-09-30", "indicator consultations period 2026-01-01..2026-06-30
// actual: 5000 -> 8000", "assignment A-1 added: ..."), lines separated by '\n', no trailing
// newline. Indicators are matched by code, indicator periods by their dates, assignments by id,
// evidence by URL; deadline changes by position, each with its request and decision ("deadline
// change 2 decision: pending -> rejected"); titles in other languages by language. Control events
// and comments are journals: only entries `after` carries and `before` lacks are named
// ("assignment A-1 control event added: returned by ..."), never a removal, since the store keeps
// them. Empty when nothing but the revision differs.
// The key (source, measure id, region, organisation) and the revision are not compared.
std::string describeChanges(const model::Implementation& before,
                            const model::Implementation& after);

// Content fingerprint: lower-case hex SHA-256 over a canonical encoding of every field except the
// source and the revision. Two implementations have the same fingerprint exactly when they are
// equal apart from source and revision (-0.0 and 0.0 count as equal, as operator== does). Fields
// added since the first schema are encoded only when set, so that a record without them keeps
// the fingerprint an earlier hub stored for it.
std::string fingerprint(const model::Implementation& impl);

}  // namespace ijro::store
