// OneRoster 1.1 CSV packages applied to a roster, the roster's totals and its state file (see
// roster.hpp).
#include "roster.hpp"

#include <tables/csv.hpp>
#include <tables/table_error.hpp>

#include <algorithm>
#include <optional>
#include <sstream>

namespace ijro::oneroster {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (true) {
    const std::size_t at = s.find(sep, from);
    out.emplace_back(
        s.substr(from, at == std::string_view::npos ? std::string_view::npos : at - from));
    if (at == std::string_view::npos) return out;
    from = at + 1;
  }
}

std::string joined(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i > 0 ? sep : "") + items[i];
  return out;
}

bool digits(std::string_view s, std::size_t from, std::size_t n) {
  if (s.size() < from + n) return false;
  for (std::size_t i = from; i < from + n; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// YYYY-MM-DD with a month 01-12 and a day that month can have.
bool isDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4) || !digits(s, 5, 2) ||
      !digits(s, 8, 2))
    return false;
  const int year = std::stoi(std::string(s.substr(0, 4)));
  const int month = std::stoi(std::string(s.substr(5, 2)));
  const int day = std::stoi(std::string(s.substr(8, 2)));
  if (month < 1 || month > 12 || day < 1) return false;
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

// ISO 8601 date and time as OneRoster writes dateLastModified: 2026-12-01T08:00:00Z, with
// optional fractions and offset; a date alone is taken too.
bool isDateTime(std::string_view s) {
  if (!isDate(s.substr(0, 10))) return false;
  if (s.size() == 10) return true;
  return s.size() >= 19 && s[10] == 'T' && digits(s, 11, 2) && s[13] == ':' && digits(s, 14, 2) &&
         s[16] == ':' && digits(s, 17, 2);
}

// A row that cannot be used: the column and the rule it breaks.
struct RowRejected {
  std::string column;
  std::string problem;
};

constexpr const char* kRoles[] = {"administrator", "aide",     "guardian", "parent",
                                  "proctor",       "relative", "student",  "teacher"};
constexpr const char* kOrgTypes[] = {"department", "school", "district",
                                     "local",      "state",  "national"};
constexpr const char* kClassTypes[] = {"homeroom", "scheduled"};
constexpr const char* kSessionTypes[] = {"gradingPeriod", "semester", "schoolYear", "term"};
// Every file OneRoster 1.1 CSV defines; the manifest names them as file.<name>.
constexpr const char* kFiles[] = {
    "academicSessions", "categories",   "classes",     "classResources", "courses",
    "courseResources",  "demographics", "enrollments", "lineItems",      "orgs",
    "resources",        "results",      "users"};

template <std::size_t N>
std::string listOf(const char* const (&words)[N]) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) out += (i > 0 ? ", " : "") + std::string(words[i]);
  return out;
}

// One data row with its file's columns, read by name.
class RowView {
 public:
  RowView(const std::map<std::string, std::size_t>& columns, const tables::CsvRow& row)
      : columns_(columns), row_(row) {}
  std::size_t line() const { return row_.line; }

  // The trimmed field, "" when the file has no such column or the row is short.
  std::string get(const std::string& column) const {
    const auto it = columns_.find(column);
    if (it == columns_.end() || it->second >= row_.fields.size()) return {};
    return trim(row_.fields[it->second]);
  }
  // A field OneRoster requires, to be stored: not empty, no tab or line break.
  std::string need(const std::string& column) const {
    std::string v = get(column);
    if (v.empty())
      throw RowRejected{column, "empty, but OneRoster 1.1 requires a value (fill it in)"};
    return storable(column, v);
  }
  std::string storable(const std::string& column, std::string v) const {
    if (v.find_first_of("\t\r\n") != std::string::npos)
      throw RowRejected{column, "\"" + v + "\" holds a tab or a line break (remove it)"};
    return v;
  }
  // One of `words` (compared without regard to case), written as the standard spells it.
  template <std::size_t N>
  std::string oneOf(const std::string& column, const char* const (&words)[N],
                    const char* what) const {
    const std::string v = get(column);
    for (const char* w : words)
      if (lower(v) == lower(w)) return w;
    if (v.empty())
      throw RowRejected{column, std::string("empty, but OneRoster 1.1 requires ") + what + " (" +
                                    listOf(words) + ")"};
    throw RowRejected{column, "\"" + v + "\" is not " + what + " (" + listOf(words) + ")"};
  }
  bool boolean(const std::string& column, bool required) const {
    const std::string v = lower(get(column));
    if (v == "true") return true;
    if (v == "false") return false;
    if (v.empty() && !required) return false;
    throw RowRejected{column, v.empty() ? "empty, but OneRoster 1.1 requires true or false"
                                        : "\"" + get(column) + "\" is not true or false"};
  }
  void date(const std::string& column, bool required) const {
    const std::string v = get(column);
    if (v.empty() && !required) return;
    if (!isDate(v))
      throw RowRejected{column, v.empty() ? "empty, but OneRoster 1.1 requires a date (YYYY-MM-DD)"
                                          : "\"" + v + "\" is not a date (YYYY-MM-DD)"};
  }

