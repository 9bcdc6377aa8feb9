// The UTF-8 helpers of utf8.hpp that are not inline.
#include "hub/base/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace ijro::base {

namespace {
constexpr char32_t kReplacement = 0xFFFD;
}  // namespace

void appendUtf8(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = kReplacement;
  auto put = [&](char32_t v) { out.push_back(static_cast<char>(static_cast<std::uint8_t>(v))); };
  if (cp < 0x80) {
    put(cp);
  } else if (cp < 0x800) {
    put(0xC0 | (cp >> 6));
    put(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    put(0xE0 | (cp >> 12));
    put(0x80 | ((cp >> 6) & 0x3F));
    put(0x80 | (cp & 0x3F));
  } else {
    put(0xF0 | (cp >> 18));
    put(0x80 | ((cp >> 12) & 0x3F));
    put(0x80 | ((cp >> 6) & 0x3F));
    put(0x80 | (cp & 0x3F));
  }
}

std::optional<std::size_t> firstInvalidUtf8(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    // ASCII, the common case: eight bytes at a time while none has its high bit set.
    while (bytes.size() - i >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, bytes.data() + i, 8);
      if ((word & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= bytes.size()) break;
    if (static_cast<std::uint8_t>(bytes[i]) < 0x80) {  // without a call
      ++i;
      continue;
    }
    char32_t cp = 0;
    const std::size_t n = decodeUtf8(bytes, i, cp);
    if (n == 0) return i;
    i += n;
  }
  return std::nullopt;
}

bool isValidUtf8(std::string_view bytes) {
  return !firstInvalidUtf8(bytes).has_value();
}

std::string replaceInvalidUtf8(std::string_view bytes) {
  auto bad = firstInvalidUtf8(bytes);
  if (!bad) return std::string(bytes);
  std::string out(bytes.substr(0, *bad));
  out.reserve(bytes.size() + 8);
  for (std::size_t i = *bad; i < bytes.size();) {
    char32_t cp = 0;
    const std::size_t n = decodeUtf8(bytes, i, cp);
    if (n == 0) {
      appendUtf8(out, kReplacement);
      ++i;
      continue;
    }
    out.append(bytes.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace ijro::base
