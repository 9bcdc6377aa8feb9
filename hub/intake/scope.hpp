// Who may do what: the scope of a bearer token (an HTTP source or a reader) or of a source plugin
// instance, the one rule that decides whether a source may write a record, and the lookup of a
// bearer token among the configured ones.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hub/model/types.hpp"
#include "hub/store/access_tokens.hpp"

namespace ijro::intake {

struct Scope {
  std::string id;                 // the source its records are stored under, or the reader's name
  std::string tokenSha256;        // hex SHA-256 of the bearer token; empty: none (a plugin source)
  std::set<std::string> regions;  // first-level SOATO codes ("17" = national); empty = any
  std::set<std::string> sectors;  // empty = any
  // Roles. A token may hold several (a regional execution-control system is a source and a
  // controller). Configured as roles="source controller"; rights="write read" is the older
  // spelling of roles="source reader".
  bool read = false;      // reader: measures, summary, feed, history, /metrics, /readyz (in scope)
  bool write = false;     // source: posts reports (records within its scope)
  bool executor = false;  // submits completion, asks for deadline changes, comments, uploads
  bool controller = false;  // verifies or returns submitted work, approves or rejects extensions
  int line = 0;             // where the configuration declared it, for messages

  // A scope that writes anywhere, with the source and controller roles, as a plugin source has
  // until its configuration narrows it.
  static Scope writer(std::string id);

  // A territory (4-digit region, 7-digit district, "17") is covered when its first-level region
  // is one of `regions`: a district counts under its region, "17" only under "17".
  bool coversRegion(std::string_view territory) const;
  bool coversSector(std::string_view sector) const;
  // "source \"ID\"" or "reader \"ID\"" (the first role it holds), for messages.
  std::string label() const;
  // "source controller", in the order of kRoleNames.
  std::string roleList() const;
};

// The role names, in the order they are listed.
inline constexpr const char* kRoleNames[] = {"source", "executor", "controller", "reader"};

// Gives `scope` the roles named in `words` ("source", "executor", "controller", "reader"; also
// "write" = source and "read" = reader). Returns what is wrong with an unknown word.
std::optional<std::string> grantRoles(Scope& scope, const std::vector<std::string>& words);

// The scope of a token issued at run time.
Scope scopeOf(const store::AccessToken& token);

// Whether `scope` may bring the control decisions `incoming` carries: verified, returned or
// removed control events and approved or rejected deadline changes need the controller role
// unless `stored` (the implementation as the store has it, if any) already holds the same one.
// Returns the first decision refused, naming its field, or nullopt.
std::optional<std::string> decisionRefusal(const Scope& scope,
                                           const model::Implementation& incoming,
                                           const model::Implementation* stored);

// The one rule for writing, the same for HTTP reports and plugin records: why `scope` may not
// write a record of this territory and sector, or nullopt when it may. A territory that is not a
// known SOATO code is left to validation (such a record is invalid whoever sends it), and an empty
// sector (the record could not be read that far) is not checked.
std::optional<std::string> writeRefusal(const Scope& scope, std::string_view territory,
                                        std::string_view sector);

// The hex SHA-256 of the token in an Authorization header value ("Bearer TOKEN"); nullopt when
// the header is missing or not a bearer token.
std::optional<std::string> bearerSha256(std::string_view authorization);

// The scope whose token matches the Authorization header value ("Bearer TOKEN"), compared in
// constant time over hashes; nullptr when missing or unknown. Scopes without a token never match.
const Scope* authenticate(const std::vector<Scope>& scopes, std::string_view authorization);

}  // namespace ijro::intake
