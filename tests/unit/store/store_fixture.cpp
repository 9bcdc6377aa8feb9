#include "store_fixture.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <unistd.h>

#include <atomic>

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
