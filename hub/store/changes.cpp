#include "hub/store/changes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "hub/base/sha256.hpp"

namespace ijro::store {

namespace {

using model::Date;

std::string oneLine(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
      out += "\\n";
    } else if (s[i] == '\n') {
      out += "\\n";
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string show(const std::string& s) {
  return s.empty() ? "(empty)" : oneLine(s);
}
std::string show(Date d) {
  return model::formatDate(d);
}
std::string show(const std::optional<Date>& d) {
  return d ? model::formatDate(*d) : "(none)";
}
std::string show(double v) {
  return fmt::format("{}", v);
}
std::string show(const std::optional<double>& v) {
  return v ? show(*v) : "(none)";
}
std::string show(model::Lifecycle v) {
  return model::toString(v);
}
std::string show(model::ControlStatus v) {
  return model::toString(v);
}

// "sex=female actual 12 (12/40); sex=male actual 9", or "(none)".
std::string show(const std::vector<model::Breakdown>& list) {
  if (list.empty()) return "(none)";
  std::string out;
  for (const auto& b : list) {
    if (!out.empty()) out += "; ";
    out += oneLine(b.dimension) + "=" + oneLine(b.category);
    if (b.target) out += " target " + show(*b.target);
    if (b.actual) out += " actual " + show(*b.actual);
    if (b.numerator || b.denominator)
      out += " (" + show(b.numerator) + "/" + show(b.denominator) + ")";
  }
  return out;
}

std::string direction(bool ascending) {
  return ascending ? "higher is better" : "lower is better";
}

std::string show(model::Decision v) {
  return model::toString(v);
}

std::string describe(const model::DeadlineChange& c) {
  std::string s = show(c.previous) + " to " + show(c.deadline);
  if (!c.requestedBy.empty() || c.requestedOn) {
    s += ", requested";
    if (!c.requestedBy.empty()) s += " by " + oneLine(c.requestedBy);
    if (c.requestedOn) s += " on " + show(c.requestedOn);
  }
  if (c.decision == model::Decision::Pending) {
    s += ", pending";
  } else {
    s += std::string(", ") + model::toString(c.decision);
    if (!c.decidedBy.empty()) s += " by " + oneLine(c.decidedBy);
  }
  if (c.decidedOn) s += " on " + show(c.decidedOn);
  if (!c.reason.empty()) s += ", reason: " + oneLine(c.reason);
  return s;
}

std::string describe(const model::ControlEvent& e) {
  std::string s =
      std::string(model::toString(e.state)) + " by " + oneLine(e.by) + " on " + show(e.on);
  if (!e.at.empty()) s += " (" + e.at + ")";
  if (e.completed) s += ", completed " + show(e.completed);
  if (!e.reason.empty()) s += ", reason: " + oneLine(e.reason);
  return s;
}

// Long comments are cut so that the history stays readable; the store keeps the whole text.
std::string describe(const model::Comment& c) {
  constexpr std::size_t kShown = 200;
  std::string text = oneLine(c.text);
  if (text.size() > kShown) {
    std::size_t cut = kShown;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut) + "...";
  }
  return oneLine(c.author) + " (" + c.lang + ", " + c.at + "): " + text;
}

std::string period(const model::IndicatorPeriod& p) {
  return show(p.start) + ".." + show(p.end);
}

class Lines {
 public:
  template <typename T>
  void field(const std::string& name, const T& a, const T& b) {
    if (!(a == b)) add(name + ": " + show(a) + " -> " + show(b));
  }
  void add(std::string line) { lines_.push_back(std::move(line)); }
  std::string str() const {
    std::string out;
    for (const auto& l : lines_) {
      if (!out.empty()) out.push_back('\n');
      out += l;
    }
    return out;
  }

