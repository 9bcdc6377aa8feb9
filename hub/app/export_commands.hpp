// `ijro-hub export`: the measures list or the summary as an XLSX or CSV file, read from the store
// named by the configuration, for a scheduled job to mail (the same rows and headers as
// GET /api/v1/export/measures and /api/v1/export/summary).
#pragma once

namespace ijro::app {

// argv[0] is "export". Returns the process exit code: 0 written, 2 bad options; other failures
// throw (the command line prints them and exits 1).
int exportCommand(int argc, char** argv);

}  // namespace ijro::app
