// spreadsheet: a source that reads a region's tracking sheets, XLSX or CSV, dropped into a folder
// (see README.md). One row per measure (number, title, executor, deadline, status, percent done,
// comment), or per task of one measure (rows=tasks); the options give what the sheet does not say
// (region, sector, the act).
//
// Each poll:
//   1. moves to processed_dir the files the previous poll read, if the hub committed that poll
//      (the checkpoint it hands back names them), so a file is moved only once its rows are
//      stored, and after a crash it is read again, never lost;
//   2. reads the settled files in name order: each row becomes one record; a row that cannot be
//      read is rejected with its reason (log, counter, NAME.rejected.txt in quarantine_dir) and
//      the others go on; a file that cannot be read at all goes to quarantine_dir with
//      NAME.reason.txt;
//   3. commits a checkpoint naming the files it read.
#include <fnmatch.h>

#include <ijro_folder.hpp>
#include <ijro_plugin.hpp>

#include <tables/csv.hpp>
#include <tables/xlsx.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "header_names.hpp"
#include "tracking_sheet.hpp"

namespace {

namespace fs = std::filesystem;
using ijro::sdk::Context;
using ijro::sdk::Host;
using ijro::sdk::OptionType;
using ijro::sdk::Status;
using ijro::spreadsheet::HeaderNames;
using ijro::spreadsheet::SheetSettings;
using ijro::spreadsheet::Table;
using ijro::spreadsheet::TrackingSheet;
using ijro::tables::TableError;

struct FileId {
  std::string name;
  std::uintmax_t size = 0;
  std::int64_t mtimeNs = 0;
  bool operator==(const FileId& o) const {
    return name == o.name && size == o.size && mtimeNs == o.mtimeNs;
  }
};

std::int64_t mtimeNs(const fs::path& p) {
  const auto t = fs::last_write_time(p);
  const auto sys = std::chrono::file_clock::to_sys(t);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(sys.time_since_epoch()).count();
}

// Names of files being written (or lock files of spreadsheet programs: ~$book.xlsx,
// .~lock.book.xlsx#), never read.
bool temporaryName(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.front() == '~' || name.back() == '~' ||
      name.back() == '#')
    return true;
  for (const char* ext : {".tmp", ".part", ".partial", ".crdownload"})
    if (name.size() > std::strlen(ext) &&
        name.compare(name.size() - std::strlen(ext), std::string::npos, ext) == 0)
      return true;
  return false;
}

// The checkpoint: one line per file read, "size<TAB>mtime<TAB>name" after a version line.
std::string checkpointOf(const std::vector<FileId>& files) {
  std::string out = "spreadsheet 1\n";
  for (const auto& f : files)
    out += std::to_string(f.size) + "\t" + std::to_string(f.mtimeNs) + "\t" + f.name + "\n";
  return out;
}

std::vector<FileId> filesOf(const std::optional<std::string>& checkpoint) {
  std::vector<FileId> out;
  if (!checkpoint) return out;
  std::istringstream in(*checkpoint);
  std::string line;
  if (!std::getline(in, line) || line != "spreadsheet 1") return out;  // not ours: read again
  while (std::getline(in, line)) {
    const auto a = line.find('\t');
    const auto b = a == std::string::npos ? a : line.find('\t', a + 1);
    if (b == std::string::npos) continue;
    try {
      out.push_back(FileId{line.substr(b + 1), std::stoull(line.substr(0, a)),
                           std::stoll(line.substr(a + 1, b - a - 1))});
    } catch (const std::exception&) {
      continue;
    }
  }
  return out;
}

// A text file beside the sheets (a reason, a list of rejected rows), its folder made when missing.
void writeText(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  ijro::sdk::folder::writeTextFile(file, text);
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string piece;
  std::istringstream in(s);
  while (std::getline(in, piece, sep)) {
    while (!piece.empty() && piece.front() == ' ') piece.erase(piece.begin());
    while (!piece.empty() && piece.back() == ' ') piece.pop_back();
    if (!piece.empty()) out.push_back(piece);
  }
  return out;
}

std::string optionOr(const Host& host, const char* name) {
  auto v = host.option(name);
  return v ? std::string(*v) : std::string();
}

