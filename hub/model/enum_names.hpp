// Text names of the model's enums, from one table per enum: name(table, value) and
// parse(table, text). Internal to hub/model.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace ijro::model::detail {

template <typename E, std::size_t N>
using NameTable = std::array<std::pair<E, const char*>, N>;

template <typename E, std::size_t N>
const char* name(const NameTable<E, N>& table, E v) {
  for (const auto& [e, n] : table)
    if (e == v) return n;
  return "?";
}

template <typename E, std::size_t N>
std::optional<E> parse(const NameTable<E, N>& table, std::string_view s) {
  for (const auto& [e, n] : table)
    if (s == n) return e;
  return std::nullopt;
}

}  // namespace ijro::model::detail
