// Status reports (what sources send): XML (urn:ijro-hub:report:1) and the equivalent JSON.
// Parsing is per record: a bad record is reported with its reason and never sinks the others.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/model/types.hpp"
#include "hub/xml/safe_reader.hpp"

namespace ijro::exchange {

inline constexpr const char* kReportNs = "urn:ijro-hub:report:1";

struct ParsedRecord {
  std::size_t index = 0;  // 1-based position in the report
  // Whatever identifying fields could be read, echoed in the receipt even when invalid.
  std::string measureId, region, organisation;
  std::int64_t revision = 0;
  std::optional<model::Implementation> record;  // set when structurally valid
  std::vector<std::string> errors;              // why the record was rejected
};

struct ParsedReport {
  std::string source;       // the <report source="..."> attribute / "source" key, may be empty
  std::string generatedAt;  // as sent
  std::vector<ParsedRecord> records;
};

// Throws xml::XmlError for document-level problems (not well-formed, DOCTYPE, limits, wrong root).
ParsedReport parseReportXml(std::string_view body, const xml::Limits& limits = {});
// Throws std::invalid_argument (message with line/column when known) for document-level problems.
ParsedReport parseReportJson(std::string_view body, std::size_t maxDepth = 64);

// Writes a report back out (used by tests, plugins' `plugin test`, examples).
std::string writeReportXml(const std::string& source, const std::vector<model::Implementation>& records);
std::string writeReportJson(const std::string& source, const std::vector<model::Implementation>& records);

}  // namespace ijro::exchange
