// The test kit over the hub's plugin host: the same loader, instance and record checks as the
// hub, with results turned into the plain types of ijro_testkit.hpp.
#include "ijro_testkit.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <utility>

#include "hub/base/enum_names.hpp"
#include "hub/exchange/report.hpp"
#include "hub/model/date.hpp"
#include "hub/model/sectors.hpp"
#include "hub/plugin_host/harness.hpp"
#include "hub/plugin_host/instance.hpp"
#include "hub/plugin_host/loader.hpp"
#include "hub/plugin_host/records.hpp"

namespace ijro::testkit {

namespace host = ijro::plugin_host;
namespace json = boost::json;

PluginError::~PluginError() = default;

namespace {

constexpr base::NameTable<Status, 3> kStatusNames{{
    {Status::Ok, "ok"},
    {Status::Retry, "retry"},
    {Status::Error, "error"},
}};
static_assert(base::namesEvery(kStatusNames, Status::Ok, Status::Error));

}  // namespace

const char* toString(Status s) {
  return base::nameOf(kStatusNames, s, "error");
}

namespace {

Status fromHost(host::Status s) {
  switch (s) {
    case host::Status::Ok:
      return Status::Ok;
    case host::Status::Retry:
      return Status::Retry;
    case host::Status::Error:
      return Status::Error;
  }
  return Status::Error;
}

PluginInfo describe(const host::PluginInfo& in) {
  PluginInfo out;
  out.name = in.name;
  out.version = in.version;
  out.description = in.description;
  out.kind = host::toString(in.kind);
  out.abi = in.abi.str();
  for (const auto& o : in.options)
    out.options.push_back(
        {o.name, host::toString(o.type), o.required, o.defaultValue, o.description});
  return out;
}

host::OptionValues optionValues(const Options& options) {
  host::OptionValues out;
  for (const auto& [k, v] : options) out.emplace(k, v);
  return out;
}

// Loading and creating: every hub refusal becomes a PluginError with the hub's message.
template <typename F>
auto refusedAsPluginError(F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (const host::PluginError& e) {
    throw PluginError(e.what());
  }
}

Rejected rejectedOf(const host::RecordOutcome& r, std::size_t poll) {
  return Rejected{poll, r.index, r.json, r.errors};
}

Record recordOf(const host::RecordOutcome& r, std::size_t poll) {
  return Record{poll, r.index, host::recordJson(*r.record)};
}

// Follows "a.b[2].c" through a JSON value; nullptr when any step is missing.
const json::value* walk(const json::value& root, std::string_view path) {
  const json::value* v = &root;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string_view::npos || !v->is_array()) return nullptr;
      std::size_t n = 0;
      auto res = std::from_chars(path.data() + i + 1, path.data() + close, n);
      if (res.ec != std::errc() || res.ptr != path.data() + close) return nullptr;
      const auto& a = v->get_array();
      if (n >= a.size()) return nullptr;
      v = &a[n];
      i = close + 1;
      continue;
    }
    std::size_t end = path.find_first_of(".[", i);
    if (end == std::string_view::npos) end = path.size();
    if (!v->is_object()) return nullptr;
    const auto* found = v->get_object().if_contains(json::string_view(path.data() + i, end - i));
    if (found == nullptr) return nullptr;
    v = found;
    i = end;
  }
  return v;
}

std::string text(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return std::string(v.get_string());
    case json::kind::int64:
      return std::to_string(v.get_int64());
    case json::kind::uint64:
      return std::to_string(v.get_uint64());
    case json::kind::double_: {
      char buf[64];
      auto res = std::to_chars(buf, buf + sizeof buf, v.get_double());
      return std::string(buf, res.ptr);
    }
    case json::kind::bool_:
      return v.get_bool() ? "true" : "false";
    case json::kind::null:
      return "";
    case json::kind::array:
    case json::kind::object:
      return json::serialize(v);
  }
  return "";
}

}  // namespace

std::string Record::field(std::string_view path) const {
  const json::value doc = json::parse(json);
  const json::value* v = walk(doc, path);
  return v == nullptr ? std::string() : text(*v);
}

bool Record::has(std::string_view path) const {
  const json::value doc = json::parse(json);
  const json::value* v = walk(doc, path);
  return v != nullptr && !v->is_null();
}

struct PluginUnderTest::Impl {
  Impl(host::LoadedPlugin p, const Settings& s)
      : plugin(std::move(p)), settings(s), info(describe(plugin.info())) {}

  host::LoadedPlugin plugin;
  Settings settings;
  PluginInfo info;
  std::unique_ptr<host::SourceHarness> source;  // a source runs in the hub's harness
  std::unique_ptr<host::Instance> instance;     // a sink or a transform directly
  model::SectorCatalogue sectors;
  std::vector<Record> committed;
  std::vector<model::Implementation> committedModel;
  std::size_t polls = 0;

