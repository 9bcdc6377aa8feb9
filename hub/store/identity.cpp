#include "hub/store/identity.hpp"

#include <soci/soci.h>

#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "hub/store/statements.hpp"
#include "hub/store/text.hpp"

namespace ijro::store::detail {

namespace {

// A row is current when no row of the same implementation outranks it.
constexpr const char* kOutranked =
    "EXISTS (SELECT 1 FROM implementation o WHERE o.measure_id = implementation.measure_id AND "
    "o.region = implementation.region AND o.organisation_key = implementation.organisation_key "
    "AND (o.priority > implementation.priority OR (o.priority = implementation.priority AND "
    "(o.reported_seq > implementation.reported_seq OR (o.reported_seq = "
    "implementation.reported_seq AND o.id > implementation.id)))))";

// Marks each row current or not, where the two differ; callers narrow it with an AND clause.
const std::string& markCurrentUpdate() {
  static const std::string update = [] {
    const std::string current = std::string("CASE WHEN ") + kOutranked + " THEN 0 ELSE 1 END";
    return "UPDATE implementation SET is_current = " + current + " WHERE is_current <> " + current;
  }();
  return update;
}

// Whether any row changed. One scan reads each pair of spelling and stored key; only the
// spellings whose key the rules change are written (none when the rules are the ones the rows
// were written under, as at most starts).
bool rekeyTable(soci::session& sql, const char* table,
                const std::function<std::string(const std::string&)>& keyOf) {
  std::map<std::string, std::string> rekeyed;  // spelling -> its new key
  {
    soci::rowset<soci::row> rows =
        (sql.prepare << std::string("SELECT DISTINCT organisation, organisation_key FROM ") +
                            table);
    for (const auto& r : rows) {
      const auto spelling = r.get<std::string>(0);
      if (rekeyed.count(spelling)) continue;
      std::string key = keyOf(spelling);
      if (key != r.get<std::string>(1)) rekeyed.emplace(spelling, std::move(key));
    }
  }
  bool changed = false;
  for (const auto& [spelling, key] : rekeyed) {
    Statement st(sql, std::string("UPDATE ") + table +
                          " SET organisation_key = :k WHERE organisation = :o AND "
                          "organisation_key <> :k2");
    st, soci::use(key), soci::use(spelling), soci::use(key);
    st.execute();
    if (st.affectedRows() > 0) changed = true;
  }
  return changed;
}

}  // namespace

bool rekeyOrganisations(soci::session& sql,
                        const std::function<std::string(const std::string&)>& keyOf) {
  const bool changed = rekeyTable(sql, "implementation", keyOf);
  rekeyTable(sql, "history", keyOf);
  return changed;
}

bool applyPriorities(soci::session& sql, const std::map<std::string, int>& priorities,
                     int fallback) {
  std::vector<std::string> sources;
  {
    soci::rowset<std::string> rows = (sql.prepare << "SELECT DISTINCT source FROM implementation");
    for (const auto& r : rows) sources.push_back(r);
  }
  bool changed = false;
  for (const auto& source : sources) {
    auto it = priorities.find(source);
    int p = it == priorities.end() ? fallback : it->second;
    Statement st(sql,
                 "UPDATE implementation SET priority = :p WHERE source = :s AND priority <> :p2");
    st, soci::use(p), soci::use(source), soci::use(p);
    st.execute();
    if (st.affectedRows() > 0) changed = true;
  }
  return changed;
}

void markCurrent(soci::session& sql, const std::vector<Identity>& identities) {
  if (identities.empty()) return;
  std::vector<std::string> m, r, k;
  for (const auto& i : identities) {
    m.push_back(i.measureId);
    r.push_back(i.region);
    k.push_back(i.organisationKey);
  }
  static const std::string update =
      markCurrentUpdate() +
      " AND (measure_id, region, organisation_key) IN (SELECT * FROM unnest(CAST(:m AS TEXT[]), "
      "CAST(:r AS TEXT[]), CAST(:k AS TEXT[])))";
  const std::string ms = pgTextArray(m), rs = pgTextArray(r), ks = pgTextArray(k);
  run(sql, update, soci::use(ms), soci::use(rs), soci::use(ks));
}

void markCurrent(soci::session& sql, const std::optional<Identity>& only) {
  if (!only) {
    sql << markCurrentUpdate();
    return;
  }
  static const std::string update =
      markCurrentUpdate() + " AND measure_id = :m AND region = :r AND organisation_key = :k";
  run(sql, update, soci::use(only->measureId), soci::use(only->region),
      soci::use(only->organisationKey));
}

std::vector<bool> aloneOf(soci::session& sql, const std::vector<Identity>& identities) {
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, int> given;
  std::vector<std::string> m, r, k;
  for (const auto& i : identities) {
    if (++given[{i.measureId, i.region, i.organisationKey}] > 1) continue;
    m.push_back(i.measureId);
    r.push_back(i.region);
    k.push_back(i.organisationKey);
  }
  std::set<Key> held;
  if (!m.empty()) {
    const std::string ms = pgTextArray(m), rs = pgTextArray(r), ks = pgTextArray(k);
    std::string measure, region, key;
    Statement st(sql,
                 "SELECT DISTINCT measure_id, region, organisation_key FROM implementation WHERE "
                 "(measure_id, region, organisation_key) IN (SELECT * FROM unnest(CAST(:m AS "
                 "TEXT[]), CAST(:r AS TEXT[]), CAST(:k AS TEXT[])))");
    st, soci::into(measure), soci::into(region), soci::into(key), soci::use(ms), soci::use(rs),
        soci::use(ks);
    while (st.fetch()) held.insert({measure, region, key});
  }
  std::vector<bool> alone;
  for (const auto& i : identities) {
    const Key id{i.measureId, i.region, i.organisationKey};
    alone.push_back(given[id] == 1 && !held.count(id));
  }
  return alone;
}

}  // namespace ijro::store::detail
