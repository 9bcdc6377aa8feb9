// A feed batch as POST /api/v1/feeds receives it (hub/exchange/batch.cpp): parseBatch on
// arbitrary bytes. Document-level problems are xml::XmlError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hub/exchange/batch.hpp"
#include "hub/xml/safe_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    (void)ijro::exchange::parseBatch(body);
  } catch (const ijro::xml::XmlError&) {
  }
  return 0;
}
