// file-drop: a source that reads CSV and XML files dropped into a folder (see README.md).
//
// Each poll:
//   1. moves to processed_dir the files the previous poll read, if the hub committed that poll
//      (the checkpoint it hands back names them); so a file is moved aside only once its records
//      are stored, and after a crash it is either read again or moved, never lost or counted twice;
//   2. lists the folder and reads the settled files in name order: every CSV row or XML
//      implementation becomes one record; a file that cannot be read as a whole goes to
//      quarantine_dir with a reason file beside it (the SDK's folder helpers, ijro_folder.hpp:
//      settle time, temporary names, moving files aside);
//   3. commits a checkpoint naming the files it read (name, size, modification time).
//
// XML files are status reports, read by the host with the hub's safe XML reader and report codec
// (Host::readReportXml, ABI 1.1): the plugin parses no untrusted XML itself and needs nothing of
// the hub but the SDK.
#include <ijro_folder.hpp>
#include <ijro_plugin.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "csv_records.hpp"
#include "problem.hpp"
#include "text.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using ijro::file_drop::CsvMapping;
using ijro::file_drop::CsvSettings;
using ijro::file_drop::FileProblem;
using ijro::sdk::Context;
using ijro::sdk::Host;
using ijro::sdk::OptionType;
using ijro::sdk::RetryLater;
using ijro::sdk::Status;
using ijro::sdk::folder::FileId;
using ijro::sdk::folder::Inbox;

enum class Format { Csv, Xml, Auto };

Format formatOption(const std::string& v) {
  if (v == "csv") return Format::Csv;
  if (v == "xml") return Format::Xml;
  if (v == "auto") return Format::Auto;
  throw std::invalid_argument("option \"format\" must be csv, xml or auto, not \"" + v + "\"");
}

std::vector<std::string> patternsFor(const std::optional<std::string_view>& pattern, Format f) {
  if (pattern && !ijro::file_drop::trim(*pattern).empty())
    return ijro::file_drop::splitList(*pattern, ';');
  if (f == Format::Csv) return {"*.csv"};
  if (f == Format::Xml) return {"*.xml"};
  return {"*.csv", "*.xml"};
}

std::int64_t positive(const Host& host, const char* name) {
  const std::int64_t v = host.optionInt(name);
  if (v <= 0)
    throw std::invalid_argument(std::string("option \"") + name + "\" must be at least 1, not " +
                                std::to_string(v));
  return v;
}

// The checkpoint: the files the poll read, as JSON ({"files":[{"name","size","mtime"}]}).
std::string checkpointOf(const std::vector<FileId>& files) {
  json::array a;
  for (const auto& f : files)
    a.push_back(json::object{{"name", f.name}, {"size", f.size}, {"mtime", f.mtimeNs}});
  return json::serialize(json::object{{"version", 1}, {"files", std::move(a)}});
}

std::vector<FileId> filesOf(const std::optional<std::string>& checkpoint) {
  std::vector<FileId> out;
  if (!checkpoint || checkpoint->empty()) return out;
  boost::system::error_code ec;
  const json::value doc = json::parse(*checkpoint, ec);
  if (ec || !doc.is_object()) return out;  // not ours: start afresh (files are read again)
  const auto* files = doc.get_object().if_contains("files");
  if (files == nullptr || !files->is_array()) return out;
  for (const auto& f : files->get_array()) {
    const auto* o = f.if_object();
    if (o == nullptr) continue;
    const auto* name = o->if_contains("name");
    const auto* size = o->if_contains("size");
    const auto* mtime = o->if_contains("mtime");
    if (!name || !name->is_string() || !size || !mtime) continue;
    boost::system::error_code e1, e2;
    const auto sz = size->to_number<std::uintmax_t>(e1);
    const auto mt = mtime->to_number<std::int64_t>(e2);
    if (e1 || e2) continue;
    out.push_back(FileId{std::string(name->get_string()), sz, mt});
  }
  return out;
}

