// CSV files: the SDK's reader (sdk/tables parseCsv, parseCsvRecords) and the file-drop plugin's
// mapping of rows to records (plugins/file_drop csv_records). The first byte picks the delimiter
// and the date format; the rest is the file. A file that cannot be read is a TableError
// (file_drop's FileProblem); the mapping passes unconvertible values on as text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "csv_records.hpp"
#include "problem.hpp"
#include "tables/csv.hpp"

namespace {
const char kDelimiters[] = {',', ';', '\t', '|'};
const char* const kDateFormats[] = {"YYYY-MM-DD", "DD.MM.YYYY", "DD/MM/YYYY", "MM/DD/YYYY"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const char delimiter = kDelimiters[data[0] & 3];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    (void)ijro::tables::parseCsv(text, delimiter);
  } catch (const ijro::tables::TableError&) {
  }
  try {
    (void)ijro::tables::parseCsvRecords(text, delimiter, {"measure_id"});
  } catch (const ijro::tables::TableError&) {
  }
  try {
    ijro::file_drop::CsvSettings settings;
    settings.delimiter = delimiter;
    settings.dateFormat = kDateFormats[(data[0] >> 2) & 3];
    settings.lifecycleValues = "inProgress=In progress|Jarayonda;completed=Done|Bajarildi";
    settings.ignoreUnknownColumns = (data[0] & 16) != 0;
    if (data[0] & 32) settings.defaults = "region=1703;sector=health;revision=7";
    const ijro::file_drop::CsvMapping mapping(settings);
    (void)mapping.records(text, 1700000000);
  } catch (const ijro::file_drop::FileProblem&) {
  }
  return 0;
}
