// Safe parsing of untrusted XML with libxml2: no entity substitution, no DTD loading, no network
// or file access, no XML_PARSE_HUGE; any DOCTYPE is refused; size, depth and attribute limits.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <libxml/tree.h>
#include <libxml/xmlreader.h>

namespace ijro::xml {

struct Limits {
  std::size_t maxBytes = 8u << 20;  // whole document
  int maxDepth = 64;                // element nesting
  int maxAttributes = 32;           // per element
  std::size_t maxTextBytes = 1u << 20;  // one text node
};

// A document-level error: not well-formed, DOCTYPE, over a limit, invalid UTF-8, schema error.
struct XmlError : std::runtime_error {
  XmlError(std::string message, std::string document, int line, int column);
  std::string document;  // name used in messages, e.g. "request body" or a file path
  int line = 0, column = 0;
};

struct DocDeleter {
  void operator()(xmlDoc* d) const noexcept { xmlFreeDoc(d); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocDeleter>;

// Parses a whole (small) document into a tree, e.g. a configuration file. Throws XmlError.
DocPtr parseDocument(std::string_view bytes, const std::string& name, const Limits& limits = {});

// Streaming reader over untrusted bytes (the bytes must outlive the reader). Enforces the limits
// on every read(); throws XmlError with line and column.
class Reader {
 public:
  Reader(std::string_view bytes, std::string name, const Limits& limits = {});
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  bool read();  // next node; false at end of document
  int nodeType() const;  // XML_READER_TYPE_*
  int depth() const;
  bool isEmptyElement() const;
  std::string_view localName() const;
  std::string_view namespaceUri() const;
  std::string_view value() const;  // text / CDATA value
  std::optional<std::string> attribute(const char* name) const;
  // Concatenated text content of the current element; leaves the reader on its end tag.
  std::string readText();
  void skipElement();  // skip the current element's subtree
  int line() const;
  int column() const;
  const std::string& name() const { return name_; }
  [[noreturn]] void fail(const std::string& message) const;

 private:
  xmlTextReaderPtr reader_ = nullptr;
  std::string name_;
  Limits limits_;
};

}  // namespace ijro::xml
