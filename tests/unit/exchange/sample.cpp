#include "tests/unit/exchange/sample.hpp"

#include <stdexcept>

#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "tests/support/test_support.hpp"

namespace ijro::exchange::test {

model::Date date(const char* text) {
  auto d = model::parseDate(text);
  if (!d) throw std::invalid_argument(std::string("bad test date ") + text);
  return *d;
}

model::Implementation fullImplementation(const std::string& source) {
  model::Implementation impl;
  impl.source = source;
  impl.revision = 7;
  impl.measure = {"DU2030-2.4.3",
                  "Introduce online medical consultations & <e-health>",
                  {"decree", "UP-6079", date("2020-10-05"), "2.4"}};
  impl.region = "1726";
  impl.organisation = "Tashkent City Health Department";
  impl.sector = "health";
  impl.lifecycle = model::Lifecycle::Completed;
  impl.start = date("2026-02-01");
  impl.deadline = date("2026-06-30");
  impl.completed = date("2026-07-15");
  impl.deadlineChanges = {
      model::DeadlineChange::decided(date("2026-06-30"), date("2026-07-31"), "Deputy Hokim",
                                     date("2026-06-01"), "Supplier late"),
      model::DeadlineChange::decided(date("2026-07-31"), date("2026-08-31"), "", std::nullopt,
                                     "Requested, \"not\" approved")};
  impl.deadlineChanges[0].requestedBy = "Tashkent City Health Department";
  impl.deadlineChanges[0].requestedOn = date("2026-05-25");
  model::DeadlineChange refused;
  refused.previous = date("2026-07-31");
  refused.deadline = date("2026-09-30");
  refused.requestedBy = "Hamid Karimov";
  refused.requestedOn = date("2026-07-20");
  refused.reason = "Сроки поставки сорваны";
  refused.decision = model::Decision::Rejected;
  refused.decidedBy = "Deputy Hokim";
  refused.decidedOn = date("2026-07-25");
  impl.deadlineChanges.push_back(refused);
  impl.measure.titles = {{"uz-Cyrl", "Онлайн тиббий маслаҳатларни жорий этиш"},
                         {"ru", "Внедрить онлайн-консультации врачей"}};
  model::Indicator consultations{
      "HLT-CONSULT", "Online consultations (cumulative)", "consultations", true, 12000.5, {}};
  consultations.periods = {{date("2026-01-01"), date("2026-06-30"), 20000, 19650.25},
                           {date("2026-07-01"), date("2026-12-31"), 1e20, std::nullopt},
                           {date("2026-07-01"), date("2026-12-31"), std::nullopt, 0.1 + 0.2}};
  model::Indicator days{"CON-DAYS", "Тошкент: kunlar", "", false, -3.75, {}};
  impl.indicators = {consultations, days};
  model::Assignment root{"A1",
                         "",
                         "Digital Health Unit",
                         "Connect all polyclinics",
                         date("2026-06-30"),
                         model::ControlStatus::Verified,
                         date("2026-07-10"),
                         {}};
  model::Assignment child{"A1.1",
                          "A1",
                          "Yunusobod District Medical Association",
                          "Connect 9 polyclinics",
                          date("2026-05-31"),
                          model::ControlStatus::Returned,
                          std::nullopt,
                          {}};
  model::DeadlineChange extension;
  extension.previous = date("2026-05-31");
  extension.deadline = date("2026-06-15");
  extension.reason = "Webcams late";
  extension.decision = model::Decision::Approved;
  extension.decidedBy = "Head of department";
  extension.decidedOn = date("2026-05-20");
  child.deadlineChanges.push_back(extension);
  child.titles = {{"uz-Latn", "9 ta poliklinikani ulash"}};
  child.controlEvents = {{model::ControlStatus::Submitted, "Yunusobod DMA", date("2026-06-10"),
                          "2026-06-10T11:30:00+05:00", date("2026-06-09"), ""},
                         {model::ControlStatus::Returned, "Head of department", date("2026-06-12"),
                          "", std::nullopt, "Two polyclinics \"not\" connected & <untested>"}};
  child.comments = {{"D. Rahimova", "2026-06-12T09:00:00Z", "uz-Latn",
                     "Ikki poliklinika hali ulanmagan.\nQayta tekshiring."}};
  impl.assignments = {root, child};
  impl.evidence = {{"https://example.uz/docs/act.pdf?x=1&y=2", "Act of acceptance",
                    "application/pdf", date("2026-07-16"), "D. Rahimova"}};
  impl.controlEvents = {{model::ControlStatus::Verified, "Deputy Hokim", date("2026-07-20"),
                         "2026-07-20T15:00:00Z", std::nullopt, ""}};
  impl.comments = {{"Deputy Hokim", "2026-07-20T15:01:00Z", "ru", "Принято."},
                   {"D. Rahimova", "2026-07-21T08:00:00.250Z", "en", "Thanks & <noted>"}};
  impl.note = "Line one\nline two, with 'quotes' & <brackets>";
  return impl;
}

model::Implementation minimalImplementation(const std::string& source) {
  model::Implementation impl;
  impl.source = source;
  impl.revision = 1;
  impl.measure = {"DU2030-3.1.7",
                  "Connect schools to the electronic diary",
                  {"resolution", "PP-4699", date("2020-04-28"), ""}};
  impl.region = "1703202";
  impl.organisation = "Andijan District Education Unit";
  impl.sector = "education";
  impl.lifecycle = model::Lifecycle::Planned;
  impl.start = date("2026-12-01");
  impl.deadline = date("2027-06-30");
  return impl;
}

std::string schemaPath(const char* file) {
  return (ijro::test::sourceDir() / "schemas" / file).string();
}

std::vector<std::string> violations(const xml::Schema& schema, const std::string& text,
                                    const std::string& name) {
  auto doc = xml::parseDocument(text, name);
  return schema.validate(doc.get(), name);
}

std::vector<std::string> xpath(const std::string& text, const char* prefix, const char* ns,
                               const char* expression) {
  auto doc = xml::parseDocument(text, "xpath");
  std::unique_ptr<xmlXPathContext, decltype(&xmlXPathFreeContext)> ctx(
      xmlXPathNewContext(doc.get()), &xmlXPathFreeContext);
  xmlXPathRegisterNs(ctx.get(), reinterpret_cast<const xmlChar*>(prefix),
                     reinterpret_cast<const xmlChar*>(ns));
  std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> result(
      xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(expression), ctx.get()),
      &xmlXPathFreeObject);
  if (!result) throw std::invalid_argument(std::string("bad XPath ") + expression);
  std::vector<std::string> out;
  if (result->type != XPATH_NODESET || !result->nodesetval) return out;
  for (int i = 0; i < result->nodesetval->nodeNr; ++i) {
    xmlChar* v = xmlNodeGetContent(result->nodesetval->nodeTab[i]);
    out.emplace_back(v ? reinterpret_cast<const char*>(v) : "");
    xmlFree(v);
  }
  return out;
}

}  // namespace ijro::exchange::test
