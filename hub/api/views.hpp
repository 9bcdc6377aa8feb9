// The read side's JSON views: an evaluated implementation with its tasks (/api/v1/measures), a
// roll-up group (/api/v1/summary), and the choice of language for titles. Pure functions of the
// model, so they are tested without a store.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/model/pick_text.hpp"
#include "hub/model/status.hpp"
#include "hub/model/types.hpp"

namespace ijro::api {

// The languages a reader asks for, best first: `lang` (the query parameter) alone when given,
// else the tags of an Accept-Language header ordered by q (q=0 and "*" dropped; equal q keep the
// header's order). Empty: no preference.
std::vector<std::string> languagePreferences(const std::string& lang,
                                             std::string_view acceptLanguage);

// The text to show for a title or name in several languages (moved to the model, which the
// exports share; see hub/model/pick_text.hpp).
using model::pickText;

// Which tasks a listing shows: every task, or those whose assignee contains `assignee` (case
// folded, any part of the name) and, with overdueOnly, that are overdue.
struct TaskFilter {
  std::optional<std::string> assignee;  // already case folded
  bool overdueOnly = false;
  bool any() const { return assignee || overdueOnly; }
  bool matches(const model::Assignment& task, const model::TaskEvaluation& ev) const;
};

// One item of /api/v1/measures: the implementation's facts and evaluation (field names as
// before), its translations and control journal verdicts, every shown task with its evaluation,
// and the summary of all its tasks.
boost::json::object measureJson(const model::Implementation& impl, const model::Evaluation& ev,
                                const std::vector<model::TaskEvaluation>& tasks,
                                const TaskFilter& filter,
                                const std::vector<std::string>& languages);

// One group of /api/v1/summary (the region's name is added by the caller).
boost::json::object rollUpJson(const model::RollUp& r);

}  // namespace ijro::api