 private:
  const std::map<std::string, std::size_t>& columns_;
  const tables::CsvRow& row_;
};

// What one file is: its required columns and how a row becomes what the roster keeps.
template <typename T>
struct FileKind {
  const char* name;  // "users" (file users.csv)
  std::vector<std::string> required;
  std::function<T(const RowView&)> parse;
};

class Applier {
 public:
  Applier(tables::ZipArchive& zip, std::string package, PackageReport& report, const RowSeen& seen)
      : zip_(zip), package_(std::move(package)), report_(report), seen_(seen) {}

  // Reads `<kind.name>.csv` in `mode` ("bulk" or "delta") into `table` (nullptr: checked only).
  template <typename T>
  void apply(const FileKind<T>& kind, const std::string& mode, std::map<std::string, T>* table) {
    const std::string file = std::string(kind.name) + ".csv";
    std::vector<tables::CsvRow> rows;
    try {
      rows = tables::parseCsv(zip_.read(file), ',');
    } catch (const tables::TableError& e) {
      throw PackageError(package_ + ": " + file + ": " + e.what(),
                         e.fix().empty() ? "Export " + file + " again as CSV UTF-8." : e.fix());
    }
    if (rows.empty())
      throw PackageError(package_ + ": " + file + " is empty: it has no header row",
                         "Export " + file + " with its OneRoster 1.1 header row.");
    std::map<std::string, std::size_t> columns;
    for (std::size_t i = 0; i < rows[0].fields.size(); ++i)
      columns.emplace(trim(rows[0].fields[i]), i);
    std::vector<std::string> missing;
    for (const std::string& c : kind.required)
      if (columns.count(c) == 0) missing.push_back(c);
    if (!missing.empty())
      throw PackageError(package_ + ": " + file + " line " + std::to_string(rows[0].line) +
                             ": the header has no column " + joined(missing) + " (OneRoster 1.1 " +
                             file + " requires " + joined(kind.required) + ")",
                         "Name the columns as OneRoster 1.1 does (case matters) and export the "
                         "package again.");
    const bool delta = mode == "delta";
    std::map<std::string, T> fresh;  // bulk: the file's rows replace the table's
    std::map<std::string, std::size_t> firstLine;
    for (std::size_t r = 1; r < rows.size(); ++r) {
      const RowView row(columns, rows[r]);
      ++report_.rowsRead;
      try {
        const std::string id = row.need("sourcedId");
        const std::string status = row.get("status");
        if (status.empty() && delta)
          throw RowRejected{"status",
                            "empty, but a delta file needs active or tobedeleted on every row"};
        if (!status.empty() && status != "active" && status != "tobedeleted")
          throw RowRejected{"status",
                            "\"" + status + "\" is not a OneRoster status (active, tobedeleted)"};
        const std::string modified = row.get("dateLastModified");
        if (modified.empty() && delta)
          throw RowRejected{"dateLastModified",
                            "empty, but a delta file needs the time each row changed "
                            "(e.g. 2026-12-01T08:00:00Z)"};
        if (!modified.empty() && !isDateTime(modified))
          throw RowRejected{
              "dateLastModified",
              "\"" + modified + "\" is not a date and time (e.g. 2026-12-01T08:00:00Z)"};
        if (const auto [it, inserted] = firstLine.emplace(id, row.line()); !inserted)
          throw RowRejected{"sourcedId", "\"" + id + "\" appears again (first on line " +
                                             std::to_string(it->second) +
                                             "): each sourcedId once per file"};
        if (status == "tobedeleted") {
          if (delta && table != nullptr) table->erase(id);
        } else {
          T value = kind.parse(row);
          if (table != nullptr) (delta ? *table : fresh)[id] = std::move(value);
        }
        ++report_.rowsApplied;
        if (seen_) seen_(true);
      } catch (const RowRejected& e) {
        report_.rejected.push_back(package_ + ": " + file + " line " + std::to_string(row.line()) +
                                   ", column " + e.column + ": " + e.problem);
        if (seen_) seen_(false);
      }
    }
    if (!delta && table != nullptr) *table = std::move(fresh);
  }

