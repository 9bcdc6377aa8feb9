#include "hub/xml/schema.hpp"

#include <fstream>
#include <sstream>

#include <libxml/xmlschemas.h>

namespace ijro::xml {

namespace {

std::string trimmed(const char* message) {
  std::string s = message ? message : "unknown error";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

struct LoadErrors {
  std::string first;
  int line = 0;
};

void onLoadError(void* arg, xmlErrorPtr error) {
  auto* errors = static_cast<LoadErrors*>(arg);
  if (!error || error->level < XML_ERR_ERROR || !errors->first.empty()) return;
  errors->first = trimmed(error->message);
  errors->line = error->line;
}

struct ValidationErrors {
  const std::string* name;
  std::vector<std::string> lines;
};

void onValidationError(void* arg, xmlErrorPtr error) {
  auto* errors = static_cast<ValidationErrors*>(arg);
  if (!error || error->level < XML_ERR_ERROR) return;
  std::string where = *errors->name;
  if (error->line > 0) where += ':' + std::to_string(error->line);
  errors->lines.push_back(where + ": " + trimmed(error->message));
}

}  // namespace

struct Schema::Impl {
  DocPtr doc;  // the schema document; the compiled schema points into it
  xmlSchemaPtr schema = nullptr;
  ~Impl() {
    if (schema) xmlSchemaFree(schema);
  }
};

Schema::Schema(const std::string& xsdPath) : impl_(std::make_unique<Impl>()) {
  std::ifstream in(xsdPath, std::ios::binary);
  if (!in) throw XmlError("cannot read the schema file", xsdPath, 0, 0);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  const std::string text = bytes.str();
  // The schema goes through the same safe parser as everything else.
  impl_->doc = parseDocument(text, xsdPath);
  // Base URL, so that a future xs:include resolves next to the schema file.
  impl_->doc->URL = xmlStrdup(reinterpret_cast<const xmlChar*>(xsdPath.c_str()));

  std::unique_ptr<xmlSchemaParserCtxt, decltype(&xmlSchemaFreeParserCtxt)> ctxt(
      xmlSchemaNewDocParserCtxt(impl_->doc.get()), &xmlSchemaFreeParserCtxt);
  if (!ctxt) throw XmlError("cannot create a schema parser (out of memory?)", xsdPath, 0, 0);
  LoadErrors errors;
  xmlSchemaSetParserStructuredErrors(ctxt.get(), onLoadError, &errors);
  impl_->schema = xmlSchemaParse(ctxt.get());
  if (!impl_->schema || !errors.first.empty())
    throw XmlError("invalid XML schema: " + (errors.first.empty() ? "unknown error" : errors.first),
                   xsdPath, errors.line, 0);
}

Schema::~Schema() = default;

std::vector<std::string> Schema::validate(xmlDoc* doc, const std::string& name) const {
  std::unique_ptr<xmlSchemaValidCtxt, decltype(&xmlSchemaFreeValidCtxt)> ctxt(
      xmlSchemaNewValidCtxt(impl_->schema), &xmlSchemaFreeValidCtxt);
  if (!ctxt)
    throw XmlError("cannot create a schema validation context (out of memory?)", name, 0, 0);
  ValidationErrors errors{&name, {}};
  xmlSchemaSetValidStructuredErrors(ctxt.get(), onValidationError, &errors);
  const int rc = xmlSchemaValidateDoc(ctxt.get(), doc);
  if (rc != 0 && errors.lines.empty())
    errors.lines.push_back(name + ": schema validation failed (libxml2 code " + std::to_string(rc) +
                           ")");
  return std::move(errors.lines);
}

}  // namespace ijro::xml
