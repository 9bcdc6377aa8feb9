// ijro_json.hpp: reading JSON in an adapter, with Boost.JSON (the SDK package's IjroHub::json
// target brings it, so an adapter installs nothing else). Header-only C++17.
//
//   auto doc = ijro::sdk::json::parse(body, 8 << 20, "MeasureReport page 3");
//   ijro::sdk::json::Node root(doc);
//   for (const auto& entry : root["entry"].items()) {
//     std::string id = entry["resource"]["id"].str();          // throws naming $.entry[2]...
//     std::optional<double> score = entry["resource"].find("score") ...
//   }
//
// parse() refuses a document larger than maxBytes, nested deeper than 64, or that is not JSON,
// with JsonError saying where (line and column, 1-based). Node's getters throw JsonError naming
// the JSON path of the value ("$.entry[2].resource.id: expected a string, found a number"), so an
// adapter's error message tells the sector system exactly which field is wrong.
#pragma once

#include <boost/json.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ijro::sdk::json {

// A document that cannot be read (line and column set), or a value that is not what was asked
// for (path set).
class JsonError : public std::runtime_error {
 public:
  JsonError(const std::string& what, int line, int column, std::string path)
      : std::runtime_error(what), line_(line), column_(column), path_(std::move(path)) {}
  int line() const { return line_; }                 // 1-based; 0 for an error about a value
  int column() const { return column_; }             // 1-based; 0 for an error about a value
  const std::string& path() const { return path_; }  // "$.a[0].b"; "" for a document error

 private:
  int line_, column_;
  std::string path_;
};

inline constexpr std::size_t kDefaultMaxBytes = std::size_t{8} << 20;

// Parses one JSON document. `what` names it in errors ("orders.json", "page 3 of /api/tasks").
inline boost::json::value parse(std::string_view text, std::size_t maxBytes = kDefaultMaxBytes,
                                std::string_view what = "JSON document") {
  auto where = [&](std::size_t offset, int& line, int& column) {
    line = 1;
    column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
        ++column;  // columns count characters, not the continuation bytes of UTF-8
      }
    }
  };
  if (text.size() > maxBytes)
    throw JsonError(std::string(what) + ": " + std::to_string(text.size()) +
                        " bytes, more than the limit of " + std::to_string(maxBytes),
                    0, 0, "");
  boost::json::parse_options options;
  options.max_depth = 64;
  boost::json::stream_parser parser({}, options);
  boost::json::error_code ec;
  std::size_t used = parser.write_some(text.data(), text.size(), ec);
  if (!ec && used < text.size()) ec = boost::json::error::extra_data;
  if (!ec) parser.finish(ec);
  if (ec) {
    int line = 0, column = 0;
    where(used, line, column);
    throw JsonError(std::string(what) + ": line " + std::to_string(line) + ", column " +
                        std::to_string(column) + ": " + ec.message(),
                    line, column, "");
  }
  return parser.release();
}

// A value inside a document with its JSON path. Views: the document must outlive it.
class Node {
 public:
  explicit Node(const boost::json::value& v, std::string path = "$")
      : v_(&v), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  const boost::json::value& value() const { return *v_; }
  bool isNull() const { return v_->is_null(); }

  // A member that must be there (throws naming the path when it is not, or this is no object).
  Node operator[](std::string_view key) const {
    auto m = find(key);
    if (!m) throw error("missing member \"" + std::string(key) + "\"");
    return *m;
  }
  // A member that may be absent; null counts as absent.
  std::optional<Node> find(std::string_view key) const {
    const auto& o = object();
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null()) return std::nullopt;
    return Node(it->value(), path_ + "." + std::string(key));
  }
  // An array element.
  Node at(std::size_t i) const {
    const auto& a = array();
    if (i >= a.size())
      throw error("no element " + std::to_string(i) + " (the array has " +
                  std::to_string(a.size()) + ")");
    return Node(a[i], path_ + "[" + std::to_string(i) + "]");
  }
  // The elements of an array, each with its path.
  std::vector<Node> items() const {
    const auto& a = array();
    std::vector<Node> out;
    out.reserve(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
      out.emplace_back(a[i], path_ + "[" + std::to_string(i) + "]");
    return out;
  }

  std::string str() const {
    if (!v_->is_string()) throw expected("a string");
    return std::string(v_->get_string());
  }
  std::int64_t integer() const {
    if (v_->is_int64()) return v_->get_int64();
    if (v_->is_uint64() &&
        v_->get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return static_cast<std::int64_t>(v_->get_uint64());
    if (v_->is_double()) {
      const double d = v_->get_double();
      if (std::floor(d) == d && std::fabs(d) < 9.0e15) return static_cast<std::int64_t>(d);
    }
    throw expected("an integer");
  }
  double number() const {
    if (v_->is_int64()) return static_cast<double>(v_->get_int64());
    if (v_->is_uint64()) return static_cast<double>(v_->get_uint64());
    if (v_->is_double()) return v_->get_double();
    throw expected("a number");
  }
  bool boolean() const {
    if (!v_->is_bool()) throw expected("true or false");
    return v_->get_bool();
  }
  const boost::json::object& object() const {
    if (!v_->is_object()) throw expected("an object");
    return v_->get_object();
  }
  const boost::json::array& array() const {
    if (!v_->is_array()) throw expected("an array");
    return v_->get_array();
  }

 private:
  static const char* kindOf(const boost::json::value& v) {
    switch (v.kind()) {
      case boost::json::kind::null:
        return "null";
      case boost::json::kind::bool_:
        return "a boolean";
      case boost::json::kind::int64:
      case boost::json::kind::uint64:
      case boost::json::kind::double_:
        return "a number";
      case boost::json::kind::string:
        return "a string";
      case boost::json::kind::array:
        return "an array";
      case boost::json::kind::object:
        return "an object";
    }
    return "a value";
  }
  JsonError error(const std::string& what) const {
    return JsonError(path_ + ": " + what, 0, 0, path_);
  }
  JsonError expected(const char* what) const {
    return error(std::string("expected ") + what + ", found " + kindOf(*v_));
  }

  const boost::json::value* v_;
  std::string path_;
};

}  // namespace ijro::sdk::json
