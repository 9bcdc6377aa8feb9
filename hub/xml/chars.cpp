#include "hub/xml/chars.hpp"

#include <cstdio>

namespace ijro::xml {

Position positionOf(std::string_view bytes, std::size_t offset) {
  Position p;
  for (std::size_t i = 0; i < offset && i < bytes.size(); ++i) {
    if (bytes[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

std::optional<std::string> xmlCharProblem(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    // Printable ASCII, tab and newlines need no decoding.
    const auto b = static_cast<unsigned char>(text[i]);
    if ((b >= 0x20 && b < 0x80) || b == 0x9 || b == 0xA || b == 0xD) {
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t n = base::decodeUtf8(text, i, cp);
    if (n == 0) return "invalid UTF-8 at byte " + std::to_string(i + 1);
    if (!isXmlChar(cp)) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
      return std::string("the character ") + buf + " (at byte " + std::to_string(i + 1) +
             "), which XML 1.0 cannot carry";
    }
    i += n;
  }
  return std::nullopt;
}

}  // namespace ijro::xml
