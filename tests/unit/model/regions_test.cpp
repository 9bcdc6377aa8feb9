#include "hub/model/regions.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_support.hpp"

namespace ijro::model {
namespace {

// regions.csv has no quoted fields (no name contains a comma).
std::vector<std::string> splitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) out.push_back(field);
  return out;
}

TEST(ModelRegions, TableMatchesRegionsCsv) {
  std::istringstream in(test::readFile(test::sourceDir() / "tests/data/regions.csv"));
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line, "soato,iso_3166_2,kind,name_uz_latn,name_uz_cyrl,name_ru,name_en");
  std::size_t row = 0;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto f = splitCsv(line);
    ASSERT_EQ(f.size(), 7u) << line;
    ASSERT_LT(row, regions().size()) << "regions.csv has more rows than the table";
    const Region& r = regions()[row];
    EXPECT_EQ(r.soato, f[0]);
    EXPECT_EQ(r.iso, f[1]);
    EXPECT_EQ(r.kind, f[2]);
    EXPECT_EQ(r.nameUzLatn, f[3]);
    EXPECT_EQ(r.nameUzCyrl, f[4]);
    EXPECT_EQ(r.nameRu, f[5]);
    EXPECT_EQ(r.nameEn, f[6]);
    EXPECT_EQ(findRegion(f[0]), &r);
    EXPECT_EQ(findRegion(f[1]), &r);
    ++row;
  }
  EXPECT_EQ(row, regions().size());
  EXPECT_EQ(row, 14u);
}

TEST(ModelRegions, CodesAreUniqueAndWellFormed) {
  std::set<std::string_view> soato, iso;
  std::size_t republics = 0, cities = 0;
  for (const auto& r : regions()) {
    EXPECT_TRUE(soato.insert(r.soato).second) << r.soato;
    EXPECT_TRUE(iso.insert(r.iso).second) << r.iso;
    EXPECT_EQ(r.soato.size(), 4u);
    EXPECT_EQ(r.soato.substr(0, 2), kNationalCode);
    EXPECT_EQ(r.iso.substr(0, 3), "UZ-");
    republics += r.kind == "republic";
    cities += r.kind == "city";
  }
  EXPECT_EQ(republics, 1u);
  EXPECT_EQ(cities, 1u);
}

TEST(ModelRegions, FindsRegionDistrictAndIso) {
  const Region* andijan = findRegion("1703");
  ASSERT_NE(andijan, nullptr);
  EXPECT_EQ(andijan->nameEn, "Andijan Region");
  EXPECT_EQ(findRegion("1703202"), andijan);
  EXPECT_EQ(findRegion("UZ-AN"), andijan);
  ASSERT_NE(findRegion("1726"), nullptr);
  EXPECT_EQ(findRegion("1726")->kind, "city");
  EXPECT_EQ(findRegion("1735")->iso, "UZ-QR");
}

TEST(ModelRegions, RejectsUnknownAndMalformedCodes) {
  for (const char* s : {"", "17", "1", "1704", "1704202", "170", "17032", "170320", "17032020",
                        "1703a02", "uz-an", "UZ-XX", "UZ-", "1703 ", " 1703", "+1703", "UZ-AN1"})
    EXPECT_EQ(findRegion(s), nullptr) << '"' << s << '"';
}

TEST(ModelRegions, KnownTerritoryIsNationalRegionOrDistrict) {
  EXPECT_TRUE(isKnownTerritory("17"));
  EXPECT_TRUE(isKnownTerritory("1703"));
  EXPECT_TRUE(isKnownTerritory("1726"));
  EXPECT_TRUE(isKnownTerritory("1703202"));
  EXPECT_TRUE(isKnownTerritory("1735401"));
  EXPECT_FALSE(isKnownTerritory(""));
  EXPECT_FALSE(isKnownTerritory("1"));
  EXPECT_FALSE(isKnownTerritory("18"));
  EXPECT_FALSE(isKnownTerritory("1704"));
  EXPECT_FALSE(isKnownTerritory("1799999"));
  EXPECT_FALSE(isKnownTerritory("17032"));
  EXPECT_FALSE(isKnownTerritory("1703x02"));
  // Stored records hold SOATO codes only; ISO codes are normalised through findRegion first.
  EXPECT_FALSE(isKnownTerritory("UZ-AN"));
}

TEST(ModelRegions, RegionOfGivesTheFirstLevelCode) {
  EXPECT_EQ(regionOf("17"), "17");
  EXPECT_EQ(regionOf("1703"), "1703");
  EXPECT_EQ(regionOf("1703202"), "1703");
  EXPECT_EQ(regionOf("1726277"), "1726");
  EXPECT_EQ(regionOf("UZ-TK"), "1726");
  EXPECT_EQ(regionOf("1704"), std::nullopt);
  EXPECT_EQ(regionOf("1704202"), std::nullopt);
  EXPECT_EQ(regionOf(""), std::nullopt);
}

}  // namespace
}  // namespace ijro::model
