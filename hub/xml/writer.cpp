#include "hub/xml/writer.hpp"

#include <stdexcept>
#include <string>

#include "hub/xml/chars.hpp"

namespace ijro::xml {

namespace {
const xmlChar* x(const std::string& s) {
  return reinterpret_cast<const xmlChar*>(s.c_str());
}

void checkChars(std::string_view value, const std::string& where) {
  if (auto problem = xmlCharProblem(value))
    throw std::invalid_argument("cannot write " + where + " as XML: it contains " + *problem);
}
}  // namespace

Writer::Writer(bool indent) {
  buffer_ = xmlBufferCreate();
  if (!buffer_) throw std::runtime_error("XML writer: cannot allocate a buffer");
  writer_ = xmlNewTextWriterMemory(buffer_, 0);
  if (!writer_) {
    xmlBufferFree(buffer_);
    throw std::runtime_error("XML writer: cannot create a writer");
  }
  if (indent) {
    check(xmlTextWriterSetIndent(writer_, 1), "set indentation");
    check(xmlTextWriterSetIndentString(writer_, x("  ")), "set indentation");
  }
  check(xmlTextWriterStartDocument(writer_, "1.0", "UTF-8", nullptr), "start the document");
}

Writer::~Writer() {
  if (writer_) xmlFreeTextWriter(writer_);
  if (buffer_) xmlBufferFree(buffer_);
}

const std::string& Writer::current() const {
  static const std::string none = "(no element)";
  return open_.empty() ? none : open_.back();
}

void Writer::check(int rc, const char* what) {
  if (!writer_) throw std::logic_error("XML writer: used after finish()");
  if (rc < 0) throw std::runtime_error(std::string("XML writer: cannot ") + what);
}

void Writer::startElement(std::string_view name, std::string_view ns) {
  const std::string n(name);
  if (!writer_) throw std::logic_error("XML writer: used after finish()");
  check(xmlTextWriterStartElement(writer_, x(n)), "start an element");
  open_.push_back(n);
  if (!ns.empty()) attribute("xmlns", ns);
}

void Writer::attribute(std::string_view name, std::string_view value) {
  if (!writer_) throw std::logic_error("XML writer: used after finish()");
  const std::string n(name);
  checkChars(value, "attribute " + n + " of <" + current() + ">");
  const std::string v(value);
  check(xmlTextWriterWriteAttribute(writer_, x(n), x(v)), "write an attribute");
}

void Writer::text(std::string_view value) {
  if (!writer_) throw std::logic_error("XML writer: used after finish()");
  checkChars(value, "the text of <" + current() + ">");
  const std::string v(value);
  check(xmlTextWriterWriteString(writer_, x(v)), "write text");
}

void Writer::endElement() {
  if (!writer_) throw std::logic_error("XML writer: used after finish()");
  check(xmlTextWriterEndElement(writer_), "end an element");
  if (!open_.empty()) open_.pop_back();
}

void Writer::textElement(std::string_view name, std::string_view value) {
  startElement(name);
  text(value);
  endElement();
}

std::string Writer::finish() {
  if (!writer_) throw std::logic_error("XML writer: finish() called twice");
  check(xmlTextWriterEndDocument(writer_), "end the document");
  xmlFreeTextWriter(writer_);  // flushes into buffer_
  writer_ = nullptr;
  return std::string(reinterpret_cast<const char*>(xmlBufferContent(buffer_)),
                     static_cast<std::size_t>(xmlBufferLength(buffer_)));
}

}  // namespace ijro::xml
