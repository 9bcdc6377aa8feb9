#include "store_fixture.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <unistd.h>

#include <atomic>

#include "hub/store/changes.hpp"
#include "hub/store/migrations.hpp"
#include "hub/store/url.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::store::test {

model::Date day(const char* iso) {
  auto d = model::parseDate(iso);
  if (!d) throw std::invalid_argument(std::string("bad test date ") + iso);
  return *d;
}

model::Implementation sample(const std::string& measureId, const std::string& region,
                             const std::string& organisation, std::int64_t revision) {
  model::Implementation x;
  x.source = "health-dhis2";
  x.measure = {measureId,
               "Expand primary care coverage in rural districts",
               {"decree", "UP-6079", day("2020-10-05"), "12"}};
  x.region = region;
  x.organisation = organisation;
  x.sector = "health";
  x.revision = revision;
  x.lifecycle = model::Lifecycle::InProgress;
  x.start = day("2026-01-01");
  x.deadline = day("2026-06-30");
  x.deadlineChanges = {
      model::DeadlineChange::decided(day("2026-06-30"), day("2026-09-30"), "Cabinet of Ministers",
                                     day("2026-05-02"), "equipment delivery delayed"),
      model::DeadlineChange::decided(day("2026-09-30"), day("2026-12-31"), "", std::nullopt,
                                     "requested by the region"),
  };
  x.indicators = {
      {"consultations",
       "Rural consultations",
       "visits",
       true,
       1200.5,
       {{day("2026-01-01"), day("2026-06-30"), 10000, 5000},
        {day("2026-07-01"), day("2026-12-31"), 0.1 + 0.2, std::nullopt}}},
      {"wait-days", "Days to an appointment", "days", false, 14, {}},
  };
  x.assignments = {
      {"A-1",
       "",
       "Regional health department",
       "Equip 12 rural clinics",
       day("2026-05-31"),
       model::ControlStatus::Submitted,
       day("2026-05-20"),
       {model::DeadlineChange::decided(day("2026-04-30"), day("2026-05-31"), "Deputy hokim",
                                       day("2026-04-15"), "supplier")}},
      {"A-1.1",
       "A-1",
       "District clinic, Ургут",
       "Install ultrasound",
       day("2026-05-15"),
       model::ControlStatus::OnControl,
       std::nullopt,
       {}},
  };
  x.evidence = {
      {"https://docs.example.uz/act-17.pdf", "Acceptance act", "application/pdf", day("2026-05-20"),
       "k.karimov"},
      {"https://docs.example.uz/photo.jpg", "Photo", "image/jpeg", day("2026-05-21"), "a.aliev"},
  };
  x.note = "Поставка оборудования; 2-quarter report\nsecond line";
  // Execution control (schema version 3).
  x.measure.titles = {{"uz-Cyrl", "Қишлоқ туманларида бирламчи тиббий ёрдам қамровини кенгайтириш"},
                      {"ru", "Расширить охват первичной помощью в сельских районах"}};
  x.deadlineChanges[0].requestedBy = "Andijan health department";
  x.deadlineChanges[0].requestedOn = day("2026-04-20");
  model::DeadlineChange refused;
  refused.previous = day("2026-09-30");
  refused.deadline = day("2027-03-31");
  refused.requestedBy = "Andijan health department";
  refused.requestedOn = day("2026-09-01");
  refused.reason = "no funds";
  refused.decision = model::Decision::Rejected;
  refused.decidedBy = "Cabinet of Ministers";
  refused.decidedOn = day("2026-09-10");
  x.deadlineChanges.push_back(refused);
  x.assignments[0].titles = {{"uz-Latn", "12 ta qishloq poliklinikasini jihozlash"}};
  x.assignments[0].controlEvents = {
      {model::ControlStatus::Submitted, "Regional health department", day("2026-05-20"),
       "2026-05-20T10:00:00+05:00", day("2026-05-20"), ""},
      {model::ControlStatus::Returned, "Deputy hokim", day("2026-05-25"), "", std::nullopt,
       "two clinics without power"}};
  x.assignments[0].comments = {
      {"Deputy hokim", "2026-05-25T12:00:00Z", "uz-Latn", "Ikki poliklinikada elektr yo'q."}};
  x.controlEvents = {{model::ControlStatus::Submitted, "Ministry of Health", day("2026-06-01"), "",
                      day("2026-05-30"), ""}};
  x.comments = {{"a.aliev", "2026-06-01T08:00:00Z", "ru", "Отчёт направлен."},
                {"k.karimov", "2026-06-02T09:30:00Z", "en", "Received."}};
  return x;
}

model::Implementation withoutExecutionControl(model::Implementation x) {
  x.measure.titles.clear();
  auto strip = [](std::vector<model::DeadlineChange>& changes) {
    std::erase_if(changes, [](const model::DeadlineChange& c) {
      return c.decision == model::Decision::Rejected;
    });
    for (auto& c : changes) {
      c.requestedBy.clear();
      c.requestedOn.reset();
    }
  };
  strip(x.deadlineChanges);
  x.controlEvents.clear();
  x.comments.clear();
  for (auto& a : x.assignments) {
    strip(a.deadlineChanges);
    a.titles.clear();
    a.controlEvents.clear();
    a.comments.clear();
  }
  return x;
}

