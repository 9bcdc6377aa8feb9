#include "hub/xml/writer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include <random>
#include <vector>

#include "hub/xml/safe_reader.hpp"

namespace ijro::xml {
namespace {

using ::testing::HasSubstr;

std::string attr(xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  std::string s = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return s;
}

std::string content(xmlNode* n) {
  xmlChar* v = xmlNodeGetContent(n);
  std::string s = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return s;
}

TEST(XmlWriter, WritesIndentedDocumentThatParsesBack) {
  Writer w;
  w.startElement("feed", "urn:ijro-hub:feed:1");
  w.attribute("hub", "tashkent <&> \"city\"\n'2'");
  w.textElement("title", "Sog'liqni saqlash & <ta'lim> — Тошкент\nline 2");
  w.startElement("empty");
  w.endElement();
  const std::string xml = w.finish();
  EXPECT_THAT(xml, HasSubstr("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  EXPECT_THAT(xml, HasSubstr("<feed xmlns=\"urn:ijro-hub:feed:1\""));
  EXPECT_THAT(xml, HasSubstr("\n  <title>"));

  auto doc = parseDocument(xml, "written");
  xmlNode* root = xmlDocGetRootElement(doc.get());
  ASSERT_NE(root, nullptr);
  EXPECT_STREQ(reinterpret_cast<const char*>(root->ns->href), "urn:ijro-hub:feed:1");
  EXPECT_EQ(attr(root, "hub"), "tashkent <&> \"city\"\n'2'");
  xmlNode* title = xmlFirstElementChild(root);
  EXPECT_EQ(content(title), "Sog'liqni saqlash & <ta'lim> — Тошкент\nline 2");
}

TEST(XmlWriter, RefusesTextXmlCannotCarry) {
  Writer w;
  w.startElement("report");
  w.startElement("note");
  try {
    w.text(std::string("bell\x07"));
    ADD_FAILURE() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("<note>"));
    EXPECT_THAT(e.what(), HasSubstr("U+0007"));
  }
  w.endElement();
  EXPECT_THROW(w.attribute("a", "\xC3\x28"), std::invalid_argument);
  EXPECT_THROW(w.attribute("a", "\xEF\xBF\xBE"), std::invalid_argument);  // U+FFFE
}

// Values are checked while they are escaped: one refused part-way leaves nothing of itself
// behind, and the element it was meant for can still take attributes.
TEST(XmlWriter, ARefusedValueLeavesTheDocumentAsItWas) {
  Writer w(false);
  w.startElement("a");
  w.attribute("x", "1 < 2");
  EXPECT_THROW(w.attribute("bad", "fine & well, then \x01"), std::invalid_argument);
  EXPECT_THROW(w.text("fine & well, then \xC3\x28"), std::invalid_argument);
  EXPECT_THROW(w.text("\xF4\x90\x80\x80"), std::invalid_argument);  // beyond U+10FFFF
  w.attribute("y", "\xD0\x9E\xD0\xB7");
  w.text("t\xC3\xA9");
  EXPECT_THROW(w.text(">\xED\xA0\x80"), std::invalid_argument);  // a surrogate
  w.endElement();
  EXPECT_EQ(w.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=\"1 &lt; 2\" "
            "y=\"\xD0\x9E\xD0\xB7\">t\xC3\xA9</a>\n");
}

TEST(XmlWriter, UnusableAfterFinish) {
  Writer w(false);
  w.startElement("a");
  const std::string xml = w.finish();
  EXPECT_THAT(xml, HasSubstr("<a/>"));
  EXPECT_THROW(w.startElement("b"), std::logic_error);
  EXPECT_THROW(w.finish(), std::logic_error);
}

TEST(XmlWriter, RefusesMisuseByName) {
  Writer w;
  w.startElement("report");
  w.text("content");
  EXPECT_THROW(w.attribute("late", "x"), std::logic_error);
  w.endElement();
  EXPECT_THROW(w.endElement(), std::logic_error);
  EXPECT_THROW(w.text("outside"), std::logic_error);
  EXPECT_THROW(w.startElement(""), std::logic_error);
}

// The document the writer makes is, byte for byte, what libxml2's xmlTextWriter makes from the
// same calls with indentation "  ": documents and exchange files stay the same bytes as before
// the writer wrote them itself. Random calls (seeded) over values holding every character the
// writer escapes, in both modes, taken in parts.
struct Reference {
  std::string out;
  xmlTextWriterPtr w = nullptr;
  explicit Reference(bool indent) {
    xmlOutputBufferPtr buf = xmlOutputBufferCreateIO(
        [](void* c, const char* b, int n) {
          static_cast<std::string*>(c)->append(b, static_cast<std::size_t>(n));
          return n;
        },
        nullptr, &out, nullptr);
    w = xmlNewTextWriter(buf);
    if (indent) {
      xmlTextWriterSetIndent(w, 1);
      xmlTextWriterSetIndentString(w, reinterpret_cast<const xmlChar*>("  "));
    }
    xmlTextWriterStartDocument(w, "1.0", "UTF-8", nullptr);
  }
  ~Reference() { xmlFreeTextWriter(w); }
  static const xmlChar* c(const std::string& s) {
    return reinterpret_cast<const xmlChar*>(s.c_str());
  }
  std::string finish() {
    xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    w = nullptr;
    return out;
  }
};

TEST(XmlWriter, WritesTheBytesLibxml2sTextWriterWrites) {
  std::mt19937 rng(20261203);
  const std::vector<std::string> pieces = {"a",  "<", ">",       "&", "\"", "'",   "\n",   "\t",
                                           "\r", " ", "Тошкент", "—", "𝄞",  "]]>", "&amp;"};
  auto value = [&](unsigned most) {
    std::string s;
    for (unsigned i = rng() % most; i > 0; --i) s += pieces[rng() % pieces.size()];
    return s;
  };
  const std::vector<std::string> names = {"feed", "implementation", "t", "rollups"};
  for (int doc = 0; doc < 3000; ++doc) {
    const bool indent = doc % 4 != 0;
    Reference ref(indent);
    Writer w(indent);
    std::string ours;
    int depth = 0;
    bool attributesAllowed = false;
    for (unsigned op = rng() % 40; op > 0; --op) {
      const unsigned kind = rng() % 6;
      if (kind == 0 || depth == 0) {
        const std::string name = names[rng() % names.size()];
        const std::string ns = rng() % 5 == 0 ? value(3) : std::string();
        xmlTextWriterStartElement(ref.w, Reference::c(name));
        if (!ns.empty())
          xmlTextWriterWriteAttribute(ref.w, Reference::c("xmlns"), Reference::c(ns));
        w.startElement(name, ns);
        ++depth;
        attributesAllowed = true;
      } else if (kind == 1 && attributesAllowed) {
        const std::string v = value(5);
        xmlTextWriterWriteAttribute(ref.w, Reference::c("k"), Reference::c(v));
        w.attribute("k", v);
      } else if (kind == 2) {
        const std::string v = value(5);
        xmlTextWriterWriteString(ref.w, Reference::c(v));
        w.text(v);
        attributesAllowed = false;
      } else if (kind == 3) {
        xmlTextWriterEndElement(ref.w);
        w.endElement();
        --depth;
        attributesAllowed = false;
      } else if (kind == 4) {
        const std::string v = value(4);
        xmlTextWriterWriteElement(ref.w, Reference::c("t"), Reference::c(v));
        w.textElement("t", v);
        attributesAllowed = false;
      } else {
        ours += w.take();
      }
    }
    ours += w.finish();
    ASSERT_EQ(ours, ref.finish()) << "document " << doc;
  }
}

// Whatever the values hold, the document parses back (with the hub's own safe reader) to the
// same attribute values and text.
TEST(XmlWriter, EveryValueReadsBackAsWritten) {
  std::mt19937 rng(7);
  const std::string alphabet = "ab <>&\"'\n\t\r;#x";
  for (int doc = 0; doc < 500; ++doc) {
    std::string a, t;
    for (unsigned i = rng() % 20; i > 0; --i) a += alphabet[rng() % alphabet.size()];
    for (unsigned i = rng() % 20; i > 0; --i) t += alphabet[rng() % alphabet.size()];
    a += "Ўзбекистон";
    Writer w(doc % 2 == 0);
    w.startElement("r");
    w.attribute("a", a);
    w.textElement("t", t);
    auto parsed = parseDocument(w.finish(), "written");
    xmlNode* root = xmlDocGetRootElement(parsed.get());
    ASSERT_NE(root, nullptr);
    EXPECT_EQ(attr(root, "a"), a);
    EXPECT_EQ(content(xmlFirstElementChild(root)), t);
  }
}

}  // namespace
}  // namespace ijro::xml
