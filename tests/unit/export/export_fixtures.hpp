// Fixtures of the standard exports' tests: small implementations, the example reports, and
// schema validation of a document text.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "hub/model/types.hpp"

namespace ijro::exports::test {

model::Date day(const char* iso);

// One implementation of `measure` in `region` by `organisation`, in sector health, started on
// 2026-01-01 with deadline 2026-12-31.
model::Implementation implementation(const std::string& measure, const std::string& region,
                                     const std::string& organisation);

// Every implementation of every example report (examples/report-*.xml and *.json).
std::vector<model::Implementation> exampleImplementations();

// What writeIati / writeAdx take: calls its argument once per implementation of `all`.
std::function<void(const std::function<void(const model::Implementation&)>&)> feed(
    const std::vector<model::Implementation>& all);

// The violations of `xml` against the XML Schema at `xsd` ("name:line: message"); empty when
// valid. A document that is not well-formed is one violation.
std::vector<std::string> violations(const std::filesystem::path& xsd, const std::string& xml);

// The hub's ADX schema, made once per test process in a temporary folder: IHE's XSLT
// (schemas/adx/dsd2adx2.xsl) applied to the hub's DSD by xsltproc, with the SDMX time-range type
// it imports placed beside it as sdmx/SDMXCommon.xsd.
std::filesystem::path adxSchema();

// The string values of the nodes `xpath` selects in `xml` (attributes: their value; elements:
// their text). The prefix "a" is bound to the ADX namespace.
std::vector<std::string> select(const std::string& xml, const std::string& xpath);

}  // namespace ijro::exports::test
