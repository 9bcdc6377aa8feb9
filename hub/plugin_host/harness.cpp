#include "hub/plugin_host/harness.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "hub/model/date.hpp"

namespace ijro::plugin_host {

namespace {

std::string instanceName(const LoadedPlugin& plugin, const HarnessOptions& opts) {
  return opts.instanceName.empty() ? plugin.info().name : opts.instanceName;
}

RecordChecks checksFor(const HarnessOptions& opts, const model::SectorCatalogue& sectors) {
  RecordChecks c;
  if (opts.validateModel) {
    c.sectors = &sectors;
    c.today = model::today();
  }
  return c;
}

void reportInvalid(const Instance& in, const std::string& where,
                   const std::vector<RecordOutcome>& records) {
  for (const auto& r : records) {
    if (r.valid()) continue;
    std::string why;
    for (const auto& e : r.errors) why += (why.empty() ? "" : "; ") + e;
    spdlog::warn("plugin \"{}\" instance \"{}\" {} record {} is invalid: {}",
                 in.plugin().info().name, in.name(), where, r.index, why);
  }
}

}  // namespace

std::size_t PollOutcome::valid() const {
  return static_cast<std::size_t>(
      std::count_if(records.begin(), records.end(), [](const auto& r) { return r.valid(); }));
}

std::size_t PollOutcome::invalid() const {
  return records.size() - valid();
}

SourceHarness::SourceHarness(const LoadedPlugin& plugin, const OptionValues& options,
                             HarnessOptions opts)
    : opts_(std::move(opts)) {
  instance_ = Instance::create(plugin, instanceName(plugin, opts_), options, opts_.checkpoint,
                               opts_.limits);
}

PollOutcome SourceHarness::poll() {
  PollOutcome out;
  out.number = ++polls_;
  PollResult r = instance_->poll();
  out.status = r.status;
  out.message = std::move(r.message);
  if (r.status == Status::Ok) {
    out.records = checkRecords(r.records, instance_->name(), checksFor(opts_, sectors_));
    reportInvalid(*instance_, fmt::format("poll {}", out.number), out.records);
    // The commit: valid records and the checkpoint together (the store does this in one
    // transaction; invalid records go to the dead letters there and do not hold the source back).
    for (auto& rec : out.records)
      if (rec.valid()) committed_.push_back(*rec.record);
    if (r.checkpoint) instance_->setCheckpoint(std::move(r.checkpoint));
  }
  out.checkpoint = instance_->checkpoint();
  return out;
}

std::size_t SourceRun::invalid() const {
  std::size_t n = 0;
  for (const auto& p : polls) n += p.invalid();
  return n;
}

std::size_t SourceRun::failedPolls() const {
  return static_cast<std::size_t>(std::count_if(
      polls.begin(), polls.end(), [](const auto& p) { return p.status != Status::Ok; }));
}

SourceRun runSource(const LoadedPlugin& plugin, const OptionValues& options, std::size_t polls,
                    HarnessOptions opts) {
  SourceHarness h(plugin, options, std::move(opts));
  SourceRun run;
  for (std::size_t i = 0; i < polls; ++i) run.polls.push_back(h.poll());
  run.records = h.committed();
  run.checkpoint = h.instance().checkpoint();
  run.stats = h.instance().stats();
  run.counters = h.instance().counters();
  return run;
}

SinkRun runSink(const LoadedPlugin& plugin, const OptionValues& options,
                std::span<const std::string> records, HarnessOptions opts) {
  auto in =
      Instance::create(plugin, instanceName(plugin, opts), options, opts.checkpoint, opts.limits);
  SinkRun run;
  run.result = in->deliver(records);
  run.stats = in->stats();
  run.counters = in->counters();
  return run;
}

SinkRun runSink(const LoadedPlugin& plugin, const OptionValues& options,
                const std::vector<model::Implementation>& records, HarnessOptions opts) {
  std::vector<std::string> json;
  json.reserve(records.size());
  for (const auto& r : records) json.push_back(recordJson(r));
  return runSink(plugin, options, std::span<const std::string>(json), std::move(opts));
}

TransformRun runTransform(const LoadedPlugin& plugin, const OptionValues& options,
                          std::span<const std::string> records, HarnessOptions opts) {
  auto in =
      Instance::create(plugin, instanceName(plugin, opts), options, opts.checkpoint, opts.limits);
  model::SectorCatalogue sectors;
  const RecordChecks checks = checksFor(opts, sectors);
  TransformRun run;
  for (std::size_t i = 0; i < records.size(); ++i) {
    TransformOutcome o;
    o.index = i + 1;
    TransformResult r = in->transform(records[i]);
    o.status = r.status;
    o.message = std::move(r.message);
    if (r.record) {
      auto checked = checkRecords({*r.record}, in->name(), checks);
      checked[0].index = o.index;
      reportInvalid(*in, "transform output for", checked);
      o.output = std::move(checked[0]);
    }
    run.records.push_back(std::move(o));
  }
  run.stats = in->stats();
  run.counters = in->counters();
  return run;
}

}  // namespace ijro::plugin_host
