// education-diary: an example adapter for ijro-hub, built out of tree against the installed SDK.
//
// The sector system here is a school register and an electronic-diary service:
//   - orgs.csv, a OneRoster 1.1 organisations file (sourcedId, status, dateLastModified, name,
//     type, identifier, parentSourcedId): the ministry (national), regional departments (state,
//     identifier = the region's SOATO code), district departments (district) and schools;
//   - a diary connection export (school_id, connected_on, status), one row per school.
// For the measure "connect all general schools to the electronic school diary" the adapter emits
// one implementation per region, by the regional department, with the indicator "schools
// connected" (target: the region's active schools). The work is completed once every school of
// the region is connected, on the date of the last connection.
//
// Revisions: the checkpoint holds the last revision and a fingerprint of both files; a poll emits
// (at revision + 1) only when the files changed, so the hub's history shows real changes only.
//
// Records are built with the SDK's record builder (ijro_record.hpp): plain structs in, correct
// JSON out (escaping, UTF-8, numbers), so the adapter writes no JSON by hand; the exports are read
// with the SDK's CSV reader (tables/csv.hpp, IjroHub::tables), so it parses no CSV by hand either.
#include <ijro_plugin.hpp>
#include <ijro_record.hpp>
#include <tables/csv.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using ijro::sdk::Context;
using ijro::sdk::Host;
using ijro::sdk::OptionType;
using ijro::sdk::RetryLater;
using ijro::sdk::Status;

// The export as records by column name (the SDK's CSV reader: RFC 4180, UTF-8 checked, errors
// naming the line); `bytes` keeps the file for the fingerprint.
std::vector<ijro::tables::CsvRecord> readTable(const std::string& path,
                                               const std::vector<std::string>& needed,
                                               std::string& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RetryLater("cannot open " + path + " (has the export been written there yet?)");
  bytes.assign(std::istreambuf_iterator<char>(in), {});
  try {
    return ijro::tables::parseCsvRecords(bytes, ',', needed);
  } catch (const ijro::tables::TableError& e) {
    throw std::runtime_error(path + ", " + e.what() + ". " + e.fix());
  }
}

