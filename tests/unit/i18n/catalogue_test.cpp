#include "hub/i18n/catalogue.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace ijro::i18n {
namespace {

bool hasAsciiLetter(std::string_view s) {
  for (char c : s)
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return false;
}

TEST(I18nCatalogue, EveryKeyHasATextInAllFourLanguages) {
  ASSERT_FALSE(entries().empty());
  for (const auto& e : entries())
    for (Language lang : kLanguages)
      EXPECT_FALSE(e.in(lang).empty()) << e.key << " has no text in " << tag(lang);
}

TEST(I18nCatalogue, KeysAreUniqueAndGrouped) {
  std::set<std::string_view> seen;
  for (const auto& e : entries()) {
    EXPECT_TRUE(seen.insert(e.key).second) << e.key << " is in the catalogue twice";
    const auto group = e.key.substr(0, e.key.find('.'));
    EXPECT_TRUE(group == "status" || group == "rag" || group == "column" || group == "sheet" ||
                group == "sector" || group == "region")
        << e.key << " is in no known group";
  }
}

TEST(I18nCatalogue, UzbekLatinWritesOkinaAndTutuqWithModifierLetters) {
  for (const auto& e : entries()) {
    const auto text = e.uzLatn;
    EXPECT_EQ(text.find('\''), std::string_view::npos) << e.key << ": " << text;
    EXPECT_EQ(text.find('`'), std::string_view::npos) << e.key << ": " << text;
    EXPECT_EQ(text.find("\u2018"), std::string_view::npos) << e.key << ": " << text;
    EXPECT_EQ(text.find("\u2019"), std::string_view::npos) << e.key << ": " << text;
    // Each U+02BB follows o or g.
    for (auto at = text.find("\u02BB"); at != std::string_view::npos;
         at = text.find("\u02BB", at + 1))
      EXPECT_TRUE(at > 0 && (text[at - 1] == 'o' || text[at - 1] == 'g' || text[at - 1] == 'O' ||
                             text[at - 1] == 'G'))
          << e.key << ": " << text;
  }
  EXPECT_EQ(*label("status.OVERDUE", Language::UzLatn), "Muddati o\u02BBtgan");
}

TEST(I18nCatalogue, CyrillicTextsHoldNoLatinLetters) {
  for (const auto& e : entries()) {
    EXPECT_FALSE(hasAsciiLetter(e.ru)) << e.key << " (ru): " << e.ru;
    EXPECT_FALSE(hasAsciiLetter(e.uzCyrl)) << e.key << " (uz-Cyrl): " << e.uzCyrl;
  }
}

TEST(I18nCatalogue, LabelsOfOneLanguageHoldEveryKey) {
  for (Language lang : kLanguages) {
    const auto all = labels(lang);
    EXPECT_EQ(all.size(), entries().size());
    for (const auto& e : entries()) EXPECT_EQ(all.at(std::string(e.key)), e.in(lang));
  }
  EXPECT_EQ(labels(Language::UzCyrl).at("status.OVERDUE"), "Муддати ўтган");
  EXPECT_EQ(labels(Language::Ru).at("rag.RED"), "Красный");
}

TEST(I18nCatalogue, UnknownKeyHasNoLabelAndTakesTheFallback) {
  EXPECT_FALSE(label("column.nothing", Language::Ru));
  EXPECT_EQ(labelOr("sector.water", Language::Ru, "water"), "water");
  EXPECT_EQ(labelOr("sector.health", Language::Ru, "health"), "Здравоохранение");
}

TEST(I18nLanguage, SupportedLanguageFollowsThePreferencesInOrder) {
  EXPECT_EQ(supportedLanguage({}), Language::En);
  EXPECT_EQ(supportedLanguage({"fr", "de"}), Language::En);
  EXPECT_EQ(supportedLanguage({"ru"}), Language::Ru);
  EXPECT_EQ(supportedLanguage({"ru-RU"}), Language::Ru);
  EXPECT_EQ(supportedLanguage({"de", "ru"}), Language::Ru);
  EXPECT_EQ(supportedLanguage({"uz"}), Language::UzLatn);
  EXPECT_EQ(supportedLanguage({"uz-UZ"}), Language::UzLatn);
  EXPECT_EQ(supportedLanguage({"UZ-latn"}), Language::UzLatn);
  EXPECT_EQ(supportedLanguage({"uz-Cyrl"}), Language::UzCyrl);
  EXPECT_EQ(supportedLanguage({"uz-cyrl-UZ"}), Language::UzCyrl);
  EXPECT_EQ(supportedLanguage({"en-GB", "ru"}), Language::En);
}

TEST(I18nLanguage, TagsRoundTrip) {
  for (Language lang : kLanguages) EXPECT_EQ(languageOf(tag(lang)), lang);
  EXPECT_EQ(tag(Language::UzCyrl), "uz-Cyrl");
  EXPECT_FALSE(languageOf("uz"));
}

TEST(I18nCatalogue, KeyOfTurnsModelNamesIntoCatalogueKeys) {
  EXPECT_EQ(keyOf("status", "doneLate"), "status.DONE_LATE");
  EXPECT_EQ(keyOf("status", "notStarted"), "status.NOT_STARTED");
  EXPECT_EQ(keyOf("rag", "red"), "rag.RED");
}

TEST(I18nCatalogue, UzbekLatinApostrophesBecomeModifierLetters) {
  EXPECT_EQ(uzbekLatinApostrophes("Farg'ona viloyati"), "Farg\u02BBona viloyati");
  EXPECT_EQ(uzbekLatinApostrophes("Qoraqalpog'iston"), "Qoraqalpog\u02BBiston");
  EXPECT_EQ(uzbekLatinApostrophes("O'zbekiston"), "O\u02BBzbekiston");
  EXPECT_EQ(uzbekLatinApostrophes("ta'lim"), "ta\u02BClim");
  EXPECT_EQ(uzbekLatinApostrophes("o\u2018quv"), "o\u02BBquv");
  EXPECT_EQ(uzbekLatinApostrophes("Toshkent"), "Toshkent");
}

}  // namespace
}  // namespace ijro::i18n
