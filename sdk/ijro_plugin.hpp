// ijro_plugin.hpp: a header-only C++ SDK over the plugin ABI in ijro_plugin.h.
//
// An adapter is a small class; one macro turns it into a plugin:
//
//   class TaskSource : public ijro::sdk::Source {
//    public:
//     explicit TaskSource(ijro::sdk::Host& host) : url_(host.optionString("url")) {}
//     ijro::sdk::Status poll(ijro::sdk::Context& ctx) override {
//       for (const std::string& json : fetchSince(ctx.checkpoint())) ctx.emit(json);
//       ctx.commitCheckpoint(lastSeenId());
//       return ijro::sdk::Status::Ok;
//     }
//    private:
//     std::string url_;
//   };
//   IJRO_DEFINE_SOURCE_PLUGIN(TaskSource, "task-source", "1.0.0", "Tasks from the X system.",
//                             ijro::sdk::required(ijro::sdk::OptionType::String, "url",
//                                                 "Base URL of the X API."),
//                             ijro::sdk::option(ijro::sdk::OptionType::Int, "page_size", "100",
//                                               "Tasks fetched per request."))
//
// Sinks derive from ijro::sdk::Sink (deliver), transforms from ijro::sdk::Transform (transform).
// The class is constructed in on_create, from ijro::sdk::Host& if it has such a constructor, else
// by default, and destroyed in on_destroy. host() gives the host's services (options, log,
// counters, gauges, status-report XML) from the constructor on; Host is one pointer, so keep a copy
// if you want your own. Records are easiest built with ijro_record.hpp.
//
// No exception crosses the ABI: every hook catches. ijro::sdk::RetryLater becomes IJRO_RETRY,
// any other exception IJRO_ERROR, each with what() as the message the hub logs.
//
// C++17 or later. Build plugins with ijro_add_plugin() in CMake (hidden visibility and a version
// script): the only symbol the library exports is ijro_plugin_entry.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ijro_plugin.h"

namespace ijro::sdk {

enum class Status : ijro_status { Ok = IJRO_OK, Retry = IJRO_RETRY, Error = IJRO_ERROR };

enum class OptionType : std::int32_t {
  String = IJRO_OPTION_STRING,
  Int = IJRO_OPTION_INT,
  Double = IJRO_OPTION_DOUBLE,
  Bool = IJRO_OPTION_BOOL,
  Path = IJRO_OPTION_PATH,
  Table = IJRO_OPTION_TABLE,    // ABI 1.2: rows of key -> value (Host::optionTable)
  Secret = IJRO_OPTION_SECRET,  // ABI 1.2: text the hub never shows (Host::optionString)
};

enum class LogLevel : std::int32_t {
  Debug = IJRO_LOG_DEBUG,
  Info = IJRO_LOG_INFO,
  Warn = IJRO_LOG_WARN,
  Error = IJRO_LOG_ERROR,
};

// Throw from a hook to answer IJRO_RETRY (try again later) with what() as the message.
class RetryLater : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The hub running the plugin is older than a service needs (its host table lacks the callback):
// upgrade the hub, or do without the service.
class HostTooOld : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One implementation that could not be read from a status report or written into one.
struct ReportProblem {
  std::size_t position = 0;  // 1-based: in the report read, or among the records written
  std::string measureId, region, organisation;  // what could be read of it; "" otherwise
  std::vector<std::string> reasons;             // at least one, each naming the element or field

