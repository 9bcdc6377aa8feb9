// Where the hub finds its own files (the XSDs and the bundled plugins): relative to the running
// binary, never a path compiled in, so that an installed hub and the build tree work alike
// wherever they are. Both are laid out the same way:
//
//   installed (prefix P)                  build tree (B)
//   P/bin/ijro-hub                        B/hub/ijro-hub
//   P/share/ijro-hub/schemas/*.xsd        B/share/ijro-hub/schemas/*.xsd   (copied at build time)
//   P/lib/ijro-hub/plugins/*.so           B/lib/ijro-hub/plugins/*.so
//
// The install rules (hub/CMakeLists.txt, cmake/Packaging.cmake) keep to the same layout.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ijro::app {

// The running binary, from /proc/self/exe; empty if that cannot be read.
std::filesystem::path executablePath();

// The hub's folders around a binary `exe` that sits one level below the root of its layout:
// ../share/ijro-hub/schemas and ../lib/ijro-hub/plugins from the binary's folder.
std::filesystem::path schemaDirBeside(const std::filesystem::path& exe);
std::filesystem::path pluginDirBeside(const std::filesystem::path& exe);

// A schema the hub needs is not where it was looked for; what() says where and how to fix it.
struct SchemaNotFound : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Where the XSD `file` is. One place is consulted, the first that is given: `flag` (--schemas),
// then `env` ($IJRO_SCHEMA_DIR; null or empty for none), then schemaDirBeside(exe). A folder that
// was asked for explicitly but lacks the file is an error, not a reason to look elsewhere: the
// hub never validates against other schemas than the ones it was told to use.
std::filesystem::path findSchema(std::string_view file, const std::string& flag, const char* env,
                                 const std::filesystem::path& exe);

// The same for the running process: $IJRO_SCHEMA_DIR and executablePath().
std::filesystem::path findSchema(std::string_view file, const std::string& flag);

}  // namespace ijro::app
