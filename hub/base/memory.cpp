#include "hub/base/memory.hpp"

#include <malloc.h>

// gperftools' C entry point (gperftools/malloc_extension_c.h), declared weak: it is there when the
// binary is linked with tcmalloc, and null in a build that is not.
extern "C" void MallocExtension_ReleaseFreeMemory(void) __attribute__((weak));

namespace ijro::base {

void releaseFreeMemory() {
  if (MallocExtension_ReleaseFreeMemory != nullptr) MallocExtension_ReleaseFreeMemory();
  malloc_trim(0);
}

}  // namespace ijro::base