// FNV-1a: a fingerprint of the inputs, to tell whether anything changed since the last poll.
std::uint64_t fnv1a(const std::string& bytes, std::uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

struct Org {
  std::string name, type, identifier, parent;
};

struct Region {
  std::string code, department;
  std::int64_t schools = 0, connected = 0;
  std::string lastConnection;  // YYYY-MM-DD; ISO dates compare as text
};

class EducationDiary : public ijro::sdk::Source {
 public:
  explicit EducationDiary(Host& host)
      : orgsFile_(host.optionString("orgs_file")),
        connectionsFile_(host.optionString("connections_file")),
        measureId_(host.optionString("measure_id")),
        measureTitle_(host.optionString("measure_title")),
        actType_(host.optionString("act_type")),
        actNumber_(host.optionString("act_number")),
        actDate_(host.optionString("act_date")),
        actItem_(host.optionString("act_item")),
        start_(host.optionString("start")),
        deadline_(host.optionString("deadline")),
        periodStart_(host.optionString("period_start")),
        periodEnd_(host.optionString("period_end")) {}

  Status poll(Context& ctx) override {
    std::string orgBytes, connectionBytes;
    const auto orgs = readTable(
        orgsFile_, {"sourcedId", "status", "name", "type", "identifier", "parentSourcedId"},
        orgBytes);
    const auto connections =
        readTable(connectionsFile_, {"school_id", "connected_on", "status"}, connectionBytes);

    // The checkpoint: "revision=N fingerprint=HEX". Nothing changed: nothing to send.
    std::int64_t revision = 0;
    std::string fingerprint;
    if (auto cp = ctx.checkpoint()) {
      std::istringstream in(*cp);
      std::string a, b;
      in >> a >> b;
      if (a.rfind("revision=", 0) == 0) revision = std::stoll(a.substr(9));
      if (b.rfind("fingerprint=", 0) == 0) fingerprint = b.substr(12);
    }
    const std::string now = hex(fnv1a(connectionBytes, fnv1a(orgBytes)));
    if (now == fingerprint) return Status::Ok;

    std::map<std::string, Region> regions = count(ctx, orgs, connections);
    ++revision;
    for (const auto& [code, region] : regions) ctx.emit(record(region, revision));
    ctx.commitCheckpoint("revision=" + std::to_string(revision) + " fingerprint=" + now);
    ctx.counterAdd("regions_reported", static_cast<std::int64_t>(regions.size()));
    return Status::Ok;
  }

 private:
  static std::string hex(std::uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
  }

  // Schools and connections per region (the "state" org above each school).
  std::map<std::string, Region> count(
      const Context& ctx, const std::vector<ijro::tables::CsvRecord>& orgRows,
      const std::vector<ijro::tables::CsvRecord>& connectionRows) const {
    std::map<std::string, Org> orgs;
    for (const auto& r : orgRows) {
      if (r["status"] == "tobedeleted") continue;
      orgs[r["sourcedId"]] = Org{r["name"], r["type"], r["identifier"], r["parentSourcedId"]};
    }
    std::map<std::string, std::string> connectedOn;  // school -> date, connected schools only
    for (const auto& r : connectionRows)
      if (r["status"] == "connected") connectedOn[r["school_id"]] = r["connected_on"];

    std::map<std::string, Region> regions;
    for (const auto& [id, org] : orgs) {
      if (org.type == "state") {
        Region& region = regions[org.identifier];
        region.code = org.identifier;
        region.department = org.name;
      }
    }
    for (const auto& [id, org] : orgs) {
      if (org.type != "school") continue;
      const Org* state = regionOf(orgs, org);
      if (state == nullptr) {
        ctx.warn("school " + id + " (" + org.name + ") belongs to no region: skipped");
        ctx.counterAdd("schools_without_region");
        continue;
      }
      Region& region = regions[state->identifier];
      ++region.schools;
      if (auto c = connectedOn.find(id); c != connectedOn.end()) {
        ++region.connected;
        region.lastConnection = std::max(region.lastConnection, c->second);
      }
    }
    return regions;
  }

  // Walks up parentSourcedId to the org of type "state" (at most 8 levels: no loops).
  static const Org* regionOf(const std::map<std::string, Org>& orgs, const Org& org) {
    const Org* at = &org;
    for (int depth = 0; depth < 8; ++depth) {
      auto parent = orgs.find(at->parent);
      if (parent == orgs.end()) return nullptr;
      at = &parent->second;
      if (at->type == "state") return at;
    }
    return nullptr;
  }

  std::string record(const Region& r, std::int64_t revision) const {
    const bool done = r.schools > 0 && r.connected == r.schools;
    ijro::sdk::Implementation impl;
    impl.revision = revision;
    impl.measure = {measureId_, measureTitle_, {actType_, actNumber_, actDate_, actItem_}};
    impl.region = r.code;
    impl.organisation = r.department;
    impl.sector = "education";
    impl.lifecycle = done ? ijro::sdk::lifecycle::kCompleted : ijro::sdk::lifecycle::kInProgress;
    impl.start = start_;
    impl.deadline = deadline_;
    if (done) impl.completed = r.lastConnection;
    ijro::sdk::Indicator schools;
    schools.code = "EDU-SCHOOLS";
    schools.name = "Schools connected to the electronic diary";
    schools.unit = "schools";
    schools.periods.push_back({periodStart_, periodEnd_, static_cast<double>(r.schools),
                               static_cast<double>(r.connected)});
    impl.indicators.push_back(std::move(schools));
    return impl.toJson();
  }

  std::string orgsFile_, connectionsFile_;
  std::string measureId_, measureTitle_, actType_, actNumber_, actDate_, actItem_;
  std::string start_, deadline_, periodStart_, periodEnd_;
};

}  // namespace

IJRO_DEFINE_SOURCE_PLUGIN(
    EducationDiary, "education-diary", "1.0.0",
    "Schools connected to the electronic diary, per region, from a OneRoster orgs.csv and a "
    "diary connection export.",
    ijro::sdk::required(OptionType::Path, "orgs_file",
                        "OneRoster 1.1 orgs.csv of the school register."),
    ijro::sdk::required(OptionType::Path, "connections_file",
                        "Diary connection export: school_id, connected_on, status."),
    ijro::sdk::option(OptionType::String, "measure_id", "DU2030-3.1.7", "The measure's id."),
    ijro::sdk::option(OptionType::String, "measure_title",
                      "Connect all general schools to the electronic school diary",
                      "The measure's title, as in the act."),
    ijro::sdk::option(OptionType::String, "act_type", "decree", "Type of the act."),
    ijro::sdk::option(OptionType::String, "act_number", "UP-6079", "Number of the act."),
    ijro::sdk::option(OptionType::String, "act_date", "2020-10-05", "Date of the act."),
    ijro::sdk::option(OptionType::String, "act_item", "3.1", "Item of the act, may be empty."),
    ijro::sdk::option(OptionType::String, "start", "2026-01-15", "Start of the work."),
    ijro::sdk::option(OptionType::String, "deadline", "2026-12-31", "Deadline of the work."),
    ijro::sdk::option(OptionType::String, "period_start", "2026-01-01",
                      "Start of the indicator's reporting period."),
    ijro::sdk::option(OptionType::String, "period_end", "2026-12-31",
                      "End of the indicator's reporting period."))
