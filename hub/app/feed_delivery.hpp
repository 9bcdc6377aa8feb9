// The wiring of the hub's outgoing feed (<feed> in hub.xml): the signing key, the adapters the
// sources come through, and the transport to the receiver over the HTTP(S) client.
#pragma once

#include <memory>

#include "hub/app/config.hpp"
#include "hub/delivery/delivery.hpp"

namespace ijro::app {

// nullptr when the configuration has no <feed>. Throws std::runtime_error naming the file when
// the key or certificate cannot be used.
std::unique_ptr<delivery::Delivery> makeDelivery(const Config& cfg, store::Store& store);

}  // namespace ijro::app
