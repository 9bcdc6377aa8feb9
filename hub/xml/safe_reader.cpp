#include "hub/xml/safe_reader.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <mutex>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "hub/xml/chars.hpp"
#include "sdk/tables/start_tags.hpp"

namespace ijro::xml {

namespace {

// What we ask of libxml2. Never NOENT (entity substitution), DTDLOAD, DTDATTR, DTDVALID,
// XINCLUDE or HUGE: those are what makes XML parsing dangerous. NONET forbids network access
// in any case; NOCDATA folds CDATA into text; BIG_LINES keeps line numbers above 65535.
constexpr int kParseOptions = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES;
static_assert((kParseOptions & (XML_PARSE_NOENT | XML_PARSE_DTDLOAD | XML_PARSE_DTDATTR |
                                XML_PARSE_DTDVALID | XML_PARSE_XINCLUDE | XML_PARSE_HUGE)) == 0);

const char* chars(const xmlChar* s) {
  return reinterpret_cast<const char*>(s);
}
const xmlChar* xchars(const char* s) {
  return reinterpret_cast<const xmlChar*>(s);
}
std::string_view view(const xmlChar* s) {
  return s ? std::string_view(chars(s)) : std::string_view();
}

void initLibxml() {
  // xmlInitParser must run once before threads use the parser.
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// Per-parse structured error handler: keeps the first error, drops warnings, prints nothing.
void collect(detail::ParseErrors& into, const xmlError* error) {
  if (!error || error->level < XML_ERR_ERROR || into.set) return;
  into.set = true;
  into.message = trimmed(error->message ? error->message : "unknown error");
  into.line = error->line;
  into.column = error->int2;
}

void onReaderError(void* arg, xmlErrorPtr error) {
  collect(*static_cast<detail::ParseErrors*>(arg), error);
}

// For a parser context, libxml2 passes ctxt->userData (the context itself) to serror.
void onContextError(void* ctx, xmlErrorPtr error) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
  collect(*static_cast<detail::ParseErrors*>(ctxt->_private), error);
}

std::string location(const std::string& document, int line, int column) {
  std::string s = document;
  if (line > 0) {
    s += ':' + std::to_string(line);
    if (column > 0) s += ':' + std::to_string(column);
  }
  return s;
}

bool startsWith(std::string_view s, std::size_t at, std::string_view prefix) {
  return s.size() - std::min(at, s.size()) >= prefix.size() &&
         s.substr(at, prefix.size()) == prefix;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) {
             return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
           };
           return lower(x) == lower(y);
         });
}

// The encoding="..." pseudo-attribute of an XML declaration, if any.
std::optional<std::string_view> declaredEncoding(std::string_view decl) {
  auto at = decl.find("encoding");
  if (at == std::string_view::npos) return std::nullopt;
  at += 8;
  while (at < decl.size() && (decl[at] == ' ' || decl[at] == '\t' || decl[at] == '\r' ||
                              decl[at] == '\n' || decl[at] == '='))
    ++at;
  if (at >= decl.size() || (decl[at] != '"' && decl[at] != '\'')) return std::nullopt;
  const char quote = decl[at];
  const auto end = decl.find(quote, at + 1);
  if (end == std::string_view::npos) return std::nullopt;
  return decl.substr(at + 1, end - at - 1);
}

const char* kDoctypeMessage =
    "DOCTYPE is not allowed: remove the <!DOCTYPE ...> declaration (DTDs and entity "
    "declarations are refused for safety)";

