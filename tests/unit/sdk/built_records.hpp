// Records built with the SDK's record builder (sdk/ijro_record.hpp), in a file compiled as C++17
// as a plugin would be: the same implementations as tests/unit/exchange/sample.cpp builds with
// the hub's model, so that the tests can compare the two.
#pragma once

#include <string>

namespace ijro::sdk::test {

// Every field set, optional ones included (as exchange::test::fullImplementation).
std::string fullRecord();
// Only what is required (as exchange::test::minimalImplementation).
std::string minimalRecord();
// The minimal record with a deadline change in the deprecated form of builder version 1
// (approvedBy "Deputy Hokim", approvedOn 2027-06-01, from 2027-06-30 to 2027-09-30).
std::string recordWithDeprecatedApproval();
// A record whose note is `note`, everything else valid.
std::string recordWithNote(const std::string& note);

}  // namespace ijro::sdk::test