  // "implementation 2 (measure DU2030-1.2, region 1726): line 9: <sector>: missing; ..."
  std::string describe(const char* what = "implementation") const {
    std::string out = std::string(what) + " " + std::to_string(position);
    if (!measureId.empty()) {
      out += " (measure " + measureId;
      if (!region.empty()) out += ", region " + region;
      out += ")";
    }
    out += ": ";
    for (std::size_t i = 0; i < reasons.size(); ++i) out += (i > 0 ? "; " : "") + reasons[i];
    return out;
  }
};

// A status report (urn:ijro-hub:report:1) as Host::readReportXml read it.
struct StatusReport {
  std::string source;                     // its source attribute; "" when absent
  std::string generatedAt;                // its generatedAt attribute; "" when absent
  std::vector<std::string> records;       // the readable implementations, in the record form
  std::vector<ReportProblem> unreadable;  // the others, with their reasons
};

// A document that cannot be read as a status report at all (not well-formed, a DOCTYPE, invalid
// UTF-8, over the size limit, another root element). what(): "line L, column C: reason".
class ReportXmlError : public std::runtime_error {
 public:
  ReportXmlError(std::string reason, int line, int column)
      : std::runtime_error(where(line, column) + reason),
        reason_(std::move(reason)),
        line_(line),
        column_(column) {}
  const std::string& reason() const { return reason_; }
  int line() const { return line_; }      // 1-based, 0 when unknown
  int column() const { return column_; }  // 1-based, 0 when unknown

 private:
  static std::string where(int line, int column) {
    if (line <= 0) return "";
    return "line " + std::to_string(line) +
           (column > 0 ? ", column " + std::to_string(column) : std::string()) + ": ";
  }
  std::string reason_;
  int line_, column_;
};

// Records that Host::writeReportXml cannot write (nothing was written): what() is the hub's
// sentence naming the first; problems() names each by its 1-based position among the records.
class ReportWriteError : public std::runtime_error {
 public:
  ReportWriteError(const std::string& what, std::vector<ReportProblem> problems)
      : std::runtime_error(what), problems_(std::move(problems)) {}
  const std::vector<ReportProblem>& problems() const { return problems_; }

 private:
  std::vector<ReportProblem> problems_;
};

// A table option's rows (IJRO_OPTION_TABLE), in configured order; keys are non-empty and unique.
class Table {
 public:
  using Row = std::pair<std::string, std::string>;
  Table() = default;
  explicit Table(std::vector<Row> rows) : rows_(std::move(rows)) {}
  const std::vector<Row>& rows() const { return rows_; }
  std::size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  // The value of `key`, nullopt when the table has no such row.
  std::optional<std::string_view> find(std::string_view key) const {
    for (const Row& r : rows_)
      if (r.first == key) return std::string_view(r.second);
    return std::nullopt;
  }

 private:
  std::vector<Row> rows_;
};

// Parses the canonical text of a table (ijro_plugin.h, "Tables"): a JSON object of string
// members, keys non-empty and unique. Throws std::invalid_argument naming the byte offset and
// what is wrong. The hub checks tables with this same function before the plugin sees them.
inline Table parseTable(std::string_view text) {
  std::size_t at = 0;
  auto fail = [&](const std::string& what) -> std::invalid_argument {
    return std::invalid_argument("table option text at byte " + std::to_string(at) + ": " + what +
                                 " (expected a JSON object of strings, e.g. {\"key\":\"value\"})");
  };
  auto space = [&] {
    while (at < text.size() &&
           (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r'))
      ++at;
  };
  auto hex4 = [&]() -> unsigned {
    if (text.size() - at < 4) throw fail("a \\u escape needs four hex digits");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i, ++at) {
      const char c = text[at];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<unsigned>(c - 'A' + 10);
      else
        throw fail("a \\u escape needs four hex digits");
    }
    return v;
  };
  auto utf8 = [](std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  };
  auto string = [&]() -> std::string {
    if (at >= text.size() || text[at] != '"') throw fail("a string must start with '\"'");
    ++at;
    std::string out;
    while (true) {
      if (at >= text.size()) throw fail("a string is not closed");
      const char c = text[at++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) throw fail("a control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at >= text.size()) throw fail("a string ends in a backslash");
      const char e = text[at++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (text.substr(at, 2) != "\\u") throw fail("a lone surrogate in a \\u escape");
            at += 2;
            const unsigned low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) throw fail("a lone surrogate in a \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            throw fail("a lone surrogate in a \\u escape");
          }
          if (cp == 0) throw fail("a NUL character in a string");
          utf8(out, cp);
          break;
        }
        default:
          throw fail(std::string("an unknown escape \\") + e);
      }
    }
  };
  std::vector<Table::Row> rows;
  space();
  if (at >= text.size() || text[at] != '{') throw fail("it does not start with '{'");
  ++at;
  space();
  if (at < text.size() && text[at] == '}') {
    ++at;
  } else {
    while (true) {
      space();
      const std::size_t keyAt = at;
      std::string key = string();
      if (key.empty()) {
        at = keyAt;
        throw fail("row " + std::to_string(rows.size() + 1) + " has an empty key");
      }
      for (const auto& r : rows)
        if (r.first == key) {
          at = keyAt;
          throw fail("row " + std::to_string(rows.size() + 1) + ": key \"" + key +
                     "\" is already used by an earlier row");
        }
      space();
      if (at >= text.size() || text[at] != ':') throw fail("expected ':' after a key");
      ++at;
      space();
      std::string value = string();
      rows.emplace_back(std::move(key), std::move(value));
      space();
      if (at < text.size() && text[at] == ',') {
        ++at;
        continue;
      }
      if (at < text.size() && text[at] == '}') {
        ++at;
        break;
      }
      throw fail("expected ',' or '}' after a value");
    }
  }
  space();
  if (at != text.size()) throw fail("text after the closing '}'");
  return Table(std::move(rows));
}

// The canonical text of `rows` (ijro_plugin.h, "Tables"): what the hub hands a plugin and what a
// table option's default must look like.
inline std::string tableText(const std::vector<Table::Row>& rows) {
  auto quoted = [](std::string& out, std::string_view s) {
    static const char* const kHex = "0123456789abcdef";
    out += '"';
    for (char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\r') {
        out += "\\r";
      } else if (c == '\t') {
        out += "\\t";
      } else if (u < 0x20) {
        out += "\\u00";
        out += kHex[u >> 4];
        out += kHex[u & 0xF];
      } else {
        out += c;
      }
    }
    out += '"';
  };
  std::string out = "{";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out += ',';
    quoted(out, rows[i].first);
    out += ':';
    quoted(out, rows[i].second);
  }
  return out + "}";
}

