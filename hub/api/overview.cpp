// The dashboard's reads: GET /api/v1/overview (the region x sector picture on one date) and
// GET /api/v1/trend (shares overdue and done late over time, from the stored revisions).
// Both are narrowed to the reader's regions and sectors as /api/v1/measures is.
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <map>

#include "hub/api/api.hpp"
#include "hub/api/json_problem.hpp"
#include "hub/api/query.hpp"
#include "hub/api/views.hpp"
#include "hub/base/timestamp.hpp"
#include "hub/exchange/json_text.hpp"
#include "hub/model/regions.hpp"
#include "hub/model/validate.hpp"

namespace ijro::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

Response jsonOk(const json::value& v) {
  return {200, "application/json", exchange::toJsonText(v) + "\n", {}};
}

// The query of the dashboard's reads, checked; errors name the parameter and what to send.
struct DashQuery {
  store::Filter filter;
  model::Date asOf = model::today();
  std::string lang;
  std::optional<model::Date> from, to;
  std::string step = "month";
};

std::optional<std::string> parseDashQuery(const Request& req, DashQuery& q,
                                          const std::set<std::string>& allowed) {
  for (const auto& [k, v] : req.query) {
    if (auto problem = parameterProblem(k, v, allowed)) return problem;
    if (k == "region") {
      if (auto problem = regionProblem(v)) return problem;
      q.filter.region = v;
    } else if (k == "sector") {
      if (v.empty()) return "sector is empty: give a sector code (e.g. health)";
      q.filter.sector = v;
    } else if (k == "asOf" || k == "from" || k == "to") {
      auto d = model::parseDate(v);
      if (!d) return k + " \"" + v + "\" is not a date: use YYYY-MM-DD";
      if (k == "asOf") q.asOf = *d;
      if (k == "from") q.from = *d;
      if (k == "to") q.to = *d;
    } else if (k == "step") {
      if (v != "month" && v != "week") return "step must be month or week, not \"" + v + "\"";
      q.step = v;
    } else if (k == "lang") {
      if (!model::isLanguageTag(v))
        return "lang \"" + v + "\" is not a language tag: use uz-Latn, uz-Cyrl, ru or en";
      q.lang = v;
    }
  }
  return std::nullopt;
}

// A region's name in the first of the reader's languages the table has (en otherwise).
std::string regionName(const model::Region& r, const std::vector<std::string>& languages) {
  for (const auto& pref : languages) {
    std::string l = pref;
    for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (l == "uz-cyrl") return std::string(r.nameUzCyrl);
    if (l == "uz-latn" || l == "uz") return std::string(r.nameUzLatn);
    if (l == "ru" || l.starts_with("ru-")) return std::string(r.nameRu);
    if (l == "en" || l.starts_with("en-")) return std::string(r.nameEn);
  }
  return std::string(r.nameEn);
}

std::string firstLevel(const std::string& territory) {
  return model::regionOf(territory).value_or(territory);
}

// A roll-up's fields without its key (the caller names the group).
json::object rollUpFields(const model::RollUp& r) {
  json::object o = rollUpJson(r);
  o.erase("key");
  return o;
}

std::int64_t ageSeconds(const std::string& at, std::chrono::system_clock::time_point now) {
  auto t = base::parseTimestamp(at);
  if (!t) return 0;
  return std::max<std::int64_t>(0,
                                std::chrono::duration_cast<std::chrono::seconds>(now - *t).count());
}

constexpr std::size_t kMaxEarlyWarnings = 100;
constexpr std::size_t kMaxTrendPoints = 120;

// `months` calendar months before d, on the same day of the month or the month's last day.
model::Date minusMonths(model::Date d, int months) {
  const std::chrono::year_month_day ymd{d};
  const auto month = std::chrono::year_month{ymd.year(), ymd.month()} - std::chrono::months(months);
  const std::chrono::year_month_day_last last{month.year(),
                                              std::chrono::month_day_last{month.month()}};
  return std::chrono::sys_days{
      ymd.day() > last.day() ? std::chrono::year_month_day{last}
                             : std::chrono::year_month_day{month.year(), month.month(), ymd.day()}};
}

}  // namespace