std::string dateOption(const Host& host, const char* name) {
  const std::string v = optionOr(host, name);
  if (v.empty()) return v;
  auto d = ijro::spreadsheet::textDate(v);
  if (!d)
    throw std::invalid_argument(std::string("option \"") + name +
                                "\" is not a date (yyyy-mm-dd "
                                "or dd.mm.yyyy): \"" +
                                v + "\"");
  return *d;
}

SheetSettings settingsOf(const Host& host) {
  SheetSettings s;
  s.region = host.optionString("region");
  s.sector = host.optionString("sector");
  s.actType = host.optionString("act_type");
  s.actNumber = host.optionString("act_number");
  s.actDate = dateOption(host, "act_date");
  s.measurePrefix = optionOr(host, "measure_prefix");
  s.organisation = optionOr(host, "organisation");
  s.start = dateOption(host, "start");
  s.progressIndicator = host.optionString("progress_indicator");
  const std::int64_t row = host.optionInt("header_row");
  if (row < 0 || row > 1048576)
    throw std::invalid_argument("option \"header_row\" must be 0 (find it) or a row number");
  s.headerRow = static_cast<std::uint32_t>(row);
  const std::string rows = host.optionString("rows");
  if (rows != "measures" && rows != "tasks")
    throw std::invalid_argument("option \"rows\" must be measures or tasks, not \"" + rows + "\"");
  s.rowsAreTasks = rows == "tasks";
  s.measureId = optionOr(host, "measure_id");
  s.measureTitle = optionOr(host, "measure_title");
  s.deadline = dateOption(host, "deadline");
  if (s.rowsAreTasks)
    for (const char* name : {"measure_id", "measure_title", "organisation"})
      if (optionOr(host, name).empty())
        throw std::invalid_argument(std::string("option \"") + name +
                                    "\" is required when rows=tasks (the rows are the tasks "
                                    "of one measure, which the options name)");
  return s;
}

class Spreadsheet : public ijro::sdk::Source {
 public:
  explicit Spreadsheet(Host& host)
      : dir_(host.optionString("directory")),
        processedDir_(host.option("processed_dir") ? fs::path(*host.option("processed_dir"))
                                                   : dir_ / "processed"),
        quarantineDir_(host.option("quarantine_dir") ? fs::path(*host.option("quarantine_dir"))
                                                     : dir_ / "quarantine"),
        patterns_(split(lower(host.optionString("pattern")), ';')),
        settle_(host.optionInt("settle_ms")),
        maxFileBytes_(static_cast<std::uintmax_t>(host.optionInt("max_file_bytes"))),
        sheetName_(optionOr(host, "sheet")),
        delimiter_(host.optionString("delimiter")),
        names_(optionOr(host, "headers"), optionOr(host, "status_values")),
        sheet_(settingsOf(host), names_) {
    if (delimiter_ != "auto") ijro::tables::csvDelimiter(delimiter_);  // refused here if bad
    if (settle_ < 0) throw std::invalid_argument("option \"settle_ms\" must be 0 or more");
  }

  Status poll(Context& ctx) override {
    for (const FileId& f : filesOf(ctx.checkpoint())) {
      const fs::path p = dir_ / f.name;
      std::error_code ec;
      if (fs::is_regular_file(p, ec) && current(f.name) == f) {
        ijro::sdk::folder::moveInto(p, processedDir_);
        host().counterAdd("files_processed");
      }
    }
    std::vector<FileId> read;
    for (const FileId& f : settled()) {
      const fs::path path = dir_ / f.name;
      try {
        const auto rows = readFile(path, f);
        for (const auto& r : rows.records) ctx.emit(r);
        host().counterAdd("records_emitted", static_cast<std::int64_t>(rows.records.size()));
        if (!rows.rejected.empty()) {
          std::string list;
          for (const auto& r : rows.rejected) {
            host().warn("spreadsheet: " + f.name + ": row rejected: " + r);
            list += r + "\n";
          }
          host().counterAdd("rows_rejected", static_cast<std::int64_t>(rows.rejected.size()));
          writeText(quarantineDir_ / (f.name + ".rejected.txt"),
                    "spreadsheet read " + f.name + " and stored its other rows; these rows " +
                        "were rejected:\n\n" + list +
                        "\nCorrect them and drop the file into the folder again.\n");
        }
        host().counterAdd("files_read");
        read.push_back(f);
      } catch (const TableError& e) {
        quarantine(path, e.what(), e.fix());
      } catch (const std::out_of_range& e) {
        quarantine(path, e.what(), "");
      }
    }
    ctx.commitCheckpoint(checkpointOf(read));
    return Status::Ok;
  }

