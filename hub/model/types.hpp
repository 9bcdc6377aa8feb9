// The common monitoring model: what every source (HTTP intake or plugin) is normalised into.
// Pure data, no I/O. The unit that is reported, stored and evaluated is an Implementation:
// one measure carried out in one region (or nationally) by one responsible organisation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hub/model/date.hpp"

namespace ijro::model {

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
  bool operator==(const Measure&) const = default;
};

// Where the work is in its life cycle, in the spirit of IATI activity-status.
enum class Lifecycle { Planned, InProgress, Completed, Cancelled, Suspended };

// A deadline extension. Only approved changes move the deadline used by the status rules.
struct DeadlineChange {
  Date previous{};
  Date deadline{};
  std::string approvedBy;  // empty: requested, not approved
  std::optional<Date> approvedOn;
  std::string reason;
  bool approved() const { return !approvedBy.empty(); }
  bool operator==(const DeadlineChange&) const = default;
};

// Execution-control state of a delegated task (ijro nazorati).
enum class ControlStatus { OnControl, Submitted, Returned, Verified, Removed };

// A task delegated down the hierarchy; parentId links it into a tree (empty for the root level).
struct Assignment {
  std::string id;
  std::string parentId;
  std::string assignee;  // person or unit responsible
  std::string title;
  Date deadline{};
  ControlStatus control = ControlStatus::OnControl;
  std::optional<Date> completed;
  std::vector<DeadlineChange> deadlineChanges;
  bool operator==(const Assignment&) const = default;
};

struct IndicatorPeriod {
  Date start{};
  Date end{};
  std::optional<double> target;
  std::optional<double> actual;
  bool operator==(const IndicatorPeriod&) const = default;
};

struct Indicator {
  std::string code;
  std::string name;
  std::string unit;
  bool ascending = true;  // false: lower is better (e.g. days to issue a permit)
  double baseline = 0;
  std::vector<IndicatorPeriod> periods;
  bool operator==(const Indicator&) const = default;
};

// A document an executor uploaded as proof of work.
struct Evidence {
  std::string url;
  std::string title;
  std::string format;  // MIME type, e.g. "application/pdf"
  Date date{};
  std::string uploader;
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
  std::string sector;        // sector code, see sectors.hpp
  std::int64_t revision = 0;

  Lifecycle lifecycle = Lifecycle::Planned;
  Date start{};
  Date deadline{};  // as originally set; see lastApprovedDeadline()
  std::optional<Date> completed;
  std::vector<DeadlineChange> deadlineChanges;

  std::vector<Indicator> indicators;
  std::vector<Assignment> assignments;
  std::vector<Evidence> evidence;
  std::string note;

  ImplementationKey key() const { return {source, measure.id, region, organisation}; }

  // D in the status rules: the last approved extension, else the original deadline.
  Date lastApprovedDeadline() const {
    Date d = deadline;
    for (const auto& c : deadlineChanges)
      if (c.approved()) d = c.deadline;
    return d;
  }

  bool operator==(const Implementation&) const = default;
};

const char* toString(Lifecycle v);
std::optional<Lifecycle> lifecycleFromString(std::string_view s);
const char* toString(ControlStatus v);
std::optional<ControlStatus> controlStatusFromString(std::string_view s);

}  // namespace ijro::model
