#include "hub/model/pick_text.hpp"

#include <string_view>

namespace ijro::model {

namespace {

std::string lowerAscii(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

const std::string& pickText(const std::string& main, const Translations& translations,
                            const std::vector<std::string>& preferences, std::string* lang) {
  auto chosen = [&](const LocalText& t) -> const std::string& {
    if (lang) *lang = t.lang;
    return t.text;
  };
  for (const auto& pref : preferences) {
    const std::string want = lowerAscii(pref);
    for (const auto& t : translations)
      if (lowerAscii(t.lang) == want) return chosen(t);
    for (const auto& t : translations)
      if (lowerAscii(t.lang).starts_with(want + "-")) return chosen(t);
    for (std::string cut = want; cut.find('-') != std::string::npos;) {
      cut.erase(cut.rfind('-'));
      for (const auto& t : translations)
        if (lowerAscii(t.lang) == cut) return chosen(t);
    }
  }
  if (lang) lang->clear();
  return main;
}

}  // namespace ijro::model