Response Api::getOverview(const Request& req, const intake::Scope& reader) {
  DashQuery q;
  if (auto err = parseDashQuery(req, q, {"asOf", "region", "sector", "lang"})) {
    ++counters_.badRequests;
    return jsonProblem(400, *err);
  }
  if (auto err = narrowToScope(reader, q.filter)) {
    ++counters_.forbidden;
    return jsonProblem(403, *err);
  }
  const auto languages = languagePreferences(q.lang, req.header("accept-language"));

  model::RollUpBuilder totals(model::RollUpBy::Region), matrix(model::RollUpBy::Region);
  std::size_t n = 0;
  struct Warning {
    model::Date deadline{};
    long daysLeft = 0;
    std::string measure, title, region, organisation, sector;
  };
  std::vector<Warning> warnings;
  std::size_t warningsTotal = 0;
  std::set<std::string> regionsSeen;
  // As of today: the totals and the matrix from the store's counts of its stored evaluations, the
  // early warnings from the store's list of them (by deadline, the first kMaxEarlyWarnings).
  bool answered = false;
  const model::Date today = model::today();
  if (settings_.indexedStatus && q.asOf == today && store_.refreshStatus(today)) {
    store::StatusFilter early;
    early.earlyWarning = true;
    auto cells = store_.statusCells(q.filter, today, settings_.rules);
    auto page = cells ? store_.statusPage(q.filter, early, today, settings_.rules, 0,
                                          kMaxEarlyWarnings, store::StatusOrder::Deadline)
                      : std::nullopt;
    if (cells && page) {
      answered = true;
      for (const auto& c : *cells) {
        n += c.count;
        totals.add(std::string("total"), c.sums, c.count, c.withOverdueTasks);
        regionsSeen.insert(c.key);
        matrix.add(c.key + '\x1f' + c.sector, c.sums, c.count, c.withOverdueTasks);
      }
      for (const auto& row : page->rows) {
        const auto& impl = row.impl;
        warnings.push_back(
            {row.figures.deadline, model::daysBetween(q.asOf, row.figures.deadline),
             impl.measure.id, pickText(impl.measure.title, impl.measure.titles, languages),
             impl.region, pickText(impl.organisation, impl.organisationNames, languages),
             impl.sector});
      }
      warningsTotal = page->total;
    }
  }
  if (!answered)
    store_.forEach(q.filter, [&](const model::Implementation& impl) {
      const auto ev = model::evaluate(impl, q.asOf, settings_.rules);
      ++n;
      totals.add(std::string("total"), ev);
      const std::string region = firstLevel(impl.region);
      regionsSeen.insert(region);
      // The unit separator cannot occur in a SOATO code, so the pair splits back unambiguously.
      matrix.add(region + '\x1f' + impl.sector, ev);
      // Open work due within earlyWarningDays (evaluate sets it for nothing else).
      if (ev.earlyWarning)
        warnings.push_back(
            {ev.deadline, model::daysBetween(q.asOf, ev.deadline), impl.measure.id,
             pickText(impl.measure.title, impl.measure.titles, languages), impl.region,
             pickText(impl.organisation, impl.organisationNames, languages), impl.sector});
    });
  if (!answered) warningsTotal = warnings.size();

  const auto totalGroups = totals.result();
  json::object doc{
      {"asOf", model::formatDate(q.asOf)},
      {"implementations", n},
      {"totals", rollUpFields(totalGroups.empty() ? model::RollUp{"total"} : totalGroups.front())}};

  json::array cells;
  for (const auto& g : matrix.result()) {
    const auto cut = g.key.find('\x1f');
    json::object cell{{"region", g.key.substr(0, cut)}, {"sector", g.key.substr(cut + 1)}};
    for (auto& [k, v] : rollUpFields(g)) cell[k] = v;
    cells.push_back(std::move(cell));
  }
  doc["matrix"] = std::move(cells);

  // Every region the reader may see (within the query's region), and national work if any.
  json::array regions;
  std::vector<std::string> regionCodes;
  const std::optional<std::string> queried =
      q.filter.region ? model::regionOf(*q.filter.region) : std::nullopt;
  const std::string national(model::kNationalCode);
  if (regionsSeen.count(national)) {
    regions.push_back(json::object{{"code", national}, {"name", "National"}, {"iso", "UZ"}});
    regionCodes.push_back(national);
  }
  for (const auto& r : model::regions()) {
    const std::string code(r.soato);
    if (queried && *queried != code) continue;
    if (!reader.coversRegion(code)) continue;
    regions.push_back(
        json::object{{"code", code}, {"name", regionName(r, languages)}, {"iso", r.iso}});
    regionCodes.push_back(code);
  }
  doc["regions"] = std::move(regions);

  json::array sectors;
  for (const auto& code : settings_.sectors.codes()) {
    if (q.filter.sector && *q.filter.sector != code) continue;
    if (!reader.coversSector(code)) continue;
    sectors.push_back(json::object{{"code", code}, {"name", code}});
  }
  doc["sectors"] = std::move(sectors);

  std::stable_sort(warnings.begin(), warnings.end(),
                   [](const Warning& a, const Warning& b) { return a.deadline < b.deadline; });
  json::array early;
  for (std::size_t i = 0; i < warnings.size() && i < kMaxEarlyWarnings; ++i) {
    const auto& w = warnings[i];
    early.push_back(json::object{{"measure", w.measure},
                                 {"title", w.title},
                                 {"region", w.region},
                                 {"organisation", w.organisation},
                                 {"sector", w.sector},
                                 {"deadline", model::formatDate(w.deadline)},
                                 {"daysLeft", w.daysLeft}});
  }
  doc["earlyWarnings"] = std::move(early);
  doc["earlyWarningsTotal"] = warningsTotal;
  doc["earlyWarningDays"] = settings_.rules.earlyWarningDays;

  // Freshness: per region, the latest receipt of what it still shows (any source); in
  // ministry mode also the peer hubs' batches, as /api/v1/summary shows them.
  std::map<std::string, std::string> latest;
  for (const auto& t : store_.lastReceived(q.filter)) {
    auto& at = latest[firstLevel(t.territory)];
    if (t.lastReceivedAt > at) at = t.lastReceivedAt;
  }
  std::map<std::string, json::object> peers;
  if (auto fresh = freshness(reader); fresh.is_array())
    for (auto& f : fresh.as_array()) {
      auto& o = f.as_object();
      peers[json::value_to<std::string>(o.at("region"))] = o;
    }
  const auto now = std::chrono::system_clock::now();
  std::vector<std::string> order = regionCodes;
  for (const auto& [code, at] : latest)
    if (std::find(order.begin(), order.end(), code) == order.end()) order.push_back(code);
  for (const auto& [code, p] : peers)
    if (std::find(order.begin(), order.end(), code) == order.end() &&
        (code == "*" || !queried || *queried == code))
      order.push_back(code);
  json::array fresh;
  for (const auto& code : order) {
    json::object f{{"region", code}, {"lastReport", nullptr}, {"ageSeconds", nullptr}};
    if (auto it = latest.find(code); it != latest.end() && !it->second.empty()) {
      f["lastReport"] = it->second;
      f["ageSeconds"] = ageSeconds(it->second, now);
    }
    if (auto it = peers.find(code); it != peers.end()) {
      f["lastBatchAt"] = it->second.at("lastBatchAt");
      f["hubs"] = it->second.at("hubs");
    }
    fresh.push_back(std::move(f));
  }
  doc["freshness"] = std::move(fresh);
  return jsonOk(doc);
}

