// Who may do what: the scope of a bearer token (an HTTP source or a reader) or of a source plugin
// instance, the one rule that decides whether a source may write a record, and the lookup of a
// bearer token among the configured ones.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ijro::intake {

struct Scope {
  std::string id;                 // the source its records are stored under, or the reader's name
  std::string tokenSha256;        // hex SHA-256 of the bearer token; empty: none (a plugin source)
  std::set<std::string> regions;  // first-level SOATO codes ("17" = national); empty = any
  std::set<std::string> sectors;  // empty = any
  bool read = false;   // may read measures, summary, feed, /metrics, /readyz (within its scope)
  bool write = false;  // may post reports (records within its scope)
  int line = 0;        // where the configuration declared it, for messages

  // A scope that writes anywhere, as a plugin source has until its configuration narrows it.
  static Scope writer(std::string id);

  // A territory (4-digit region, 7-digit district, "17") is covered when its first-level region
  // is one of `regions`: a district counts under its region, "17" only under "17".
  bool coversRegion(std::string_view territory) const;
  bool coversSector(std::string_view sector) const;
  // "source \"ID\"" or "reader \"ID\"", for messages.
  std::string label() const;
};

// The one rule for writing, the same for HTTP reports and plugin records: why `scope` may not
// write a record of this territory and sector, or nullopt when it may. A territory that is not a
// known SOATO code is left to validation (such a record is invalid whoever sends it), and an empty
// sector (the record could not be read that far) is not checked.
std::optional<std::string> writeRefusal(const Scope& scope, std::string_view territory,
                                        std::string_view sector);

// The scope whose token matches the Authorization header value ("Bearer TOKEN"), compared in
// constant time over hashes; nullptr when missing or unknown. Scopes without a token never match.
const Scope* authenticate(const std::vector<Scope>& scopes, std::string_view authorization);

}  // namespace ijro::intake
