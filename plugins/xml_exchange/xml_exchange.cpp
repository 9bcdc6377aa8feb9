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
#include <ijro_plugin.hpp>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <boost/json.hpp>

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

#include "hub/exchange/report.hpp"

namespace {

namespace json = boost::json;
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
    while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
    std::error_code ec;
    if (!std::filesystem::is_directory(dir_, ec))
      host.warn("the exchange folder " + dir_ +
                " does not exist (yet): batches are retried until it does; create it or fix the "
                "option \"directory\"");
  }

  Status deliver(const Batch& batch, Results& results) override {
    // Each record on its own: one that is not an implementation is refused, the others go on.
    std::vector<ijro::model::Implementation> records;
    std::vector<std::size_t> at;  // records[k] is batch[at[k]]
    for (std::size_t i = 0; i < batch.size(); ++i) {
      std::string why;
      if (auto impl = implementation(batch[i], why)) {
        records.push_back(std::move(*impl));
        at.push_back(i);
      } else {
        refuse(results, i, why);
      }
    }

    std::size_t filesWritten = 0;
    for (std::size_t first = 0; first < records.size();) {
      const std::size_t end =
          std::min(records.size(), first + static_cast<std::size_t>(maxRecordsPerFile_));
      std::vector<ijro::model::Implementation> group(
          records.begin() + static_cast<std::ptrdiff_t>(first),
          records.begin() + static_cast<std::ptrdiff_t>(end));
      std::vector<std::size_t> groupAt(at.begin() + static_cast<std::ptrdiff_t>(first),
                                       at.begin() + static_cast<std::ptrdiff_t>(end));
      first = end;
      std::string xml;
      if (!serialise(group, groupAt, results, xml)) continue;
      try {
        const std::string name = writeFile(xml);
        ++filesWritten;
        host().counterAdd("files_written");
        host().counterAdd("records_written", static_cast<std::int64_t>(group.size()));
        host().debug("wrote " + name + " with " + std::to_string(group.size()) + " record(s)");
      } catch (const WriteFailed& e) {
        if (filesWritten == 0) throw ijro::sdk::RetryLater(advice(e.what()));
        host().warn(advice(e.what()));
        for (std::size_t i : groupAt) results.set(i, Status::Retry);
        for (std::size_t k = first; k < records.size(); ++k) results.set(at[k], Status::Retry);
        break;
      }
    }
    return Status::Ok;
  }

 private:
  std::string advice(const std::string& what) const {
    return what + " (does the exchange folder " + dir_ +
           " exist, is it a folder, and may the hub write to it?)";
  }

  void refuse(Results& results, std::size_t i, const std::string& why) {
    results.set(i, Status::Error);
    host().warn("record " + std::to_string(i + 1) + " of the batch cannot be written: " + why);
    host().counterAdd("records_refused");
  }

  // The record as the hub's report codec reads it; nullopt (and why) when it is not one.
  static std::optional<ijro::model::Implementation> implementation(std::string_view text,
                                                                   std::string& why) {
    boost::system::error_code ec;
    json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
    if (ec || !v.is_object()) {
      why = ec ? "not JSON: " + ec.message() : "not a JSON object";
      return std::nullopt;
    }
    const std::string report =
        json::serialize(json::object{{"implementations", json::array{std::move(v)}}});
    try {
      auto parsed = ijro::exchange::parseReportJson(report);
      auto& rec = parsed.records.at(0);
      if (rec.record && rec.errors.empty()) return std::move(rec.record);
      for (const auto& e : rec.errors) why += (why.empty() ? "" : "; ") + e;
    } catch (const std::exception& e) {
      why = e.what();
    }
    return std::nullopt;
  }

  // The report of a group. Text XML cannot carry is refused when written: then the records are
  // tried one by one and those that fail are refused (and left out). False: nothing to write.
  bool serialise(std::vector<ijro::model::Implementation>& group, std::vector<std::size_t>& groupAt,
                 Results& results, std::string& xml) {
    try {
      xml = ijro::exchange::writeReportXml(source_, group);
      return true;
    } catch (const std::invalid_argument&) {
      // Some record holds such text: find it below.
    }
    std::vector<ijro::model::Implementation> ok;
    std::vector<std::size_t> okAt;
    for (std::size_t k = 0; k < group.size(); ++k) {
      try {
        (void)ijro::exchange::writeReportXml(source_, {group[k]});
        ok.push_back(std::move(group[k]));
        okAt.push_back(groupAt[k]);
      } catch (const std::invalid_argument& e) {
        refuse(results, groupAt[k], e.what());
      }
    }
    group = std::move(ok);
    groupAt = std::move(okAt);
    if (group.empty()) return false;
    xml = ijro::exchange::writeReportXml(source_, group);
    return true;
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
