// The parts of tax-fiscal that need no host: reading an export of the online cash-register
// (fiscal) system, JSON lines or XML (README.md, "Export formats"), checking each registration and
// receipt, the state kept between exports (registers, last receipt per register, the document
// numbers seen per fiscal drive), and the counts per region and district at an as-of time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ijro::tax_fiscal {

// A file that cannot be read as an export at all (no export line, not well-formed XML, too
// large): it is quarantined with this reason. fix() says what the exporter should do.
class FileError : public std::runtime_error {
 public:
  FileError(const std::string& what, std::string fix)
      : std::runtime_error(what), fix_(std::move(fix)) {}
  const std::string& fix() const { return fix_; }

 private:
  std::string fix_;
};

// One object of an export (a JSON line or an XML element) with its fields as text.
struct Entry {
  std::string type;                           // "registration", "receipt" or what the file said
  std::map<std::string, std::string> fields;  // known fields given; empty text counts as absent
  std::string where;    // "x.jsonl, line 4" or "x.xml, /fiscal_export/receipt[2]"
  std::string problem;  // set when the object cannot be read at all (not JSON, no type ...)
};

// Seconds since 1970-01-01T00:00:00Z. Times without an offset are Tashkent time (+05:00).
using UnixSeconds = std::int64_t;
constexpr UnixSeconds kTashkentOffset = 5 * 3600;

// "2026-11-30" -> days since 1970-01-01; nullopt when not that form or no such day.
std::optional<std::int64_t> parseDate(const std::string& text);
// "2026-11-30T14:05:09", with "Z" or "+05:00" optionally; nullopt when not that form. `problem`
// says why (e.g. "hour 25 does not exist").
std::optional<UnixSeconds> parseDateTime(const std::string& text, std::string* problem = nullptr);
// Days since 1970-01-01 of the Tashkent date of a time.
std::int64_t localDay(UnixSeconds t);
// "2026-11-30"
std::string dateText(std::int64_t day);

// An export file: its as-of time and its entries, in order.
class ExportFile {
 public:
  // Reads the export line (JSON lines) or the root element (XML, read whole, at most
  // maxXmlBytes). Throws FileError. `name` is the file's name in messages.
  ExportFile(std::filesystem::path path, std::string name, std::uintmax_t maxXmlBytes);

  UnixSeconds asOf() const { return asOf_; }
  const std::string& asOfText() const { return asOfText_; }
  const std::string& name() const { return name_; }
  bool isXml() const { return xml_; }
  // Calls f for each entry in file order; JSON lines are read from the file, line by line, on
  // each call. Throws FileError when the file can no longer be read.
  void forEach(const std::function<void(const Entry&)>& f) const;

 private:
  std::filesystem::path path_;
  std::string name_;
  bool xml_ = false;
  UnixSeconds asOf_ = 0;
  std::string asOfText_;
  std::vector<Entry> xmlEntries_;
};

struct Register {
  std::string fiscalDrive, stir, place;  // place: SOATO, 4 (region) or 7 (district) digits
  std::int64_t registeredOn = 0;         // days since 1970-01-01
  std::optional<std::int64_t> deregisteredOn;
  std::optional<UnixSeconds> lastReceipt;
};

// What is kept between exports (serialised as JSON into the state folder; see README.md).
struct State {
  std::uint64_t generation = 0;
  std::optional<UnixSeconds> asOf;  // the latest as-of of an export read
  std::map<std::string, Register> registers;
  // fiscal drive -> ranges of document numbers seen, first -> last (numbers run on per drive,
  // so a drive's numbers are a few ranges, usually one).
  std::map<std::string, std::map<std::int64_t, std::int64_t>> documents;

  bool seen(const std::string& drive, std::int64_t document) const;
  void add(const std::string& drive, std::int64_t document);
  std::string serialize() const;
  // Throws std::runtime_error naming `what` when the text is not a state.
  static State parse(const std::string& text, const std::string& what);
};

// Why an entry was refused: kind (a counter name, e.g. "malformed_fiscal_sign") and the message.
struct Rejection {
  std::string kind;
  std::string message;
};

// Applies one export's entries to the state, checking each.
class Intake {
 public:
  Intake(State& state, const ExportFile& file) : state_(state), file_(file) {}
  // nullopt when applied; a rejection otherwise (the state is then unchanged).
  std::optional<Rejection> registration(const Entry& e);
  std::optional<Rejection> receipt(const Entry& e);
  // An entry that is neither (or unreadable).
  static Rejection unreadable(const Entry& e);

 private:
  State& state_;
  const ExportFile& file_;
};

// Registers installed and online in one place (a region, or a district of it).
struct Counts {
  std::int64_t installed = 0, online = 0;
};
struct RegionCounts {
  Counts total;
  std::map<std::string, Counts> districts;  // 7-digit SOATO -> counts
};

// Installed: registered on or before the as-of date and not deregistered on or before it.
// Online: installed, and its last receipt within `window` before the as-of time.
std::map<std::string, RegionCounts> countByRegion(const State& state, UnixSeconds asOf,
                                                  std::int64_t windowSeconds);

// What the options say about the records.
struct MeasureSettings {
  std::string id, title, deadline;
};
struct RecordSettings {
  MeasureSettings installed, online;  // the same id: one record with both indicators
  std::string installedCode = "KKM-INSTALLED", onlineCode = "KKM-ONLINE";
  std::string organisation, actType, actNumber, actDate, start;
  std::map<std::string, double> installedTargets, onlineTargets;  // region -> target
  bool monthly = false;  // period: the as-of month instead of the as-of day
};

// One record (JSON) per region and measure, with revision `revision`: regions with registers in
// the state, and regions with a target.
std::vector<std::string> records(const RecordSettings& settings,
                                 const std::map<std::string, RegionCounts>& counts,
                                 UnixSeconds asOf, std::int64_t revision);

}  // namespace ijro::tax_fiscal