 private:
  tables::ZipArchive& zip_;
  std::string package_;
  PackageReport& report_;
  const RowSeen& seen_;
};

struct Unused {};  // what is kept of files that are checked but not counted

const FileKind<Org> kOrgs{
    "orgs",
    {"sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"},
    [](const RowView& row) {
      row.need("name");
      Org org;
      org.type = row.oneOf("type", kOrgTypes, "a OneRoster org type");
      org.identifier = row.storable("identifier", row.get("identifier"));
      org.parent = row.storable("parentSourcedId", row.get("parentSourcedId"));
      return org;
    }};

const FileKind<User> kUsers{
    "users",
    {"sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username",
     "givenName", "familyName"},
    [](const RowView& row) {
      User user;
      user.enabled = row.boolean("enabledUser", true);
      for (const std::string& org : split(row.need("orgSourcedIds"), ','))
        if (const std::string id = trim(org); !id.empty()) user.orgs.push_back(id);
      if (user.orgs.empty())
        throw RowRejected{"orgSourcedIds", "names no org (list the user's orgs, comma separated)"};
      user.role = row.oneOf("role", kRoles, "a OneRoster role");
      row.need("username");
      row.need("givenName");
      row.need("familyName");
      return user;
    }};

const FileKind<Enrollment> kEnrollments{
    "enrollments",
    {"sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
     "userSourcedId", "role"},
    [](const RowView& row) {
      row.need("classSourcedId");
      Enrollment e;
      e.school = row.need("schoolSourcedId");
      e.user = row.need("userSourcedId");
      e.role = row.oneOf("role", kRoles, "a OneRoster role");
      if (!row.get("primary").empty()) row.boolean("primary", false);
      row.date("beginDate", false);
      row.date("endDate", false);
      return e;
    }};

const FileKind<Unused> kClasses{
    "classes",
    {"sourcedId", "status", "dateLastModified", "title", "courseSourcedId", "classType",
     "schoolSourcedId", "termSourcedIds"},
    [](const RowView& row) {
      row.need("title");
      row.need("courseSourcedId");
      row.oneOf("classType", kClassTypes, "a OneRoster class type");
      row.need("schoolSourcedId");
      row.need("termSourcedIds");
      return Unused{};
    }};

const FileKind<Unused> kSessions{
    "academicSessions",
    {"sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate",
     "schoolYear"},
    [](const RowView& row) {
      row.need("title");
      row.oneOf("type", kSessionTypes, "a OneRoster session type");
      row.date("startDate", true);
      row.date("endDate", true);
      const std::string year = row.get("schoolYear");
      if (year.size() != 4 || !digits(year, 0, 4))
        throw RowRejected{"schoolYear", "\"" + year + "\" is not a year (YYYY)"};
      return Unused{};
    }};

// manifest.csv: propertyName -> value.
std::map<std::string, std::string> manifestOf(tables::ZipArchive& zip, const std::string& package) {
  if (!zip.contains("manifest.csv"))
    throw PackageError(package + ": the package has no manifest.csv",
                       "A OneRoster 1.1 package lists its files, each bulk, delta or absent, in "
                       "manifest.csv (columns propertyName,value) at the top of the zip: export "
                       "the package with its manifest.");
  std::vector<tables::CsvRow> rows;
  try {
    rows = tables::parseCsv(zip.read("manifest.csv"), ',');
  } catch (const tables::TableError& e) {
    throw PackageError(package + ": manifest.csv: " + e.what(), e.fix());
  }
  if (rows.empty() || rows[0].fields.size() < 2 || trim(rows[0].fields[0]) != "propertyName" ||
      trim(rows[0].fields[1]) != "value")
    throw PackageError(package + ": manifest.csv line 1: the header is not propertyName,value",
                       "Write manifest.csv as OneRoster 1.1 does: propertyName,value, then one "
                       "property per line.");
  std::map<std::string, std::string> out;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& f = rows[i].fields;
    const std::string name = trim(f[0]);
    if (name.empty()) continue;
    out[name] = f.size() > 1 ? trim(f[1]) : std::string();
  }
  return out;
}

}  // namespace

