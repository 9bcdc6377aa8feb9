// Choosing how an instance runs: in the hub's process, or isolated in a `plugin-host` child.
#pragma once

#include <memory>

#include "hub/isolation/runner.hpp"

namespace ijro::isolation {

// Loads the plugin and creates the instance (in-process) or starts the child (process).
// Throws PluginError for a plugin that cannot be loaded or options that do not fit it.
std::unique_ptr<Runner> makeRunner(const RunnerOptions& options);

}  // namespace ijro::isolation
