#include "hub/exchange/feed.hpp"

#include <array>

#include "hub/exchange/fields.hpp"
#include "hub/exchange/implementation_xml.hpp"
#include "hub/xml/writer.hpp"

namespace ijro::exchange {

namespace {

void writeEvaluation(xml::Writer& w, const model::Evaluation& ev) {
  w.startElement("evaluation");
  w.attribute("status", model::toString(ev.status));
  w.attribute("rag", model::toString(ev.rag));
  w.attribute("deadline", model::formatDate(ev.deadline));
  w.attribute("delayDays", std::to_string(ev.delayDays));
  if (ev.progress) w.attribute("progress", fields::formatNumber(*ev.progress));
  if (ev.timeElapsed) w.attribute("timeElapsed", fields::formatNumber(*ev.timeElapsed));
  if (ev.ratio) w.attribute("ratio", fields::formatNumber(*ev.ratio));
  w.attribute("earlyWarning", ev.earlyWarning ? "true" : "false");
  w.attribute("countsForDelay", ev.countsForDelay ? "true" : "false");
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
  for (const auto& [status, n] : r.byStatus) {
    if (n == 0) continue;
    w.startElement("count");
    w.attribute("status", model::toString(status));
    w.attribute("n", std::to_string(n));
    w.endElement();
  }
  w.endElement();
}

}  // namespace

std::string writeFeed(
    const FeedHeader& header, const model::StatusRules& rules,
    const std::function<void(const std::function<void(const model::Implementation&)>&)>& each) {
  constexpr std::array<model::RollUpBy, 4> kBy{model::RollUpBy::Measure, model::RollUpBy::Region,
                                               model::RollUpBy::Sector,
                                               model::RollUpBy::Organisation};
  std::array<model::RollUpBuilder, 4> rollups{
      model::RollUpBuilder(kBy[0]), model::RollUpBuilder(kBy[1]), model::RollUpBuilder(kBy[2]),
      model::RollUpBuilder(kBy[3])};

  xml::Writer w;
  w.startElement("feed", kFeedNs);
  w.attribute("hub", header.hubId);
  w.attribute("generatedAt", header.generatedAt);
  w.attribute("asOf", model::formatDate(header.asOf));
  each([&](const model::Implementation& impl) {
    const model::Evaluation ev = model::evaluate(impl, header.asOf, rules);
    w.startElement("implementation");
    w.attribute("source", impl.source);
    w.attribute("revision", std::to_string(impl.revision));
    writeImplementationFacts(w, impl);
    writeEvaluation(w, ev);
    w.endElement();
    for (auto& r : rollups) r.add(impl, ev);
  });
  w.startElement("rollups");
  for (std::size_t i = 0; i < kBy.size(); ++i)
    for (const auto& r : rollups[i].result()) writeRollUp(w, kBy[i], r);
  w.endElement();
  w.endElement();
  return w.finish();
}

}  // namespace ijro::exchange
