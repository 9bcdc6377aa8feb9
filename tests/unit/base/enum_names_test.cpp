// Enum name tables: names, parsing as their exact inverse, the fallback for a value the table
// does not name, and the completeness check that stands in for -Wswitch.
#include "hub/base/enum_names.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ijro::base {
namespace {

enum class Colour { Red, Amber, Green };

constexpr NameTable<Colour, 3> kColours{{
    {Colour::Red, "red"},
    {Colour::Amber, "amber"},
    {Colour::Green, "green"},
}};
static_assert(namesEvery(kColours, Colour::Red, Colour::Green));
static_assert(nameOf(kColours, Colour::Amber) == std::string_view("amber"));

TEST(EnumNames, NamesAndParsesBothWays) {
  for (const auto& [value, name] : kColours) {
    EXPECT_STREQ(nameOf(kColours, value), name);
    EXPECT_EQ(valueOf(kColours, name), value);
  }
}

TEST(EnumNames, ParsingIsExact) {
  EXPECT_EQ(valueOf(kColours, "Red"), std::nullopt);
  EXPECT_EQ(valueOf(kColours, "red "), std::nullopt);
  EXPECT_EQ(valueOf(kColours, ""), std::nullopt);
  EXPECT_EQ(valueOf(kColours, std::string_view("redder").substr(0, 3)), Colour::Red);
}

TEST(EnumNames, AValueOutsideTheTableGetsTheFallback) {
  const auto stray = static_cast<Colour>(7);
  EXPECT_STREQ(nameOf(kColours, stray), "?");
  EXPECT_STREQ(nameOf(kColours, stray, "unknown"), "unknown");
}

TEST(EnumNames, NamesEveryCatchesAGapADuplicateAndAnEmptyName) {
  constexpr NameTable<Colour, 2> missing{{{Colour::Red, "red"}, {Colour::Green, "green"}}};
  EXPECT_FALSE(namesEvery(missing, Colour::Red, Colour::Green));
  constexpr NameTable<Colour, 3> twice{
      {{Colour::Red, "red"}, {Colour::Red, "amber"}, {Colour::Green, "green"}}};
  EXPECT_FALSE(namesEvery(twice, Colour::Red, Colour::Green));
  constexpr NameTable<Colour, 3> sameName{
      {{Colour::Red, "red"}, {Colour::Amber, "red"}, {Colour::Green, "green"}}};
  EXPECT_FALSE(namesEvery(sameName, Colour::Red, Colour::Green));
  constexpr NameTable<Colour, 3> empty{
      {{Colour::Red, "red"}, {Colour::Amber, ""}, {Colour::Green, "green"}}};
  EXPECT_FALSE(namesEvery(empty, Colour::Red, Colour::Green));
  EXPECT_TRUE(namesEvery(kColours, Colour::Red, Colour::Green));
  // A range that does not match the table's size: a value added to the enum, not the table.
  EXPECT_FALSE(namesEvery(kColours, Colour::Red, Colour::Amber));
}

}  // namespace
}  // namespace ijro::base
