#include "hub/intake/scope.hpp"

#include <openssl/crypto.h>

#include "hub/base/sha256.hpp"
#include "hub/model/regions.hpp"

namespace ijro::intake {

Scope Scope::writer(std::string id) {
  Scope s;
  s.id = std::move(id);
  s.write = true;
  return s;
}

bool Scope::coversRegion(std::string_view territory) const {
  if (regions.empty()) return true;
  auto top = model::regionOf(territory);
  return top && regions.count(*top) > 0;
}

bool Scope::coversSector(std::string_view sector) const {
  return sectors.empty() || sectors.count(std::string(sector)) > 0;
}

std::string Scope::label() const {
  return std::string(write ? "source" : "reader") + " \"" + id + "\"";
}

std::optional<std::string> writeRefusal(const Scope& scope, std::string_view territory,
                                        std::string_view sector) {
  if (!scope.write) return scope.label() + " may not write reports (it has no write right)";
  std::string why;
  if (!territory.empty() && model::isKnownTerritory(territory) && !scope.coversRegion(territory))
    why = "region " + std::string(territory) + " is outside the regions of " + scope.label();
  if (!sector.empty() && !scope.coversSector(sector))
    why += (why.empty() ? "" : "; ") + std::string("sector ") + std::string(sector) +
           " is outside the sectors of " + scope.label();
  if (why.empty()) return std::nullopt;
  return why;
}

const Scope* authenticate(const std::vector<Scope>& scopes, std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() || authorization.substr(0, kBearer.size()) != kBearer)
    return nullptr;
  const std::string hash = base::sha256Hex(authorization.substr(kBearer.size()));
  const Scope* found = nullptr;
  // Look at every scope so the time taken does not depend on which one matched.
  for (const auto& s : scopes)
    if (s.tokenSha256.size() == hash.size() &&
        CRYPTO_memcmp(s.tokenSha256.data(), hash.data(), hash.size()) == 0)
      found = &s;
  return found;
}

}  // namespace ijro::intake