bool soatoCode(std::string_view code) {
  return (code.size() == 4 || code.size() == 7) && digits(code, 0, code.size()) &&
         code.substr(0, 2) == "17";
}

PackageReport applyPackage(tables::ZipArchive& zip, const std::string& name, Roster& roster,
                           const RowSeen& seen) {
  PackageReport report;
  const auto manifest = manifestOf(zip, name);
  const auto version = manifest.find("oneroster.version");
  if (version == manifest.end() || version->second != "1.1")
    throw PackageError(
        name + ": manifest.csv: oneroster.version is " +
            (version == manifest.end() ? std::string("missing") : "\"" + version->second + "\"") +
            ", this adapter reads OneRoster 1.1",
        "Export the package as OneRoster 1.1 CSV (manifest.csv: oneroster.version,1.1).");
  for (const auto& [property, value] : manifest) {
    if (property.rfind("file.", 0) != 0) continue;
    const std::string file = property.substr(5);
    const std::string mode = lower(value);
    if (mode != "bulk" && mode != "delta" && mode != "absent")
      throw PackageError(
          name + ": manifest.csv: " + property + " is \"" + value + "\", not bulk, delta or absent",
          "Say for each file whether it is bulk, delta or absent.");
    if (std::find_if(std::begin(kFiles), std::end(kFiles),
                     [&](const char* f) { return file == f; }) == std::end(kFiles))
      throw PackageError(name + ": manifest.csv: " + property + " names no OneRoster 1.1 file (" +
                             listOf(kFiles) + ")",
                         "Correct the property name (case matters).");
    if (mode == "absent") continue;
    if (!zip.contains(file + ".csv"))
      throw PackageError(name + ": manifest.csv declares " + property + "=" + value +
                             " but the package has no " + file + ".csv",
                         "Add " + file + ".csv to the package, or declare " + property +
                             ",absent in manifest.csv.");
    report.files[file] = mode;
  }
  report.mode = "bulk";
  for (const auto& [file, mode] : report.files)
    if (mode == "delta") report.mode = "delta";

  Roster next = roster;
  Applier applier(zip, name, report, seen);
  const auto modeOf = [&](const char* file) {
    const auto it = report.files.find(file);
    return it == report.files.end() ? std::string() : it->second;
  };
  try {
    if (const auto m = modeOf("orgs"); !m.empty()) applier.apply(kOrgs, m, &next.orgs);
    if (const auto m = modeOf("users"); !m.empty()) applier.apply(kUsers, m, &next.users);
    if (const auto m = modeOf("enrollments"); !m.empty())
      applier.apply(kEnrollments, m, &next.enrollments);
    if (const auto m = modeOf("classes"); !m.empty()) applier.apply<Unused>(kClasses, m, nullptr);
    if (const auto m = modeOf("academicSessions"); !m.empty())
      applier.apply<Unused>(kSessions, m, nullptr);
  } catch (const tables::TableError& e) {  // the zip reader: a limit passed, encrypted, damaged
    throw PackageError(name + ": " + e.what(), e.fix());
  }
  next.generation = roster.generation + 1;
  roster = std::move(next);
  return report;
}

