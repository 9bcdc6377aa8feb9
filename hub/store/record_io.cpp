#include "hub/store/record_io.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "hub/base/sha256.hpp"
#include "hub/store/revision_facts.hpp"
#include "hub/store/statements.hpp"
#include "hub/store/store.hpp"
#include "hub/store/text.hpp"

namespace ijro::store::detail {

namespace {

using model::Date;

// ---- validation -------------------------------------------------------------------------------

// A field's name for a message, in up to three parts joined only when there is a problem (most
// records have none, and the checks run for every record written).
struct Field {
  Field(const char* a) : head(a) {}         // NOLINT(google-explicit-constructor): a plain name
  Field(const std::string& a) : head(a) {}  // NOLINT(google-explicit-constructor)
  Field(std::string_view a, std::string_view b, std::string_view c = {})
      : head(a), mid(b), tail(c) {}
  std::string str() const {
    std::string s(head);
    s += mid;
    s += tail;
    return s;
  }
  std::string_view head, mid, tail;
};

class Checker {
 public:
  static bool clean(const std::string& v) {
    return v.find('\0') == std::string::npos && isValidUtf8(v);
  }
  void text(const Field& field, const std::string& v) {
    if (problem_ || clean(v)) return;
    if (v.find('\0') != std::string::npos)
      problem_ = field.str() + " contains a NUL character";
    else
      problem_ = field.str() + " is not valid UTF-8";
  }
  void number(const Field& field, double v) {
    if (!problem_ && !std::isfinite(v)) problem_ = field.str() + " is not a finite number";
  }
  void number(const Field& field, const std::optional<double>& v) {
    if (v) number(field, *v);
  }
  void date(const Field& field, Date d) {
    std::chrono::year_month_day ymd{d};
    if (!problem_ && (ymd.year() < std::chrono::year{1} || ymd.year() > std::chrono::year{9999}))
      problem_ = field.str() + " is outside the years 0001..9999";
  }
  void date(const Field& field, const std::optional<Date>& d) {
    if (d) date(field, *d);
  }
  void change(std::string_view field, const model::DeadlineChange& c) {
    date({field, " previous"}, c.previous);
    date({field, " deadline"}, c.deadline);
    text({field, " requested by"}, c.requestedBy);
    date({field, " requested on"}, c.requestedOn);
    text({field, " decided by"}, c.decidedBy);
    date({field, " decided on"}, c.decidedOn);
    text({field, " reason"}, c.reason);
  }
  void titles(std::string_view field, const model::Translations& list) {
    for (const auto& t : list) {
      text({field, " language"}, t.lang);
      if (!problem_ && !clean(t.text)) text(std::string(field) + " (" + t.lang + ")", t.text);
    }
  }
  void events(std::string_view field, const std::vector<model::ControlEvent>& list) {
    for (const auto& e : list) {
      text({field, " by"}, e.by);
      date({field, " date"}, e.on);
      text({field, " time"}, e.at);
      date({field, " completed"}, e.completed);
      text({field, " reason"}, e.reason);
    }
  }
  void comments(std::string_view field, const std::vector<model::Comment>& list) {
    for (const auto& c : list) {
      text({field, " author"}, c.author);
      text({field, " time"}, c.at);
      text({field, " language"}, c.lang);
      text({field, " text"}, c.text);
    }
  }
  const std::optional<std::string>& problem() const { return problem_; }

 private:
  std::optional<std::string> problem_;
};

// ---- conversions ------------------------------------------------------------------------------

std::string iso(Date d) {
  return model::formatDate(d);
}

Date dateFrom(const std::string& s, const char* what) {
  auto d = model::parseDate(s);
  if (!d) throw StoreError("store: corrupt " + std::string(what) + " '" + s + "' in the database");
  return *d;
}

std::optional<Date> optionalDate(const std::string& s, soci::indicator ind, const char* what) {
  if (ind != soci::i_ok) return std::nullopt;
  return dateFrom(s, what);
}

std::optional<double> optionalReal(double v, soci::indicator ind) {
  if (ind != soci::i_ok) return std::nullopt;
  return v;
}

// Column values of an implementation row, kept alive while SOCI binds them.
struct RowValues {
  std::string source, measureId, region, organisation, sector;
  long long revision = 0;
  std::string lifecycle, start, deadline, completed;
  soci::indicator completedInd = soci::i_null;
  std::string title, actType, actNumber, actDate, actItem, note, search, fingerprint, receivedAt;

  RowValues(const model::Implementation& x, std::string fp, std::string at)
      : source(x.source),
        measureId(x.measure.id),
        region(x.region),
        organisation(x.organisation),
        sector(x.sector),
        revision(x.revision),
        lifecycle(model::toString(x.lifecycle)),
        start(iso(x.start)),
        deadline(iso(x.deadline)),
        completed(x.completed ? iso(*x.completed) : std::string()),
        completedInd(x.completed ? soci::i_ok : soci::i_null),
        title(x.measure.title),
        actType(x.measure.act.type),
        actNumber(x.measure.act.number),
        actDate(iso(x.measure.act.date)),
        actItem(x.measure.act.item),
        note(x.note),
        search(searchTextOf(x)),
        fingerprint(std::move(fp)),
        receivedAt(std::move(at)) {}
};

// Rows of deadline_change or assignment_deadline_change, for a bulk insert.
struct ChangeRows {
  std::vector<long long> owner;
  std::vector<int> ownerPos, pos;
  std::vector<std::string> previous, deadline, requestedBy, requestedOn, reason, decision,
      decidedBy, decidedOn;
  std::vector<soci::indicator> requestedOnInd, decidedOnInd;

  void add(long long id, int parent, int p, const model::DeadlineChange& c) {
    owner.push_back(id);
    ownerPos.push_back(parent);
    pos.push_back(p);
    previous.push_back(iso(c.previous));
    deadline.push_back(iso(c.deadline));
    requestedBy.push_back(c.requestedBy);
    requestedOn.push_back(c.requestedOn ? iso(*c.requestedOn) : std::string());
    requestedOnInd.push_back(c.requestedOn ? soci::i_ok : soci::i_null);
    reason.push_back(c.reason);
    decision.push_back(model::toString(c.decision));
    decidedBy.push_back(c.decidedBy);
    decidedOn.push_back(c.decidedOn ? iso(*c.decidedOn) : std::string());
    decidedOnInd.push_back(c.decidedOn ? soci::i_ok : soci::i_null);
  }
  void truncate(std::size_t n);
};

// Canonical text of a journal entry, hashed into its digest: length-prefixed, so that no two
// entries share one.
class EntryText {
 public:
  EntryText& operator<<(std::string_view s) {
    text_ += std::to_string(s.size());
    text_ += ':';
    text_ += s;
    return *this;
  }
  std::string digest() const { return base::sha256Hex(text_); }

