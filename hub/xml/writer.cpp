#include "hub/xml/writer.hpp"

#include <stdexcept>
#include <string>

#include "hub/xml/chars.hpp"

namespace ijro::xml {

namespace {
const xmlChar* x(const std::string& s) {
  return reinterpret_cast<const xmlChar*>(s.c_str());
}
}  // namespace

namespace {
// libxml2's output goes straight into the document string (which grows geometrically), with no
// intermediate buffer to copy it out of at the end.
int appendToString(void* context, const char* bytes, int length) {
  static_cast<std::string*>(context)->append(bytes, static_cast<std::size_t>(length));
  return length;
}
}  // namespace

Writer::Writer(bool indent) {
  xmlOutputBufferPtr out = xmlOutputBufferCreateIO(appendToString, nullptr, &document_, nullptr);
  if (!out) throw std::runtime_error("XML writer: cannot allocate an output buffer");
  writer_ = xmlNewTextWriter(out);  // owns `out` from here
  if (!writer_) {
    xmlOutputBufferClose(out);
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
}

const std::string& Writer::current() const {
  static const std::string none = "(no element)";
  return open_.empty() ? none : open_.back();
}

void Writer::check(int rc, const char* what) {
  if (!writer_) throw std::logic_error("XML writer: used after finish()");
  if (rc < 0) throw std::runtime_error(std::string("XML writer: cannot ") + what);
}

// libxml2 takes NUL-terminated strings: a view is copied into one of two buffers kept for that
// (their room is reused, so a value costs no allocation once the buffers have grown).
const xmlChar* Writer::terminated(std::string& buffer, std::string_view s) {
  buffer.assign(s);
  return x(buffer);
}

void Writer::startElement(std::string_view name, std::string_view ns) {
  if (!writer_) throw std::logic_error("XML writer: used after finish()");
  check(xmlTextWriterStartElement(writer_, terminated(name_, name)), "start an element");
  open_.emplace_back(name);
  if (!ns.empty()) attribute("xmlns", ns);
}

void Writer::attribute(std::string_view name, std::string_view value) {
  if (!writer_) throw std::logic_error("XML writer: used after finish()");
  if (auto problem = xmlCharProblem(value))
    throw std::invalid_argument("cannot write attribute " + std::string(name) + " of <" +
                                current() + "> as XML: it contains " + *problem);
  check(xmlTextWriterWriteAttribute(writer_, terminated(name_, name), terminated(value_, value)),
        "write an attribute");
}

void Writer::text(std::string_view value) {
  if (!writer_) throw std::logic_error("XML writer: used after finish()");
  if (auto problem = xmlCharProblem(value))
    throw std::invalid_argument("cannot write the text of <" + current() +
                                "> as XML: it contains " + *problem);
  check(xmlTextWriterWriteString(writer_, terminated(value_, value)), "write text");
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
  xmlFreeTextWriter(writer_);  // flushes the rest into document_
  writer_ = nullptr;
  return std::move(document_);
}

std::string Writer::take() {
  check(xmlTextWriterFlush(writer_), "flush the document");
  std::string part;
  part.swap(document_);
  return part;
}

}  // namespace ijro::xml
