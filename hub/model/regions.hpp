// The 14 first-level administrative units (SOATO and ISO 3166-2 codes, names in four languages).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ijro::model {

struct Region {
  std::string_view soato;  // 4 digits, e.g. "1703"
  std::string_view iso;    // "UZ-AN"
  std::string_view kind;   // republic | region | city
  std::string_view nameUzLatn, nameUzCyrl, nameRu, nameEn;
};

inline constexpr std::string_view kNationalCode = "17";  // the whole republic

std::span<const Region> regions();
// Region for a 4-digit SOATO code, a 7-digit district code under it, or an ISO code.
const Region* findRegion(std::string_view code);
// True for "17" (national), a known region, or a 7-digit district under a known region.
bool isKnownTerritory(std::string_view code);
// First-level SOATO code for a territory code ("1703202" -> "1703"; "17" -> "17").
std::optional<std::string> regionOf(std::string_view code);

}  // namespace ijro::model
