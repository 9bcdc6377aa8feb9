// ijro_record.hpp: builds records, the JSON text a plugin hands to the hub (one implementation in
// the JSON form of a status report; see "Records" in ijro_plugin.h and schemas/status-report.xsd),
// from plain C++ values. Header-only C++17, the standard library only.
//
//   ijro::sdk::Implementation impl;
//   impl.revision = 3;
//   impl.measure = {"DU2030-3.1.7", "Connect all schools to the e-diary",
//                   {"decree", "UP-6079", "2020-10-05", "3.1"}};
//   impl.region = "1703";
//   impl.organisation = "Andijan Region Department of Education";
//   impl.sector = "education";
//   impl.lifecycle = ijro::sdk::lifecycle::kInProgress;
//   impl.start = "2026-01-15";
//   impl.deadline = "2026-12-31";
//   impl.indicators.push_back({"EDU-SCHOOLS", "Schools connected", "schools", true, 0,
//                              {{"2026-01-01", "2026-12-31", 120, 87}}});
//   ctx.emit(impl.toJson());
//
// The builder writes JSON, it does not judge content: required fields are always written (an
// empty one is refused by the hub with a reason naming it), optional ones only when given (a
// non-empty string, a set std::optional, a non-empty list). Dates are "YYYY-MM-DD" text. What the
// hub checks (dates, regions, sectors, words such as lifecycle) it reports per record, and an
// invalid record never stops the valid ones. What JSON itself cannot carry is refused here:
// toJson() throws std::invalid_argument naming the field (e.g. "indicators[0].name") for text that
// is not valid UTF-8, and for a number that is NaN or infinite.
//
// Text is escaped as JSON requires ('"', '\', control characters); other UTF-8 passes through.
//
// Fields only grow at the end of each struct, so aggregate initialisers written for an earlier
// builder keep compiling and meaning the same (see kRecordBuilderVersion).
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace ijro::sdk {

// The builder's version within SDK 0.1: 1 the first; 2 added deadline change requests and
// decisions (requestedBy, requestedOn, decision, decidedBy, decidedOn; approvedBy/approvedOn are
// deprecated), control events, comments and titles in other languages. Records built by either
// are accepted by a hub that reads version 2; version 2 fields need such a hub. 3 added an
// indicator's mode (merge), a period's numerator, denominator and breakdowns; a record that uses
// none of them is the same JSON as before, one that does needs a hub that reads version 3.
inline constexpr int kRecordBuilderVersion = 3;

// The words the hub accepts for Implementation::lifecycle (schemas/status-report.xsd).
namespace lifecycle {
inline constexpr const char* kPlanned = "planned";
inline constexpr const char* kInProgress = "inProgress";
inline constexpr const char* kCompleted = "completed";  // then Implementation::completed is due
inline constexpr const char* kCancelled = "cancelled";
inline constexpr const char* kSuspended = "suspended";
}  // namespace lifecycle

// The words the hub accepts for Assignment::control (the execution-control state of a task).
namespace control {
inline constexpr const char* kOnControl = "onControl";  // the hub's default when none is given
inline constexpr const char* kSubmitted = "submitted";
inline constexpr const char* kReturned = "returned";
inline constexpr const char* kVerified = "verified";
inline constexpr const char* kRemoved = "removed";
}  // namespace control

// The words the hub accepts for DeadlineChange::decision.
namespace decision {
inline constexpr const char* kPending = "pending";  // the hub's default when none is given
inline constexpr const char* kApproved = "approved";
inline constexpr const char* kRejected = "rejected";
}  // namespace decision

// A text in another language: lang is a BCP 47 tag ("uz-Latn", "uz-Cyrl", "ru", "en").
struct LocalText {
  std::string lang;  // required
  std::string text;  // required
};

// One transition of execution control (a journal entry: the hub keeps every one it received).
// state: control::kSubmitted, kVerified, kReturned or kRemoved. Verified, returned and removed
// are the controller's decisions: the hub accepts them from a source with the controller role.
struct ControlEvent {
  std::string state;      // required
  std::string by;         // required: the executor (submitted) or the controller
  std::string on;         // required: YYYY-MM-DD
  std::string at;         // optional: ISO 8601 with a time zone, e.g. 2026-11-28T09:00:00Z
  std::string completed;  // optional (submitted): the executor's completion date, YYYY-MM-DD
  std::string reason;     // optional (returned: why)
};

// A remark in the thread of an implementation or a task (a journal entry).
struct Comment {
  std::string author;  // required
  std::string at;      // required: ISO 8601 with a time zone
  std::string lang;    // required: BCP 47 tag
  std::string text;    // required
};

// The legal act that set the measure, e.g. decree UP-6079 of 2020-10-05, item 3.1.
struct Act {
  std::string type;    // required: "decree", "resolution", "order", ...
  std::string number;  // required: "UP-6079"
  std::string date;    // required: YYYY-MM-DD
  std::string item;    // optional: the item of the act's annex
};

struct Measure {
  std::string id;                 // required: stable across sources, e.g. "DU2030-3.1.7"
  std::string title;              // required
  Act act;                        // required
  std::vector<LocalText> titles;  // optional: the title in other languages
};

// A request to move a deadline and the decision on it. Only an approval dated on or before the
// deadline it extends moves the deadline.
struct DeadlineChange {
  std::string previous;     // required: YYYY-MM-DD, the deadline in force
  std::string deadline;     // required: YYYY-MM-DD, the deadline asked for
  std::string approvedBy;   // deprecated (builder 1): same as decision approved + decidedBy
  std::string approvedOn;   // deprecated (builder 1): same as decidedOn
  std::string reason;       // optional
  std::string requestedBy;  // optional
  std::string requestedOn;  // optional: YYYY-MM-DD
  std::string decision;     // optional: one of ijro::sdk::decision (the hub's default: pending)
  std::string decidedBy;    // optional: who approved or rejected
  std::string decidedOn;    // optional: YYYY-MM-DD
};

// One stratum of a period's values (a FHIR stratifier, an ADX category option), e.g. dimension
// "sex", category "female". One per dimension and category in a period. (Builder version 3.)
struct Breakdown {
  std::string dimension;              // required, e.g. "sex", "ageGroup"
  std::string category;               // required, e.g. "female", "15-24"
  std::optional<double> target;       // optional
  std::optional<double> actual;       // optional: derived from numerator / denominator if absent
  std::optional<double> numerator;    // optional
  std::optional<double> denominator;  // optional
};

struct IndicatorPeriod {
  std::string start;             // required: YYYY-MM-DD
  std::string end;               // required: YYYY-MM-DD
  std::optional<double> target;  // optional
  std::optional<double> actual;  // optional
  // Proportion measures (builder version 3): with both given and no actual, the hub derives
  // actual = numerator / denominator, times 100 when the indicator's unit is "%".
  std::optional<double> numerator;    // optional
  std::optional<double> denominator;  // optional
  std::vector<Breakdown> breakdowns;  // optional
};

// The words the hub accepts for Indicator::mode (builder version 3).
namespace indicator_mode {
// The periods sent are the whole list (the hub's default when none is given).
inline constexpr const char* kReplace = "replace";
// Only new or corrected periods are sent: the hub merges them by start and end into those it
// holds for the indicator from the source's earlier revisions of the same record.
inline constexpr const char* kMerge = "merge";
}  // namespace indicator_mode

// One indicator per code in an implementation: strata of one indicator (sex, age group, ...) are
// breakdowns of its periods, not indicators of the same code (the hub refuses those).
struct Indicator {
  std::string code;       // required, e.g. "EDU-SCHOOLS"
  std::string name;       // required
  std::string unit;       // optional, e.g. "schools"
  bool ascending = true;  // false: lower is better (e.g. days to issue a permit)
  double baseline = 0;
  std::vector<IndicatorPeriod> periods;  // optional
  std::string mode;                      // optional: one of ijro::sdk::indicator_mode
};

// A task delegated down the hierarchy; parent links it into a tree.
struct Assignment {
  std::string id;         // required
  std::string parent;     // optional: the id of the parent assignment
  std::string assignee;   // required: the person or unit responsible
  std::string title;      // required
  std::string deadline;   // required: YYYY-MM-DD
  std::string control;    // optional: one of ijro::sdk::control (the hub's default: onControl)
  std::string completed;  // optional: YYYY-MM-DD
  std::vector<DeadlineChange> deadlineChanges;  // optional
  std::vector<LocalText> titles;                // optional: the title in other languages
  std::vector<ControlEvent> controlEvents;      // optional, oldest first
  std::vector<Comment> comments;                // optional, oldest first
};

// A document uploaded as proof of work.
struct Evidence {
  std::string url;       // required
  std::string title;     // required
  std::string format;    // optional: a MIME type, e.g. "application/pdf"
  std::string date;      // required: YYYY-MM-DD
  std::string uploader;  // optional
};

// One implementation: one measure carried out in one region by one responsible organisation.
// There is no source: the hub sets it from the plugin instance's name.
struct Implementation {
  std::int64_t revision = 0;  // required: 1 or more, raised with every change
  Measure measure;            // required
  std::string region;         // required: SOATO, "17" national, 4 digits a region, 7 a district
  std::string organisation;   // required: the responsible organisation
  std::string sector;         // required: "health", "education", "tax", ... (the hub's catalogue)
  std::string lifecycle;      // required: one of ijro::sdk::lifecycle
  std::string start;          // required: YYYY-MM-DD
  std::string deadline;       // required: YYYY-MM-DD
  std::string completed;      // optional (required when lifecycle is completed): YYYY-MM-DD
  std::vector<DeadlineChange> deadlineChanges;  // optional
  std::vector<Indicator> indicators;            // optional
  std::vector<Assignment> assignments;          // optional
  std::vector<Evidence> evidence;               // optional
  std::string note;                             // optional
  std::vector<ControlEvent> controlEvents;      // optional: control of the whole implementation
  std::vector<Comment> comments;                // optional

  // The record: one JSON object, UTF-8. Throws std::invalid_argument naming the field for text
  // that is not valid UTF-8 or a number that is NaN or infinite.
  std::string toJson() const;
};

// Byte offset of the first byte of `text` that does not start a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points above U+10FFFF are ill-formed); nullopt when the
// whole text is valid UTF-8.
inline std::optional<std::size_t> firstInvalidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlong forms
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // no overlong forms
      if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return i;
    }
    if (i + len > n || s[i + 1] < lo || s[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return i;
    i += len;
  }
  return std::nullopt;
}

