// Strict JSON (see json_strict.hpp): one pass of Boost.JSON's push parser checks what the value
// parser lets through (duplicate names, infinite numbers, long strings) and builds the value, as
// the value parser would, on Boost's value_stack.
#include "hub/exchange/json_strict.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value_stack.hpp>
#include <cmath>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "hub/xml/chars.hpp"

namespace ijro::exchange {

namespace json = boost::json;
using boost::system::error_code;

namespace {

// The push parser's handler: each callback checks, then pushes what it was given onto the value
// stack (the calls Boost's own parser makes). A callback that finds a problem keeps its text and
// returns false, which stops the parser where the problem is.
class Checker {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  Checker(const JsonLimits& limits, std::vector<JsonDuplicate>* duplicates)
      : limits_(limits), duplicates_(duplicates) {}
  const std::string& problem() const { return problem_; }
  json::value_stack& stack() { return stack_; }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) {
    value();
    frames_.push_back({true, names_.size(), 0, {}});
    return true;
  }
  bool on_object_end(std::size_t n, error_code&) {
    names_.resize(frames_.back().names);
    frames_.pop_back();
    stack_.push_object(n);
    return true;
  }
  bool on_array_begin(error_code&) {
    value();
    frames_.push_back({false, names_.size(), 0, {}});
    return true;
  }
  bool on_array_end(std::size_t n, error_code&) {
    frames_.pop_back();
    stack_.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view part, std::size_t n, error_code& ec) {
    if (!keyPart(part, n, ec)) return false;
    stack_.push_chars(part);
    return true;
  }
  bool on_key(json::string_view part, std::size_t n, error_code& ec) {
    if (!keyPart(part, n, ec)) return false;
    stack_.push_key(part);
    const bool fresh = addName(frames_.back());
    key_.clear();
    if (fresh) return true;
    std::string message = "the member \"";
    message += names_.back();
    message +=
        "\" appears twice in one object: give each member once (which of the two counts would "
        "otherwise depend on the reader)";
    if (!duplicates_) return fail(ec, std::move(message));
    duplicates_->push_back({path(), std::move(message)});
    return true;
  }
  bool on_string_part(json::string_view part, std::size_t n, error_code& ec) {
    if (n > limits_.maxStringBytes) return fail(ec, tooLong("a string", limits_.maxStringBytes));
    stack_.push_chars(part);
    return true;
  }
  bool on_string(json::string_view part, std::size_t n, error_code& ec) {
    value();
    if (n > limits_.maxStringBytes) return fail(ec, tooLong("a string", limits_.maxStringBytes));
    stack_.push_string(part);
    return true;
  }
  bool on_number_part(json::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t v, json::string_view, error_code&) {
    value();
    stack_.push_int64(v);
    return true;
  }
  bool on_uint64(std::uint64_t v, json::string_view, error_code&) {
    value();
    stack_.push_uint64(v);
    return true;
  }
  bool on_double(double v, json::string_view text, error_code& ec) {
    value();
    if (!std::isfinite(v))
      return fail(ec, "the number " + std::string(text) +
                          " is beyond the range of a double (about 1.8e308): give a number in "
                          "range");
    stack_.push_double(v);
    return true;
  }
  bool on_bool(bool v, error_code&) {
    value();
    stack_.push_bool(v);
    return true;
  }
  bool on_null(error_code&) {
    value();
    stack_.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }

 private:
  // An open object or array. An object's member names so far are names_[names...]; its current
  // member is the last of them.
  struct Frame {
    bool object = false;
    std::size_t names = 0;
    std::size_t count = 0;  // an array's elements so far
    // An object with many members also keeps their names hashed, so that checking one stays
    // quick (the scan would make an object of n members cost n squared).
    std::unique_ptr<std::unordered_set<std::string_view>> index;
  };
  static constexpr std::size_t kScanned = 16;

  bool keyPart(json::string_view part, std::size_t n, error_code& ec) {
    if (n > limits_.maxKeyBytes) return fail(ec, tooLong("a member name", limits_.maxKeyBytes));
    key_.append(part.data(), part.size());
    return true;
  }

