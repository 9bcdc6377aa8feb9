// Sector catalogue: built-in codes, extendable from the configuration.
#pragma once

#include <set>
#include <string>
#include <string_view>

namespace ijro::model {

class SectorCatalogue {
 public:
  SectorCatalogue();  // health, education, tax, construction, banking, other
  void add(std::string code);
  bool contains(std::string_view code) const;
  const std::set<std::string, std::less<>>& codes() const { return codes_; }

 private:
  std::set<std::string, std::less<>> codes_;
};

}  // namespace ijro::model