namespace detail {

inline std::invalid_argument notUtf8(std::string_view field, std::size_t at, std::size_t size) {
  return std::invalid_argument(std::string(field) + ": not valid UTF-8 (byte " +
                               std::to_string(at + 1) + " of " + std::to_string(size) +
                               "); records are UTF-8 text: convert the text from its source "
                               "encoding (e.g. Windows-1251) first");
}

// Appends `text` (valid UTF-8) as a JSON string, quotes included.
inline void appendEscaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

}  // namespace detail

// `text` as a JSON string, quotes included, appended to `out`: '"', '\\' and control characters
// escaped, other UTF-8 as it is. Throws std::invalid_argument naming `field` when the text is not
// valid UTF-8 (nothing is appended then).
inline void appendJsonString(std::string& out, std::string_view text, std::string_view field) {
  if (auto bad = firstInvalidUtf8(text)) throw detail::notUtf8(field, *bad, text.size());
  detail::appendEscaped(out, text);
}

namespace detail {

// Where a value sits in the record ("indicators[0].periods[1].target"), spelled out only for an
// error message, so that building a valid record allocates nothing for it.
struct FieldPath {
  const FieldPath* parent = nullptr;  // nullptr: the record itself
  std::string_view key;               // a member's name; empty for an array element
  std::size_t index = 0;              // an array element's index
  std::string str() const {
    if (parent == nullptr) return std::string();
    const std::string up = parent->str();
    if (key.empty()) return up + "[" + std::to_string(index) + "]";
    return up.empty() ? std::string(key) : up + "." + std::string(key);
  }
};

// Writes one JSON object into `out`, member by member.
class ObjectWriter {
 public:
  ObjectWriter(std::string& out, const FieldPath& at) : out_(out), at_(at) { out_ += '{'; }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;
  void close() { out_ += '}'; }

