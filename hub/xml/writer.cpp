#include "hub/xml/writer.hpp"

#include <array>
#include <stdexcept>
#include <string>

#include "hub/xml/chars.hpp"

namespace ijro::xml {

namespace {

constexpr std::string_view kDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

// The escapes of character data: markup characters, the quote (so text may be moved into an
// attribute unchanged) and carriage return (which a parser would otherwise turn into a newline).
constexpr const char* textEscape(unsigned char c) {
  switch (c) {
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '&':
      return "&amp;";
    case '"':
      return "&quot;";
    case '\r':
      return "&#13;";
    default:
      return nullptr;
  }
}

// The escapes of an attribute value: the above, and the white space a parser would normalise to
// a space.
constexpr const char* attributeEscape(unsigned char c) {
  switch (c) {
    case '\n':
      return "&#10;";
    case '\t':
      return "&#9;";
    default:
      return textEscape(c);
  }
}

// What each byte needs, for text (Text) and attribute values (Attribute): nothing (0), its escape
// (1), or a look at the character it starts (2: a control character, or not ASCII).
enum Mode { Text, Attribute };
template <Mode M>
constexpr std::array<unsigned char, 256> kNeeds = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const auto b = static_cast<unsigned char>(c);
    const char* e = M == Attribute ? attributeEscape(b) : textEscape(b);
    t[b] = e ? 1 : (b >= 0x80 || (b < 0x20 && b != 0x9 && b != 0xA && b != 0xD)) ? 2 : 0;
  }
  return t;
}();

// Appends `s` with the bytes that need it escaped, checking on the way that XML 1.0 can carry
// every character; runs without escapes go in one append. Returns false at the first character
// it cannot, having appended part of `s` (the caller takes that back; xmlCharProblem says why).
template <Mode M>
bool appendEscaped(std::string& out, std::string_view s) {
  const auto& needs = kNeeds<M>;
  std::size_t run = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    const unsigned char need = needs[b];
    if (need == 0) {
      ++i;
    } else if (need == 1) {
      out.append(s.data() + run, i - run);
      out.append(M == Attribute ? attributeEscape(b) : textEscape(b));
      run = ++i;
    } else {
      char32_t cp = 0;
      const std::size_t n = base::decodeUtf8(s, i, cp);
      if (n == 0 || !isXmlChar(cp)) return false;
      i += n;
    }
  }
  out.append(s.data() + run, s.size() - run);
  return true;
}

// The refusal of a value XML cannot carry; `what` names it ("cannot write the text of <x>").
[[noreturn]] void refuseValue(const std::string& what, std::string_view value) {
  throw std::invalid_argument(what + " as XML: it contains " +
                              xmlCharProblem(value).value_or("a character XML 1.0 cannot carry"));
}

}  // namespace

Writer::Writer(bool indent) : indent_(indent) {
  document_ = kDeclaration;
}

void Writer::usable() const {
  if (finished_) throw std::logic_error("XML writer: used after finish()");
}

std::string_view Writer::nameOf(std::size_t i) const {
  const std::size_t end = i + 1 < open_.size() ? open_[i + 1].nameAt : names_.size();
  return std::string_view(names_).substr(open_[i].nameAt, end - open_[i].nameAt);
}

std::string_view Writer::current() const {
  return open_.empty() ? std::string_view("(no element)") : nameOf(open_.size() - 1);
}

void Writer::closeStartTag() {
  if (open_.empty() || open_.back().content) return;
  document_ += '>';
  open_.back().content = true;
}

void Writer::indentTo(std::size_t depth) {
  for (std::size_t i = 0; i < depth; ++i) document_ += "  ";
}

void Writer::startElement(std::string_view name, std::string_view ns) {
  usable();
  if (name.empty()) throw std::logic_error("XML writer: an element needs a name");
  if (!open_.empty() && !open_.back().content) {
    closeStartTag();
    if (indent_) document_ += '\n';
  }
  if (indent_) indentTo(open_.size());
  open_.push_back(Open{names_.size()});
  names_ += name;
  document_ += '<';
  document_ += name;
  if (!ns.empty()) attribute("xmlns", ns);
}

void Writer::attribute(std::string_view name, std::string_view value) {
  usable();
  auto what = [&] {
    return "cannot write attribute " + std::string(name) + " of <" + std::string(current()) + ">";
  };
  if (open_.empty() || open_.back().content) {
    if (xmlCharProblem(value)) refuseValue(what(), value);
    throw std::logic_error("XML writer: attribute " + std::string(name) +
                           " comes after the content of <" + std::string(current()) + ">");
  }
  const std::size_t mark = document_.size();
  document_ += ' ';
  document_ += name;
  document_ += "=\"";
  if (!appendEscaped<Attribute>(document_, value)) {
    document_.resize(mark);
    refuseValue(what(), value);
  }
  document_ += '"';
}

void Writer::text(std::string_view value) {
  usable();
  auto what = [&] { return "cannot write the text of <" + std::string(current()) + ">"; };
  if (open_.empty()) {
    if (xmlCharProblem(value)) refuseValue(what(), value);
    throw std::logic_error("XML writer: text outside any element");
  }
  const std::size_t mark = document_.size();
  const bool wasOpen = !open_.back().content;
  closeStartTag();
  if (!appendEscaped<Text>(document_, value)) {
    document_.resize(mark);
    if (wasOpen) open_.back().content = false;
    refuseValue(what(), value);
  }
  indentEnd_ = false;
}

void Writer::endElement() {
  usable();
  if (open_.empty()) throw std::logic_error("XML writer: an end with no element open");
  if (!open_.back().content) {
    document_ += "/>";
  } else {
    if (indent_ && indentEnd_) indentTo(open_.size() - 1);
    document_ += "</";
    document_ += nameOf(open_.size() - 1);
    document_ += '>';
  }
  indentEnd_ = indent_;
  if (indent_) document_ += '\n';
  names_.resize(open_.back().nameAt);
  open_.pop_back();
}

void Writer::textElement(std::string_view name, std::string_view value) {
  startElement(name);
  text(value);
  endElement();
}

std::string Writer::finish() {
  usable();
  while (!open_.empty()) endElement();
  if (!indent_) document_ += '\n';
  finished_ = true;
  return std::move(document_);
}

std::string Writer::take() {
  usable();
  std::string part;
  part.reserve(document_.capacity());  // the next part grows into the same room
  part.swap(document_);
  return part;
}

}  // namespace ijro::xml
