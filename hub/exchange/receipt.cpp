#include "hub/exchange/receipt.hpp"

#include <boost/json.hpp>

#include <array>
#include <stdexcept>
#include <string_view>

#include "hub/exchange/json_text.hpp"
#include "hub/xml/writer.hpp"

namespace ijro::exchange {

namespace {

constexpr std::array<std::string_view, 4> kOutcomes{"accepted", "duplicate", "stale", "rejected"};

// Counts per outcome, in kOutcomes order; refuses an outcome the receipt schema does not know.
std::array<std::size_t, 4> summarise(const Receipt& r) {
  std::array<std::size_t, 4> counts{};
  for (const auto& line : r.lines) {
    std::size_t i = 0;
    while (i < kOutcomes.size() && kOutcomes[i] != line.outcome) ++i;
    if (i == kOutcomes.size())
      throw std::invalid_argument("receipt record " + std::to_string(line.index) +
                                  ": unknown outcome \"" + line.outcome +
                                  "\"; expected accepted, duplicate, stale or rejected");
    ++counts[i];
  }
  return counts;
}

}  // namespace

std::string writeReceiptXml(const Receipt& r) {
  const auto counts = summarise(r);
  xml::Writer w;
  w.startElement("receipt", kReceiptNs);
  if (!r.source.empty()) w.attribute("source", r.source);
  w.attribute("receivedAt", r.receivedAt);
  if (r.batchSequence > 0) {
    w.attribute("hub", r.batchHub);
    w.attribute("sequence", std::to_string(r.batchSequence));
  }
  w.startElement("summary");
  for (std::size_t i = 0; i < kOutcomes.size(); ++i)
    w.attribute(kOutcomes[i], std::to_string(counts[i]));
  w.endElement();
  for (const auto& line : r.lines) {
    w.startElement("record");
    w.attribute("index", std::to_string(line.index));
    if (!line.measureId.empty()) w.attribute("measure", line.measureId);
    if (!line.region.empty()) w.attribute("region", line.region);
    if (!line.organisation.empty()) w.attribute("organisation", line.organisation);
    if (line.revision > 0) w.attribute("revision", std::to_string(line.revision));
    w.attribute("outcome", line.outcome);
    if (!line.reason.empty()) w.text(line.reason);
    w.endElement();
  }
  w.endElement();
  return w.finish();
}

std::string writeReceiptJson(const Receipt& r) {
  namespace json = boost::json;
  const auto counts = summarise(r);
  json::object doc;
  doc["source"] = r.source;
  doc["receivedAt"] = r.receivedAt;
  if (r.batchSequence > 0) {
    doc["hub"] = r.batchHub;
    doc["sequence"] = r.batchSequence;
  }
  json::object summary;
  for (std::size_t i = 0; i < kOutcomes.size(); ++i)
    summary[kOutcomes[i]] = static_cast<std::uint64_t>(counts[i]);
  doc["summary"] = std::move(summary);
  json::array records;
  for (const auto& line : r.lines) {
    auto orNull = [](const std::string& s) { return s.empty() ? json::value() : json::value(s); };
    json::object o;
    o["index"] = static_cast<std::uint64_t>(line.index);
    o["measure"] = orNull(line.measureId);
    o["region"] = orNull(line.region);
    o["organisation"] = orNull(line.organisation);
    o["revision"] = line.revision > 0 ? json::value(line.revision) : json::value();
    o["outcome"] = line.outcome;
    o["reason"] = line.reason;
    records.push_back(std::move(o));
  }
  doc["records"] = std::move(records);
  return toJsonText(doc);
}

}  // namespace ijro::exchange