// A folder entry that is not a regular file of the folder itself: never read.
class NotAFile : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the file `name` of the folder `dir`, at most maxBytes. It is opened relative to the
// folder with O_NOFOLLOW, so a symbolic link (to /etc/passwd, to a file only root may read) is
// never followed, and checked with fstat, so a FIFO or a device is not read either: NotAFile.
// Any other failure: std::runtime_error (tried again at the next poll).
std::string readInFolder(const fs::path& dir, const std::string& name, std::uintmax_t maxBytes) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
    throw NotAFile("its name is not a file name of the folder");
  const int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd < 0)
    throw std::runtime_error("cannot open the folder " + dir.string() + ": " +
                             std::strerror(errno));
  const int fd = ::openat(dirFd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  const int openErrno = errno;
  ::close(dirFd);
  if (fd < 0) {
    if (openErrno == ELOOP) throw NotAFile("it is a symbolic link");
    throw std::runtime_error(std::string("cannot open it: ") + std::strerror(openErrno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw NotAFile("it is not a regular file");
  }
  std::string bytes;
  char chunk[65536];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw std::runtime_error(std::string("cannot read it: ") + std::strerror(err));
    }
    if (n == 0) break;
    bytes.append(chunk, static_cast<std::size_t>(n));
    if (bytes.size() > maxBytes) {
      ::close(fd);
      throw std::runtime_error("it grew beyond " + std::to_string(maxBytes) +
                               " bytes while it was read");
    }
  }
  ::close(fd);
  return bytes;
}

