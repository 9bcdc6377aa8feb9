// The label catalogue: one home for every label the hub writes itself (export headers, status
// and RAG names, sector names, sheet names) in the four languages of the hub: en, ru, uz-Latn
// (Uzbek in Latin script, oʻ and gʻ with U+02BB, the tutuq belgisi with U+02BC) and uz-Cyrl.
//
// Keys: status.<EXECUTION_STATUS> (status.OVERDUE, status.DONE_LATE, ...), rag.<RAG>
// (rag.NONE, rag.GREEN, rag.AMBER, rag.RED), column.<name> (export column headers),
// sheet.<name> (export sheet names), sector.<code> (the built-in sectors), region.17 (the
// national level). Region names by SOATO code live in hub/model/regions; higher floors join them
// in (see hub/export/labels.hpp).
#pragma once

#include <array>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ijro::i18n {

enum class Language { En, Ru, UzLatn, UzCyrl };

inline constexpr std::array<Language, 4> kLanguages{Language::En, Language::Ru, Language::UzLatn,
                                                    Language::UzCyrl};

// The BCP 47 tag of a language: "en", "ru", "uz-Latn", "uz-Cyrl".
std::string_view tag(Language lang);
// The language of a tag, case-insensitive ("UZ-latn" is uz-Latn); nullopt for anything else.
std::optional<Language> languageOf(std::string_view tag);

// The supported language a reader gets for its preferences, best first (as
// api::languagePreferences gives them): for each preference in turn, an exact tag match
// (case-insensitive), else a match of its primary subtag ("ru-RU" is ru, "uz" and "uz-UZ" are
// uz-Latn, the official script, "uz-Cyrl-UZ" is uz-Cyrl); en when none matches.
Language supportedLanguage(const std::vector<std::string>& preferences);

// One entry of the catalogue: the key and its text in each language.
struct Entry {
  std::string_view key;
  std::string_view en, ru, uzLatn, uzCyrl;
  std::string_view in(Language lang) const;
};

// The key of an enum value named in camelCase by the model or the API: keyOf("status",
// "doneLate") is "status.DONE_LATE", keyOf("rag", "red") is "rag.RED".
std::string keyOf(std::string_view group, std::string_view camelName);

// Every entry, in a fixed order.
std::span<const Entry> entries();

// The label of `key` in `lang`; nullopt for a key the catalogue does not hold.
std::optional<std::string_view> label(std::string_view key, Language lang);
// The label of `key` in `lang`, or `fallback` when the catalogue does not hold it.
std::string labelOr(std::string_view key, Language lang, std::string_view fallback);
// Every label of the catalogue in `lang`, by key.
std::map<std::string, std::string> labels(Language lang);

// Uzbek Latin as written with ASCII apostrophes ("Farg'ona", "ta'lim") in the catalogue's
// spelling: an apostrophe after o or g (either case) becomes U+02BB (oʻ, gʻ), any other
// U+02BC (the tutuq belgisi). Also turns U+2018 and U+2019 the same way.
std::string uzbekLatinApostrophes(std::string_view text);

}  // namespace ijro::i18n
