#include "hub/model/regions.hpp"

#include <array>

namespace ijro::model {

namespace {

// Same rows, order and spelling as /work/shared/domain/regions.csv (copy in tests/data);
// tests/unit/model/regions_test.cpp checks the two agree.
constexpr std::array<Region, 14> kRegions{{
    {"1735", "UZ-QR", "republic", "Qoraqalpog'iston Respublikasi", "Қорақалпоғистон Республикаси",
     "Республика Каракалпакстан", "Republic of Karakalpakstan"},
    {"1703", "UZ-AN", "region", "Andijon viloyati", "Андижон вилояти", "Андижанская область",
     "Andijan Region"},
    {"1706", "UZ-BU", "region", "Buxoro viloyati", "Бухоро вилояти", "Бухарская область",
     "Bukhara Region"},
    {"1708", "UZ-JI", "region", "Jizzax viloyati", "Жиззах вилояти", "Джизакская область",
     "Jizzakh Region"},
    {"1710", "UZ-QA", "region", "Qashqadaryo viloyati", "Қашқадарё вилояти",
     "Кашкадарьинская область", "Kashkadarya Region"},
    {"1712", "UZ-NW", "region", "Navoiy viloyati", "Навоий вилояти", "Навоийская область",
     "Navoiy Region"},
    {"1714", "UZ-NG", "region", "Namangan viloyati", "Наманган вилояти", "Наманганская область",
     "Namangan Region"},
    {"1718", "UZ-SA", "region", "Samarqand viloyati", "Самарқанд вилояти", "Самаркандская область",
     "Samarkand Region"},
    {"1722", "UZ-SU", "region", "Surxondaryo viloyati", "Сурхондарё вилояти",
     "Сурхандарьинская область", "Surkhandarya Region"},
    {"1724", "UZ-SI", "region", "Sirdaryo viloyati", "Сирдарё вилояти", "Сырдарьинская область",
     "Syrdarya Region"},
    {"1727", "UZ-TO", "region", "Toshkent viloyati", "Тошкент вилояти", "Ташкентская область",
     "Tashkent Region"},
    {"1730", "UZ-FA", "region", "Farg'ona viloyati", "Фарғона вилояти", "Ферганская область",
     "Fergana Region"},
    {"1733", "UZ-XO", "region", "Xorazm viloyati", "Хоразм вилояти", "Хорезмская область",
     "Khorezm Region"},
    {"1726", "UZ-TK", "city", "Toshkent shahri", "Тошкент шаҳри", "город Ташкент", "Tashkent City"},
}};

bool allDigits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

const Region* bySoato(std::string_view soato) {
  for (const auto& r : kRegions)
    if (r.soato == soato) return &r;
  return nullptr;
}

// A 4-digit region code or a 7-digit district code under a known region.
const Region* bySoatoCode(std::string_view code) {
  if (!allDigits(code)) return nullptr;
  if (code.size() == 4 || code.size() == 7) return bySoato(code.substr(0, 4));
  return nullptr;
}

}  // namespace

std::span<const Region> regions() {
  return kRegions;
}

const Region* findRegion(std::string_view code) {
  if (const Region* r = bySoatoCode(code)) return r;
  for (const auto& r : kRegions)
    if (r.iso == code) return &r;
  return nullptr;
}

// Only SOATO forms: Implementation::region (and so ImplementationKey) holds SOATO codes, and
// accepting "UZ-AN" beside "1703" would give one territory two identities. Sources that send
// ISO codes normalise them with findRegion(code)->soato first.
bool isKnownTerritory(std::string_view code) {
  return code == kNationalCode || bySoatoCode(code) != nullptr;
}

std::optional<std::string> regionOf(std::string_view code) {
  if (code == kNationalCode) return std::string(kNationalCode);
  if (const Region* r = findRegion(code)) return std::string(r->soato);
  return std::nullopt;
}

}  // namespace ijro::model
