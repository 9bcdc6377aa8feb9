// Who may post reports: each source's bearer token (as a SHA-256 hash) and its scope.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ijro::api {

struct SourceScope {
  std::string id;
  std::string tokenSha256;        // hex SHA-256 of the bearer token
  std::set<std::string> regions;  // first-level SOATO codes ("17" = national); empty = any
  std::set<std::string> sectors;  // empty = any
  int line = 0;                   // where the configuration declared it, for messages
  bool coversRegion(const std::string& territory) const;
  bool coversSector(const std::string& sector) const;
};

std::string sha256Hex(std::string_view data);

// The source whose token matches the Authorization header value ("Bearer TOKEN"), compared in
// constant time over hashes; nullptr when missing or unknown.
const SourceScope* authenticate(const std::vector<SourceScope>& sources,
                                std::string_view authorization);

}  // namespace ijro::api
