// FHIR R4 MeasureReports and Bundles as the health-fhir adapter reads them (JSON or XML; the
// first byte picks which): the tree readers (fhir_tree.cpp) and the mapping to readings and
// records (measure_report.cpp). An unreadable file is an InputError; an unusable report a
// rejection.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fhir_tree.hpp"
#include "measure_report.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const health_fhir::Mapping mapping = [] {
    health_fhir::Shared shared;
    shared.actType = "resolution";
    shared.actNumber = "PQ-5590";
    shared.actDate = "2022-07-01";
    shared.start = "2014-01-01";
    shared.deadline = "2030-12-31";
    return health_fhir::Mapping(
        ijro::sdk::Table(std::vector<ijro::sdk::Table::Row>{
            {"Measure/CMS146", "UZ-SSV-146|CMS146|Children tested|%|Appropriate testing|80"},
            {"http://ohie.org/Measure/hiv-indicators", "M|C|N|persons|T"}}),
        ijro::sdk::Table(std::vector<ijro::sdk::Table::Row>{{"Organization/ZW01", "1703"},
                                                            {"Good Health Hospital", "1726"}}),
        shared);
  }();
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    const auto root = (data[0] & 1) ? health_fhir::parseXml(text, "fuzz.xml", 1u << 20)
                                    : health_fhir::parseJson(text, "fuzz.json", 1u << 20);
    std::vector<health_fhir::Reading> readings;
    std::vector<health_fhir::Rejection> rejections;
    health_fhir::read(root, mapping, "fuzz", readings, rejections);
    (void)health_fhir::records(readings, mapping, 7);
  } catch (const health_fhir::InputError&) {
  }
  return 0;
}