 private:
  std::vector<std::string> lines_;
};

void deadlineChanges(Lines& out, const std::string& prefix,
                     const std::vector<model::DeadlineChange>& a,
                     const std::vector<model::DeadlineChange>& b) {
  std::size_t common = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < common; ++i) {
    std::string name = prefix + "deadline change " + std::to_string(i + 1) + " ";
    out.field(name + "previous", a[i].previous, b[i].previous);
    out.field(name + "deadline", a[i].deadline, b[i].deadline);
    out.field(name + "requested by", a[i].requestedBy, b[i].requestedBy);
    out.field(name + "requested on", a[i].requestedOn, b[i].requestedOn);
    out.field(name + "reason", a[i].reason, b[i].reason);
    out.field(name + "decision", a[i].decision, b[i].decision);
    out.field(name + "decided by", a[i].decidedBy, b[i].decidedBy);
    out.field(name + "decided on", a[i].decidedOn, b[i].decidedOn);
  }
  for (std::size_t i = common; i < b.size(); ++i)
    out.add(prefix + "deadline change " + std::to_string(i + 1) + " added: " + describe(b[i]));
  for (std::size_t i = common; i < a.size(); ++i)
    out.add(prefix + "deadline change " + std::to_string(i + 1) + " removed: " + describe(a[i]));
}

// Journals only grow: what `after` carries that `before` does not is new; what it leaves out is
// kept by the store and is not a change.
template <typename T>
void journal(Lines& out, const std::string& what, const std::vector<T>& before,
             const std::vector<T>& after) {
  for (const auto& e : after)
    if (std::find(before.begin(), before.end(), e) == before.end())
      out.add(what + " added: " + describe(e));
}

void titles(Lines& out, const std::string& prefix, const model::Translations& a,
            const model::Translations& b) {
  for (const auto& t : b) {
    auto old = std::find_if(a.begin(), a.end(), [&](const auto& x) { return x.lang == t.lang; });
    if (old == a.end())
      out.add(prefix + "title (" + t.lang + ") added: " + show(t.text));
    else
      out.field(prefix + "title (" + t.lang + ")", old->text, t.text);
  }
  for (const auto& t : a)
    if (std::none_of(b.begin(), b.end(), [&](const auto& x) { return x.lang == t.lang; }))
      out.add(prefix + "title (" + t.lang + ") removed");
}

// Matches the elements of two lists by a key (first unmatched element with an equal key) and
// reports additions, removals, changes and a change of order among the common elements.
template <typename T, typename KeyFn, typename ChangedFn, typename AddedFn, typename RemovedFn>
void matchLists(Lines& out, const std::string& orderLine, const std::vector<T>& a,
                const std::vector<T>& b, KeyFn key, ChangedFn changed, AddedFn added,
                RemovedFn removed) {
  std::vector<bool> used(a.size(), false);
  std::vector<std::size_t> matchedOld;  // old positions of the matched elements, in new order
  for (const auto& nb : b) {
    std::size_t found = a.size();
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!used[i] && key(a[i]) == key(nb)) {
        found = i;
        break;
      }
    }
    if (found == a.size()) {
      added(nb);
    } else {
      used[found] = true;
      matchedOld.push_back(found);
      changed(a[found], nb);
    }
  }
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!used[i]) removed(a[i]);
  if (!std::is_sorted(matchedOld.begin(), matchedOld.end())) out.add(orderLine);
}

void indicators(Lines& out, const std::vector<model::Indicator>& a,
                const std::vector<model::Indicator>& b) {
  matchLists(
      out, "indicators reordered", a, b, [](const model::Indicator& i) { return i.code; },
      [&](const model::Indicator& x, const model::Indicator& y) {
        std::string name = "indicator " + show(y.code) + " ";
        out.field(name + "name", x.name, y.name);
        out.field(name + "unit", x.unit, y.unit);
        if (x.ascending != y.ascending)
          out.add(name + "direction: " + direction(x.ascending) + " -> " + direction(y.ascending));
        out.field(name + "baseline", x.baseline, y.baseline);
        matchLists(
            out, name + "periods reordered", x.periods, y.periods,
            [](const model::IndicatorPeriod& p) {
              return std::pair{p.start, p.end};
            },
            [&](const model::IndicatorPeriod& p, const model::IndicatorPeriod& q) {
              out.field(name + "period " + period(q) + " target", p.target, q.target);
              out.field(name + "period " + period(q) + " actual", p.actual, q.actual);
              out.field(name + "period " + period(q) + " numerator", p.numerator, q.numerator);
              out.field(name + "period " + period(q) + " denominator", p.denominator,
                        q.denominator);
              if (p.breakdowns != q.breakdowns)
                out.add(name + "period " + period(q) + " breakdowns: " + show(p.breakdowns) +
                        " -> " + show(q.breakdowns));
            },
            [&](const model::IndicatorPeriod& q) {
              out.add(name + "period " + period(q) + " added: target " + show(q.target) +
                      ", actual " + show(q.actual));
            },
            [&](const model::IndicatorPeriod& p) {
              out.add(name + "period " + period(p) + " removed");
            });
      },
      [&](const model::Indicator& y) {
        out.add("indicator " + show(y.code) + " added: " + show(y.name) + ", " +
                std::to_string(y.periods.size()) + " period(s)");
      },
      [&](const model::Indicator& x) { out.add("indicator " + show(x.code) + " removed"); });
}