// An optional option; defaultValue may be nullptr (no value unless configured).
constexpr ijro_option option(OptionType type, const char* name, const char* defaultValue,
                             const char* description) {
  return ijro_option{name, static_cast<std::int32_t>(type), 0, defaultValue, description};
}

// An option that must be configured.
constexpr ijro_option required(OptionType type, const char* name, const char* description) {
  return ijro_option{name, static_cast<std::int32_t>(type), 1, nullptr, description};
}

// The host's services for one instance; valid from construction until the instance is destroyed.
class Host {
 public:
  explicit Host(ijro_host* host) : host_(host) {}

  void log(LogLevel level, const std::string& message) const {
    host_->api->callback_log(host_, static_cast<std::int32_t>(level), message.c_str());
  }
  void debug(const std::string& m) const { log(LogLevel::Debug, m); }
  void info(const std::string& m) const { log(LogLevel::Info, m); }
  void warn(const std::string& m) const { log(LogLevel::Warn, m); }
  void error(const std::string& m) const { log(LogLevel::Error, m); }

  void counterAdd(const char* name, std::int64_t delta = 1) const {
    host_->api->callback_counter_add(host_, name, delta);
  }
  // Sets the gauge `name` ([a-z0-9_]) to value, exported on /metrics (ijro_plugin_gauge). Throws
  // HostTooOld on a hub before ABI 1.2.
  void gaugeSet(const char* name, double value) const {
    if (!IJRO_HOST_HAS(host_->api, callback_gauge_set))
      throw tooOld("setting a gauge (Host::gaugeSet)", "1.2");
    host_->api->callback_gauge_set(host_, name, value);
  }
  // Whether the hub can take gauges (ABI 1.2 or later), for a plugin that would rather skip them.
  bool hasGauges() const { return IJRO_HOST_HAS(host_->api, callback_gauge_set); }

