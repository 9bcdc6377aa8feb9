// Character-level checks shared by the reader, the writer and the JSON codecs: UTF-8 validity (from
// hub/base) and the characters XML 1.0 can carry (so anything we accept can later be written into
// the feed).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "hub/base/utf8.hpp"

namespace ijro::xml {

// Byte offset of the first byte that does not start a well-formed UTF-8 sequence; nullopt when
// all is valid. The one decoder of hub/base, named here for the reader's and the codecs' use.
using base::firstInvalidUtf8;

// 1-based line and column (in bytes) of a byte offset, for messages.
struct Position {
  int line = 1;
  int column = 1;
};
Position positionOf(std::string_view bytes, std::size_t offset);

// Whether XML 1.0 may carry the code point `c` (its Char production).
constexpr bool isXmlChar(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// Why `text` cannot be written as XML 1.0 character data (invalid UTF-8, or a code point XML does
// not allow such as U+0001 or U+FFFE), as a phrase; nullopt when it can.
std::optional<std::string> xmlCharProblem(std::string_view text);

}  // namespace ijro::xml
