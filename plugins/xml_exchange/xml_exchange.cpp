// xml-exchange: a sink that delivers each batch as status-report files (urn:ijro-hub:report:1,
// schemas/status-report.xsd) in an exchange folder, for a receiver that picks up files.
//
// A file appears whole or not at all: it is written as NAME.tmp, flushed to disk (fsync), renamed
// to NAME.xml without replacing anything (renameat2 RENAME_NOREPLACE, or link + unlink where the
// file system lacks it) and the folder is flushed too. NAME is PREFIX-YYYYMMDDTHHMMSSZ-NNNNNN: a
// UTC timestamp and a sequence number; a name already taken moves on to the next number, so
// names never collide, not even between instances or restarts.
//
// Answers: a record that cannot be written as a report (not the JSON form of an implementation,
// or text XML cannot carry) is IJRO_ERROR on its own. When the folder cannot be written (missing,
// not a folder, full, no permission), the batch is IJRO_RETRY as a whole if no file of it was
// written yet, else the records of the files not written are IJRO_RETRY each.
//
// The XML is the hub's own: the host writes it (Host::writeReportXml, ABI 1.1), so the files are
// exactly what the hub itself reads and the plugin needs nothing but the SDK.
#include <ijro_plugin.hpp>
#include <ijro_record.hpp>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace {

using ijro::sdk::Batch;
using ijro::sdk::Host;
using ijro::sdk::OptionType;
using ijro::sdk::Results;
using ijro::sdk::Status;

// An I/O failure: the folder cannot take the file right now.
struct WriteFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string errnoText(int err) {
  return std::strerror(err);
}

std::string utcStamp() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// A file descriptor closed on every path.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

void writeAll(int fd, const std::string& bytes, const std::string& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw WriteFailed("cannot write " + path + ": " + errnoText(errno));
    done += static_cast<std::size_t>(n);
  }
}

// Renames without replacing: false when `to` exists already.
bool renameNoReplace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
  if (errno == EEXIST) return false;
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
    throw WriteFailed("cannot rename " + from + " to " + to + ": " + errnoText(errno));
  // The file system has no RENAME_NOREPLACE: link() never replaces either.
  if (::link(from.c_str(), to.c_str()) != 0) {
    if (errno == EEXIST) return false;
    throw WriteFailed("cannot link " + from + " to " + to + ": " + errnoText(errno));
  }
  ::unlink(from.c_str());
  return true;
}

