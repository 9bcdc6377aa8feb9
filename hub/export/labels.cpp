#include "hub/export/labels.hpp"

#include "hub/model/regions.hpp"

namespace ijro::exports {

namespace {

std::string nameOf(const model::Region& r, i18n::Language lang) {
  switch (lang) {
    case i18n::Language::En:
      return std::string(r.nameEn);
    case i18n::Language::Ru:
      return std::string(r.nameRu);
    case i18n::Language::UzLatn:
      return i18n::uzbekLatinApostrophes(r.nameUzLatn);
    case i18n::Language::UzCyrl:
      return std::string(r.nameUzCyrl);
  }
  return std::string(r.nameEn);
}

}  // namespace

std::string regionName(std::string_view code, i18n::Language lang) {
  if (code == model::kNationalCode) return i18n::labelOr("region.17", lang, code);
  if (const auto* r = model::findRegion(code)) return nameOf(*r, lang);
  return std::string(code);
}

std::string sectorName(std::string_view code, i18n::Language lang) {
  return i18n::labelOr("sector." + std::string(code), lang, code);
}

std::map<std::string, std::string> allLabels(i18n::Language lang) {
  auto out = i18n::labels(lang);
  for (const auto& r : model::regions()) out["region." + std::string(r.soato)] = nameOf(r, lang);
  return out;
}

}  // namespace ijro::exports