// Checks done on the raw bytes before libxml2 runs: size, UTF-8, declared encoding, and DOCTYPE
// anywhere in the prolog (XMLDecl? (Comment | PI | S)* doctypedecl?).
void precheck(std::string_view bytes, const std::string& name, const Limits& limits) {
  if (bytes.size() > limits.maxBytes || bytes.size() > static_cast<std::size_t>(INT_MAX))
    throw XmlError("the document is " + std::to_string(bytes.size()) +
                       " bytes, over the limit of " + std::to_string(limits.maxBytes) +
                       " bytes: send it in smaller parts",
                   name, 0, 0);
  if (bytes.empty()) throw XmlError("the document is empty", name, 0, 0);
  if (startsWith(bytes, 0, "\xFE\xFF") || startsWith(bytes, 0, "\xFF\xFE"))
    throw XmlError("the document is UTF-16 encoded: send it as UTF-8", name, 1, 1);
  if (auto bad = firstInvalidUtf8(bytes)) {
    auto p = positionOf(bytes, *bad);
    throw XmlError("invalid UTF-8 (byte " + std::to_string(*bad + 1) +
                       " of the document): the document must be encoded as UTF-8",
                   name, p.line, p.column);
  }

  std::size_t i = startsWith(bytes, 0, "\xEF\xBB\xBF") ? 3 : 0;
  const std::size_t first = i;
  while (i < bytes.size()) {
    const char c = bytes[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (startsWith(bytes, i, "<?")) {
      const auto end = bytes.find("?>", i + 2);
      if (end == std::string_view::npos) return;  // the parser reports it
      const auto pi = bytes.substr(i, end - i);
      if (i == first && startsWith(pi, 0, "<?xml") && pi.size() > 5 &&
          (pi[5] == ' ' || pi[5] == '\t' || pi[5] == '\r' || pi[5] == '\n')) {
        auto enc = declaredEncoding(pi);
        if (enc && !iequals(*enc, "UTF-8") && !iequals(*enc, "UTF8") &&
            !iequals(*enc, "US-ASCII") && !iequals(*enc, "ASCII")) {
          auto p = positionOf(bytes, i);
          throw XmlError("the declared encoding \"" + std::string(*enc) +
                             "\" is not accepted: send the document as UTF-8 and declare "
                             "encoding=\"UTF-8\" (or leave the declaration out)",
                         name, p.line, p.column);
        }
      }
      i = end + 2;
    } else if (startsWith(bytes, i, "<!--")) {
      const auto end = bytes.find("-->", i + 4);
      if (end == std::string_view::npos) return;
      i = end + 3;
    } else if (startsWith(bytes, i, "<!DOCTYPE")) {
      auto p = positionOf(bytes, i);
      throw XmlError(kDoctypeMessage, name, p.line, p.column);
    } else {
      return;  // the root element (or an error the parser will report)
    }
  }
}

// The number of attributes (namespace declarations included) of every start tag, counted on
// the raw bytes before libxml2 parses anything (sdk/tables/start_tags.hpp says why and how).
void precheckAttributes(std::string_view bytes, const std::string& name, const Limits& limits) {
  if (limits.maxAttributes < 0) return;
  const auto limit = static_cast<std::size_t>(limits.maxAttributes);
  if (const auto crowded = tables::findCrowdedStartTag(bytes, limit)) {
    const auto p = positionOf(bytes, crowded->offset);
    throw XmlError("element <" + std::string(crowded->element) + "> has " +
                       std::to_string(crowded->attributes) + " attributes, over the limit of " +
                       std::to_string(limit) +
                       " (namespace declarations count as attributes): remove the ones that are "
                       "not needed",
                   name, p.line, p.column);
  }
}

}  // namespace

XmlError::XmlError(std::string message, std::string doc, int l, int c)
    : std::runtime_error(location(doc, l, c) + ": " + message),
      reason(std::move(message)),
      document(std::move(doc)),
      line(l),
      column(c) {}

Reader::Reader(std::string_view bytes, std::string name, const Limits& limits)
    : bytes_(bytes), name_(std::move(name)), limits_(limits) {
  initLibxml();
  precheck(bytes_, name_, limits_);
  precheckAttributes(bytes_, name_, limits_);
  // No base URL: nothing in the document can be resolved relative to a file of ours.
  reader_ = xmlReaderForMemory(bytes_.data(), static_cast<int>(bytes_.size()), nullptr, "UTF-8",
                               kParseOptions);
  if (!reader_) throw XmlError("cannot create an XML reader (out of memory?)", name_, 0, 0);
  xmlTextReaderSetStructuredErrorHandler(reader_, onReaderError, &errors_);
}

Reader::~Reader() {
  if (reader_) xmlFreeTextReader(reader_);
}

void Reader::throwParseError() const {
  throw XmlError("not well-formed XML: " + errors_.message, name_, errors_.line, errors_.column);
}

