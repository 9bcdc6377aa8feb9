#include "built_records.hpp"

#include <ijro_plugin.hpp>  // compiled as C++17 here too
#include <ijro_record.hpp>

namespace ijro::sdk::test {

namespace {

Implementation minimal() {
  Implementation impl;
  impl.revision = 1;
  impl.measure = {"DU2030-3.1.7",
                  "Connect schools to the electronic diary",
                  {"resolution", "PP-4699", "2020-04-28", ""}};
  impl.region = "1703202";
  impl.organisation = "Andijan District Education Unit";
  impl.sector = "education";
  impl.lifecycle = lifecycle::kPlanned;
  impl.start = "2026-12-01";
  impl.deadline = "2027-06-30";
  return impl;
}

}  // namespace

std::string fullRecord() {
  Implementation impl;
  impl.revision = 7;
  impl.measure = {"DU2030-2.4.3",
                  "Introduce online medical consultations & <e-health>",
                  {"decree", "UP-6079", "2020-10-05", "2.4"}};
  impl.region = "1726";
  impl.organisation = "Tashkent City Health Department";
  impl.sector = "health";
  impl.lifecycle = lifecycle::kCompleted;
  impl.start = "2026-02-01";
  impl.deadline = "2026-06-30";
  impl.completed = "2026-07-15";
  impl.deadlineChanges = {
      {"2026-06-30", "2026-07-31", "", "", "Supplier late", "Tashkent City Health Department",
       "2026-05-25", decision::kApproved, "Deputy Hokim", "2026-06-01"},
      {"2026-07-31", "2026-08-31", "", "", "Requested, \"not\" approved"},
      {"2026-07-31", "2026-09-30", "", "", "Сроки поставки сорваны", "Hamid Karimov", "2026-07-20",
       decision::kRejected, "Deputy Hokim", "2026-07-25"}};
  impl.measure.titles = {{"uz-Cyrl", "Онлайн тиббий маслаҳатларни жорий этиш"},
                         {"ru", "Внедрить онлайн-консультации врачей"}};
  Indicator consultations{
      "HLT-CONSULT", "Online consultations (cumulative)", "consultations", true, 12000.5, {}};
  consultations.periods = {{"2026-01-01", "2026-06-30", 20000, 19650.25},
                           {"2026-07-01", "2026-12-31", 1e20, std::nullopt},
                           {"2026-07-01", "2026-12-31", std::nullopt, 0.1 + 0.2}};
  Indicator days{"CON-DAYS", "Тошкент: kunlar", "", false, -3.75, {}};
  impl.indicators = {consultations, days};
  Assignment root{"A1",
                  "",
                  "Digital Health Unit",
                  "Connect all polyclinics",
                  "2026-06-30",
                  control::kVerified,
                  "2026-07-10",
                  {}};
  Assignment child{"A1.1",
                   "A1",
                   "Yunusobod District Medical Association",
                   "Connect 9 polyclinics",
                   "2026-05-31",
                   control::kReturned,
                   "",
                   {{"2026-05-31", "2026-06-15", "", "", "Webcams late", "", "",
                     decision::kApproved, "Head of department", "2026-05-20"}}};
  child.titles = {{"uz-Latn", "9 ta poliklinikani ulash"}};
  child.controlEvents = {{control::kSubmitted, "Yunusobod DMA", "2026-06-10",
                          "2026-06-10T11:30:00+05:00", "2026-06-09", ""},
                         {control::kReturned, "Head of department", "2026-06-12", "", "",
                          "Two polyclinics \"not\" connected & <untested>"}};
  child.comments = {{"D. Rahimova", "2026-06-12T09:00:00Z", "uz-Latn",
                     "Ikki poliklinika hali ulanmagan.\nQayta tekshiring."}};
  impl.assignments = {root, child};
  impl.evidence = {{"https://example.uz/docs/act.pdf?x=1&y=2", "Act of acceptance",
                    "application/pdf", "2026-07-16", "D. Rahimova"}};
  impl.controlEvents = {
      {control::kVerified, "Deputy Hokim", "2026-07-20", "2026-07-20T15:00:00Z", "", ""}};
  impl.comments = {{"Deputy Hokim", "2026-07-20T15:01:00Z", "ru", "Принято."},
                   {"D. Rahimova", "2026-07-21T08:00:00.250Z", "en", "Thanks & <noted>"}};
  impl.note = "Line one\nline two, with 'quotes' & <brackets>";
  return impl.toJson();
}

std::string recordWithDeprecatedApproval() {
  Implementation impl = minimal();
  impl.deadlineChanges = {{"2027-06-30", "2027-09-30", "Deputy Hokim", "2027-06-01", "Late"}};
  return impl.toJson();
}

std::string minimalRecord() {
  return minimal().toJson();
}

std::string recordWithNote(const std::string& note) {
  Implementation impl = minimal();
  impl.note = note;
  return impl.toJson();
}

}  // namespace ijro::sdk::test
