// Small text helpers of the file-drop plugin.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ijro::file_drop {

// Byte offset of the first invalid UTF-8 sequence, nullopt when the text is valid UTF-8.
std::optional<std::size_t> invalidUtf8At(std::string_view text);
// 1-based line of a byte offset.
std::size_t lineAt(std::string_view text, std::size_t offset);

std::string_view trim(std::string_view s);  // ASCII blanks (space, tab, CR, LF)
std::string lowerAscii(std::string_view s);
// Splits on `sep`, trimming each piece and dropping empty ones.
std::vector<std::string> splitList(std::string_view s, char sep);

}  // namespace ijro::file_drop
