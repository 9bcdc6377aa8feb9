// Organisation identity: every responsible organisation has one code (its STIR, the 9-digit tax
// id, where it has one; otherwise a configured code), a display name per language, and a table of
// the spellings sources use for it. The store keys an implementation by the organisation's code,
// or, for a spelling nobody has mapped yet, by the normalised spelling, so that one organisation
// spelled two ways is still one implementation as soon as someone adds the alias.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/model/types.hpp"

namespace ijro::store {

// How a spelling is compared: surrounding white space dropped, every run of white space (ASCII,
// no-break space, tabs, line breaks) made one space, lower case (ASCII, Latin, Cyrillic including
// the Uzbek letters), and the apostrophes of Uzbek Latin (ʻ ʼ ‘ ’ ` ´) written as '. "O‘zbekiston
// Respublikasi  Sogʻliqni saqlash vazirligi" and "o'zbekiston respublikasi sog'liqni saqlash
// vazirligi" are the same spelling.
std::string normaliseOrganisation(std::string_view spelling);

// True for a STIR: exactly 9 ASCII digits.
bool isStir(std::string_view code);

enum class OrganisationCodeKind { Stir, Configured };
const char* toString(OrganisationCodeKind k);  // "stir" | "configured"

struct Organisation {
  std::string code;
  OrganisationCodeKind kind = OrganisationCodeKind::Stir;
  std::map<std::string, std::string> names;  // language tag (uz-Latn, uz-Cyrl, ru, en) -> name
  std::vector<std::string> aliases;          // spellings as configured
};

// The configured organisations, looked up by spelling. A spelling matches an organisation when its
// normalised form equals that of the organisation's code, one of its names or one of its aliases.
class OrganisationDirectory {
 public:
  OrganisationDirectory() = default;
  // Throws std::invalid_argument naming the clash when a code is given twice or one spelling
  // belongs to two codes (the configuration reports these with their lines before getting here).
  explicit OrganisationDirectory(std::vector<Organisation> organisations);

  // The code of the organisation this spelling names, or nullopt if it is not known.
  std::optional<std::string> codeOf(std::string_view spelling) const;
  // What the store keys an implementation by: the code, or the normalised spelling when unknown.
  std::string keyOf(std::string_view spelling) const;
  const Organisation* find(std::string_view code) const;
  // Sets impl.organisationCode and impl.organisationNames from the organisation its spelling
  // names; clears them when the spelling is not known.
  void describe(model::Implementation& impl) const;
  const std::vector<Organisation>& all() const { return organisations_; }

 private:
  std::vector<Organisation> organisations_;
  std::map<std::string, std::size_t, std::less<>> bySpelling_;  // normalised spelling -> index
  std::map<std::string, std::size_t, std::less<>> byCode_;
};

}  // namespace ijro::store
