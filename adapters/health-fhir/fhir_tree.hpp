// One tree for a FHIR resource read from its JSON or its XML form, so that the MeasureReport
// mapping is written once. JSON arrays and repeated XML elements both become children of the
// same name in order; a primitive keeps its text (JSON numbers in their JSON spelling, XML
// value attributes as written). Every node knows where it came from, as a FHIRPath-like
// location ("MeasureReport.group[0].population[1].count"; in XML an index only where the name
// repeats).
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace health_fhir {

enum class Kind {
  Object,   // a complex element or a resource
  String,   // JSON string
  Number,   // JSON number
  Bool,     // JSON true / false
  Lexical,  // an XML value attribute: text whose type the element defines
};

struct Elem {
  std::string name;
  Kind kind = Kind::Object;
  std::string value;           // a primitive's text
  std::vector<Elem> children;  // an object's members, in order; arrays repeat the name
  std::string where;           // "MeasureReport.group[0].code"
  bool fromXml = false;

  // The children of that name, in order.
  std::vector<const Elem*> all(std::string_view child) const;
  // The first child of that name, nullptr when there is none.
  const Elem* first(std::string_view child) const;
  // The text of a primitive child; nullopt when it is absent or not a primitive.
  std::optional<std::string> text(std::string_view child) const;
  bool isPrimitive() const { return kind != Kind::Object; }
};

// A file or body that cannot be read as a FHIR resource at all: what() names the file and the
// line and column where known.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The resource in `text`. `origin` names the file or URL in messages. Throws InputError.
Elem parseJson(std::string_view text, const std::string& origin, std::size_t maxBytes);
// Through the SDK's safe XML reader (no DTD, no entities, size and depth limits). Throws
// InputError. The narrative (text.div, XHTML) is skipped.
Elem parseXml(std::string_view text, const std::string& origin, std::size_t maxBytes);

// A number given as JSON number or as an XML value; nullopt for anything else (a JSON string
// included: FHIR JSON writes decimals and integers as numbers).
std::optional<double> numberOf(const Elem& e);

}  // namespace health_fhir
