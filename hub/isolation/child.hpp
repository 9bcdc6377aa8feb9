// The child side of process isolation: `ijro-hub plugin-host --fd N`, started by IsolatedRunner
// with its end of a socketpair on fd N. It loads one plugin, runs one in-process Instance and
// answers the parent's frames (see protocol.hpp) until Shutdown or the end of the stream. A
// crash or hang here costs only this process; the hub restarts it.
#pragma once

namespace ijro::isolation {

// The child's exit status when an allocation fails (its address-space limit, memoryLimitMb).
inline constexpr int kExitOutOfMemory = 12;

// argv[0] is "plugin-host". Returns the process's exit code: 0 after Shutdown or when the hub
// closed the socket, 2 for a bad command line, 3 for a protocol error, kExitOutOfMemory when
// memory ran out.
int pluginHostMain(int argc, char** argv);

}  // namespace ijro::isolation