  host::Instance& running() { return source ? source->instance() : *instance; }
  const host::Instance& running() const { return source ? source->instance() : *instance; }

  void requireKind(host::Kind kind, const char* what) const {
    if (plugin.info().kind != kind)
      throw std::logic_error(std::string(what) + " needs a " + host::toString(kind) + ", but \"" +
                             info.name + "\" is a " + info.kind);
  }

  host::RecordChecks checks() const {
    host::RecordChecks c;
    if (settings.validateModel) {
      c.sectors = &sectors;
      c.today = model::today();
    }
    return c;
  }
};

PluginUnderTest::PluginUnderTest(const std::filesystem::path& library, const Options& options,
                                 const Settings& settings)
    : impl_(std::make_unique<Impl>(refusedAsPluginError([&] { return host::load(library); }),
                                   settings)) {
  Impl& d = *impl_;
  const std::string name = settings.instanceName.empty() ? d.info.name : settings.instanceName;
  const host::OptionValues values = optionValues(options);
  refusedAsPluginError([&] {
    if (d.plugin.info().kind == host::Kind::Source) {
      host::HarnessOptions opts;
      opts.instanceName = name;
      opts.checkpoint = settings.checkpoint;
      opts.validateModel = settings.validateModel;
      d.source = std::make_unique<host::SourceHarness>(d.plugin, values, opts);
    } else {
      d.instance = host::Instance::create(d.plugin, name, values, settings.checkpoint);
    }
    return 0;
  });
}

PluginUnderTest::~PluginUnderTest() = default;
PluginUnderTest::PluginUnderTest(PluginUnderTest&&) noexcept = default;
PluginUnderTest& PluginUnderTest::operator=(PluginUnderTest&&) noexcept = default;

const PluginInfo& PluginUnderTest::info() const {
  return impl_->info;
}

PollResult PluginUnderTest::poll() {
  Impl& d = *impl_;
  d.requireKind(host::Kind::Source, "poll()");
  host::PollOutcome o = d.source->poll();
  PollResult out;
  out.number = o.number;
  out.status = fromHost(o.status);
  out.message = o.message;
  out.checkpoint = o.checkpoint;
  for (const auto& r : o.records) {
    if (r.valid()) {
      out.records.push_back(recordOf(r, o.number));
      d.committed.push_back(out.records.back());
      d.committedModel.push_back(*r.record);
    } else {
      out.rejected.push_back(rejectedOf(r, o.number));
    }
  }
  return out;
}

DeliverResult PluginUnderTest::deliver(const std::vector<std::string>& records) {
  Impl& d = *impl_;
  d.requireKind(host::Kind::Sink, "deliver()");
  host::DeliverResult r = d.instance->deliver(records);
  DeliverResult out;
  out.status = fromHost(r.status);
  out.message = r.message;
  for (auto s : r.records) out.records.push_back(fromHost(s));
  return out;
}

TransformResult PluginUnderTest::transform(std::string_view record) {
  Impl& d = *impl_;
  d.requireKind(host::Kind::Transform, "transform()");
  host::TransformResult r = d.instance->transform(record);
  TransformResult out;
  out.status = fromHost(r.status);
  out.message = r.message;
  if (r.record) {
    auto checked = host::checkRecords({*r.record}, d.instance->name(), d.checks());
    if (checked.at(0).valid())
      out.record = recordOf(checked[0], 0);
    else
      out.rejected = rejectedOf(checked[0], 0);
  }
  return out;
}

const std::vector<Record>& PluginUnderTest::committed() const {
  return impl_->committed;
}

std::string PluginUnderTest::reportXml() const {
  return exchange::writeReportXml(impl_->running().name(), impl_->committedModel);
}

std::optional<std::string> PluginUnderTest::checkpoint() const {
  return impl_->running().checkpoint();
}

std::map<std::string, std::int64_t> PluginUnderTest::counters() const {
  return impl_->running().counters();
}

PluginInfo inspect(const std::filesystem::path& library) {
  return describe(refusedAsPluginError([&] { return host::load(library); }).info());
}

std::string sampleRecord(std::string_view measureId, std::string_view region,
                         std::int64_t revision) {
  model::Implementation impl;
  impl.measure.id = std::string(measureId);
  impl.measure.title = "Test measure " + impl.measure.id;
  impl.measure.act = {"decree", "UP-6079", *model::parseDate("2020-10-05"), ""};
  impl.region = std::string(region);
  impl.organisation = "Test Organisation";
  impl.sector = "other";
  impl.revision = revision;
  impl.lifecycle = model::Lifecycle::InProgress;
  impl.start = *model::parseDate("2026-01-01");
  impl.deadline = *model::parseDate("2026-12-31");
  return host::recordJson(impl);
}

}  // namespace ijro::testkit
