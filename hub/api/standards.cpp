// GET /api/v1/export/iati and GET /api/v1/export/adx: the reader's implementations in the
// standard formats partners and the ministry's statistics take (hub/export), filtered and
// narrowed to the token's regions and sectors exactly as the feed is.
#include <chrono>

#include "hub/api/api.hpp"
#include "hub/base/timestamp.hpp"
#include "hub/export/adx.hpp"
#include "hub/export/iati.hpp"

namespace ijro::api {

using http::Request;
using http::Response;

Response Api::getExportIati(const Request& req, const intake::Scope& reader) {
  store::Filter filter;
  model::Date asOf{};
  if (auto bad = exportQuery(req, reader, {}, filter, asOf)) return std::move(*bad);
  const IatiSettings& iati = settings_.iati;
  if (iati.reportingOrgRef.empty() || iati.reportingOrgNames.empty())
    return exportProblem(
        req, 503,
        "the IATI export needs the reporting organisation: add <iati "
        "reportingOrg=\"AGENCY-NUMBER\">"
        "<name lang=\"en\">...</name></iati> to the hub's configuration and restart");
  exports::IatiHeader header;
  header.reportingOrgRef = iati.reportingOrgRef;
  header.reportingOrgType = iati.reportingOrgType;
  header.reportingOrgNames = iati.reportingOrgNames;
  if (!iati.mainLanguage.empty()) header.defaultLang = exports::iatiLanguage(iati.mainLanguage);
  header.generatedAt = base::formatTimestamp(std::chrono::system_clock::now());
  header.asOf = asOf;
  // Held whole until it is sent (an empty selection is a 404, known only at the end): one of
  // the large reads.
  const auto place = largeRead();
  if (!place) return refuseLargeRead(req, "IATI export");
  std::size_t count = 0;
  auto body = exports::writeIati(header, settings_.rules, [&](const auto& emit) {
    store_.forEach(filter, withUploadedEvidence([&](const model::Implementation& impl) {
                     ++count;
                     emit(impl);
                   }));
  });
  // IATI needs at least one activity: an empty selection is said, not sent as a broken file.
  if (count == 0)
    return exportProblem(req, 404,
                         "no implementations to export: none is stored within the token's "
                         "regions and sectors and the region and sector asked for");
  return {200, "application/xml; charset=utf-8", std::move(body), {}};
}

Response Api::getExportAdx(const Request& req, const intake::Scope& reader) {
  store::Filter filter;
  model::Date asOf{};
  if (auto bad = exportQuery(req, reader, {"period"}, filter, asOf)) return std::move(*bad);
  const auto periods = req.query.equal_range("period");
  if (periods.first == periods.second || std::next(periods.first) != periods.second)
    return exportProblem(req, 400,
                         "give one period: period=YYYY-MM for a month or period=YYYY for a year "
                         "(e.g. period=2026-03)");
  const auto period = exports::parseAdxPeriod(periods.first->second);
  if (!period)
    return exportProblem(req, 400,
                         "period \"" + periods.first->second +
                             "\" is not a month or a year: use YYYY-MM (e.g. 2026-03) or YYYY");
  if (period->start > asOf)
    return exportProblem(req, 400,
                         "period " + periods.first->second + " begins after asOf " +
                             model::formatDate(asOf) +
                             ": nothing is known of it yet; ask for a period that has begun");
  exports::AdxHeader header;
  header.exported = base::formatTimestamp(std::chrono::system_clock::now());
  header.asOf = asOf;
  header.period = *period;
  std::size_t groups = 0;
  auto body = exports::writeAdx(
      header, settings_.rules, [&](const auto& emit) { store_.forEach(filter, emit); }, &groups);
  // ADX needs at least one group: an empty period is said, not sent as a broken document.
  if (groups == 0)
    return exportProblem(req, 404,
                         "no implementations begun by the end of period " + periods.first->second +
                             " within the token's regions and sectors and the region and sector "
                             "asked for");
  return {200, "application/adx+xml; charset=utf-8", std::move(body), {}};
}

}  // namespace ijro::api
