#include "hub/plugin_host/loader.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstddef>
#include <cstring>
#include <set>

#include "hub/plugin_host/options.hpp"

namespace ijro::plugin_host {

namespace {

using Reason = PluginError::Reason;

// Where a descriptor field ends: a plugin's struct_size must reach it for the field to exist.
#define IJRO_FIELD_END(field) \
  (offsetof(ijro_plugin_descriptor, field) + sizeof(ijro_plugin_descriptor::field))

// The header every ABI major keeps: struct_size, abi_major, abi_minor.
constexpr std::size_t kHeaderSize = IJRO_FIELD_END(abi_minor);
// ABI 1.0 needs everything up to on_destroy; the kind's hook must be inside struct_size too.
constexpr std::size_t kMinimumSize = IJRO_FIELD_END(on_destroy);
static_assert(kHeaderSize == 8, "the descriptor header is frozen for every ABI major");

// Option tables longer than this are taken for garbage (a count read from the wrong place).
constexpr std::uint32_t kMaxOptions = 1024;

std::string versions(AbiVersion plugin) {
  return fmt::format("plugin ABI {}, hub ABI {}", plugin.str(), hostAbi().str());
}

bool validName(const char* s) {
  if (s == nullptr || *s == '\0') return false;
  std::size_t n = 0;
  for (; s[n] != '\0'; ++n) {
    char c = s[n];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok || n >= 128) return false;
  }
  return true;
}

std::string text(const char* s) {
  return s == nullptr ? std::string() : std::string(s);
}

void checkOptions(const ijro_plugin_descriptor& d, PluginInfo& info) {
  auto fail = [&](const std::string& what) {
    throw PluginError(Reason::BadOptionTable, info.path,
                      fmt::format("plugin {} has an invalid option table ({}): {}. Fix the table "
                                  "and rebuild the plugin.",
                                  info.label(), versions(info.abi), what));
  };
  if (d.option_count > kMaxOptions)
    fail(fmt::format("it declares {} options, more than the {} the hub accepts", d.option_count,
                     kMaxOptions));
  if (d.option_count > 0 && d.options == nullptr)
    fail(fmt::format("it declares {} options but the table pointer is NULL", d.option_count));

  std::set<std::string, std::less<>> seen;
  for (std::uint32_t i = 0; i < d.option_count; ++i) {
    const ijro_option& o = d.options[i];
    std::string where = fmt::format("option {}", i + 1);
    if (!validName(o.name))
      fail(where + " has no name or a name outside [a-z0-9_.-] (at most 128 characters)");
    where += fmt::format(" \"{}\"", o.name);
    if (!seen.insert(o.name).second) fail(where + " is declared twice");
    if (o.type < IJRO_OPTION_STRING || o.type > IJRO_OPTION_SECRET)
      fail(
          fmt::format("{} has unknown type {}; ABI {} knows string (0), int (1), double (2), "
                      "bool (3), path (4), table (5) and secret (6)",
                      where, o.type, hostAbi().str()));
    OptionSpec spec;
    spec.name = o.name;
    spec.type = static_cast<OptionType>(o.type);
    spec.required = o.required != 0;
    spec.description = text(o.description);
    if (o.default_value != nullptr) {
      if (spec.required) fail(where + " is required and also has a default; drop one of the two");
      // A default is compiled into the library and shown by `plugin info`: no place for a secret.
      if (spec.type == OptionType::Secret)
        fail(where + " is a secret with a default; a secret comes only from the configuration");
      spec.defaultValue = canonicalOptionValue(spec.type, o.default_value);
      if (!spec.defaultValue)
        fail(fmt::format("{} has default \"{}\", which is not {}", where, o.default_value,
                         describeOptionType(spec.type)));
    }
    info.options.push_back(std::move(spec));
  }
}

}  // namespace

