// UTF-8 decoding at its edges: every boundary of the sequence lengths, overlong forms, surrogates,
// code points above U+10FFFF, sequences cut short, and a round trip of every code point.
#include "hub/base/utf8.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ijro::base {
namespace {

struct Decoded {
  std::size_t length;
  char32_t cp;
};
Decoded decode(std::string_view s) {
  char32_t cp = 0;
  const std::size_t n = decodeUtf8(s, 0, cp);
  return {n, n == 0 ? char32_t{0} : cp};
}

TEST(Utf8, DecodesEachBoundaryOfEachLength) {
  const std::vector<std::pair<std::string, char32_t>> cases = {
      {std::string("\0", 1), 0x0},
      {"\x7F", 0x7F},
      {"\xC2\x80", 0x80},
      {"\xDF\xBF", 0x7FF},
      {"\xE0\xA0\x80", 0x800},
      {"\xED\x9F\xBF", 0xD7FF},
      {"\xEE\x80\x80", 0xE000},
      {"\xEF\xBF\xBF", 0xFFFF},
      {"\xF0\x90\x80\x80", 0x10000},
      {"\xF4\x8F\xBF\xBF", 0x10FFFF},
      {"\xD1\x9E", 0x45E /* ў */},
      {"\xF0\x9F\x98\x80", 0x1F600 /* 😀 */},
  };
  for (const auto& [bytes, cp] : cases) {
    const Decoded d = decode(bytes);
    EXPECT_EQ(d.length, bytes.size()) << std::hex << static_cast<unsigned>(cp);
    EXPECT_EQ(d.cp, cp);
    EXPECT_TRUE(isValidUtf8(bytes));
  }
}

TEST(Utf8, RefusesOverlongForms) {
  for (const char* bytes : {"\xC0\x80", "\xC0\xAF", "\xC1\xBF", "\xE0\x80\x80", "\xE0\x9F\xBF",
                            "\xF0\x80\x80\x80", "\xF0\x8F\xBF\xBF"}) {
    EXPECT_EQ(decode(bytes).length, 0u) << bytes;
    EXPECT_FALSE(isValidUtf8(bytes));
    EXPECT_EQ(firstInvalidUtf8(bytes), 0u);
  }
}

TEST(Utf8, RefusesSurrogates) {
  for (const char* bytes : {"\xED\xA0\x80", "\xED\xAD\xBF", "\xED\xB0\x80", "\xED\xBF\xBF"}) {
    EXPECT_EQ(decode(bytes).length, 0u) << bytes;
    EXPECT_FALSE(isValidUtf8(bytes));
  }
  // A pair encoded as two surrogates (CESU-8) is not UTF-8 either.
  EXPECT_FALSE(isValidUtf8("\xED\xA0\xBD\xED\xB8\x80"));
}

TEST(Utf8, RefusesCodePointsAboveU10FFFF) {
  for (const char* bytes : {"\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xF7\xBF\xBF\xBF",
                            "\xF8\x88\x80\x80\x80", "\xFC\x84\x80\x80\x80\x80", "\xFE", "\xFF"}) {
    EXPECT_EQ(decode(bytes).length, 0u) << bytes;
    EXPECT_FALSE(isValidUtf8(bytes));
  }
}

TEST(Utf8, RefusesSequencesCutShort) {
  EXPECT_EQ(firstInvalidUtf8("ab\xC3"), 2u);
  EXPECT_EQ(firstInvalidUtf8("ab\xE2\x82"), 2u);
  EXPECT_EQ(firstInvalidUtf8("\xF0\x9F\x98"), 0u);
  EXPECT_EQ(firstInvalidUtf8("\xE2\x82"
                             "A"),
            0u);  // the third byte is not a continuation
  EXPECT_EQ(firstInvalidUtf8("\xC3\x28"), 0u);
  // The decoder never reads past the end of the view, even when the buffer goes on.
  const std::string buffer = "\xE2\x82\xAC";
  EXPECT_EQ(firstInvalidUtf8(std::string_view(buffer).substr(0, 2)), 0u);
  EXPECT_EQ(firstInvalidUtf8(buffer), std::nullopt);
}

TEST(Utf8, RefusesLoneContinuationBytes) {
  EXPECT_EQ(firstInvalidUtf8("\x80"), 0u);
  EXPECT_EQ(firstInvalidUtf8("\xC3\xA9\xBF"), 2u);  // é, then a continuation with no lead
}

TEST(Utf8, FirstInvalidIsTheOffsetOfTheFirstBadByte) {
  EXPECT_EQ(firstInvalidUtf8(""), std::nullopt);
  EXPECT_EQ(firstInvalidUtf8("plain ўзбек 😀"), std::nullopt);
  EXPECT_EQ(firstInvalidUtf8("\xD1\x9E\xD0\xB7!\xFF ok"), 5u);
}

TEST(Utf8, EveryScalarValueRoundTrips) {
  std::string s;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    s.clear();
    appendUtf8(s, cp);
    const Decoded d = decode(s);
    ASSERT_EQ(d.length, s.size()) << std::hex << static_cast<unsigned>(cp);
    ASSERT_EQ(d.cp, cp);
    ASSERT_EQ(s.size(), cp < 0x80 ? 1u : cp < 0x800 ? 2u : cp < 0x10000 ? 3u : 4u);
  }
}

TEST(Utf8, AppendWritesTheReplacementForWhatIsNotAScalarValue) {
  for (char32_t cp :
       {char32_t{0xD800}, char32_t{0xDFFF}, char32_t{0x110000}, char32_t{0xFFFFFFFF}}) {
    std::string s;
    appendUtf8(s, cp);
    EXPECT_EQ(s, "\xEF\xBF\xBD") << std::hex << static_cast<unsigned>(cp);
  }
}

TEST(Utf8, ReplaceInvalidLeavesValidTextAloneAndReplacesEachBadByte) {
  EXPECT_EQ(replaceInvalidUtf8("plain ўзбек 😀"), "plain ўзбек 😀");
  EXPECT_EQ(replaceInvalidUtf8("a\xFF"
                               "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(replaceInvalidUtf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(replaceInvalidUtf8("\xED\xA0\x80"
                               "\xC3\xA9"),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xC3\xA9");
  EXPECT_TRUE(isValidUtf8(replaceInvalidUtf8("\xC0\xAF\xF4\x90\x80\x80\x80")));
}

TEST(Utf8, TheFirstInvalidByteIsFoundAtEveryOffsetOfAnAsciiRun) {
  // ASCII is skipped eight bytes at a time: a bad byte or a multi-byte sequence is still found
  // exactly wherever it falls in or after a word.
  for (std::size_t at = 0; at < 24; ++at) {
    std::string s(24, 'a');
    s[at] = '\xFF';
    EXPECT_EQ(firstInvalidUtf8(s), at) << at;
    if (at + 2 <= 24) {
      std::string ok(24, 'a');
      ok.replace(at, 2, "\xD0\x96");  // a two-byte letter
      EXPECT_EQ(firstInvalidUtf8(ok), std::nullopt) << at;
    }
  }
}

}  // namespace
}  // namespace ijro::base
