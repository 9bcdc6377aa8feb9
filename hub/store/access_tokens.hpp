// Bearer tokens issued at run time (`ijro-hub token issue`): kept hashed in the store beside the
// data, each with its roles and scope, so that issuing or revoking one takes effect on the next
// request of every hub process on the store, without a restart.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace soci {
class session;
}

namespace ijro::store {

struct AccessToken {
  std::string id;                    // unique name, e.g. "andijan-controller"
  std::string tokenSha256;           // hex SHA-256 of the token; the token itself is never stored
  std::vector<std::string> roles;    // source, executor, controller, reader
  std::vector<std::string> regions;  // first-level SOATO codes; empty: any
  std::vector<std::string> sectors;  // empty: any
  std::string note;                  // who it is for, free text
  std::string createdAt;             // ISO 8601 UTC, set by the store
  std::string revokedAt;             // empty while the token is valid
  bool revoked() const { return !revokedAt.empty(); }
};

namespace detail {

// Inserts a new token; false when its id or its hash is already taken (nothing written).
bool insertAccessToken(soci::session& sql, const AccessToken& token, const std::string& at);
std::vector<AccessToken> selectAccessTokens(soci::session& sql);
// Marks the token revoked at `at`; false when no valid token has that id.
bool revokeAccessToken(soci::session& sql, const std::string& id, const std::string& at);
// The valid (not revoked) token with this hash, if any.
std::optional<AccessToken> selectValidAccessToken(soci::session& sql, const std::string& sha256);

}  // namespace detail

}  // namespace ijro::store
