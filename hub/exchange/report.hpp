// Status reports (what sources send): XML (urn:ijro-hub:report:1, schemas/status-report.xsd)
// and the equivalent JSON. Parsing is per record: a bad record is reported with its reasons and
// never sinks the others.
//
// XML:  <report xmlns="urn:ijro-hub:report:1" source=".." generatedAt="..">
//         <implementation revision="N"> <measure id=".."><title/><title lang=".."/>*<act type
//         number date item/></measure> <region/> <organisation/> <sector/> <lifecycle/> <start/>
//         <deadline/> <completed/>? <deadlineChange/>* <indicator/>* <assignment/>* <evidence/>*
//         <controlEvent/>* <comment/>* <note/>? </implementation>+ </report>
//       <deadlineChange previous deadline requestedBy requestedOn reason decision decidedBy
//         decidedOn/> (approvedBy, approvedOn: deprecated, read as decision="approved")
//       <assignment id parent assignee deadline control completed> <title/> <title lang/>*
//         <deadlineChange/>* <controlEvent/>* <comment/>* </assignment>
//       <controlEvent state by on at completed reason/>  <comment author at lang>text</comment>
// JSON: {"source", "generatedAt", "implementations": [{"revision", "measure": {"id", "title",
//         "titles": [{"lang", "text"}], "act": {"type", "number", "date", "item"}}, "region",
//         "organisation", "sector", "lifecycle", "start", "deadline", "completed",
//         "deadlineChanges": [{"previous", "deadline", "requestedBy", "requestedOn", "reason",
//         "decision", "decidedBy", "decidedOn"}], "indicators": [{"code", "name", "unit",
//         "ascending", "baseline", "periods": [{"start", "end", "target", "actual"}]}],
//         "assignments": [{"id", "parent", "assignee", "title", "titles", "deadline", "control",
//         "completed", "deadlineChanges", "controlEvents", "comments"}], "evidence": [{"url",
//         "title", "format", "date", "uploader"}], "controlEvents": [{"state", "by", "on", "at",
//         "completed", "reason"}], "comments": [{"author", "at", "lang", "text"}], "note"}]}
//       (null or absent: not given; "approvedBy"/"approvedOn" deprecated as in XML)
// The title without lang is the main one; if every title has a lang, the first is also the main.
//
// Structural checks only (required fields, dates YYYY-MM-DD, numbers, codes, enumerations,
// unknown names); business rules are model::validate's, run by the caller on `record`. Both
// parsers refuse text XML 1.0 cannot carry (e.g. U+0001), so anything accepted can be written
// into the feed. XML element order is not enforced when reading (the schema gives one).
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
  // Set when structurally valid. Its `source` is the report's source attribute/key as sent:
  // the caller must replace it with the authenticated source.
  std::optional<model::Implementation> record;
  // Why the record was rejected, each naming the field and what is expected: XML messages start
  // "line N: <element> ...", JSON messages with the field's path ("indicators[0].periods[1].start:
  // ..."). An element in <report> other than <implementation> (or a JSON item that is not an
  // object) is a record with an error, so positions in the receipt match the report.
  std::vector<std::string> errors;
};

struct ParsedReport {
  std::string source;       // the <report source="..."> attribute / "source" key, may be empty
  std::string generatedAt;  // as sent
  std::vector<ParsedRecord> records;
};

// Throws xml::XmlError (document "status report", with line and column) for document-level
// problems: not well-formed, DOCTYPE, invalid UTF-8, limits, wrong root element or namespace,
// unknown attribute on <report>, no <implementation> at all.
ParsedReport parseReportXml(std::string_view body, const xml::Limits& limits = {});
// Throws std::invalid_argument (message with line and column when known) for document-level
// problems: not JSON, invalid UTF-8, nesting deeper than maxDepth, top level not an object,
// unknown top-level key, no implementations. The HTTP layer bounds the body size.
ParsedReport parseReportJson(std::string_view body, std::size_t maxDepth = 64);

// Writes a report back out (used by tests, plugins' `plugin test`, examples); generatedAt is
// the current time, source is left out when empty. Parsing the result gives `records` back.
// Throws std::invalid_argument for text XML cannot carry.
std::string writeReportXml(const std::string& source,
                           const std::vector<model::Implementation>& records);
std::string writeReportJson(const std::string& source,
                            const std::vector<model::Implementation>& records);

}  // namespace ijro::exchange
