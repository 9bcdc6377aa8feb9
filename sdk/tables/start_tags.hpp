// Counting the attributes of XML start tags on the raw bytes, before libxml2 parses them.
// Header-only C++17, used by the SDK's XML reader (xml_reader.cpp) and the hub's (hub/xml).
//
// libxml2 does work super-linear in the number of attributes of one start tag (its duplicate
// checks) before a reader could look at the element: a tag with 200,000 attributes costs seconds
// of CPU. One linear pass finds such a tag first. It skips comments, processing instructions,
// CDATA sections, end tags and declarations; inside a start tag every opening quote outside a
// quoted value is one attribute value (namespace declarations count). On malformed bytes the
// count may be off; the parser reports those.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace ijro::tables {

// A start tag with more attributes than allowed.
struct CrowdedTag {
  std::size_t offset = 0;      // of its '<' in the bytes
  std::size_t attributes = 0;  // how many it has
  std::string_view element;    // its name, without a prefix (at most 64 bytes of it)
};

// The first start tag of `bytes` with more than `limit` attributes; nullopt when there is none.
inline std::optional<CrowdedTag> findCrowdedStartTag(std::string_view bytes, std::size_t limit) {
  std::size_t i = 0;
  auto startsWith = [&](std::string_view prefix) {
    return bytes.size() - i >= prefix.size() && bytes.compare(i, prefix.size(), prefix) == 0;
  };
  auto skipPast = [&](std::string_view end) {
    const auto at = bytes.find(end, i);
    i = at == std::string_view::npos ? bytes.size() : at + end.size();
  };
  while (i < bytes.size()) {
    i = bytes.find('<', i);
    if (i == std::string_view::npos) return std::nullopt;
    if (startsWith("<!--")) {
      skipPast("-->");
    } else if (startsWith("<![CDATA[")) {
      skipPast("]]>");
    } else if (startsWith("<?")) {
      skipPast("?>");
    } else if (startsWith("</") || startsWith("<!")) {
      skipPast(">");
    } else {
      const std::size_t tag = i++;
      std::size_t count = 0;
      char quote = 0;
      while (i < bytes.size()) {
        const char c = bytes[i++];
        if (quote) {
          if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
          quote = c;
          ++count;
        } else if (c == '>' || c == '<') {
          if (c == '<') --i;  // not a tag the parser accepts; it reports that
          break;
        }
      }
      if (count > limit) {
        std::size_t end = tag + 1;
        while (end < bytes.size() && end - tag <= 64 &&
               std::string_view(" \t\r\n/>\"'=").find(bytes[end]) == std::string_view::npos)
          ++end;
        std::string_view element = bytes.substr(tag + 1, end - tag - 1);
        if (const auto colon = element.find(':'); colon != std::string_view::npos)
          element.remove_prefix(colon + 1);
        return CrowdedTag{tag, count, element};
      }
    }
  }
  return std::nullopt;
}

}  // namespace ijro::tables
