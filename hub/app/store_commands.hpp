// `ijro-hub store history`: the accepted changes of a measure as the store keeps them, printed for
// a person (the same rows as GET /api/v1/measures/{measure}/history).
#pragma once

namespace ijro::app {

// argv[0] is "store". Returns the process exit code.
int storeCommand(int argc, char** argv);

}  // namespace ijro::app