  // The option's value after validation and defaults; nullopt when it has none. The view stays
  // valid until the instance is destroyed.
  std::optional<std::string_view> option(const char* name) const {
    const char* v = host_->api->callback_config_get(host_, name);
    if (v == nullptr) return std::nullopt;
    return std::string_view(v);
  }
  // Typed reads. The host has already checked each value against its declared type, so these
  // throw (std::invalid_argument, naming the option) only for an option without a value or one
  // read with another type than declared.
  std::string optionString(const char* name) const { return std::string(need(name)); }
  std::int64_t optionInt(const char* name) const {
    std::string text(need(name));
    std::size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(text, &used, 10);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != text.size()) throw badType(name, "an integer", text);
    return v;
  }
  double optionDouble(const char* name) const {
    std::string text(need(name));
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != text.size()) throw badType(name, "a number", text);
    return v;
  }
  bool optionBool(const char* name) const {
    std::string_view text = need(name);
    if (text == "true") return true;
    if (text == "false") return false;
    throw badType(name, "true or false", std::string(text));
  }
  // A table option's rows (OptionType::Table), already checked by the hub.
  Table optionTable(const char* name) const {
    try {
      return parseTable(need(name));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("option \"") + name + "\": " + e.what() +
                                  " (is it declared with another type than table?)");
    }
  }

  // Reads a status report (urn:ijro-hub:report:1) with the hub's safe XML reader: its readable
  // implementations in the record form (ready for Context::emit) and, for the others, where they
  // are and why. maxBytes: the largest document accepted (0: the hub's default, 8 MiB). Throws
  // ReportXmlError when the document as a whole cannot be read, HostTooOld on a hub before ABI
  // 1.1, std::runtime_error when the hub refuses the call (outside a hook: see its log). Inside
  // any hook, on its thread.
  StatusReport readReportXml(std::string_view xml, std::size_t maxBytes = 0) const {
    if (!IJRO_HOST_HAS(host_->api, callback_report_xml_read))
      throw tooOld("reading status-report XML (Host::readReportXml)", "1.1");
    const ijro_report_read* r = nullptr;
    const ijro_status s =
        host_->api->callback_report_xml_read(host_, xml.data(), xml.size(), maxBytes, &r);
    if (r == nullptr)
      throw std::runtime_error(
          "the hub refused to read a status report (called outside a hook? see the hub's log)");
    if (s != IJRO_OK) throw ReportXmlError(text(r->error), r->error_line, r->error_column);
    StatusReport out;
    out.source = text(r->source);
    out.generatedAt = text(r->generated_at);
    out.records.reserve(r->record_count);
    for (std::uint32_t i = 0; i < r->record_count; ++i)
      out.records.emplace_back(r->records[i].json, r->records[i].json_len);
    out.unreadable = problems(r->problems, r->problem_count);
    return out;
  }

  // Writes records (each one implementation in the record form) as one status report, valid
  // against schemas/status-report.xsd; source "" leaves the source attribute out. Throws
  // ReportWriteError, naming each record that is not a valid record or holds text XML cannot
  // carry (then nothing is written: write the others again without them), also for no records or
  // a source XML cannot carry; HostTooOld on a hub before ABI 1.1; std::runtime_error when the hub
  // refuses the call (outside a hook). Inside any hook, on its thread.
  std::string writeReportXml(std::string_view source,
                             const std::vector<std::string_view>& records) const {
    if (!IJRO_HOST_HAS(host_->api, callback_report_xml_write))
      throw tooOld("writing status-report XML (Host::writeReportXml)", "1.1");
    std::vector<ijro_record> items;
    items.reserve(records.size());
    for (std::string_view r : records) items.push_back(ijro_record{r.data(), r.size()});
    if (items.size() > std::numeric_limits<std::uint32_t>::max())
      throw std::length_error("more than 2^32-1 records for one status report");
    const std::string src(source);
    const ijro_report_written* w = nullptr;
    const ijro_status s = host_->api->callback_report_xml_write(
        host_, src.c_str(), items.data(), static_cast<std::uint32_t>(items.size()), &w);
    if (w == nullptr)
      throw std::runtime_error(
          "the hub refused to write a status report (called outside a hook? see the hub's log)");
    if (s != IJRO_OK || w->xml == nullptr)
      throw ReportWriteError(text(w->error), problems(w->problems, w->problem_count));
    return std::string(w->xml, w->xml_len);
  }
  std::string writeReportXml(std::string_view source,
                             const std::vector<std::string>& records) const {
    return writeReportXml(source, std::vector<std::string_view>(records.begin(), records.end()));
  }

  ijro_host* raw() const { return host_; }

 private:
  static std::string text(const char* s) { return s == nullptr ? std::string() : std::string(s); }
  static std::vector<ReportProblem> problems(const ijro_report_problem* p, std::uint32_t n) {
    std::vector<ReportProblem> out;
    out.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      ReportProblem one;
      one.position = p[i].position;
      one.measureId = text(p[i].measure_id);
      one.region = text(p[i].region);
      one.organisation = text(p[i].organisation);
      for (std::uint32_t k = 0; k < p[i].reason_count; ++k)
        one.reasons.push_back(text(p[i].reasons[k]));
      out.push_back(std::move(one));
    }
    return out;
  }
  HostTooOld tooOld(const char* what, const char* abi) const {
    return HostTooOld(std::string(what) + " needs a hub with plugin ABI " + abi +
                      " or later, but this " + "hub implements ABI " +
                      std::to_string(host_->api->abi_major) + "." +
                      std::to_string(host_->api->abi_minor) +
                      ": upgrade ijro-hub, or build the plugin without this service");
  }
  std::string_view need(const char* name) const {
    auto v = option(name);
    if (!v)
      throw std::invalid_argument(std::string("option \"") + name +
                                  "\" has no value: declare a default or make it required");
    return *v;
  }
  static std::invalid_argument badType(const char* name, const char* what,
                                       const std::string& text) {
    return std::invalid_argument(std::string("option \"") + name + "\" is not " + what + ": \"" +
                                 text + "\" (is it declared with another type?)");
  }

  ijro_host* host_;
};