void assignments(Lines& out, const std::vector<model::Assignment>& a,
                 const std::vector<model::Assignment>& b) {
  matchLists(
      out, "assignments reordered", a, b, [](const model::Assignment& x) { return x.id; },
      [&](const model::Assignment& x, const model::Assignment& y) {
        std::string name = "assignment " + show(y.id) + " ";
        out.field(name + "parent", x.parentId, y.parentId);
        out.field(name + "assignee", x.assignee, y.assignee);
        out.field(name + "title", x.title, y.title);
        titles(out, name, x.titles, y.titles);
        out.field(name + "deadline", x.deadline, y.deadline);
        out.field(name + "control", x.control, y.control);
        out.field(name + "completed", x.completed, y.completed);
        deadlineChanges(out, name, x.deadlineChanges, y.deadlineChanges);
        journal(out, name + "control event", x.controlEvents, y.controlEvents);
        journal(out, name + "comment", x.comments, y.comments);
      },
      [&](const model::Assignment& y) {
        out.add("assignment " + show(y.id) + " added: " + show(y.title) + ", assignee " +
                show(y.assignee) + ", deadline " + show(y.deadline));
        const std::string name = "assignment " + show(y.id) + " ";
        deadlineChanges(out, name, {}, y.deadlineChanges);
        journal(out, name + "control event", {}, y.controlEvents);
        journal(out, name + "comment", {}, y.comments);
      },
      [&](const model::Assignment& x) { out.add("assignment " + show(x.id) + " removed"); });
}

void evidence(Lines& out, const std::vector<model::Evidence>& a,
              const std::vector<model::Evidence>& b) {
  matchLists(
      out, "evidence reordered", a, b, [](const model::Evidence& e) { return e.url; },
      [&](const model::Evidence& x, const model::Evidence& y) {
        std::string name = "evidence " + show(y.url) + " ";
        out.field(name + "title", x.title, y.title);
        out.field(name + "format", x.format, y.format);
        out.field(name + "date", x.date, y.date);
        out.field(name + "uploader", x.uploader, y.uploader);
        out.field(name + "sha256", x.sha256, y.sha256);
        out.field(name + "size", x.size, y.size);
      },
      [&](const model::Evidence& y) {
        out.add("evidence added: " + show(y.url) + " (" + show(y.title) + ")");
      },
      [&](const model::Evidence& x) { out.add("evidence removed: " + show(x.url)); });
}

// Canonical, unambiguous encoding for the fingerprint.
class Canon {
 public:
  void str(std::string_view s) {
    out_ += 's';
    out_ += std::to_string(s.size());
    out_ += ':';
    out_ += s;
  }
  void num(std::int64_t v) {
    out_ += 'i';
    out_ += std::to_string(v);
    out_ += ';';
  }
  void real(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "r%a;", v + 0.0);  // + 0.0 turns -0.0 into 0.0
    out_ += buf;
  }
  void date(Date d) { num(d.time_since_epoch().count()); }
  void date(const std::optional<Date>& d) {
    if (!d) {
      out_ += "n;";
    } else {
      date(*d);
    }
  }
  void real(const std::optional<double>& v) {
    if (!v) {
      out_ += "n;";
    } else {
      real(*v);
    }
  }
  void count(std::size_t n) { num(static_cast<std::int64_t>(n)); }
  void change(const model::DeadlineChange& c) {
    date(c.previous);
    date(c.deadline);
    str(c.decidedBy);
    date(c.decidedOn);
    str(c.reason);
    // Fields added later are encoded only when set, after a tag no earlier token starts with,
    // so that a record without them keeps the fingerprint stored before they existed (and the
    // same revision sent again stays a duplicate across the upgrade).
    const auto implied = c.decidedBy.empty() ? model::Decision::Pending : model::Decision::Approved;
    if (!c.requestedBy.empty() || c.requestedOn || c.decision != implied) {
      tag('D');
      str(c.requestedBy);
      date(c.requestedOn);
      str(model::toString(c.decision));
    }
  }
  void tag(char t) { out_ += t; }
  void titles(char t, const model::Translations& list) {
    if (list.empty()) return;
    tag(t);
    count(list.size());
    for (const auto& x : list) {
      str(x.lang);
      str(x.text);
    }
  }
  void events(char t, const std::vector<model::ControlEvent>& list) {
    if (list.empty()) return;
    tag(t);
    count(list.size());
    for (const auto& e : list) {
      str(model::toString(e.state));
      str(e.by);
      date(e.on);
      str(e.at);
      date(e.completed);
      str(e.reason);
    }
  }
  void comments(char t, const std::vector<model::Comment>& list) {
    if (list.empty()) return;
    tag(t);
    count(list.size());
    for (const auto& x : list) {
      str(x.author);
      str(x.at);
      str(x.lang);
      str(x.text);
    }
  }
  const std::string& text() const { return out_; }

 private:
  std::string out_ = "ijro-implementation-v1;";
};

}  // namespace