Summary summarize(const Roster& roster, const std::map<std::string, std::string>& codeByOrg) {
  Summary summary;
  // The code of each active school that the mapping places, with its region when a district.
  std::map<std::string, std::vector<std::string>> codesOfSchool;
  for (const auto& [id, org] : roster.orgs) {
    if (org.type != "school") continue;
    std::optional<std::string> code;
    std::string at = id, path;
    for (int depth = 0; depth < 16 && !at.empty() && !code; ++depth) {
      const auto it = roster.orgs.find(at);
      if (auto c = codeByOrg.find(at); c != codeByOrg.end()) {
        code = c->second;
      } else if (it != roster.orgs.end() && !it->second.identifier.empty() &&
                 (c = codeByOrg.find(it->second.identifier)) != codeByOrg.end()) {
        code = c->second;
      }
      if (it == roster.orgs.end()) break;
      at = it->second.parent;
    }
    if (!code) {
      std::string what = "\"" + id + "\"";
      if (!org.identifier.empty()) what += " (identifier \"" + org.identifier + "\")";
      if (!org.parent.empty()) what += " under \"" + org.parent + "\"";
      summary.unmapped.push_back(what);
      continue;
    }
    std::vector<std::string> codes{code->substr(0, 4)};
    if (code->size() == 7) codes.push_back(*code);
    for (const std::string& c : codes) ++summary.byCode[c].schools;
    codesOfSchool.emplace(id, std::move(codes));
  }
  std::map<std::string, std::vector<std::string>> schoolsOfUser;  // from enrollments
  for (const auto& [id, e] : roster.enrollments) schoolsOfUser[e.user].push_back(e.school);
  for (const auto& [id, user] : roster.users) {
    if (!user.enabled || (user.role != "teacher" && user.role != "student")) continue;
    std::set<std::string> codes;
    auto attach = [&](const std::string& school) {
      if (auto it = codesOfSchool.find(school); it != codesOfSchool.end())
        codes.insert(it->second.begin(), it->second.end());
    };
    for (const std::string& org : user.orgs) attach(org);
    if (auto it = schoolsOfUser.find(id); it != schoolsOfUser.end())
      for (const std::string& school : it->second) attach(school);
    for (const std::string& c : codes)
      ++(user.role == "teacher" ? summary.byCode[c].teachers : summary.byCode[c].pupils);
  }
  return summary;
}

std::string Roster::serialize() const {
  std::string out = "oneroster-state 1\ngeneration\t" + std::to_string(generation) + "\n";
  for (const auto& [id, o] : orgs)
    out += "O\t" + id + "\t" + o.type + "\t" + o.identifier + "\t" + o.parent + "\n";
  for (const auto& [id, u] : users)
    out += "U\t" + id + "\t" + u.role + "\t" + (u.enabled ? "1" : "0") + "\t" +
           joined(u.orgs, ",") + "\n";
  for (const auto& [id, e] : enrollments)
    out += "E\t" + id + "\t" + e.school + "\t" + e.user + "\t" + e.role + "\n";
  for (const std::string& code : emitted) out += "C\t" + code + "\n";
  return out;
}

Roster Roster::parse(std::string_view text, const std::string& what) {
  Roster r;
  std::size_t lineNo = 0;
  auto fail = [&](const std::string& problem) {
    return std::runtime_error(what + " line " + std::to_string(lineNo) + ": " + problem +
                              " (not a state file of this adapter)");
  };
  const std::vector<std::string> lines = split(text, '\n');
  for (const std::string& line : lines) {
    ++lineNo;
    if (lineNo == 1) {
      if (line != "oneroster-state 1") throw fail("the first line is not \"oneroster-state 1\"");
      continue;
    }
    if (line.empty()) continue;
    const auto f = split(line, '\t');
    if (f[0] == "generation" && f.size() == 2) {
      try {
        r.generation = std::stoll(f[1]);
      } catch (const std::exception&) {
        throw fail("the generation is not a number");
      }
    } else if (f[0] == "O" && f.size() == 5) {
      r.orgs[f[1]] = Org{f[2], f[3], f[4]};
    } else if (f[0] == "U" && f.size() == 5) {
      User u;
      u.role = f[2];
      u.enabled = f[3] == "1";
      for (const std::string& org : split(f[4], ','))
        if (!org.empty()) u.orgs.push_back(org);
      r.users[f[1]] = std::move(u);
    } else if (f[0] == "E" && f.size() == 5) {
      r.enrollments[f[1]] = Enrollment{f[2], f[3], f[4]};
    } else if (f[0] == "C" && f.size() == 2) {
      r.emitted.insert(f[1]);
    } else {
      throw fail("unknown line \"" + line.substr(0, 40) + "\"");
    }
  }
  if (lineNo == 0 || lines[0] != "oneroster-state 1") throw fail("empty");
  return r;
}

}  // namespace ijro::oneroster
