// What the tests expect of a bulk OneRoster package, worked out from its CSV files directly (not
// with the adapter's code): per SOATO code, the active schools the mapping places, and the enabled
// teachers and pupils attached to them (by orgSourcedIds or an enrollment), each user once per
// code. Shared by the adapter's unit tests and its hub-level test.
#pragma once

#include <tables/csv.hpp>
#include <tables/zip.hpp>

#include <filesystem>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace ijro::oneroster::test {

struct Expected {
  long schools = 0, teachers = 0, pupils = 0;
  bool operator==(const Expected&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const Expected& e) {
  return os << "{schools " << e.schools << ", teachers " << e.teachers << ", pupils " << e.pupils
            << "}";
}

// The rows of one CSV file of the package as maps column -> value.
inline std::vector<std::map<std::string, std::string>> rowsOf(tables::ZipArchive& zip,
                                                              const std::string& file) {
  const auto csv = tables::parseCsv(zip.read(file), ',');
  std::vector<std::map<std::string, std::string>> out;
  for (std::size_t r = 1; r < csv.size(); ++r) {
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < csv[0].fields.size() && c < csv[r].fields.size(); ++c)
      row[csv[0].fields[c]] = csv[r].fields[c];
    out.push_back(row);
  }
  return out;
}

// mapping: org sourcedId or identifier -> SOATO code (4 or 7 digits).
inline std::map<std::string, Expected> expectedOf(
    const std::filesystem::path& bulkZip, const std::map<std::string, std::string>& mapping) {
  auto zip = tables::ZipArchive::openFile(bulkZip);
  std::map<std::string, std::map<std::string, std::string>> orgs;
  for (auto& row : rowsOf(zip, "orgs.csv"))
    if (row["status"] != "tobedeleted") orgs[row["sourcedId"]] = row;
  // school -> the codes it counts for (a district's and its region's)
  std::map<std::string, std::vector<std::string>> codes;
  std::map<std::string, Expected> out;
  for (auto& [id, row] : orgs) {
    if (row["type"] != "school") continue;
    std::string found;
    for (std::string at = id; found.empty() && orgs.count(at) != 0;
         at = orgs[at]["parentSourcedId"]) {
      if (mapping.count(at) != 0)
        found = mapping.at(at);
      else if (mapping.count(orgs[at]["identifier"]) != 0)
        found = mapping.at(orgs[at]["identifier"]);
    }
    if (found.empty()) continue;
    codes[id] = {found.substr(0, 4)};
    if (found.size() == 7) codes[id].push_back(found);
    for (const auto& c : codes[id]) ++out[c].schools;
  }
  std::map<std::string, std::set<std::string>> schoolsOf;
  for (auto& row : rowsOf(zip, "enrollments.csv"))
    if (row["status"] != "tobedeleted")
      schoolsOf[row["userSourcedId"]].insert(row["schoolSourcedId"]);
  for (auto& row : rowsOf(zip, "users.csv")) {
    if (row["status"] == "tobedeleted" || row["enabledUser"] != "true") continue;
    if (row["role"] != "teacher" && row["role"] != "student") continue;
    std::set<std::string> schools = schoolsOf[row["sourcedId"]];
    std::string list = row["orgSourcedIds"] + ",";
    for (std::size_t from = 0, at; (at = list.find(',', from)) != std::string::npos; from = at + 1)
      schools.insert(list.substr(from, at - from));
    std::set<std::string> counted;
    for (const auto& s : schools)
      if (codes.count(s) != 0) counted.insert(codes[s].begin(), codes[s].end());
    for (const auto& c : counted) ++(row["role"] == "teacher" ? out[c].teachers : out[c].pupils);
  }
  return out;
}

}  // namespace ijro::oneroster::test
