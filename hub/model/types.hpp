// The common monitoring model: what every source (HTTP intake or plugin) is normalised into.
// Pure data, no I/O. The unit that is reported, stored and evaluated is an Implementation:
// one measure carried out in one region (or nationally) by one responsible organisation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hub/model/date.hpp"

namespace ijro::model {

// A text in one language, tagged as BCP 47 ("uz-Latn", "uz-Cyrl", "ru", "en"). Titles and names
// may come in several languages beside the one in the main field.
struct LocalText {
  std::string lang;
  std::string text;
  bool operator==(const LocalText&) const = default;
};
using Translations = std::vector<LocalText>;

// The legal act that set the measure, e.g. decree UP-6079 of 2020-10-05, item 12.
struct SourceAct {
  std::string type;    // "decree", "resolution", "order", ...
  std::string number;  // "UP-6079"
  Date date{};
  std::string item;  // item (band) of the act's annex, may be empty
  bool operator==(const SourceAct&) const = default;
};

struct Measure {
  std::string id;  // stable identifier across sources, e.g. "DU2030-1.2.15"
  std::string title;
  SourceAct act;
  Translations titles;  // the title in other languages
  bool operator==(const Measure&) const = default;
};

// Where the work is in its life cycle, in the spirit of IATI activity-status.
enum class Lifecycle { Planned, InProgress, Completed, Cancelled, Suspended };

// The controller's answer to a deadline change request.
enum class Decision { Pending, Approved, Rejected };

// A request to move a deadline and the decision on it. Only an approval dated on or before the
// deadline in force moves D (see status.hpp); a late approval is kept and shown.
struct DeadlineChange {
  Date previous{};  // the deadline in force when it was requested
  Date deadline{};  // the deadline asked for
  std::string requestedBy;
  std::optional<Date> requestedOn;
  std::string reason;
  Decision decision = Decision::Pending;
  std::string decidedBy;  // who approved or rejected; empty while pending
  std::optional<Date> decidedOn;
  bool approved() const { return decision == Decision::Approved; }
  bool operator==(const DeadlineChange&) const = default;

