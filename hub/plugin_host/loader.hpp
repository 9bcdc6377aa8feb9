// Loading a plugin library: dlopen, the entry point, and every check of its descriptor before the
// hub trusts it (ABI version, size, kind, hooks, option table). See sdk/ijro_plugin.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "hub/plugin_host/plugin_info.hpp"
#include "ijro_plugin.h"

namespace ijro::plugin_host {

// A loaded, validated plugin library. Cheap to copy; the library stays loaded while any copy (or
// any instance created from it) exists.
class LoadedPlugin {
 public:
  const PluginInfo& info() const;
  // The hub's copy of the descriptor: the plugin's struct_size bytes, the rest zero.
  const ijro_plugin_descriptor& descriptor() const;

 private:
  struct Library;
  explicit LoadedPlugin(std::shared_ptr<const Library> lib) : lib_(std::move(lib)) {}
  friend LoadedPlugin load(const std::filesystem::path& path);
  std::shared_ptr<const Library> lib_;
};

// dlopen(RTLD_NOW | RTLD_LOCAL), find ijro_plugin_entry, check the descriptor. Every refusal is
// a PluginError whose message names the file, the plugin's and the hub's ABI versions and what to
// do about it.
LoadedPlugin load(const std::filesystem::path& path);

// The descriptor checks of load(), on a descriptor in memory. Reads the 8-byte header first and
// then at most its struct_size bytes. Returns the zero-extended copy and what it describes.
struct CheckedDescriptor {
  ijro_plugin_descriptor descriptor;
  PluginInfo info;
};
CheckedDescriptor checkDescriptor(const ijro_plugin_descriptor* raw,
                                  const std::filesystem::path& path);

}  // namespace ijro::plugin_host
