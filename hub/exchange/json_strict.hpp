// Parsing JSON that crosses a trust boundary (reports, control acts, receipts) so that it means
// one thing: RFC 8259 leaves duplicate member names to the implementation, and Boost.JSON keeps
// the last, so {"revision": 1, "revision": 9} would be stored as 9 by one reader and 1 by another.
// Here such a document is refused, as are numbers beyond a double's range (1e999 would otherwise
// be infinity) and strings or keys longer than the limits, each with its line and column.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

namespace ijro::exchange {

struct JsonLimits {
  std::size_t maxDepth = 64;
  std::size_t maxStringBytes = 1u << 20;  // one string value, in bytes of UTF-8
  std::size_t maxKeyBytes = 256;          // one member name
};

// A member given twice: where it is, as a path from the root ("implementations[3].revision").
struct JsonDuplicate {
  std::string path;
  std::string message;  // says which member and how to fix, with line and column
};

// Parses `body` as one JSON document (UTF-8, no comments, nothing after it). Throws
// std::invalid_argument naming what is wrong and where ("... at line L, column C"), with `what`
// (e.g. "the report") at the start of the message. A duplicated member throws too, unless
// `duplicates` is given: then each is listed there (so a caller can refuse only the part it is
// in) and the value holds the last of the two, as Boost.JSON keeps it.
boost::json::value parseStrictJson(std::string_view body, const JsonLimits& limits,
                                   std::string_view what,
                                   std::vector<JsonDuplicate>* duplicates = nullptr);

}  // namespace ijro::exchange
