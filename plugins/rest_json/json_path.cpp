#include "json_path.hpp"

#include <stdexcept>

namespace ijro::rest_json {
namespace {

std::optional<std::size_t> indexOf(std::string_view digits) {
  if (digits.empty() || digits.size() > 9) return std::nullopt;
  std::size_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::size_t>(c - '0');
  }
  return v;
}

std::invalid_argument bad(std::string_view text, const std::string& what) {
  return std::invalid_argument("\"" + std::string(text) + "\" is not a JSON path: " + what +
                               " (write data.items, name.uz, tags[0] or a JSON pointer such as "
                               "/data/items)");
}

}  // namespace

JsonPath JsonPath::parse(std::string_view text) {
  JsonPath p;
  if (text.empty() || text == "$" || text == "/") return p;
  if (text.front() == '/') {
    std::size_t at = 1;
    while (true) {
      const std::size_t slash = text.find('/', at);
      const std::string_view raw =
          text.substr(at, slash == std::string_view::npos ? slash : slash - at);
      std::string key;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '~') {
          key += raw[i];
          continue;
        }
        if (i + 1 >= raw.size() || (raw[i + 1] != '0' && raw[i + 1] != '1'))
          throw bad(text, "'~' must be followed by 0 or 1");
        key += raw[++i] == '0' ? '~' : '/';
      }
      p.steps_.push_back({key, indexOf(key), true});
      if (slash == std::string_view::npos) break;
      at = slash + 1;
    }
    return p;
  }
  if (text.substr(0, 2) == "$.") text.remove_prefix(2);
  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t end = at;
    while (end < text.size() && text[end] != '.' && text[end] != '[') ++end;
    if (end > at) {
      p.steps_.push_back({std::string(text.substr(at, end - at)), std::nullopt, true});
    } else if (end >= text.size() || text[end] != '[' || (at > 0 && text[at - 1] == '.')) {
      throw bad(text, "an empty member name at character " + std::to_string(at + 1));
    }
    at = end;
    while (at < text.size() && text[at] == '[') {
      const std::size_t close = text.find(']', at);
      if (close == std::string_view::npos) throw bad(text, "a '[' is not closed");
      const auto index = indexOf(text.substr(at + 1, close - at - 1));
      if (!index) throw bad(text, "an array index must be digits");
      p.steps_.push_back({std::string(), index, false});
      at = close + 1;
    }
    if (at >= text.size()) break;
    if (text[at] != '.')
      throw bad(text, "expected '.' or '[' at character " + std::to_string(at + 1));
    ++at;
    if (at >= text.size()) throw bad(text, "it ends in '.'");
  }
  return p;
}

const boost::json::value* JsonPath::find(const boost::json::value& root) const {
  const boost::json::value* v = &root;
  for (const Step& s : steps_) {
    if (v->is_object() && s.member) {
      const auto* m = v->as_object().if_contains(s.key);
      if (m == nullptr) return nullptr;
      v = m;
    } else if (v->is_array() && s.index) {
      const auto& a = v->as_array();
      if (*s.index >= a.size()) return nullptr;
      v = &a[*s.index];
    } else {
      return nullptr;
    }
  }
  return v;
}

std::string JsonPath::text() const {
  std::string out;
  for (const Step& s : steps_) {
    if (!s.member || (s.index && s.key == std::to_string(*s.index))) {
      out += "[" + std::to_string(*s.index) + "]";
    } else {
      if (!out.empty()) out += '.';
      out += s.key;
    }
  }
  return out;
}

std::string joinPath(const std::string& base, const std::string& path) {
  if (base.empty()) return path;
  if (path.empty()) return base;
  return base + (path.front() == '[' ? "" : ".") + path;
}

}  // namespace ijro::rest_json
