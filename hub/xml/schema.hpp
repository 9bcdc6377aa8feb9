// XSD validation (schemas/*.xsd) of an already safely parsed document. A Schema is immutable
// once loaded and may be shared between threads; each validate() uses its own context.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hub/xml/safe_reader.hpp"

namespace ijro::xml {

class Schema {
 public:
  explicit Schema(const std::string& xsdPath);  // throws XmlError if the schema cannot load
  ~Schema();
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;
  // Every violation as "name:line: message"; empty when valid.
  std::vector<std::string> validate(xmlDoc* doc, const std::string& name) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ijro::xml
