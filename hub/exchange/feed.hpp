// The consolidated monitoring feed (urn:ijro-hub:feed:1) the ministry receives: every current
// implementation with its evaluated status, plus roll-ups by measure, region, sector, organisation.
#pragma once

#include <functional>
#include <string>

#include "hub/model/status.hpp"
#include "hub/model/types.hpp"

namespace ijro::exchange {

inline constexpr const char* kFeedNs = "urn:ijro-hub:feed:1";

struct FeedHeader {
  std::string hubId;        // who produced the feed
  std::string generatedAt;  // ISO 8601 UTC
  model::Date asOf{};
};

// Streams implementations from `each` (which calls its argument once per implementation) into
// the feed document, evaluating each with `rules` as of header.asOf and accumulating the
// roll-ups (schemas/monitoring-feed.xsd):
//   <feed xmlns="urn:ijro-hub:feed:1" hub generatedAt asOf>
//     <implementation source revision> ...the report's children...
//       <organisationIdentity code> <name lang/>* </organisationIdentity>?  (when the hub's
//         directory knows the organisation: its code and display names per language)
//       <evaluation status rag
//       deadline delayDays progress? timeElapsed? ratio? earlyWarning countsForDelay control?
//       countedCompletion? lateApprovals?>
//         <deadlineChangeVerdict index verdict/>*
//         <task id status rag deadline delayDays earlyWarning countsForDelay control
//           countedCompletion? lateApprovals?> <deadlineChangeVerdict/>* </task>*
//         <tasks total overdue doneLate ... longestOverdue? longestOverdueDays?/>?
//       </evaluation>
//     </implementation>*
//     <rollups> <rollup by key total rag done doneLate shareDoneLate earlyWarnings overdue
//       dueOrFinished shareDoneLateOfDueOrFinished cancelled suspended>
//       <count status n/>* <tasks .../>? </rollup>* </rollups>   (by measure, then region,
//   </feed>                                       sector, organisation; by key within each)
// The elements and attributes after the first release of version 1 are optional in the schema
// and written only where they say something, so older feeds still validate.
// Numbers are the shortest text that reads back as the same double. Throws
// std::invalid_argument if a value cannot be written as XML (e.g. a control character).
std::string writeFeed(
    const FeedHeader& header, const model::StatusRules& rules,
    const std::function<void(const std::function<void(const model::Implementation&)>&)>& each);

// The same document handed to `out` in parts of about `partBytes` as it is written (a streamed
// response), so the memory it takes does not grow with the feed: only the roll-ups' groups are
// kept to the end. The parts joined are the bytes writeFeed returns.
void writeFeed(
    const FeedHeader& header, const model::StatusRules& rules,
    const std::function<void(const std::function<void(const model::Implementation&)>&)>& each,
    const std::function<void(std::string&& part)>& out, std::size_t partBytes = 64u << 10);

}  // namespace ijro::exchange
