// POST /api/v1/control: a person takes part in execution control without sending a whole report.
// An executor submits the completion of a task; a controller verifies it, returns it with a
// reason, or removes it from control; either comments. The hub applies the act to the
// implementation as it stands and stores it as a report of the actor's own (its own revisions,
// its own source row), so the act goes through the one intake path: scope, roles, the model's
// rules, the idempotent store, history. Control events and comments are journals, so the act
// shows in the implementation whichever source's row is current.
#include <boost/json.hpp>

#include "hub/api/api.hpp"
#include "hub/api/json_problem.hpp"
#include "hub/base/timestamp.hpp"
#include "hub/exchange/json_strict.hpp"
#include "hub/exchange/json_text.hpp"
#include "hub/intake/accept.hpp"
#include "hub/model/regions.hpp"
#include "hub/model/status.hpp"

namespace ijro::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

Response answer(int status, json::object body) {
  return {status, "application/json", exchange::toJsonText(body) + "\n", {}};
}

// A string member of the request, or "" when absent; throws std::invalid_argument naming it when
// it is there but not a string.
std::string member(const json::object& o, const char* name) {
  auto it = o.find(name);
  if (it == o.end() || it->value().is_null()) return {};
  if (!it->value().is_string())
    throw std::invalid_argument(std::string("\"") + name + "\" must be a string");
  return std::string(it->value().as_string());
}

model::Date dateMember(const json::object& o, const char* name, model::Date fallback) {
  auto text = member(o, name);
  if (text.empty()) return fallback;
  auto d = model::parseDate(text);
  if (!d)
    throw std::invalid_argument(std::string("\"") + name + "\" is not a date: use YYYY-MM-DD");
  return *d;
}

}  // namespace

