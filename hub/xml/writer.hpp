// A small RAII wrapper over libxml2's xmlTextWriter, writing an indented UTF-8 document into
// memory. Every string is checked first: text XML 1.0 cannot carry (invalid UTF-8, control
// characters) throws std::invalid_argument naming the element or attribute, so a bad value never
// produces a broken document. Any libxml2 failure throws std::runtime_error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <libxml/xmlwriter.h>

namespace ijro::xml {

class Writer {
 public:
  explicit Writer(bool indent = true);  // writes the XML declaration
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Starts an element; `ns` (optional) is declared as the default namespace on it.
  void startElement(std::string_view name, std::string_view ns = {});
  void attribute(std::string_view name, std::string_view value);
  void text(std::string_view value);
  void endElement();
  // <name>text</name>
  void textElement(std::string_view name, std::string_view value);
  // Closes every open element and returns the document. The writer cannot be used afterwards.
  // After take(), returns what was written since the last take().
  std::string finish();
  // For writing a document in parts (a streamed response): hands back what has been written so
  // far and forgets it, so the writer holds only what comes next. The parts joined are the
  // document finish() would have returned. The bytes may end inside a tag.
  std::string take();
  // Bytes written and not yet taken, give or take the few libxml2 still holds.
  std::size_t written() const { return document_.size(); }

 private:
  void check(int rc, const char* what);
  static const xmlChar* terminated(std::string& buffer, std::string_view s);
  std::string document_;  // written so far (declared before writer_, which writes into it)
  xmlTextWriterPtr writer_ = nullptr;
  const std::string& current() const;
  std::vector<std::string> open_;  // names of the open elements, for messages
  std::string name_, value_;       // NUL-terminated copies handed to libxml2
};

}  // namespace ijro::xml