 private:
  std::string text_;
};

std::string digestOf(const model::ControlEvent& e) {
  EntryText t;
  t << model::toString(e.state) << e.by << iso(e.on) << e.at
    << (e.completed ? iso(*e.completed) : std::string()) << e.reason;
  return t.digest();
}

std::string digestOf(const model::Comment& c) {
  EntryText t;
  t << c.author << c.at << c.lang << c.text;
  return t.digest();
}

// The ids of a chunk as ONE bound parameter: binding hundreds of named parameters costs SOCI's
// SQLite backend a name lookup each (quadratic), and re-preparing statements of varying length.
std::string idList(soci::session& sql, const std::vector<long long>& ids, std::string& condition,
                   const std::string& column = "implementation_id") {
  std::string list;
  for (const auto& id : ids) {
    if (!list.empty()) list += ',';
    list += std::to_string(id);
  }
  if (sql.get_backend_name() == "postgresql") {
    condition = column + " = ANY(CAST(:ids AS BIGINT[]))";
    return "{" + list + "}";
  }
  condition = column + " IN (SELECT value FROM json_each(:ids))";
  return "[" + list + "]";
}

// Runs "SELECT <columns> FROM <table> WHERE implementation_id IN (ids) ORDER BY <order>",
// calling row() after each fetched row. bind() adds the into() targets.
template <typename Bind, typename Row>
void selectChildren(soci::session& sql, const std::string& columns, const std::string& table,
                    const std::string& order, const std::vector<long long>& ids, Bind bind,
                    Row row) {
  std::string condition;
  const std::string list = idList(sql, ids, condition);
  std::string q = "SELECT implementation_id, " + columns + " FROM " + table + " WHERE " +
                  condition + " ORDER BY " + order;
  long long owner = 0;
  Statement st(sql, q);
  st, soci::into(owner);
  bind(st);
  st, soci::use(list);
  while (st.fetch()) row(owner);
}

// The other source rows of each loaded row's implementation (same measure, region and
// organisation key): one index probe per row, once per chunk, shared by the journals and the
// deadline decisions below. Most implementations have one source, and then nothing more is read.
struct Siblings {
  // Per loaded row, its siblings, oldest report first (reported sequence, then id).
  std::unordered_map<long long, std::vector<long long>> of;
  // Per sibling, the loaded rows it is a sibling of.
  std::unordered_map<long long, std::vector<long long>> owners;
  std::vector<long long> ids;  // every sibling once
};

Siblings findSiblings(soci::session& sql, const std::vector<long long>& ids) {
  // Of an implementation's rows exactly one is current, so a store without a row that is not
  // current (every implementation reported by one source, the common case) has no siblings:
  // one index lookup answers that for a whole page instead of a probe per row.
  if (ids.size() > 1) {
    int others = 0;
    run(sql, "SELECT count(*) FROM (SELECT 1 FROM implementation WHERE is_current = 0 LIMIT 1) x",
        soci::into(others));
    if (others == 0) return {};
  }
  std::string condition;
  const std::string list = idList(sql, ids, condition, "o.id");
  const std::string q =
      "SELECT o.id, s.id FROM implementation o JOIN implementation s ON s.measure_id = "
      "o.measure_id AND s.region = o.region AND s.organisation_key = o.organisation_key AND "
      "s.id <> o.id WHERE " +
      condition + " ORDER BY o.id, s.reported_seq, s.id";
  long long owner = 0, sibling = 0;
  Statement st(sql, q);
  st, soci::into(owner), soci::into(sibling), soci::use(list);
  Siblings out;
  while (st.fetch()) {
    out.of[owner].push_back(sibling);
    auto& owners = out.owners[sibling];
    if (owners.empty()) out.ids.push_back(sibling);
    owners.push_back(owner);
  }
  return out;
}

// The journal entries (`table`) of every source's row of the same implementation as each of `ids`
// (its own and its siblings'), each entry once (by task and digest), calling row(owner) per
// entry: a decision a controller reported under its own token shows in the implementation
// whichever source's row is current. `columns` and `order` name the journal's columns with the
// prefix "j."; each owner gets its entries in that order.
template <typename Bind, typename Row>
void selectJournal(soci::session& sql, const std::string& columns, const std::string& table,
                   const std::string& order, const std::vector<long long>& ids,
                   const Siblings& siblings, Bind bind, Row row) {
  std::vector<long long> all = ids;
  all.insert(all.end(), siblings.ids.begin(), siblings.ids.end());
  const std::unordered_set<long long> own(ids.begin(), ids.end());
  std::string condition;
  const std::string list = idList(sql, all, condition, "j.implementation_id");
  const std::string q = "SELECT j.implementation_id, j.task_id || ' ' || j.digest, " + columns +
                        " FROM " + table + " j WHERE " + condition + " ORDER BY " + order;
  long long holder = 0;
  std::string entry;
  Statement st(sql, q);
  st, soci::into(holder), soci::into(entry);
  bind(st);
  st, soci::use(list);
  std::set<std::pair<long long, std::string>> seen;
  while (st.fetch()) {
    if (own.count(holder) && seen.emplace(holder, entry).second) row(holder);
    if (auto it = siblings.owners.find(holder); it != siblings.owners.end())
      for (long long owner : it->second)
        if (seen.emplace(owner, entry).second) row(owner);
  }
}

model::Implementation& byId(std::unordered_map<long long, model::Implementation*>& index,
                            long long id) {
  auto it = index.find(id);
  if (it == index.end())
    throw StoreError("store: child row for an unexpected implementation id in the database");
  return *it->second;
}

void checkPosition(std::size_t expected, int got, const char* table) {
  if (got < 0 || static_cast<std::size_t>(got) != expected)
    throw StoreError(std::string("store: corrupt positions in table ") + table);
}

constexpr std::size_t kChildChunk = 500;

// One fetched row of deadline_change or assignment_deadline_change (the columns kColumns
// names, in that order), bound into a query and turned into a model::DeadlineChange.
struct ChangeFetch {
  static constexpr const char* kColumns =
      "previous, deadline, requested_by, requested_on, reason, decision, decided_by, decided_on";
  std::string previous, deadline, requestedBy, requestedOn, reason, decision, decidedBy, decidedOn;
  soci::indicator requestedOnInd = soci::i_null, decidedOnInd = soci::i_null;

