// `ijro-hub serve`: wires the store, the API and the HTTP server from a loaded configuration and
// runs until SIGINT/SIGTERM.
#pragma once

#include "hub/app/config.hpp"

namespace ijro::app {

int serve(const Config& cfg);

}  // namespace ijro::app