  // A change that was asked for and decided in one step, as reports before decisions were
  // separate state it: approved when `by` is not empty, pending otherwise.
  static DeadlineChange decided(Date previous, Date deadline, std::string by,
                                std::optional<Date> on, std::string reason) {
    DeadlineChange c;
    c.previous = previous;
    c.deadline = deadline;
    c.reason = std::move(reason);
    if (!by.empty()) c.decision = Decision::Approved;
    c.decidedBy = std::move(by);
    c.decidedOn = on;
    return c;
  }
};

// Execution-control state of a delegated task (ijro nazorati): on control until the executor
// submits a report of completion; the controller verifies it (done at the executor's completion
// date) or returns it (open again); removed from control when closed for good.
enum class ControlStatus { OnControl, Submitted, Returned, Verified, Removed };

// One transition of the control state, with who made it and when. Control events and comments
// are journals: append-only, kept across revisions and sources, never overwritten.
struct ControlEvent {
  ControlStatus state = ControlStatus::Submitted;
  std::string by;  // the executor (submitted) or the controller (verified, returned, removed)
  Date on{};
  std::string at;                 // ISO 8601 timestamp when known, else empty
  std::optional<Date> completed;  // submitted: the executor's completion date
  std::string reason;             // returned: why; otherwise optional
  bool operator==(const ControlEvent&) const = default;
};

// A remark in the thread of an implementation or a task.
struct Comment {
  std::string author;
  std::string at;    // ISO 8601 timestamp
  std::string lang;  // BCP 47 tag: uz-Latn, uz-Cyrl, ru, en
  std::string text;
  bool operator==(const Comment&) const = default;
};

// A task delegated down the hierarchy; parentId links it into a tree (empty for the root level).
struct Assignment {
  std::string id;
  std::string parentId;
  std::string assignee;  // person or unit responsible
  std::string title;
  Date deadline{};
  ControlStatus control = ControlStatus::OnControl;  // as reported; events below take precedence
  std::optional<Date> completed;
  std::vector<DeadlineChange> deadlineChanges;
  Translations titles;  // the title in other languages
  std::vector<ControlEvent> controlEvents;
  std::vector<Comment> comments;
  bool operator==(const Assignment&) const = default;
};

// One stratum of a period's values (a FHIR stratifier, an ADX category option): e.g. dimension
// "sex", category "female". One entry per (dimension, category) in a period.
struct Breakdown {
  std::string dimension;
  std::string category;
  std::optional<double> target;
  std::optional<double> actual;
  std::optional<double> numerator;  // proportion measures: actual = numerator / denominator
  std::optional<double> denominator;
  bool operator==(const Breakdown&) const = default;
};

struct IndicatorPeriod {
  Date start{};
  Date end{};
  std::optional<double> target;
  std::optional<double> actual;
  // Proportion measures (FHIR numerator/denominator, ADX): when both are given and actual is
  // not, actual is derived from them (see deriveActuals in indicators.hpp).
  std::optional<double> numerator;
  std::optional<double> denominator;
  std::vector<Breakdown> breakdowns;
  bool operator==(const IndicatorPeriod&) const = default;
};

// How a report's periods of an indicator combine with those the hub holds already for the same
// source's row. Replace: the report's list is the whole list. Merge: the report carries only
// new or corrected periods; they are merged by (start, end) into the stored list (see
// mergeIndicators in indicators.hpp). Only a report says merge: what is stored is the merged
// list, read back as Replace.
enum class IndicatorMode { Replace, Merge };

struct Indicator {
  std::string code;
  std::string name;
  std::string unit;
  bool ascending = true;  // false: lower is better (e.g. days to issue a permit)
  double baseline = 0;
  std::vector<IndicatorPeriod> periods;
  IndicatorMode mode = IndicatorMode::Replace;
  bool operator==(const Indicator&) const = default;
};

// A document an executor uploaded as proof of work.
struct Evidence {
  std::string url;
  std::string title;
  std::string format;  // MIME type, e.g. "application/pdf"
  Date date{};
  std::string uploader;
  // Set for a file uploaded to the hub (POST /api/v1/evidence): its content's SHA-256 (64 hex
  // digits) and size in bytes; url is then the hub's GET /api/v1/evidence/{sha256}.
  std::string sha256;
  std::optional<std::int64_t> size;
  bool operator==(const Evidence&) const = default;
};

// Identity of an implementation as a source reports it. Revisions of the same key replace
// each other: a higher revision wins, the same revision is a duplicate, a lower one is stale.
struct ImplementationKey {
  std::string source;
  std::string measureId;
  std::string region;  // SOATO: 4-digit region, 7-digit district, or "17" for national
  std::string organisation;
  bool operator==(const ImplementationKey&) const = default;
};

struct Implementation {
  std::string source;  // set by the hub from the authenticated source, never by the payload
  Measure measure;
  std::string region;        // SOATO code, see regions.hpp
  std::string organisation;  // responsible organisation (executor), e.g. "Ministry of Health"
  // The organisation's code (STIR or configured) and its display names per language, when the
  // hub's directory of organisations knows the spelling: set by the store on every read from the
  // configuration, never stored with the record nor taken from a report.
  std::string organisationCode;
  Translations organisationNames;
  std::string sector;  // sector code, see sectors.hpp
  std::int64_t revision = 0;

  Lifecycle lifecycle = Lifecycle::Planned;
  Date start{};
  Date deadline{};  // as originally set; see lastApprovedDeadline()
  std::optional<Date> completed;
  std::vector<DeadlineChange> deadlineChanges;

  std::vector<Indicator> indicators;
  std::vector<Assignment> assignments;
  std::vector<Evidence> evidence;
  std::vector<ControlEvent> controlEvents;  // control of the implementation as a whole
  std::vector<Comment> comments;
  std::string note;

  ImplementationKey key() const { return {source, measure.id, region, organisation}; }

  // D in the status rules: the deadline in force after the approved extensions (see
  // walkDeadlines in status.hpp, which defines it).
  Date lastApprovedDeadline() const;

  bool operator==(const Implementation&) const = default;
};

const char* toString(Lifecycle v);
std::optional<Lifecycle> lifecycleFromString(std::string_view s);
const char* toString(ControlStatus v);
const char* toString(Decision v);
std::optional<Decision> decisionFromString(std::string_view s);
std::optional<ControlStatus> controlStatusFromString(std::string_view s);
const char* toString(IndicatorMode v);  // "replace" | "merge"
std::optional<IndicatorMode> indicatorModeFromString(std::string_view s);

}  // namespace ijro::model
