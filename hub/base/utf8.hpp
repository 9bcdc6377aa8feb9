// UTF-8, decoded one way everywhere: well-formed means the Unicode definition (RFC 3629), so
// overlong forms, surrogates (U+D800..U+DFFF), code points above U+10FFFF and sequences cut short
// are all ill-formed. The XML reader, the JSON codecs, the store and /metrics all decode with this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ijro::base {

// Decodes the sequence starting at s[i] (i < s.size()) into `cp`; returns its length in bytes
// (1 to 4), or 0 when the bytes there are not a well-formed sequence (then `cp` is unspecified).
// Inline: the reader and the search folding call it once per character.
inline std::size_t decodeUtf8(std::string_view s, std::size_t i, char32_t& cp) {
  auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  const std::uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t len = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {  // 0xC0 and 0xC1 could only start overlong forms
    len = 2, min = 0x80, cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3, min = 0x800, cp = b0 & 0x0Fu;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {  // 0xF5.. could only start code points above U+10FFFF
    len = 4, min = 0x10000, cp = b0 & 0x07u;
  } else {
    return 0;  // a continuation byte, or a lead byte no well-formed sequence starts with
  }
  if (len > s.size() - i) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const std::uint8_t b = byte(i + k);
    if ((b & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// Appends the UTF-8 form of `cp`; a value that is not a Unicode scalar value (a surrogate, or
// above U+10FFFF) is written as U+FFFD, so the output is always well-formed.
void appendUtf8(std::string& out, char32_t cp);

// Byte offset of the first byte that does not start a well-formed sequence; nullopt when all of
// `bytes` is well-formed UTF-8.
std::optional<std::size_t> firstInvalidUtf8(std::string_view bytes);

// True if all of `bytes` is well-formed UTF-8.
bool isValidUtf8(std::string_view bytes);

// `bytes` with every byte that is not part of a well-formed sequence replaced by U+FFFD (one per
// byte); unchanged when it is valid. For text that must be UTF-8 on the way out.
std::string replaceInvalidUtf8(std::string_view bytes);

}  // namespace ijro::base
