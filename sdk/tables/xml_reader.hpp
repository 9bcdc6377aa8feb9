// The safe XML reader of sdk/tables (used by xlsx.cpp, and by adapters that read XML exports, as
// ijro::tables::XmlReader): libxml2's xmlTextReader
// with safe options only. No entity substitution, no DTD loading or validation, no XInclude, no
// network, no "huge" mode; a DOCTYPE is refused outright (which rules out entity bombs and
// external entities), and the document's size and element depth are limited. Errors are
// TableErrors naming the part (e.g. "xl/worksheets/sheet1.xml"), line and column.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "tables/table_error.hpp"

namespace ijro::tables::detail {

class XmlReader {
 public:
  // Attributes (namespace declarations included) one element may have; more are refused before
  // libxml2 parses anything.
  static constexpr std::size_t kMaxAttributes = 256;

  // `part` names the document in messages; xml must stay alive while the reader is used.
  XmlReader(std::string_view xml, std::string part, std::size_t maxBytes, int maxDepth);
  ~XmlReader();
  XmlReader(const XmlReader&) = delete;
  XmlReader& operator=(const XmlReader&) = delete;

  // The next node that is an element start or end; false at the end of the document.
  bool next();
  bool isStart() const { return start_; }
  bool isEnd() const { return !start_; }
  bool isEmptyElement() const;  // <x/>: no end node follows
  int depth() const;
  std::string_view name() const;  // the local name, without a prefix
  // An attribute by local name (any namespace), nullopt when absent.
  std::optional<std::string> attribute(std::string_view localName) const;
  // On an element start: its text, up to its end (the reader is then on the end). With `only`,
  // just the text inside descendants of that name (<t> in <si>), leaving out what is inside
  // elements named `skip` (<rPh>); without, all text inside it.
  std::string text(std::string_view only = {}, std::string_view skip = {});
  // How far the parser has read (it reads ahead, so possibly past the current element).
  int line() const;
  // The line the current element starts on (what a message about that element should name).
  int elementLine() const;
  // "xl/worksheets/sheet1.xml, line 3: " for messages.
  std::string where() const;
  [[noreturn]] void fail(const std::string& problem) const;
  const std::string& part() const { return part_; }

 private:
  bool advance();  // the next node of any kind; false at the end

  void* reader_ = nullptr;  // xmlTextReaderPtr, kept out of the header
  std::string part_;
  int maxDepth_;
  bool start_ = false;
  std::string error_;  // the first error libxml2 reported
  int errorLine_ = 0, errorColumn_ = 0;
  friend struct ErrorSink;
};

}  // namespace ijro::tables::detail

namespace ijro::tables {
using XmlReader = detail::XmlReader;
}  // namespace ijro::tables
