#include "bench/national.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace ijro::bench {

namespace {

using std::chrono::days;

// splitmix64: a well-mixed 64-bit value from any input, so that each measure and each
// implementation draws from its own stream, whatever order they are made in.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A small generator with its own (portable) draws: the data must not depend on the standard
// library's distributions, which differ between implementations.
class Draw {
 public:
  explicit Draw(std::uint64_t state) : state_(state) {}
  std::uint64_t next() { return state_ = mix(state_); }
  std::uint64_t below(std::uint64_t n) { return next() % n; }  // n small: bias negligible
  int between(int lo, int hi) { return lo + static_cast<int>(below(hi - lo + 1)); }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& items) {
    return items[below(N)];
  }

 private:
  std::uint64_t state_;
};

// The hub's default sector catalogue.
const std::array<const char*, 6> kSectors = {"health",       "education", "tax",
                                             "construction", "banking",   "other"};
// Organisations responsible for the measures of each sector (two to four per sector).
const std::array<std::array<const char*, 3>, 6> kOrganisations = {{
    {"Ministry of Health", "Sanitary-Epidemiological Service", "Medical Insurance Fund"},
    {"Ministry of Preschool and School Education", "Ministry of Higher Education",
     "Agency for Specialised Educational Institutions"},
    {"Tax Committee", "Ministry of Economy and Finance", "Customs Committee"},
    {"Ministry of Construction", "Inspection for Construction Supervision",
     "Housing and Utilities Ministry"},
    {"Central Bank", "Agency for Development of Capital Markets", "Mortgage Refinancing Company"},
    {"Ministry of Digital Technologies", "Ministry of Agriculture", "Ministry of Water Resources"},
}};
const std::array<const char*, 8> kActions = {"Connect", "Introduce",       "Modernise", "Digitise",
                                             "Equip",   "Train staff for", "Automate",  "Expand"};
const std::array<const char*, 8> kObjects = {
    "district clinics",       "general schools",          "tax service centres",
    "public service centres", "water user associations",  "construction permits",
    "land registry offices",  "social protection offices"};
const std::array<const char*, 6> kUnits = {"facilities", "schools",  "centres",
                                           "percent",    "services", "staff"};
const std::array<const char*, 5> kDepartments = {
    "Regional department", "District administration", "Regional branch of the ministry",
    "Regional IT centre", "Regional finance department"};
const std::array<const char*, 4> kReasons = {"procurement delay", "late financing",
                                             "contractor replaced", "equipment not delivered"};

struct Measure {
  std::size_t n = 0;
  std::string id, title, sector, organisation;
  std::string actItem;
  model::Date start{}, deadline{};
};

Measure measureOf(const NationalOptions& o, std::size_t n) {
  Draw d(mix(o.seed ^ mix(0x6d656173ULL + n)));
  Measure m;
  m.n = n;
  // Numbered as the strategy's sections and items are: DU2030-<section>.<item>.<sub>.
  m.id = "DU2030-" + std::to_string(n / 200 + 1) + "." + std::to_string(n / 20 % 10 + 1) + "." +
         std::to_string(n % 20 + 1);
  const std::size_t s = d.below(kSectors.size());
  m.sector = kSectors[s];
  m.organisation = kOrganisations[s][d.below(3)];
  m.title = std::string(d.pick(kActions)) + " " + d.pick(kObjects) + " (stage " +
            std::to_string(n % 5 + 1) + ")";
  m.actItem = std::to_string(n % 400 + 1);
  // The strategy runs 2026-2030: starts in the first years, deadlines spread to its end.
  const model::Date strategy = *model::parseDate("2026-01-01");
  m.start = strategy + days(d.between(0, 540));
  m.deadline = m.start + days(d.between(90, 1200));
  return m;
}

model::Date clampTo(model::Date d, model::Date limit) {
  return d > limit ? limit : d;
}

}  // namespace

const std::vector<std::string>& nationalRegions() {
  static const std::vector<std::string> regions = {"1703", "1706", "1708", "1710", "1712",
                                                   "1714", "1718", "1722", "1724", "1726",
                                                   "1727", "1730", "1733", "1735"};
  return regions;
}

std::size_t nationalMeasures(const NationalOptions& options) {
  return std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(1600 * options.factor)));
}

