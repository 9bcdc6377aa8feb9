// GET /api/v1/labels: the label catalogue in one language (public).
// GET /api/v1/export/measures and /api/v1/export/summary: the list and the summary as XLSX or
// CSV, with every filter of /api/v1/measures and /api/v1/summary (their query parsing and scope
// narrowing: Api::listMeasures, Api::summarise), every matching row, headers in the chosen
// language, sent as an attachment.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "hub/api/api.hpp"
#include "hub/api/json_problem.hpp"
#include "hub/api/views.hpp"
#include "hub/base/correlation.hpp"
#include "hub/exchange/json_text.hpp"
#include "hub/export/format.hpp"
#include "hub/export/labels.hpp"
#include "hub/export/table.hpp"
#include "hub/i18n/catalogue.hpp"
#include "hub/model/validate.hpp"

namespace ijro::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

// The request without the export's own parameters (taken into `taken`), answering JSON
// problems whatever the client accepts: the export's body is a file, its errors are JSON.
Request withoutExportParameters(const Request& req, std::map<std::string, std::string>& taken,
                                std::initializer_list<const char*> names) {
  Request inner = req;
  for (const char* name : names) {
    auto it = inner.query.find(name);
    if (it == inner.query.end()) continue;
    taken[name] = it->second;
    inner.query.erase(it);
  }
  inner.headers["accept"] = "application/json";
  inner.headers.erase("content-type");
  return inner;
}

// The format a request asks for: xlsx when it names none. Refused with the reason otherwise.
std::optional<exports::Format> formatOf(const std::map<std::string, std::string>& taken,
                                        const std::string& route, std::string& error) {
  auto it = taken.find("format");
  if (it == taken.end()) return exports::Format::Xlsx;
  if (auto f = exports::formatFromString(it->second)) return f;
  if (it->second == "iati" || it->second == "adx")
    error = "format \"" + it->second + "\" is not a table: use GET /api/v1/export/" + it->second +
            " for it, or format=xlsx or format=csv on " + route;
  else
    error = "format \"" + it->second + "\" is unknown: use format=xlsx or format=csv";
  return std::nullopt;
}

std::optional<std::string> pagingError(const Request& req) {
  if (req.query.count("page") || req.query.count("pageSize"))
    return std::string(
        "an export holds every matching row: leave page and pageSize out (filter with region, "
        "sector, status, ... to make it smaller)");
  return std::nullopt;
}

// A file that could not be written: the cause (a path, a library's words) stays in the log, the
// client gets the id to quote.
Response exportFailedResponse(const std::string& what, const std::exception& e) {
  const std::string errorId = base::newCorrelationId();
  spdlog::error("export of {} failed (error id {}): {}", what, errorId, e.what());
  return jsonProblem(500, "the export could not be written; retry later (error id " + errorId +
                              ": the hub's log has the detail)");
}

Response attachment(const exports::Table& table, exports::Format format, const std::string& name,
                    model::Date asOf) {
  const std::string file = name + "-" + model::formatDate(asOf) + "-" +
                           std::string(i18n::tag(table.language)) + "." + exports::toString(format);
  Response res{200, exports::contentType(format), exports::render(table, format), {}};
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file + "\"");
  res.headers.emplace_back("Content-Language", std::string(i18n::tag(table.language)));
  return res;
}

}  // namespace

