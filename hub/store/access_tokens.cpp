#include "hub/store/access_tokens.hpp"

#include <soci/soci.h>

namespace ijro::store::detail {

namespace {

// Lists are kept as space-separated words: roles, SOATO codes and sector codes hold no spaces.
std::string joinWords(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::vector<std::string> splitWords(const std::string& s) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < s.size()) {
    auto end = s.find(' ', at);
    if (end == std::string::npos) end = s.size();
    if (end > at) out.push_back(s.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

constexpr const char* kColumns =
    "id, token_sha256, roles, regions, sectors, note, created_at, revoked_at";

AccessToken fromRow(const soci::row& r) {
  AccessToken t;
  t.id = r.get<std::string>(0);
  t.tokenSha256 = r.get<std::string>(1);
  t.roles = splitWords(r.get<std::string>(2));
  t.regions = splitWords(r.get<std::string>(3));
  t.sectors = splitWords(r.get<std::string>(4));
  t.note = r.get<std::string>(5);
  t.createdAt = r.get<std::string>(6);
  if (r.get_indicator(7) == soci::i_ok) t.revokedAt = r.get<std::string>(7);
  return t;
}

}  // namespace

bool insertAccessToken(soci::session& sql, const AccessToken& token, const std::string& at) {
  long long taken = 0;
  sql << "SELECT count(*) FROM access_token WHERE id = :id OR token_sha256 = :h",
      soci::use(token.id), soci::use(token.tokenSha256), soci::into(taken);
  if (taken > 0) return false;
  const std::string roles = joinWords(token.roles), regions = joinWords(token.regions),
                    sectors = joinWords(token.sectors);
  sql << "INSERT INTO access_token (id, token_sha256, roles, regions, sectors, note, created_at) "
         "VALUES (:id, :h, :ro, :re, :se, :n, :a)",
      soci::use(token.id), soci::use(token.tokenSha256), soci::use(roles), soci::use(regions),
      soci::use(sectors), soci::use(token.note), soci::use(at);
  return true;
}

std::vector<AccessToken> selectAccessTokens(soci::session& sql) {
  std::vector<AccessToken> out;
  soci::rowset<soci::row> rows = sql.prepare << "SELECT " << kColumns
                                             << " FROM access_token ORDER BY id";
  for (const auto& r : rows) out.push_back(fromRow(r));
  return out;
}

bool revokeAccessToken(soci::session& sql, const std::string& id, const std::string& at) {
  soci::statement st = (sql.prepare << "UPDATE access_token SET revoked_at = :a WHERE id = :id "
                                       "AND revoked_at IS NULL",
                        soci::use(at), soci::use(id));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

std::optional<AccessToken> selectValidAccessToken(soci::session& sql, const std::string& sha256) {
  soci::rowset<soci::row> rows = (sql.prepare << "SELECT " << kColumns
                                              << " FROM access_token WHERE token_sha256 = :h AND "
                                                 "revoked_at IS NULL",
                                  soci::use(sha256));
  for (const auto& r : rows) return fromRow(r);
  return std::nullopt;
}

}  // namespace ijro::store::detail