Response Api::getTrend(const Request& req, const intake::Scope& reader) {
  DashQuery q;
  if (auto err = parseDashQuery(req, q, {"asOf", "from", "to", "step", "region", "sector"})) {
    ++counters_.badRequests;
    return jsonProblem(400, *err);
  }
  if (auto err = narrowToScope(reader, q.filter)) {
    ++counters_.forbidden;
    return jsonProblem(403, *err);
  }
  const bool weekly = q.step == "week";
  const model::Date to = q.to.value_or(q.asOf);
  const model::Date from = q.from.value_or(minusMonths(to, 12));
  if (from > to) {
    ++counters_.badRequests;
    return jsonProblem(400, "from " + model::formatDate(from) + " is after to " +
                                model::formatDate(to) + ": give from on or before to");
  }
  // The points step back from `to`, so the last is the date asked for.
  std::vector<model::Date> dates;
  for (int k = 0;; ++k) {
    const model::Date d = weekly ? to - std::chrono::days(7 * k) : minusMonths(to, k);
    if (d < from) break;
    if (dates.size() == kMaxTrendPoints) {
      ++counters_.badRequests;
      return jsonProblem(400, "from " + model::formatDate(from) + " to " + model::formatDate(to) +
                                  " by " + q.step + " gives more than " +
                                  std::to_string(kMaxTrendPoints) +
                                  " points: shorten the range or use step=month");
    }
    dates.push_back(d);
  }
  std::reverse(dates.begin(), dates.end());

  store::Store::RevisionQuery rq;
  rq.region = q.filter.region;
  rq.regionsIn = q.filter.regionsIn;
  rq.until = model::formatDate(to) + "T23:59:59Z";
  rq.since = model::formatDate(dates.front()) + "T23:59:59Z";  // older revisions are superseded
  const auto revisions = store_.revisions(rq);

  // Each implementation's revisions by source row, in commit order.
  struct Row {
    std::vector<const store::Store::Revision*> revisions;
  };
  std::map<std::string, std::map<std::string, Row>> byImplementation;
  for (const auto& r : revisions) {
    const auto& f = r.facts;
    byImplementation[f.measure.id + '\x1f' + f.region + '\x1f' + r.organisationKey]
                    [f.source + '\x1f' + f.organisation]
                        .revisions.push_back(&r);
  }

  json::array points;
  for (const model::Date date : dates) {
    // Known on `date`: received by the end of that day (UTC).
    const std::string until = model::formatDate(date) + "T23:59:59Z";
    model::RollUpBuilder counts(model::RollUpBy::Region);
    std::size_t n = 0;
    for (const auto& [identity, rows] : byImplementation) {
      // Of each source row, the last revision received by then; of those, the current one as
      // the store chooses it: the highest priority, then the latest received.
      const store::Store::Revision* current = nullptr;
      for (const auto& [key, row] : rows) {
        const store::Store::Revision* known = nullptr;
        for (const auto* r : row.revisions)
          if (r->receivedAt <= until) known = r;
        if (!known) continue;
        if (!current || known->priority > current->priority ||
            (known->priority == current->priority && known->historyId > current->historyId))
          current = known;
      }
      if (!current) continue;
      const auto& f = current->facts;
      if (q.filter.sector && f.sector != *q.filter.sector) continue;
      if (!q.filter.sectorsIn.empty() && !q.filter.sectorsIn.count(f.sector)) continue;
      counts.add(std::string("point"), model::evaluate(f, date, settings_.rules));
      ++n;
    }
    const auto groups = counts.result();
    const model::RollUp g = groups.empty() ? model::RollUp{} : groups.front();
    auto share = [](std::size_t part, std::size_t whole) {
      return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
    };
    points.push_back(
        json::object{{"date", model::formatDate(date)},
                     {"implementations", n},
                     {"overdue", g.overdue},
                     {"done", g.done},
                     {"doneLate", g.doneLate},
                     {"dueOrFinished", g.dueOrFinished},
                     // overdue over the work due by then (finished or past due)
                     {"shareOverdue", share(g.overdue, g.dueOrFinished)},
                     // done late over finished work, as /api/v1/summary's
                     {"shareDoneLate", g.shareDoneLate},
                     {"shareDoneLateOfDueOrFinished", g.shareDoneLateOfDueOrFinished}});
  }
  return jsonOk(json::object{{"from", model::formatDate(from)},
                             {"to", model::formatDate(to)},
                             {"step", q.step},
                             {"points", std::move(points)}});
}

}  // namespace ijro::api
