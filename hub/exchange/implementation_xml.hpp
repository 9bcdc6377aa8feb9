// The facts of one implementation as XML elements, written and read: shared by the status
// report (urn:ijro-hub:report:1) and the monitoring feed and its batches (urn:ijro-hub:feed:1),
// whose <implementation> elements carry the same children. Internal to hub/exchange.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hub/exchange/report.hpp"
#include "hub/model/lineage.hpp"
#include "hub/model/types.hpp"
#include "hub/xml/safe_reader.hpp"
#include "hub/xml/writer.hpp"

namespace ijro::exchange {

// Which document the facts go into: the feed adds what the hub derives from them (a period's
// outsideWork flag); a report carries only what its source said.
enum class Facts { Report, Feed };

// Writes <measure> ... <note> (the caller has started <implementation> and written its
// attributes); optional parts are left out when empty, in the order the schemas give.
void writeImplementationFacts(xml::Writer& w, const model::Implementation& impl,
                              Facts facts = Facts::Report);

// The document an <implementation> is read from: the namespace its children must be in, its
// name in messages ("status report", "feed batch"), and which document it is. A feed's
// <implementation> also has a source attribute, <organisationIdentity>, <evaluation> (skipped:
// the reader evaluates itself), <lineage>, and outsideWork on periods (checked, not kept).
struct ImplementationDocument {
  std::string_view ns;
  std::string_view name;
  Facts facts = Facts::Report;
};

struct ReadImplementation {
  model::Implementation implementation;   // meaningful only when the record has no errors
  std::optional<model::Lineage> lineage;  // a feed's <lineage>, when given
};

// Reads the <implementation> element the reader is on, attributes and children, leaving the
// reader on its end tag. Problems go to rec.errors ("line N: ..."); the identifying fields that
// could be read go to rec (measureId, region, organisation, revision). A report's records take
// `source` (the caller replaces it with the authenticated one); a feed's, its source attribute.
ReadImplementation readImplementation(xml::Reader& r, const ImplementationDocument& doc,
                                      ParsedRecord& rec, const std::string& source = {});

}  // namespace ijro::exchange
