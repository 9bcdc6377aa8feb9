// ijro_progress.hpp: progress of a long read (a large file, a paged API) for a plugin's log and
// metrics. Header-only C++17 over ijro_plugin.hpp.
//
//   ijro::sdk::Progress progress(host(), "orgs.csv", totalRows);   // total: nullopt if unknown
//   for (...) { ok ? progress.done() : progress.rejected(); }
//   progress.finish();
//
// It counts rows done and rows rejected, computes the rate (rows per second since the start) and,
// where the total is known, the time left at that rate. At most once every `logEvery` (10 s by
// default) and at finish() it logs one line and sets the gauges <prefix>rows_done,
// <prefix>rows_rejected, <prefix>rows_per_second and, with a total, <prefix>seconds_left
// (ABI 1.2; on an older hub only the log line is written). Not thread-safe: one reader, one
// Progress.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "ijro_plugin.hpp"

namespace ijro::sdk {

class Progress {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;
  using LogLine = std::function<void(const std::string& line)>;
  using SetGauge = std::function<void(const std::string& name, double value)>;

  struct Snapshot {
    std::uint64_t done = 0, rejected = 0;
    std::optional<std::uint64_t> total;
    double elapsedSeconds = 0;
    double rowsPerSecond = 0;           // (done + rejected) / elapsed; 0 before any time
    std::optional<double> secondsLeft;  // with a total and a rate above 0
    std::optional<double> percent;      // with a total above 0
  };

  // Logs through the host and sets its gauges.
  Progress(const Host& host, std::string what, std::optional<std::uint64_t> total = std::nullopt,
           std::chrono::milliseconds logEvery = std::chrono::seconds(10), Now now = Clock::now,
           std::string gaugePrefix = {})
      : Progress(
            std::move(what), total, logEvery, std::move(now),
            [host](const std::string& line) { host.info(line); },
            [host](const std::string& name, double value) {
              if (host.hasGauges()) host.gaugeSet(name.c_str(), value);
            },
            std::move(gaugePrefix)) {}

  // Logs and sets gauges through the functions given (tests, or a plugin with its own log).
  Progress(std::string what, std::optional<std::uint64_t> total, std::chrono::milliseconds logEvery,
           Now now, LogLine log, SetGauge gauge, std::string gaugePrefix = {})
      : what_(std::move(what)),
        total_(total),
        logEvery_(logEvery),
        now_(std::move(now)),
        log_(std::move(log)),
        gauge_(std::move(gauge)),
        prefix_(std::move(gaugePrefix)),
        start_(now_()),
        lastReport_(start_) {}

  void done(std::uint64_t rows = 1) {
    done_ += rows;
    maybeReport();
  }
  void rejected(std::uint64_t rows = 1) {
    rejected_ += rows;
    maybeReport();
  }
  void setTotal(std::optional<std::uint64_t> total) { total_ = total; }

  Snapshot snapshot() const {
    Snapshot s;
    s.done = done_;
    s.rejected = rejected_;
    s.total = total_;
    s.elapsedSeconds = std::chrono::duration<double>(now_() - start_).count();
    const double processed = static_cast<double>(done_ + rejected_);
    if (s.elapsedSeconds > 0) s.rowsPerSecond = processed / s.elapsedSeconds;
    if (total_ && *total_ > 0) s.percent = 100.0 * processed / static_cast<double>(*total_);
    if (total_ && s.rowsPerSecond > 0) {
      const double left = static_cast<double>(*total_) - processed;
      s.secondsLeft = left > 0 ? left / s.rowsPerSecond : 0.0;
    }
    return s;
  }

  // "orgs.csv: 1200 of 5000 rows (24%), 3 rejected, 400 rows/s, about 10 s left"
  static std::string describe(const std::string& what, const Snapshot& s) {
    char buffer[256];
    std::string line = what + ": " + std::to_string(s.done + s.rejected);
    if (s.total) {
      line += " of " + std::to_string(*s.total) + " rows";
      if (s.percent) {
        std::snprintf(buffer, sizeof buffer, " (%.0f%%)", *s.percent);
        line += buffer;
      }
    } else {
      line += " rows";
    }
    line += ", " + std::to_string(s.rejected) + " rejected";
    std::snprintf(buffer, sizeof buffer, ", %.0f rows/s", s.rowsPerSecond);
    line += buffer;
    if (s.secondsLeft) {
      std::snprintf(buffer, sizeof buffer, ", about %.0f s left", *s.secondsLeft);
      line += buffer;
    }
    return line;
  }

  // Reports now, whatever the time since the last report: the closing line of the read.
  void finish() { report(); }

  std::uint64_t reports() const { return reports_; }  // lines logged so far

 private:
  void maybeReport() {
    if (now_() - lastReport_ >= logEvery_) report();
  }
  void report() {
    lastReport_ = now_();
    ++reports_;
    const Snapshot s = snapshot();
    if (log_) log_(describe(what_, s));
    if (gauge_) {
      gauge_(prefix_ + "rows_done", static_cast<double>(s.done));
      gauge_(prefix_ + "rows_rejected", static_cast<double>(s.rejected));
      gauge_(prefix_ + "rows_per_second", s.rowsPerSecond);
      if (s.secondsLeft) gauge_(prefix_ + "seconds_left", *s.secondsLeft);
    }
  }

  std::string what_;
  std::optional<std::uint64_t> total_;
  std::chrono::milliseconds logEvery_;
  Now now_;
  LogLine log_;
  SetGauge gauge_;
  std::string prefix_;
  Clock::time_point start_, lastReport_;
  std::uint64_t done_ = 0, rejected_ = 0, reports_ = 0;
};

}  // namespace ijro::sdk