CheckedDescriptor checkDescriptor(const ijro_plugin_descriptor* raw,
                                  const std::filesystem::path& path) {
  CheckedDescriptor out{};
  PluginInfo& info = out.info;
  info.path = path;
  if (raw == nullptr)
    throw PluginError(Reason::NotAPlugin, path,
                      fmt::format("plugin {}: ijro_plugin_entry() returned NULL instead of its "
                                  "descriptor (hub ABI {}). Fix the plugin to return its static "
                                  "descriptor and rebuild it.",
                                  path.string(), hostAbi().str()));

  // Only the header can be read before we know how large the plugin says its descriptor is.
  std::uint32_t size = 0;
  std::memcpy(&size, raw, sizeof size);
  if (size < kHeaderSize)
    throw PluginError(
        Reason::DescriptorSize, path,
        fmt::format("plugin {} declares a descriptor of {} bytes, too small to hold "
                    "even the ABI version ({} bytes; hub ABI {}). It was not built "
                    "with ijro_plugin.h: rebuild the plugin against ijro-hub SDK {}.x.",
                    path.string(), size, kHeaderSize, hostAbi().str(), IJRO_ABI_MAJOR));
  std::memcpy(&info.abi.major, reinterpret_cast<const char*>(raw) + 4, sizeof info.abi.major);
  std::memcpy(&info.abi.minor, reinterpret_cast<const char*>(raw) + 6, sizeof info.abi.minor);

  if (info.abi.major != IJRO_ABI_MAJOR) {
    std::string remedy =
        fmt::format("rebuild the plugin against ijro-hub SDK {}.x", IJRO_ABI_MAJOR);
    if (info.abi.major > IJRO_ABI_MAJOR)
      remedy += fmt::format(", or run it on an ijro-hub release that implements plugin ABI {}.x",
                            info.abi.major);
    throw PluginError(Reason::AbiMajor, path,
                      fmt::format("plugin {} was built for another major version of the plugin "
                                  "ABI ({}); this hub loads only ABI {}.x plugins: {}.",
                                  path.string(), versions(info.abi), IJRO_ABI_MAJOR, remedy));
  }
  if (info.abi.minor > IJRO_ABI_MINOR) {
    // Same major: the 1.0 part of the layout is shared, so the name can be shown if present.
    ijro_plugin_descriptor prefix{};
    std::memcpy(&prefix, raw, std::min<std::size_t>(size, sizeof prefix));
    std::string who = path.string();
    if (size >= IJRO_FIELD_END(version) && prefix.name != nullptr && prefix.version != nullptr)
      who = fmt::format("\"{}\" {} ({})", prefix.name, prefix.version, path.string());
    throw PluginError(
        Reason::AbiMinor, path,
        fmt::format("plugin {} was built for a newer plugin ABI than this hub implements ({}): "
                    "upgrade ijro-hub to a release with plugin ABI {} or later, or rebuild the "
                    "plugin against ijro-hub SDK {}.",
                    who, versions(info.abi), info.abi.str(), hostAbi().str()));
  }
  if (size < kMinimumSize)
    throw PluginError(Reason::DescriptorSize, path,
                      fmt::format("plugin {} declares a descriptor of {} bytes, but ABI {} needs "
                                  "at least {} (through on_destroy) ({}). Its header does not "
                                  "match the version it claims: rebuild the plugin against "
                                  "ijro-hub SDK {}.x.",
                                  path.string(), size, info.abi.str(), kMinimumSize,
                                  versions(info.abi), IJRO_ABI_MAJOR));
  if (size > sizeof(ijro_plugin_descriptor))
    throw PluginError(Reason::DescriptorSize, path,
                      fmt::format("plugin {} declares a descriptor of {} bytes, larger than the "
                                  "{} bytes ABI {} defines ({}). It was built with a modified "
                                  "header: rebuild the plugin against ijro-hub SDK {}.x.",
                                  path.string(), size, sizeof(ijro_plugin_descriptor),
                                  info.abi.str(), versions(info.abi), IJRO_ABI_MAJOR));

  // OBS-style: copy what the plugin declared into a zeroed descriptor of our own size.
  ijro_plugin_descriptor& d = out.descriptor;
  std::memcpy(&d, raw, size);

  auto bad = [&](const std::string& what) {
    throw PluginError(Reason::BadDescriptor, path,
                      fmt::format("plugin {} has an invalid descriptor ({}): {}. Fix it and "
                                  "rebuild the plugin against ijro-hub SDK {}.x.",
                                  info.label(), versions(info.abi), what, IJRO_ABI_MAJOR));
  };
  if (!validName(d.name)) bad("its name is missing or not made of [a-z0-9_.-]");
  info.name = d.name;
  if (d.version == nullptr || *d.version == '\0') bad("its version is missing");
  info.version = d.version;
  info.description = text(d.description);
  if (d.kind < IJRO_KIND_SOURCE || d.kind > IJRO_KIND_TRANSFORM)
    bad(fmt::format("its kind is {}; ABI {} knows source (0), sink (1) and transform (2)", d.kind,
                    hostAbi().str()));
  info.kind = static_cast<Kind>(d.kind);

  auto missing = [&](const char* hook, const char* sdk) {
    throw PluginError(
        Reason::MissingHook, path,
        fmt::format("plugin {} ({}) is a {} but has no {} hook: implement it ({} in "
                    "the C++ SDK) and rebuild the plugin.",
                    info.label(), versions(info.abi), toString(info.kind), hook, sdk));
  };
  if (d.on_create == nullptr) missing("on_create", "the adapter class's constructor");
  if (d.on_destroy == nullptr) missing("on_destroy", "the adapter class's destructor");
  // A hook beyond struct_size was zeroed by the copy above, so it reads as missing here.
  if (info.kind == Kind::Source && d.on_poll == nullptr) missing("on_poll", "Source::poll");
  if (info.kind == Kind::Sink && d.on_deliver == nullptr) missing("on_deliver", "Sink::deliver");
  if (info.kind == Kind::Transform && d.on_transform == nullptr)
    missing("on_transform", "Transform::transform");

  checkOptions(d, info);
  return out;
}

