#include "hub/store/organisations.hpp"

#include <stdexcept>

#include "hub/base/utf8.hpp"
#include "hub/store/text.hpp"

namespace ijro::store {

namespace {

bool isSpace(char32_t cp) {
  return cp == U' ' || cp == U'\t' || cp == U'\n' || cp == U'\r' || cp == U'\v' || cp == U'\f' ||
         cp == 0xA0 || cp == 0x2007 || cp == 0x202F || cp == 0x3000 ||
         (cp >= 0x2000 && cp <= 0x200A);
}

// The marks written for the Uzbek Latin oʻ, gʻ and the tutuq belgisi (ʼ), in every form seen.
bool isApostrophe(char32_t cp) {
  return cp == U'\'' || cp == U'`' || cp == 0xB4 || cp == 0x2BB || cp == 0x2BC || cp == 0x2BD ||
         cp == 0x2018 || cp == 0x2019 || cp == 0x2032;
}

}  // namespace

std::string normaliseOrganisation(std::string_view spelling) {
  std::string spaced;
  spaced.reserve(spelling.size());
  bool pendingSpace = false;
  for (std::size_t i = 0; i < spelling.size();) {
    char32_t cp = 0;
    std::size_t n = base::decodeUtf8(spelling, i, cp);
    if (n == 0) {  // not UTF-8: kept byte for byte
      if (pendingSpace && !spaced.empty()) spaced.push_back(' ');
      pendingSpace = false;
      spaced.push_back(spelling[i++]);
      continue;
    }
    i += n;
    if (isSpace(cp)) {
      pendingSpace = true;
      continue;
    }
    if (pendingSpace && !spaced.empty()) spaced.push_back(' ');
    pendingSpace = false;
    if (isApostrophe(cp))
      spaced.push_back('\'');
    else
      base::appendUtf8(spaced, cp);
  }
  return detail::foldCase(spaced);
}

bool isStir(std::string_view code) {
  if (code.size() != 9) return false;
  for (char c : code)
    if (c < '0' || c > '9') return false;
  return true;
}

const char* toString(OrganisationCodeKind k) {
  return k == OrganisationCodeKind::Stir ? "stir" : "configured";
}

OrganisationDirectory::OrganisationDirectory(std::vector<Organisation> organisations)
    : organisations_(std::move(organisations)) {
  for (std::size_t i = 0; i < organisations_.size(); ++i) {
    const auto& o = organisations_[i];
    if (!byCode_.emplace(o.code, i).second)
      throw std::invalid_argument("organisation " + o.code + " is configured twice");
    std::vector<std::string> spellings = {o.code};
    for (const auto& [lang, name] : o.names) spellings.push_back(name);
    spellings.insert(spellings.end(), o.aliases.begin(), o.aliases.end());
    for (const auto& s : spellings) {
      auto key = normaliseOrganisation(s);
      auto [it, added] = bySpelling_.emplace(key, i);
      if (!added && it->second != i)
        throw std::invalid_argument("the spelling \"" + s + "\" names both organisation " +
                                    organisations_[it->second].code + " and " + o.code);
    }
  }
}

std::optional<std::string> OrganisationDirectory::codeOf(std::string_view spelling) const {
  auto it = bySpelling_.find(normaliseOrganisation(spelling));
  if (it == bySpelling_.end()) return std::nullopt;
  return organisations_[it->second].code;
}

std::string OrganisationDirectory::keyOf(std::string_view spelling) const {
  auto key = normaliseOrganisation(spelling);
  auto it = bySpelling_.find(key);
  return it == bySpelling_.end() ? key : organisations_[it->second].code;
}

void OrganisationDirectory::describe(model::Implementation& impl) const {
  impl.organisationCode.clear();
  impl.organisationNames.clear();
  if (organisations_.empty()) return;
  auto it = bySpelling_.find(normaliseOrganisation(impl.organisation));
  if (it == bySpelling_.end()) return;
  const Organisation& o = organisations_[it->second];
  impl.organisationCode = o.code;
  for (const auto& [lang, name] : o.names) impl.organisationNames.push_back({lang, name});
}

const Organisation* OrganisationDirectory::find(std::string_view code) const {
  auto it = byCode_.find(code);
  return it == byCode_.end() ? nullptr : &organisations_[it->second];
}

}  // namespace ijro::store