  void text(std::string_view key, std::string_view value) {
    if (auto bad = firstInvalidUtf8(value))
      throw notUtf8(FieldPath{&at_, key, 0}.str(), *bad, value.size());
    name(key);
    appendEscaped(out_, value);
  }
  void optionalText(std::string_view key, std::string_view value) {
    if (!value.empty()) text(key, value);
  }
  void integer(std::string_view key, std::int64_t value) {
    name(key);
    out_ += std::to_string(value);
  }
  void number(std::string_view key, double value) {
    if (!std::isfinite(value))
      throw std::invalid_argument(FieldPath{&at_, key, 0}.str() + ": " +
                                  (std::isnan(value) ? "NaN" : "an infinite number") +
                                  " cannot be written as JSON: give a finite number or leave the "
                                  "value out");
    name(key);
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, value);  // shortest that reads back
    out_.append(buf, res.ptr);
  }
  void optionalNumber(std::string_view key, const std::optional<double>& value) {
    if (value) number(key, *value);
  }
  void boolean(std::string_view key, bool value) {
    name(key);
    out_ += value ? "true" : "false";
  }
  template <typename F>
  void object(std::string_view key, F&& fill) {
    name(key);
    const FieldPath here{&at_, key, 0};
    ObjectWriter inner(out_, here);
    fill(inner);
    inner.close();
  }
  // An array of objects, left out when empty.
  template <typename T, typename F>
  void objects(std::string_view key, const std::vector<T>& items, F&& fill) {
    if (items.empty()) return;
    name(key);
    const FieldPath list{&at_, key, 0};
    out_ += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out_ += ',';
      const FieldPath element{&list, std::string_view(), i};
      ObjectWriter inner(out_, element);
      fill(inner, items[i]);
      inner.close();
    }
    out_ += ']';
  }

 private:
  void name(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += key;  // the builder's own keys: plain ASCII, nothing to escape
    out_ += "\":";
  }

  std::string& out_;
  const FieldPath& at_;
  bool first_ = true;
};

