// Shared helpers for the exchange tests: sample implementations, schema paths, XPath.
#pragma once

#include <string>
#include <vector>

#include "hub/model/types.hpp"
#include "hub/xml/schema.hpp"

namespace ijro::exchange::test {

model::Date date(const char* text);
// Every field set, optional ones included: what a round trip must preserve.
model::Implementation fullImplementation(const std::string& source = "tashkent-city");
// Only what is required.
model::Implementation minimalImplementation(const std::string& source = "tashkent-city");

std::string schemaPath(const char* file);  // schemas/<file> in the source tree
// Schema violations of an XML document (parsed with the safe parser).
std::vector<std::string> violations(const xml::Schema& schema, const std::string& xml,
                                    const std::string& name = "document");
// String values of the nodes an XPath expression selects; `prefix` is bound to `ns`.
std::vector<std::string> xpath(const std::string& xml, const char* prefix, const char* ns,
                               const char* expression);

}  // namespace ijro::exchange::test
