// The feed writer (feed_writer.hpp) and the whole feed written with it (writeFeed, feed.hpp).
#include "hub/exchange/feed_writer.hpp"

#include <array>
#include <limits>

#include "hub/exchange/feed.hpp"
#include "hub/exchange/fields.hpp"
#include "hub/exchange/implementation_xml.hpp"
#include "hub/xml/writer.hpp"

namespace ijro::exchange {

namespace {

// Attributes shared by the evaluation of an implementation and of a task. The control state,
// the completion counted and late approvals are written only when there is something to say,
// so an implementation without tasks, control events or deadline changes reads as before.
void writeJudgement(xml::Writer& w, const model::Judgement& j) {
  w.attribute("status", model::toString(j.status));
  w.attribute("rag", model::toString(j.rag));
  w.attribute("deadline", model::formatDate(j.deadline));
  w.attribute("delayDays", std::to_string(j.delayDays));
}

void writeControl(xml::Writer& w, const model::Judgement& j) {
  if (j.control) w.attribute("control", model::toString(*j.control));
  if (j.completed) w.attribute("countedCompletion", model::formatDate(*j.completed));
  if (j.lateApprovals > 0) w.attribute("lateApprovals", std::to_string(j.lateApprovals));
}

void writeVerdicts(xml::Writer& w, const std::vector<model::ChangeVerdict>& verdicts) {
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    w.startElement("deadlineChangeVerdict");
    w.attribute("index", std::to_string(i));
    w.attribute("verdict", model::toString(verdicts[i]));
    w.endElement();
  }
}

void writeTaskSummary(xml::Writer& w, const model::TaskSummary& s) {
  w.startElement("tasks");
  w.attribute("total", std::to_string(s.total));
  w.attribute("overdue", std::to_string(s.overdue));
  w.attribute("doneLate", std::to_string(s.doneLate));
  w.attribute("doneOnTime", std::to_string(s.doneOnTime));
  w.attribute("dueSoon", std::to_string(s.dueSoon));
  w.attribute("onTrack", std::to_string(s.onTrack));
  w.attribute("submitted", std::to_string(s.submitted));
  w.attribute("returned", std::to_string(s.returned));
  w.attribute("dueOrFinished", std::to_string(s.dueOrFinished));
  w.attribute("lateApprovals", std::to_string(s.lateApprovals));
  if (s.longestOverdueId) {
    w.attribute("longestOverdue", *s.longestOverdueId);
    w.attribute("longestOverdueDays", std::to_string(s.longestOverdueDays));
  }
  w.endElement();
}

void writeEvaluation(xml::Writer& w, const model::Evaluation& ev,
                     const std::vector<model::TaskEvaluation>& tasks) {
  w.startElement("evaluation");
  writeJudgement(w, ev);
  if (ev.progress) w.attribute("progress", fields::formatNumber(*ev.progress));
  if (ev.timeElapsed) w.attribute("timeElapsed", fields::formatNumber(*ev.timeElapsed));
  if (ev.ratio) w.attribute("ratio", fields::formatNumber(*ev.ratio));
  w.attribute("earlyWarning", ev.earlyWarning ? "true" : "false");
  w.attribute("countsForDelay", ev.countsForDelay ? "true" : "false");
  writeControl(w, ev);
  if (ev.periodsOutsideWork > 0)
    w.attribute("periodsOutsideWork", std::to_string(ev.periodsOutsideWork));
  writeVerdicts(w, ev.deadlineChanges);
  for (const auto& t : tasks) {
    w.startElement("task");
    w.attribute("id", t.id);
    writeJudgement(w, t);
    w.attribute("earlyWarning", t.earlyWarning ? "true" : "false");
    w.attribute("countsForDelay", t.countsForDelay ? "true" : "false");
    writeControl(w, t);
    writeVerdicts(w, t.deadlineChanges);
    w.endElement();
  }
  if (!tasks.empty()) writeTaskSummary(w, ev.tasks);
  w.endElement();
}

void writeRollUp(xml::Writer& w, model::RollUpBy by, const model::RollUp& r) {
  w.startElement("rollup");
  w.attribute("by", model::toString(by));
  w.attribute("key", r.key);
  w.attribute("total", std::to_string(r.total));
  w.attribute("rag", model::toString(r.rag));
  w.attribute("done", std::to_string(r.done));
  w.attribute("doneLate", std::to_string(r.doneLate));
  w.attribute("shareDoneLate", fields::formatNumber(r.shareDoneLate));
  w.attribute("earlyWarnings", std::to_string(r.earlyWarnings));
  w.attribute("overdue", std::to_string(r.overdue));
  w.attribute("dueOrFinished", std::to_string(r.dueOrFinished));
  w.attribute("shareDoneLateOfDueOrFinished", fields::formatNumber(r.shareDoneLateOfDueOrFinished));
  w.attribute("cancelled", std::to_string(r.cancelled));
  w.attribute("suspended", std::to_string(r.suspended));
  for (const auto& [status, n] : r.byStatus) {
    if (n == 0) continue;
    w.startElement("count");
    w.attribute("status", model::toString(status));
    w.attribute("n", std::to_string(n));
    w.endElement();
  }
  if (r.tasks.total > 0) {
    const auto& t = r.tasks;
    w.startElement("tasks");
    w.attribute("total", std::to_string(t.total));
    w.attribute("overdue", std::to_string(t.overdue));
    w.attribute("doneOnTime", std::to_string(t.doneOnTime));
    w.attribute("doneLate", std::to_string(t.doneLate));
    w.attribute("dueSoon", std::to_string(t.dueSoon));
    w.attribute("done", std::to_string(t.done));
    w.attribute("dueOrFinished", std::to_string(t.dueOrFinished));
    w.attribute("shareDoneLateOfDueOrFinished",
                fields::formatNumber(t.shareDoneLateOfDueOrFinished));
    w.attribute("shareDoneLateOfFinished", fields::formatNumber(t.shareDoneLateOfFinished));
    w.attribute("cancelled", std::to_string(t.cancelled));
    w.attribute("suspended", std::to_string(t.suspended));
    w.attribute("withOverdueTasks", std::to_string(t.withOverdueTasks));
    w.endElement();
  }
  w.endElement();
}

constexpr std::array<model::RollUpBy, 4> kBy{model::RollUpBy::Measure, model::RollUpBy::Region,
                                             model::RollUpBy::Sector,
                                             model::RollUpBy::Organisation};

}  // namespace

