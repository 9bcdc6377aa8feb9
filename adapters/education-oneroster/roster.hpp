// OneRoster 1.1 CSV packages (bulk and delta) and the roster they build: which orgs, users and
// enrollments are there now, what the adapter counts of them, and the state file that keeps the
// roster between packages (a delta changes only some rows, the totals need all of them).
//
// A package is a zip with manifest.csv (propertyName,value) saying, per file, bulk, delta or
// absent. A bulk file replaces what the roster holds of that file; a delta file changes the rows
// it names (status active: added or replaced; tobedeleted: removed). A package that cannot be
// applied as a whole (no manifest, a declared file missing, a missing required column, not CSV)
// is refused with a PackageError and leaves the roster as it was; a bad row is rejected with its
// file, line, column and rule, and the other rows still count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tables/zip.hpp>

namespace ijro::oneroster {

// A package refused as a whole: what() says what and where, fix() how to put it right.
class PackageError : public std::runtime_error {
 public:
  PackageError(const std::string& problem, std::string fix)
      : std::runtime_error(problem), fix_(std::move(fix)) {}
  const std::string& fix() const { return fix_; }

 private:
  std::string fix_;
};

// What the roster keeps of an org (only orgs whose status is active are kept).
struct Org {
  std::string type;        // department, school, district, local, state, national
  std::string identifier;  // may be empty
  std::string parent;      // parentSourcedId, may be empty
  bool operator==(const Org&) const = default;
};

struct User {
  std::string role;  // administrator, aide, guardian, parent, proctor, relative, student, teacher
  bool enabled = false;           // enabledUser
  std::vector<std::string> orgs;  // orgSourcedIds
  bool operator==(const User&) const = default;
};

struct Enrollment {
  std::string school;  // schoolSourcedId
  std::string user;    // userSourcedId
  std::string role;
  bool operator==(const Enrollment&) const = default;
};

struct Roster {
  std::map<std::string, Org> orgs;
  std::map<std::string, User> users;
  std::map<std::string, Enrollment> enrollments;
  // The SOATO codes whose records were emitted from this roster, so that a code that loses its
  // last school is reported with zeros rather than left at its old values.
  std::set<std::string> emitted;
  std::int64_t generation = 0;  // packages applied so far; the records' revision

  bool operator==(const Roster&) const = default;

  // The state file: one line per kept row, tab separated, after a version line.
  std::string serialize() const;
  // Throws std::runtime_error naming `what` and the line for text that is not a state file.
  static Roster parse(std::string_view text, const std::string& what);
};

// What applying one package did.
struct PackageReport {
  std::string mode;  // "bulk" when every file present is bulk, "delta" when one is delta
  std::map<std::string, std::string> files;  // file name -> bulk | delta, as the manifest says
  std::size_t rowsRead = 0;                  // data rows of the files read
  std::size_t rowsApplied = 0;
  std::vector<std::string> rejected;  // "users.csv line 14, column role: ..." (package prefixed)
};

// Called once per data row read: true when it was applied, false when rejected.
using RowSeen = std::function<void(bool accepted)>;

// Applies the package to `roster`; all or nothing: when it throws (PackageError, or
// ijro::tables::TableError from the zip reader: a zip bomb, an encrypted entry) the roster is
// unchanged. `name` names the package in messages. Raises roster.generation by one.
PackageReport applyPackage(tables::ZipArchive& zip, const std::string& name, Roster& roster,
                           const RowSeen& seen = {});

// Per SOATO code (a 4-digit region, or a 7-digit district), what the adapter reports.
struct Totals {
  std::int64_t schools = 0;   // active orgs of type school mapped there
  std::int64_t teachers = 0;  // enabled users with role teacher attached to one of those schools
  std::int64_t pupils = 0;    // the same with role student
  bool operator==(const Totals&) const = default;
};

struct Summary {
  std::map<std::string, Totals> byCode;
  // Active schools the mapping does not place: "sourcedId (identifier \"X\", name path)".
  std::vector<std::string> unmapped;
};

// A user is attached to a school when the school is among its orgSourcedIds or one of its
// enrollments names the school. A user counts once per code, however many of the code's schools
// it is attached to. A school is placed by the first of: its sourcedId, its identifier, then the
// same for its parent org, and so on up (at most 16 levels), found in `codeByOrg` (key: an org's
// sourcedId or identifier; value: a 4-digit region or a 7-digit district code). A district code
// counts for the district and for its region (the first 4 digits).
Summary summarize(const Roster& roster, const std::map<std::string, std::string>& codeByOrg);

// Whether `code` is a SOATO region (4 digits, 17xx) or district (7 digits, 17xxxxx) code.
bool soatoCode(std::string_view code);

}  // namespace ijro::oneroster