  template <typename Target>
  void bind(Target& p) {
    p, soci::into(previous), soci::into(deadline), soci::into(requestedBy),
        soci::into(requestedOn, requestedOnInd), soci::into(reason), soci::into(decision),
        soci::into(decidedBy), soci::into(decidedOn, decidedOnInd);
  }
  model::DeadlineChange change() const {
    model::DeadlineChange c;
    c.previous = dateFrom(previous, "deadline change");
    c.deadline = dateFrom(deadline, "deadline change");
    c.requestedBy = requestedBy;
    c.requestedOn = optionalDate(requestedOn, requestedOnInd, "request date");
    c.reason = reason;
    auto d = model::decisionFromString(decision);
    if (!d) throw StoreError("store: unknown decision '" + decision + "' in the database");
    c.decision = *d;
    c.decidedBy = decidedBy;
    c.decidedOn = optionalDate(decidedOn, decidedOnInd, "decision date");
    return c;
  }
};

// Deadline changes across sources, like the journals: a person asks for a change or decides one
// under their own token (their own row of the implementation), and it must show whichever
// source's row is current. So a row gains every change another source's row of the same
// implementation holds that it lacks (same task, same previous deadline, same deadline asked
// for), after its own, and a change still pending in it takes the decision another row holds
// for the same change (the first found, oldest row first).
void mergeSiblingDeadlineChanges(soci::session& sql, const Siblings& siblings,
                                 std::unordered_map<long long, model::Implementation*>& index) {
  if (siblings.ids.empty()) return;
  std::string condition;
  const std::string list = idList(sql, siblings.ids, condition, "d.implementation_id");
  // The list is bound twice, once per half of the union, under two names.
  std::string taskCondition = condition;
  taskCondition.replace(taskCondition.find(":ids"), 4, ":task_ids");
  const std::string columns =
      "d.previous, d.deadline, d.requested_by, d.requested_on, d.reason, d.decision, "
      "d.decided_by, d.decided_on";
  const std::string q = "SELECT d.implementation_id, '', " + columns +
                        ", d.pos FROM "
                        "deadline_change d WHERE " +
                        condition + " UNION ALL SELECT d.implementation_id, a.assignment_id, " +
                        columns +
                        ", d.pos FROM assignment_deadline_change d JOIN assignment a ON "
                        "a.implementation_id = d.implementation_id AND a.pos = d.assignment_pos "
                        "WHERE " +
                        taskCondition + " ORDER BY 1, 11";
  struct Held {
    std::string taskId;
    model::DeadlineChange change;
  };
  std::unordered_map<long long, std::vector<Held>> held;  // per sibling, in order
  {
    long long holder = 0;
    int pos = 0;
    std::string taskId;
    ChangeFetch row;
    Statement st(sql, q);
    st, soci::into(holder), soci::into(taskId);
    row.bind(st);
    st, soci::into(pos), soci::use(list), soci::use(list);
    while (st.fetch()) held[holder].push_back({taskId, row.change()});
  }
  if (held.empty()) return;
  // One sibling's change into the row: added when the row lacks it, its decision taken when the
  // row's is still pending.
  auto merge = [](model::Implementation& impl, const Held& h) {
    std::vector<model::DeadlineChange>* changes = &impl.deadlineChanges;
    if (!h.taskId.empty()) {
      changes = nullptr;
      for (auto& a : impl.assignments)
        if (a.id == h.taskId) changes = &a.deadlineChanges;
      if (!changes) return;  // a task the current row no longer has
    }
    const model::DeadlineChange& c = h.change;
    auto same = std::find_if(changes->begin(), changes->end(), [&](const auto& x) {
      return x.previous == c.previous && x.deadline == c.deadline;
    });
    if (same == changes->end()) {
      changes->push_back(c);
    } else if (same->decision == model::Decision::Pending &&
               c.decision != model::Decision::Pending) {
      same->decision = c.decision;
      same->decidedBy = c.decidedBy;
      same->decidedOn = c.decidedOn;
    }
  };
  for (const auto& [owner, theirs] : siblings.of) {
    auto& impl = byId(index, owner);
    for (long long sibling : theirs)
      if (auto it = held.find(sibling); it != held.end())
        for (const auto& h : it->second) merge(impl, h);
  }
}

void loadChunk(soci::session& sql, std::vector<Loaded>& rows, std::size_t from, std::size_t to,
               Decisions decisions) {
  std::vector<long long> ids;
  std::unordered_map<long long, model::Implementation*> index;
  for (std::size_t i = from; i < to; ++i) {
    ids.push_back(rows[i].id);
    index[rows[i].id] = &rows[i].impl;
  }

  ChangeFetch fetched;
  auto bindChange = [&](auto& p) { fetched.bind(p); };
  auto change = [&] { return fetched.change(); };
  const std::string changeColumns = ChangeFetch::kColumns;

  selectChildren(sql, changeColumns, "deadline_change", "implementation_id, pos", ids, bindChange,
                 [&](long long owner) { byId(index, owner).deadlineChanges.push_back(change()); });

  {
    int pos = 0, ascending = 1;
    std::string code, name, unit;
    double baseline = 0;
    selectChildren(
        sql, "pos, code, name, unit, ascending, baseline", "indicator", "implementation_id, pos",
        ids,
        [&](auto& p) {
          p, soci::into(pos), soci::into(code), soci::into(name), soci::into(unit),
              soci::into(ascending), soci::into(baseline);
        },
        [&](long long owner) {
          auto& impl = byId(index, owner);
          checkPosition(impl.indicators.size(), pos, "indicator");
          impl.indicators.push_back({code, name, unit, ascending != 0, baseline, {}});
        });
  }
  {
    int indicatorPos = 0;
    std::string start, end;
    double target = 0, actual = 0, numerator = 0, denominator = 0;
    soci::indicator targetInd = soci::i_null, actualInd = soci::i_null, numeratorInd = soci::i_null,
                    denominatorInd = soci::i_null;
    selectChildren(
        sql, "indicator_pos, start_date, end_date, target, actual, numerator, denominator",
        "indicator_period", "implementation_id, indicator_pos, pos", ids,
        [&](auto& p) {
          p, soci::into(indicatorPos), soci::into(start), soci::into(end),
              soci::into(target, targetInd), soci::into(actual, actualInd),
              soci::into(numerator, numeratorInd), soci::into(denominator, denominatorInd);
        },
        [&](long long owner) {
          auto& impl = byId(index, owner);
          if (indicatorPos < 0 || static_cast<std::size_t>(indicatorPos) >= impl.indicators.size())
            throw StoreError("store: indicator period without its indicator in the database");
          model::IndicatorPeriod period;
          period.start = dateFrom(start, "period start");
          period.end = dateFrom(end, "period end");
          period.target = optionalReal(target, targetInd);
          period.actual = optionalReal(actual, actualInd);
          period.numerator = optionalReal(numerator, numeratorInd);
          period.denominator = optionalReal(denominator, denominatorInd);
          impl.indicators[static_cast<std::size_t>(indicatorPos)].periods.push_back(
              std::move(period));
        });
  }
  {
    int indicatorPos = 0, periodPos = 0;
    std::string dimension, category;
    double target = 0, actual = 0, numerator = 0, denominator = 0;
    soci::indicator targetInd = soci::i_null, actualInd = soci::i_null, numeratorInd = soci::i_null,
                    denominatorInd = soci::i_null;
    selectChildren(
        sql,
        "indicator_pos, period_pos, dimension, category, target, actual, numerator, denominator",
        "indicator_breakdown", "implementation_id, indicator_pos, period_pos, pos", ids,
        [&](auto& p) {
          p, soci::into(indicatorPos), soci::into(periodPos), soci::into(dimension),
              soci::into(category), soci::into(target, targetInd), soci::into(actual, actualInd),
              soci::into(numerator, numeratorInd), soci::into(denominator, denominatorInd);
        },
        [&](long long owner) {
          auto& impl = byId(index, owner);
          if (indicatorPos < 0 || static_cast<std::size_t>(indicatorPos) >= impl.indicators.size())
            throw StoreError("store: indicator breakdown without its indicator in the database");
          auto& periods = impl.indicators[static_cast<std::size_t>(indicatorPos)].periods;
          if (periodPos < 0 || static_cast<std::size_t>(periodPos) >= periods.size())
            throw StoreError("store: indicator breakdown without its period in the database");
          periods[static_cast<std::size_t>(periodPos)].breakdowns.push_back(
              {dimension, category, optionalReal(target, targetInd),
               optionalReal(actual, actualInd), optionalReal(numerator, numeratorInd),
               optionalReal(denominator, denominatorInd)});
        });
  }
  {
    int pos = 0;
    std::string id, parentId, assignee, title, due, control, completed;
    soci::indicator completedInd = soci::i_null;
    selectChildren(
        sql, "pos, assignment_id, parent_id, assignee, title, deadline, control, completed",
        "assignment", "implementation_id, pos", ids,
        [&](auto& p) {
          p, soci::into(pos), soci::into(id), soci::into(parentId), soci::into(assignee),
              soci::into(title), soci::into(due), soci::into(control),
              soci::into(completed, completedInd);
        },
        [&](long long owner) {
          auto& impl = byId(index, owner);
          checkPosition(impl.assignments.size(), pos, "assignment");
          auto status = model::controlStatusFromString(control);
          if (!status) throw StoreError("store: unknown control status '" + control + "'");
          model::Assignment a;
          a.id = id;
          a.parentId = parentId;
          a.assignee = assignee;
          a.title = title;
          a.deadline = dateFrom(due, "assignment deadline");
          a.control = *status;
          a.completed = optionalDate(completed, completedInd, "completion date");
          impl.assignments.push_back(std::move(a));
        });
  }
  {
    int assignmentPos = 0;
    selectChildren(
        sql, "assignment_pos, " + changeColumns, "assignment_deadline_change",
        "implementation_id, assignment_pos, pos", ids,
        [&](auto& p) {
          p, soci::into(assignmentPos);
          bindChange(p);
        },
        [&](long long owner) {
          auto& impl = byId(index, owner);
          if (assignmentPos < 0 ||
              static_cast<std::size_t>(assignmentPos) >= impl.assignments.size())
            throw StoreError("store: assignment deadline change without its assignment");
          impl.assignments[static_cast<std::size_t>(assignmentPos)].deadlineChanges.push_back(
              change());
        });
  }
  {
    std::string url, title, format, date, uploader, sha256;
    long long size = 0;
    soci::indicator sizeInd = soci::i_null;
    selectChildren(
        sql, "url, title, format, doc_date, uploader, sha256, size", "evidence",
        "implementation_id, pos", ids,
        [&](auto& p) {
          p, soci::into(url), soci::into(title), soci::into(format), soci::into(date),
              soci::into(uploader), soci::into(sha256), soci::into(size, sizeInd);
        },
        [&](long long owner) {
          model::Evidence e{url,      title,  format,      dateFrom(date, "evidence date"),
                            uploader, sha256, std::nullopt};
          if (sizeInd == soci::i_ok) e.size = size;
          byId(index, owner).evidence.push_back(std::move(e));
        });
  }
  {
    int assignmentPos = 0;
    std::string lang, text;
    selectChildren(
        sql, "assignment_pos, lang, text", "title_translation",
        "implementation_id, assignment_pos, pos", ids,
        [&](auto& p) { p, soci::into(assignmentPos), soci::into(lang), soci::into(text); },
        [&](long long owner) {
          auto& impl = byId(index, owner);
          if (assignmentPos == -1) {
            impl.measure.titles.push_back({lang, text});
            return;
          }
          if (assignmentPos < 0 ||
              static_cast<std::size_t>(assignmentPos) >= impl.assignments.size())
            throw StoreError("store: title translation without its assignment");
          impl.assignments[static_cast<std::size_t>(assignmentPos)].titles.push_back({lang, text});
        });
  }
  const Siblings siblings = findSiblings(sql, ids);
  if (decisions == Decisions::WithSiblings) mergeSiblingDeadlineChanges(sql, siblings, index);
  // Journal entries of a task attach to the assignment with that id in the current revision; an
  // entry of a task the current revision no longer has stays stored but has nowhere to show.
  auto task = [](model::Implementation& impl, const std::string& taskId) -> model::Assignment* {
    auto it = std::find_if(impl.assignments.begin(), impl.assignments.end(),
                           [&](const model::Assignment& a) { return a.id == taskId; });
    return it == impl.assignments.end() ? nullptr : &*it;
  };
  {
    std::string taskId, state, by, on, at, completed, why;
    soci::indicator completedInd = soci::i_null;
    // In the order of their dates; entries of one day in the order they arrived.
    selectJournal(
        sql, "j.task_id, j.state, j.by_whom, j.on_date, j.at_time, j.completed, j.reason",
        "journal_control_event", "j.on_date, j.id", ids, siblings,
        [&](auto& p) {
          p, soci::into(taskId), soci::into(state), soci::into(by), soci::into(on), soci::into(at),
              soci::into(completed, completedInd), soci::into(why);
        },
        [&](long long owner) {
          auto& impl = byId(index, owner);
          auto st = model::controlStatusFromString(state);
          if (!st) throw StoreError("store: unknown control event state '" + state + "'");
          model::ControlEvent e{*st,
                                by,
                                dateFrom(on, "control event date"),
                                at,
                                optionalDate(completed, completedInd, "completion date"),
                                why};
          if (taskId.empty())
            impl.controlEvents.push_back(std::move(e));
          else if (auto* a = task(impl, taskId))
            a->controlEvents.push_back(std::move(e));
        });
  }
  {
    std::string taskId, author, at, lang, body;
    selectJournal(
        sql, "j.task_id, j.author, j.at_time, j.lang, j.body", "journal_comment", "j.id", ids,
        siblings,
        [&](auto& p) {
          p, soci::into(taskId), soci::into(author), soci::into(at), soci::into(lang),
              soci::into(body);
        },
        [&](long long owner) {
          auto& impl = byId(index, owner);
          model::Comment c{author, at, lang, body};
          if (taskId.empty())
            impl.comments.push_back(std::move(c));
          else if (auto* a = task(impl, taskId))
            a->comments.push_back(std::move(c));
        });
  }
}

}  // namespace

// ---- validation and search text ---------------------------------------------------------------

std::optional<std::string> unstorable(const model::Implementation& x) {
  if (x.source.empty())
    return std::string("source is not set: the hub sets it from the authenticated sender");
  Checker c;
  c.text("source", x.source);
  c.text("measure id", x.measure.id);
  c.text("title", x.measure.title);
  c.text("act type", x.measure.act.type);
  c.text("act number", x.measure.act.number);
  c.date("act date", x.measure.act.date);
  c.text("act item", x.measure.act.item);
  c.text("region", x.region);
  c.text("organisation", x.organisation);
  c.text("sector", x.sector);
  c.date("start", x.start);
  c.date("deadline", x.deadline);
  c.date("completed", x.completed);
  for (std::size_t i = 0; i < x.deadlineChanges.size(); ++i)
    c.change("deadline change " + std::to_string(i + 1), x.deadlineChanges[i]);
  c.titles("title", x.measure.titles);
  c.events("control event", x.controlEvents);
  c.comments("comment", x.comments);
  for (const auto& ind : x.indicators) {
    std::string name = "indicator " + ind.code;
    c.text("indicator code", ind.code);
    c.text({name, " name"}, ind.name);
    c.text({name, " unit"}, ind.unit);
    c.number({name, " baseline"}, ind.baseline);
    // A period's or a breakdown's figures (part: "" or " breakdown").
    auto figures = [&](std::string_view part, const auto& f) {
      c.number({name, part, " target"}, f.target);
      c.number({name, part, " actual"}, f.actual);
      c.number({name, part, " numerator"}, f.numerator);
      c.number({name, part, " denominator"}, f.denominator);
    };
    for (const auto& p : ind.periods) {
      c.date({name, " period start"}, p.start);
      c.date({name, " period end"}, p.end);
      figures("", p);
      for (const auto& b : p.breakdowns) {
        c.text({name, " breakdown dimension"}, b.dimension);
        c.text({name, " breakdown category"}, b.category);
        figures(" breakdown", b);
      }
    }
  }
  for (const auto& a : x.assignments) {
    std::string name = "assignment " + a.id;
    c.text("assignment id", a.id);
    c.text({name, " parent"}, a.parentId);
    c.text({name, " assignee"}, a.assignee);
    c.text({name, " title"}, a.title);
    c.date({name, " deadline"}, a.deadline);
    c.date({name, " completed"}, a.completed);
    for (std::size_t i = 0; i < a.deadlineChanges.size(); ++i)
      c.change(name + " deadline change " + std::to_string(i + 1), a.deadlineChanges[i]);
    c.titles(name + " title", a.titles);
    c.events(name + " control event", a.controlEvents);
    c.comments(name + " comment", a.comments);
  }
  for (const auto& e : x.evidence) {
    c.text("evidence url", e.url);
    c.text("evidence title", e.title);
    c.text("evidence format", e.format);
    c.date("evidence date", e.date);
    c.text("evidence uploader", e.uploader);
  }
  c.text("note", x.note);
  return c.problem();
}

std::string searchTextOf(const model::Implementation& x) {
  // U+001F (unit separator) keeps a query from matching across two fields.
  std::string text = foldCase(x.measure.id) + '\x1f' + foldCase(x.measure.title);
  for (const auto& t : x.measure.titles) text += '\x1f' + foldCase(t.text);
  return text + '\x1f' + foldCase(x.note);
}

// ---- writing ----------------------------------------------------------------------------------

std::optional<CurrentRow> findCurrent(soci::session& sql, const model::ImplementationKey& key,
                                      bool forUpdate) {
  CurrentRow row;
  std::string q =
      "SELECT id, revision, fingerprint FROM implementation WHERE measure_id = :m AND region = :r "
      "AND organisation = :o AND source = :s";
  if (forUpdate) q += " FOR UPDATE";
  if (!run(sql, q, soci::use(key.measureId), soci::use(key.region), soci::use(key.organisation),
           soci::use(key.source), soci::into(row.id), soci::into(row.revision),
           soci::into(row.fingerprint)))
    return std::nullopt;
  return row;
}

std::optional<CurrentRow> lookUpRow(soci::session& sql, const model::ImplementationKey& key,
                                    const std::string& organisationKey, long long& rowsOfIdentity) {
  CurrentRow row;
  long long isCurrent = 0;
  std::string rowKey;
  soci::indicator idInd = soci::i_null, stampInd = soci::i_null, fpInd = soci::i_null,
                  currentInd = soci::i_null, keyInd = soci::i_null;
  rowsOfIdentity = 0;
  run(sql,
      "SELECT (SELECT count(*) FROM implementation WHERE measure_id = :m1 AND region = :r1 AND "
      "organisation_key = :k), i.id, i.revision, i.fingerprint, i.ev_stamp, i.is_current, "
      "i.organisation_key FROM (SELECT 1) AS one LEFT JOIN implementation i ON i.measure_id = :m "
      "AND i.region = :r AND i.organisation = :o AND i.source = :s",
      soci::use(key.measureId), soci::use(key.region), soci::use(organisationKey),
      soci::use(key.measureId), soci::use(key.region), soci::use(key.organisation),
      soci::use(key.source), soci::into(rowsOfIdentity), soci::into(row.id, idInd),
      soci::into(row.revision, idInd), soci::into(row.fingerprint, fpInd),
      soci::into(row.evStamp, stampInd), soci::into(isCurrent, currentInd),
      soci::into(rowKey, keyInd));
  if (idInd != soci::i_ok) return std::nullopt;
  if (stampInd != soci::i_ok) row.evStamp.clear();
  row.alone =
      rowsOfIdentity == 1 && isCurrent == 1 && keyInd == soci::i_ok && rowKey == organisationKey;
  return row;
}

FigureValues::FigureValues(long long rowId, std::string stampOf, const model::StatusFigures& f)
    : id(rowId),
      stamp(std::move(stampOf)),
      status(model::toString(f.status)),
      rag(model::toString(f.rag)),
      deadline(model::formatDate(f.deadline)),
      delay(f.delayDays),
      earlyWarning(f.earlyWarning ? 1 : 0),
      countsForDelay(f.countsForDelay ? 1 : 0),
      due(f.due ? 1 : 0),
      tasks(static_cast<long long>(f.tasksTotal)),
      overdue(static_cast<long long>(f.tasksOverdue)),
      doneOnTime(static_cast<long long>(f.tasksDoneOnTime)),
      doneLate(static_cast<long long>(f.tasksDoneLate)),
      dueSoon(static_cast<long long>(f.tasksDueSoon)),
      dueOrFinished(static_cast<long long>(f.tasksDueOrFinished)),
      cancelled(static_cast<long long>(f.tasksCancelled)),
      suspended(static_cast<long long>(f.tasksSuspended)) {}

namespace {
// A written row is its source's latest report: the next reported_seq (above every row's; writers
// are serialised), and, for an update, its identity and its source's priority.
const std::string kNextReportedSeq =
    "(SELECT coalesce(max(reported_seq), 0) + 1 FROM implementation)";
const std::string kRankAsLatest =
    "organisation_key = :k, priority = :p, reported_seq = " + kNextReportedSeq;
}  // namespace

std::optional<long long> insertRow(soci::session& sql, const model::Implementation& x,
                                   const std::string& fingerprint, const std::string& receivedAt,
                                   const std::string& organisationKey, int priority,
                                   const FigureValues* figures) {
  RowValues v(x, fingerprint, receivedAt);
  static const std::string columns =
      "INSERT INTO implementation (source, measure_id, region, organisation, sector, revision, "
      "lifecycle, start_date, deadline, completed, title, act_type, act_number, act_date, "
      "act_item, note, search_text, fingerprint, received_at, organisation_key, priority, "
      "reported_seq";
  static const std::string values =
      ") VALUES (:source, :measure, :region, :org, :sector, :revision, :lifecycle, :start, "
      ":deadline, :completed, :title, :act_type, :act_number, :act_date, :act_item, :note, "
      ":search, :fingerprint, :received, :key, :priority, " +
      kNextReportedSeq;
  static const std::string conflict =
      ") ON CONFLICT (measure_id, region, organisation, source) DO NOTHING";
  static const std::string plain = columns + values + conflict;
  static const std::string evaluated =
      columns +
      ", ev_stamp, ev_status, ev_rag, ev_delay, ev_deadline, ev_early_warning, "
      "ev_counts_for_delay, ev_due, ev_tasks, ev_tasks_overdue, ev_tasks_done_on_time, "
      "ev_tasks_done_late, ev_tasks_due_soon, ev_tasks_due_or_finished, ev_tasks_cancelled, "
      "ev_tasks_suspended" +
      values +
      ", :stamp, :status, :rag, :delay, :ev_deadline, :early, :counts, :due, :tasks, :overdue, "
      ":on_time, :late, :soon, :due_or_finished, :cancelled, :suspended" +
      conflict;
  // SQLite: no RETURNING. SQLite runs a RETURNING clause as a trigger, which makes every INSERT a
  // statement that may abort after writing, so each page it touched went to the statement
  // journal as well (most of what a national report wrote). The new row's id is the
  // connection's last rowid instead, read only when the INSERT added a row.
  const bool sqlite = sql.get_backend_name() != "postgresql";
  long long id = 0;
  Statement st(sql, !sqlite ? plain + " RETURNING id" : figures ? evaluated : plain);
  st, soci::use(v.source), soci::use(v.measureId), soci::use(v.region), soci::use(v.organisation),
      soci::use(v.sector), soci::use(v.revision), soci::use(v.lifecycle), soci::use(v.start),
      soci::use(v.deadline), soci::use(v.completed, v.completedInd), soci::use(v.title),
      soci::use(v.actType), soci::use(v.actNumber), soci::use(v.actDate), soci::use(v.actItem),
      soci::use(v.note), soci::use(v.search), soci::use(v.fingerprint), soci::use(v.receivedAt),
      soci::use(organisationKey), soci::use(priority);
  if (!sqlite) {
    st, soci::into(id);
    if (!st.execute()) return std::nullopt;
    return id;
  }
  if (figures) {
    const FigureValues& f = *figures;
    st, soci::use(f.stamp), soci::use(f.status), soci::use(f.rag), soci::use(f.delay),
        soci::use(f.deadline), soci::use(f.earlyWarning), soci::use(f.countsForDelay),
        soci::use(f.due), soci::use(f.tasks), soci::use(f.overdue), soci::use(f.doneOnTime),
        soci::use(f.doneLate), soci::use(f.dueSoon), soci::use(f.dueOrFinished),
        soci::use(f.cancelled), soci::use(f.suspended);
  }
  st.execute();
  if (st.affectedRows() != 1) return std::nullopt;
  if (!sql.get_last_insert_id("implementation", id))
    throw StoreError("store: the id of a new implementation row could not be read");
  return id;
}

void updateRow(soci::session& sql, long long id, const model::Implementation& x,
               const std::string& fingerprint, const std::string& receivedAt,
               const std::string& organisationKey, int priority) {
  RowValues v(x, fingerprint, receivedAt);
  static const std::string update =
      "UPDATE implementation SET sector = :sector, revision = :revision, lifecycle = "
      ":lifecycle, start_date = :start, deadline = :deadline, completed = :completed, title = "
      ":title, act_type = :act_type, act_number = :act_number, act_date = :act_date, act_item "
      "= :act_item, note = :note, search_text = :search, fingerprint = :fingerprint, "
      "received_at = :received, ev_stamp = NULL, " +
      kRankAsLatest + " WHERE id = :id";
  run(sql, update, soci::use(v.sector), soci::use(v.revision), soci::use(v.lifecycle),
      soci::use(v.start), soci::use(v.deadline), soci::use(v.completed, v.completedInd),
      soci::use(v.title), soci::use(v.actType), soci::use(v.actNumber), soci::use(v.actDate),
      soci::use(v.actItem), soci::use(v.note), soci::use(v.search), soci::use(v.fingerprint),
      soci::use(v.receivedAt), soci::use(organisationKey), soci::use(priority), soci::use(id));
}

void reviseRow(soci::session& sql, long long id, std::int64_t revision,
               const std::string& receivedAt, const std::string& organisationKey, int priority,
               bool keepEvaluation) {
  static const std::string head =
      "UPDATE implementation SET revision = :revision, received_at = :received, " + kRankAsLatest;
  static const std::string kept = head + " WHERE id = :id";
  static const std::string cleared = head + ", ev_stamp = NULL WHERE id = :id";
  const long long rev = revision;
  run(sql, keepEvaluation ? kept : cleared, soci::use(rev), soci::use(receivedAt),
      soci::use(organisationKey), soci::use(priority), soci::use(id));
}

struct PendingRows::Rows {
  std::vector<long long> replaced;  // rows whose children are deleted first
  ChangeRows changes;               // deadline_change (ownerPos unused)
  struct {
    std::vector<long long> owner;
    std::vector<int> pos, ascending;
    std::vector<std::string> code, name, unit;
    std::vector<double> baseline;
  } ind;
  struct {
    std::vector<long long> owner;
    std::vector<int> indicator, pos;
    std::vector<std::string> start, end;
    std::vector<double> target, actual, numerator, denominator;
    std::vector<soci::indicator> targetInd, actualInd, numeratorInd, denominatorInd;
  } per;
  struct {
    std::vector<long long> owner;
    std::vector<int> indicator, period, pos;
    std::vector<std::string> dimension, category;
    std::vector<double> target, actual, numerator, denominator;
    std::vector<soci::indicator> targetInd, actualInd, numeratorInd, denominatorInd;
  } brk;
  struct {
    std::vector<long long> owner;
    std::vector<int> pos;
    std::vector<std::string> aid, parent, assignee, title, deadline, control, completed;
    std::vector<soci::indicator> completedInd;
  } asg;
  ChangeRows asgChanges;  // assignment_deadline_change
  struct {
    std::vector<long long> owner;
    std::vector<int> pos;
    std::vector<std::string> url, title, format, date, uploader, sha256;
    std::vector<long long> size;
    std::vector<soci::indicator> sizeInd;
  } ev;
  struct {
    std::vector<std::string> source, measure, region, organisation, receivedAt, changes,
        organisationKey, facts;
    std::vector<long long> revision;
  } hist;
  struct {
    std::vector<long long> owner;
    std::vector<int> assignment, pos;
    std::vector<std::string> lang, text;
  } tr;
  struct {
    std::vector<long long> owner;
    std::vector<std::string> task, digest, state, by, on, at, completed, reason, source, receivedAt;
    std::vector<soci::indicator> completedInd;
  } controlEvents;  // journal_control_event
  struct {
    std::vector<long long> owner;
    std::vector<std::string> task, digest, author, at, lang, body, source, receivedAt;
  } comments;  // journal_comment
};

namespace {

template <typename... V>
void truncate(std::size_t n, V&... v) {
  (v.resize(n), ...);
}

// The rows of one table written with one statement. SQLite: a prepared INSERT run once per row
// (cheap in process). PostgreSQL: every column bound as one array and the rows made by unnest,
// one round trip for the table instead of one per row; in the arrays' order, so ids (history,
// journals) follow the order the rows were added in.
class BulkInsert {
 public:
  BulkInsert(soci::session& sql, const char* table, bool postgres)
      : sql_(sql), table_(table), pg_(postgres) {}

