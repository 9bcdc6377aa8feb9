// The command line for plugin authors and the hub's own child processes:
//   ijro-hub plugin info FILE.so [--json]
//   ijro-hub plugin test FILE.so [--options FILE] [--input FILE] [--polls N] ...
//   ijro-hub plugin-host --fd N          (started by the hub for isolation="process")
#pragma once

namespace ijro::app {

// argv[0] is "plugin". Exit codes: 0 all good; 1 the plugin ran but a record was invalid or a
// call failed; 2 a usage error, or a plugin, options file or input the hub refuses.
int pluginCommand(int argc, char** argv);

// argv[0] is "plugin-host"; see child.hpp.
int pluginHostCommand(int argc, char** argv);

}  // namespace ijro::app
