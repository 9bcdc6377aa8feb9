// Safe parsing of untrusted XML with libxml2: no entity substitution, no DTD loading, no network
// or file access, no XML_PARSE_HUGE; any DOCTYPE is refused; size, depth and attribute limits.
//
// Every document must be UTF-8 (a UTF-8 encoding declaration, or none); the bytes are checked
// before libxml2 sees them, and so is the prolog, so that a DOCTYPE (and with it any entity
// declaration, e.g. "billion laughs") is refused before the parser could expand anything.
// libxml2's own messages are captured per parse, never printed, and surface in XmlError.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <libxml/tree.h>
#include <libxml/xmlreader.h>

namespace ijro::xml {

struct Limits {
  std::size_t maxBytes = 8u << 20;      // whole document
  int maxDepth = 64;                    // element nesting
  int maxAttributes = 32;               // per element (namespace declarations included)
  std::size_t maxTextBytes = 1u << 20;  // one text node or attribute value
};

// A document-level error: not well-formed, DOCTYPE, over a limit, invalid UTF-8, schema error.
// what() is "document:line:column: reason" (line and column left out when unknown, i.e. 0).
struct XmlError : std::runtime_error {
  XmlError(std::string message, std::string document, int line, int column);
  std::string reason;    // the message without the location
  std::string document;  // name used in messages, e.g. "request body" or a file path
  int line = 0, column = 0;
};

struct DocDeleter {
  void operator()(xmlDoc* d) const noexcept { xmlFreeDoc(d); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocDeleter>;

// Parses a whole (small) document into a tree, e.g. a configuration file, with the same checks
// as Reader. Nodes keep their line numbers (xmlGetLineNo). Throws XmlError.
DocPtr parseDocument(std::string_view bytes, const std::string& name, const Limits& limits = {});

namespace detail {
// The first error libxml2 reported during one parse (collected by a per-parse handler).
struct ParseErrors {
  bool set = false;
  std::string message;
  int line = 0, column = 0;
};
struct PushParse;  // the push parser and the events it has produced (safe_reader.cpp)
}  // namespace detail

// An attribute of the current element (namespace declarations are not attributes here). The
// names live as long as the reader; the value until the next read().
struct Attribute {
  std::string_view localName;
  std::string_view namespaceUri;  // empty for unqualified attributes
  std::string_view value;
};

// Streaming reader over untrusted bytes (the bytes must outlive the reader). Enforces the limits
// on every read(); throws XmlError with line and column.
//
// libxml2's SAX2 push parser reads the bytes a part at a time and its callbacks keep each node
// as a small event (names as libxml2's interned strings, text and attribute values copied once);
// read() hands the events out one by one and parses the next part when they run out. No tree is
// built, so a node costs a few dozen bytes and no allocation of its own.
class Reader {
 public:
  Reader(std::string_view bytes, std::string name, const Limits& limits = {});
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  bool read();  // next node; false at end of document
  // Reads up to the root element; throws XmlError "the document has no root element" if none.
  void readRoot();
  int nodeType() const;  // XML_READER_TYPE_*
  int depth() const;     // 0 for the root element
  bool isEmptyElement() const;
  std::string_view localName() const;     // lives as long as the reader
  std::string_view namespaceUri() const;  // lives as long as the reader
  std::string_view value() const;         // text / CDATA / comment value, until the next read()
  std::optional<std::string> attribute(const char* name) const;  // unqualified attribute
  std::vector<Attribute> attributes() const;                     // of the current element
  std::size_t attributeCount() const;          // of the current element, without allocating
  Attribute attributeAt(std::size_t i) const;  // i < attributeCount()
  // Concatenated text of the current element and its descendants; leaves the reader on the
  // element's end tag (or on the element itself when it is empty, <x/>).
  std::string readText();
  // Skips the current element's subtree, leaving the reader on its end tag (or on the element
  // itself when it is empty); the limits are still enforced on the skipped part.
  void skipElement();
  int line() const;  // line of the current node (cheap)
  // Column of the current element's start tag (of the enclosing element for other nodes), 0 when
  // unknown. Costs a scan of the document up to that tag: meant for error messages.
  int column() const;
  const std::string& name() const { return name_; }
  [[noreturn]] void fail(const std::string& message) const;

 private:
  struct Location {
    int line = 0, column = 0;
  };
  Location locate() const;           // start tag of the current element (or of the enclosing one)
  std::size_t elementIndex() const;  // 1-based document-order index of that element, 0: none
  void check();                      // limits and forbidden node types for the current node
  [[noreturn]] void throwParseError() const;

  std::unique_ptr<detail::PushParse> parse_;
  std::string_view bytes_;
  std::string name_;
  Limits limits_;
  int type_ = XML_READER_TYPE_NONE;  // of the current node, as read() found it
  int depth_ = 0;
  std::size_t elements_ = 0;       // start tags read so far
  std::vector<std::size_t> open_;  // open_[d]: index of the element last started at depth d
};

}  // namespace ijro::xml