  BulkInsert& col(const char* name, const std::vector<long long>& v) {
    return pg_ ? array(name, "BIGINT[]", v.size(),
                       [&](std::size_t i) {
                         return std::optional<std::string>(std::to_string(v[i]));
                       })
               : bind(name, [&v](Statement& st) { st, soci::use(v); });
  }
  BulkInsert& col(const char* name, const std::vector<long long>& v,
                  std::vector<soci::indicator>* ind) {
    return pg_ ? array(name, "BIGINT[]", v.size(),
                       [&](std::size_t i) {
                         return null(ind, i) ? std::nullopt
                                             : std::optional<std::string>(std::to_string(v[i]));
                       })
               : bind(name, [&v, ind](Statement& st) { st, soci::use(v, *ind); });
  }
  BulkInsert& col(const char* name, const std::vector<int>& v) {
    return pg_ ? array(name, "INTEGER[]", v.size(),
                       [&](std::size_t i) {
                         return std::optional<std::string>(std::to_string(v[i]));
                       })
               : bind(name, [&v](Statement& st) { st, soci::use(v); });
  }
  BulkInsert& col(const char* name, const std::vector<double>& v,
                  std::vector<soci::indicator>* ind = nullptr) {
    return pg_   ? array(name, "DOUBLE PRECISION[]", v.size(),
                         [&](std::size_t i) {
                         return null(ind, i) ? std::nullopt
                                               : std::optional<std::string>(shortest(v[i]));
                       })
           : ind ? bind(name, [&v, ind](Statement& st) { st, soci::use(v, *ind); })
                 : bind(name, [&v](Statement& st) { st, soci::use(v); });
  }
  BulkInsert& col(const char* name, const std::vector<std::string>& v,
                  std::vector<soci::indicator>* ind = nullptr) {
    return pg_   ? array(name, "TEXT[]", v.size(),
                         [&](std::size_t i) {
                         return null(ind, i) ? std::nullopt
                                               : std::optional<std::string>(pgArrayElement(v[i]));
                       })
           : ind ? bind(name, [&v, ind](Statement& st) { st, soci::use(v, *ind); })
                 : bind(name, [&v](Statement& st) { st, soci::use(v); });
  }

