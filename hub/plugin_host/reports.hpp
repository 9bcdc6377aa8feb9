// Status reports across the plugin ABI: the host side of callback_report_xml_read and
// callback_report_xml_write (ABI 1.1). Reading goes through the hub's safe XML reader and report
// codec (hub/exchange), writing through the same codec after each record has been checked as the
// hub checks a record a plugin emits. The results are the C structs of ijro_plugin.h together with
// the storage they point into, so that an Instance can keep them until the hook returns.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ijro_plugin.h"

namespace ijro::plugin_host {

// The problems of a result, as C structs pointing into strings kept here.
class ReportProblems {
 public:
  struct Problem {
    std::size_t position = 0;  // 1-based
    std::string measureId, region, organisation;
    std::vector<std::string> reasons;
  };
  void add(Problem p) { problems_.push_back(std::move(p)); }
  // The C view; call once every problem has been added (the pointers go into the strings above).
  void seal();
  std::size_t size() const { return problems_.size(); }
  const ijro_report_problem* data() const { return view_.empty() ? nullptr : view_.data(); }
  const std::vector<Problem>& problems() const { return problems_; }

 private:
  std::vector<Problem> problems_;
  std::vector<std::vector<const char*>> reasonViews_;
  std::vector<ijro_report_problem> view_;
};

// What callback_report_xml_read hands back. Not copyable: the C view points into it.
class ReportRead {
 public:
  ReportRead() = default;
  ReportRead(const ReportRead&) = delete;
  ReportRead& operator=(const ReportRead&) = delete;
  const ijro_report_read* c() const { return &view_; }
  bool read() const { return error_.empty(); }

 private:
  friend std::unique_ptr<ReportRead> readReportForPlugin(std::string_view, std::size_t);
  void seal();
  std::vector<std::string> records_;
  std::vector<ijro_record> recordView_;
  ReportProblems problems_;
  std::string source_, generatedAt_, error_;
  int errorLine_ = 0, errorColumn_ = 0;
  ijro_report_read view_{};
};

// What callback_report_xml_write hands back. Not copyable: the C view points into it.
class ReportWritten {
 public:
  ReportWritten() = default;
  ReportWritten(const ReportWritten&) = delete;
  ReportWritten& operator=(const ReportWritten&) = delete;
  const ijro_report_written* c() const { return &view_; }
  bool written() const { return error_.empty(); }

 private:
  friend std::unique_ptr<ReportWritten> writeReportForPlugin(std::string_view,
                                                             const std::vector<std::string_view>&,
                                                             std::size_t);
  void seal();
  std::string xml_;
  ReportProblems problems_;
  std::string error_;
  ijro_report_written view_{};
};

// The hub's default for the largest document a plugin may read (max_bytes 0).
std::size_t defaultReportBytes();

// Reads a status report with the safe reader, limited to maxBytes (0: defaultReportBytes()).
// Never throws for anything in the document: a document error is in the result.
std::unique_ptr<ReportRead> readReportForPlugin(std::string_view xml, std::size_t maxBytes);

// Writes the records (each checked as an emitted record: the JSON form, structure only, at most
// maxRecordBytes) as one status report; source "" or blank leaves the attribute out. When any
// record cannot be written, or the source holds text XML cannot carry, nothing is written and the
// result says why.
std::unique_ptr<ReportWritten> writeReportForPlugin(std::string_view source,
                                                    const std::vector<std::string_view>& records,
                                                    std::size_t maxRecordBytes);

}  // namespace ijro::plugin_host