class XmlExchange : public ijro::sdk::Sink {
 public:
  explicit XmlExchange(Host& host)
      : dir_(host.optionString("directory")),
        prefix_(host.optionString("prefix")),
        source_(host.option("source").value_or("")),
        maxRecordsPerFile_(host.optionInt("max_records_per_file")) {
    if (prefix_.empty() ||
        prefix_.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
                                  "QRSTUVWXYZ0123456789._-") != std::string::npos)
      throw std::invalid_argument(
          "option \"prefix\" may hold only letters, digits, '.', '_' and "
          "'-', not \"" +
          prefix_ + "\"");
    if (maxRecordsPerFile_ < 1)
      throw std::invalid_argument("option \"max_records_per_file\" must be at least 1, not " +
                                  std::to_string(maxRecordsPerFile_));
    checkSource(host);
    while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
    std::error_code ec;
    if (!std::filesystem::is_directory(dir_, ec))
      host.warn("the exchange folder " + dir_ +
                " does not exist (yet): batches are retried until it does; create it or fix the "
                "option \"directory\"");
  }

  Status deliver(const Batch& batch, Results& results) override {
    std::size_t filesWritten = 0;
    const std::size_t perFile = static_cast<std::size_t>(maxRecordsPerFile_);
    for (std::size_t first = 0; first < batch.size();) {
      const std::size_t end = std::min(batch.size(), first + perFile);
      std::vector<std::size_t> group;  // positions in the batch
      for (std::size_t i = first; i < end; ++i) group.push_back(i);
      first = end;
      std::string xml;
      if (!serialise(batch, group, results, xml)) continue;
      try {
        const std::string name = writeFile(xml);
        ++filesWritten;
        host().counterAdd("files_written");
        host().counterAdd("records_written", static_cast<std::int64_t>(group.size()));
        host().debug("wrote " + name + " with " + std::to_string(group.size()) + " record(s)");
      } catch (const WriteFailed& e) {
        if (filesWritten == 0) throw ijro::sdk::RetryLater(advice(e.what()));
        host().warn(advice(e.what()));
        for (std::size_t i : group) results.set(i, Status::Retry);
        for (std::size_t i = first; i < batch.size(); ++i) results.set(i, Status::Retry);
        break;
      }
    }
    return Status::Ok;
  }

 private:
  // The hub refuses a source XML cannot carry: better said once at start than for every batch.
  void checkSource(const Host& host) const {
    if (source_.empty()) return;
    ijro::sdk::Implementation probe;
    probe.revision = 1;
    probe.measure = {"PROBE", "Probe", {"decree", "0", "2020-01-01", ""}};
    probe.region = "17";
    probe.organisation = probe.sector = "probe";
    probe.lifecycle = ijro::sdk::lifecycle::kPlanned;
    probe.start = probe.deadline = "2020-01-01";
    try {
      (void)host.writeReportXml(source_, std::vector<std::string>{probe.toJson()});
    } catch (const ijro::sdk::ReportWriteError& e) {
      throw std::invalid_argument(std::string("option \"source\": ") + e.what());
    }
  }

  std::string advice(const std::string& what) const {
    return what + " (does the exchange folder " + dir_ +
           " exist, is it a folder, and may the hub write to it?)";
  }

  void refuse(Results& results, std::size_t i, const std::string& why) {
    results.set(i, Status::Error);
    host().warn("record " + std::to_string(i + 1) + " of the batch cannot be written: " + why);
    host().counterAdd("records_refused");
  }

  // The report of a group of records, written by the host. Records it cannot write (not a
  // record, or text XML cannot carry) are refused and left out, and the others written.
  // False: nothing is left to write.
  bool serialise(const Batch& batch, std::vector<std::size_t>& group, Results& results,
                 std::string& xml) {
    while (!group.empty()) {
      std::vector<std::string_view> records;
      records.reserve(group.size());
      for (std::size_t i : group) records.push_back(batch[i]);
      try {
        xml = host().writeReportXml(source_, records);
        return true;
      } catch (const ijro::sdk::ReportWriteError& e) {
        if (e.problems().empty()) throw;  // not about a record: nothing of the batch is written
        std::vector<bool> refused(group.size(), false);
        for (const auto& p : e.problems()) {
          const std::size_t k = p.position - 1;
          if (k >= group.size() || refused[k]) continue;
          refused[k] = true;
          std::string why;
          for (const auto& r : p.reasons) why += (why.empty() ? "" : "; ") + r;
          refuse(results, group[k], why);
        }
        std::vector<std::size_t> rest;
        for (std::size_t k = 0; k < group.size(); ++k)
          if (!refused[k]) rest.push_back(group[k]);
        if (rest.size() == group.size()) throw;  // no record named: do not loop
        group = std::move(rest);
      }
    }
    return false;
  }

  // Writes one file atomically; returns its path. Throws WriteFailed.
  std::string writeFile(const std::string& xml) {
    const std::string stamp = utcStamp();
    for (int attempt = 0; attempt < 10000; ++attempt) {
      const std::string base = dir_ + "/" + prefix_ + "-" + stamp + "-" + sequence();
      const std::string tmp = base + ".tmp", final = base + ".xml";
      Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
      if (fd.get() < 0) {
        if (errno == EEXIST) continue;
        throw WriteFailed("cannot create " + tmp + ": " + errnoText(errno));
      }
      try {
        writeAll(fd.get(), xml, tmp);
        if (::fsync(fd.get()) != 0)
          throw WriteFailed("cannot flush " + tmp + " to disk: " + errnoText(errno));
        if (::close(fd.release()) != 0)
          throw WriteFailed("cannot close " + tmp + ": " + errnoText(errno));
        if (!renameNoReplace(tmp, final)) {
          ::unlink(tmp.c_str());
          continue;  // taken by another writer since: the next number
        }
      } catch (...) {
        ::unlink(tmp.c_str());
        throw;
      }
      syncFolder();
      return final;
    }
    throw WriteFailed("no free file name in " + dir_ + " after 10000 attempts");
  }

  // Makes the rename itself durable.
  void syncFolder() const {
    Fd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0 || ::fsync(dir.get()) != 0)
      throw WriteFailed("cannot flush the folder " + dir_ + " to disk: " + errnoText(errno));
  }

  std::string sequence() {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%06llu",
                  static_cast<unsigned long long>(++sequence_ % 1000000));
    return buf;
  }

  std::string dir_;
  std::string prefix_;
  std::string source_;
  std::int64_t maxRecordsPerFile_;
  std::uint64_t sequence_ = 0;
};

}  // namespace

IJRO_DEFINE_SINK_PLUGIN(
    XmlExchange, "xml-exchange", "1.0.0",
    "Writes each batch as status-report XML files into an exchange folder, atomically.",
    ijro::sdk::required(OptionType::Path, "directory",
                        "The exchange folder; it must exist (it is not created)."),
    ijro::sdk::option(OptionType::String, "prefix", "ijro-report",
                      "File names are PREFIX-YYYYMMDDTHHMMSSZ-NNNNNN.xml."),
    ijro::sdk::option(OptionType::Int, "max_records_per_file", "1000",
                      "A batch larger than this is split into several files."),
    ijro::sdk::option(OptionType::String, "source", nullptr,
                      "The report's source attribute, e.g. the sending hub's id (default: left "
                      "out)."))
