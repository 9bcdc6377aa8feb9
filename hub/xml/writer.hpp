// Writing an XML document into memory, indented and UTF-8, the way every document the hub makes
// is written (feed, batches, receipts, reports, IATI and ADX exports). Every string is checked
// first: text XML 1.0 cannot carry (invalid UTF-8, control characters) throws
// std::invalid_argument naming the element or attribute, so a bad value never produces a broken
// document. Misuse (an attribute after content, an end with nothing open, use after finish())
// throws std::logic_error.
//
// The bytes are those libxml2's xmlTextWriter writes with indentation "  " (tests pin this), so
// documents written before and after are the same; the writer appends to one string itself
// rather than going through libxml2's output buffers, which cost more than the rest of a feed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ijro::xml {

class Writer {
 public:
  explicit Writer(bool indent = true);  // writes the XML declaration

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
  // Bytes written and not yet taken.
  std::size_t written() const { return document_.size(); }

 private:
  struct Open {
    std::size_t nameAt;    // where its name starts in names_
    bool content = false;  // its start tag is closed ('>' written): no more attributes
  };
  void usable() const;
  void closeStartTag();  // of the innermost element, if still open
  void indentTo(std::size_t depth);
  std::string_view current() const;  // the innermost element's name, for messages
  std::string_view nameOf(std::size_t i) const;

  std::string document_;  // written and not yet taken
  std::string names_;     // the open elements' names, one after the other
  std::vector<Open> open_;
  bool indent_;
  bool indentEnd_ = false;  // the next end tag of an element with content goes on its own line
  bool finished_ = false;
};

}  // namespace ijro::xml
