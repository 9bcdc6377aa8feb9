#include "hub/model/sectors.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>

namespace ijro::model {
namespace {

TEST(ModelSectors, BuiltInCodes) {
  SectorCatalogue c;
  std::set<std::string, std::less<>> expected{"banking", "construction", "education",
                                              "health",  "other",        "tax"};
  EXPECT_EQ(c.codes(), expected);
  EXPECT_TRUE(c.contains("health"));
  EXPECT_TRUE(c.contains("other"));
  EXPECT_FALSE(c.contains("Health"));
  EXPECT_FALSE(c.contains(""));
  EXPECT_FALSE(c.contains("agriculture"));
}

TEST(ModelSectors, AddExtendsTheCatalogue) {
  SectorCatalogue c;
  c.add("agriculture");
  c.add("water-supply");
  c.add("e-gov2");
  c.add("x");
  c.add("health");  // already there: no change
  EXPECT_TRUE(c.contains("agriculture"));
  EXPECT_TRUE(c.contains("water-supply"));
  EXPECT_TRUE(c.contains("e-gov2"));
  EXPECT_TRUE(c.contains("x"));
  EXPECT_EQ(c.codes().size(), 10u);
}

TEST(ModelSectors, AddAcceptsUpTo32Characters) {
  SectorCatalogue c;
  std::string longest = "a" + std::string(31, 'b');
  c.add(longest);
  EXPECT_TRUE(c.contains(longest));
  EXPECT_THROW(c.add(longest + "c"), std::invalid_argument);
}

TEST(ModelSectors, AddRejectsInvalidCodes) {
  SectorCatalogue c;
  for (const char* bad : {"", "Health", "1tax", "-tax", "tax_office", "tax office", "soliq!",
                          "tаx" /* Cyrillic a */, "TAX"})
    EXPECT_THROW(c.add(bad), std::invalid_argument) << '"' << bad << '"';
  EXPECT_EQ(c.codes().size(), 6u);
}

TEST(ModelSectors, AddErrorNamesTheCodeAndTheRule) {
  SectorCatalogue c;
  try {
    c.add("Tax_Office");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("'Tax_Office'"), std::string::npos) << what;
    EXPECT_NE(what.find("lowercase"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace ijro::model
