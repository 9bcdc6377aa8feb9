// The status report in XML (POST /api/v1/reports, Content-Type application/xml, and xml_exchange
// files): parseReportXml on arbitrary bytes. A document-level problem is an xml::XmlError; any
// other exception, a crash or a sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hub/exchange/report.hpp"
#include "hub/xml/safe_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    (void)ijro::exchange::parseReportXml(body);
  } catch (const ijro::xml::XmlError&) {
  }
  return 0;
}