 private:
  std::optional<FileId> current(const std::string& name) const {
    std::error_code ec;
    const fs::path p = dir_ / name;
    const auto size = fs::file_size(p, ec);
    if (ec) return std::nullopt;
    return FileId{name, size, mtimeNs(p)};
  }

  bool matches(const std::string& name) const {
    const std::string n = lower(name);
    for (const auto& p : patterns_)
      if (fnmatch(p.c_str(), n.c_str(), 0) == 0) return true;
    return false;
  }

  std::vector<FileId> settled() const {
    std::vector<FileId> out;
    const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    for (const auto& e : fs::directory_iterator(dir_)) {
      const std::string name = e.path().filename().string();
      if (!e.is_regular_file() || temporaryName(name) || !matches(name)) continue;
      if (name.find('\n') != std::string::npos || name.find('\t') != std::string::npos) continue;
      const auto id = current(name);
      if (id && now - id->mtimeNs >= settle_ * 1000000) out.push_back(*id);
    }
    std::sort(out.begin(), out.end(),
              [](const FileId& a, const FileId& b) { return a.name < b.name; });
    return out;
  }

  ijro::spreadsheet::SheetRecords readFile(const fs::path& path, const FileId& f) const {
    if (f.size > maxFileBytes_)
      throw TableError(f.name + ": " + std::to_string(f.size) + " bytes, more than the " +
                           std::to_string(maxFileBytes_) + " of the option max_file_bytes",
                       "Split the sheet into smaller files, or raise max_file_bytes.");
    const std::int64_t revision = f.mtimeNs / 1000000000;
    // Only the folder's own regular file: a link (to /etc/passwd, to a file only the hub's user
    // may read) or a FIFO is refused unread, so nothing of it reaches a reason file or the log.
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      throw TableError(f.name + ": " +
                           (S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file") +
                           "; nothing of it was read",
                       "Drop the file itself into the folder, not a link to it.");
    if (lower(path.extension().string()) == ".csv") {
      std::string bytes;
      try {
        bytes = ijro::sdk::folder::readFile(path, maxFileBytes_);
      } catch (const std::runtime_error& e) {
        throw TableError(f.name + ": " + e.what(), "Drop the file itself into the folder again.");
      }
      const char delimiter = ijro::spreadsheet::csvDelimiterFor(delimiter_, bytes);
      return sheet_.records(ijro::spreadsheet::tableOfCsv(bytes, delimiter, f.name), revision);
    }
    auto book = ijro::tables::Workbook::openFile(path);
    if (!sheetName_.empty())
      return sheet_.records(ijro::spreadsheet::tableOf(book.sheet(sheetName_), book.date1904()),
                            revision);
    // The first sheet with a header row: a sheet of instructions before the table is passed by.
    std::optional<Table> first;
    for (std::size_t i = 0; i < book.sheetNames().size(); ++i) {
      Table t = ijro::spreadsheet::tableOf(book.sheet(i), book.date1904());
      if (sheet_.headerRow(t)) return sheet_.records(t, revision);
      if (!first) first = std::move(t);
    }
    return sheet_.records(*first, revision);  // refused, naming what the first sheet holds
  }

  void quarantine(const fs::path& path, const std::string& problem, const std::string& fix) {
    host().warn("spreadsheet: " + path.filename().string() + " quarantined: " + problem);
    host().counterAdd("files_quarantined");
    const fs::path moved = ijro::sdk::folder::moveInto(path, quarantineDir_);
    writeText(quarantineDir_ / (moved.filename().string() + ".reason.txt"),
              "spreadsheet could not read " + path.filename().string() + " (from " + dir_.string() +
                  ") and moved it here.\n\nWhat is wrong:\n  " + problem +
                  "\n\nHow to fix it:\n  " + (fix.empty() ? "Correct the file." : fix) +
                  " Then drop it into the folder again.\n");
  }

  fs::path dir_, processedDir_, quarantineDir_;
  std::vector<std::string> patterns_;
  std::int64_t settle_;
  std::uintmax_t maxFileBytes_;
  std::string sheetName_, delimiter_;
  HeaderNames names_;
  TrackingSheet sheet_;
};

}  // namespace

