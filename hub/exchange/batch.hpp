// Feed batches: what one hub delivers to another (POST /api/v1/feeds, GET /api/v1/feed?after=,
// XML exchange files). A batch is a monitoring feed (urn:ijro-hub:feed:1, root <feed>) bounded
// by a sequence number: the implementations whose changes it carries, each with its lineage, and
// roll-ups over those implementations. It is signed after it is written (hub/xml/signature).
//
//   <feed xmlns="urn:ijro-hub:feed:1" hub generatedAt asOf sequence schemaVersion>
//     <implementation source revision> ...the report's children... <organisationIdentity/>?
//       <evaluation .../>
//       <lineage source adapter receivedAt revision>
//         <hop hub sequence receivedAt/>+      (the hubs it passed through, the origin first)
//       </lineage>
//     </implementation>*
//     <rollups> ... </rollups>
//     <ds:Signature/>?                         (enveloped XML-DSig, added by the signer)
//   </feed>
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/model/lineage.hpp"
#include "hub/model/status.hpp"
#include "hub/model/types.hpp"
#include "hub/xml/safe_reader.hpp"

namespace ijro::exchange {

// The feed schema's version a batch is written in ("1.<minor>"); a receiver accepts its own
// minor and the one before.
inline constexpr int kFeedSchemaMinor = 1;

using model::Hop;
using model::Lineage;

struct BatchEntry {
  model::Implementation implementation;  // as the sending hub holds it now (its current row)
  Lineage lineage;
};

struct BatchHeader {
  std::string hub;            // the sending hub's id
  std::int64_t sequence = 0;  // per hub, from 1, without gaps
  std::string generatedAt;    // ISO 8601 UTC
  model::Date asOf{};
  int schemaMinor = kFeedSchemaMinor;
};

// Writes an unsigned batch: the entries evaluated as of header.asOf with `rules`, then roll-ups
// over them. Deterministic for the same input (so a batch rebuilt from the same rows is the same
// bytes). Throws std::invalid_argument for text XML cannot carry.
std::string writeBatch(const BatchHeader& header, const model::StatusRules& rules,
                       const std::vector<BatchEntry>& entries);

// One entry as read: like ParsedRecord, a bad entry has its errors and never sinks the others.
struct ParsedEntry {
  std::size_t index = 0;  // 1-based position in the batch
  std::string measureId, region, organisation, source;
  std::int64_t revision = 0;
  std::optional<BatchEntry> entry;  // set when structurally valid
  std::vector<std::string> errors;  // "line N: <element> ..." naming what is wrong
};

struct ParsedBatch {
  BatchHeader header;
  std::vector<ParsedEntry> entries;
};

// Reads a batch (signed or not; the signature is the verifier's business and is skipped here).
// Evaluations and roll-ups are not read: the receiver evaluates itself. Throws xml::XmlError
// (document "feed batch") for document-level problems: not well-formed, DOCTYPE, limits, wrong
// root or namespace, a missing or bad hub / sequence / schemaVersion, a schema version the
// receiver does not accept (naming both versions).
ParsedBatch parseBatch(std::string_view xml, const xml::Limits& limits = {});

}  // namespace ijro::exchange
