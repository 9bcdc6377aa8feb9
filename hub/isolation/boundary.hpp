// The plugin boundary's vocabulary (hub/plugin_host) as isolation speaks it: a runner, the child
// and the protocol carry the same results, limits and errors as an in-process instance.
#pragma once

#include "hub/plugin_host/instance.hpp"
#include "hub/plugin_host/loader.hpp"
#include "hub/plugin_host/options.hpp"

namespace ijro::isolation {

using plugin_host::AbiVersion;
using plugin_host::DeliverResult;
using plugin_host::hostAbi;
using plugin_host::HostLimits;
using plugin_host::Instance;
using plugin_host::InstanceStats;
using plugin_host::Kind;
using plugin_host::load;
using plugin_host::LoadedPlugin;
using plugin_host::OptionValues;
using plugin_host::PluginCounters;
using plugin_host::PluginError;
using plugin_host::PluginGauges;
using plugin_host::PluginInfo;
using plugin_host::PollResult;
using plugin_host::Status;
using plugin_host::toString;
using plugin_host::TransformResult;

}  // namespace ijro::isolation
