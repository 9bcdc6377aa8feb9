#include "hub/isolation/make_runner.hpp"

#include "hub/isolation/isolated_runner.hpp"
#include "hub/plugin_host/loader.hpp"

namespace ijro::isolation {

namespace {

// The default: the plugin runs in the hub's process, as fast as a function call and as dangerous
// (a crash in the plugin is a crash of the hub).
class InProcessRunner final : public Runner {
 public:
  explicit InProcessRunner(std::unique_ptr<Instance> instance) : instance_(std::move(instance)) {}

  const std::string& name() const override { return instance_->name(); }
  Kind kind() const override { return instance_->plugin().info().kind; }
  PollResult poll() override { return instance_->poll(); }
  DeliverResult deliver(std::span<const std::string> records) override {
    return instance_->deliver(records);
  }
  TransformResult transform(std::string_view record) override {
    return instance_->transform(record);
  }
  void setCheckpoint(std::optional<std::string> checkpoint) override {
    instance_->setCheckpoint(std::move(checkpoint));
  }
  InstanceStats stats() const override { return instance_->stats(); }
  PluginCounters counters() const override { return instance_->counters(); }
  PluginGauges gauges() const override { return instance_->gauges(); }
  RunnerHealth health() const override { return {}; }

 private:
  std::unique_ptr<Instance> instance_;
};

}  // namespace

std::unique_ptr<Runner> makeRunner(const RunnerOptions& options) {
  if (options.isolation == Isolation::Process) return std::make_unique<IsolatedRunner>(options);
  LoadedPlugin plugin = load(options.pluginPath);
  std::string name = options.name.empty() ? plugin.info().name : options.name;
  return std::make_unique<InProcessRunner>(Instance::create(
      std::move(plugin), std::move(name), options.options, options.checkpoint, options.limits));
}

}  // namespace ijro::isolation
