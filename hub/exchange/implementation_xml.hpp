// The facts of one implementation as XML elements: shared by the status report
// (urn:ijro-hub:report:1) and the monitoring feed (urn:ijro-hub:feed:1), whose <implementation>
// elements carry the same children. Internal to hub/exchange.
#pragma once

#include "hub/model/types.hpp"
#include "hub/xml/writer.hpp"

namespace ijro::exchange {

// Which document the facts go into: the feed adds what the hub derives from them (a period's
// outsideWork flag); a report carries only what its source said.
enum class Facts { Report, Feed };

// Writes <measure> ... <note> (the caller has started <implementation> and written its
// attributes); optional parts are left out when empty, in the order the schemas give.
void writeImplementationFacts(xml::Writer& w, const model::Implementation& impl,
                              Facts facts = Facts::Report);

}  // namespace ijro::exchange
