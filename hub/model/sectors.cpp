#include "hub/model/sectors.hpp"

#include <stdexcept>
#include <utility>

namespace ijro::model {

namespace {

// [a-z][a-z0-9-]{0,31}
bool validCode(std::string_view code) {
  if (code.empty() || code.size() > 32) return false;
  if (code[0] < 'a' || code[0] > 'z') return false;
  for (char c : code.substr(1))
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

}  // namespace

SectorCatalogue::SectorCatalogue()
    : codes_{"health", "education", "tax", "construction", "banking", "other"} {}

void SectorCatalogue::add(std::string code) {
  if (!validCode(code))
    throw std::invalid_argument(
        "sector code '" + code +
        "' is invalid: it must be 1 to 32 characters, a lowercase letter a-z followed by "
        "lowercase letters, digits or hyphens (e.g. \"water-supply\")");
  codes_.insert(std::move(code));
}

bool SectorCatalogue::contains(std::string_view code) const {
  return codes_.find(code) != codes_.end();
}

}  // namespace ijro::model
