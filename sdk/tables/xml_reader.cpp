// The safe XML reader of sdk/tables (see xml_reader.hpp).
#include "tables/xml_reader.hpp"

#include <libxml/xmlreader.h>

#include <cstdint>

#include "tables/start_tags.hpp"

namespace ijro::tables::detail {

namespace {

xmlTextReaderPtr R(void* p) {
  return static_cast<xmlTextReaderPtr>(p);
}

constexpr int kElement = XML_READER_TYPE_ELEMENT;
constexpr int kEnd = XML_READER_TYPE_END_ELEMENT;

bool textNode(int type) {
  return type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
         type == XML_READER_TYPE_WHITESPACE || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

std::string_view view(const xmlChar* s) {
  return s == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(s));
}

constexpr const char* kFix =
    "Open the file in its spreadsheet program and save it again as an Excel workbook (.xlsx).";

}  // namespace

struct ErrorSink {
  static void onError(void* arg, xmlErrorPtr e) {
    auto* self = static_cast<XmlReader*>(arg);
    if (e == nullptr || !self->error_.empty()) return;
    std::string message = e->message != nullptr ? e->message : "not well-formed XML";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    self->error_ = message;
    self->errorLine_ = e->line;
    self->errorColumn_ = e->int2;
  }
};

XmlReader::XmlReader(std::string_view xml, std::string part, std::size_t maxBytes, int maxDepth)
    : part_(std::move(part)), maxDepth_(maxDepth) {
  if (xml.size() > maxBytes)
    throw TableError(part_ + ": " + std::to_string(xml.size()) + " bytes of XML, more than the " +
                         std::to_string(maxBytes) + " allowed",
                     "Split the data into smaller workbooks.");
  if (xml.size() > static_cast<std::size_t>(INT32_MAX))
    throw TableError(part_ + ": too large to read", "Split the data into smaller workbooks.");
  // Before libxml2 spends seconds on a start tag of 200,000 attributes (start_tags.hpp). A
  // workbook's elements have a handful; its root, a few namespace declarations more.
  if (const auto crowded = findCrowdedStartTag(xml, kMaxAttributes))
    throw TableError(part_ + ": element <" + std::string(crowded->element) + "> has " +
                         std::to_string(crowded->attributes) + " attributes, more than the " +
                         std::to_string(kMaxAttributes) + " a workbook's element may have",
                     kFix);
  // Safe options only: NONET, and none of NOENT, DTDLOAD, DTDATTR, DTDVALID, XINCLUDE, HUGE.
  reader_ = xmlReaderForMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (reader_ == nullptr) throw TableError(part_ + ": the XML reader could not start", kFix);
  xmlTextReaderSetStructuredErrorHandler(R(reader_), &ErrorSink::onError, this);
}

XmlReader::~XmlReader() {
  if (reader_ != nullptr) xmlFreeTextReader(R(reader_));
}

int XmlReader::line() const {
  return xmlTextReaderGetParserLineNumber(R(reader_));
}

int XmlReader::elementLine() const {
  xmlNodePtr node = xmlTextReaderCurrentNode(R(reader_));
  const long at = node != nullptr ? xmlGetLineNo(node) : -1;
  return at > 0 ? static_cast<int>(at) : line();
}

std::string XmlReader::where() const {
  return part_ + ", line " + std::to_string(line()) + ": ";
}

void XmlReader::fail(const std::string& problem) const {
  throw TableError(where() + problem, kFix);
}

bool XmlReader::advance() {
  const int ret = xmlTextReaderRead(R(reader_));
  if (ret < 0) {
    std::string where = part_;
    if (errorLine_ > 0) {
      where += ", line " + std::to_string(errorLine_);
      if (errorColumn_ > 0) where += ", column " + std::to_string(errorColumn_);
    }
    throw TableError(where + ": not well-formed XML: " +
                         (error_.empty() ? std::string("the parser stopped") : error_),
                     kFix);
  }
  if (ret == 0) return false;
  const int type = xmlTextReaderNodeType(R(reader_));
  if (type == XML_READER_TYPE_DOCUMENT_TYPE)
    fail(
        "a DOCTYPE declaration, which a workbook never has, is refused (it could declare "
        "entities that expand without bound or read other files)");
  if (type == kElement && xmlTextReaderDepth(R(reader_)) > maxDepth_)
    fail("elements nested more than " + std::to_string(maxDepth_) + " deep");
  return true;
}

bool XmlReader::next() {
  while (advance()) {
    const int type = xmlTextReaderNodeType(R(reader_));
    if (type == kElement || type == kEnd) {
      start_ = type == kElement;
      return true;
    }
  }
  return false;
}

bool XmlReader::isEmptyElement() const {
  return start_ && xmlTextReaderIsEmptyElement(R(reader_)) == 1;
}

int XmlReader::depth() const {
  return xmlTextReaderDepth(R(reader_));
}

std::string_view XmlReader::name() const {
  return view(xmlTextReaderConstLocalName(R(reader_)));
}

std::optional<std::string> XmlReader::attribute(std::string_view localName) const {
  std::optional<std::string> out;
  if (xmlTextReaderMoveToFirstAttribute(R(reader_)) != 1) return out;
  do {
    if (view(xmlTextReaderConstLocalName(R(reader_))) == localName) {
      out = std::string(view(xmlTextReaderConstValue(R(reader_))));
      break;
    }
  } while (xmlTextReaderMoveToNextAttribute(R(reader_)) == 1);
  xmlTextReaderMoveToElement(R(reader_));
  return out;
}

std::string XmlReader::text(std::string_view only, std::string_view skip) {
  std::string out;
  if (!start_ || isEmptyElement()) return out;
  const int top = depth();
  int skipping = -1;  // the depth of the skipped element being read, -1 when none
  int inside = only.empty() ? top : -1;  // the depth of the `only` element being read
  while (advance()) {
    const int type = xmlTextReaderNodeType(R(reader_));
    const int d = depth();
    const bool empty = type == kElement && xmlTextReaderIsEmptyElement(R(reader_)) == 1;
    if (type == kElement && !empty) {
      if (skipping < 0 && !skip.empty() && name() == skip) skipping = d;
      if (inside < 0 && name() == only) inside = d;
    } else if (type == kEnd) {
      if (d == skipping) skipping = -1;
      if (d == inside && !only.empty()) inside = -1;
      if (d == top) {
        start_ = false;
        return out;
      }
    } else if (textNode(type) && skipping < 0 && inside >= 0) {
      out += view(xmlTextReaderConstValue(R(reader_)));
    }
  }
  fail("the document ends inside an element");
}

}  // namespace ijro::tables::detail
