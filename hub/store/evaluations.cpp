#include "hub/store/evaluations.hpp"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "hub/store/statements.hpp"
#include "hub/store/store.hpp"
#include "hub/store/text.hpp"

namespace ijro::store::detail {

namespace {

constexpr std::size_t kChunk = 500;

const char* const kSetFigures =
    "ev_stamp = :stamp, ev_status = :status, ev_rag = :rag, ev_delay = :delay, ev_deadline = "
    ":deadline, ev_early_warning = :early, ev_counts_for_delay = :counts, ev_due = :due, ev_tasks "
    "= :tasks, ev_tasks_overdue = :overdue, ev_tasks_done_on_time = :on_time, "
    "ev_tasks_done_late = :late, ev_tasks_due_soon = :soon, ev_tasks_due_or_finished = "
    ":due_or_finished, ev_tasks_cancelled = :cancelled, ev_tasks_suspended = :suspended";

// SQLite: one prepared UPDATE per row (no round trips).
void updateEach(soci::session& sql, const std::vector<FigureValues>& values) {
  static const std::string update =
      std::string("UPDATE implementation SET ") + kSetFigures + " WHERE id = :id";
  for (const auto& v : values)
    run(sql, update, soci::use(v.stamp), soci::use(v.status), soci::use(v.rag), soci::use(v.delay),
        soci::use(v.deadline), soci::use(v.earlyWarning), soci::use(v.countsForDelay),
        soci::use(v.due), soci::use(v.tasks), soci::use(v.overdue), soci::use(v.doneOnTime),
        soci::use(v.doneLate), soci::use(v.dueSoon), soci::use(v.dueOrFinished),
        soci::use(v.cancelled), soci::use(v.suspended), soci::use(v.id));
}

// PostgreSQL: one UPDATE for the whole chunk, every column an array parameter.
void updateAll(soci::session& sql, const std::vector<FigureValues>& values,
               const std::string& stamp) {
  static const std::string update =
      "UPDATE implementation SET ev_stamp = :stamp, ev_status = v.status, ev_rag = v.rag, "
      "ev_delay = v.delay, ev_deadline = v.deadline, ev_early_warning = v.early, "
      "ev_counts_for_delay = v.counts, ev_due = v.due, ev_tasks = v.tasks, ev_tasks_overdue = "
      "v.overdue, ev_tasks_done_on_time = v.on_time, ev_tasks_done_late = v.late, "
      "ev_tasks_due_soon = v.soon, ev_tasks_due_or_finished = v.due_or_finished, "
      "ev_tasks_cancelled = v.cancelled, ev_tasks_suspended = v.suspended FROM unnest(CAST(:ids "
      "AS BIGINT[]), CAST(:status AS TEXT[]), CAST(:rag AS TEXT[]), CAST(:delay AS BIGINT[]), "
      "CAST(:deadline AS TEXT[]), CAST(:early AS INTEGER[]), CAST(:counts AS INTEGER[]), "
      "CAST(:due AS INTEGER[]), CAST(:tasks AS INTEGER[]), CAST(:overdue AS INTEGER[]), "
      "CAST(:on_time AS INTEGER[]), CAST(:late AS INTEGER[]), CAST(:soon AS INTEGER[]), "
      "CAST(:due_or_finished AS INTEGER[]), CAST(:cancelled AS INTEGER[]), CAST(:suspended AS "
      "INTEGER[])) AS v(id, status, rag, delay, deadline, early, counts, due, tasks, overdue, "
      "on_time, late, soon, due_or_finished, cancelled, suspended) WHERE implementation.id = v.id";
  std::vector<std::string> status, rag, deadline;
  std::string ids, delay, early, counts, due, tasks, overdue, onTime, late, soon, dueOrFinished,
      cancelled, suspended;
  auto add = [](std::string& list, long long n) {
    list += (list.empty() ? "" : ",") + std::to_string(n);
  };
  for (const auto& v : values) {
    add(ids, v.id);
    status.push_back(v.status);
    rag.push_back(v.rag);
    deadline.push_back(v.deadline);
    add(delay, v.delay);
    add(early, v.earlyWarning);
    add(counts, v.countsForDelay);
    add(due, v.due);
    add(tasks, v.tasks);
    add(overdue, v.overdue);
    add(onTime, v.doneOnTime);
    add(late, v.doneLate);
    add(soon, v.dueSoon);
    add(dueOrFinished, v.dueOrFinished);
    add(cancelled, v.cancelled);
    add(suspended, v.suspended);
  }
  auto array = [](const std::string& list) { return "{" + list + "}"; };
  const std::string a[] = {array(ids),
                           pgTextArray(status),
                           pgTextArray(rag),
                           array(delay),
                           pgTextArray(deadline),
                           array(early),
                           array(counts),
                           array(due),
                           array(tasks),
                           array(overdue),
                           array(onTime),
                           array(late),
                           array(soon),
                           array(dueOrFinished),
                           array(cancelled),
                           array(suspended)};
  run(sql, update, soci::use(stamp), soci::use(a[0]), soci::use(a[1]), soci::use(a[2]),
      soci::use(a[3]), soci::use(a[4]), soci::use(a[5]), soci::use(a[6]), soci::use(a[7]),
      soci::use(a[8]), soci::use(a[9]), soci::use(a[10]), soci::use(a[11]), soci::use(a[12]),
      soci::use(a[13]), soci::use(a[14]), soci::use(a[15]));
}

}  // namespace

const char* const kStaleCondition =
    "is_current = 1 AND (ev_stamp < :s1 OR ev_stamp > :s2 OR ev_stamp IS NULL)";

std::string statusStamp(model::Date day, const model::StatusRules& rules) {
  return model::formatDate(day) + " " + model::fingerprint(rules);
}

void storeEvaluations(soci::session& sql, const std::vector<Loaded>& rows, model::Date day,
                      const model::StatusRules& rules, const std::string& stamp) {
  std::vector<FigureValues> values;
  values.reserve(rows.size());
  for (const auto& r : rows) {
    try {
      values.emplace_back(r.id, stamp, model::figuresOf(model::evaluate(r.impl, day, rules)));
    } catch (const std::exception& e) {
      // Left without figures: the read side evaluates it itself (the stamp stays stale).
      spdlog::warn("store: implementation row {} could not be evaluated: {}", r.id, e.what());
    }
  }
  if (values.empty()) return;
  if (sql.get_backend_name() == "postgresql")
    updateAll(sql, values, stamp);
  else
    updateEach(sql, values);
}

namespace {

bool hasControlEvents(const model::Implementation& x) {
  if (!x.controlEvents.empty()) return true;
  for (const auto& a : x.assignments)
    if (!a.controlEvents.empty()) return true;
  return false;
}

// The figures of a row known to be its implementation's only one.
std::optional<FigureValues> evaluatedAlone(const model::Implementation& stored,
                                           const StatusAsOf& asOf) {
  try {
    return FigureValues(0, asOf.stamp,
                        model::figuresOf(model::evaluate(stored, asOf.day, *asOf.rules)));
  } catch (const std::exception&) {
    return std::nullopt;  // evaluated after writing, which warns
  }
}

}  // namespace

std::optional<FigureValues> figuresOfNewRow(const model::Implementation& stored, long long others,
                                            const StatusAsOf& asOf) {
  if (others != 0 || hasControlEvents(stored)) return std::nullopt;
  return evaluatedAlone(stored, asOf);
}

void evaluateImplementationsOf(soci::session& sql, const std::vector<long long>& ids,
                               model::Date day, const model::StatusRules& rules) {
  std::vector<long long> unique = ids;
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  const std::string stamp = statusStamp(day, rules);
  for (std::size_t from = 0; from < unique.size(); from += kChunk) {
    const std::vector<long long> chunk(
        unique.begin() + static_cast<std::ptrdiff_t>(from),
        unique.begin() + static_cast<std::ptrdiff_t>(std::min(unique.size(), from + kChunk)));
    std::string condition;
    const std::string list = idListParameter(sql, chunk, condition, "o.id");
    std::vector<Loaded> rows;
    readRows(sql,
             std::string("SELECT ") + kRowColumns +
                 " FROM implementation WHERE id IN (SELECT s.id FROM implementation o JOIN "
                 "implementation s ON s.measure_id = o.measure_id AND s.region = o.region AND "
                 "s.organisation_key = o.organisation_key WHERE " +
                 condition + ")",
             {list}, rows);
    loadChildren(sql, rows);
    storeEvaluations(sql, rows, day, rules, stamp);
  }
}

std::unordered_map<long long, model::StatusFigures> readFigures(soci::session& sql,
                                                                const std::vector<long long>& ids) {
  std::unordered_map<long long, model::StatusFigures> out;
  for (std::size_t from = 0; from < ids.size(); from += kChunk) {
    const std::vector<long long> chunk(
        ids.begin() + static_cast<std::ptrdiff_t>(from),
        ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), from + kChunk)));
    std::string condition;
    const std::string list = idListParameter(sql, chunk, condition, "id");
    long long id = 0, delay = 0;
    std::string status, rag, deadline;
    int early = 0, counts = 0, due = 0;
    long long n[8] = {};
    soci::indicator ind[4] = {};
    Statement st(sql,
                 "SELECT id, ev_status, ev_rag, ev_delay, ev_deadline, ev_early_warning, "
                 "ev_counts_for_delay, ev_due, ev_tasks, ev_tasks_overdue, ev_tasks_done_on_time, "
                 "ev_tasks_done_late, ev_tasks_due_soon, ev_tasks_due_or_finished, "
                 "ev_tasks_cancelled, ev_tasks_suspended FROM implementation WHERE ev_stamp IS "
                 "NOT NULL AND " +
                     condition);
    st, soci::into(id), soci::into(status, ind[0]), soci::into(rag, ind[1]), soci::into(delay),
        soci::into(deadline, ind[2]), soci::into(early, ind[3]), soci::into(counts),
        soci::into(due);
    for (auto& v : n) st, soci::into(v);
    st, soci::use(list);
    while (st.fetch()) {
      if (ind[0] != soci::i_ok || ind[1] != soci::i_ok || ind[2] != soci::i_ok ||
          ind[3] != soci::i_ok)
        continue;
      auto s = model::executionStatusFromString(status);
      auto r = model::ragFromString(rag);
      auto d = model::parseDate(deadline);
      if (!s || !r || !d) continue;
      model::StatusFigures f;
      f.status = *s;
      f.rag = *r;
      f.delayDays = static_cast<long>(delay);
      f.deadline = *d;
      f.earlyWarning = early != 0;
      f.countsForDelay = counts != 0;
      f.due = due != 0;
      f.tasksTotal = static_cast<std::size_t>(n[0]);
      f.tasksOverdue = static_cast<std::size_t>(n[1]);
      f.tasksDoneOnTime = static_cast<std::size_t>(n[2]);
      f.tasksDoneLate = static_cast<std::size_t>(n[3]);
      f.tasksDueSoon = static_cast<std::size_t>(n[4]);
      f.tasksDueOrFinished = static_cast<std::size_t>(n[5]);
      f.tasksCancelled = static_cast<std::size_t>(n[6]);
      f.tasksSuspended = static_cast<std::size_t>(n[7]);
      out[id] = f;
    }
  }
  return out;
}

}  // namespace ijro::store::detail
