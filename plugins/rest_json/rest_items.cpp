#include "rest_items.hpp"

#include <charconv>
#include <stdexcept>
#include <utility>

#include <ijro_json.hpp>

namespace ijro::rest_json {

Value valueOf(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::string:
      return {Value::Kind::Text, std::string(v.get_string()), 0};
    case boost::json::kind::int64:
      return {Value::Kind::Integer, std::to_string(v.get_int64()),
              static_cast<double>(v.get_int64())};
    case boost::json::kind::uint64:
      return {Value::Kind::Integer, std::to_string(v.get_uint64()),
              static_cast<double>(v.get_uint64())};
    case boost::json::kind::double_: {
      char buf[32];
      const auto res = std::to_chars(buf, buf + sizeof buf, v.get_double());
      return {Value::Kind::Number, std::string(buf, res.ptr), v.get_double()};
    }
    case boost::json::kind::bool_:
      return {Value::Kind::Boolean, v.get_bool() ? "true" : "false", 0};
    case boost::json::kind::object:
      return {Value::Kind::Other, "an object", 0};
    case boost::json::kind::array:
      return {Value::Kind::Other, "an array", 0};
    case boost::json::kind::null:
      break;
  }
  return {Value::Kind::Other, "null", 0};
}

ItemReader::ItemReader(const std::string& items, const ijro::sdk::Table& fields, Mapping mapping)
    : mapping_(std::move(mapping)) {
  try {
    items_ = JsonPath::parse(items);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("option items: ") + e.what());
  }
  itemsText_ = items_.empty() ? "$" : items_.text();
  for (const auto& [field, place] : fields.rows()) {
    try {
      places_.emplace_back(place, JsonPath::parse(place));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("option fields: " + field + ": " + e.what());
    }
  }
}

const boost::json::array& ItemReader::itemsOf(const boost::json::value& doc,
                                              const std::string& what) const {
  const boost::json::value* v = items_.find(doc);
  if (v == nullptr)
    throw std::runtime_error(what + ": there is no " + itemsText_ +
                             " (option items): give the JSON path of the array of items");
  if (!v->is_array())
    throw std::runtime_error(what + ": " + itemsText_ + " (option items) is " + valueOf(*v).text +
                             ", not an array of items" +
                             (v->is_object() ? ": give the path of the array inside it" : ""));
  return v->get_array();
}

std::size_t ItemReader::count(std::string_view body, const std::string& what) const {
  const auto doc = ijro::sdk::json::parse(body, kMaxPageBytes, what);
  return itemsOf(doc, what).size();
}

PageItems ItemReader::read(std::string_view body, const std::string& what,
                           std::int64_t fallbackRevision) const {
  const auto doc = ijro::sdk::json::parse(body, kMaxPageBytes, what);
  const boost::json::array& items = itemsOf(doc, what);
  PageItems out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string at = itemsText_ + "[" + std::to_string(i) + "]";
    if (!items[i].is_object()) {
      const Value v = valueOf(items[i]);
      const std::string found = v.kind == Value::Kind::Text      ? "text"
                                : v.kind == Value::Kind::Boolean ? "a boolean"
                                : v.kind == Value::Kind::Other   ? v.text
                                                                 : "a number";
      out.rejected.push_back(what + ": " + at + ": expected an object, found " + found);
      continue;
    }
    Lookup lookup = [&](std::string_view place) -> Found {
      for (const auto& [text, path] : places_) {
        if (text != place) continue;
        Found found;
        found.where = joinPath(at, path.text());
        const boost::json::value* v = path.find(items[i]);
        if (v != nullptr && !v->is_null()) found.value = valueOf(*v);
        return found;
      }
      return Found{std::nullopt, at};
    };
    Mapped m = mapping_.map(lookup, fallbackRevision);
    std::string reason;
    if (m.implementation) {
      try {
        out.records.push_back(m.implementation->toJson());
        continue;
      } catch (const std::invalid_argument& e) {
        reason = at + ": " + e.what();
      }
    } else {
      for (const std::string& p : m.problems) reason += (reason.empty() ? "" : "; ") + p;
    }
    std::string who;
    if (!m.measure.empty())
      who = " (measure " + m.measure + (m.region.empty() ? "" : ", region " + m.region) + ")";
    out.rejected.push_back(what + ": " + reason + who);
  }
  return out;
}

}  // namespace ijro::rest_json