  // PostgreSQL: a column whose value is an SQL expression; `ord` in it is the row's number (1..).
  BulkInsert& computed(const char* name, const std::string& expression) {
    names_ += std::string(names_.empty() ? "" : ", ") + name;
    computed_ += ", " + expression;
    return *this;
  }

  // suffix: what follows the rows, e.g. an ON CONFLICT or RETURNING clause. rows: binds the
  // into() targets of a RETURNING clause and fetches its rows.
  void run(const std::string& suffix = "", const std::function<void(Statement&)>& rows = nullptr) {
    Statement st(sql_, text(suffix, "a"));
    if (pg_) {
      for (const auto& a : arrays_) st, soci::use(a);
    } else {
      for (const auto& b : binds_) b(st);
    }
    if (rows)
      rows(st);
    else
      st.execute();
  }

  // The INSERT statement; on PostgreSQL its placeholders are `:<tag>1`, `:<tag>2`, ... in the
  // order of arrays().
  std::string text(const std::string& suffix, const std::string& tag) const {
    std::string q = std::string("INSERT INTO ") + table_ + " (" + names_ + ") ";
    if (pg_) {
      std::string from, aliases;
      for (std::size_t i = 0; i < types_.size(); ++i) {
        const std::string n = std::to_string(i + 1);
        from += (i ? ", CAST(:" : "CAST(:") + tag + n + " AS " + types_[i] + ")";
        aliases += "c" + n + ", ";
      }
      q += "SELECT " + aliases.substr(0, aliases.size() - 2) + computed_ + " FROM unnest(" + from +
           ") WITH ORDINALITY AS u(" + aliases + "ord) ORDER BY ord";
    } else {
      q += "VALUES (" + placeholders_ + ")";
    }
    return q + suffix;
  }
  bool postgres() const { return pg_; }
  std::vector<std::string>& arrays() { return arrays_; }

 private:
  static bool null(std::vector<soci::indicator>* ind, std::size_t i) {
    return ind && (*ind)[i] == soci::i_null;
  }
  // The shortest text that reads back as the same double.
  static std::string shortest(double d) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    if (ec != std::errc()) throw StoreError("store: a number could not be written");
    return std::string(buf, end);
  }
  void name(const char* n) {
    if (!names_.empty()) {
      names_ += ", ";
      placeholders_ += ", ";
    }
    names_ += n;
    placeholders_ += ':';
    placeholders_ += n;
  }
  template <typename Element>
  BulkInsert& array(const char* n, const char* type, std::size_t size, Element element) {
    name(n);
    std::string a = "{";
    for (std::size_t i = 0; i < size; ++i) {
      if (i) a += ',';
      auto e = element(i);
      a += e ? *e : "NULL";
    }
    a += '}';
    arrays_.push_back(std::move(a));
    types_.push_back(type);
    return *this;
  }
  BulkInsert& bind(const char* n, std::function<void(Statement&)> b) {
    name(n);
    binds_.push_back(std::move(b));
    return *this;
  }