model::Implementation createEarlierDatabase(const FreshDatabase& db, int version) {
  auto raw = db.raw();
  const auto dialect = detail::parseStoreUrl(db.url()).dialect;
  if (detail::migrate(*raw, dialect, version) != version)
    throw std::logic_error("could not build a version " + std::to_string(version) + " database");
  auto x = withoutExecutionControl(sample());
  x.indicators.clear();
  x.evidence.clear();
  x.assignments.resize(1);
  const std::string fp = fingerprint(x);
  *raw
      << "INSERT INTO implementation (source, measure_id, region, organisation, sector, "
         "revision, lifecycle, start_date, deadline, completed, title, act_type, act_number, "
         "act_date, act_item, note, search_text, fingerprint, received_at) VALUES ('health-dhis2', "
         "'DU2030-1.2.15', '1703', 'Ministry of Health', 'health', 1, 'inProgress', "
         "'2026-01-01', '2026-06-30', NULL, 'Expand primary care coverage in rural districts', "
         "'decree', 'UP-6079', '2020-10-05', '12', :note, '', :fp, '2026-03-01T10:00:00Z')",
      soci::use(x.note), soci::use(fp);
  long long id = 0;
  *raw << "SELECT id FROM implementation", soci::into(id);
  *raw << "INSERT INTO deadline_change (implementation_id, pos, previous, deadline, approved_by, "
          "approved_on, reason) VALUES (:id, 0, '2026-06-30', '2026-09-30', 'Cabinet of "
          "Ministers', '2026-05-02', 'equipment delivery delayed')",
      soci::use(id);
  *raw << "INSERT INTO deadline_change (implementation_id, pos, previous, deadline, approved_by, "
          "approved_on, reason) VALUES (:id, 1, '2026-09-30', '2026-12-31', '', NULL, "
          "'requested by the region')",
      soci::use(id);
  *raw << "INSERT INTO assignment (implementation_id, pos, assignment_id, parent_id, assignee, "
          "title, deadline, control, completed) VALUES (:id, 0, 'A-1', '', 'Regional health "
          "department', 'Equip 12 rural clinics', '2026-05-31', 'submitted', '2026-05-20')",
      soci::use(id);
  *raw << "INSERT INTO assignment_deadline_change (implementation_id, assignment_pos, pos, "
          "previous, deadline, approved_by, approved_on, reason) VALUES (:id, 0, 0, "
          "'2026-04-30', '2026-05-31', 'Deputy hokim', '2026-04-15', 'supplier')",
      soci::use(id);
  *raw << "INSERT INTO history (source, measure_id, region, organisation, revision, received_at, "
          "changes) VALUES ('health-dhis2', 'DU2030-1.2.15', '1703', 'Ministry of Health', 1, "
          "'2026-03-01T10:00:00Z', 'created')";
  return x;
}

namespace {

const soci::backend_factory& factory(detail::Dialect d) {
  return d == detail::Dialect::Postgres ? *soci::factory_postgresql() : *soci::factory_sqlite3();
}

}  // namespace

FreshDatabase::FreshDatabase(const std::string& backend) : backend_(backend) {
  static std::atomic<int> n{0};
  if (backend == "sqlite") {
    dir_ = ijro::test::tempDir("store");
    url_ = "sqlite:" + (dir_ / "hub.db").string();
  } else if (backend == "postgresql") {
    std::string base = ijro::test::postgresUrl();  // throws (the test fails) without the cluster
    adminConnect_ = detail::parseStoreUrl(base).connect;
    schema_ = "t_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
    soci::session admin(*soci::factory_postgresql(), adminConnect_);
    admin << "SET client_min_messages TO warning";
    admin << "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE";
    admin << "CREATE SCHEMA " + schema_;
    // application_name lets a test find (and terminate) its own store's connections.
    url_ = base + " options='-c search_path=" + schema_ + "' application_name=" + schema_;
  } else {
    throw std::invalid_argument("unknown backend " + backend);
  }
}

FreshDatabase::~FreshDatabase() {
  try {
    if (!schema_.empty()) {
      soci::session admin(*soci::factory_postgresql(), adminConnect_);
      admin << "SET client_min_messages TO warning";
      admin << "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE";
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  } catch (...) {
  }
}

std::unique_ptr<soci::session> FreshDatabase::raw() const {
  auto loc = detail::parseStoreUrl(url_);
  return std::make_unique<soci::session>(factory(loc.dialect), loc.connect);
}

long long FreshDatabase::scalar(const std::string& sql) const {
  long long v = 0;
  *raw() << sql, soci::into(v);
  return v;
}

std::string FreshDatabase::text(const std::string& sql) const {
  std::string v;
  *raw() << sql, soci::into(v);
  return v;
}

}  // namespace ijro::store::test
