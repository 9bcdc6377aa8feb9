#include "hub/api/sources.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "hub/model/regions.hpp"

namespace ijro::api {

bool SourceScope::coversRegion(const std::string& territory) const {
  if (regions.empty()) return true;
  auto top = model::regionOf(territory);
  return top && regions.count(*top) > 0;
}

bool SourceScope::coversSector(const std::string& sector) const {
  return sectors.empty() || sectors.count(sector) > 0;
}

std::string sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

const SourceScope* authenticate(const std::vector<SourceScope>& sources,
                                std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() || authorization.substr(0, kBearer.size()) != kBearer)
    return nullptr;
  const std::string hash = sha256Hex(authorization.substr(kBearer.size()));
  const SourceScope* found = nullptr;
  // Look at every source so the time taken does not depend on which one matched.
  for (const auto& s : sources)
    if (s.tokenSha256.size() == hash.size() &&
        CRYPTO_memcmp(s.tokenSha256.data(), hash.data(), hash.size()) == 0)
      found = &s;
  return found;
}

}  // namespace ijro::api
