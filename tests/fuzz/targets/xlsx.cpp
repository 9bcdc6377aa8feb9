// Tracking sheets as the spreadsheet plugin reads them (plugins/spreadsheet): the bytes as a zip
// archive and XLSX workbook (sdk/tables: zip limits, the safe XML reader, shared strings, styles,
// cells, merged ranges), each sheet as a table and through the tracking-sheet reader to records.
// A file that cannot be read is a TableError (ZipError, XlsxError).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "header_names.hpp"
#include "tables/xlsx.hpp"
#include "tracking_sheet.hpp"

namespace sp = ijro::spreadsheet;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const sp::HeaderNames names("", "");
  static const sp::TrackingSheet sheet = [] {
    sp::SheetSettings s;
    s.region = "1703";
    s.sector = "health";
    s.actType = "resolution";
    s.actNumber = "PQ-1";
    s.actDate = "2026-01-15";
    s.measurePrefix = "M-";
    s.organisation = "Hokimiyat";
    s.start = "2026-01-01";
    return sp::TrackingSheet(s, names);
  }();
  ijro::tables::XlsxLimits limits;
  limits.zip.maxTotalBytes = 8u << 20;  // keep one input's work small; the limits are tested
  limits.zip.maxEntryBytes = 4u << 20;
  try {
    auto book = ijro::tables::Workbook::openMemory(
        std::string(reinterpret_cast<const char*>(data), size), "fuzz.xlsx", limits);
    for (std::size_t i = 0; i < book.sheetNames().size() && i < 4; ++i) {
      try {
        const auto t = sp::tableOf(book.sheet(i), book.date1904());
        (void)sheet.records(t, 1700000000);
      } catch (const ijro::tables::TableError&) {
      }
    }
  } catch (const ijro::tables::TableError&) {
  }
  return 0;
}