  soci::session& sql_;
  const char* table_;
  bool pg_;
  std::string names_, placeholders_;
  std::string computed_;                                // PostgreSQL
  std::vector<std::string> arrays_, types_;             // PostgreSQL
  std::vector<std::function<void(Statement&)>> binds_;  // SQLite
};

// Several BulkInserts with one round trip: on PostgreSQL each but the last becomes a WITH query
// of the last, so they run as one statement (foreign keys between them are checked at its end);
// on SQLite, where a statement costs no round trip, each runs as it is added.
class InsertGroup {
 public:
  explicit InsertGroup(soci::session& sql) : sql_(sql) {}

  // suffix: as BulkInsert::run's, without a RETURNING clause.
  void add(BulkInsert& in, const std::string& suffix = "") {
    if (!in.postgres()) {
      in.run(suffix);
      return;
    }
    const std::string n = std::to_string(parts_.size() + 1);
    parts_.push_back(in.text(suffix, "i" + n + "a"));
    for (auto& a : in.arrays()) arrays_.push_back(std::move(a));
  }
  void run() {
    if (parts_.empty()) return;
    std::string q;
    for (std::size_t i = 0; i + 1 < parts_.size(); ++i)
      q += (i ? ", w" : "WITH w") + std::to_string(i + 1) + " AS (" + parts_[i] + ")";
    q += (q.empty() ? "" : " ") + parts_.back();
    Statement st(sql_, q);
    for (const auto& a : arrays_) st, soci::use(a);
    st.execute();
    parts_.clear();
    arrays_.clear();
  }

 private:
  soci::session& sql_;
  std::vector<std::string> parts_;
  std::vector<std::string> arrays_;
};

}  // namespace

void ChangeRows::truncate(std::size_t n) {
  detail::truncate(n, owner, ownerPos, pos, previous, deadline, requestedBy, requestedOn, reason,
                   decision, decidedBy, decidedOn, requestedOnInd, decidedOnInd);
}

PendingRows::PendingRows() : rows_(std::make_unique<Rows>()) {}
PendingRows::~PendingRows() = default;

void PendingRows::addChildren(long long id, const model::Implementation& x,
                              const std::string& receivedAt, bool evaluated) {
  if (!evaluated) written_.push_back(id);
  Rows& r = *rows_;
  auto translations = [&](int assignment, const model::Translations& list) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      r.tr.owner.push_back(id);
      r.tr.assignment.push_back(assignment);
      r.tr.pos.push_back(static_cast<int>(i));
      r.tr.lang.push_back(list[i].lang);
      r.tr.text.push_back(list[i].text);
    }
  };
  // Every entry the record carries; those already stored are skipped by the insert.
  auto journal = [&](const std::string& task, const std::vector<model::ControlEvent>& events,
                     const std::vector<model::Comment>& comments) {
    for (const auto& e : events) {
      auto& j = r.controlEvents;
      j.owner.push_back(id);
      j.task.push_back(task);
      j.digest.push_back(digestOf(e));
      j.state.push_back(model::toString(e.state));
      j.by.push_back(e.by);
      j.on.push_back(iso(e.on));
      j.at.push_back(e.at);
      j.completed.push_back(e.completed ? iso(*e.completed) : std::string());
      j.completedInd.push_back(e.completed ? soci::i_ok : soci::i_null);
      j.reason.push_back(e.reason);
      j.source.push_back(x.source);
      j.receivedAt.push_back(receivedAt);
    }
    for (const auto& c : comments) {
      auto& j = r.comments;
      j.owner.push_back(id);
      j.task.push_back(task);
      j.digest.push_back(digestOf(c));
      j.author.push_back(c.author);
      j.at.push_back(c.at);
      j.lang.push_back(c.lang);
      j.body.push_back(c.text);
      j.source.push_back(x.source);
      j.receivedAt.push_back(receivedAt);
    }
  };
  translations(-1, x.measure.titles);
  journal(std::string(), x.controlEvents, x.comments);
  for (std::size_t i = 0; i < x.assignments.size(); ++i) {
    translations(static_cast<int>(i), x.assignments[i].titles);
    journal(x.assignments[i].id, x.assignments[i].controlEvents, x.assignments[i].comments);
  }
  for (std::size_t i = 0; i < x.deadlineChanges.size(); ++i)
    r.changes.add(id, 0, static_cast<int>(i), x.deadlineChanges[i]);
  for (std::size_t i = 0; i < x.indicators.size(); ++i) {
    const auto& ind = x.indicators[i];
    r.ind.owner.push_back(id);
    r.ind.pos.push_back(static_cast<int>(i));
    r.ind.code.push_back(ind.code);
    r.ind.name.push_back(ind.name);
    r.ind.unit.push_back(ind.unit);
    r.ind.ascending.push_back(ind.ascending ? 1 : 0);
    r.ind.baseline.push_back(ind.baseline);
    for (std::size_t k = 0; k < ind.periods.size(); ++k) {
      const auto& p = ind.periods[k];
      r.per.owner.push_back(id);
      r.per.indicator.push_back(static_cast<int>(i));
      r.per.pos.push_back(static_cast<int>(k));
      r.per.start.push_back(iso(p.start));
      r.per.end.push_back(iso(p.end));
      r.per.target.push_back(p.target.value_or(0));
      r.per.targetInd.push_back(p.target ? soci::i_ok : soci::i_null);
      r.per.actual.push_back(p.actual.value_or(0));
      r.per.actualInd.push_back(p.actual ? soci::i_ok : soci::i_null);
      r.per.numerator.push_back(p.numerator.value_or(0));
      r.per.numeratorInd.push_back(p.numerator ? soci::i_ok : soci::i_null);
      r.per.denominator.push_back(p.denominator.value_or(0));
      r.per.denominatorInd.push_back(p.denominator ? soci::i_ok : soci::i_null);
      for (std::size_t j = 0; j < p.breakdowns.size(); ++j) {
        const auto& b = p.breakdowns[j];
        auto& q = r.brk;
        q.owner.push_back(id);
        q.indicator.push_back(static_cast<int>(i));
        q.period.push_back(static_cast<int>(k));
        q.pos.push_back(static_cast<int>(j));
        q.dimension.push_back(b.dimension);
        q.category.push_back(b.category);
        q.target.push_back(b.target.value_or(0));
        q.targetInd.push_back(b.target ? soci::i_ok : soci::i_null);
        q.actual.push_back(b.actual.value_or(0));
        q.actualInd.push_back(b.actual ? soci::i_ok : soci::i_null);
        q.numerator.push_back(b.numerator.value_or(0));
        q.numeratorInd.push_back(b.numerator ? soci::i_ok : soci::i_null);
        q.denominator.push_back(b.denominator.value_or(0));
        q.denominatorInd.push_back(b.denominator ? soci::i_ok : soci::i_null);
      }
    }
  }
  for (std::size_t i = 0; i < x.assignments.size(); ++i) {
    const auto& a = x.assignments[i];
    r.asg.owner.push_back(id);
    r.asg.pos.push_back(static_cast<int>(i));
    r.asg.aid.push_back(a.id);
    r.asg.parent.push_back(a.parentId);
    r.asg.assignee.push_back(a.assignee);
    r.asg.title.push_back(a.title);
    r.asg.deadline.push_back(iso(a.deadline));
    r.asg.control.push_back(model::toString(a.control));
    r.asg.completed.push_back(a.completed ? iso(*a.completed) : std::string());
    r.asg.completedInd.push_back(a.completed ? soci::i_ok : soci::i_null);
    for (std::size_t k = 0; k < a.deadlineChanges.size(); ++k)
      r.asgChanges.add(id, static_cast<int>(i), static_cast<int>(k), a.deadlineChanges[k]);
  }
  for (std::size_t i = 0; i < x.evidence.size(); ++i) {
    const auto& e = x.evidence[i];
    r.ev.owner.push_back(id);
    r.ev.pos.push_back(static_cast<int>(i));
    r.ev.url.push_back(e.url);
    r.ev.title.push_back(e.title);
    r.ev.format.push_back(e.format);
    r.ev.date.push_back(iso(e.date));
    r.ev.uploader.push_back(e.uploader);
    r.ev.sha256.push_back(e.sha256);
    r.ev.size.push_back(e.size.value_or(0));
    r.ev.sizeInd.push_back(e.size ? soci::i_ok : soci::i_null);
  }
}

void PendingRows::addHistory(const model::Implementation& x, const std::string& receivedAt,
                             std::string changes, const std::string& organisationKey) {
  auto& h = rows_->hist;
  h.source.push_back(x.source);
  h.measure.push_back(x.measure.id);
  h.region.push_back(x.region);
  h.organisation.push_back(x.organisation);
  h.revision.push_back(x.revision);
  h.receivedAt.push_back(receivedAt);
  h.changes.push_back(std::move(changes));
  h.organisationKey.push_back(organisationKey);
  h.facts.push_back(encodeFacts(x));
}

void PendingRows::addWritten(long long id) {
  written_.push_back(id);
}

PendingRows::Mark PendingRows::mark() const {
  const Rows& r = *rows_;
  return {{r.changes.owner.size(), r.ind.owner.size(), r.per.owner.size(), r.asg.owner.size(),
           r.asgChanges.owner.size(), r.ev.owner.size(), r.hist.source.size(), r.tr.owner.size(),
           r.controlEvents.owner.size(), r.comments.owner.size(), r.brk.owner.size(),
           r.replaced.size()}};
}

