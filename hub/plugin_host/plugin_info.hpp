// What a plugin is, as the hub sees it once its descriptor has been read: kind, ABI version,
// option table, and the one error type of the plugin boundary. Shared by the loader and the
// option checks, so neither needs the other's header.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ijro::plugin_host {

enum class Kind { Source, Sink, Transform };
const char* toString(Kind k);  // "source" | "sink" | "transform"

enum class OptionType { String, Int, Double, Bool, Path, Table, Secret };
// "string" | "int" | "double" | "bool" | "path" | "table" | "secret"
const char* toString(OptionType t);

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

}  // namespace ijro::plugin_host
