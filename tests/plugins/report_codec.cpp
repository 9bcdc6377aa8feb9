// A transform written with the C++ SDK that drives the status-report services of ABI 1.1, so that
// the tests can reach them from inside a hook, as a plugin does. What it does depends on `mode`:
//   round_trip    writes the record as a report (source: the option `source`) and reads it back:
//                 the output is the record as the hub read it
//   read          the input is a report's XML (limit: the option `max_bytes`); the output lists
//                 its records, one per line, then one line "problem: ..." per unreadable one
//   write         the input is records, one per line; the output is the report's XML
//   keep          reads the input (XML) twice through the raw C callback and returns the first
//                 result's first record after the second call: results live until the hook
//                 returns
//   other_thread  calls readReportXml from another thread than the hook's (refused)
// Failures come back as the hook's message: the exception's what(), and for a report that cannot
// be written, " | " and each problem.
#include <ijro_plugin.hpp>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using ijro::sdk::OptionType;

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    out.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

class ReportCodec : public ijro::sdk::Transform {
 public:
  ReportCodec()
      : mode_(host().optionString("mode")),
        source_(host().option("source").value_or("")),
        maxBytes_(static_cast<std::size_t>(host().optionInt("max_bytes"))) {}

  std::optional<std::string> transform(std::string_view input) override {
    try {
      return run(input);
    } catch (const ijro::sdk::ReportWriteError& e) {
      std::string what = e.what();
      for (const auto& p : e.problems()) what += " | " + p.describe("record");
      throw std::runtime_error(what);
    }
  }

 private:
  std::string run(std::string_view input) const {
    if (mode_ == "round_trip") {
      const std::string xml = host().writeReportXml(source_, std::vector<std::string_view>{input});
      ijro::sdk::StatusReport back = host().readReportXml(xml);
      if (back.records.size() != 1 || !back.unreadable.empty() || back.source != source_)
        throw std::runtime_error("the report did not read back as written: " + xml);
      return back.records[0];
    }
    if (mode_ == "read") {
      ijro::sdk::StatusReport r = host().readReportXml(input, maxBytes_);
      std::string out = "source=" + r.source + "\n";
      for (const auto& rec : r.records) out += rec + "\n";
      for (const auto& p : r.unreadable) out += "problem: " + p.describe() + "\n";
      return out;
    }
    if (mode_ == "write") return host().writeReportXml(source_, lines(input));
    if (mode_ == "keep") {
      ijro_host* h = host().raw();
      const ijro_report_read* first = nullptr;
      const ijro_report_read* second = nullptr;
      h->api->callback_report_xml_read(h, input.data(), input.size(), 0, &first);
      h->api->callback_report_xml_read(h, input.data(), input.size(), 0, &second);
      if (first == nullptr || second == nullptr || first == second || first->record_count == 0)
        throw std::runtime_error("expected two separate results with records");
      return std::string(first->records[0].json, first->records[0].json_len);
    }
    if (mode_ == "other_thread") {
      std::string refusal = "not refused";
      std::thread t([&] {
        try {
          (void)host().readReportXml("<report/>");
        } catch (const std::exception& e) {
          refusal = e.what();
        }
      });
      t.join();
      throw std::runtime_error("from another thread: " + refusal);
    }
    throw std::invalid_argument("unknown mode \"" + mode_ + "\"");
  }

  std::string mode_;
  std::string source_;
  std::size_t maxBytes_;
};

}  // namespace

IJRO_DEFINE_TRANSFORM_PLUGIN(
    ReportCodec, "report-codec", "1.0.0", "Drives the status-report services (tests only).",
    ijro::sdk::option(OptionType::String, "mode", "round_trip",
                      "round_trip, read, write, keep or other_thread."),
    ijro::sdk::option(OptionType::String, "source", nullptr, "The source attribute written."),
    ijro::sdk::option(OptionType::Int, "max_bytes", "0", "The largest report read (0: default)."))
