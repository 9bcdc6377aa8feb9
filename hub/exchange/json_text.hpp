// JSON text from a Boost.JSON value, with numbers written the way people write them: Boost's
// serializer prints 24.5 as "2.45E1"; here it is "24.5" (shortest round-trip form).
// Used for every JSON document the hub writes.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace ijro::exchange {

std::string toJsonText(const boost::json::value& v);

// Appends `s` (UTF-8) as a JSON string, quoted and escaped as Boost.JSON's serializer escapes it:
// the quote and the backslash, \b \t \n \f \r, other control characters as \u00XX (lower-case
// hex); everything else as it is. For documents written without building a value first.
void appendJsonString(std::string& out, std::string_view s);

}  // namespace ijro::exchange
