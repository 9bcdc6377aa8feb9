// Small text helpers of the file-drop plugin. (UTF-8 validity is the SDK's:
// ijro::sdk::firstInvalidUtf8 in ijro_record.hpp.)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ijro::file_drop {

std::string_view trim(std::string_view s);  // ASCII blanks (space, tab, CR, LF)
std::string lowerAscii(std::string_view s);
// Splits on `sep`, trimming each piece and dropping empty ones.
std::vector<std::string> splitList(std::string_view s, char sep);

}  // namespace ijro::file_drop
