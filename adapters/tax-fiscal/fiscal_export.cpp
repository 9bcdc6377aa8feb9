#include "fiscal_export.hpp"

#include <ijro_json.hpp>
#include <ijro_record.hpp>

#include <tables/table_error.hpp>
#include <tables/xml_reader.hpp>

#include <boost/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

namespace ijro::tax_fiscal {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kRegistrationFields = {
    "registration_number", "fiscal_drive", "stir", "place", "registered_on", "deregistered_on"};
const std::vector<std::string> kReceiptFields = {
    "registration_number", "fiscal_drive", "document_number", "issued_at", "total", "fiscal_sign"};
constexpr std::size_t kMaxLineBytes = 1 << 20;

bool digits(const std::string& s, std::size_t from = 0, std::size_t to = std::string::npos) {
  if (to == std::string::npos) to = s.size();
  if (from >= to) return false;
  for (std::size_t i = from; i < to; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

int number(const std::string& s, std::size_t from, std::size_t n) {
  return std::stoi(s.substr(from, n));
}

std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

unsigned daysInMonth(int y, int m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

// "YYYY-MM-DD" at `from`: the day, or nullopt with `problem` set.
std::optional<std::int64_t> dateAt(const std::string& s, std::size_t from, std::string* problem) {
  if (s.size() < from + 10 || !digits(s, from, from + 4) || s[from + 4] != '-' ||
      !digits(s, from + 5, from + 7) || s[from + 7] != '-' || !digits(s, from + 8, from + 10)) {
    if (problem) *problem = "not of the form YYYY-MM-DD";
    return std::nullopt;
  }
  const int y = number(s, from, 4), m = number(s, from + 5, 2), d = number(s, from + 8, 2);
  if (m < 1 || m > 12) {
    if (problem) *problem = "month " + std::to_string(m) + " does not exist";
    return std::nullopt;
  }
  if (d < 1 || static_cast<unsigned>(d) > daysInMonth(y, m)) {
    if (problem)
      *problem = "day " + std::to_string(d) + " of " + s.substr(from, 7) + " does not exist";
    return std::nullopt;
  }
  return daysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::string shown(const std::string& s) {
  std::string out = "\"";
  for (char c : s.substr(0, 80))
    out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  if (s.size() > 80) out += "...";
  return out + "\"";
}

// A JSON value as the text of a field; nullopt for an object or array.
std::optional<std::string> fieldText(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return std::string();
    case boost::json::kind::string:
      return std::string(v.get_string());
    case boost::json::kind::int64:
      return std::to_string(v.get_int64());
    case boost::json::kind::uint64:
      return std::to_string(v.get_uint64());
    case boost::json::kind::bool_:
      return std::string(v.get_bool() ? "true" : "false");
    case boost::json::kind::double_: {
      // Amounts: two decimals when the number has no more (1500.5 -> "1500.50"); otherwise all
      // its digits, which the check then refuses.
      const double d = v.get_double();
      char buf[64];
      const double cents = d * 100;
      if (std::fabs(cents - std::round(cents)) < 1e-6 * std::max(1.0, std::fabs(cents)))
        std::snprintf(buf, sizeof buf, "%.2f", d);
      else
        std::snprintf(buf, sizeof buf, "%.17g", d);
      return std::string(buf);
    }
    default:
      return std::nullopt;
  }
}

const std::vector<std::string>* fieldsOf(const std::string& type) {
  if (type == "registration") return &kRegistrationFields;
  if (type == "receipt") return &kReceiptFields;
  return nullptr;
}

// One JSON line as an entry.
Entry entryOfLine(const std::string& line, const std::string& where) {
  Entry e;
  e.where = where;
  boost::json::value doc;
  try {
    doc = ijro::sdk::json::parse(line, kMaxLineBytes, where);
  } catch (const std::exception& ex) {
    e.problem = std::string("not a JSON object: ") + ex.what();
    return e;
  }
  if (!doc.is_object()) {
    e.problem = "not a JSON object (each line holds one object)";
    return e;
  }
  const auto& o = doc.get_object();
  const auto type = o.find("type");
  if (type == o.end() || !type->value().is_string()) {
    e.problem = "field type: missing or not text; it must be \"registration\" or \"receipt\"";
    return e;
  }
  e.type = std::string(type->value().get_string());
  const auto* names = fieldsOf(e.type);
  if (names == nullptr) {
    e.problem = "field type: " + shown(e.type) + " is neither \"registration\" nor \"receipt\"";
    return e;
  }
  for (const auto& name : *names) {
    const auto it = o.find(name);
    if (it == o.end()) continue;
    auto text = fieldText(it->value());
    if (!text) {
      e.problem = "field " + name + ": an object or array where text or a number belongs";
      return e;
    }
    if (!text->empty()) e.fields[name] = std::move(*text);
  }
  return e;
}

std::string stripLine(std::string line, bool first) {
  if (first && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string emptyFix() {
  return "Export the file again: it must begin with the export line (JSON lines) or be a "
         "<fiscal_export as_of=\"...\"> document (XML).";
}

bool blank(const std::string& s) {
  return s.find_first_not_of(" \t") == std::string::npos;
}

std::string lowerExtension(const fs::path& p) {
  std::string ext = p.extension().string();
  for (char& c : ext)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return ext;
}

bool codeLike(const std::string& s) {
  if (s.empty() || s.size() > 40) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
          c == '_' || c == '/'))
      return false;
  return true;
}

Rejection reject(const Entry& e, const std::string& kind, const std::string& field,
                 const std::string& what) {
  return {kind, e.where + ", field " + field + ": " + what};
}

// A required field, or the rejection for its absence.
const std::string* need(const Entry& e, const std::string& field, std::optional<Rejection>& r) {
  const auto it = e.fields.find(field);
  if (it != e.fields.end()) return &it->second;
  if (!r) r = reject(e, "missing_field", field, "missing; every " + e.type + " needs it");
  return nullptr;
}

}  // namespace

std::optional<std::int64_t> parseDate(const std::string& text) {
  if (text.size() != 10) return std::nullopt;
  return dateAt(text, 0, nullptr);
}

std::optional<UnixSeconds> parseDateTime(const std::string& text, std::string* problem) {
  std::string why;
  auto fail = [&](const std::string& p) -> std::optional<UnixSeconds> {
    if (problem) *problem = p;
    return std::nullopt;
  };
  const char* form = "not of the form YYYY-MM-DDThh:mm:ss (with Z or +hh:mm, or Tashkent time)";
  if (text.size() < 19 || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      !digits(text, 11, 13) || !digits(text, 14, 16) || !digits(text, 17, 19))
    return fail(form);
  const auto day = dateAt(text, 0, &why);
  if (!day) return fail(why == "not of the form YYYY-MM-DD" ? form : why);
  const int h = number(text, 11, 2), mi = number(text, 14, 2), s = number(text, 17, 2);
  if (h > 23) return fail("hour " + std::to_string(h) + " does not exist");
  if (mi > 59) return fail("minute " + std::to_string(mi) + " does not exist");
  if (s > 59) return fail("second " + std::to_string(s) + " does not exist");
  std::int64_t offset = kTashkentOffset;
  const std::string zone = text.substr(19);
  if (zone == "Z") {
    offset = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && digits(zone, 1, 3) &&
             zone[3] == ':' && digits(zone, 4, 6)) {
    const int zh = number(zone, 1, 2), zm = number(zone, 4, 2);
    if (zh > 14 || zm > 59) return fail("the offset " + zone + " does not exist");
    offset = (zone[0] == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
  } else if (!zone.empty()) {
    return fail(form);
  }
  return *day * 86400 + h * 3600 + mi * 60 + s - offset;
}

std::int64_t localDay(UnixSeconds t) {
  const std::int64_t local = t + kTashkentOffset;
  return local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
}

std::string dateText(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(y), m, d);
  return buf;
}

// ---- ExportFile ----

ExportFile::ExportFile(fs::path path, std::string name, std::uintmax_t maxXmlBytes)
    : path_(std::move(path)), name_(std::move(name)), xml_(lowerExtension(path_) == ".xml") {
  auto setAsOf = [&](const std::string& text, const std::string& where) {
    std::string problem;
    const auto t = parseDateTime(text, &problem);
    if (!t)
      throw FileError(where + ": the export's as_of " + shown(text) + " is " + problem,
                      "Write the time the export was taken as as_of, e.g. "
                      "2026-11-30T23:59:59+05:00.");
    asOf_ = *t;
    asOfText_ = text;
  };
  if (!xml_) {
    std::ifstream in(path_, std::ios::binary);
    if (!in) throw FileError(name_ + ": cannot be opened", "Check the file's permissions.");
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
      line = stripLine(std::move(line), ++n == 1);
      if (blank(line)) continue;
      const std::string where = name_ + ", line " + std::to_string(n);
      const char* fix =
          "Begin the file with the export line, e.g. "
          "{\"type\":\"export\",\"as_of\":\"2026-11-30T23:59:59+05:00\"}.";
      boost::json::value doc;
      try {
        doc = ijro::sdk::json::parse(line, kMaxLineBytes, where);
      } catch (const std::exception& e) {
        throw FileError(where + ": the export line is not JSON: " + e.what(), fix);
      }
      const auto* o = doc.if_object();
      const boost::json::value* type = o ? o->if_contains("type") : nullptr;
      const boost::json::value* asOf = o ? o->if_contains("as_of") : nullptr;
      if (!type || !type->is_string() || type->get_string() != "export")
        throw FileError(where + ": the first line is not the export line (type \"export\")", fix);
      if (!asOf || !asOf->is_string())
        throw FileError(where + ": the export line has no as_of text", fix);
      setAsOf(std::string(asOf->get_string()), where);
      return;
    }
    throw FileError(name_ + ": the file is empty (no export line)", emptyFix());
  }
  // XML: read and checked whole before anything of it is used, so that a document broken half-way
  // changes nothing.
  std::error_code ec;
  const auto size = fs::file_size(path_, ec);
  if (ec) throw FileError(name_ + ": cannot be read: " + ec.message(), "Check the file.");
  if (size > maxXmlBytes)
    throw FileError(name_ + ": " + std::to_string(size) + " bytes, more than max_xml_bytes (" +
                        std::to_string(maxXmlBytes) + ")",
                    "Export JSON lines (read line by line, no limit) or split the export.");
  std::ifstream in(path_, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw FileError(name_ + ": cannot be read", "Check the file.");
  const std::string bytes = std::move(text).str();
  try {
    ijro::tables::XmlReader r(bytes, name_, maxXmlBytes, 16);
    bool root = false;
    std::map<std::string, std::size_t> index;
    while (r.next()) {
      if (!r.isStart()) continue;
      if (r.depth() == 0) {
        if (r.name() != "fiscal_export")
          r.fail("the root element is <" + std::string(r.name()) + ">, not <fiscal_export>");
        auto asOf = r.attribute("as_of");
        if (!asOf) r.fail("<fiscal_export> has no as_of attribute");
        setAsOf(*asOf, r.where() + "<fiscal_export>");
        root = true;
        continue;
      }
      if (r.depth() != 1) continue;  // inside an entry: not part of the contract, ignored
      Entry e;
      e.type = std::string(r.name());
      const std::size_t i = ++index[e.type];
      // The line the element starts on, and its path (which stays true if the file is re-wrapped).
      e.where = name_ + ", line " + std::to_string(r.elementLine()) + ", /fiscal_export/" + e.type +
                "[" + std::to_string(i) + "]";
      if (const auto* names = fieldsOf(e.type)) {
        for (const auto& n : *names)
          if (auto v = r.attribute(n); v && !v->empty()) e.fields[n] = *v;
      } else {
        e.problem = "element <" + e.type + "> is neither <registration> nor <receipt>";
      }
      xmlEntries_.push_back(std::move(e));
    }
    if (!root) throw FileError(name_ + ": no <fiscal_export> element", emptyFix());
  } catch (const ijro::tables::TableError& e) {
    throw FileError(e.what(),
                    e.fix().empty() ? "Export well-formed XML (README.md, \"XML\")." : e.fix());
  }
}

void ExportFile::forEach(const std::function<void(const Entry&)>& f) const {
  if (xml_) {
    for (const auto& e : xmlEntries_) f(e);
    return;
  }
  std::ifstream in(path_, std::ios::binary);
  if (!in) throw FileError(name_ + ": cannot be opened any more", "Check the file.");
  std::string line;
  std::size_t n = 0;
  bool header = true;
  while (std::getline(in, line)) {
    line = stripLine(std::move(line), ++n == 1);
    if (blank(line)) continue;
    if (header) {  // the export line, read by the constructor
      header = false;
      continue;
    }
    const std::string where = name_ + ", line " + std::to_string(n);
    if (line.size() > kMaxLineBytes) {
      Entry e;
      e.where = where;
      e.problem = "the line has " + std::to_string(line.size()) + " bytes, more than 1 MiB";
      f(e);
      continue;
    }
    f(entryOfLine(line, where));
  }
}

// ---- State ----

bool State::seen(const std::string& drive, std::int64_t document) const {
  const auto d = documents.find(drive);
  if (d == documents.end()) return false;
  auto it = d->second.upper_bound(document);
  if (it == d->second.begin()) return false;
  --it;
  return document <= it->second;
}

void State::add(const std::string& drive, std::int64_t document) {
  auto& ranges = documents[drive];
  auto next = ranges.upper_bound(document);
  // Join the range before when it ends just before (or covers) the number.
  if (next != ranges.begin()) {
    auto prev = std::prev(next);
    if (document <= prev->second) return;
    if (document == prev->second + 1) {
      prev->second = document;
      if (next != ranges.end() && next->first == document + 1) {
        prev->second = next->second;
        ranges.erase(next);
      }
      return;
    }
  }
  if (next != ranges.end() && next->first == document + 1) {
    const std::int64_t last = next->second;
    ranges.erase(next);
    ranges[document] = last;
    return;
  }
  ranges[document] = document;
}

std::string State::serialize() const {
  boost::json::object o;
  o["format"] = "tax-fiscal-state 1";
  o["generation"] = generation;
  if (asOf) o["as_of"] = *asOf;
  boost::json::object regs;
  for (const auto& [number, r] : registers) {
    boost::json::object x;
    x["fiscal_drive"] = r.fiscalDrive;
    x["stir"] = r.stir;
    x["place"] = r.place;
    x["registered_on"] = r.registeredOn;
    if (r.deregisteredOn) x["deregistered_on"] = *r.deregisteredOn;
    if (r.lastReceipt) x["last_receipt"] = *r.lastReceipt;
    regs[number] = std::move(x);
  }
  o["registers"] = std::move(regs);
  boost::json::object docs;
  for (const auto& [drive, ranges] : documents) {
    boost::json::array a;
    for (const auto& [first, last] : ranges) a.push_back(boost::json::array{first, last});
    docs[drive] = std::move(a);
  }
  o["documents"] = std::move(docs);
  return boost::json::serialize(o);
}

State State::parse(const std::string& text, const std::string& what) {
  try {
    const auto doc = ijro::sdk::json::parse(text, std::size_t(1) << 34, what);
    ijro::sdk::json::Node root(doc);
    if (root["format"].str() != "tax-fiscal-state 1")
      throw std::runtime_error("not a tax-fiscal state (format)");
    State s;
    s.generation = static_cast<std::uint64_t>(root["generation"].integer());
    if (auto a = root.find("as_of")) s.asOf = a->integer();
    for (const auto& [number, v] : root["registers"].object()) {
      ijro::sdk::json::Node n(v, "$.registers." + std::string(number));
      Register r;
      r.fiscalDrive = n["fiscal_drive"].str();
      r.stir = n["stir"].str();
      r.place = n["place"].str();
      r.registeredOn = n["registered_on"].integer();
      if (auto d = n.find("deregistered_on")) r.deregisteredOn = d->integer();
      if (auto l = n.find("last_receipt")) r.lastReceipt = l->integer();
      s.registers.emplace(std::string(number), std::move(r));
    }
    for (const auto& [drive, v] : root["documents"].object()) {
      ijro::sdk::json::Node n(v, "$.documents." + std::string(drive));
      auto& ranges = s.documents[std::string(drive)];
      for (const auto& range : n.items()) ranges[range.at(0).integer()] = range.at(1).integer();
    }
    return s;
  } catch (const std::exception& e) {
    throw std::runtime_error(what + ": " + e.what());
  }
}

// ---- Intake ----

Rejection Intake::unreadable(const Entry& e) {
  return {"unreadable", e.where + ": " + e.problem};
}

std::optional<Rejection> Intake::registration(const Entry& e) {
  if (!e.problem.empty()) return unreadable(e);
  std::optional<Rejection> r;
  const auto* number = need(e, "registration_number", r);
  const auto* drive = need(e, "fiscal_drive", r);
  const auto* stir = need(e, "stir", r);
  const auto* place = need(e, "place", r);
  const auto* registered = need(e, "registered_on", r);
  if (r) return r;
  if (!codeLike(*number))
    return reject(e, "malformed_field", "registration_number",
                  shown(*number) + " is not a register number (1 to 40 letters, digits, - _ /)");
  if (!codeLike(*drive))
    return reject(e, "malformed_field", "fiscal_drive",
                  shown(*drive) + " is not a fiscal drive number (1 to 40 letters, digits, - _ /)");
  if (stir->size() != 9 || !digits(*stir))
    return reject(e, "malformed_field", "stir",
                  shown(*stir) + " is not a STIR (taxpayer number: exactly 9 digits)");
  if ((place->size() != 4 && place->size() != 7) || !digits(*place) || place->rfind("17", 0) != 0)
    return reject(e, "malformed_field", "place",
                  shown(*place) +
                      " is not a SOATO code of a region (4 digits) or district (7 digits), "
                      "starting with 17");
  std::string problem;
  const auto on = registered->size() == 10 ? dateAt(*registered, 0, &problem) : std::nullopt;
  if (!on)
    return reject(e, "impossible_date", "registered_on",
                  shown(*registered) + " is not a date: " +
                      (problem.empty() ? "not of the form YYYY-MM-DD" : problem));
  std::optional<std::int64_t> off;
  if (auto it = e.fields.find("deregistered_on"); it != e.fields.end()) {
    problem.clear();
    off = it->second.size() == 10 ? dateAt(it->second, 0, &problem) : std::nullopt;
    if (!off)
      return reject(e, "impossible_date", "deregistered_on",
                    shown(it->second) + " is not a date: " +
                        (problem.empty() ? "not of the form YYYY-MM-DD" : problem));
    if (*off < *on)
      return reject(e, "impossible_date", "deregistered_on",
                    it->second + " is before the register's registered_on " + *registered);
  }
  if (*on > localDay(file_.asOf()))
    return reject(e, "after_as_of", "registered_on",
                  *registered + " is after the export's as_of " + file_.asOfText() +
                      "; an export cannot hold a registration later than itself");
  Register& reg = state_.registers[*number];  // a later registration of a register replaces it
  reg.fiscalDrive = *drive;
  reg.stir = *stir;
  reg.place = *place;
  reg.registeredOn = *on;
  reg.deregisteredOn = off;
  return std::nullopt;
}

std::optional<Rejection> Intake::receipt(const Entry& e) {
  if (!e.problem.empty()) return unreadable(e);
  std::optional<Rejection> r;
  const auto* number = need(e, "registration_number", r);
  const auto* drive = need(e, "fiscal_drive", r);
  const auto* document = need(e, "document_number", r);
  const auto* at = need(e, "issued_at", r);
  const auto* total = need(e, "total", r);
  const auto* sign = need(e, "fiscal_sign", r);
  if (r) return r;
  if (sign->size() != 12 || !digits(*sign))
    return reject(e, "malformed_fiscal_sign", "fiscal_sign",
                  shown(*sign) +
                      " is not a fiscal sign: it must be exactly 12 decimal digits, as printed on "
                      "the receipt (export it as text, keeping leading zeros)");
  if (!digits(*document) || document->size() > 15 || std::stoll(*document) < 1)
    return reject(e, "malformed_field", "document_number",
                  shown(*document) + " is not a document number (a whole number from 1)");
  const std::int64_t doc = std::stoll(*document);
  std::string problem;
  const auto when = parseDateTime(*at, &problem);
  if (!when)
    return reject(e, "impossible_date", "issued_at",
                  shown(*at) + " is not a possible date and time: " + problem);
  {
    const bool negative = !total->empty() && (*total)[0] == '-';
    const std::string magnitude = negative ? total->substr(1) : *total;
    const auto dot = magnitude.find('.');
    const bool wellFormed =
        digits(magnitude, 0, dot == std::string::npos ? magnitude.size() : dot) &&
        (dot == std::string::npos
             ? magnitude.size() <= 15
             : dot <= 15 && magnitude.size() - dot - 1 >= 1 && magnitude.size() - dot - 1 <= 2 &&
                   digits(magnitude, dot + 1));
    if (!wellFormed)
      return reject(e, "malformed_field", "total",
                    shown(*total) +
                        " is not an amount in so'm (digits, at most 2 decimals for "
                        "tiyin, e.g. 15000.50)");
    if (negative && magnitude.find_first_not_of("0.") != std::string::npos)
      return reject(e, "negative_total", "total",
                    *total +
                        " is negative; a receipt's total is 0 or more (a refund is its own "
                        "document with a positive total)");
  }
  if (*when > file_.asOf())
    return reject(e, "after_as_of", "issued_at",
                  *at + " is after the export's as_of " + file_.asOfText() +
                      "; a receipt cannot be later than the export that carries it");
  const auto reg = state_.registers.find(*number);
  if (reg == state_.registers.end())
    return reject(e, "unknown_register", "registration_number",
                  "register " + shown(*number) +
                      " has no registration in this export or an earlier one; export its "
                      "registration with or before its receipts");
  if (localDay(*when) < reg->second.registeredOn)
    return reject(e, "before_registration", "issued_at",
                  *at + " is before register " + *number + " was registered (registered_on " +
                      dateText(reg->second.registeredOn) + ")");
  if (state_.seen(*drive, doc))
    return reject(e, "duplicate_document", "document_number",
                  "document " + *document + " of fiscal drive " + *drive +
                      " was already read, in this file or an earlier export; each fiscal "
                      "document is counted once");
  state_.add(*drive, doc);
  auto& last = reg->second.lastReceipt;
  if (!last || *when > *last) last = *when;
  return std::nullopt;
}

// ---- Counting and records ----

std::map<std::string, RegionCounts> countByRegion(const State& state, UnixSeconds asOf,
                                                  std::int64_t windowSeconds) {
  std::map<std::string, RegionCounts> out;
  const std::int64_t day = localDay(asOf);
  for (const auto& [number, r] : state.registers) {
    RegionCounts& region = out[r.place.substr(0, 4)];
    const bool installed = r.registeredOn <= day && (!r.deregisteredOn || *r.deregisteredOn > day);
    const bool online = installed && r.lastReceipt && *r.lastReceipt <= asOf &&
                        *r.lastReceipt > asOf - windowSeconds;
    Counts* district = r.place.size() == 7 ? &region.districts[r.place] : nullptr;
    for (Counts* c : {&region.total, district}) {
      if (c == nullptr) continue;
      c->installed += installed ? 1 : 0;
      c->online += online ? 1 : 0;
    }
  }
  return out;
}

std::vector<std::string> records(const RecordSettings& settings,
                                 const std::map<std::string, RegionCounts>& counts,
                                 UnixSeconds asOf, std::int64_t revision) {
  std::set<std::string> regions;
  for (const auto& [region, c] : counts) regions.insert(region);
  for (const auto& [region, t] : settings.installedTargets) regions.insert(region);
  for (const auto& [region, t] : settings.onlineTargets) regions.insert(region);

  const std::int64_t day = localDay(asOf);
  // A day is [D, D+1]: the hub wants a period's start before its end.
  std::string start = dateText(day), end = dateText(day + 1);
  if (settings.monthly) {
    start = start.substr(0, 8) + "01";
    const int y = std::stoi(start.substr(0, 4)), m = std::stoi(start.substr(5, 2));
    end = start.substr(0, 8) + std::to_string(daysInMonth(y, m));
  }

  auto indicator = [&](const std::string& code, const std::string& name, bool online,
                       const std::map<std::string, double>& targets, const std::string& region) {
    ijro::sdk::Indicator ind;
    ind.code = code;
    ind.name = name;
    ind.unit = "registers";
    ind.mode = ijro::sdk::indicator_mode::kMerge;
    ijro::sdk::IndicatorPeriod p;
    p.start = start;
    p.end = end;
    const auto c = counts.find(region);
    const Counts total = c == counts.end() ? Counts{} : c->second.total;
    p.actual = static_cast<double>(online ? total.online : total.installed);
    if (auto t = targets.find(region); t != targets.end()) p.target = t->second;
    if (c != counts.end())
      for (const auto& [district, dc] : c->second.districts) {
        ijro::sdk::Breakdown b;
        b.dimension = "district";
        b.category = district;
        b.actual = static_cast<double>(online ? dc.online : dc.installed);
        p.breakdowns.push_back(std::move(b));
      }
    ind.periods.push_back(std::move(p));
    return ind;
  };

  auto base = [&](const MeasureSettings& m, const std::string& region) {
    ijro::sdk::Implementation impl;
    impl.revision = revision;
    impl.measure = {m.id, m.title, {settings.actType, settings.actNumber, settings.actDate, ""}};
    impl.region = region;
    impl.organisation = settings.organisation;
    impl.sector = "tax";
    impl.lifecycle = ijro::sdk::lifecycle::kInProgress;
    impl.start = settings.start;
    impl.deadline = m.deadline;
    return impl;
  };

  const std::string installedName = "Online cash registers installed",
                    onlineName = "Online cash registers sending receipts";
  std::vector<std::string> out;
  for (const auto& region : regions) {
    auto impl = base(settings.installed, region);
    impl.indicators.push_back(
        indicator(settings.installedCode, installedName, false, settings.installedTargets, region));
    auto online = indicator(settings.onlineCode, onlineName, true, settings.onlineTargets, region);
    if (settings.online.id == settings.installed.id) {
      impl.indicators.push_back(std::move(online));
      out.push_back(impl.toJson());
    } else {
      out.push_back(impl.toJson());
      auto second = base(settings.online, region);
      second.indicators.push_back(std::move(online));
      out.push_back(second.toJson());
    }
  }
  return out;
}

}  // namespace ijro::tax_fiscal
