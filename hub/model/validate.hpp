// Record validation in the spirit of IATI's rulesets. Returns every problem found, each a
// sentence naming the field and how to fix it; empty means valid.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hub/model/sectors.hpp"
#include "hub/model/types.hpp"

namespace ijro::model {

// Language tags (comments, translations) are checked for the shape of BCP 47 (RFC 5646): a 2- or
// 3-letter language, then subtags of 1 to 8 ASCII letters or digits joined by '-', compared
// without regard to case. Any such tag is accepted, not only uz-Latn, uz-Cyrl, ru and en:
// Karakalpak (kaa) is an official language of one of the fourteen regions.
bool isLanguageTag(std::string_view tag);

// Deadline changes, per implementation and per task (assignments[i].deadlineChanges[j]):
//   - `previous` must equal the deadline in force at that point: the original deadline, moved
//     only by the changes before it that moved D (walkDeadlines in status.hpp); a late, rejected
//     or pending change leaves it where it was.
//   - approved or rejected: decidedBy and decidedOn are required, except an approval without
//     requestedBy and requestedOn (the form of reports before decisions were separate), which
//     may lack decidedOn; pending: neither decidedBy nor decidedOn.
//   - decidedOn not before requestedOn; neither in the future.
// Control events: `by` required; `on` not in the future; submitted needs `completed` (on or
// before `on`), other states carry none; returned needs a reason.
// Comments: author, at, text and a language tag. Translations: a language tag and a text, one
// per language.
// Every problem names the field by its path, e.g. assignments[2].deadlineChanges[0].decidedOn,
// and the rule it breaks.
//
// Bounds: every text is at most so many bytes of UTF-8, and every indicator value (baseline,
// target, actual, numerator, denominator, also of breakdowns) is finite and at most
// kMaxIndicatorMagnitude either way, so sums and ratios of them stay finite (evaluation never
// yields NaN or infinity) and no stored text exceeds what a database index takes (an
// organisation is indexed: PostgreSQL's B-tree takes about 2,700 bytes per entry).
inline constexpr std::size_t kMaxCodeBytes = 200;  // act number, codes, ids, units, timestamps
inline constexpr std::size_t kMaxNameBytes = 500;  // people: assignee, by, author, uploader
inline constexpr std::size_t kMaxOrganisationBytes = 1000;  // the organisation, a task's assignee
inline constexpr std::size_t kMaxTitleBytes = 4000;         // titles, names, translations, URLs
inline constexpr std::size_t kMaxNoteBytes = 20000;         // notes, comments, reasons
inline constexpr double kMaxIndicatorMagnitude = 1e15;

std::vector<std::string> validate(const Implementation& impl, const SectorCatalogue& sectors,
                                  Date today);

}  // namespace ijro::model
