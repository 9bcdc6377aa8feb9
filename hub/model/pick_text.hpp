// The text to show a reader of a title or name that comes in several languages.
#pragma once

#include <string>
#include <vector>

#include "hub/model/types.hpp"

namespace ijro::model {

// The text to show for `main` and its translations: for each preferred tag in turn, a
// translation with the same tag (case-insensitive), else one whose tag starts with the
// preference and '-' ("uz" picks "uz-Latn"), else the preference cut back subtag by subtag
// ("ru-RU" picks "ru"); with no match the main text. `lang` receives the chosen tag, empty for
// the main text.
const std::string& pickText(const std::string& main, const Translations& translations,
                            const std::vector<std::string>& preferences,
                            std::string* lang = nullptr);

}  // namespace ijro::model