  // Adds key_ as the object's next member name (names_.back() then); whether it was not there.
  bool addName(Frame& object) {
    const std::size_t count = names_.size() - object.names;
    bool fresh = true;
    if (count < kScanned) {
      for (std::size_t i = object.names; i < names_.size() && fresh; ++i) fresh = names_[i] != key_;
    } else {
      if (!object.index) {
        object.index = std::make_unique<std::unordered_set<std::string_view>>();
        for (std::size_t i = object.names; i < names_.size(); ++i) object.index->insert(names_[i]);
      }
      fresh = !object.index->contains(key_);
    }
    // A repeated name is kept too (the duplicate's message and path name it), but not indexed.
    names_.push_back(key_);
    if (fresh && object.index) object.index->insert(names_.back());
    return fresh;
  }

  // A value starts (containers) or ends (scalars): the enclosing array counts it.
  bool value() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().count;
    return true;
  }
  // Where the parser is, e.g. implementations[3].revision.
  std::string path() const {
    std::string out;
    for (std::size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      if (f.object) {
        const std::size_t end = i + 1 < frames_.size() ? frames_[i + 1].names : names_.size();
        if (!out.empty()) out += '.';
        if (end > f.names) out += names_[end - 1];
      } else {
        out += '[';
        out += std::to_string(f.count == 0 ? 0 : f.count - 1);
        out += ']';
      }
    }
    return out;
  }
  static std::string tooLong(const char* what, std::size_t limit) {
    return std::string(what) + " is longer than " + std::to_string(limit) + " bytes: shorten it";
  }
  bool fail(error_code& ec, std::string problem) {
    problem_ = std::move(problem);
    ec = json::make_error_code(json::error::test_failure);  // the parser stops here
    return false;
  }

  const JsonLimits& limits_;
  std::vector<JsonDuplicate>* duplicates_;
  std::vector<Frame> frames_;
  std::deque<std::string> names_;  // a deque: the index's views stay valid as it grows
  std::string key_;
  std::string problem_;
  json::value_stack stack_;
};

[[noreturn]] void refuse(std::string_view body, std::size_t at, std::string_view what,
                         const std::string& problem) {
  auto p = xml::positionOf(body, std::min(at, body.size()));
  throw std::invalid_argument(std::string(what) + " is not valid JSON: " + problem + " at line " +
                              std::to_string(p.line) + ", column " + std::to_string(p.column));
}

}  // namespace

json::value parseStrictJson(std::string_view body, const JsonLimits& limits, std::string_view what,
                            std::vector<JsonDuplicate>* duplicates) {
  if (auto bad = xml::firstInvalidUtf8(body)) {
    auto p = xml::positionOf(body, *bad);
    throw std::invalid_argument("invalid UTF-8 at line " + std::to_string(p.line) + ", column " +
                                std::to_string(p.column) + ": " + std::string(what) +
                                " must be encoded as UTF-8");
  }
  json::parse_options options;
  options.max_depth = limits.maxDepth;
  options.allow_invalid_utf8 = false;

  json::basic_parser<Checker> parser(options, limits, duplicates);
  // The value's nodes come from one growing buffer, freed at once with the value: a report is
  // read whole and dropped whole, and a node at a time cost more than parsing it.
  parser.handler().stack().reset(json::make_shared_resource<json::monotonic_resource>());
  error_code ec;
  const std::size_t used = parser.write_some(false, body.data(), body.size(), ec);
  if (ec) {
    const std::string& problem = parser.handler().problem();
    refuse(body, used, what,
           !problem.empty() ? problem
           : ec == json::error::too_deep
               ? "nesting deeper than " + std::to_string(limits.maxDepth) + " levels is not allowed"
               : ec.message());
  }
  if (used < body.size())
    refuse(body, used, what, json::make_error_code(json::error::extra_data).message());
  return parser.handler().stack().release();
}

}  // namespace ijro::exchange