std::vector<model::Implementation> nationalRegion(const NationalOptions& options,
                                                  std::size_t region) {
  const model::Date asOf =
      options.asOf == model::Date{} ? *model::parseDate("2026-12-01") : options.asOf;
  const std::string& code = nationalRegions().at(region);
  const std::size_t measures = nationalMeasures(options);
  std::vector<model::Implementation> out;
  out.reserve(measures);
  for (std::size_t n = 0; n < measures; ++n) {
    const Measure m = measureOf(options, n);
    Draw d(mix(options.seed ^ mix((static_cast<std::uint64_t>(region) << 40) + n)));
    model::Implementation x;
    x.source = "region-" + code;
    x.measure.id = m.id;
    x.measure.title = m.title;
    x.measure.act = {"decree", "PF-6079", *model::parseDate("2020-10-05"), m.actItem};
    // About a third carried out by one district (a SOATO district code inside the region).
    x.region = d.chance(0.3) ? code + std::to_string(200 + d.between(1, 30)) : code;
    x.organisation = m.organisation;
    x.sector = m.sector;
    x.revision = d.between(1, 6);
    // Regions start at different times and some got a later deadline of their own.
    x.start = m.start + days(d.between(0, 60));
    x.deadline = m.deadline + days(d.chance(0.2) ? d.between(30, 120) : 0);
    x.lifecycle = model::Lifecycle::InProgress;
    if (x.start > asOf) x.lifecycle = model::Lifecycle::Planned;

    // Extensions: some asked for, most of those decided.
    if (x.lifecycle != model::Lifecycle::Planned && d.chance(0.18)) {
      model::DeadlineChange c;
      c.previous = x.deadline;
      c.deadline = x.deadline + days(d.between(30, 180));
      c.requestedBy = "Regional department";
      c.requestedOn = clampTo(x.deadline - days(d.between(5, 60)), asOf);
      c.reason = d.pick(kReasons);
      const double r = d.unit();
      if (r < 0.7) {
        c.decision = model::Decision::Approved;
        c.decidedBy = "Deputy Minister";
        c.decidedOn = clampTo(*c.requestedOn + days(d.between(1, 20)), asOf);
      } else if (r < 0.85) {
        c.decision = model::Decision::Rejected;
        c.decidedBy = "Deputy Minister";
        c.decidedOn = clampTo(*c.requestedOn + days(d.between(1, 20)), asOf);
      }
      x.deadlineChanges.push_back(std::move(c));
    }
    model::Date due = x.deadline;
    for (const auto& c : x.deadlineChanges)
      if (c.approved()) due = c.deadline;

    // Done (on time, or late), cancelled, suspended, or still running (some past their due date).
    if (x.lifecycle != model::Lifecycle::Planned) {
      const double r = d.unit();
      if (r < 0.04) {
        x.lifecycle = model::Lifecycle::Cancelled;
      } else if (r < 0.07) {
        x.lifecycle = model::Lifecycle::Suspended;
      } else if (due <= asOf ? r < 0.75 : r < 0.2) {
        const model::Date done =
            d.chance(0.7) ? due - days(d.between(0, 45)) : due + days(d.between(1, 90));
        if (done <= asOf && done >= x.start) {
          x.lifecycle = model::Lifecycle::Completed;
          x.completed = done;
        }
      }
    }

    // One or two indicators, a period per half-year up to the due date.
    const int indicators = d.between(1, 2);
    for (int i = 0; i < indicators; ++i) {
      model::Indicator ind;
      ind.code = "ind-" + std::to_string(i + 1);
      ind.name = std::string(d.pick(kObjects)) + " covered";
      ind.unit = d.pick(kUnits);
      ind.baseline = d.between(0, 50);
      const double target = ind.baseline + d.between(20, 500);
      // Half-years from the start to the due date (at most four), the last one ending on it.
      model::Date from = x.start;
      const int periods = d.between(1, 4);
      for (int p = 0; p < periods && from < due; ++p) {
        model::IndicatorPeriod period;
        period.start = from;
        period.end = p + 1 == periods || from + days(182) >= due ? due : from + days(182);
        period.target = ind.baseline + (target - ind.baseline) * (p + 1) / periods;
        if (period.start <= asOf)
          period.actual = std::round(*period.target * (0.4 + 0.7 * d.unit()));
        ind.periods.push_back(std::move(period));
        from = ind.periods.back().end + days(1);
      }
      x.indicators.push_back(std::move(ind));
    }

    // Five delegated tasks on average (one to nine), each due before the implementation.
    const int tasks = d.between(1, 9);
    for (int t = 0; t < tasks; ++t) {
      model::Assignment a;
      a.id = "T" + std::to_string(t + 1);
      a.assignee = std::string(d.pick(kDepartments)) + " " + std::to_string(d.between(1, 12));
      a.title = std::string(d.pick(kActions)) + " " + d.pick(kObjects) + ", part " +
                std::to_string(t + 1);
      a.deadline = clampTo(x.start + days(d.between(30, 400)), due);
      if (a.deadline < x.start) a.deadline = x.start;
      if (a.deadline <= asOf && d.chance(0.7)) {
        a.completed = clampTo(a.deadline + days(d.between(-30, 20)), asOf);
        if (*a.completed < x.start) a.completed = x.start;
        a.control =
            d.chance(0.8) ? model::ControlStatus::Verified : model::ControlStatus::Submitted;
      }
      x.assignments.push_back(std::move(a));
    }
    if (d.chance(0.5))
      x.evidence.push_back({"https://docs.example.uz/" + code + "/" + m.id + ".pdf",
                            "Acceptance act", "application/pdf",
                            clampTo(x.start + days(d.between(10, 300)), asOf),
                            "specialist " + std::to_string(d.between(1, 40))});
    x.note = d.chance(0.3) ? "Works proceed by stage; the next report is due next quarter." : "";
    out.push_back(std::move(x));
  }
  return out;
}

}  // namespace ijro::bench
