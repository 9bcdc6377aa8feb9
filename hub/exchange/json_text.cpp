#include "hub/exchange/json_text.hpp"

#include <boost/json/serialize.hpp>

#include "hub/exchange/fields.hpp"

namespace ijro::exchange {

namespace {

void append(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::double_:
      out += fields::formatNumber(v.get_double());  // e.g. "24.5", "1e+20": valid JSON numbers
      return;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append(out, e);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::string_view(kv.key()));
        out += ':';
        append(out, kv.value());
      }
      out += '}';
      return;
    }
    default:
      out += boost::json::serialize(v);  // strings (escaped), integers, booleans, null
  }
}

}  // namespace

std::string toJsonText(const boost::json::value& v) {
  std::string out;
  append(out, v);
  return out;
}

}  // namespace ijro::exchange