bool Reader::read() {
  const int rc = xmlTextReaderRead(reader_);
  if (errors_.set) throwParseError();
  if (rc < 0)
    throw XmlError("not well-formed XML", name_, xmlTextReaderGetParserLineNumber(reader_),
                   xmlTextReaderGetParserColumnNumber(reader_));
  if (rc == 0) {
    type_ = XML_READER_TYPE_NONE;
    depth_ = 0;
    return false;
  }
  // Asked several times per node by the reader and its callers: read once here.
  type_ = xmlTextReaderNodeType(reader_);
  depth_ = xmlTextReaderDepth(reader_);
  if (nodeType() == XML_READER_TYPE_ELEMENT) {
    const auto d = static_cast<std::size_t>(depth());
    open_.resize(d + 1);
    open_[d] = ++elements_;
  }
  check();
  return true;
}

void Reader::check() {
  switch (nodeType()) {
    case XML_READER_TYPE_DOCUMENT_TYPE:
      // Not reached in practice (the prolog check comes first); kept as a second line.
      throw XmlError(kDoctypeMessage, name_, line(), 0);
    case XML_READER_TYPE_ENTITY_REFERENCE:
    case XML_READER_TYPE_ENTITY:
      fail("entity references are not allowed: write the characters themselves");
    case XML_READER_TYPE_ELEMENT: {
      if (depth() + 1 > limits_.maxDepth)
        fail("nesting deeper than " + std::to_string(limits_.maxDepth) +
             " elements is not allowed: check for unclosed elements or flatten the document");
      const int attrs = xmlTextReaderAttributeCount(reader_);
      if (attrs > limits_.maxAttributes)
        fail("element <" + std::string(localName()) + "> has " + std::to_string(attrs) +
             " attributes, over the limit of " + std::to_string(limits_.maxAttributes) +
             ": remove the ones that are not needed");
      const xmlNode* node = xmlTextReaderCurrentNode(reader_);
      for (const xmlAttr* a = node ? node->properties : nullptr; a; a = a->next) {
        std::size_t size = 0;
        for (const xmlNode* t = a->children; t; t = t->next)
          if (t->content) size += std::strlen(chars(t->content));
        if (size > limits_.maxTextBytes)
          fail("attribute " + std::string(chars(a->name)) + " of <" + std::string(localName()) +
               "> is " + std::to_string(size) + " bytes, over the limit of " +
               std::to_string(limits_.maxTextBytes) + " bytes");
      }
      break;
    }
    case XML_READER_TYPE_TEXT:
    case XML_READER_TYPE_CDATA:
    case XML_READER_TYPE_WHITESPACE:
    case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
    case XML_READER_TYPE_COMMENT: {
      const auto size = value().size();
      if (size > limits_.maxTextBytes)
        fail("a text node of " + std::to_string(size) + " bytes is over the limit of " +
             std::to_string(limits_.maxTextBytes) + " bytes: shorten it");
      break;
    }
    default:
      break;
  }
}

int Reader::nodeType() const {
  return type_;
}
int Reader::depth() const {
  return depth_;
}
bool Reader::isEmptyElement() const {
  return xmlTextReaderIsEmptyElement(reader_) == 1;
}
std::string_view Reader::localName() const {
  return view(xmlTextReaderConstLocalName(reader_));
}
std::string_view Reader::namespaceUri() const {
  return view(xmlTextReaderConstNamespaceUri(reader_));
}
std::string_view Reader::value() const {
  return view(xmlTextReaderConstValue(reader_));
}

std::optional<std::string> Reader::attribute(const char* attrName) const {
  xmlChar* v = xmlTextReaderGetAttribute(reader_, xchars(attrName));
  if (!v) return std::nullopt;
  std::string s(chars(v));
  xmlFree(v);
  return s;
}

std::vector<Attribute> Reader::attributes() const {
  std::vector<Attribute> out;
  if (nodeType() != XML_READER_TYPE_ELEMENT) return out;
  const xmlNode* node = xmlTextReaderCurrentNode(reader_);
  for (const xmlAttr* a = node ? node->properties : nullptr; a; a = a->next) {
    std::string v;
    for (const xmlNode* t = a->children; t; t = t->next)
      if (t->content) v += chars(t->content);
    out.push_back({view(a->name), a->ns ? view(a->ns->href) : std::string_view(), std::move(v)});
  }
  return out;
}

