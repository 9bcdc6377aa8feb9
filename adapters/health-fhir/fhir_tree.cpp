#include "fhir_tree.hpp"

#include <tables/xml_reader.hpp>

#include <boost/json.hpp>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <ijro_json.hpp>
#include <map>

namespace health_fhir {

std::vector<const Elem*> Elem::all(std::string_view child) const {
  std::vector<const Elem*> out;
  for (const Elem& c : children)
    if (c.name == child) out.push_back(&c);
  return out;
}

const Elem* Elem::first(std::string_view child) const {
  for (const Elem& c : children)
    if (c.name == child) return &c;
  return nullptr;
}

std::optional<std::string> Elem::text(std::string_view child) const {
  const Elem* c = first(child);
  if (c == nullptr || !c->isPrimitive()) return std::nullopt;
  return c->value;
}

std::optional<double> numberOf(const Elem& e) {
  if (e.kind != Kind::Number && e.kind != Kind::Lexical) return std::nullopt;
  const std::string& s = e.value;
  // FHIR decimals and integers: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  const std::size_t digits = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == digits) return std::nullopt;
  if (i < s.size() && s[i] == '.') {
    const std::size_t frac = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == frac) return std::nullopt;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const std::size_t exp = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == exp) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  errno = 0;
  const double d = std::strtod(s.c_str(), nullptr);
  if (errno == ERANGE || !std::isfinite(d)) return std::nullopt;
  return d;
}

namespace {

Elem fromJson(const boost::json::value& v, std::string name, std::string where) {
  Elem e;
  e.name = std::move(name);
  e.where = std::move(where);
  switch (v.kind()) {
    case boost::json::kind::object:
      for (const auto& member : v.get_object()) {
        const std::string key(member.key());
        const std::string at = e.where + "." + key;
        if (member.value().is_array()) {
          const auto& items = member.value().get_array();
          for (std::size_t i = 0; i < items.size(); ++i)
            e.children.push_back(fromJson(items[i], key, at + "[" + std::to_string(i) + "]"));
        } else {
          e.children.push_back(fromJson(member.value(), key, at));
        }
      }
      break;
    case boost::json::kind::string:
      e.kind = Kind::String;
      e.value = std::string(v.get_string());
      break;
    case boost::json::kind::bool_:
      e.kind = Kind::Bool;
      e.value = v.get_bool() ? "true" : "false";
      break;
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      e.kind = Kind::Number;
      e.value = boost::json::serialize(v);
      break;
    case boost::json::kind::null:
    case boost::json::kind::array:  // an array inside an array: not FHIR; kept as an empty object
      break;
  }
  return e;
}

bool isResourceName(std::string_view name) {
  return !name.empty() && std::isupper(static_cast<unsigned char>(name.front()));
}

// Reads the element the reader is on (a start) and everything inside it.
Elem fromXml(ijro::tables::XmlReader& r) {
  Elem e;
  e.fromXml = true;
  e.name = std::string(r.name());
  if (auto v = r.attribute("value")) {
    e.kind = Kind::Lexical;
    e.value = *v;
  }
  if (auto url = r.attribute("url")) {  // extension.url is an attribute in XML
    Elem u;
    u.fromXml = true;
    u.name = "url";
    u.kind = Kind::Lexical;
    u.value = *url;
    e.children.push_back(std::move(u));
  }
  if (r.isEmptyElement()) return e;
  if (e.name == "div") {  // the narrative: XHTML, not data
    (void)r.text();
    return e;
  }
  const int depth = r.depth();
  while (r.next()) {
    if (r.isEnd() && r.depth() == depth) break;
    if (r.isStart()) e.children.push_back(fromXml(r));
  }
  // A resource inside another (contained, Bundle.entry.resource) is wrapped in an element named
  // after its type: <contained><Organization>...</Organization></contained>. The JSON form has
  // the members directly, with resourceType; make it so.
  if (e.kind == Kind::Object && e.children.size() == 1 && isResourceName(e.children[0].name)) {
    Elem inner = std::move(e.children[0]);
    Elem type;
    type.fromXml = true;
    type.name = "resourceType";
    type.kind = Kind::Lexical;
    type.value = inner.name;
    e.children = std::move(inner.children);
    e.children.insert(e.children.begin(), std::move(type));
  }
  return e;
}

// Names each element by its path, with an index where its name repeats among its siblings:
// "MeasureReport.group[1].population[0].count". (No line: the SDK's reader gives the line its
// parser has reached, which may be some lines past the element.)
void locate(Elem& e, const std::string& path) {
  e.where = path;
  std::map<std::string, int> total, seen;
  for (const Elem& c : e.children) ++total[c.name];
  for (Elem& c : e.children) {
    const int index = seen[c.name]++;
    locate(c, path + "." + c.name +
                  (total[c.name] > 1 ? "[" + std::to_string(index) + "]" : std::string()));
  }
}

}  // namespace

Elem parseJson(std::string_view text, const std::string& origin, std::size_t maxBytes) {
  boost::json::value doc;
  try {
    doc = ijro::sdk::json::parse(text, maxBytes, origin);
  } catch (const ijro::sdk::json::JsonError& e) {
    throw InputError(std::string(e.what()) + " (not valid JSON: fix the file and send it again)");
  }
  if (!doc.is_object())
    throw InputError(origin + ": the JSON document is not an object, so not a FHIR resource");
  std::string type = "resource";
  if (auto* t = doc.get_object().if_contains("resourceType"); t != nullptr && t->is_string())
    type = std::string(t->get_string());
  return fromJson(doc, type, type);
}

Elem parseXml(std::string_view text, const std::string& origin, std::size_t maxBytes) {
  try {
    ijro::tables::XmlReader r(text, origin, maxBytes, 64);
    if (!r.next() || !r.isStart())
      throw InputError(origin + ": no root element (an empty or truncated XML document)");
    Elem e = fromXml(r);
    Elem type;
    type.fromXml = true;
    type.name = "resourceType";
    type.kind = Kind::Lexical;
    type.value = e.name;
    e.children.insert(e.children.begin(), std::move(type));
    locate(e, e.name);
    return e;
  } catch (const ijro::tables::TableError& e) {
    throw InputError(std::string(e.what()) + (e.fix().empty() ? "" : " " + e.fix()));
  }
}

}  // namespace health_fhir