// What a source's poll works with: the host's services plus emitting and the checkpoint.
class Context : public Host {
 public:
  using Host::Host;

  // Hands one record (one implementation as a JSON object) to the host, which copies it.
  // Throws std::runtime_error when the host refuses it (too large, too many, outside a poll).
  void emit(std::string_view json) const {
    if (raw()->api->callback_emit_record(raw(), json.data(), json.size()) != IJRO_OK)
      throw std::runtime_error("the host refused a record of " + std::to_string(json.size()) +
                               " bytes (see the hub's log)");
  }
  // The last committed checkpoint (copied), nullopt when there is none.
  std::optional<std::string> checkpoint() const {
    const void* data = nullptr;
    std::size_t len = 0;
    if (raw()->api->callback_checkpoint_read(raw(), &data, &len) != IJRO_OK || data == nullptr)
      return std::nullopt;
    return std::string(static_cast<const char*>(data), len);
  }
  // The checkpoint to store with this poll's records if the poll returns Status::Ok.
  void commitCheckpoint(std::string_view bytes) const {
    if (raw()->api->callback_checkpoint_commit(raw(), bytes.data(), bytes.size()) != IJRO_OK)
      throw std::runtime_error("the host refused a checkpoint of " + std::to_string(bytes.size()) +
                               " bytes (see the hub's log)");
  }
};

// A sink's batch: a read-only view of the host's records, valid during deliver().
class Batch {
 public:
  explicit Batch(const ijro_batch* b) : b_(b) {}
  std::size_t size() const { return b_->count; }
  bool empty() const { return b_->count == 0; }
  std::string_view operator[](std::size_t i) const {
    return {b_->records[i].json, b_->records[i].json_len};
  }

 private:
  const ijro_batch* b_;
};

// Per-record answers of a sink; every record starts as Status::Ok.
class Results {
 public:
  Results(ijro_status* r, std::size_t n) : r_(r), n_(n) {}
  void set(std::size_t i, Status s) {
    if (i >= n_) throw std::out_of_range("result index " + std::to_string(i) + " >= batch size");
    r_[i] = static_cast<ijro_status>(s);
  }
  std::size_t size() const { return n_; }

 private:
  ijro_status* r_;
  std::size_t n_;
};