IJRO_DEFINE_SOURCE_PLUGIN(
    Spreadsheet, "spreadsheet", "1.0.0",
    "A region's tracking sheets (XLSX or CSV) from a folder: one row per measure, headers in "
    "Uzbek Latin or Cyrillic, Russian or English.",
    ijro::sdk::required(OptionType::Path, "directory", "The folder sheets are dropped into."),
    ijro::sdk::required(OptionType::String, "region",
                        "SOATO code of the region the sheets are about, e.g. 1703."),
    ijro::sdk::required(OptionType::String, "sector", "The sector of the measures, e.g. health."),
    ijro::sdk::option(OptionType::String, "act_type", "decree",
                      "Type of the act that set the measures."),
    ijro::sdk::required(OptionType::String, "act_number", "Number of the act, e.g. UP-6079."),
    ijro::sdk::required(OptionType::String, "act_date", "Date of the act (yyyy-mm-dd)."),
    ijro::sdk::option(OptionType::String, "rows", "measures",
                      "measures: one row per measure; tasks: one row per task of the measure "
                      "named by measure_id, measure_title and organisation."),
    ijro::sdk::option(OptionType::String, "measure_id", nullptr,
                      "rows=tasks: the measure the tasks belong to."),
    ijro::sdk::option(OptionType::String, "measure_title", nullptr,
                      "rows=tasks: the measure's title."),
    ijro::sdk::option(OptionType::String, "deadline", nullptr,
                      "rows=tasks: the measure's deadline; default: its latest task's."),
    ijro::sdk::option(OptionType::String, "measure_prefix", nullptr,
                      "Put before each row's number to make the measure id, e.g. DU2030-."),
    ijro::sdk::option(OptionType::String, "organisation", nullptr,
                      "The responsible organisation of rows whose executor cell is empty; "
                      "rows=tasks: the organisation responsible for the measure."),
    ijro::sdk::option(OptionType::String, "start", nullptr,
                      "Start date of measures when the sheet has no start column."),
    ijro::sdk::option(OptionType::String, "sheet", nullptr,
                      "The sheet to read; default: the first with a header row."),
    ijro::sdk::option(OptionType::Int, "header_row", "0",
                      "Row number of the header; 0 finds it among the first 20 rows."),
    ijro::sdk::option(OptionType::String, "headers", nullptr,
                      "More header names: field=Name|Name;... (fields: number, title, executor, "
                      "deadline, status, percent, comment, start, completed)."),
    ijro::sdk::option(OptionType::String, "status_values", nullptr,
                      "More status words: completed=Word|Word;inProgress=...;planned=...;"
                      "cancelled=...;suspended=..."),
    ijro::sdk::option(OptionType::String, "progress_indicator", "PROGRESS",
                      "Indicator code that carries the percent done."),
    ijro::sdk::option(OptionType::String, "pattern", "*.xlsx;*.csv",
                      "Files to read: globs separated by ';', case-insensitive."),
    ijro::sdk::option(OptionType::String, "delimiter", "auto",
                      "CSV: one character, tab, or auto (from the header line)."),
    ijro::sdk::option(OptionType::Path, "processed_dir", nullptr,
                      "Where read files go; default DIRECTORY/processed."),
    ijro::sdk::option(OptionType::Path, "quarantine_dir", nullptr,
                      "Where unreadable files and lists of rejected rows go; default "
                      "DIRECTORY/quarantine."),
    ijro::sdk::option(OptionType::Int, "settle_ms", "5000",
                      "A file is read once unchanged this long (its modification time)."),
    ijro::sdk::option(OptionType::Int, "max_file_bytes", "67108864",
                      "Larger files are quarantined."))
