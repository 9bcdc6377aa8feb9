// Small text helpers for the store: case folding for search, LIKE escaping, storable text, base64,
// and the UTF-8 check and timestamp format of hub/base under the names the store uses. Internal to
// hub_store (and its tests).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/base/timestamp.hpp"
#include "hub/base/utf8.hpp"

namespace ijro::store::detail {

// True if `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
using base::isValidUtf8;

// Simple lower-case folding for search: ASCII, Latin-1, Latin Extended-A/Additional, Greek and
// Cyrillic (including the Uzbek letters). Applied both when storing the search text and to the
// query, so the match is case-insensitive the same way on every backend. Bytes that are not valid
// UTF-8 are passed through unchanged.
std::string foldCase(std::string_view s);

// Escapes '%', '_' and the escape character itself for `LIKE ... ESCAPE '!'`.
inline constexpr char kLikeEscape = '!';
std::string escapeLike(std::string_view s);

// An element of a PostgreSQL array literal: quoted, with '"' and '\\' escaped (text of a record
// holds no NUL: unstorable() refuses it).
std::string pgArrayElement(std::string_view s);
// A PostgreSQL array literal of texts, for CAST(:p AS TEXT[]).
std::string pgTextArray(const std::vector<std::string>& items);

// `s` as text every backend can hold: unchanged when it is valid UTF-8 without NUL, otherwise
// every byte that is not part of a valid character (and NUL) written as \xNN. For dead letters,
// whose records are kept precisely because they may be malformed.
std::string storableText(std::string_view s);

// Standard base64 (RFC 4648, with padding), for opaque checkpoint bytes. decodeBase64 returns
// nullopt for text that is not base64.
std::string encodeBase64(std::string_view bytes);
std::optional<std::string> decodeBase64(std::string_view text);

// ISO 8601 UTC with second precision: 2026-03-01T10:00:00Z.
using base::formatTimestamp;
using base::formatTimestampMillis;

}  // namespace ijro::store::detail