FeedWriter::FeedWriter(const FeedHeader& header, const model::StatusRules& rules)
    : asOf_(header.asOf),
      rules_(rules),
      rollups_{model::RollUpBuilder(kBy[0]), model::RollUpBuilder(kBy[1]),
               model::RollUpBuilder(kBy[2]), model::RollUpBuilder(kBy[3])} {
  w_.startElement("feed", kFeedNs);
  w_.attribute("hub", header.hubId);
  w_.attribute("generatedAt", header.generatedAt);
  w_.attribute("asOf", model::formatDate(header.asOf));
}

void FeedWriter::add(const model::Implementation& impl,
                     const std::function<void(xml::Writer&)>& tail) {
  const model::Evaluation ev = model::evaluate(impl, asOf_, rules_, tasks_);
  w_.startElement("implementation");
  w_.attribute("source", impl.source);
  w_.attribute("revision", std::to_string(impl.revision));
  writeImplementationFacts(w_, impl, Facts::Feed);
  if (!impl.organisationCode.empty()) {
    w_.startElement("organisationIdentity");
    w_.attribute("code", impl.organisationCode);
    for (const auto& n : impl.organisationNames) {
      w_.startElement("name");
      w_.attribute("lang", n.lang);
      w_.text(n.text);
      w_.endElement();
    }
    w_.endElement();
  }
  writeEvaluation(w_, ev, tasks_);
  if (tail) tail(w_);
  w_.endElement();
  for (auto& r : rollups_) r.add(impl, ev);
}

std::string FeedWriter::finish() {
  w_.startElement("rollups");
  for (std::size_t i = 0; i < kBy.size(); ++i)
    for (const auto& r : rollups_[i].result()) writeRollUp(w_, kBy[i], r);
  w_.endElement();
  w_.endElement();
  return w_.finish();
}

std::string writeFeed(
    const FeedHeader& header, const model::StatusRules& rules,
    const std::function<void(const std::function<void(const model::Implementation&)>&)>& each) {
  std::string document;
  writeFeed(
      header, rules, each, [&](std::string&& part) { document += part; },
      std::numeric_limits<std::size_t>::max());
  return document;
}

void writeFeed(
    const FeedHeader& header, const model::StatusRules& rules,
    const std::function<void(const std::function<void(const model::Implementation&)>&)>& each,
    const std::function<void(std::string&& part)>& out, std::size_t partBytes) {
  FeedWriter feed(header, rules);
  each([&](const model::Implementation& impl) {
    feed.add(impl);
    if (feed.written() >= partBytes) out(feed.take());
  });
  if (auto rest = feed.finish(); !rest.empty()) out(std::move(rest));
}

}  // namespace ijro::exchange
