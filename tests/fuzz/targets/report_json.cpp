// The status report in JSON (POST /api/v1/reports, application/json, and every plugin's records):
// parseReportJson on arbitrary bytes. Document-level problems are std::invalid_argument.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "hub/exchange/report.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    (void)ijro::exchange::parseReportJson(body);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