namespace detail {
// The host of the instance being constructed on this thread, so that Plugin's constructor can
// pick it up and host() works inside the adapter's own constructor.
inline ijro_host*& hostBeingCreated() {
  static thread_local ijro_host* h = nullptr;
  return h;
}
template <typename T>
struct Trampolines;
}  // namespace detail

class Plugin {
 public:
  Plugin() : sdkHost_(detail::hostBeingCreated()) {}
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;
  virtual ~Plugin() = default;

  // The host's services, from the adapter's constructor on. Throws std::logic_error for an object
  // the SDK did not create (e.g. constructed directly in a unit test without a host).
  const Host& host() const {
    if (sdkHost_.raw() == nullptr)
      throw std::logic_error("this plugin object was not created by the host (no ijro_host)");
    return sdkHost_;
  }

 private:
  Host sdkHost_;
};

class Source : public Plugin {
 public:
  static constexpr std::int32_t kKind = IJRO_KIND_SOURCE;
  // Emit what is new since ctx.checkpoint(); return Ok to commit records and checkpoint together.
  virtual Status poll(Context& ctx) = 0;
};

class Sink : public Plugin {
 public:
  static constexpr std::int32_t kKind = IJRO_KIND_SINK;
  // Return Ok with per-record answers in results, or Retry / Error for the whole batch.
  virtual Status deliver(const Batch& batch, Results& results) = 0;
};

class Transform : public Plugin {
 public:
  static constexpr std::int32_t kKind = IJRO_KIND_TRANSFORM;
  // The mapped record, or nullopt to drop it.
  virtual std::optional<std::string> transform(std::string_view record) = 0;

 private:
  template <typename T>
  friend struct detail::Trampolines;
  std::string sdkOut_;  // owns the last mapped record until the next hook call on the instance
};

namespace detail {

inline void writeMessage(ijro_message* m, std::string_view text) {
  if (m == nullptr || m->text == nullptr || m->capacity == 0) return;
  std::size_t n = text.size() < m->capacity - 1 ? text.size() : m->capacity - 1;
  std::memcpy(m->text, text.data(), n);
  m->text[n] = '\0';
}

// Runs f, turning every exception into a status and a message: nothing crosses the C ABI.
template <typename F>
ijro_status guarded(ijro_message* m, F&& f) noexcept {
  try {
    return static_cast<ijro_status>(std::forward<F>(f)());
  } catch (const RetryLater& e) {
    writeMessage(m, e.what());
    return IJRO_RETRY;
  } catch (const std::exception& e) {
    writeMessage(m, e.what());
    return IJRO_ERROR;
  } catch (...) {
    writeMessage(m, "unknown exception (not derived from std::exception)");
    return IJRO_ERROR;
  }
}

template <typename T>
struct Trampolines {
  static ijro_status onCreate(ijro_host* host, const ijro_config*, void** out, ijro_message* m) {
    return guarded(m, [&] {
      struct Creating {  // hostBeingCreated() is set exactly while T's constructor runs
        explicit Creating(ijro_host* h) { hostBeingCreated() = h; }
        ~Creating() { hostBeingCreated() = nullptr; }
        Creating(const Creating&) = delete;
        Creating& operator=(const Creating&) = delete;
      } creating(host);
      Host h(host);  // lives only during construction: an adapter keeps a copy, not a reference
      std::unique_ptr<T> p;
      if constexpr (std::is_constructible_v<T, Host&>)
        p = std::make_unique<T>(h);
      else
        p = std::make_unique<T>();
      *out = p.release();
      return Status::Ok;
    });
  }
  static void onDestroy(void* instance) noexcept {
    try {
      delete static_cast<T*>(instance);
    } catch (...) {
      // A destructor that throws has nowhere to report to; the instance is gone either way.
    }
  }
  static ijro_status onPoll(void* instance, ijro_message* m) {
    return guarded(m, [&] {
      auto* self = static_cast<T*>(instance);
      Context ctx(self->host().raw());
      return self->poll(ctx);
    });
  }
  static ijro_status onDeliver(void* instance, const ijro_batch* batch, ijro_status* results,
                               ijro_message* m) {
    return guarded(m, [&] {
      Batch b(batch);
      Results r(results, batch->count);
      return static_cast<T*>(instance)->deliver(b, r);
    });
  }
  static ijro_status onTransform(void* instance, const ijro_record* record, ijro_record* out,
                                 ijro_message* m) {
    return guarded(m, [&] {
      auto* self = static_cast<T*>(instance);
      std::optional<std::string> mapped = self->transform({record->json, record->json_len});
      std::string& keep = self->Transform::sdkOut_;
      if (!mapped) {
        keep.clear();
        return Status::Ok;  // dropped: out stays {NULL, 0}
      }
      keep = std::move(*mapped);
      out->json = keep.data();
      out->json_len = keep.size();
      return Status::Ok;
    });
  }
};

// The description and the option table, as the macros receive them (always at least one
// argument, so the macros need no __VA_OPT__ and the SDK builds as C++17).
template <std::size_t N>
struct Described {
  const char* description;
  std::array<ijro_option, N> options;
};
template <typename... Options>
constexpr Described<sizeof...(Options)> described(const char* description, Options... o) {
  return {description, {{o...}}};
}

template <typename T, std::size_t N>
constexpr ijro_plugin_descriptor describe(const char* name, const char* version,
                                          const char* description,
                                          const std::array<ijro_option, N>& opts) {
  static_assert(std::is_base_of_v<Plugin, T>,
                "derive the plugin class from Source, Sink or Transform");
  ijro_plugin_descriptor d{};
  d.struct_size = sizeof(ijro_plugin_descriptor);
  d.abi_major = IJRO_ABI_MAJOR;
  d.abi_minor = IJRO_ABI_MINOR;
  d.name = name;
  d.version = version;
  d.description = description;
  d.kind = T::kKind;
  d.option_count = static_cast<std::uint32_t>(N);
  d.options = N == 0 ? nullptr : opts.data();
  d.on_create = &Trampolines<T>::onCreate;
  d.on_destroy = &Trampolines<T>::onDestroy;
  if constexpr (std::is_base_of_v<Source, T>) d.on_poll = &Trampolines<T>::onPoll;
  if constexpr (std::is_base_of_v<Sink, T>) d.on_deliver = &Trampolines<T>::onDeliver;
  if constexpr (std::is_base_of_v<Transform, T>) d.on_transform = &Trampolines<T>::onTransform;
  return d;
}

}  // namespace detail
}  // namespace ijro::sdk