void PendingRows::replaceChildren(long long id) {
  rows_->replaced.push_back(id);
}

void PendingRows::dropAfter(const Mark& m) {
  Rows& r = *rows_;
  r.replaced.resize(m.sizes[11]);
  r.changes.truncate(m.sizes[0]);
  truncate(m.sizes[1], r.ind.owner, r.ind.pos, r.ind.ascending, r.ind.code, r.ind.name, r.ind.unit,
           r.ind.baseline);
  truncate(m.sizes[2], r.per.owner, r.per.indicator, r.per.pos, r.per.start, r.per.end,
           r.per.target, r.per.actual, r.per.targetInd, r.per.actualInd, r.per.numerator,
           r.per.denominator, r.per.numeratorInd, r.per.denominatorInd);
  truncate(m.sizes[10], r.brk.owner, r.brk.indicator, r.brk.period, r.brk.pos, r.brk.dimension,
           r.brk.category, r.brk.target, r.brk.actual, r.brk.numerator, r.brk.denominator,
           r.brk.targetInd, r.brk.actualInd, r.brk.numeratorInd, r.brk.denominatorInd);
  truncate(m.sizes[3], r.asg.owner, r.asg.pos, r.asg.aid, r.asg.parent, r.asg.assignee, r.asg.title,
           r.asg.deadline, r.asg.control, r.asg.completed, r.asg.completedInd);
  r.asgChanges.truncate(m.sizes[4]);
  truncate(m.sizes[5], r.ev.owner, r.ev.pos, r.ev.url, r.ev.title, r.ev.format, r.ev.date,
           r.ev.uploader, r.ev.sha256, r.ev.size, r.ev.sizeInd);
  truncate(m.sizes[6], r.hist.source, r.hist.measure, r.hist.region, r.hist.organisation,
           r.hist.revision, r.hist.receivedAt, r.hist.changes, r.hist.organisationKey,
           r.hist.facts);
  truncate(m.sizes[7], r.tr.owner, r.tr.assignment, r.tr.pos, r.tr.lang, r.tr.text);
  truncate(m.sizes[8], r.controlEvents.owner, r.controlEvents.task, r.controlEvents.digest,
           r.controlEvents.state, r.controlEvents.by, r.controlEvents.on, r.controlEvents.at,
           r.controlEvents.completed, r.controlEvents.completedInd, r.controlEvents.reason,
           r.controlEvents.source, r.controlEvents.receivedAt);
  truncate(m.sizes[9], r.comments.owner, r.comments.task, r.comments.digest, r.comments.author,
           r.comments.at, r.comments.lang, r.comments.body, r.comments.source,
           r.comments.receivedAt);
}

bool PendingRows::empty() const {
  const Mark m = mark();
  for (auto n : m.sizes)
    if (n) return false;
  return true;
}

void PendingRows::insert(soci::session& sql) {
  Rows& r = *rows_;
  const bool pg = sql.get_backend_name() == "postgresql";
  if (!r.replaced.empty()) {
    // One statement per table for every replaced row; grandchildren first, so the result does
    // not depend on foreign keys being enforced.
    std::string condition;
    const std::string ids = idList(sql, r.replaced, condition);
    for (const char* table :
         {"indicator_breakdown", "indicator_period", "assignment_deadline_change", "indicator",
          "assignment", "deadline_change", "evidence", "title_translation"})
      run(sql, std::string("DELETE FROM ") + table + " WHERE " + condition, soci::use(ids));
  }
  InsertGroup group(sql);
  auto changes = [&](const char* table, ChangeRows& c, bool assignment) {
    if (c.owner.empty()) return;
    BulkInsert in(sql, table, pg);
    in.col("implementation_id", c.owner);
    if (assignment) in.col("assignment_pos", c.ownerPos);
    in.col("pos", c.pos)
        .col("previous", c.previous)
        .col("deadline", c.deadline)
        .col("requested_by", c.requestedBy)
        .col("requested_on", c.requestedOn, &c.requestedOnInd)
        .col("reason", c.reason)
        .col("decision", c.decision)
        .col("decided_by", c.decidedBy)
        .col("decided_on", c.decidedOn, &c.decidedOnInd);
    group.add(in);
  };
  changes("deadline_change", r.changes, false);
  if (!r.ind.owner.empty()) {
    BulkInsert in(sql, "indicator", pg);
    in.col("implementation_id", r.ind.owner)
        .col("pos", r.ind.pos)
        .col("code", r.ind.code)
        .col("name", r.ind.name)
        .col("unit", r.ind.unit)
        .col("ascending", r.ind.ascending)
        .col("baseline", r.ind.baseline);
    group.add(in);
  }
  if (!r.per.owner.empty()) {
    BulkInsert in(sql, "indicator_period", pg);
    in.col("implementation_id", r.per.owner)
        .col("indicator_pos", r.per.indicator)
        .col("pos", r.per.pos)
        .col("start_date", r.per.start)
        .col("end_date", r.per.end)
        .col("target", r.per.target, &r.per.targetInd)
        .col("actual", r.per.actual, &r.per.actualInd)
        .col("numerator", r.per.numerator, &r.per.numeratorInd)
        .col("denominator", r.per.denominator, &r.per.denominatorInd);
    group.add(in);
  }
  if (!r.brk.owner.empty()) {
    BulkInsert in(sql, "indicator_breakdown", pg);
    in.col("implementation_id", r.brk.owner)
        .col("indicator_pos", r.brk.indicator)
        .col("period_pos", r.brk.period)
        .col("pos", r.brk.pos)
        .col("dimension", r.brk.dimension)
        .col("category", r.brk.category)
        .col("target", r.brk.target, &r.brk.targetInd)
        .col("actual", r.brk.actual, &r.brk.actualInd)
        .col("numerator", r.brk.numerator, &r.brk.numeratorInd)
        .col("denominator", r.brk.denominator, &r.brk.denominatorInd);
    group.add(in);
  }
  if (!r.asg.owner.empty()) {
    BulkInsert in(sql, "assignment", pg);
    in.col("implementation_id", r.asg.owner)
        .col("pos", r.asg.pos)
        .col("assignment_id", r.asg.aid)
        .col("parent_id", r.asg.parent)
        .col("assignee", r.asg.assignee)
        .col("title", r.asg.title)
        .col("deadline", r.asg.deadline)
        .col("control", r.asg.control)
        .col("completed", r.asg.completed, &r.asg.completedInd);
    group.add(in);
  }
  changes("assignment_deadline_change", r.asgChanges, true);
  if (!r.ev.owner.empty()) {
    BulkInsert in(sql, "evidence", pg);
    in.col("implementation_id", r.ev.owner)
        .col("pos", r.ev.pos)
        .col("url", r.ev.url)
        .col("title", r.ev.title)
        .col("format", r.ev.format)
        .col("doc_date", r.ev.date)
        .col("uploader", r.ev.uploader)
        .col("sha256", r.ev.sha256)
        .col("size", r.ev.size, &r.ev.sizeInd);
    group.add(in);
  }
  if (!r.tr.owner.empty()) {
    BulkInsert in(sql, "title_translation", pg);
    in.col("implementation_id", r.tr.owner)
        .col("assignment_pos", r.tr.assignment)
        .col("pos", r.tr.pos)
        .col("lang", r.tr.lang)
        .col("text", r.tr.text);
    group.add(in);
  }
  if (!r.controlEvents.owner.empty()) {
    BulkInsert in(sql, "journal_control_event", pg);
    in.col("implementation_id", r.controlEvents.owner)
        .col("task_id", r.controlEvents.task)
        .col("digest", r.controlEvents.digest)
        .col("state", r.controlEvents.state)
        .col("by_whom", r.controlEvents.by)
        .col("on_date", r.controlEvents.on)
        .col("at_time", r.controlEvents.at)
        .col("completed", r.controlEvents.completed, &r.controlEvents.completedInd)
        .col("reason", r.controlEvents.reason)
        .col("source", r.controlEvents.source)
        .col("received_at", r.controlEvents.receivedAt);
    group.add(in, " ON CONFLICT (implementation_id, task_id, digest) DO NOTHING");
  }
  if (!r.comments.owner.empty()) {
    BulkInsert in(sql, "journal_comment", pg);
    in.col("implementation_id", r.comments.owner)
        .col("task_id", r.comments.task)
        .col("digest", r.comments.digest)
        .col("author", r.comments.author)
        .col("at_time", r.comments.at)
        .col("lang", r.comments.lang)
        .col("body", r.comments.body)
        .col("source", r.comments.source)
        .col("received_at", r.comments.receivedAt);
    group.add(in, " ON CONFLICT (implementation_id, task_id, digest) DO NOTHING");
  }
  if (!r.hist.source.empty()) {
    BulkInsert in(sql, "history", pg);
    in.col("source", r.hist.source)
        .col("measure_id", r.hist.measure)
        .col("region", r.hist.region)
        .col("organisation", r.hist.organisation)
        .col("revision", r.hist.revision)
        .col("received_at", r.hist.receivedAt)
        .col("changes", r.hist.changes)
        .col("organisation_key", r.hist.organisationKey)
        .col("facts", r.hist.facts);
    group.add(in);
  }
  group.run();
  rows_ = std::make_unique<Rows>();
}

namespace {

// The ev_ columns of rows inserted with BulkInsert, NULL for a row without figures.
struct EvaluationColumns {
  bool any = false;
  std::vector<std::string> stamp, status, rag, deadline;
  std::vector<long long> delay, early, counts, due, tasks, overdue, onTime, late, soon,
      dueOrFinished, cancelled, suspended;
  std::vector<soci::indicator> ind;

