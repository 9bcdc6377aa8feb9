// The hub's own files, found relative to the running binary (see paths.hpp).
#include "hub/app/paths.hpp"

#include <cstdlib>
#include <system_error>

namespace ijro::app {

namespace fs = std::filesystem;

fs::path executablePath() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe;
}

fs::path schemaDirBeside(const fs::path& exe) {
  return (exe.parent_path().parent_path() / "share/ijro-hub/schemas").lexically_normal();
}

fs::path pluginDirBeside(const fs::path& exe) {
  return (exe.parent_path().parent_path() / "lib/ijro-hub/plugins").lexically_normal();
}

fs::path findSchema(std::string_view file, const std::string& flag, const char* env,
                    const fs::path& exe) {
  fs::path dir;
  std::string given;  // how the folder was chosen, for the error
  if (!flag.empty()) {
    dir = flag;
    given = "given with --schemas";
  } else if (env != nullptr && *env != '\0') {
    dir = env;
    given = "given with IJRO_SCHEMA_DIR";
  } else if (!exe.empty()) {
    dir = schemaDirBeside(exe);
    given = "beside the binary " + exe.string();
  } else {
    throw SchemaNotFound("cannot find " + std::string(file) +
                         ": /proc/self/exe is unreadable, so the installed schemas cannot be "
                         "located; pass --schemas DIR or set IJRO_SCHEMA_DIR");
  }
  const fs::path path = dir / file;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return path;
  throw SchemaNotFound("cannot find " + std::string(file) + " in " + dir.string() + " (" + given +
                       "): pass --schemas DIR or set IJRO_SCHEMA_DIR to the folder holding the "
                       "hub's XSDs (installed under share/ijro-hub/schemas)");
}

fs::path findSchema(std::string_view file, const std::string& flag) {
  return findSchema(file, flag, std::getenv("IJRO_SCHEMA_DIR"), executablePath());
}

}  // namespace ijro::app
