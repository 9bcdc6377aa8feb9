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
  // XML cannot carry U+0000; refusing it here also keeps libxml2 from guessing UTF-16 or UTF-32
  // from the first bytes of a document sent without a byte order mark.
  if (const void* nul = std::memchr(bytes.data(), 0, bytes.size())) {
    const auto at = static_cast<std::size_t>(static_cast<const char*>(nul) - bytes.data());
    auto p = positionOf(bytes, at);
    throw XmlError("a NUL byte (byte " + std::to_string(at + 1) +
                       " of the document) is not allowed in XML: if the document is UTF-16 or "
                       "UTF-32, send it as UTF-8",
                   name, p.line, p.column);
  }
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

// ---------------------------------------------------------------- the push parser's events

namespace {

// Bytes given to the parser at a time: large enough that the parser's per-call work does not
// count, small enough that the events of one part stay a few hundred KiB.
constexpr std::size_t kPartBytes = 64u << 10;

// The push reader ignores the encoding declaration: precheck has already refused any other
// encoding than UTF-8 (or its ASCII subset), and the bytes are read as UTF-8 whatever the
// declaration says, as before.
constexpr int kPushOptions = kParseOptions | XML_PARSE_IGNORE_ENC;

using Parse = detail::PushParse;

bool isBlankByte(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

struct detail::PushParse {
  // One node: an element's start (with its attributes), an end tag, a text, a comment or a
  // processing instruction. Names are libxml2's interned strings (they live as long as the
  // parser); values are in `arena`.
  struct Event {
    int type = XML_READER_TYPE_NONE;
    int depth = 0;
    int line = 0;
    bool empty = false;    // an element written <x/>: no end event follows
    bool blank = true;     // a text of white space only
    int declarations = 0;  // namespace declarations on an element
    const xmlChar* name = nullptr;
    const xmlChar* uri = nullptr;
    std::uint32_t value = 0, valueSize = 0;
    std::uint32_t firstAttribute = 0, attributes = 0;
  };
  struct Attr {
    const xmlChar* name;
    const xmlChar* uri;
    std::uint32_t value, valueSize;
  };

  PushParse(std::string_view b, const Limits& l) : bytes(b), limits(l) {}
  ~PushParse() {
    if (ctxt) xmlFreeParserCtxt(ctxt);
  }
  PushParse(const PushParse&) = delete;
  PushParse& operator=(const PushParse&) = delete;

  std::string_view text(std::uint32_t at, std::uint32_t size) const {
    return {arena.data() + at, size};
  }
  // Drops the events read() has handed out (keeping a text that may still grow), then parses the
  // next part of the bytes. False when the parse had already ended.
  bool parseMore();
  std::uint32_t keep(const xmlChar* from, std::size_t size) {
    const auto at = static_cast<std::uint32_t>(arena.size());
    arena.append(chars(from), size);
    return at;
  }
  int line() const { return ctxt->input ? ctxt->input->line : 0; }
  // A node of `type` at the current depth and line.
  Event event(int type, const xmlChar* name = nullptr) const {
    Event e;
    e.type = type;
    e.depth = depth;
    e.line = line();
    e.name = name;
    return e;
  }
  // A callback found a limit passed: the events end there and read() refuses the last one.
  void stop() {
    stopped = true;
    xmlStopParser(ctxt);
  }

  std::string_view bytes;
  const Limits& limits;
  xmlParserCtxtPtr ctxt = nullptr;
  detail::ParseErrors errors;
  std::vector<Event> events;
  std::vector<Attr> attributes;
  std::string arena;
  std::size_t next = 0;  // the next event read() hands out
  std::size_t fed = 0;   // bytes given to the parser so far
  bool ended = false;    // nothing more will come from the parser
  bool stopped = false;
  bool doctype = false;
  int depth = 0;
  std::vector<int> openLines;  // line of each open element's start tag, by depth
};

namespace {

Parse& parseOf(void* user) {
  return *static_cast<Parse*>(user);
}

void onStartElement(void* user, const xmlChar* localName, const xmlChar* /*prefix*/,
                    const xmlChar* uri, int declarations, const xmlChar** /*namespaces*/,
                    int attributes, int /*defaulted*/, const xmlChar** values) {
  Parse& p = parseOf(user);
  Parse::Event e = p.event(XML_READER_TYPE_ELEMENT, localName);
  e.uri = uri;
  e.declarations = declarations;
  e.firstAttribute = static_cast<std::uint32_t>(p.attributes.size());
  e.attributes = static_cast<std::uint32_t>(std::max(attributes, 0));
  // Each attribute is five pointers: local name, prefix, URI, value start, value end (the value
  // with its references replaced, except that libxml2 writes an '&' as "&#38;" for a tree
  // builder to read again: a raw '&' cannot be in a value, so each one starts that form).
  for (int i = 0; i < attributes; ++i) {
    const xmlChar** a = values + static_cast<std::ptrdiff_t>(i) * 5;
    const std::string_view raw(chars(a[3]), static_cast<std::size_t>(a[4] - a[3]));
    const auto at = static_cast<std::uint32_t>(p.arena.size());
    if (raw.find('&') == std::string_view::npos) {
      p.arena.append(raw);
    } else {
      for (std::size_t j = 0; j < raw.size(); ++j) {
        p.arena.push_back(raw[j]);
        if (raw[j] == '&' && raw.substr(j, 5) == "&#38;") j += 4;
      }
    }
    p.attributes.push_back({a[0], a[2], at, static_cast<std::uint32_t>(p.arena.size() - at)});
  }
  p.events.push_back(e);
  if (p.openLines.size() <= static_cast<std::size_t>(p.depth))
    p.openLines.resize(static_cast<std::size_t>(p.depth) + 1);
  p.openLines[static_cast<std::size_t>(p.depth)] = e.line;
  ++p.depth;
  // Deeper than allowed: read() refuses this element when it gets to it; libxml2 goes no deeper.
  if (p.depth > p.limits.maxDepth) p.stop();
}

void onEndElement(void* user, const xmlChar* localName, const xmlChar* /*prefix*/,
                  const xmlChar* uri) {
  Parse& p = parseOf(user);
  --p.depth;
  // <x/>: libxml2 calls this right after the start, with the input just past "/>"; the start
  // event is still the last one (callbacks run inside one parse step).
  const xmlParserInputPtr in = p.ctxt->input;
  const bool emptyTag = in && in->cur - in->base >= 2 && in->cur[-2] == '/' && in->cur[-1] == '>';
  if (emptyTag && !p.events.empty() && p.events.back().type == XML_READER_TYPE_ELEMENT &&
      p.events.back().depth == p.depth) {
    p.events.back().empty = true;
    return;
  }
  Parse::Event e = p.event(XML_READER_TYPE_END_ELEMENT, localName);
  e.line = p.openLines[static_cast<std::size_t>(p.depth)];
  e.uri = uri;
  p.events.push_back(e);
}

// Text arrives in pieces (around references, at part boundaries): consecutive pieces are one
// text node, as in a tree.
void onCharacters(void* user, const xmlChar* text, int size) {
  Parse& p = parseOf(user);
  const auto n = static_cast<std::size_t>(std::max(size, 0));
  bool blank = true;
  for (std::size_t i = 0; i < n && blank; ++i) blank = isBlankByte(static_cast<char>(text[i]));
  if (p.events.size() > p.next && p.events.back().type == XML_READER_TYPE_TEXT) {
    Parse::Event& e = p.events.back();
    p.arena.append(chars(text), n);
    e.valueSize += static_cast<std::uint32_t>(n);
    e.blank = e.blank && blank;
    if (e.valueSize > p.limits.maxTextBytes) p.stop();
    return;
  }
  Parse::Event e = p.event(XML_READER_TYPE_TEXT);
  e.blank = blank;
  e.value = p.keep(text, n);
  e.valueSize = static_cast<std::uint32_t>(n);
  p.events.push_back(e);
  if (n > p.limits.maxTextBytes) p.stop();
}

// A comment or a processing instruction: a value and, for the latter, a name (its target).
void onValueNode(void* user, int type, const xmlChar* name, const xmlChar* value) {
  Parse& p = parseOf(user);
  Parse::Event e = p.event(type, name);
  const std::size_t n = value ? std::strlen(chars(value)) : 0;
  e.value = p.keep(value, n);
  e.valueSize = static_cast<std::uint32_t>(n);
  p.events.push_back(e);
}

void onComment(void* user, const xmlChar* value) {
  onValueNode(user, XML_READER_TYPE_COMMENT, nullptr, value);
}

void onProcessingInstruction(void* user, const xmlChar* target, const xmlChar* data) {
  onValueNode(user, XML_READER_TYPE_PROCESSING_INSTRUCTION, target, data);
}

// Not reached in practice (precheck refuses any DOCTYPE first); kept as a second line.
void onInternalSubset(void* user, const xmlChar*, const xmlChar*, const xmlChar*) {
  Parse& p = parseOf(user);
  p.doctype = true;
  p.stop();
}

void onParseError(void* user, xmlErrorPtr error) {
  collect(parseOf(user).errors, error);
}

// The only callbacks the reader sets: no entity, DTD or document building callbacks, so nothing
// can be loaded or declared, and an entity reference other than the five predefined ones is an
// error (getEntity is null and there is no DTD).
xmlSAXHandler makeHandler() {
  xmlSAXHandler h{};
  h.initialized = XML_SAX2_MAGIC;
  h.startElementNs = onStartElement;
  h.endElementNs = onEndElement;
  h.characters = onCharacters;
  h.ignorableWhitespace = onCharacters;  // the same function: libxml2 then keeps every blank
  h.cdataBlock = onCharacters;           // CDATA is text (as with XML_PARSE_NOCDATA)
  h.comment = onComment;
  h.processingInstruction = onProcessingInstruction;
  h.internalSubset = onInternalSubset;
  h.serror = onParseError;
  return h;
}

}  // namespace

bool detail::PushParse::parseMore() {
  if (ended) return false;
  // Everything before `next` has been handed out; a text still open at the end is kept (it is
  // the last event, its value the end of the arena) so that it can grow.
  if (next >= events.size()) {
    events.clear();
    attributes.clear();
    arena.clear();
  } else if (next > 0) {  // read() asks for more with only an open text left
    Event open = events.back();
    arena.erase(0, open.value);
    open.value = 0;
    events.assign(1, open);
    attributes.clear();
  }
  next = 0;
  const std::size_t size = std::min(kPartBytes, bytes.size() - fed);
  const bool last = fed + size == bytes.size();
  xmlParseChunk(ctxt, bytes.data() + fed, static_cast<int>(size), last ? 1 : 0);
  fed += size;
  if (last || stopped || errors.set) ended = true;
  return true;
}

Reader::Reader(std::string_view bytes, std::string name, const Limits& limits)
    : bytes_(bytes), name_(std::move(name)), limits_(limits) {
  initLibxml();
  precheck(bytes_, name_, limits_);
  precheckAttributes(bytes_, name_, limits_);
  parse_ = std::make_unique<detail::PushParse>(bytes_, limits_);
  static xmlSAXHandler handler = makeHandler();
  // No base URL: nothing in the document can be resolved relative to a file of ours.
  parse_->ctxt = xmlCreatePushParserCtxt(&handler, parse_.get(), nullptr, 0, nullptr);
  if (!parse_->ctxt) throw XmlError("cannot create an XML parser (out of memory?)", name_, 0, 0);
  xmlCtxtUseOptions(parse_->ctxt, kPushOptions);
}

Reader::~Reader() = default;

void Reader::throwParseError() const {
  const auto& errors = parse_->errors;
  throw XmlError("not well-formed XML: " + errors.message, name_, errors.line, errors.column);
}

bool Reader::read() {
  Parse& p = *parse_;
  // A text at the end of the events may go on in the next part: it is handed out whole.
  while (p.next >= p.events.size() || (p.next + 1 == p.events.size() &&
                                       p.events.back().type == XML_READER_TYPE_TEXT && !p.ended)) {
    if (!p.parseMore()) break;
    if (p.errors.set) throwParseError();
  }
  if (p.errors.set) throwParseError();
  if (p.doctype) throw XmlError(kDoctypeMessage, name_, 0, 0);
  if (p.next >= p.events.size()) {
    type_ = XML_READER_TYPE_NONE;
    depth_ = 0;
    return false;
  }
  const Parse::Event& e = p.events[p.next++];
  type_ = e.type;
  if (type_ == XML_READER_TYPE_TEXT && e.blank) type_ = XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
  depth_ = e.depth;
  if (type_ == XML_READER_TYPE_ELEMENT) {
    const auto d = static_cast<std::size_t>(depth_);
    open_.resize(d + 1);
    open_[d] = ++elements_;
  }
  check();
  return true;
}

void Reader::check() {
  switch (nodeType()) {
    case XML_READER_TYPE_ELEMENT: {
      const Parse& p = *parse_;
      const Parse::Event& e = p.events[p.next - 1];
      if (depth() + 1 > limits_.maxDepth)
        fail("nesting deeper than " + std::to_string(limits_.maxDepth) +
             " elements is not allowed: check for unclosed elements or flatten the document");
      const auto attrs = static_cast<int>(e.attributes) + e.declarations;
      if (attrs > limits_.maxAttributes)
        fail("element <" + std::string(localName()) + "> has " + std::to_string(attrs) +
             " attributes, over the limit of " + std::to_string(limits_.maxAttributes) +
             ": remove the ones that are not needed");
      for (std::uint32_t i = 0; i < e.attributes; ++i) {
        const Parse::Attr& a = p.attributes[e.firstAttribute + i];
        if (a.valueSize > limits_.maxTextBytes)
          fail("attribute " + std::string(chars(a.name)) + " of <" + std::string(localName()) +
               "> is " + std::to_string(a.valueSize) + " bytes, over the limit of " +
               std::to_string(limits_.maxTextBytes) + " bytes");
      }
      break;
    }
    case XML_READER_TYPE_TEXT:
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

namespace {
const Parse::Event* current(const Parse& p) {
  return p.next > 0 && p.next <= p.events.size() ? &p.events[p.next - 1] : nullptr;
}
}  // namespace

bool Reader::isEmptyElement() const {
  const auto* e = current(*parse_);
  return type_ == XML_READER_TYPE_ELEMENT && e && e->empty;
}
std::string_view Reader::localName() const {
  const auto* e = current(*parse_);
  return e && (type_ == XML_READER_TYPE_ELEMENT || type_ == XML_READER_TYPE_END_ELEMENT ||
               type_ == XML_READER_TYPE_PROCESSING_INSTRUCTION)
             ? view(e->name)
             : std::string_view();
}
std::string_view Reader::namespaceUri() const {
  const auto* e = current(*parse_);
  return e && (type_ == XML_READER_TYPE_ELEMENT || type_ == XML_READER_TYPE_END_ELEMENT)
             ? view(e->uri)
             : std::string_view();
}
std::string_view Reader::value() const {
  const auto* e = current(*parse_);
  return e && type_ != XML_READER_TYPE_NONE && type_ != XML_READER_TYPE_ELEMENT &&
                 type_ != XML_READER_TYPE_END_ELEMENT
             ? parse_->text(e->value, e->valueSize)
             : std::string_view();
}

std::optional<std::string> Reader::attribute(const char* attrName) const {
  const auto* e = current(*parse_);
  if (!e || type_ != XML_READER_TYPE_ELEMENT) return std::nullopt;
  for (std::uint32_t i = 0; i < e->attributes; ++i) {
    const Parse::Attr& a = parse_->attributes[e->firstAttribute + i];
    if (!a.uri && view(a.name) == attrName) return std::string(parse_->text(a.value, a.valueSize));
  }
  return std::nullopt;
}

std::size_t Reader::attributeCount() const {
  const auto* e = current(*parse_);
  return e && type_ == XML_READER_TYPE_ELEMENT ? e->attributes : 0;
}

Attribute Reader::attributeAt(std::size_t i) const {
  const auto* e = current(*parse_);
  const Parse::Attr& a = parse_->attributes[e->firstAttribute + i];
  return {view(a.name), view(a.uri), parse_->text(a.value, a.valueSize)};
}

std::vector<Attribute> Reader::attributes() const {
  std::vector<Attribute> out;
  const std::size_t n = attributeCount();
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(attributeAt(i));
  return out;
}

std::string Reader::readText() {
  std::string text;
  if (nodeType() != XML_READER_TYPE_ELEMENT || isEmptyElement()) return text;
  const int d = depth();
  while (read()) {
    const int type = nodeType();
    if (type == XML_READER_TYPE_END_ELEMENT && depth() == d) break;
    if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE)
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
  const auto* e = current(*parse_);
  return e && type_ != XML_READER_TYPE_NONE ? e->line : parse_->line();
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
