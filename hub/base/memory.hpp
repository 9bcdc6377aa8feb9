// Handing freed memory back to the system, whichever allocator the process runs on: the hub binary
// is linked with tcmalloc (hub/CMakeLists.txt), the sanitizer builds and the tests with glibc's.
#pragma once

namespace ijro::base {

// Returns the allocator's free pages to the system (glibc: malloc_trim; tcmalloc: its page heap).
// For after a burst of large allocations that will not come back soon.
void releaseFreeMemory();

}  // namespace ijro::base
