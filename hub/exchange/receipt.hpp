// The answer to a posted report: one line per record, in the request's format.
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
};

std::string writeReceiptXml(const Receipt& r);
std::string writeReceiptJson(const Receipt& r);

}  // namespace ijro::exchange