std::string describeChanges(const model::Implementation& a, const model::Implementation& b) {
  Lines out;
  out.field("title", a.measure.title, b.measure.title);
  titles(out, "", a.measure.titles, b.measure.titles);
  out.field("act type", a.measure.act.type, b.measure.act.type);
  out.field("act number", a.measure.act.number, b.measure.act.number);
  out.field("act date", a.measure.act.date, b.measure.act.date);
  out.field("act item", a.measure.act.item, b.measure.act.item);
  out.field("sector", a.sector, b.sector);
  out.field("lifecycle", a.lifecycle, b.lifecycle);
  out.field("start", a.start, b.start);
  out.field("deadline", a.deadline, b.deadline);
  out.field("completed", a.completed, b.completed);
  deadlineChanges(out, "", a.deadlineChanges, b.deadlineChanges);
  indicators(out, a.indicators, b.indicators);
  assignments(out, a.assignments, b.assignments);
  evidence(out, a.evidence, b.evidence);
  journal(out, "control event", a.controlEvents, b.controlEvents);
  journal(out, "comment", a.comments, b.comments);
  out.field("note", a.note, b.note);
  return out.str();
}

std::string fingerprint(const model::Implementation& x) {
  Canon c;
  c.str(x.measure.id);
  c.str(x.measure.title);
  c.str(x.measure.act.type);
  c.str(x.measure.act.number);
  c.date(x.measure.act.date);
  c.str(x.measure.act.item);
  c.str(x.region);
  c.str(x.organisation);
  c.str(x.sector);
  c.str(model::toString(x.lifecycle));
  c.date(x.start);
  c.date(x.deadline);
  c.date(x.completed);
  c.count(x.deadlineChanges.size());
  for (const auto& d : x.deadlineChanges) c.change(d);
  c.count(x.indicators.size());
  for (const auto& i : x.indicators) {
    c.str(i.code);
    c.str(i.name);
    c.str(i.unit);
    c.num(i.ascending ? 1 : 0);
    c.real(i.baseline);
    c.count(i.periods.size());
    for (const auto& p : i.periods) {
      c.date(p.start);
      c.date(p.end);
      c.real(p.target);
      c.real(p.actual);
      // Added later, so only when set (see Canon::change): tags no earlier token starts with.
      if (p.numerator || p.denominator || !p.breakdowns.empty()) {
        c.tag('P');
        c.real(p.numerator);
        c.real(p.denominator);
        c.count(p.breakdowns.size());
        for (const auto& b : p.breakdowns) {
          c.str(b.dimension);
          c.str(b.category);
          c.real(b.target);
          c.real(b.actual);
          c.real(b.numerator);
          c.real(b.denominator);
        }
      }
    }
    // A report's merge mode is part of what it said: the same periods replacing the list and
    // merged into it are different content.
    if (i.mode != model::IndicatorMode::Replace) {
      c.tag('M');
      c.str(model::toString(i.mode));
    }
  }
  c.count(x.assignments.size());
  for (const auto& a : x.assignments) {
    c.str(a.id);
    c.str(a.parentId);
    c.str(a.assignee);
    c.str(a.title);
    c.date(a.deadline);
    c.str(model::toString(a.control));
    c.date(a.completed);
    c.count(a.deadlineChanges.size());
    for (const auto& d : a.deadlineChanges) c.change(d);
    c.titles('T', a.titles);
    c.events('E', a.controlEvents);
    c.comments('C', a.comments);
  }
  c.count(x.evidence.size());
  for (const auto& e : x.evidence) {
    c.str(e.url);
    c.str(e.title);
    c.str(e.format);
    c.date(e.date);
    c.str(e.uploader);
    // Only when set, so that evidence without them keeps the fingerprint older hubs stored.
    if (!e.sha256.empty() || e.size) {
      c.tag('H');
      c.str(e.sha256);
      c.num(e.size.value_or(-1));
    }
  }
  c.str(x.note);
  c.titles('T', x.measure.titles);
  c.events('E', x.controlEvents);
  c.comments('C', x.comments);
  return base::sha256Hex(c.text());
}

}  // namespace ijro::store