// A file name as messages and reason files show it: control characters (which a terminal
// would obey) become '?'.
std::string printable(std::string_view name) {
  std::string out(name);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

// What one file gave: the records to emit, and the XML implementations that could not be read.
struct FileRecords {
  std::vector<std::string> records;
  std::vector<std::string> rejected;  // one line per implementation, with the reasons
};

class FileDrop : public ijro::sdk::Source {
 public:
  explicit FileDrop(Host& host)
      : dir_(host.optionString("directory")),
        format_(formatOption(host.optionString("format"))),
        processedDir_(host.option("processed_dir") ? fs::path(*host.option("processed_dir"))
                                                   : dir_ / "processed"),
        quarantineDir_(host.option("quarantine_dir") ? fs::path(*host.option("quarantine_dir"))
                                                     : dir_ / "quarantine"),
        mapping_(csvSettings(host)),
        inbox_(dir_, patternsFor(host.option("pattern"), format_),
               std::chrono::milliseconds(settleMs(host))),
        maxFileBytes_(static_cast<std::uintmax_t>(positive(host, "max_file_bytes"))),
        maxRecordsPerPoll_(static_cast<std::size_t>(positive(host, "max_records_per_poll"))),
        maxFilesPerPoll_(static_cast<std::size_t>(positive(host, "max_files_per_poll"))) {
    const auto same = [](const fs::path& a, const fs::path& b) {
      const auto normal = [](const fs::path& p) {
        fs::path n = fs::weakly_canonical(p);
        return n.has_filename() ? n : n.parent_path();  // "in/" is "in"
      };
      return normal(a) == normal(b);
    };
    if (same(processedDir_, dir_) || same(quarantineDir_, dir_))
      throw std::invalid_argument(
          "processed_dir and quarantine_dir must not be the watched directory itself (" +
          dir_.string() + "): use subfolders or other folders");
    if (!fs::is_directory(dir_))
      host.warn("the folder " + dir_.string() +
                " does not exist (yet): each poll fails until it does; create it or fix the "
                "option \"directory\"");
  }

  Status poll(Context& ctx) override {
    finishCommitted(ctx);

    std::vector<FileId> candidates;
    try {
      candidates = inbox_.settled();
    } catch (const fs::filesystem_error& e) {
      throw RetryLater("cannot list the folder " + dir_.string() + ": " + e.code().message() +
                       " (does it exist, and may the hub read it?)");
    }

    std::vector<FileId> read;
    std::size_t emitted = 0;
    for (const FileId& file : candidates) {
      if (read.size() >= maxFilesPerPoll_) break;
      std::optional<FileRecords> got = readOne(ctx, file);
      if (!got) continue;
      if (!read.empty() && emitted + got->records.size() > maxRecordsPerPoll_)
        break;  // the next poll takes it
      // Read only what was settled: if the file changed meanwhile, wait for it to settle again.
      if (inbox_.current(file.name) != file) continue;
      for (const auto& r : got->records) ctx.emit(r);
      emitted += got->records.size();
      read.push_back(file);
      if (!got->rejected.empty()) rejected_[file.name] = std::move(got->rejected);
      ctx.counterAdd("files_read");
      ctx.counterAdd("records_emitted", static_cast<std::int64_t>(got->records.size()));
    }
    ctx.commitCheckpoint(checkpointOf(read));
    return Status::Ok;
  }

 private:
  static CsvSettings csvSettings(const Host& host) {
    CsvSettings s;
    s.columns = host.option("columns").value_or("");
    s.defaults = host.option("defaults").value_or("");
    s.dateFormat = host.optionString("date_format");
    s.lifecycleValues = host.option("lifecycle_values").value_or("");
    const std::string unknown = host.optionString("unknown_columns");
    if (unknown != "error" && unknown != "ignore")
      throw std::invalid_argument("option \"unknown_columns\" must be error or ignore, not \"" +
                                  unknown + "\"");
    s.ignoreUnknownColumns = unknown == "ignore";
    s.delimiter = ijro::tables::csvDelimiter(host.optionString("delimiter"));
    return s;
  }

  static std::int64_t settleMs(const Host& host) {
    const std::int64_t v = host.optionInt("settle_ms");
    if (v < 0)
      throw std::invalid_argument("option \"settle_ms\" must be 0 or more, not " +
                                  std::to_string(v));
    return v;
  }

  Format formatOf(const std::string& name) const {
    if (format_ != Format::Auto) return format_;
    return ijro::file_drop::lowerAscii(fs::path(name).extension().string()) == ".xml" ? Format::Xml
                                                                                      : Format::Csv;
  }

  // Moves aside the files of the last committed poll that are still here, as they were read.
  void finishCommitted(const Context& ctx) {
    for (const auto& m : inbox_.moveCommitted(filesOf(ctx.checkpoint()), processedDir_)) {
      if (!m.to) {
        rejected_.erase(m.file.name);  // moved already, or a new file of the same name
        continue;
      }
      ctx.counterAdd("files_processed");
      writeRejected(ctx, m.file, *m.to);
    }
  }

  // The XML implementations of a processed file that could not be forwarded, written beside
  // the quarantined files as NAME.rejected.txt.
  void writeRejected(const Context& ctx, const FileId& file, const fs::path& moved) {
    auto it = rejected_.find(file.name);
    if (it == rejected_.end()) return;
    const std::vector<std::string> lines = std::move(it->second);
    rejected_.erase(it);
    std::string text = "file-drop could not forward " + std::to_string(lines.size()) +
                       " implementation(s) of " + file.name + " (" + ijro::sdk::folder::utcNow() +
                       "); the other ones were stored and the file is now " + moved.string() +
                       ".\n\nWhat is wrong:\n";
    for (const auto& l : lines) text += "  - " + l + "\n";
    text +=
        "\nHow to fix it: correct these implementations (schemas/status-report.xsd describes "
        "each element) and drop a report with just them into " +
        dir_.string() + " again.\n";
    try {
      fs::create_directories(quarantineDir_);
      ijro::sdk::folder::writeTextFile(
          quarantineDir_ / (moved.filename().string() + ".rejected.txt"), text);
    } catch (const std::exception& e) {
      ctx.warn(std::string("cannot write the list of rejected implementations: ") + e.what());
    }
  }

  // The records of one file; nullopt when it was quarantined or cannot be read right now.
  std::optional<FileRecords> readOne(const Context& ctx, const FileId& file) {
    const fs::path path = dir_ / file.name;
    // The listing followed links (stat); what is read must be the folder's own regular file.
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      refuse(ctx, file, S_ISLNK(st.st_mode) ? "it is a symbolic link" : "it is not a regular file");
      return std::nullopt;
    }
    try {
      if (file.size > maxFileBytes_)
        throw FileProblem("the file has " + std::to_string(file.size) + " bytes, more than " +
                              std::to_string(maxFileBytes_) + " (option max_file_bytes)",
                          "Split it into smaller files, or raise the plugin option "
                          "max_file_bytes; then drop it into the folder again.");
      std::string bytes;
      try {
        bytes = readInFolder(dir_, file.name, maxFileBytes_);
      } catch (const NotAFile& e) {
        refuse(ctx, file, e.what());
        return std::nullopt;
      } catch (const std::exception& e) {
        ctx.warn("cannot read " + printable(path.string()) +
                 " now, trying again at the next poll: " + e.what());
        return std::nullopt;
      }
      FileRecords got = formatOf(file.name) == Format::Xml ? fromXml(bytes) : fromCsv(bytes, file);
      if (got.records.size() > maxRecordsPerPoll_)
        throw FileProblem("the file has " + std::to_string(got.records.size()) +
                              " records, more than one poll may carry (option "
                              "max_records_per_poll = " +
                              std::to_string(maxRecordsPerPoll_) + ")",
                          "Split it into smaller files, or raise max_records_per_poll (the hub "
                          "takes at most 100000 records per poll); then drop it into the folder "
                          "again.");
      for (const auto& line : got.rejected) ctx.warn(file.name + ": not forwarded: " + line);
      ctx.counterAdd("records_rejected", static_cast<std::int64_t>(got.rejected.size()));
      return got;
    } catch (const FileProblem& p) {
      quarantine(ctx, file, p);
      return std::nullopt;
    }
  }

  FileRecords fromCsv(const std::string& bytes, const FileId& file) const {
    FileRecords out;
    out.records = mapping_.records(bytes, ijro::sdk::folder::unixSeconds(file.mtimeNs));
    return out;
  }

  FileRecords fromXml(const std::string& bytes) const {
    ijro::sdk::StatusReport report;
    try {
      report = host().readReportXml(bytes, static_cast<std::size_t>(maxFileBytes_));
    } catch (const ijro::sdk::ReportXmlError& e) {
      throw FileProblem(e.what(),
                        "The file must be a status report (namespace urn:ijro-hub:report:1, see "
                        "schemas/status-report.xsd; check it with xmllint --schema "
                        "status-report.xsd FILE). Correct it and drop it into the folder again.");
    }
    FileRecords out;
    // Each readable implementation in the record form (the hub sets the source, not the file).
    out.records = std::move(report.records);
    for (const auto& p : report.unreadable) out.rejected.push_back(p.describe());
    if (out.records.empty()) {
      std::string all;
      for (const auto& r : out.rejected) all += "\n  - " + r;
      throw FileProblem("none of the implementations in the file can be read:" + all,
                        "Correct them (schemas/status-report.xsd describes each element) and "
                        "drop the file into the folder again.");
    }
    return out;
  }

  // A folder entry that is not a regular file (a symbolic link, a FIFO): never read. It is
  // renamed into quarantine_dir with NAME.reason.txt beside it (renamed only, never copied: a
  // copy would read through the link); if that fails it stays and is skipped, said once.
  void refuse(const Context& ctx, const FileId& file, const std::string& why) {
    const std::string name = printable(file.name);
    const std::string text =
        "file-drop refused " + name + " (" + ijro::sdk::folder::utcNow() + ", from " +
        dir_.string() + ") and moved it here: " + why +
        ".\n\nfile-drop reads only regular files that are in the folder itself, never through "
        "a symbolic link, which could point at any file the hub may read. Nothing of it was "
        "read.\n\nHow to fix it:\n  Copy or move the file itself into the folder instead of "
        "linking it.\n";
    std::error_code ec;
    fs::create_directories(quarantineDir_, ec);
    fs::path target = quarantineDir_ / file.name;
    const std::string stem = fs::path(file.name).stem().string();
    const std::string ext = fs::path(file.name).extension().string();
    for (int n = 1; fs::symlink_status(target, ec).type() != fs::file_type::not_found; ++n)
      target = quarantineDir_ / (stem + "." + std::to_string(n) + ext);
    if (::rename((dir_ / file.name).c_str(), target.c_str()) != 0) {
      const int err = errno;
      if (refused_.insert(file.name).second)
        ctx.warn("refused " + name + ": " + why + "; it is not read, and cannot be moved to " +
                 quarantineDir_.string() + " (" + std::strerror(err) +
                 "): remove it from the folder");
      return;
    }
    refused_.erase(file.name);
    try {
      ijro::sdk::folder::writeTextFile(
          quarantineDir_ / (target.filename().string() + ".reason.txt"), text);
    } catch (const std::exception& e) {
      ctx.warn(std::string("cannot write the reason file: ") + e.what());
    }
    ctx.warn("refused " + name + ": " + why + "; moved to " + printable(target.string()) +
             " unread");
    ctx.counterAdd("files_refused");
  }

  // Moves the file to quarantine_dir with NAME.reason.txt beside it.
  void quarantine(const Context& ctx, const FileId& file, const FileProblem& p) {
    const fs::path path = dir_ / file.name;
    fs::path moved;
    try {
      moved = ijro::sdk::folder::moveInto(path, quarantineDir_);
    } catch (const fs::filesystem_error& e) {
      throw RetryLater("cannot move the unreadable file " + path.string() + " to " +
                       quarantineDir_.string() + ": " + e.code().message() +
                       " (the file: " + p.what() + ")");
    }
    const std::string text = "file-drop could not read " + printable(file.name) + " (" +
                             ijro::sdk::folder::utcNow() + ", from " + dir_.string() +
                             ") and moved it here.\n\nWhat is wrong:\n  " + p.what() +
                             "\n\nHow to fix it:\n  " + p.fix() + "\n";
    try {
      ijro::sdk::folder::writeTextFile(quarantineDir_ / (moved.filename().string() + ".reason.txt"),
                                       text);
    } catch (const std::exception& e) {
      ctx.warn(std::string("cannot write the reason file: ") + e.what());
    }
    ctx.warn("quarantined " + printable(file.name) + " as " + printable(moved.string()) + ": " +
             p.what());
    ctx.counterAdd("files_quarantined");
  }

  fs::path dir_;
  Format format_;
  fs::path processedDir_;
  fs::path quarantineDir_;
  CsvMapping mapping_;
  Inbox inbox_;
  std::uintmax_t maxFileBytes_;
  std::size_t maxRecordsPerPoll_;
  std::size_t maxFilesPerPoll_;
  // Rejected XML implementations of files read but not yet moved aside, by file name. Lost on a
  // restart: then the list is simply not written.
  std::map<std::string, std::vector<std::string>> rejected_;
  std::set<std::string> refused_;  // entries refused but not moved: warned about once
};

}  // namespace

