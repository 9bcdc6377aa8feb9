// The items of one page of a JSON API as records: the array at the configured path, each element
// mapped through the fields, defaults and statuses (mapping.hpp). An element that cannot be mapped
// is rejected with its JSON path and the reason; the others still become records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <ijro_plugin.hpp>

#include "json_path.hpp"
#include <mapping/mapping.hpp>

namespace ijro::rest_json {

// The SDK's declarative mapping (mapping/mapping.hpp), by its short names here.
using mapping::Field;
using mapping::Found;
using mapping::Lookup;
using mapping::Mapped;
using mapping::Mapping;
using mapping::Value;

// The largest page read.
inline constexpr std::size_t kMaxPageBytes = std::size_t{32} << 20;

struct PageItems {
  std::vector<std::string> records;   // one per item mapped, in the record form
  std::vector<std::string> rejected;  // one per item rejected: where and why
};

class ItemReader {
 public:
  // items: JSON path of the array in a page ("" : the page is the array). fields: the places
  // of the mapping, each a JSON path within an item. Throws std::invalid_argument naming the
  // option for a path that does not parse.
  ItemReader(const std::string& items, const ijro::sdk::Table& fields, Mapping mapping);

  // The records of one page. what: the page for messages ("page 2 of https://..."). A page that
  // is not JSON, or has no array at the items path, throws std::runtime_error naming it.
  PageItems read(std::string_view body, const std::string& what,
                 std::int64_t fallbackRevision) const;
  // The number of items in a page (offset paging), with the same errors as read().
  std::size_t count(std::string_view body, const std::string& what) const;

 private:
  const boost::json::array& itemsOf(const boost::json::value& doc, const std::string& what) const;

  JsonPath items_;
  std::string itemsText_;  // "items", "data.items"; "$" for the page itself
  std::vector<std::pair<std::string, JsonPath>> places_;
  Mapping mapping_;
};

// A JSON value as a mapping value.
Value valueOf(const boost::json::value& v);

}  // namespace ijro::rest_json
