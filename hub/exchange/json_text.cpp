#include "hub/exchange/json_text.hpp"

#include <array>
#include <charconv>
#include <cstdint>

#include "hub/exchange/fields.hpp"

namespace ijro::exchange {

namespace {

// What follows the backslash for each byte below 0x20 and for '"' and '\\'; 'u' means \u00XX,
// 0 means the byte is written as it is.
constexpr std::array<char, 256> kEscapes = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = 'u';
  t['\b'] = 'b';
  t['\t'] = 't';
  t['\n'] = 'n';
  t['\f'] = 'f';
  t['\r'] = 'r';
  t['"'] = '"';
  t['\\'] = '\\';
  return t;
}();

template <typename Int>
void appendInteger(std::string& out, Int v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void append(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      out += "null";
      return;
    case boost::json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::int64:
      appendInteger(out, v.get_int64());
      return;
    case boost::json::kind::uint64:
      appendInteger(out, v.get_uint64());
      return;
    case boost::json::kind::double_:
      out += fields::formatNumber(v.get_double());  // e.g. "24.5", "1e+20": valid JSON numbers
      return;
    case boost::json::kind::string: {
      const auto& s = v.get_string();
      appendJsonString(out, std::string_view(s.data(), s.size()));
      return;
    }
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
        appendJsonString(out, std::string_view(kv.key().data(), kv.key().size()));
        out += ':';
        append(out, kv.value());
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

void appendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;  // start of the run of bytes not yet appended
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto byte = static_cast<unsigned char>(s[i]);
    const char e = kEscapes[byte];
    if (e == 0) continue;
    out.append(s.data() + plain, i - plain);
    plain = i + 1;
    out += '\\';
    out += e;
    if (e == 'u') {
      out += "00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  out.append(s.data() + plain, s.size() - plain);
  out += '"';
}

std::string toJsonText(const boost::json::value& v) {
  std::string out;
  append(out, v);
  return out;
}

}  // namespace ijro::exchange