IJRO_DEFINE_SOURCE_PLUGIN(
    FileDrop, "file-drop", "1.0.0",
    "Reads CSV and XML status-report files dropped into a folder; one record per row or "
    "implementation.",
    ijro::sdk::required(OptionType::Path, "directory", "The folder files are dropped into."),
    ijro::sdk::option(OptionType::String, "pattern", nullptr,
                      "Which files to read: shell globs separated by ';', case-insensitive "
                      "(default: *.csv, *.xml or both, after format)."),
    ijro::sdk::option(OptionType::String, "format", "auto",
                      "csv, xml, or auto (by extension: .xml is XML, anything else CSV)."),
    ijro::sdk::option(OptionType::Path, "processed_dir", nullptr,
                      "Where read files are moved (default: DIRECTORY/processed)."),
    ijro::sdk::option(OptionType::Path, "quarantine_dir", nullptr,
                      "Where unreadable files go, with NAME.reason.txt beside them (default: "
                      "DIRECTORY/quarantine)."),
    ijro::sdk::option(OptionType::Int, "settle_ms", "5000",
                      "A file is read only when its size and modification time have not changed "
                      "for this many milliseconds."),
    ijro::sdk::option(OptionType::String, "columns", nullptr,
                      "CSV: field=Column name pairs separated by ';' for columns not named as "
                      "the fields (e.g. organisation=Executor;measure_id=Measure ID)."),
    ijro::sdk::option(OptionType::String, "defaults", nullptr,
                      "CSV: field=value pairs separated by ';' for fields the file lacks (e.g. "
                      "sector=education;act_type=decree)."),
    ijro::sdk::option(OptionType::String, "delimiter", ",",
                      "CSV: the field delimiter, one character or \"tab\"."),
    ijro::sdk::option(OptionType::String, "date_format", "YYYY-MM-DD",
                      "CSV: how dates are written: YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY or "
                      "MM/DD/YYYY."),
    ijro::sdk::option(OptionType::String, "lifecycle_values", nullptr,
                      "CSV: words of the file for each life-cycle value, e.g. "
                      "inProgress=Jarayonda|In work;completed=Bajarildi."),
    ijro::sdk::option(OptionType::String, "unknown_columns", "error",
                      "CSV: error (quarantine a file with a column not mapped to a field) or "
                      "ignore."),
    ijro::sdk::option(OptionType::Int, "max_file_bytes", "67108864",
                      "Larger files are quarantined."),
    ijro::sdk::option(OptionType::Int, "max_records_per_poll", "50000",
                      "Records one poll emits at most; files are never split between polls."),
    ijro::sdk::option(OptionType::Int, "max_files_per_poll", "100",
                      "Files one poll reads at most."))
