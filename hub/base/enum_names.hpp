// Text names of enums, from one table per enum: nameOf(table, value) and valueOf(table, text).
// Every enum the hub writes or reads as text (model, store, plugin boundary, isolation protocol)
// is named through this one mechanism, so a name is spelled once and parsing is its exact inverse.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

namespace ijro::base {

template <typename E, std::size_t N>
using NameTable = std::array<std::pair<E, const char*>, N>;

// The name of `v`; `unknown` for a value the table does not name (a value cast from bad input).
template <typename E, std::size_t N>
constexpr const char* nameOf(const NameTable<E, N>& table, E v, const char* unknown = "?") {
  for (const auto& [e, n] : table)
    if (e == v) return n;
  return unknown;
}

// The value named `text` (exact, case-sensitive match); nullopt for any other text.
template <typename E, std::size_t N>
constexpr std::optional<E> valueOf(const NameTable<E, N>& table, std::string_view text) {
  for (const auto& [e, n] : table)
    if (text == n) return e;
  return std::nullopt;
}

// For a static_assert beside each table: true when the table names every value from `first` to
// `last` of an enum without gaps, each value once and with a name of its own. A switch had the
// compiler's -Wswitch to catch a forgotten enumerator; this is what catches it for a table.
template <typename E, std::size_t N>
constexpr bool namesEvery(const NameTable<E, N>& table, E first, E last) {
  using U = std::underlying_type_t<E>;
  const auto lo = static_cast<long long>(static_cast<U>(first));
  const auto hi = static_cast<long long>(static_cast<U>(last));
  if (hi < lo || static_cast<long long>(N) != hi - lo + 1) return false;
  for (std::size_t i = 0; i < N; ++i) {
    const auto v = static_cast<long long>(static_cast<U>(table[i].first));
    if (v < lo || v > hi || table[i].second == nullptr || table[i].second[0] == '\0') return false;
    for (std::size_t j = i + 1; j < N; ++j)
      if (table[j].first == table[i].first ||
          std::string_view(table[j].second) == std::string_view(table[i].second))
        return false;
  }
  return true;  // N distinct values, all within [first, last] of size N: every one is named
}

}  // namespace ijro::base
