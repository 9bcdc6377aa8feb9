// SHA-256 as lower-case hex (OpenSSL EVP): bearer tokens are kept as their hash, and a stored
// implementation's content fingerprint is one.
#pragma once

#include <string>
#include <string_view>

namespace ijro::base {

// The 64 lower-case hex digits of SHA-256(data). Throws std::runtime_error if OpenSSL fails (out
// of memory, a FIPS provider refusing the digest): a hash must never be made of garbage bytes.
std::string sha256Hex(std::string_view data);

}  // namespace ijro::base
