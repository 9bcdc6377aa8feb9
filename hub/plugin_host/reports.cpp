#include "hub/plugin_host/reports.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "hub/exchange/report.hpp"
#include "hub/plugin_host/records.hpp"
#include "hub/xml/chars.hpp"
#include "hub/xml/safe_reader.hpp"

namespace ijro::plugin_host {

namespace {

std::uint32_t count32(std::size_t n) {
  if (n > std::numeric_limits<std::uint32_t>::max())
    throw std::length_error("more than 2^32-1 entries in a status-report result");
  return static_cast<std::uint32_t>(n);
}

// A value for a C int32_t field (line and column numbers).
std::int32_t int32(int v) {
  return v < 0 ? 0 : static_cast<std::int32_t>(v);
}

bool blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

void ReportProblems::seal() {
  reasonViews_.clear();
  view_.clear();
  reasonViews_.reserve(problems_.size());
  view_.reserve(problems_.size());
  for (Problem& p : problems_) {
    if (p.reasons.empty()) p.reasons.emplace_back("it cannot be read (no reason given)");
    auto& reasons = reasonViews_.emplace_back();
    for (const auto& r : p.reasons) reasons.push_back(r.c_str());
    ijro_report_problem c{};
    c.position = count32(p.position);
    c.reason_count = count32(reasons.size());
    c.reasons = reasons.data();
    c.measure_id = p.measureId.c_str();
    c.region = p.region.c_str();
    c.organisation = p.organisation.c_str();
    view_.push_back(c);
  }
}

void ReportRead::seal() {
  problems_.seal();
  recordView_.clear();
  for (const auto& r : records_) recordView_.push_back({r.c_str(), r.size()});
  view_ = ijro_report_read{};
  view_.struct_size = sizeof(ijro_report_read);
  view_.record_count = count32(recordView_.size());
  view_.records = recordView_.empty() ? nullptr : recordView_.data();
  view_.problem_count = count32(problems_.size());
  view_.problems = problems_.data();
  view_.source = source_.c_str();
  view_.generated_at = generatedAt_.c_str();
  view_.error = error_.c_str();
  view_.error_line = int32(errorLine_);
  view_.error_column = int32(errorColumn_);
}

void ReportWritten::seal() {
  problems_.seal();
  view_ = ijro_report_written{};
  view_.struct_size = sizeof(ijro_report_written);
  view_.problem_count = count32(problems_.size());
  view_.problems = problems_.data();
  view_.xml = written() ? xml_.c_str() : nullptr;
  view_.xml_len = written() ? xml_.size() : 0;
  view_.error = error_.c_str();
}

std::size_t defaultReportBytes() {
  return xml::Limits{}.maxBytes;
}

std::unique_ptr<ReportRead> readReportForPlugin(std::string_view xml, std::size_t maxBytes) {
  auto out = std::make_unique<ReportRead>();
  xml::Limits limits;
  if (maxBytes > 0) limits.maxBytes = maxBytes;
  try {
    exchange::ParsedReport report = exchange::parseReportXml(xml, limits);
    out->source_ = std::move(report.source);
    out->generatedAt_ = std::move(report.generatedAt);
    for (auto& rec : report.records) {
      if (rec.record && rec.errors.empty()) {
        out->records_.push_back(recordJson(*rec.record));
        continue;
      }
      out->problems_.add({rec.index, std::move(rec.measureId), std::move(rec.region),
                          std::move(rec.organisation), std::move(rec.errors)});
    }
  } catch (const xml::XmlError& e) {
    out->records_.clear();
    out->problems_ = ReportProblems();
    out->error_ = e.reason.empty() ? std::string(e.what()) : e.reason;
    out->errorLine_ = e.line;
    out->errorColumn_ = e.column;
  }
  out->seal();
  return out;
}

std::unique_ptr<ReportWritten> writeReportForPlugin(std::string_view source,
                                                    const std::vector<std::string_view>& records,
                                                    std::size_t maxRecordBytes) {
  auto out = std::make_unique<ReportWritten>();
  const auto done = [&] {
    out->seal();
    return std::move(out);
  };
  if (records.empty()) {
    out->error_ =
        "there are no records to write: a status report holds at least one implementation";
    return done();
  }
  const std::string src = blank(source) ? std::string() : std::string(source);
  if (auto problem = xml::xmlCharProblem(src)) {
    out->error_ =
        fmt::format("the report's source contains {}: give another source, or none", *problem);
    return done();
  }

  // Each record as the hub checks one a plugin emits (the JSON form, structure only).
  std::vector<std::string> texts;
  std::vector<std::size_t> at;  // texts[k] is records[at[k]]
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].size() > maxRecordBytes) {
      out->problems_.add({i + 1,
                          "",
                          "",
                          "",
                          {fmt::format("the record has {} bytes, more than the limit of {} bytes",
                                       records[i].size(), maxRecordBytes)}});
      continue;
    }
    texts.emplace_back(records[i]);
    at.push_back(i);
  }
  std::vector<RecordOutcome> checked = checkRecords(texts, "");
  std::vector<model::Implementation> implementations;
  std::vector<std::size_t> implementationAt;
  for (std::size_t k = 0; k < checked.size(); ++k) {
    RecordOutcome& r = checked[k];
    if (r.valid()) {
      implementations.push_back(std::move(*r.record));
      implementationAt.push_back(at[k]);
      continue;
    }
    out->problems_.add({at[k] + 1, std::move(r.measureId), std::move(r.region),
                        std::move(r.organisation), std::move(r.errors)});
  }

  if (out->problems_.size() == 0) {
    try {
      out->xml_ = exchange::writeReportXml(src, implementations);
    } catch (const std::invalid_argument& whole) {
      // The JSON parser refuses text XML cannot carry, so this is not expected; name the records
      // the writer refuses anyway, one by one.
      for (std::size_t k = 0; k < implementations.size(); ++k) {
        try {
          (void)exchange::writeReportXml(src, {implementations[k]});
        } catch (const std::invalid_argument& e) {
          const auto& impl = implementations[k];
          out->problems_.add({implementationAt[k] + 1,
                              impl.measure.id,
                              impl.region,
                              impl.organisation,
                              {std::string("it cannot be written as XML: ") + e.what()}});
        }
      }
      if (out->problems_.size() == 0)
        out->error_ = std::string("the report cannot be written as XML: ") + whole.what();
    }
  }

  if (out->problems_.size() > 0) {
    out->xml_.clear();
    // Problems in the order of the records, whichever check found them.
    auto problems = out->problems_.problems();
    std::sort(problems.begin(), problems.end(),
              [](const auto& a, const auto& b) { return a.position < b.position; });
    out->problems_ = ReportProblems();
    for (auto& p : problems) out->problems_.add(std::move(p));
    const auto& first = out->problems_.problems().front();
    out->error_ = fmt::format(
        "{} of the {} records cannot be written as a status report, so nothing was written "
        "(record {}: {}{})",
        out->problems_.size(), records.size(), first.position, first.reasons.front(),
        first.reasons.size() > 1 ? "; ..." : "");
  }
  return done();
}

}  // namespace ijro::plugin_host
