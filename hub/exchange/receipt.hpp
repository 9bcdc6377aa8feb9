// The answer to a posted report: one line per record, in the request's format.
//   XML (schemas/receipt.xsd): <receipt xmlns="urn:ijro-hub:receipt:1" source? receivedAt
//     hub? sequence?>
//     <summary accepted duplicate stale rejected/> <record index measure? region? organisation?
//     revision? outcome>reason</record>* </receipt>   (unknown identifiers are left out)
//   JSON: {"source", "receivedAt", "summary": {"accepted", "duplicate", "stale", "rejected"},
//     "records": [{"index", "measure", "region", "organisation", "revision", "outcome",
//     "reason"}]}   (unknown identifiers are null; reason is "" when there is none)
// Both throw std::invalid_argument for an outcome other than accepted, duplicate, stale or
// rejected.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ijro::exchange {

inline constexpr const char* kReceiptNs = "urn:ijro-hub:receipt:1";

struct ReceiptLine {
  std::size_t index = 0;
  std::string measureId, region, organisation;
  std::int64_t revision = 0;
  std::string outcome;  // accepted | duplicate | stale | rejected
  std::string reason;
};

struct Receipt {
  std::string source;
  std::string receivedAt;  // ISO 8601 UTC
  std::vector<ReceiptLine> lines;
  // A feed batch's receipt: the sending hub and the batch's sequence (written when the
  // sequence is set: XML attributes hub and sequence on <receipt>, JSON keys "hub", "sequence").
  std::string batchHub{};
  std::int64_t batchSequence = 0;
};

std::string writeReceiptXml(const Receipt& r);
std::string writeReceiptJson(const Receipt& r);

}  // namespace ijro::exchange
