// A C++ plugin that skips the SDK and lets an exception escape its hook: undefined behaviour by
// the ABI's rules, but the host still catches it at the call boundary and reports the plugin.
#include <ijro_plugin.h>

#include <stdexcept>

namespace {

ijro_status onCreate(ijro_host*, const ijro_config*, void** out, ijro_message*) {
  *out = nullptr;
  return IJRO_OK;
}
void onDestroy(void*) {}
ijro_status onPoll(void*, ijro_message*) {
  throw std::runtime_error("escaped from on_poll");
}

constexpr ijro_plugin_descriptor kDescriptor = {
    sizeof(ijro_plugin_descriptor),
    IJRO_ABI_MAJOR,
    IJRO_ABI_MINOR,
    "raw-throw",
    "0.0.1",
    nullptr,
    IJRO_KIND_SOURCE,
    0,
    nullptr,
    &onCreate,
    &onDestroy,
    &onPoll,
    nullptr,
    nullptr,
};

}  // namespace

IJRO_PLUGIN_EXPORT const ijro_plugin_descriptor* ijro_plugin_entry(void) {
  return &kDescriptor;
}
