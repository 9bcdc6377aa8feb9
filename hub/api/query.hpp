// What every read route checks of its query, in one place (defined in api.cpp): the parameter's
// bytes and name, a region's code, and the reader's scope over the store filter.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "hub/intake/scope.hpp"
#include "hub/store/store.hpp"

namespace ijro::api {

// A parameter that is not UTF-8 (the store would fail the statement) or not among `allowed`:
// the reason, naming it and what to send; nullopt when it may be read.
std::optional<std::string> parameterProblem(const std::string& name, const std::string& value,
                                            const std::set<std::string>& allowed);

// `region` that is not a known SOATO territory: the reason; nullopt when it is one.
std::optional<std::string> regionProblem(const std::string& region);

// The token's scope narrows what a read returns. A region or sector the query names outside it
// is refused rather than answered empty, so a reader learns that its token, not the data, is why.
std::optional<std::string> narrowToScope(const intake::Scope& reader, store::Filter& filter);

}  // namespace ijro::api
