#include "hub/exchange/receipt.hpp"

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

// Written as it goes, members in the order of the Receipt in schemas/openapi.yaml: a receipt
// answers every report, and building a value first cost more than the rest of the answer.
std::string writeReceiptJson(const Receipt& r) {
  const auto counts = summarise(r);
  std::string out;
  out.reserve(160 + r.lines.size() * 160);
  auto member = [&out](std::string_view name) {
    if (out.back() != '{') out += ',';
    appendJsonString(out, name);
    out += ':';
  };
  auto text = [&](std::string_view name, const std::string& value) {
    member(name);
    appendJsonString(out, value);
  };
  auto textOrNull = [&](std::string_view name, const std::string& value) {
    member(name);
    if (value.empty())
      out += "null";
    else
      appendJsonString(out, value);
  };
  auto integer = [&](std::string_view name, auto value) {
    member(name);
    out += std::to_string(value);
  };
  out += '{';
  text("source", r.source);
  text("receivedAt", r.receivedAt);
  if (r.batchSequence > 0) {
    text("hub", r.batchHub);
    integer("sequence", r.batchSequence);
  }
  member("summary");
  out += '{';
  for (std::size_t i = 0; i < kOutcomes.size(); ++i) integer(kOutcomes[i], counts[i]);
  out += "},\"records\":[";
  for (std::size_t n = 0; n < r.lines.size(); ++n) {
    const auto& line = r.lines[n];
    if (n > 0) out += ',';
    out += '{';
    integer("index", line.index);
    textOrNull("measure", line.measureId);
    textOrNull("region", line.region);
    textOrNull("organisation", line.organisation);
    if (line.revision > 0)
      integer("revision", line.revision);
    else
      textOrNull("revision", {});
    text("outcome", line.outcome);
    text("reason", line.reason);
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace ijro::exchange
