#include "hub/plugin_host/records.hpp"

#include <boost/json.hpp>

#include <stdexcept>

#include "hub/exchange/report.hpp"
#include "hub/model/validate.hpp"

namespace ijro::plugin_host {

namespace json = boost::json;

namespace {

// A record sits two levels down in the report the exchange parser reads (object, array).
constexpr std::size_t kReportDepth = 64;
constexpr std::size_t kRecordDepth = kReportDepth - 2;

// Syntax and shape of one record on its own, so that one broken record cannot make the report
// that carries the others unreadable. Returns the problem, or an empty string.
std::string shapeProblem(const std::string& text) {
  json::parse_options options;
  options.max_depth = kRecordDepth;
  options.allow_invalid_utf8 = false;
  json::stream_parser parser({}, options);
  boost::system::error_code ec;
  const std::size_t used = parser.write_some(text.data(), text.size(), ec);
  if (!ec && used < text.size()) ec = json::error::extra_data;
  if (!ec) parser.finish(ec);
  if (ec && used < text.size())
    return "not valid JSON at byte " + std::to_string(used + 1) + " of " +
           std::to_string(text.size()) + ": " + ec.message();
  if (ec) return "not valid JSON: " + ec.message() + " (the text ends too early)";
  if (!parser.release().is_object())
    return "expected one JSON object (one implementation), got another JSON value";
  return {};
}

std::string reportOf(const std::string& source, const std::vector<const std::string*>& records) {
  std::string doc =
      "{\"source\":" + json::serialize(json::string(source)) + ",\"implementations\":[";
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i > 0) doc += ',';
    doc += *records[i];
  }
  doc += "]}";
  return doc;
}

void take(RecordOutcome& out, exchange::ParsedRecord&& parsed) {
  out.measureId = std::move(parsed.measureId);
  out.region = std::move(parsed.region);
  out.organisation = std::move(parsed.organisation);
  out.errors = std::move(parsed.errors);
  out.record = std::move(parsed.record);
}

}  // namespace

std::vector<RecordOutcome> checkRecords(const std::vector<std::string>& records,
                                        const std::string& source, const RecordChecks& checks) {
  std::vector<RecordOutcome> out(records.size());
  std::vector<const std::string*> wellFormed;
  std::vector<std::size_t> at;  // wellFormed[i] is out[at[i]]
  for (std::size_t i = 0; i < records.size(); ++i) {
    out[i].index = i + 1;
    out[i].json = records[i];
    std::string problem = shapeProblem(records[i]);
    if (!problem.empty()) {
      out[i].errors.push_back(std::move(problem));
      continue;
    }
    wellFormed.push_back(&records[i]);
    at.push_back(i);
  }

  if (!wellFormed.empty()) {
    try {
      exchange::ParsedReport report =
          exchange::parseReportJson(reportOf(source, wellFormed), kReportDepth);
      if (report.records.size() != wellFormed.size())
        throw std::logic_error("the report parser returned another number of records");
      for (auto& parsed : report.records) take(out[at.at(parsed.index - 1)], std::move(parsed));
    } catch (const std::exception&) {
      // Not expected for well-formed objects; find the culprit by parsing them one by one.
      for (std::size_t i = 0; i < wellFormed.size(); ++i) {
        try {
          auto one = exchange::parseReportJson(reportOf(source, {wellFormed[i]}), kReportDepth);
          take(out[at[i]], std::move(one.records.at(0)));
        } catch (const std::exception& e) {
          out[at[i]].errors.push_back(e.what());
        }
      }
    }
  }

  for (auto& r : out) {
    if (!r.record) continue;
    r.record->source = source;
    if (checks.sectors == nullptr) continue;
    for (auto& e : model::validate(*r.record, *checks.sectors, checks.today))
      r.errors.push_back(std::move(e));
  }
  return out;
}

std::string recordJson(const model::Implementation& impl) {
  json::value doc = json::parse(exchange::writeReportJson("", {impl}));
  return json::serialize(doc.at("implementations").at(0));
}

}  // namespace ijro::plugin_host
