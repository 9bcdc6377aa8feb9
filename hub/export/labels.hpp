// The labels of places and sectors in one language: the catalogue's (hub/i18n) joined with the
// region names of hub/model/regions, so a region's name has one home.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "hub/i18n/catalogue.hpp"

namespace ijro::exports {

// The name of a territory: a 4-digit region or a 7-digit district (its region's name), or 17
// (the national level); the code itself for an unknown one. Uzbek Latin names are written with
// U+02BB and U+02BC (i18n::uzbekLatinApostrophes).
std::string regionName(std::string_view code, i18n::Language lang);
// The name of a sector: the catalogue's sector.<code>, else the code (a configured sector).
std::string sectorName(std::string_view code, i18n::Language lang);
// Every label of the catalogue in `lang` and region.<SOATO> for each of the 14 regions.
std::map<std::string, std::string> allLabels(i18n::Language lang);

}  // namespace ijro::exports