Response Api::getLabels(const Request& req) {
  if (req.method != "GET" && req.method != "HEAD") {
    auto res = jsonProblem(405, "method " + req.method + " is not allowed on " + req.path);
    res.headers.emplace_back("Allow", "GET, HEAD");
    return res;
  }
  std::string lang;
  for (const auto& [k, v] : req.query) {
    if (k != "lang") {
      ++counters_.badRequests;
      return jsonProblem(400, "unknown query parameter \"" + k +
                                  "\": the only parameter is lang (en, ru, uz-Latn or uz-Cyrl)");
    }
    if (!model::isLanguageTag(v)) {
      ++counters_.badRequests;
      return jsonProblem(
          400, "lang \"" + v + "\" is not a language tag: use en, ru, uz-Latn or uz-Cyrl");
    }
    lang = v;
  }
  const auto language =
      i18n::supportedLanguage(languagePreferences(lang, req.header("accept-language")));
  json::object labels;
  for (auto& [key, text] : exports::allLabels(language)) labels[key] = text;
  // Each status and RAG label also under the name the API's JSON gives the value
  // ("status.doneLate" beside "status.DONE_LATE"), so a client looks a value up as it reads it.
  for (int s = 0; s <= static_cast<int>(model::ExecutionStatus::Suspended); ++s) {
    const auto status = static_cast<model::ExecutionStatus>(s);
    labels[std::string("status.") + model::toString(status)] =
        exports::statusLabel(status, language);
  }
  for (int r = 0; r <= static_cast<int>(model::Rag::Red); ++r) {
    const auto rag = static_cast<model::Rag>(r);
    labels[std::string("rag.") + model::toString(rag)] = exports::ragLabel(rag, language);
  }
  Response res{200,
               "application/json",
               exchange::toJsonText(
                   json::object{{"lang", i18n::tag(language)}, {"labels", std::move(labels)}}) +
                   "\n",
               {}};
  res.headers.emplace_back("Content-Language", std::string(i18n::tag(language)));
  res.headers.emplace_back("Vary", "Accept-Language");
  return res;
}

Response Api::getExportMeasures(const Request& req, const intake::Scope& reader) {
  std::map<std::string, std::string> taken;
  const Request inner = withoutExportParameters(req, taken, {"format"});
  std::string error;
  const auto format = formatOf(taken, req.path, error);
  if (!format) {
    ++counters_.badRequests;
    return jsonProblem(400, error);
  }
  if (auto err = pagingError(inner)) {
    ++counters_.badRequests;
    return jsonProblem(400, *err);
  }
  // Every matching row, held until the table is written: one of the large reads.
  const auto place = largeRead();
  if (!place) return refuseLargeRead(req, "export", true);
  MeasureListing listing;
  std::optional<exports::MeasuresTable> table;
  auto refused = listMeasures(
      inner, reader, listing, [&](const model::Implementation& impl, const model::Evaluation& ev) {
        if (!table) table.emplace(i18n::supportedLanguage(listing.languages), listing.languages);
        table->add(impl, ev);
      });
  if (refused) return std::move(*refused);
  if (!table) table.emplace(i18n::supportedLanguage(listing.languages), listing.languages);
  try {
    return attachment(table->table(), *format, "measures", listing.asOf);
  } catch (const std::runtime_error& e) {
    ++counters_.errors;
    return exportFailedResponse("measures", e);
  }
}

Response Api::getExportSummary(const Request& req, const intake::Scope& reader) {
  std::map<std::string, std::string> taken;
  const Request inner = withoutExportParameters(req, taken, {"format", "lang"});
  std::string error;
  const auto format = formatOf(taken, req.path, error);
  if (!format) {
    ++counters_.badRequests;
    return jsonProblem(400, error);
  }
  std::string lang;
  if (auto it = taken.find("lang"); it != taken.end()) {
    if (!model::isLanguageTag(it->second)) {
      ++counters_.badRequests;
      return jsonProblem(
          400, "lang \"" + it->second + "\" is not a language tag: use uz-Latn, uz-Cyrl, ru or en");
    }
    lang = it->second;
  }
  SummaryResult summary;
  if (auto refused = summarise(inner, reader, summary)) return std::move(*refused);
  const auto language =
      i18n::supportedLanguage(languagePreferences(lang, req.header("accept-language")));
  try {
    return attachment(exports::summaryTable(summary.groups, summary.by, language), *format,
                      std::string("summary-") + model::toString(summary.by), summary.asOf);
  } catch (const std::runtime_error& e) {
    ++counters_.errors;
    return exportFailedResponse("the summary", e);
  }
}

}  // namespace ijro::api
