// Loading a plugin library: dlopen, the entry point, and every check of its descriptor before the
// hub trusts it (ABI version, size, kind, hooks, option table). See plugins/sdk/ijro_plugin.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ijro_plugin.h"

namespace ijro::plugin_host {

enum class Kind { Source, Sink, Transform };
const char* toString(Kind k);  // "source" | "sink" | "transform"

enum class OptionType { String, Int, Double, Bool, Path };
const char* toString(OptionType t);  // "string" | "int" | "double" | "bool" | "path"

struct AbiVersion {
  std::uint16_t major = 0;
  std::uint16_t minor = 0;
  std::string str() const;  // "1.0"
  bool operator==(const AbiVersion&) const = default;
};
// The ABI this hub implements (IJRO_ABI_MAJOR.IJRO_ABI_MINOR).
AbiVersion hostAbi();

struct OptionSpec {
  std::string name;
  OptionType type = OptionType::String;
  bool required = false;
  std::optional<std::string> defaultValue;  // canonical text (see canonicalOptionValue)
  std::string description;
};

// What a plugin says about itself, copied out of its descriptor.
struct PluginInfo {
  std::filesystem::path path;
  std::string name;
  std::string version;
  std::string description;
  Kind kind = Kind::Source;
  AbiVersion abi;  // what the plugin was built for
  std::vector<OptionSpec> options;
  // `"name" version (path)`, for messages.
  std::string label() const;
};

class PluginError : public std::runtime_error {
 public:
  enum class Reason {
    NotLoadable,     // dlopen failed
    NotAPlugin,      // no ijro_plugin_entry, or it returned NULL
    AbiMajor,        // built for another ABI major
    AbiMinor,        // built for a newer ABI minor
    DescriptorSize,  // struct_size too small for what the ABI needs, or larger than it defines
    BadDescriptor,   // unknown kind, missing name or version
    MissingHook,     // a hook required for every plugin or for its kind is NULL
    BadOptionTable,  // the plugin's own option table is inconsistent
    InvalidOptions,  // the configured options do not match the table
    CreateFailed,    // on_create answered something else than IJRO_OK
  };
  PluginError(Reason reason, std::filesystem::path path, const std::string& message,
              bool retryable = false)
      : std::runtime_error(message),
        reason_(reason),
        path_(std::move(path)),
        retryable_(retryable) {}
  Reason reason() const { return reason_; }
  const std::filesystem::path& path() const { return path_; }
  bool retryable() const { return retryable_; }  // on_create said IJRO_RETRY

 private:
  Reason reason_;
  std::filesystem::path path_;
  bool retryable_;
};

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
