// A place inside a JSON document, as the options give it: dotted (`data.items`, `name.uz`,
// `tags[0].code`) or a JSON pointer (RFC 6901: `/data/items`, `/name/uz`). The empty path is the
// document itself.
#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ijro::rest_json {

class JsonPath {
 public:
  JsonPath() = default;
  // Throws std::invalid_argument saying what is wrong (an empty member name, an unclosed `[`,
  // a bad `~` escape).
  static JsonPath parse(std::string_view text);

  // The value at this path, nullptr when a step is absent (or null on the way).
  const boost::json::value* find(const boost::json::value& root) const;
  // The path in dotted form for messages: "name.uz", "data.items", "tags[0]"; "" for the root.
  std::string text() const;
  bool empty() const { return steps_.empty(); }

 private:
  struct Step {
    std::string key;                   // a member's name
    std::optional<std::size_t> index;  // an array element (a pointer's digits may be either)
    bool member = true;                // false: only an array index ("[0]")
  };
  std::vector<Step> steps_;
};

// `base` followed by `path` in dotted form: ("items[3]", "due_date") -> "items[3].due_date".
std::string joinPath(const std::string& base, const std::string& path);

}  // namespace ijro::rest_json