// Defines the plugin's entry point for Class: IJRO_DEFINE_SOURCE_PLUGIN(Class, "name", "version",
// "description", options...). Use once per library, at namespace scope. The options are
// ijro::sdk::option(...) / ijro::sdk::required(...) values.
#define IJRO_DEFINE_PLUGIN_(Class, name, version, ...)                                          \
  IJRO_PLUGIN_EXPORT const ijro_plugin_descriptor* ijro_plugin_entry(void) {                    \
    static constexpr auto described_ = ::ijro::sdk::detail::described(__VA_ARGS__);             \
    static constexpr ijro_plugin_descriptor descriptor_ = ::ijro::sdk::detail::describe<Class>( \
        name, version, described_.description, described_.options);                             \
    return &descriptor_;                                                                        \
  }

#define IJRO_DEFINE_SOURCE_PLUGIN(Class, name, version, ...)                                       \
  static_assert(std::is_base_of_v<::ijro::sdk::Source, Class>, #Class " must derive from Source"); \
  IJRO_DEFINE_PLUGIN_(Class, name, version, __VA_ARGS__)
#define IJRO_DEFINE_SINK_PLUGIN(Class, name, version, ...)                                     \
  static_assert(std::is_base_of_v<::ijro::sdk::Sink, Class>, #Class " must derive from Sink"); \
  IJRO_DEFINE_PLUGIN_(Class, name, version, __VA_ARGS__)
#define IJRO_DEFINE_TRANSFORM_PLUGIN(Class, name, version, ...)   \
  static_assert(std::is_base_of_v<::ijro::sdk::Transform, Class>, \
                #Class " must derive from Transform");            \
  IJRO_DEFINE_PLUGIN_(Class, name, version, __VA_ARGS__)