  explicit EvaluationColumns(std::size_t n) {
    for (auto* v : {&stamp, &status, &rag, &deadline}) v->reserve(n);
    ind.reserve(n);
  }
  void add(const FigureValues* f) {
    any = any || f;
    static const FigureValues none(0, {}, model::StatusFigures{});
    const FigureValues& v = f ? *f : none;
    ind.push_back(f ? soci::i_ok : soci::i_null);
    stamp.push_back(v.stamp);
    status.push_back(v.status);
    rag.push_back(v.rag);
    deadline.push_back(v.deadline);
    delay.push_back(v.delay);
    early.push_back(v.earlyWarning);
    counts.push_back(v.countsForDelay);
    due.push_back(v.due);
    tasks.push_back(v.tasks);
    overdue.push_back(v.overdue);
    onTime.push_back(v.doneOnTime);
    late.push_back(v.doneLate);
    soon.push_back(v.dueSoon);
    dueOrFinished.push_back(v.dueOrFinished);
    cancelled.push_back(v.cancelled);
    suspended.push_back(v.suspended);
  }
  void bind(BulkInsert& insert) {
    insert.col("ev_stamp", stamp, &ind)
        .col("ev_status", status, &ind)
        .col("ev_rag", rag, &ind)
        .col("ev_delay", delay, &ind)
        .col("ev_deadline", deadline, &ind)
        .col("ev_early_warning", early, &ind)
        .col("ev_counts_for_delay", counts, &ind)
        .col("ev_due", due, &ind)
        .col("ev_tasks", tasks, &ind)
        .col("ev_tasks_overdue", overdue, &ind)
        .col("ev_tasks_done_on_time", onTime, &ind)
        .col("ev_tasks_done_late", late, &ind)
        .col("ev_tasks_due_soon", soon, &ind)
        .col("ev_tasks_due_or_finished", dueOrFinished, &ind)
        .col("ev_tasks_cancelled", cancelled, &ind)
        .col("ev_tasks_suspended", suspended, &ind);
  }
};

}  // namespace

std::vector<std::optional<long long>> insertRows(soci::session& sql,
                                                 const std::vector<NewRow>& rows,
                                                 const std::string& receivedAt, bool noneStored) {
  std::vector<std::optional<long long>> ids(rows.size());
  if (rows.empty()) return ids;
  std::vector<std::string> source, measure, region, organisation, sector, lifecycle, start,
      deadline, completed, title, actType, actNumber, actDate, actItem, note, search, fingerprint,
      received, key;
  std::vector<soci::indicator> completedInd;
  std::vector<long long> revision;
  std::vector<int> priority;
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::size_t> index;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& x = *rows[i].record;
    RowValues v(x, rows[i].fingerprint, receivedAt);
    index.emplace(std::make_tuple(v.measureId, v.region, v.organisation, v.source), i);
    source.push_back(std::move(v.source));
    measure.push_back(std::move(v.measureId));
    region.push_back(std::move(v.region));
    organisation.push_back(std::move(v.organisation));
    sector.push_back(std::move(v.sector));
    revision.push_back(v.revision);
    lifecycle.push_back(std::move(v.lifecycle));
    start.push_back(std::move(v.start));
    deadline.push_back(std::move(v.deadline));
    completed.push_back(std::move(v.completed));
    completedInd.push_back(v.completedInd);
    title.push_back(std::move(v.title));
    actType.push_back(std::move(v.actType));
    actNumber.push_back(std::move(v.actNumber));
    actDate.push_back(std::move(v.actDate));
    actItem.push_back(std::move(v.actItem));
    note.push_back(std::move(v.note));
    search.push_back(std::move(v.search));
    fingerprint.push_back(std::move(v.fingerprint));
    received.push_back(std::move(v.receivedAt));
    key.push_back(rows[i].organisationKey);
    priority.push_back(rows[i].priority);
  }
  // The stored evaluations known before (NULL where the row is evaluated after writing).
  EvaluationColumns ev(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) ev.add(rows[i].figures);
  long long id = 0;
  std::string m, r, o, src;
  BulkInsert insert(sql, "implementation", true);
  if (ev.any) ev.bind(insert);
  insert.col("source", source)
      .col("measure_id", measure)
      .col("region", region)
      .col("organisation", organisation)
      .col("sector", sector)
      .col("revision", revision)
      .col("lifecycle", lifecycle)
      .col("start_date", start)
      .col("deadline", deadline)
      .col("completed", completed, &completedInd)
      .col("title", title)
      .col("act_type", actType)
      .col("act_number", actNumber)
      .col("act_date", actDate)
      .col("act_item", actItem)
      .col("note", note)
      .col("search_text", search)
      .col("fingerprint", fingerprint)
      .col("received_at", received)
      .col("organisation_key", key)
      .col("priority", priority)
      // Taken once for the statement, so the rows rank in the order given.
      .computed("reported_seq", "(SELECT coalesce(max(reported_seq), 0) FROM implementation) + ord")
      .run(noneStored ? " RETURNING id, measure_id, region, organisation, source"
                      : " ON CONFLICT (measure_id, region, organisation, source) DO NOTHING "
                        "RETURNING id, measure_id, region, organisation, source",
           [&](Statement& st) {
             st, soci::into(id), soci::into(m), soci::into(r), soci::into(o), soci::into(src);
             while (st.fetch()) {
               auto it = index.find(std::make_tuple(m, r, o, src));
               if (it == index.end())
                 throw StoreError("store: an inserted row came back with another key");
               ids[it->second] = id;
             }
           });
  return ids;
}

// ---- reading ----------------------------------------------------------------------------------

const char* const kRowColumns =
    "id, source, measure_id, region, organisation, sector, revision, lifecycle, start_date, "
    "deadline, completed, title, act_type, act_number, act_date, act_item, note";

void readRows(soci::session& sql, const std::string& query, const std::vector<std::string>& params,
              std::vector<Loaded>& out) {
  long long id = 0, revision = 0;
  std::string source, measureId, region, organisation, sector, lifecycle, start, deadline,
      completed, title, actType, actNumber, actDate, actItem, note;
  soci::indicator completedInd = soci::i_null;
  Statement p(sql, query);
  p, soci::into(id), soci::into(source), soci::into(measureId), soci::into(region),
      soci::into(organisation), soci::into(sector), soci::into(revision), soci::into(lifecycle),
      soci::into(start), soci::into(deadline), soci::into(completed, completedInd),
      soci::into(title), soci::into(actType), soci::into(actNumber), soci::into(actDate),
      soci::into(actItem), soci::into(note);
  for (const auto& v : params) p, soci::use(v);
  while (p.fetch()) {
    Loaded row;
    row.id = id;
    auto& x = row.impl;
    x.source = source;
    x.measure.id = measureId;
    x.measure.title = title;
    x.measure.act = {actType, actNumber, dateFrom(actDate, "act date"), actItem};
    x.region = region;
    x.organisation = organisation;
    x.sector = sector;
    x.revision = revision;
    auto lc = model::lifecycleFromString(lifecycle);
    if (!lc) throw StoreError("store: unknown lifecycle '" + lifecycle + "' in the database");
    x.lifecycle = *lc;
    x.start = dateFrom(start, "start date");
    x.deadline = dateFrom(deadline, "deadline");
    x.completed = optionalDate(completed, completedInd, "completion date");
    x.note = note;
    out.push_back(std::move(row));
  }
}

std::vector<long long> PendingRows::takeWritten() {
  return std::exchange(written_, {});
}

std::string idListParameter(soci::session& sql, const std::vector<long long>& ids,
                            std::string& condition, const std::string& column) {
  return idList(sql, ids, condition, column);
}

std::map<std::string, long long> countOrphanRows(soci::session& sql) {
  struct Link {
    const char* table;
    const char* parent;
    const char* on;  // the join condition, child c and parent p
  };
  static const Link kLinks[] = {
      {"deadline_change", "implementation", "p.id = c.implementation_id"},
      {"indicator", "implementation", "p.id = c.implementation_id"},
      {"assignment", "implementation", "p.id = c.implementation_id"},
      {"evidence", "implementation", "p.id = c.implementation_id"},
      {"title_translation", "implementation", "p.id = c.implementation_id"},
      {"journal_control_event", "implementation", "p.id = c.implementation_id"},
      {"journal_comment", "implementation", "p.id = c.implementation_id"},
      {"indicator_period", "indicator",
       "p.implementation_id = c.implementation_id AND p.pos = c.indicator_pos"},
      {"indicator_breakdown", "indicator_period",
       "p.implementation_id = c.implementation_id AND p.indicator_pos = c.indicator_pos AND "
       "p.pos = c.period_pos"},
      {"assignment_deadline_change", "assignment",
       "p.implementation_id = c.implementation_id AND p.pos = c.assignment_pos"},
  };
  std::map<std::string, long long> out;
  for (const auto& link : kLinks) {
    long long n = 0;
    run(sql,
        std::string("SELECT count(*) FROM ") + link.table + " c WHERE NOT EXISTS (SELECT 1 FROM " +
            link.parent + " p WHERE " + link.on + ")",
        soci::into(n));
    if (n > 0) out[link.table] = n;
  }
  return out;
}

void loadChildren(soci::session& sql, std::vector<Loaded>& rows, Decisions decisions) {
  for (std::size_t from = 0; from < rows.size(); from += kChildChunk)
    loadChunk(sql, rows, from, std::min(rows.size(), from + kChildChunk), decisions);
}

}  // namespace ijro::store::detail
