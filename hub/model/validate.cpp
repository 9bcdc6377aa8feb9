#include "hub/model/validate.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <string_view>

#include "hub/model/indicators.hpp"
#include "hub/model/regions.hpp"
#include "hub/model/status.hpp"

namespace ijro::model {

namespace {

constexpr std::size_t kMaxIdLength = 64;

std::string num(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  out += s;
  out += '\'';
  return out;
}

bool idChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '/' || c == '-';
}

bool startsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

bool isBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::string lowerAscii(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool asciiLetter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

std::string at(std::string_view field, std::size_t i) {
  return std::string(field) + "[" + std::to_string(i) + "]";
}

class Checker {
 public:
  Checker(const Implementation& impl, const SectorCatalogue& sectors, Date today)
      : impl_(impl), sectors_(sectors), today_(today) {}

  std::vector<std::string> run() {
    measure();
    territoryAndOwner();
    dates();
    deadlineChanges();
    indicators();
    evidence();
    assignments();
    translations("measure.titles", impl_.measure.titles);
    controlEvents("", impl_.controlEvents);
    comments("", impl_.comments);
    bounds();
    for (std::size_t i = 0; i < impl_.assignments.size(); ++i) {
      const auto& a = impl_.assignments[i];
      const std::string prefix = at("assignments", i) + ".";
      changeChain(prefix, a.deadline, a.deadlineChanges);
      translations(prefix + "titles", a.titles);
      controlEvents(prefix, a.controlEvents);
      comments(prefix, a.comments);
    }
    return std::move(problems_);
  }

 private:
  void problem(std::string text) { problems_.push_back(std::move(text)); }

  // --- bounds (see validate.hpp): every text within its length, every number within range -----

  // The field's name is `where` followed by `field`, put together only for a problem: every
  // field of every record passes through here.
  void text(std::string_view where, std::string_view field, const std::string& value,
            std::size_t limit) {
    if (value.size() > limit)
      problem(std::string(where) + std::string(field) + " is " + std::to_string(value.size()) +
              " bytes long: it must be at most " + std::to_string(limit) +
              " bytes (UTF-8): shorten it");
  }
  void text(std::string_view where, const std::string& value, std::size_t limit) {
    text(where, {}, value, limit);
  }

  void number(std::string_view where, std::string_view field, const std::optional<double>& v) {
    if (v && !(std::fabs(*v) <= kMaxIndicatorMagnitude))
      problem(std::string(where) + std::string(field) + " " + num(*v) +
              " is outside the range of indicator values (at most " + num(kMaxIndicatorMagnitude) +
              " either way): give the value in a unit that keeps it in range (thousands, "
              "millions)");
  }

  void texts(const std::string& where, const Translations& ts) {
    for (std::size_t i = 0; i < ts.size(); ++i)
      text(where + "[" + std::to_string(i) + "].text", ts[i].text, kMaxTitleBytes);
  }

  void changes(const std::string& where, const std::vector<DeadlineChange>& cs) {
    for (std::size_t i = 0; i < cs.size(); ++i) {
      const std::string w = where + at("deadlineChanges", i);
      text(w, ".requestedBy", cs[i].requestedBy, kMaxNameBytes);
      text(w, ".decidedBy", cs[i].decidedBy, kMaxNameBytes);
      text(w, ".reason", cs[i].reason, kMaxNoteBytes);
    }
  }

  void journal(const std::string& where, const std::vector<ControlEvent>& es,
               const std::vector<Comment>& cs) {
    for (std::size_t i = 0; i < es.size(); ++i) {
      const std::string w = where + at("controlEvents", i);
      text(w, ".by", es[i].by, kMaxNameBytes);
      text(w, ".at", es[i].at, kMaxCodeBytes);
      text(w, ".reason", es[i].reason, kMaxNoteBytes);
    }
    for (std::size_t i = 0; i < cs.size(); ++i) {
      const std::string w = where + at("comments", i);
      text(w, ".author", cs[i].author, kMaxNameBytes);
      text(w, ".at", cs[i].at, kMaxCodeBytes);
      text(w, ".text", cs[i].text, kMaxNoteBytes);
    }
  }

  void bounds() {
    const auto& m = impl_.measure;
    text("measure.title", m.title, kMaxTitleBytes);
    texts("measure.titles", m.titles);
    text("measure.act.type", m.act.type, kMaxCodeBytes);
    text("measure.act.number", m.act.number, kMaxCodeBytes);
    text("measure.act.item", m.act.item, kMaxCodeBytes);
    text("organisation", impl_.organisation, kMaxOrganisationBytes);
    text("note", impl_.note, kMaxNoteBytes);
    changes("", impl_.deadlineChanges);
    journal("", impl_.controlEvents, impl_.comments);
    for (std::size_t i = 0; i < impl_.assignments.size(); ++i) {
      const auto& a = impl_.assignments[i];
      const std::string w = at("assignments", i);
      text(w, ".id", a.id, kMaxCodeBytes);
      text(w, ".parent", a.parentId, kMaxCodeBytes);
      text(w, ".assignee", a.assignee, kMaxOrganisationBytes);
      text(w, ".title", a.title, kMaxTitleBytes);
      texts(w + ".titles", a.titles);
      changes(w + ".", a.deadlineChanges);
      journal(w + ".", a.controlEvents, a.comments);
    }
    for (std::size_t i = 0; i < impl_.evidence.size(); ++i) {
      const auto& e = impl_.evidence[i];
      const std::string w = at("evidence", i);
      text(w, ".url", e.url, kMaxTitleBytes);
      text(w, ".title", e.title, kMaxTitleBytes);
      text(w, ".format", e.format, kMaxCodeBytes);
      text(w, ".uploader", e.uploader, kMaxNameBytes);
    }
    for (std::size_t i = 0; i < impl_.indicators.size(); ++i) {
      const auto& ind = impl_.indicators[i];
      const std::string w = at("indicators", i);
      text(w, ".code", ind.code, kMaxCodeBytes);
      text(w, ".name", ind.name, kMaxTitleBytes);
      text(w, ".unit", ind.unit, kMaxCodeBytes);
      number(w, ".baseline", ind.baseline);
      for (std::size_t j = 0; j < ind.periods.size(); ++j) {
        const auto& p = ind.periods[j];
        const std::string pw = w + "." + at("periods", j);
        number(pw, ".target", p.target);
        number(pw, ".actual", p.actual);
        number(pw, ".numerator", p.numerator);
        number(pw, ".denominator", p.denominator);
        for (std::size_t k = 0; k < p.breakdowns.size(); ++k) {
          const auto& b = p.breakdowns[k];
          const std::string bw = pw + "." + at("breakdowns", k);
          text(bw, ".dimension", b.dimension, kMaxCodeBytes);
          text(bw, ".category", b.category, kMaxCodeBytes);
          number(bw, ".target", b.target);
          number(bw, ".actual", b.actual);
          number(bw, ".numerator", b.numerator);
          number(bw, ".denominator", b.denominator);
        }
      }
    }
  }

  void measure() {
    const std::string& id = impl_.measure.id;
    if (id.empty()) {
      problem("measure.id is empty: give the measure's stable identifier, e.g. \"DU2030-1.2.15\"");
    } else {
      if (id.size() > kMaxIdLength)
        problem("measure.id is " + std::to_string(id.size()) +
                " characters long: it must be at most " + std::to_string(kMaxIdLength));
      for (char c : id)
        if (!idChar(c)) {
          problem("measure.id " + quoted(id) + " contains the character " +
                  quoted(std::string_view(&c, 1)) +
                  ": use only letters A-Z and a-z, digits and . _ : / -");
          break;
        }
    }
    if (impl_.measure.title.empty())
      problem("measure.title is empty: give the measure's title as the legal act states it");
  }

  void territoryAndOwner() {
    if (!isKnownTerritory(impl_.region))
      problem("region " + quoted(impl_.region) +
              " is not a known territory: use a 4-digit SOATO region code (e.g. \"1703\"), a "
              "7-digit SOATO district code under a known region (e.g. \"1703202\"), or \"17\" "
              "for the whole republic");
    if (impl_.organisation.empty())
      problem("organisation is empty: name the responsible organisation (the executor)");
    if (!sectors_.contains(impl_.sector)) {
      std::string list;
      for (const auto& c : sectors_.codes()) list += (list.empty() ? "" : ", ") + c;
      problem("sector " + quoted(impl_.sector) + " is not in the sector catalogue: use one of " +
              list);
    }
    if (impl_.revision < 1)
      problem("revision " + std::to_string(impl_.revision) +
              " is not valid: revisions start at 1 and must increase with each update");
  }

  void dates() {
    const std::string start = formatDate(impl_.start);
    const std::string deadline = formatDate(impl_.deadline);
    if (impl_.start > impl_.deadline)
      problem("start " + start + " is after deadline " + deadline +
              ": the start must be on or before the deadline");
    if (impl_.completed) {
      const std::string completed = formatDate(*impl_.completed);
      if (*impl_.completed > today_)
        problem("completed " + completed + " is in the future (today is " + formatDate(today_) +
                "): a completion date can be today at the latest");
      if (*impl_.completed < impl_.start)
        problem("completed " + completed + " is before start " + start +
                ": the completion date must be on or after the start");
      if (impl_.lifecycle != Lifecycle::Completed)
        problem("completed " + completed + " is given but lifecycle is " +
                toString(impl_.lifecycle) +
                ": set lifecycle to completed, or remove the completed date if the work is not "
                "finished");
    } else if (impl_.lifecycle == Lifecycle::Completed) {
      problem(
          "lifecycle is completed but no completed date is given: set completed to the date the "
          "work was finished");
    }
  }

  void deadlineChanges() {
    for (std::size_t i = 0; i < impl_.deadlineChanges.size(); ++i) {
      const auto& c = impl_.deadlineChanges[i];
      if (c.deadline < impl_.start)
        problem(at("deadlineChanges", i) + ".deadline " + formatDate(c.deadline) +
                " is before start " + formatDate(impl_.start) +
                ": an extended deadline must be on or after the start");
    }
    changeChain("", impl_.deadline, impl_.deadlineChanges);
  }

  // The chain rule and the decision fields of deadline changes (see walkDeadlines in status.hpp
  // for the deadline in force).
  void changeChain(const std::string& prefix, Date original,
                   const std::vector<DeadlineChange>& changes) {
    const DeadlineWalk walk = walkDeadlines(original, changes);
    Date inForce = original;
    for (std::size_t i = 0; i < changes.size(); ++i) {
      const auto& c = changes[i];
      const std::string where = prefix + at("deadlineChanges", i);
      if (walk.verdicts[i] == ChangeVerdict::Unlinked)
        problem(where + ".previous " + formatDate(c.previous) + " is not the deadline in force " +
                formatDate(inForce) +
                " (rule: a change extends the deadline in force, i.e. the original deadline or "
                "the last change approved on or before it): set previous to " +
                formatDate(inForce));
      decisionFields(where, c);
      if (walk.verdicts[i] == ChangeVerdict::Moved) inForce = c.deadline;
    }
  }

  void decisionFields(const std::string& where, const DeadlineChange& c) {
    const std::string decision = toString(c.decision);
    if (c.decision == Decision::Pending) {
      if (!c.decidedBy.empty())
        problem(where + ".decidedBy " + quoted(c.decidedBy) +
                " is given but the decision is pending (rule: only a decided change names who "
                "decided): set the decision to approved or rejected, or leave decidedBy out");
      if (c.decidedOn)
        problem(where + ".decidedOn " + formatDate(*c.decidedOn) +
                " is given but the decision is pending (rule: only a decided change has a "
                "decision date): set the decision to approved or rejected, or leave decidedOn "
                "out");
    } else {
      if (c.decidedBy.empty())
        problem(where + ".decidedBy is empty but the change is " + decision +
                " (rule: a decision names who took it): give the controller who decided");
      // Reports from before decisions were dated may carry an approval without a date: such a
      // change (no requestedBy, no requestedOn) stays valid. Anything else needs the date, as
      // only an approval dated on or before the deadline in force moves it.
      const bool undatedOldApproval =
          c.decision == Decision::Approved && c.requestedBy.empty() && !c.requestedOn;
      if (!c.decidedOn && !undatedOldApproval)
        problem(where + ".decidedOn is missing but the change is " + decision +
                " (rule: a decision is dated; only an approval on or before the deadline in "
                "force moves it): give the date of the decision");
    }
    if (c.requestedOn && *c.requestedOn > today_)
      problem(where + ".requestedOn " + formatDate(*c.requestedOn) +
              " is in the future (today is " + formatDate(today_) +
              "): a request's date can be today at the latest");
    if (c.decidedOn && *c.decidedOn > today_)
      problem(where + ".decidedOn " + formatDate(*c.decidedOn) + " is in the future (today is " +
              formatDate(today_) + "): a decision's date can be today at the latest");
    if (c.decidedOn && c.requestedOn && *c.decidedOn < *c.requestedOn)
      problem(where + ".decidedOn " + formatDate(*c.decidedOn) + " is before requestedOn " +
              formatDate(*c.requestedOn) +
              " (rule: a change is decided on or after it was requested): correct either date");
  }

  void controlEvents(const std::string& prefix, const std::vector<ControlEvent>& events) {
    for (std::size_t i = 0; i < events.size(); ++i) {
      const auto& e = events[i];
      const std::string where = prefix + at("controlEvents", i);
      const std::string state = toString(e.state);
      if (e.by.empty())
        problem(where +
                ".by is empty (rule: every control transition names who made it): give "
                "the executor for submitted, the controller for verified, returned or "
                "removed");
      if (e.on > today_)
        problem(where + ".on " + formatDate(e.on) + " is in the future (today is " +
                formatDate(today_) + "): a transition's date can be today at the latest");
      if (e.state == ControlStatus::Submitted) {
        if (!e.completed)
          problem(where +
                  ".completed is missing on a submitted event (rule: a report of completion "
                  "gives the date the work was completed): add the completion date");
        else if (*e.completed > e.on)
          problem(where + ".completed " + formatDate(*e.completed) + " is after the event's on " +
                  formatDate(e.on) +
                  " (rule: work is completed on or before it is reported): correct either date");
      } else if (e.completed) {
        problem(where + ".completed is given on a " + state +
                " event (rule: only a submitted event carries the completion date): leave it "
                "out, or make the event submitted");
      }
      if (e.state == ControlStatus::Returned && isBlank(e.reason))
        problem(where +
                ".reason is empty on a returned event (rule: a returned report says why): give "
                "the reason it was returned");
    }
  }

  void comments(const std::string& prefix, const std::vector<Comment>& thread) {
    for (std::size_t i = 0; i < thread.size(); ++i) {
      const auto& c = thread[i];
      const std::string where = prefix + at("comments", i);
      if (isBlank(c.author))
        problem(where + ".author is empty (rule: a comment names its author): give the author");
      if (isBlank(c.at))
        problem(where + ".at is empty (rule: a comment is timed): give the time it was written");
      if (isBlank(c.text))
        problem(where +
                ".text is empty (rule: a comment says something): give the text, or "
                "leave the comment out");
      language(where + ".lang", c.lang);
    }
  }

  void translations(const std::string& where, const Translations& texts) {
    std::map<std::string, std::size_t, std::less<>> seen;
    for (std::size_t i = 0; i < texts.size(); ++i) {
      const std::string one = at(where, i);
      language(one + ".lang", texts[i].lang);
      if (isBlank(texts[i].text))
        problem(one + ".text is empty (rule: a translation carries the text): give the text in " +
                quoted(texts[i].lang) + ", or leave the translation out");
      auto [it, inserted] = seen.try_emplace(lowerAscii(texts[i].lang), i);
      if (!inserted && !texts[i].lang.empty())
        problem(one + ".lang " + quoted(texts[i].lang) + " repeats " + at(where, it->second) +
                ".lang (rule: one text per language): keep one of them");
    }
  }

  void language(const std::string& where, const std::string& tag) {
    if (tag.empty()) {
      problem(where +
              " is empty (rule: texts are tagged with their language): use uz-Latn, "
              "uz-Cyrl, ru or en (or another BCP 47 tag)");
      return;
    }
    if (!isLanguageTag(tag))
      problem(where + " " + quoted(tag) +
              " is not a language tag (rule: BCP 47, a 2- or 3-letter language, then subtags of "
              "1 to 8 letters or digits joined by '-'): use uz-Latn, uz-Cyrl, ru or en");
  }

  void indicators() {
    std::map<std::string, std::size_t, std::less<>> seen;
    for (std::size_t i = 0; i < impl_.indicators.size(); ++i) {
      const auto& ind = impl_.indicators[i];
      std::string where = at("indicators", i);
      if (ind.code.empty()) {
        problem(where + ".code is empty: give each indicator a code unique within the record");
      } else {
        auto [it, inserted] = seen.try_emplace(ind.code, i);
        if (!inserted)
          problem(where + ".code " + quoted(ind.code) + " repeats " + at("indicators", it->second) +
                  ".code (rule: one indicator per code in an implementation): give strata of one "
                  "indicator (sex, age group, ...) as breakdowns of its periods, or give the "
                  "other indicator its own code");
        where += " (" + ind.code + ")";
      }
      std::map<std::pair<Date, Date>, std::size_t> spans;
      for (std::size_t j = 0; j < ind.periods.size(); ++j) {
        const auto& p = ind.periods[j];
        const std::string pw = where + "." + at("periods", j);
        if (!(p.start < p.end))
          problem(pw + ": start " + formatDate(p.start) + " is not before end " +
                  formatDate(p.end) + ": a period's start must be before its end");
        auto [sp, fresh] = spans.try_emplace({p.start, p.end}, j);
        if (!fresh && ind.mode == IndicatorMode::Merge)
          problem(pw + " repeats " + at("periods", sp->second) + " (" + formatDate(p.start) + ".." +
                  formatDate(p.end) +
                  ") in an indicator of mode merge (rule: periods merge by start and end, so "
                  "each appears once): keep one of them");
        proportion(pw, ind.unit, p.actual, p.numerator, p.denominator);
        std::map<std::pair<std::string, std::string>, std::size_t> strata;
        for (std::size_t k = 0; k < p.breakdowns.size(); ++k) {
          const auto& b = p.breakdowns[k];
          const std::string bw = pw + "." + at("breakdowns", k);
          if (isBlank(b.dimension))
            problem(bw +
                    ".dimension is empty (rule: a breakdown names what it divides by): give "
                    "the dimension, e.g. \"sex\" or \"ageGroup\"");
          if (isBlank(b.category))
            problem(bw +
                    ".category is empty (rule: a breakdown names its stratum): give the "
                    "category, e.g. \"female\" or \"15-24\"");
          auto [st, first] = strata.try_emplace({b.dimension, b.category}, k);
          if (!first)
            problem(bw + " repeats " + at("breakdowns", st->second) + " (dimension " +
                    quoted(b.dimension) + ", category " + quoted(b.category) +
                    ") (rule: one entry per dimension and category in a period): keep one of "
                    "them");
          proportion(bw, ind.unit, b.actual, b.numerator, b.denominator);
        }
        if (p.target) {
          if (ind.ascending && *p.target < ind.baseline)
            problem(pw + ".target " + num(*p.target) + " is below the baseline " +
                    num(ind.baseline) +
                    " of an ascending indicator: raise the target, or mark the indicator as "
                    "descending if lower values are better");
          if (!ind.ascending && *p.target > ind.baseline)
            problem(pw + ".target " + num(*p.target) + " is above the baseline " +
                    num(ind.baseline) +
                    " of a descending indicator: lower the target, or mark the indicator as "
                    "ascending if higher values are better");
        }
      }
    }
  }

  // Numerator and denominator (see ratioOf in indicators.hpp): counts, so not negative; the
  // denominator not 0; for unit "%" the numerator not above the denominator; an actual given with
  // both must agree with them.
  void proportion(const std::string& where, const std::string& unit,
                  const std::optional<double>& actual, const std::optional<double>& numerator,
                  const std::optional<double>& denominator) {
    if (numerator && *numerator < 0)
      problem(where + ".numerator " + num(*numerator) +
              " is negative (rule: a numerator counts cases): give a count of 0 or more");
    if (denominator && *denominator <= 0)
      problem(where + ".denominator " + num(*denominator) +
              (*denominator == 0 ? " is 0" : " is negative") +
              " (rule: the denominator counts the population the share is of, so it is above "
              "0): give the population, or leave numerator and denominator out");
    if (numerator && denominator && *denominator > 0 && isPercentUnit(unit) &&
        *numerator > *denominator)
      problem(where + ".numerator " + num(*numerator) + " is above the denominator " +
              num(*denominator) +
              " of an indicator in \"%\" (rule: a share is at most 100%): correct either "
              "value, or change the unit if the value is not a share");
    if (actual && numerator && denominator && *denominator > 0) {
      const double r = *ratioOf(numerator, denominator, unit);
      if (!actualMatchesRatio(*actual, r))
        problem(where + ".actual " + num(*actual) + " does not match numerator " + num(*numerator) +
                " / denominator " + num(*denominator) + " = " + num(r) +
                (isPercentUnit(unit) ? " (x100 for unit \"%\")" : "") +
                " (rule: an actual given with both agrees with them, within 0.005): correct "
                "the values, or leave actual out to have it derived");
    }
  }

  void evidence() {
    for (std::size_t i = 0; i < impl_.evidence.size(); ++i) {
      const auto& e = impl_.evidence[i];
      const std::string where = at("evidence", i);
      if (e.url.empty())
        problem(where +
                ".url is empty: give the address of the uploaded document (http://, https:// or "
                "urn:)");
      else if (!startsWithNoCase(e.url, "http://") && !startsWithNoCase(e.url, "https://") &&
               !startsWithNoCase(e.url, "urn:"))
        problem(where + ".url " + quoted(e.url) +
                " is not an http://, https:// or urn: address: give a link to the document");
      if (e.date > today_)
        problem(where + ".date " + formatDate(e.date) + " is in the future (today is " +
                formatDate(today_) + "): a document's date can be today at the latest");
    }
  }

  void assignments() {
    const auto& as = impl_.assignments;
    std::map<std::string, std::size_t, std::less<>> index;  // id -> first position
    for (std::size_t i = 0; i < as.size(); ++i) {
      const std::string where = at("assignments", i);
      if (as[i].id.empty()) {
        problem(where + ".id is empty: give each assignment an id unique within the record");
        continue;
      }
      auto [it, inserted] = index.try_emplace(as[i].id, i);
      if (!inserted)
        problem(where + ".id " + quoted(as[i].id) + " repeats " + at("assignments", it->second) +
                ".id: each assignment needs a unique id");
    }
    for (std::size_t i = 0; i < as.size(); ++i) {
      const auto& a = as[i];
      const std::string where = at("assignments", i);
      if (!a.parentId.empty()) {
        if (a.parentId == a.id)
          problem(where + ".parentId " + quoted(a.parentId) +
                  " is the assignment itself: leave parentId empty for a top-level task or name "
                  "the task it was delegated from");
        else if (index.find(a.parentId) == index.end())
          problem(where + ".parentId " + quoted(a.parentId) +
                  " does not match any assignment id in this record: leave it empty for a "
                  "top-level task or name the task it was delegated from");
      }
      if (a.deadline == Date{})
        problem(where + ".deadline is not set: give the date the delegated task is due");
    }
    cycles(index);
  }

  // parentId links must form a forest; report each cycle once. Self-references are reported
  // above and not followed here.
  void cycles(const std::map<std::string, std::size_t, std::less<>>& index) {
    const auto& as = impl_.assignments;
    auto parentOf = [&](std::size_t i) -> std::optional<std::size_t> {
      const auto& parent = as[i].parentId;
      if (parent.empty() || parent == as[i].id) return std::nullopt;
      auto it = index.find(parent);
      if (it == index.end()) return std::nullopt;
      return it->second;
    };
    enum class State { Unvisited, OnPath, Done };
    std::vector<State> state(as.size(), State::Unvisited);
    for (std::size_t start = 0; start < as.size(); ++start) {
      std::vector<std::size_t> path;
      std::optional<std::size_t> next = start;
      while (next && state[*next] == State::Unvisited) {
        state[*next] = State::OnPath;
        path.push_back(*next);
        next = parentOf(*next);
      }
      if (next && state[*next] == State::OnPath) {
        // The walk came back to a task on this path: the cycle runs from there to the end.
        std::string ids;
        auto from = std::find(path.begin(), path.end(), *next);
        for (auto p = from; p != path.end(); ++p) ids += quoted(as[*p].id) + " -> ";
        ids += quoted(as[*next].id);
        problem("assignments " + ids +
                " form a cycle through parentId: every task must lead up to a top-level task "
                "whose parentId is empty");
      }
      for (std::size_t p : path) state[p] = State::Done;
    }
  }

  const Implementation& impl_;
  const SectorCatalogue& sectors_;
  Date today_;
  std::vector<std::string> problems_;
};

}  // namespace

bool isLanguageTag(std::string_view tag) {
  std::size_t pos = 0;
  bool first = true;
  while (true) {
    const std::size_t dash = tag.find('-', pos);
    const std::string_view sub =
        tag.substr(pos, dash == std::string_view::npos ? std::string_view::npos : dash - pos);
    if (first) {
      if (sub.size() < 2 || sub.size() > 3 || !std::all_of(sub.begin(), sub.end(), asciiLetter))
        return false;
      first = false;
    } else if (sub.empty() || sub.size() > 8 || !std::all_of(sub.begin(), sub.end(), [](char c) {
                 return asciiLetter(c) || (c >= '0' && c <= '9');
               })) {
      return false;
    }
    if (dash == std::string_view::npos) return true;
    pos = dash + 1;
  }
}

std::vector<std::string> validate(const Implementation& impl, const SectorCatalogue& sectors,
                                  Date today) {
  return Checker(impl, sectors, today).run();
}

}  // namespace ijro::model