Response Api::postControl(const Request& req, const intake::Scope& actor) {
  json::object body;
  try {
    auto v = exchange::parseStrictJson(req.body, {}, "the body");
    if (!v.is_object()) throw std::invalid_argument("the body must be a JSON object");
    body = v.as_object();
  } catch (const std::exception& e) {
    ++counters_.badRequests;
    return jsonProblem(400, std::string("the body is not a control act: ") + e.what() +
                                "; send {\"measure\", \"region\", \"organisation\", \"task\", "
                                "\"action\", ...} as JSON");
  }
  std::string measure, region, organisation, taskId, action, by, reason, completedText, lang, text;
  model::Date on{};
  try {
    measure = member(body, "measure");
    region = member(body, "region");
    organisation = member(body, "organisation");
    taskId = member(body, "task");
    action = member(body, "action");
    by = member(body, "by");
    reason = member(body, "reason");
    completedText = member(body, "completed");
    lang = member(body, "lang");
    text = member(body, "text");
    on = dateMember(body, "on", model::today());
  } catch (const std::exception& e) {
    ++counters_.badRequests;
    return jsonProblem(400, e.what());
  }
  if (measure.empty() || region.empty() || organisation.empty() || action.empty()) {
    ++counters_.badRequests;
    return jsonProblem(
        400,
        "measure, region, organisation and action are required (task too, unless the "
        "act concerns the implementation as a whole)");
  }

  // Who may do what: submitting is the executor's, deciding the controller's, commenting
  // anyone's who takes part.
  const bool deciding = action == "verify" || action == "return" || action == "remove" ||
                        action == "approve" || action == "reject";
  const bool submitting = action == "submit" || action == "request";
  const bool commenting = action == "comment";
  if (!deciding && !submitting && !commenting) {
    ++counters_.badRequests;
    return jsonProblem(400, "unknown action \"" + action +
                                "\": use submit or request (executor), verify, return, remove, "
                                "approve or reject (controller), or comment");
  }
  const bool allowed = deciding     ? actor.controller
                       : submitting ? actor.executor || actor.controller
                                    : actor.executor || actor.controller || actor.write;
  if (!allowed) {
    ++counters_.forbidden;
    return jsonProblem(403, "the token of " + actor.label() + " (roles " + actor.roleList() +
                                ") may not " + action +
                                (deciding ? ": verifying, returning, removing, approving and "
                                            "rejecting need the controller role"
                                          : ": submitting and requesting a deadline change need "
                                            "the executor role"));
  }
  std::optional<model::Date> deadline;
  try {
    if (!member(body, "deadline").empty()) deadline = dateMember(body, "deadline", {});
  } catch (const std::exception& e) {
    ++counters_.badRequests;
    return jsonProblem(400, e.what());
  }
  if (action == "request" && !deadline) {
    ++counters_.badRequests;
    return jsonProblem(400,
                       "a deadline change request needs \"deadline\": the date asked for, "
                       "YYYY-MM-DD");
  }

  // The implementation as it stands, within the actor's territory.
  model::Implementation record;
  bool found = false;
  store::Filter f;
  f.measureId = measure;
  f.region = region;
  f.organisation = organisation;
  store_.forEach(f, [&](const model::Implementation& impl) {
    if (!found && impl.region == region) {
      record = impl;
      found = true;
    }
  });
  if (!found) {
    ++counters_.badRequests;
    return jsonProblem(404, "no implementation of measure " + measure + " in region " + region +
                                " by \"" + organisation + "\" is in the hub: see /api/v1/measures");
  }
  intake::Scope acting = actor;
  acting.write = true;  // the role was checked above; what is left is the territory
  if (auto why = intake::writeRefusal(acting, record.region, record.sector)) {
    ++counters_.forbidden;
    return jsonProblem(403, *why);
  }
  model::Assignment* task = nullptr;
  if (!taskId.empty()) {
    for (auto& a : record.assignments)
      if (a.id == taskId) task = &a;
    if (!task) {
      ++counters_.badRequests;
      return jsonProblem(404, "the implementation has no task \"" + taskId +
                                  "\": see its tasks in /api/v1/measures");
    }
  }

  if (by.empty()) by = actor.id;
  auto& changes = task ? task->deadlineChanges : record.deadlineChanges;
  const model::Date original = task ? task->deadline : record.deadline;
  if (action == "request") {
    model::DeadlineChange c;
    c.previous = model::walkDeadlines(original, changes).deadline;
    c.deadline = *deadline;
    c.requestedBy = by;
    c.requestedOn = on;
    c.reason = reason;
    changes.push_back(std::move(c));
  } else if (action == "approve" || action == "reject") {
    // The change decided: the pending one asking for `deadline`, or the only pending one.
    model::DeadlineChange* pending = nullptr;
    std::size_t count = 0;
    for (auto& c : changes)
      if (c.decision == model::Decision::Pending && (!deadline || c.deadline == *deadline)) {
        pending = &c;
        ++count;
      }
    if (count != 1) {
      ++counters_.badRequests;
      return jsonProblem(
          409, count == 0 ? "there is no pending deadline change" +
                                std::string(deadline ? " asking for " + model::formatDate(*deadline)
                                                     : "") +
                                " to " + action +
                                ": see deadlineChanges in "
                                "/api/v1/measures"
                          : "several deadline changes are pending: name the one "
                            "to " +
                                action + " by its \"deadline\"");
    }
    pending->decision = action == "approve" ? model::Decision::Approved : model::Decision::Rejected;
    pending->decidedBy = by;
    pending->decidedOn = on;
  } else if (commenting) {
    model::Comment c{by, base::formatTimestamp(std::chrono::system_clock::now()),
                     lang.empty() ? "uz-Latn" : lang, text};
    (task ? task->comments : record.comments).push_back(std::move(c));
  } else {
    model::ControlEvent e;
    e.state = submitting           ? model::ControlStatus::Submitted
              : action == "verify" ? model::ControlStatus::Verified
              : action == "return" ? model::ControlStatus::Returned
                                   : model::ControlStatus::Removed;
    e.by = by;
    e.on = on;
    e.at = base::formatTimestamp(std::chrono::system_clock::now());
    e.reason = reason;
    if (submitting) {
      try {
        e.completed = dateMember(body, "completed", on);
      } catch (const std::exception& ex) {
        ++counters_.badRequests;
        return jsonProblem(400, ex.what());
      }
    }
    (task ? task->controlEvents : record.controlEvents).push_back(std::move(e));
  }

  // The actor's own revision of the implementation, one above its last.
  auto own = store_.get({actor.id, record.measure.id, record.region, record.organisation});
  record.source = actor.id;
  record.revision = own ? own->revision + 1 : 1;
  const std::int64_t revision = record.revision;
  intake::Incoming in;
  in.index = 1;
  in.measureId = record.measure.id;
  in.region = record.region;
  in.organisation = record.organisation;
  in.revision = record.revision;
  in.record = std::move(record);
  std::vector<intake::Incoming> records;
  records.push_back(std::move(in));
  auto result =
      intake::accept(acting, std::move(records), intake::Policy::request(),
                     {store_, settings_.sectors, model::today(), std::chrono::system_clock::now()});
  if (result.refusal) {
    ++counters_.forbidden;
    return jsonProblem(403, *result.refusal);
  }
  const auto& outcome = result.outcomes.at(0);
  if (outcome.verdict != intake::Verdict::Accepted) {
    ++counters_.rejected;
    return jsonProblem(422, "the " + action + " was not stored: " + outcome.reason);
  }
  ++counters_.accepted;
  if (settings_.onAccepted) settings_.onAccepted();
  return answer(201, json::object{{"action", action},
                                  {"measure", measure},
                                  {"region", region},
                                  {"organisation", organisation},
                                  {"task", taskId},
                                  {"source", actor.id},
                                  {"revision", revision}});
}

}  // namespace ijro::api
