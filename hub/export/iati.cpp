// The IATI 2.03 activities document (iati.hpp).
#include "hub/export/iati.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "hub/model/regions.hpp"
#include "hub/xml/writer.hpp"

namespace ijro::exports {

namespace {

using model::ExecutionStatus;

// A number as xs:decimal text: fixed notation, the shortest that reads back the same.
std::string decimalText(double v) {
  if (!std::isfinite(v)) throw std::invalid_argument("IATI export: a value is not a finite number");
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

// One narrative; an empty `lang` leaves xml:lang out (the activity's default language).
void narrative(xml::Writer& w, std::string_view text, std::string_view lang = {}) {
  w.startElement("narrative");
  if (!lang.empty()) w.attribute("xml:lang", lang);
  w.text(text);
  w.endElement();
}

// The main text in the default language, then each translation in another language (a
// translation into the default language is the main text again and is left out).
void narratives(xml::Writer& w, const std::string& main, const model::Translations& translations,
                const std::string& defaultLang) {
  std::set<std::string> written;
  if (!main.empty()) {
    narrative(w, main);
    if (!defaultLang.empty()) written.insert(defaultLang);
  }
  for (const auto& t : translations) {
    const std::string lang = iatiLanguage(t.lang);
    if (t.text.empty() || !written.insert(lang).second) continue;
    narrative(w, t.text, lang);
  }
}

int yearOf(model::Date d) {
  return static_cast<int>(std::chrono::year_month_day(d).year());
}

bool isDone(ExecutionStatus s) {
  return s == ExecutionStatus::DoneOnTime || s == ExecutionStatus::DoneLate;
}

std::string locationRef(const std::string& soato) {
  return "SOATO-" + soato;
}

// The first-level territory an implementation is located in (a district rolls up to its
// region; the republic is "17").
std::string territoryOf(const model::Implementation& impl) {
  return model::regionOf(impl.region).value_or(impl.region);
}

struct Evaluated {
  const model::Implementation* impl = nullptr;
  model::Evaluation ev;
};

void writeDates(xml::Writer& w, const std::vector<Evaluated>& items, model::Date asOf) {
  auto date = [&](const char* type, model::Date d) {
    w.startElement("activity-date");
    w.attribute("type", type);
    w.attribute("iso-date", model::formatDate(d));
    w.endElement();
  };
  model::Date plannedStart = items.front().impl->start, plannedEnd = items.front().ev.deadline;
  std::optional<model::Date> actualStart, actualEnd;
  bool allFinished = true;  // every implementation not cancelled is done
  bool anyDone = false;
  for (const auto& e : items) {
    plannedStart = std::min(plannedStart, e.impl->start);
    plannedEnd = std::max(plannedEnd, e.ev.deadline);
    // Work has actually started once it is past notStarted, and only on a day already passed.
    if (e.ev.status != ExecutionStatus::NotStarted && e.ev.status != ExecutionStatus::Cancelled &&
        e.impl->start <= asOf)
      actualStart = actualStart ? std::min(*actualStart, e.impl->start) : e.impl->start;
    if (e.ev.status == ExecutionStatus::Cancelled) continue;
    if (!isDone(e.ev.status) || !e.ev.completed) {
      allFinished = false;
      continue;
    }
    anyDone = true;
    actualEnd = actualEnd ? std::max(*actualEnd, *e.ev.completed) : *e.ev.completed;
  }
  date("1", plannedStart);
  // IATI: an actual date is never in the future. An actual date after asOf (a completion
  // reported ahead of time) is left out rather than clamped to asOf: a clamped date would state
  // a day on which the work did not in fact start or end.
  if (actualStart && *actualStart <= asOf) date("2", *actualStart);
  date("3", plannedEnd);
  if (allFinished && anyDone && actualEnd && *actualEnd <= asOf) date("4", *actualEnd);
}

void writeParticipants(xml::Writer& w, const std::vector<Evaluated>& items,
                       const std::string& defaultLang) {
  std::set<std::string> seen;
  for (const auto& e : items) {
    const auto& impl = *e.impl;
    const std::string key =
        impl.organisationCode.empty() ? impl.organisation : "code:" + impl.organisationCode;
    if (!seen.insert(key).second) continue;
    w.startElement("participating-org");
    w.attribute("role", "4");   // OrganisationRole: implementing
    w.attribute("type", "10");  // OrganisationType: government
    narratives(w, impl.organisation, impl.organisationNames, defaultLang);
    w.endElement();
  }
}

void writeLocations(xml::Writer& w, const std::vector<Evaluated>& items) {
  std::set<std::string> territories;
  for (const auto& e : items) territories.insert(territoryOf(*e.impl));
  for (const auto& soato : territories) {
    const model::Region* region = model::findRegion(soato);
    w.startElement("location");
    // The GeographicVocabulary codelist holds no vocabulary for SOATO, so the SOATO code is the
    // reporting organisation's own reference to the place (location/@ref, which the results'
    // baselines and periods point at); the area is named in four languages and placed in the
    // country by the one code the vocabularies hold for it (A4, ISO 3166-1: UZ).
    w.attribute("ref", locationRef(soato));
    w.startElement("location-reach");
    w.attribute("code", "1");  // the activity takes place here
    w.endElement();
    w.startElement("name");
    if (region) {
      narrative(w, region->nameUzLatn);
      narrative(w, region->nameEn, "en");
      narrative(w, region->nameRu, "ru");
      narrative(w, region->nameUzCyrl, "uz-Cyrl");
    } else {
      narrative(w, "O'zbekiston Respublikasi");
      narrative(w, "Republic of Uzbekistan", "en");
      narrative(w, "Республика Узбекистан", "ru");
      narrative(w, "Ўзбекистон Республикаси", "uz-Cyrl");
    }
    w.endElement();
    w.startElement("administrative");
    w.attribute("vocabulary", "A4");
    w.attribute("code", "UZ");
    w.attribute("level", "0");
    w.endElement();
    w.startElement("exactness");
    w.attribute("code", "1");  // exact: the whole administrative area
    w.endElement();
    w.startElement("location-class");
    w.attribute("code", "1");  // administrative region
    w.endElement();
    w.startElement("feature-designation");
    // ADM1: a first-order administrative division; PCLI: an independent political entity.
    w.attribute("code", region ? "ADM1" : "PCLI");
    w.endElement();
    w.endElement();
  }
}

void writeSectors(xml::Writer& w, const std::vector<Evaluated>& items) {
  std::map<std::string, std::size_t> counts;
  for (const auto& e : items) ++counts[e.impl->sector];
  // Shares by number of implementations, in hundredths, the last taking the rest so that they
  // add up to 100 as IATI asks; a single sector needs no percentage.
  const std::size_t total = items.size();
  long hundredthsLeft = 10000;
  std::size_t i = 0;
  for (const auto& [code, n] : counts) {
    w.startElement("sector");
    w.attribute("vocabulary", "99");  // the reporting organisation's own sector codes
    w.attribute("code", code);
    if (counts.size() > 1) {
      long share = ++i == counts.size()
                       ? hundredthsLeft
                       : static_cast<long>(std::lround(10000.0 * double(n) / double(total)));
      hundredthsLeft -= share;
      w.attribute("percentage", decimalText(double(share) / 100.0));
    }
    narrative(w, code, "en");
    w.endElement();
  }
}

void writeDocumentLink(xml::Writer& w, const model::Evidence& ev) {
  w.startElement("document-link");
  w.attribute("url", ev.url);
  w.attribute("format", ev.format.empty() ? "application/octet-stream" : ev.format);
  w.startElement("title");
  narrative(w, ev.title.empty() ? ev.url : ev.title);
  w.endElement();
  w.startElement("category");
  w.attribute("code", "A08");  // DocumentCategory: results, outcomes and outputs
  w.endElement();
  if (ev.date != model::Date{}) {
    w.startElement("document-date");
    w.attribute("iso-date", model::formatDate(ev.date));
    w.endElement();
  }
  w.endElement();
}

// One value (target or actual) at a location, with an optional disaggregation.
void writeValue(xml::Writer& w, const char* element, double value, const std::string& soato,
                const model::Breakdown* breakdown) {
  w.startElement(element);
  w.attribute("value", decimalText(value));
  w.startElement("location");
  w.attribute("ref", locationRef(soato));
  w.endElement();
  if (breakdown) {
    w.startElement("dimension");
    w.attribute("name", breakdown->dimension);
    w.attribute("value", breakdown->category);
    w.endElement();
  }
  w.endElement();
}

struct IndicatorAt {
  const model::Indicator* indicator = nullptr;
  const model::Implementation* impl = nullptr;
};

void writeResults(xml::Writer& w, const std::vector<Evaluated>& items) {
  std::map<std::string, std::vector<IndicatorAt>> byCode;  // one result per indicator code
  for (const auto& e : items)
    for (const auto& ind : e.impl->indicators) byCode[ind.code].push_back({&ind, e.impl});
  for (const auto& [code, list] : byCode) {
    const model::Indicator& first = *list.front().indicator;
    const std::string title = first.name.empty() ? code : first.name;
    w.startElement("result");
    w.attribute("type", "1");  // ResultType: output
    w.attribute("aggregation-status", "false");
    w.startElement("title");
    narrative(w, title);
    w.endElement();
    w.startElement("indicator");
    w.attribute("measure", first.unit == "%" ? "2" : "1");  // IndicatorMeasure: percentage, unit
    w.attribute("ascending", first.ascending ? "true" : "false");
    w.startElement("title");
    narrative(w, first.unit.empty() ? title : title + " (" + first.unit + ")");
    w.endElement();
    w.startElement("reference");
    w.attribute("vocabulary", "99");  // IndicatorVocabulary: reporting organisation
    w.attribute("code", code);
    w.endElement();
    // One baseline per implementation, at its territory, in the year its work starts.
    for (const auto& at : list) {
      w.startElement("baseline");
      w.attribute("year", std::to_string(yearOf(at.impl->start)));
      w.attribute("value", decimalText(at.indicator->baseline));
      w.startElement("location");
      w.attribute("ref", locationRef(territoryOf(*at.impl)));
      w.endElement();
      w.endElement();
    }
    // Periods of every implementation by (start, end); within one, each implementation's target
    // and actual at its territory, then those of its breakdowns.
    std::map<std::pair<model::Date, model::Date>,
             std::vector<std::pair<const model::IndicatorPeriod*, std::string>>>
        periods;
    for (const auto& at : list)
      for (const auto& p : at.indicator->periods)
        periods[{p.start, p.end}].push_back({&p, territoryOf(*at.impl)});
    for (const auto& [range, entries] : periods) {
      w.startElement("period");
      w.startElement("period-start");
      w.attribute("iso-date", model::formatDate(range.first));
      w.endElement();
      w.startElement("period-end");
      w.attribute("iso-date", model::formatDate(range.second));
      w.endElement();
      for (const auto& [p, soato] : entries) {
        if (p->target) writeValue(w, "target", *p->target, soato, nullptr);
        for (const auto& b : p->breakdowns)
          if (b.target) writeValue(w, "target", *b.target, soato, &b);
      }
      for (const auto& [p, soato] : entries) {
        if (p->actual) writeValue(w, "actual", *p->actual, soato, nullptr);
        for (const auto& b : p->breakdowns)
          if (b.actual) writeValue(w, "actual", *b.actual, soato, &b);
      }
      w.endElement();
    }
    w.endElement();
    w.endElement();
  }
}

std::string describeAct(const model::Measure& m) {
  const auto& a = m.act;
  if (a.number.empty() && a.type.empty()) return m.title.empty() ? m.id : m.title;
  std::string text = (a.type.empty() ? std::string("act") : a.type) + " " + a.number;
  if (a.date != model::Date{}) text += " of " + model::formatDate(a.date);
  if (!a.item.empty()) text += ", item " + a.item;
  return text + ": " + (m.title.empty() ? m.id : m.title);
}

void writeActivity(xml::Writer& w, const IatiHeader& h, const std::vector<Evaluated>& items) {
  const model::Measure& measure = items.front().impl->measure;
  w.startElement("iati-activity");
  if (!h.defaultLang.empty()) w.attribute("xml:lang", h.defaultLang);
  w.textElement("iati-identifier", h.reportingOrgRef + "-" + measure.id);
  w.startElement("reporting-org");
  w.attribute("ref", h.reportingOrgRef);
  w.attribute("type", h.reportingOrgType);
  for (const auto& n : h.reportingOrgNames) narrative(w, n.text, iatiLanguage(n.lang));
  w.endElement();
  w.startElement("title");
  narratives(w, measure.title.empty() ? measure.id : measure.title, measure.titles, h.defaultLang);
  w.endElement();
  w.startElement("description");
  narrative(w, describeAct(measure));
  w.endElement();
  writeParticipants(w, items, h.defaultLang);
  std::vector<ExecutionStatus> statuses;
  for (const auto& e : items) statuses.push_back(e.ev.status);
  w.startElement("activity-status");
  w.attribute("code", std::to_string(activityStatusCode(statuses)));
  w.endElement();
  writeDates(w, items, h.asOf);
  w.startElement("recipient-country");
  w.attribute("code", "UZ");
  w.endElement();
  writeLocations(w, items);
  writeSectors(w, items);
  std::set<std::string> links;
  for (const auto& e : items)
    for (const auto& ev : e.impl->evidence)
      if (!ev.url.empty() && links.insert(ev.url).second) writeDocumentLink(w, ev);
  writeResults(w, items);
  w.endElement();
}

}  // namespace

std::string iatiLanguage(std::string_view bcp47) {
  if (bcp47 == "uz-Latn" || bcp47 == "uz") return "uz";
  return std::string(bcp47);
}

int activityStatusCode(const std::vector<ExecutionStatus>& statuses) {
  std::size_t cancelled = 0, suspended = 0, done = 0, notStarted = 0;
  for (auto s : statuses) {
    if (s == ExecutionStatus::Cancelled)
      ++cancelled;
    else if (s == ExecutionStatus::Suspended)
      ++suspended;
    else if (isDone(s))
      ++done;
    else if (s == ExecutionStatus::NotStarted)
      ++notStarted;
  }
  const std::size_t n = statuses.size();
  if (n == 0 || cancelled == n) return 5;    // cancelled
  if (cancelled + suspended == n) return 6;  // suspended (what is not cancelled)
  const std::size_t active = n - cancelled - suspended;
  if (done == active) return 4;        // closed
  if (notStarted == active) return 1;  // pipeline / identification
  return 2;                            // implementation
}

std::string writeIati(
    const IatiHeader& header, const model::StatusRules& rules,
    const std::function<void(const std::function<void(const model::Implementation&)>&)>& each) {
  if (header.reportingOrgRef.empty())
    throw std::invalid_argument(
        "IATI export: no reporting organisation identifier: configure the IATI reporting "
        "organisation (its {RegistrationAgency}-{RegistrationNumber} identifier)");
  if (header.reportingOrgNames.empty())
    throw std::invalid_argument(
        "IATI export: the reporting organisation has no name: configure at least one");
  // Gathered by measure id: an activity is written whole, whatever order the store streams.
  std::map<std::string, std::vector<model::Implementation>> byMeasure;
  each([&](const model::Implementation& impl) { byMeasure[impl.measure.id].push_back(impl); });

  xml::Writer w;
  w.startElement("iati-activities");
  w.attribute("version", kIatiVersion);
  w.attribute("generated-datetime", header.generatedAt);
  for (const auto& [id, impls] : byMeasure) {
    std::vector<Evaluated> items;
    items.reserve(impls.size());
    for (const auto& impl : impls)
      items.push_back({&impl, model::evaluate(impl, header.asOf, rules)});
    writeActivity(w, header, items);
  }
  w.endElement();
  return w.finish();
}

}  // namespace ijro::exports