inline void writeDeadlineChange(ObjectWriter& o, const DeadlineChange& c) {
  o.text("previous", c.previous);
  o.text("deadline", c.deadline);
  o.optionalText("requestedBy", c.requestedBy);
  o.optionalText("requestedOn", c.requestedOn);
  o.optionalText("reason", c.reason);
  o.optionalText("decision", c.decision);
  o.optionalText("decidedBy", c.decidedBy);
  o.optionalText("decidedOn", c.decidedOn);
  // Deprecated names, written as given: the hub refuses them beside a contradicting decision.
  o.optionalText("approvedBy", c.approvedBy);
  o.optionalText("approvedOn", c.approvedOn);
}

inline void writeLocalText(ObjectWriter& o, const LocalText& t) {
  o.text("lang", t.lang);
  o.text("text", t.text);
}

inline void writeControlEvent(ObjectWriter& o, const ControlEvent& e) {
  o.text("state", e.state);
  o.text("by", e.by);
  o.text("on", e.on);
  o.optionalText("at", e.at);
  o.optionalText("completed", e.completed);
  o.optionalText("reason", e.reason);
}

inline void writeComment(ObjectWriter& o, const Comment& c) {
  o.text("author", c.author);
  o.text("at", c.at);
  o.text("lang", c.lang);
  o.text("text", c.text);
}

}  // namespace detail

inline std::string Implementation::toJson() const {
  std::string out;
  out.reserve(512);
  const detail::FieldPath top;
  detail::ObjectWriter o(out, top);
  o.integer("revision", revision);
  o.object("measure", [&](detail::ObjectWriter& m) {
    m.text("id", measure.id);
    m.text("title", measure.title);
    m.objects("titles", measure.titles, detail::writeLocalText);
    m.object("act", [&](detail::ObjectWriter& a) {
      a.text("type", measure.act.type);
      a.text("number", measure.act.number);
      a.text("date", measure.act.date);
      a.optionalText("item", measure.act.item);
    });
  });
  o.text("region", region);
  o.text("organisation", organisation);
  o.text("sector", sector);
  o.text("lifecycle", lifecycle);
  o.text("start", start);
  o.text("deadline", deadline);
  o.optionalText("completed", completed);
  o.objects("deadlineChanges", deadlineChanges, detail::writeDeadlineChange);
  o.objects("indicators", indicators, [](detail::ObjectWriter& i, const Indicator& ind) {
    i.text("code", ind.code);
    i.text("name", ind.name);
    i.optionalText("unit", ind.unit);
    i.boolean("ascending", ind.ascending);
    i.number("baseline", ind.baseline);
    i.objects("periods", ind.periods, [](detail::ObjectWriter& p, const IndicatorPeriod& period) {
      p.text("start", period.start);
      p.text("end", period.end);
      p.optionalNumber("target", period.target);
      p.optionalNumber("actual", period.actual);
      p.optionalNumber("numerator", period.numerator);
      p.optionalNumber("denominator", period.denominator);
      p.objects("breakdowns", period.breakdowns, [](detail::ObjectWriter& b, const Breakdown& br) {
        b.text("dimension", br.dimension);
        b.text("category", br.category);
        b.optionalNumber("target", br.target);
        b.optionalNumber("actual", br.actual);
        b.optionalNumber("numerator", br.numerator);
        b.optionalNumber("denominator", br.denominator);
      });
    });
    i.optionalText("mode", ind.mode);
  });
  o.objects("assignments", assignments, [](detail::ObjectWriter& a, const Assignment& as) {
    a.text("id", as.id);
    a.optionalText("parent", as.parent);
    a.text("assignee", as.assignee);
    a.text("title", as.title);
    a.objects("titles", as.titles, detail::writeLocalText);
    a.text("deadline", as.deadline);
    a.optionalText("control", as.control);
    a.optionalText("completed", as.completed);
    a.objects("deadlineChanges", as.deadlineChanges, detail::writeDeadlineChange);
    a.objects("controlEvents", as.controlEvents, detail::writeControlEvent);
    a.objects("comments", as.comments, detail::writeComment);
  });
  o.objects("evidence", evidence, [](detail::ObjectWriter& e, const Evidence& ev) {
    e.text("url", ev.url);
    e.text("title", ev.title);
    e.optionalText("format", ev.format);
    e.text("date", ev.date);
    e.optionalText("uploader", ev.uploader);
  });
  o.objects("controlEvents", controlEvents, detail::writeControlEvent);
  o.objects("comments", comments, detail::writeComment);
  o.optionalText("note", note);
  o.close();
  return out;
}

}  // namespace ijro::sdk
