// Prints the intake benchmark's report template: 6 records for Tashkent City, with THREAD in
// the measure ids and REV as the revision, replaced per request by bench/intake.lua. With
// "changing", each record's note carries REV too, so every revision changes the content.
//   ijro-bench-template xml|json [changing]
#include <iostream>
#include <regex>
#include <string>

#include "bench/sample.hpp"
#include "hub/exchange/report.hpp"

int main(int argc, char** argv) {
  using namespace ijro;
  const std::string format = argc > 1 ? argv[1] : "xml";
  const bool changing = argc > 2 && std::string(argv[2]) == "changing";
  auto records = bench::sampleBatch(1, 6, 1, "I-THREAD");
  for (auto& r : records) {
    r.region = "1726";
    r.completed.reset();
    r.lifecycle = model::Lifecycle::InProgress;
    if (changing) r.note = "progress as of report REV";
  }
  if (format == "xml") {
    auto text = exchange::writeReportXml("tashkent-city", records);
    std::cout << std::regex_replace(text, std::regex("revision=\"1\""), "revision=\"REV\"");
  } else {
    auto text = exchange::writeReportJson("tashkent-city", records);
    std::cout << std::regex_replace(text, std::regex("\"revision\": ?1\\b"), "\"revision\":REV");
  }
}
