#include "measure_report.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace health_fhir {

namespace {

// A resource that cannot be used: the reason, already naming the place.
class Reject : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string trim(std::string s) {
  auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && space(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && space(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

std::vector<std::string> fields(const std::string& value) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (true) {
    const std::size_t bar = value.find('|', from);
    out.push_back(trim(value.substr(from, bar == std::string::npos ? bar : bar - from)));
    if (bar == std::string::npos) return out;
    from = bar + 1;
  }
}

bool digits(const std::string& s, std::size_t n) {
  return s.size() == n &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isoDate(const std::string& s) {
  return s.size() == 10 && digits(s.substr(0, 4), 4) && s[4] == '-' && digits(s.substr(5, 2), 2) &&
         s[7] == '-' && digits(s.substr(8, 2), 2);
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

// A CodeableConcept's code: its first coding's code, else its text; "" when it has neither.
std::string codeOf(const Elem* cc) {
  if (cc == nullptr) return "";
  for (const Elem* coding : cc->all("coding"))
    if (auto code = coding->text("code"); code && !code->empty()) return *code;
  return cc->text("text").value_or("");
}

struct Values {
  std::optional<double> actual, numerator, denominator;
  bool operator==(const Values& o) const {
    return actual == o.actual && numerator == o.numerator && denominator == o.denominator;
  }
  bool empty() const { return !actual && !numerator && !denominator; }
};

std::string show(const Values& v) {
  auto n = [](double d) {
    std::string s = std::to_string(d);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  };
  if (v.numerator && v.denominator) return n(*v.numerator) + " of " + n(*v.denominator);
  if (v.actual) return n(*v.actual);
  return "no value";
}

double number(const Elem& e) {
  auto n = numberOf(e);
  if (!n)
    throw Reject(e.where + ": " + quoted(e.value) +
                 " is not a number (FHIR writes counts and scores as numbers)");
  return *n;
}

// The values of a group or stratum: its populations and measureScore. A proportion is the
// numerator (less numerator exclusions) of the denominator (less denominator exclusions and
// exceptions), as a CQM performance rate is; otherwise the measureScore; otherwise the
// initial population's count.
Values valuesOf(const Elem& e, const std::string& unit) {
  std::map<std::string, double> counts;
  for (const Elem* population : e.all("population")) {
    const std::string code = codeOf(population->first("code"));
    const Elem* count = population->first("count");
    if (code.empty() || count == nullptr) continue;  // a population without a count says nothing
    counts[code] += number(*count);
  }
  auto count = [&](const char* code) -> std::optional<double> {
    auto it = counts.find(code);
    return it == counts.end() ? std::nullopt : std::optional<double>(it->second);
  };
  Values v;
  if (auto num = count("numerator"), den = count("denominator"); num && den) {
    const double n = *num - count("numerator-exclusion").value_or(0);
    const double d = *den - count("denominator-exclusion").value_or(0) -
                     count("denominator-exception").value_or(0);
    if (n < 0 || d < 0)
      throw Reject(e.where + ": the numerator (" + std::to_string(n) + ") or denominator (" +
                   std::to_string(d) +
                   ") is negative after exclusions and exceptions: check the population counts");
    if (unit == "%" && n > d)
      throw Reject(e.where + ": the numerator " + std::to_string(n) + " exceeds the denominator " +
                   std::to_string(d) +
                   " after exclusions, which a percentage cannot: check the population counts");
    if (d > 0) {  // 0 of 0 has no rate: the period or stratum is kept without a value
      v.numerator = n;
      v.denominator = d;
    }
    return v;
  }
  if (const Elem* score = e.first("measureScore")) {
    if (const Elem* value = score->first("value")) v.actual = number(*value);
    return v;
  }
  v.actual = count("initial-population");
  return v;
}

// "R4 4.0.x", or the reason it is not.
std::optional<std::string> otherVersion(const Elem& r) {
  auto stu3 = [](const std::string& what) {
    return "FHIR STU3 (3.0.x) found, not R4 (4.0.x): " + what +
           ". Only R4 4.0.x MeasureReports are accepted: read the report from the server's R4 "
           "endpoint, or convert it to R4 (http://hl7.org/fhir/R4/measurereport.html)";
  };
  auto r5 = [](const std::string& what) {
    return "FHIR R5 (5.0.x) found, not R4 (4.0.x): " + what +
           ". Only R4 4.0.x MeasureReports are accepted: read the report from the server's R4 "
           "endpoint, or convert it to R4 (http://hl7.org/fhir/R4/measurereport.html)";
  };
  if (const Elem* m = r.first("measure"); m != nullptr && !m->isPrimitive())
    return stu3(m->where + " is a Reference (STU3); R4 gives the Measure's canonical URL as text");
  if (const Elem* e = r.first("reportingOrganization"))
    return stu3(e->where + " is an STU3 element (R4 calls it reporter)");
  if (const Elem* e = r.first("patient"))
    return stu3(e->where + " is an STU3 element (R4 calls it subject)");
  if (r.text("type") == "patient-list")
    return stu3("MeasureReport.type is \"patient-list\" (R4 calls it subject-list)");
  for (const Elem* g : r.all("group"))
    if (const Elem* id = g->first("identifier"))
      return stu3(id->where + " is an STU3 element (R4 identifies a group by its code)");
  for (const char* name :
       {"dataUpdateType", "reportingVendor", "location", "inputParameters", "scoring"})
    if (const Elem* e = r.first(name))
      return r5(e->where + " is an R5 element that R4 does not have");
  return std::nullopt;
}

// The keys a Reference can be found under in the option "reporters", most specific first.
void keysOf(const Elem& root, const Elem& ref, std::vector<std::string>& keys) {
  auto identifier = [&](const Elem& id) {
    const std::string value = id.text("value").value_or("");
    if (value.empty()) return;
    const std::string system = id.text("system").value_or("");
    keys.push_back(system.empty() ? value : system + "|" + value);
  };
  if (auto reference = ref.text("reference"); reference && !reference->empty()) {
    if ((*reference)[0] == '#') {
      // A contained resource: its identifiers, then its name.
      for (const Elem* c : root.all("contained"))
        if (c->text("id") == reference->substr(1)) {
          for (const Elem* id : c->all("identifier")) identifier(*id);
          if (auto name = c->text("name"); name && !name->empty()) keys.push_back(*name);
        }
    } else {
      keys.push_back(*reference);
      // An absolute URL is also known by its Type/id tail.
      std::string ref2 = *reference;
      if (auto h = ref2.find("/_history/"); h != std::string::npos) ref2.resize(h);
      const std::size_t last = ref2.rfind('/');
      if (last != std::string::npos && last > 0) {
        const std::size_t before = ref2.rfind('/', last - 1);
        const std::string tail = ref2.substr(before == std::string::npos ? 0 : before + 1);
        if (tail != *reference) keys.push_back(tail);
      }
    }
  }
  if (const Elem* id = ref.first("identifier")) identifier(*id);
}

std::string nameOf(const Elem& root, const Elem& ref) {
  if (auto display = ref.text("display"); display && !display->empty()) return *display;
  if (auto reference = ref.text("reference");
      reference && reference->size() > 1 && (*reference)[0] == '#')
    for (const Elem* c : root.all("contained"))
      if (c->text("id") == reference->substr(1))
        if (auto name = c->text("name"); name && !name->empty()) return *name;
  return "";
}

std::string dateOf(const Elem& period, const char* which) {
  const Elem* e = period.first(which);
  if (e == nullptr || !e->isPrimitive())
    throw Reject(std::string("MeasureReport.period.") + which + " is missing (" + period.where +
                 "): the report must say which period it covers (start and end)");
  const std::string date = e->value.substr(0, 10);
  if (!isoDate(date))
    throw Reject(e->where + ": " + quoted(e->value) + " is not a FHIR date or dateTime");
  return date;
}

// A stratum's dimension and category: the stratifier's codes and the stratum's value, or the
// codes and values of its components, each joined with ':' ("AGE_GROUP:SEX", "P0Y--P1Y:F").
std::pair<std::string, std::string> stratumOf(const Elem& stratifier, const Elem& stratum) {
  std::string dimension, category;
  for (const Elem* code : stratifier.all("code")) {
    const std::string c = codeOf(code);
    if (!c.empty()) dimension += (dimension.empty() ? "" : ":") + c;
  }
  if (const Elem* value = stratum.first("value")) {
    category = codeOf(value);
  } else {
    std::string fromComponents;
    for (const Elem* component : stratum.all("component")) {
      const std::string c = codeOf(component->first("code"));
      const std::string v = codeOf(component->first("value"));
      category += (category.empty() ? "" : ":") + v;
      fromComponents += (fromComponents.empty() ? "" : ":") + c;
    }
    if (dimension.empty()) dimension = fromComponents;
  }
  if (dimension.empty())
    throw Reject(stratifier.where + ": the stratifier has no code, so its strata cannot be named");
  if (category.empty())
    throw Reject(stratum.where + ": the stratum has no value (nor component values)");
  return {dimension, category};
}

void setValues(ijro::sdk::IndicatorPeriod& p, const Values& v) {
  p.actual = v.actual;
  p.numerator = v.numerator;
  p.denominator = v.denominator;
}

Reading readReport(const Elem& r, const Mapping& mapping, const std::string& resource) {
  if (auto other = otherVersion(r)) throw Reject(*other);

  const std::string status = r.text("status").value_or("");
  if (status.empty()) throw Reject("MeasureReport.status is missing (R4 requires it)");
  if (status != "complete")
    throw Reject("MeasureReport.status is " + quoted(status) +
                 ": only complete reports are used; the report is read again once the server "
                 "(or a new file) gives it with status complete");

  const std::string type = r.text("type").value_or("");
  if (type == "individual") {
    std::string subject;
    if (const Elem* s = r.first("subject")) subject = s->text("reference").value_or("");
    throw Reject(
        "MeasureReport.type is individual (the result of one subject" +
        (subject.empty() ? std::string() : ", " + subject) +
        "): the hub monitors a reporter's totals, not patients' results, and does not add "
        "individual reports up; send the reporter's summary or subject-list report for the "
        "period instead");
  }
  if (type != "summary" && type != "subject-list")
    throw Reject("MeasureReport.type is " + quoted(type) +
                 ": only summary and subject-list reports carry a reporter's totals");

  const Elem* measureElem = r.first("measure");
  if (measureElem == nullptr || !measureElem->isPrimitive() || measureElem->value.empty())
    throw Reject("MeasureReport.measure is missing: the report must name its Measure");
  std::string canonical = measureElem->value;
  const MeasureRow* measure = mapping.measure(canonical);
  if (measure == nullptr)
    if (auto bar = canonical.find('|'); bar != std::string::npos)
      measure = mapping.measure(canonical.substr(0, bar));  // without its |version
  if (measure == nullptr)
    throw Reject("unknown measure URL " + quoted(canonical) + " (" + measureElem->where +
                 "): add a row for it to the option \"measures\" (URL -> measure id|indicator "
                 "code|indicator name|unit|title)");

  std::vector<std::string> keys;
  std::string name;
  std::vector<std::string> where;
  for (const char* role : {"reporter", "subject"})
    if (const Elem* ref = r.first(role)) {
      keysOf(r, *ref, keys);
      where.push_back(ref->where);
      if (name.empty()) name = nameOf(r, *ref);
    }
  if (keys.empty())
    throw Reject(
        "the report names no reporter or subject (MeasureReport.reporter, "
        "MeasureReport.subject), so its region is unknown: give the reporting organisation");
  const ReporterRow* reporter = nullptr;
  std::string matched;
  for (const std::string& k : keys)
    if ((reporter = mapping.reporter(k)) != nullptr) {
      matched = k;
      break;
    }
  if (reporter == nullptr) {
    std::string tried;
    for (const std::string& k : keys) tried += (tried.empty() ? "" : ", ") + quoted(k);
    std::string at;
    for (const std::string& w : where) at += (at.empty() ? "" : ", ") + w;
    throw Reject("unmapped reporter: none of " + tried + " (" + at +
                 ") is a row of the option \"reporters\": add one (key -> region SOATO "
                 "code[|district SOATO code])");
  }

  const Elem* period = r.first("period");
  if (period == nullptr)
    throw Reject("MeasureReport.period is missing: the report must say which period it covers");
  const std::string start = dateOf(*period, "start");
  const std::string end = dateOf(*period, "end");

  // One indicator per group code; groups with the same code are the same indicator (their
  // values must agree), strata are breakdowns of its period.
  std::vector<const Elem*> groups = r.all("group");
  if (groups.empty())
    throw Reject("MeasureReport.group is missing: the report carries no value to read");
  std::vector<std::string> codes;
  for (const Elem* g : groups) {
    const std::string c = codeOf(g->first("code"));
    if (std::find(codes.begin(), codes.end(), c) == codes.end()) codes.push_back(c);
  }
  const bool several = codes.size() > 1;

  Reading reading;
  reading.resource = resource;
  if (const Elem* meta = r.first("meta"))
    reading.lastUpdated = meta->text("lastUpdated").value_or("");
  reading.measure = measure;
  reading.region = reporter->district.empty() ? reporter->region : reporter->district;
  reading.organisation = !reporter->organisation.empty() ? reporter->organisation
                         : !name.empty()                 ? name
                                                         : matched;

  for (const std::string& code : codes) {
    ijro::sdk::Indicator ind;
    ind.code =
        several && !code.empty() ? measure->indicatorCode + "." + code : measure->indicatorCode;
    ind.name = several && !code.empty() ? measure->indicatorName + " (" + code + ")"
                                        : measure->indicatorName;
    ind.unit = measure->unit;
    ind.mode = ijro::sdk::indicator_mode::kMerge;
    ijro::sdk::IndicatorPeriod p;
    p.start = start;
    p.end = end;
    p.target = measure->target;
    std::optional<Values> periodValues;
    std::string periodFrom;
    std::map<std::pair<std::string, std::string>, std::pair<Values, std::string>> strata;
    for (const Elem* g : groups) {
      if (codeOf(g->first("code")) != code) continue;
      const Values v = valuesOf(*g, measure->unit);
      if (!periodValues) {
        periodValues = v;
        periodFrom = g->where;
      } else if (!(*periodValues == v)) {
        throw Reject(g->where + " (code " + quoted(code) + ") gives " + show(v) + " but " +
                     periodFrom + " with the same code gives " + show(*periodValues) +
                     ": one indicator per code, so groups of one code must agree; send one");
      }
      for (const Elem* stratifier : g->all("stratifier"))
        for (const Elem* stratum : stratifier->all("stratum")) {
          auto key = stratumOf(*stratifier, *stratum);
          const Values sv = valuesOf(*stratum, measure->unit);
          auto [it, added] = strata.try_emplace(key, sv, stratum->where);
          if (!added && !(it->second.first == sv))
            throw Reject(stratum->where + " (" + key.first + " = " + key.second + ") gives " +
                         show(sv) + " but " + it->second.second + " gives " +
                         show(it->second.first) +
                         " for the same stratum: one value per stratum; send one");
          if (added) {
            ijro::sdk::Breakdown b;
            b.dimension = key.first;
            b.category = key.second;
            b.actual = sv.actual;
            b.numerator = sv.numerator;
            b.denominator = sv.denominator;
            p.breakdowns.push_back(std::move(b));
          }
        }
    }
    if (periodValues->empty() && p.breakdowns.empty())
      throw Reject(periodFrom +
                   " has no measureScore and no numerator, denominator or initial-population "
                   "count: the report carries no value to read");
    setValues(p, *periodValues);
    ind.periods.push_back(std::move(p));
    reading.indicators.push_back(std::move(ind));
  }
  return reading;
}

std::string label(const Elem& r, const std::string& origin) {
  const std::string type = r.text("resourceType").value_or("resource");
  const std::string id = r.text("id").value_or("");
  return type + (id.empty() ? std::string(" without id") : "/" + id) + " (" + origin + ")";
}

}  // namespace

Mapping::Mapping(const ijro::sdk::Table& measures, const ijro::sdk::Table& reporters, Shared shared)
    : shared_(std::move(shared)) {
  if (measures.empty())
    throw std::invalid_argument(
        "option \"measures\" has no rows: give one per FHIR Measure URL (URL -> measure "
        "id|indicator code|indicator name|unit|title[|target[|start[|deadline]]])");
  std::size_t row = 0;
  for (const auto& [url, value] : measures.rows()) {
    ++row;
    const std::string at = "option \"measures\" row " + std::to_string(row) + " (" + url + "): ";
    const auto f = fields(value);
    if (f.size() < 5 || f.size() > 8)
      throw std::invalid_argument(at +
                                  "expected 5 to 8 fields separated by '|' (measure id|"
                                  "indicator code|indicator name|unit|title[|target[|start["
                                  "|deadline]]]), found " +
                                  std::to_string(f.size()));
    MeasureRow m;
    m.url = url;
    m.measureId = f[0];
    m.indicatorCode = f[1];
    m.indicatorName = f[2];
    m.unit = f[3];
    m.title = f[4];
    for (auto [i, what] :
         {std::pair{0, "measure id"}, {1, "indicator code"}, {2, "indicator name"}, {4, "title"}})
      if (f[static_cast<std::size_t>(i)].empty())
        throw std::invalid_argument(at + "the " + what + " (field " + std::to_string(i + 1) +
                                    ") is empty");
    if (f.size() > 5 && !f[5].empty()) {
      Elem e;
      e.kind = Kind::Lexical;
      e.value = f[5];
      auto t = numberOf(e);
      if (!t)
        throw std::invalid_argument(at + "the target (field 6) " + quoted(f[5]) +
                                    " is not a number");
      m.target = t;
    }
    m.start = f.size() > 6 && !f[6].empty() ? f[6] : shared_.start;
    m.deadline = f.size() > 7 && !f[7].empty() ? f[7] : shared_.deadline;
    if (!isoDate(m.start))
      throw std::invalid_argument(at + "no valid start date (" + quoted(m.start) +
                                  "): give it as YYYY-MM-DD in field 7 or in the option \"start\"");
    if (!isoDate(m.deadline))
      throw std::invalid_argument(at + "no valid deadline (" + quoted(m.deadline) +
                                  "): give it as YYYY-MM-DD in field 8 or in the option "
                                  "\"deadline\"");
    measures_.push_back(std::move(m));
  }
  row = 0;
  for (const auto& [key, value] : reporters.rows()) {
    ++row;
    const std::string at = "option \"reporters\" row " + std::to_string(row) + " (" + key + "): ";
    const auto f = fields(value);
    if (f.size() > 3)
      throw std::invalid_argument(at + "expected region[|district[|organisation]], found " +
                                  std::to_string(f.size()) + " fields");
    ReporterRow rep;
    rep.key = key;
    rep.region = f[0];
    rep.district = f.size() > 1 ? f[1] : "";
    rep.organisation = f.size() > 2 ? f[2] : "";
    if (!digits(rep.region, 4) || rep.region.compare(0, 2, "17") != 0)
      throw std::invalid_argument(at + quoted(rep.region) +
                                  " is not a region's 4-digit SOATO code (1703 Andijan, 1726 "
                                  "Tashkent city, ...)");
    if (!rep.district.empty() &&
        (!digits(rep.district, 7) || rep.district.compare(0, 4, rep.region) != 0))
      throw std::invalid_argument(at + "the district " + quoted(rep.district) +
                                  " is not a 7-digit SOATO code starting with the region's " +
                                  rep.region);
    reporters_.push_back(std::move(rep));
  }
  if (shared_.actType.empty() || shared_.actNumber.empty() || !isoDate(shared_.actDate))
    throw std::invalid_argument(
        "options \"act_type\", \"act_number\" and \"act_date\" (YYYY-MM-DD) name the act the "
        "measures implement; give all three");
}

const MeasureRow* Mapping::measure(const std::string& canonical) const {
  for (const MeasureRow& m : measures_)
    if (m.url == canonical) return &m;
  return nullptr;
}

const ReporterRow* Mapping::reporter(const std::string& key) const {
  for (const ReporterRow& r : reporters_)
    if (r.key == key) return &r;
  return nullptr;
}

void read(const Elem& root, const Mapping& mapping, const std::string& origin,
          std::vector<Reading>& readings, std::vector<Rejection>& rejections) {
  const std::string type = root.text("resourceType").value_or("");
  auto one = [&](const Elem& r, const std::string& from) {
    const std::string resource = label(r, from);
    const std::string t = r.text("resourceType").value_or("");
    if (t != "MeasureReport") {
      rejections.push_back(
          {resource,
           (t.empty() ? std::string("a resource without resourceType") : "a " + t + " resource") +
               " is not a MeasureReport: only MeasureReports (alone or in a Bundle) "
               "are read"});
      return;
    }
    try {
      readings.push_back(readReport(r, mapping, resource));
    } catch (const Reject& e) {
      rejections.push_back({resource, e.what()});
    }
  };
  if (type != "Bundle") {
    one(root, origin);
    return;
  }
  std::size_t i = 0;
  for (const Elem* entry : root.all("entry")) {
    const std::string from = origin + ", Bundle.entry[" + std::to_string(i++) + "]";
    if (const Elem* resource = entry->first("resource"))
      one(*resource, from);
    else
      rejections.push_back({"entry without resource (" + from + ")",
                            entry->where + " has no resource: nothing to read"});
  }
}

std::vector<ijro::sdk::Implementation> records(const std::vector<Reading>& readings,
                                               const Mapping& mapping, std::int64_t revision) {
  std::vector<ijro::sdk::Implementation> out;
  for (const Reading& reading : readings) {
    auto it = std::find_if(out.begin(), out.end(), [&](const ijro::sdk::Implementation& i) {
      return i.measure.id == reading.measure->measureId && i.region == reading.region &&
             i.organisation == reading.organisation;
    });
    if (it == out.end()) {
      ijro::sdk::Implementation impl;
      impl.revision = revision;
      impl.measure.id = reading.measure->measureId;
      impl.measure.title = reading.measure->title;
      const Shared& s = mapping.shared();
      impl.measure.act = {s.actType, s.actNumber, s.actDate, s.actItem};
      impl.region = reading.region;
      impl.organisation = reading.organisation;
      impl.sector = s.sector;
      impl.lifecycle = s.lifecycle;
      impl.start = reading.measure->start;
      impl.deadline = reading.measure->deadline;
      out.push_back(std::move(impl));
      it = std::prev(out.end());
    }
    for (const ijro::sdk::Indicator& ind : reading.indicators) {
      auto have = std::find_if(it->indicators.begin(), it->indicators.end(),
                               [&](const ijro::sdk::Indicator& i) { return i.code == ind.code; });
      if (have == it->indicators.end()) {
        it->indicators.push_back(ind);
        continue;
      }
      for (const ijro::sdk::IndicatorPeriod& p : ind.periods) {
        auto same = std::find_if(have->periods.begin(), have->periods.end(),
                                 [&](const ijro::sdk::IndicatorPeriod& q) {
                                   return q.start == p.start && q.end == p.end;
                                 });
        if (same != have->periods.end())
          *same = p;  // a later report of the same period replaces the earlier one
        else
          have->periods.push_back(p);
      }
    }
  }
  return out;
}

}  // namespace health_fhir
