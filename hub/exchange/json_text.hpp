// JSON text from a Boost.JSON value, with numbers written the way people write them: Boost's
// serializer prints 24.5 as "2.45E1"; here it is "24.5" (shortest round-trip form).
// Used for every JSON document the hub writes.
#pragma once

#include <string>

#include <boost/json/value.hpp>

namespace ijro::exchange {

std::string toJsonText(const boost::json::value& v);

}  // namespace ijro::exchange