std::string Reader::readText() {
  std::string text;
  if (nodeType() != XML_READER_TYPE_ELEMENT || isEmptyElement()) return text;
  const int d = depth();
  while (read()) {
    const int type = nodeType();
    if (type == XML_READER_TYPE_END_ELEMENT && depth() == d) break;
    if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
        type == XML_READER_TYPE_WHITESPACE || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE)
      text += value();
  }
  return text;
}

void Reader::readRoot() {
  while (read())
    if (nodeType() == XML_READER_TYPE_ELEMENT) return;
  throw XmlError("the document has no root element", name_, 0, 0);
}

void Reader::skipElement() {
  if (nodeType() != XML_READER_TYPE_ELEMENT || isEmptyElement()) return;
  const int d = depth();
  while (read())
    if (nodeType() == XML_READER_TYPE_END_ELEMENT && depth() == d) break;
}

int Reader::line() const {
  const xmlNode* node = xmlTextReaderCurrentNode(reader_);
  const long l = node ? xmlGetLineNo(node) : -1;
  return l > 0 && l <= INT_MAX ? static_cast<int>(l) : xmlTextReaderGetParserLineNumber(reader_);
}

int Reader::column() const {
  return locate().column;
}

std::size_t Reader::elementIndex() const {
  const int type = nodeType();
  const int d = depth();
  const int level =
      (type == XML_READER_TYPE_ELEMENT || type == XML_READER_TYPE_END_ELEMENT) ? d : d - 1;
  if (level < 0 || static_cast<std::size_t>(level) >= open_.size()) return 0;
  return open_[static_cast<std::size_t>(level)];
}

// libxml2 keeps only a line per node, so the start tag is found again in the bytes: the parser
// has already accepted everything up to it, so a small scanner that skips comments, PIs, CDATA
// sections, end tags and quoted attribute values counts start tags exactly.
Reader::Location Reader::locate() const {
  const std::size_t target = elementIndex();
  if (target == 0) return {line(), 0};
  std::size_t seen = 0;
  std::size_t i = 0;
  auto skipPast = [&](std::string_view end) {
    const auto at = bytes_.find(end, i);
    i = at == std::string_view::npos ? bytes_.size() : at + end.size();
  };
  while (i < bytes_.size()) {
    i = bytes_.find('<', i);
    if (i == std::string_view::npos) break;
    if (startsWith(bytes_, i, "<!--")) {
      skipPast("-->");
    } else if (startsWith(bytes_, i, "<![CDATA[")) {
      skipPast("]]>");
    } else if (startsWith(bytes_, i, "<?")) {
      skipPast("?>");
    } else if (startsWith(bytes_, i, "</") || startsWith(bytes_, i, "<!")) {
      skipPast(">");
    } else {
      if (++seen == target) {
        const auto p = positionOf(bytes_, i);
        return {p.line, p.column};
      }
      ++i;
      char quote = 0;
      while (i < bytes_.size()) {
        const char c = bytes_[i++];
        if (quote) {
          if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '>') {
          break;
        }
      }
    }
  }
  return {line(), 0};
}

void Reader::fail(const std::string& message) const {
  const Location at = locate();
  throw XmlError(message, name_, at.line, at.column);
}

DocPtr parseDocument(std::string_view bytes, const std::string& name, const Limits& limits) {
  // First pass: the streaming reader enforces every check and limit without building a tree.
  {
    Reader reader(bytes, name, limits);
    while (reader.read()) {
    }
  }
  // Second pass: build the tree with the same options and a per-context error handler.
  std::unique_ptr<xmlParserCtxt, decltype(&xmlFreeParserCtxt)> ctxt(xmlNewParserCtxt(),
                                                                    &xmlFreeParserCtxt);
  if (!ctxt) throw XmlError("cannot create an XML parser (out of memory?)", name, 0, 0);
  detail::ParseErrors errors;
  ctxt->_private = &errors;
  ctxt->sax->serror = onContextError;
  DocPtr doc(xmlCtxtReadMemory(ctxt.get(), bytes.data(), static_cast<int>(bytes.size()), nullptr,
                               "UTF-8", kParseOptions));
  if (errors.set)
    throw XmlError("not well-formed XML: " + errors.message, name, errors.line, errors.column);
  if (!doc) throw XmlError("not well-formed XML", name, 0, 0);
  if (doc->intSubset || doc->extSubset) throw XmlError(kDoctypeMessage, name, 0, 0);
  return doc;
}

}  // namespace ijro::xml