struct LoadedPlugin::Library {
  void* handle = nullptr;
  ijro_plugin_descriptor descriptor{};
  PluginInfo info;
  Library() = default;
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
  ~Library() {
    if (handle != nullptr) dlclose(handle);
  }
};

const PluginInfo& LoadedPlugin::info() const {
  return lib_->info;
}

const ijro_plugin_descriptor& LoadedPlugin::descriptor() const {
  return lib_->descriptor;
}

LoadedPlugin load(const std::filesystem::path& path) {
  auto lib = std::make_shared<LoadedPlugin::Library>();
  dlerror();  // clear any stale error
  // RTLD_NODELETE: a plugin's code stays mapped after its last handle closes. The hub loads each
  // plugin once, so nothing is lost, and a library with thread-local storage that is unloaded and
  // loaded again would otherwise leave threads pointing into unmapped TLS (LeakSanitizer crashes
  // scanning it at exit).
  lib->handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (lib->handle == nullptr) {
    const char* why = dlerror();
    throw PluginError(
        Reason::NotLoadable, path,
        fmt::format("cannot load plugin {}: {} (hub ABI {}). Check that the file "
                    "exists, is a shared library built for this platform, and that "
                    "the libraries it needs are installed (ldd {}).",
                    path.string(), why ? why : "unknown error", hostAbi().str(), path.string()));
  }
  void* sym = dlsym(lib->handle, IJRO_PLUGIN_ENTRY_SYMBOL);
  if (sym == nullptr)
    throw PluginError(Reason::NotAPlugin, path,
                      fmt::format("{} is not an ijro-hub plugin: it does not export {} (hub ABI "
                                  "{}). Define the plugin with IJRO_DEFINE_SOURCE_PLUGIN, "
                                  "IJRO_DEFINE_SINK_PLUGIN or IJRO_DEFINE_TRANSFORM_PLUGIN from "
                                  "ijro_plugin.hpp, or export the entry point with "
                                  "IJRO_PLUGIN_EXPORT from ijro_plugin.h.",
                                  path.string(), IJRO_PLUGIN_ENTRY_SYMBOL, hostAbi().str()));
  // POSIX guarantees that a function pointer survives the round trip through void*.
  auto entry = reinterpret_cast<ijro_plugin_entry_fn>(sym);
  CheckedDescriptor checked = checkDescriptor(entry(), path);
  lib->descriptor = checked.descriptor;
  lib->info = std::move(checked.info);
  return LoadedPlugin(std::move(lib));
}

}  // namespace ijro::plugin_host
