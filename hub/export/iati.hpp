// IATI 2.03 activity files (schemas/iati-2.03/iati-activities-schema.xsd): one <iati-activity>
// per measure, gathering the measure's implementations (one per region and organisation), so a
// partner sees the status of each government measure in the international aid format.
//
//   <iati-activities version="2.03" generated-datetime>
//     <iati-activity xml:lang last-updated-datetime?>
//       <iati-identifier>PREFIX-MEASURE</iati-identifier>
//       <reporting-org ref type> <narrative/>+ </reporting-org>
//       <title> <narrative xml:lang?/>+ </title>                  (en, ru, uz, uz-Cyrl)
//       <description> <narrative/> </description>                 (the legal act)
//       <participating-org role="4" type="10"> <narrative/>+ </participating-org>+
//       <activity-status code/>                                   (from the evaluation)
//       <activity-date type="1|2|3|4" iso-date/>+                 (actual dates never after asOf)
//       <recipient-country code="UZ"/>
//       <location ref="SOATO-code"> ... </location>+              (one per first-level region)
//       <sector vocabulary="99" code percentage?> <narrative/> </sector>+
//       <document-link url format> <title/> <category code="A08"/> </document-link>*
//       <result type="1"> <indicator measure ascending> baseline, periods </indicator> </result>*
//     </iati-activity>+
//   </iati-activities>
#pragma once

#include <functional>
#include <string>

#include "hub/model/status.hpp"
#include "hub/model/types.hpp"

namespace ijro::exports {

inline constexpr const char* kIatiVersion = "2.03";

struct IatiHeader {
  // The reporting organisation's IATI identifier ({RegistrationAgency}-{RegistrationNumber});
  // every activity's iati-identifier is this prefix, a hyphen and the measure id.
  std::string reportingOrgRef;
  std::string reportingOrgType = "10";    // OrganisationType codelist: 10 Government
  model::Translations reportingOrgNames;  // at least one; lang as BCP 47 (en, ru, uz-Latn, ...)
  // The language of the main text fields (a measure's title and an organisation's spelling carry
  // no tag) as IATI writes it ("uz", "ru", "en"): the activities' xml:lang. Empty: not known, so
  // not claimed (no xml:lang on the activity nor on the main text's narrative).
  std::string defaultLang;
  std::string generatedAt;  // ISO 8601 UTC
  model::Date asOf{};       // evaluations and the cut-off of actual dates
};

// The IATI xml:lang of a hub language tag: "uz-Latn" is written "uz" (the Latin script is
// Uzbek's official one), "en" and "ru" stay, "uz-Cyrl" stays (a valid xs:language).
std::string iatiLanguage(std::string_view bcp47);

// The IATI ActivityStatus code (1 pipeline, 2 implementation, 4 closed, 5 cancelled,
// 6 suspended) of a measure whose implementations have these statuses: cancelled and suspended
// work is set aside while other work remains; all done is closed; none started is pipeline.
int activityStatusCode(const std::vector<model::ExecutionStatus>& statuses);

// Streams implementations from `each` (which calls its argument once per implementation, in any
// order) into an IATI activities document: the implementations are gathered by measure (held in
// memory until the end), each evaluated with `rules` as of header.asOf. Throws
// std::invalid_argument when the header lacks a reporting organisation (ref or name) or a value
// cannot be written as XML.
std::string writeIati(
    const IatiHeader& header, const model::StatusRules& rules,
    const std::function<void(const std::function<void(const model::Implementation&)>&)>& each);

}  // namespace ijro::exports
