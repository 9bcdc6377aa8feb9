// Record validation in the spirit of IATI's rulesets. Returns every problem found, each a
// sentence naming the field and how to fix it; empty means valid.
#pragma once

#include <string>
#include <vector>

#include "hub/model/sectors.hpp"
#include "hub/model/types.hpp"

namespace ijro::model {

std::vector<std::string> validate(const Implementation& impl, const SectorCatalogue& sectors,
                                  Date today);

}  // namespace ijro::model
