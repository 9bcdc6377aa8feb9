#include "hub/xml/safe_reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/test_support.hpp"

namespace ijro::xml {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string fixture(const std::string& name) {
  return test::readFile(test::sourceDir() / "tests/data/xml" / name);
}

// Reads the whole document; returns the XmlError it raised (fails the test when none).
XmlError readError(std::string_view bytes, const Limits& limits = {}) {
  try {
    Reader r(bytes, "doc.xml", limits);
    while (r.read()) {
    }
  } catch (const XmlError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an XmlError";
  return XmlError("none", "", 0, 0);
}

XmlError domError(std::string_view bytes, const Limits& limits = {}) {
  try {
    parseDocument(bytes, "doc.xml", limits);
  } catch (const XmlError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an XmlError";
  return XmlError("none", "", 0, 0);
}

std::string nested(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "<a>";
  for (int i = 0; i < depth; ++i) s += "</a>";
  return s;
}

TEST(XmlSafeReader, ReadsWellFormedDocument) {
  const std::string doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<!-- comment -->\n"
      "<r:report xmlns:r=\"urn:x\" source=\"tashkent-city\">\n"
      "  <r:title>Toshkent shahri &amp; <![CDATA[Тошкент]]></r:title>\n"
      "  <r:empty a=\"1\"/>\n"
      "</r:report>\n";
  Reader r(doc, "doc.xml");
  ASSERT_TRUE(r.read());
  while (r.nodeType() != XML_READER_TYPE_ELEMENT) ASSERT_TRUE(r.read());
  EXPECT_EQ(r.localName(), "report");
  EXPECT_EQ(r.namespaceUri(), "urn:x");
  EXPECT_EQ(r.depth(), 0);
  EXPECT_EQ(r.line(), 3);
  EXPECT_EQ(r.column(), 1);
  EXPECT_EQ(r.attribute("source"), "tashkent-city");
  EXPECT_EQ(r.attribute("missing"), std::nullopt);
  auto attrs = r.attributes();
  ASSERT_EQ(attrs.size(), 1u);  // the xmlns:r declaration is not an attribute
  EXPECT_EQ(attrs[0].localName, "source");
  EXPECT_EQ(attrs[0].value, "tashkent-city");

  while (r.read() && r.nodeType() != XML_READER_TYPE_ELEMENT) {
  }
  EXPECT_EQ(r.localName(), "title");
  EXPECT_EQ(r.line(), 4);
  EXPECT_EQ(r.column(), 3);
  EXPECT_EQ(r.readText(), "Toshkent shahri & Тошкент");
  EXPECT_EQ(r.nodeType(), XML_READER_TYPE_END_ELEMENT);

  while (r.read() && r.nodeType() != XML_READER_TYPE_ELEMENT) {
  }
  EXPECT_EQ(r.localName(), "empty");
  EXPECT_TRUE(r.isEmptyElement());
  EXPECT_EQ(r.readText(), "");
  EXPECT_EQ(r.localName(), "empty");  // still on the empty element
  int ends = 0;
  while (r.read())
    if (r.nodeType() == XML_READER_TYPE_END_ELEMENT) ++ends;
  EXPECT_EQ(ends, 1);
}

TEST(XmlSafeReader, AmpersandsInAttributeValuesAreReadAsWritten) {
  // libxml2 hands a SAX reader each '&' of an attribute value as "&#38;": the reader turns it
  // back, and leaves a "&#38;" that the document itself spelled out alone.
  const std::string doc =
      "<a p='x &amp; y' q='&#38;&#x26;' r='&amp;#38;' s='&lt;&gt;&quot;&apos;' t='a&#10;b'/>";
  Reader r(doc, "doc.xml");
  ASSERT_TRUE(r.read());
  EXPECT_EQ(r.attribute("p"), "x & y");
  EXPECT_EQ(r.attribute("q"), "&&");
  EXPECT_EQ(r.attribute("r"), "&#38;");
  EXPECT_EQ(r.attribute("s"), "<>\"'");
  EXPECT_EQ(r.attribute("t"), "a\nb");
  const auto attrs = r.attributes();
  ASSERT_EQ(attrs.size(), 5u);
  EXPECT_EQ(attrs[2].value, "&#38;");
}

TEST(XmlSafeReader, DocumentsLongerThanOnePartReadWhole) {
  // The parser is given the bytes 64 KiB at a time: elements, attributes and texts that cross a
  // boundary arrive whole, and a text of several parts is one node.
  std::string doc = "<r>";
  for (int i = 0; i < 5000; ++i)
    doc += "<e n='" + std::to_string(i) + "'>text " + std::to_string(i) + " &amp; more</e>\n";
  const std::string longText(200000, 'x');
  doc += "<long>" + longText + "&amp;" + longText + "</long><empty></empty><closed/></r>";
  ASSERT_GT(doc.size(), 4u * 65536);
  Reader r(doc, "doc.xml");
  int elements = 0;
  std::string longRead;
  bool emptyHadEnd = false, closedHadEnd = false;
  std::string last;
  while (r.read()) {
    if (r.nodeType() == XML_READER_TYPE_ELEMENT && r.localName() == "e") {
      EXPECT_EQ(r.attribute("n"), std::to_string(elements));
      EXPECT_EQ(r.line(), elements + 1);
      const std::string want = "text " + std::to_string(elements) + " & more";
      EXPECT_EQ(r.readText(), want);
      ++elements;
    } else if (r.nodeType() == XML_READER_TYPE_ELEMENT && r.localName() == "long") {
      ASSERT_TRUE(r.read());
      EXPECT_EQ(r.nodeType(), XML_READER_TYPE_TEXT);
      longRead = r.value();
    } else if (r.nodeType() == XML_READER_TYPE_END_ELEMENT) {
      emptyHadEnd = emptyHadEnd || r.localName() == "empty";
      closedHadEnd = closedHadEnd || r.localName() == "closed";
      last = r.localName();
    }
  }
  EXPECT_EQ(elements, 5000);
  EXPECT_EQ(longRead, longText + "&" + longText);
  EXPECT_TRUE(emptyHadEnd);    // <empty></empty> has an end tag
  EXPECT_FALSE(closedHadEnd);  // <closed/> has none
  EXPECT_EQ(last, "r");
}

TEST(XmlSafeReader, NulBytesRefused) {
  auto e = readError(std::string("<a>\nx\0</a>", 9));
  EXPECT_THAT(e.reason, HasSubstr("a NUL byte (byte 6 of the document) is not allowed"));
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 2);
  // UTF-16 without a byte order mark is refused, not guessed.
  EXPECT_THAT(readError(std::string("<\0a\0/\0>\0", 8)).reason, HasSubstr("send it as UTF-8"));
}

TEST(XmlSafeReader, SkipElementLeavesReaderOnEndTag) {
  const std::string doc = "<a><b><c>x</c><c/></b><d>y</d></a>";
  Reader r(doc, "doc.xml");
  ASSERT_TRUE(r.read());  // a
  ASSERT_TRUE(r.read());  // b
  EXPECT_EQ(r.localName(), "b");
  r.skipElement();
  EXPECT_EQ(r.nodeType(), XML_READER_TYPE_END_ELEMENT);
  EXPECT_EQ(r.localName(), "b");
  ASSERT_TRUE(r.read());
  EXPECT_EQ(r.localName(), "d");
}

TEST(XmlSafeReader, BillionLaughsRefusedBecauseOfDoctype) {
  const auto start = std::chrono::steady_clock::now();
  auto e = readError(fixture("billion-laughs.xml"));
  EXPECT_THAT(e.reason, HasSubstr("DOCTYPE is not allowed"));
  EXPECT_THAT(e.reason, HasSubstr("remove the <!DOCTYPE ...> declaration"));
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 1);
  EXPECT_THAT(e.what(), HasSubstr("doc.xml:2:1: "));
  EXPECT_THAT(domError(fixture("billion-laughs.xml")).reason, HasSubstr("DOCTYPE"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(XmlSafeReader, ExternalEntityNeverResolved) {
  for (const char* name : {"xxe-file.xml", "xxe-parameter.xml", "doctype-external.xml"}) {
    SCOPED_TRACE(name);
    const std::string doc = fixture(name);
    auto e = readError(doc);
    EXPECT_THAT(e.reason, HasSubstr("DOCTYPE is not allowed"));
    EXPECT_THAT(e.what(), Not(HasSubstr("root:")));
    auto d = domError(doc);
    EXPECT_THAT(d.reason, HasSubstr("DOCTYPE is not allowed"));
    EXPECT_THAT(d.what(), Not(HasSubstr("root:")));
  }
  // After comments and processing instructions too.
  EXPECT_EQ(readError(fixture("doctype-external.xml")).line, 4);
}

TEST(XmlSafeReader, AnyDoctypeRefused) {
  for (const std::string& doc :
       {std::string("<!DOCTYPE a><a/>"),
        std::string("\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!DOCTYPE a []>\n<a/>"),
        std::string("<!-- c --><!DOCTYPE a PUBLIC \"-//x//y\" \"y.dtd\"><a/>")}) {
    SCOPED_TRACE(doc);
    EXPECT_THAT(readError(doc).reason, HasSubstr("DOCTYPE is not allowed"));
    EXPECT_THAT(domError(doc).reason, HasSubstr("DOCTYPE is not allowed"));
  }
}

TEST(XmlSafeReader, XIncludeIsNotProcessed) {
  auto doc = parseDocument(fixture("xinclude.xml"), "xinclude.xml");
  xmlChar* content = xmlNodeGetContent(xmlDocGetRootElement(doc.get()));
  const std::string text = reinterpret_cast<const char*>(content);
  xmlFree(content);
  EXPECT_THAT(text, Not(HasSubstr("root:")));
}

TEST(XmlSafeReader, EntityReferencesWithoutDoctypeAreErrors) {
  auto e = readError("<a>&undefined;</a>");
  EXPECT_THAT(e.reason, HasSubstr("not well-formed XML"));
  EXPECT_THAT(e.reason, HasSubstr("undefined"));
}

TEST(XmlSafeReader, DeepNestingRefusedWithoutStackOverflow) {
  const std::string doc = nested(10000);
  auto e = readError(doc);
  EXPECT_THAT(e.reason, HasSubstr("nesting deeper than 64 elements"));
  EXPECT_THAT(e.reason, Not(HasSubstr("HUGE")));
  EXPECT_EQ(e.line, 1);
  EXPECT_EQ(e.column, 1 + 64 * 3);  // the 65th <a>
  auto d = domError(doc);
  EXPECT_THAT(d.reason, HasSubstr("nesting deeper than 64 elements"));
}

TEST(XmlSafeReader, DepthLimitIsExact) {
  Limits limits;
  limits.maxDepth = 5;
  const std::string five = nested(5);
  EXPECT_NO_THROW({
    Reader r(five, "doc.xml", limits);
    while (r.read()) {
    }
  });
  EXPECT_THAT(readError(nested(6), limits).reason, HasSubstr("nesting deeper than 5 elements"));
}

TEST(XmlSafeReader, OverSizeRefusedBeforeParsing) {
  Limits limits;
  limits.maxBytes = 100;
  const std::string doc = "<a>" + std::string(200, 'x') + "</a>";
  auto e = readError(doc, limits);
  EXPECT_THAT(e.reason, HasSubstr("207 bytes, over the limit of 100 bytes"));
  EXPECT_THAT(domError(doc, limits).reason, HasSubstr("over the limit of 100 bytes"));
  // Even garbage is refused for its size first.
  EXPECT_THAT(readError(std::string(101, '<'), limits).reason, HasSubstr("over the limit"));
}

TEST(XmlSafeReader, TooManyAttributesRefused) {
  std::string doc = "<a>\n  <b";
  for (int i = 0; i < 33; ++i) doc += " x" + std::to_string(i) + "=\"1\"";
  doc += "/>\n</a>";
  auto e = readError(doc);
  EXPECT_THAT(e.reason, HasSubstr("<b> has 33 attributes, over the limit of 32"));
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 3);
}

// A start tag with a huge number of attributes: libxml2 spends seconds of CPU on it (its
// duplicate checks grow with the square of the count) before the reader sees the element, so the
// limit is applied to the bytes first. Without the pre-scan (measured on the ASan build with
// Debian's libxml2 2.9.14): 20,000 attributes took 2.5 s, 50,000 took 23 s; 200,000 would take
// minutes. With it, 200,000 are refused in about 0.1 s.
std::string manyAttributes(int count, const std::string& prefix) {
  std::string doc = "<r>\n <big";
  doc.reserve(static_cast<std::size_t>(count) * 16);
  for (int i = 0; i < count; ++i) doc += " " + prefix + std::to_string(i) + "=\"v\"";
  doc += "/>\n</r>";
  return doc;
}

TEST(XmlSafeReader, HugeAttributeCountRefusedQuicklyBeforeParsing) {
  const std::string doc = manyAttributes(200000, "a");
  const auto start = std::chrono::steady_clock::now();
  auto e = readError(doc);
  auto d = domError(doc);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(e.reason, HasSubstr("element <big> has 200000 attributes"));
  EXPECT_THAT(e.reason, HasSubstr("over the limit of 32 (namespace declarations count as "
                                  "attributes): remove the ones that are not needed"));
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 2);
  EXPECT_THAT(d.reason, HasSubstr("has 200000 attributes"));
  // A generous bound (two whole refusals, under ASan): the point is "not seconds of libxml2".
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), 2000);
}

TEST(XmlSafeReader, HugeNamespaceDeclarationCountRefusedQuicklyBeforeParsing) {
  const std::string doc = manyAttributes(200000, "xmlns:p");
  const auto start = std::chrono::steady_clock::now();
  auto e = readError(doc);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(e.reason, HasSubstr("<big> has 200000 attributes, over the limit of 32 (namespace"));
  EXPECT_EQ(e.line, 2);
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), 2000);
}

TEST(XmlSafeReader, AttributePrescanLeavesOrdinaryDocumentsAlone) {
  // 32 attributes (the limit) with quotes of the other kind and '>' inside values, a prefixed
  // element, comments/PIs/CDATA holding quotes: all read, values intact.
  std::string doc =
      "<?xml version='1.0'?><!-- \"'\" --><p:r xmlns:p='urn:p'><?pi \"?><![CDATA[ ' ]]>";
  doc += "<b";
  for (int i = 0; i < 31; ++i) doc += " x" + std::to_string(i) + "='a\">b'";
  doc += " last=\"it's\">t</b></p:r>";
  Reader r(doc, "doc.xml");
  std::size_t attributes = 0;
  std::string last;
  while (r.read())
    if (r.nodeType() == XML_READER_TYPE_ELEMENT && r.localName() == "b") {
      attributes = r.attributes().size();
      last = r.attribute("last").value_or("");
    }
  EXPECT_EQ(attributes, 32u);
  EXPECT_EQ(last, "it's");
  Limits limits;
  limits.maxAttributes = 31;
  EXPECT_THAT(readError(doc, limits).reason, HasSubstr("<b> has 32 attributes"));
}

TEST(XmlSafeReader, ErrorColumnFindsTheRightStartTag) {
  // Start tags inside comments and CDATA, and '>' inside attribute values, do not count.
  const std::string doc =
      "<r>\n<!-- <b x1='1' x2='2' x3='3'> -->\n<![CDATA[<b>]]>\n<a t='>'/><b\n  x1='1' x2='2' "
      "x3='3'/></r>";
  Limits limits;
  limits.maxAttributes = 2;
  auto e = readError(doc, limits);
  EXPECT_THAT(e.reason, HasSubstr("<b> has 3 attributes"));
  EXPECT_EQ(e.line, 4);
  EXPECT_EQ(e.column, 11);
}

TEST(XmlSafeReader, LongTextAndAttributeValuesRefused) {
  Limits limits;
  limits.maxTextBytes = 10;
  EXPECT_THAT(readError("<a>" + std::string(11, 'x') + "</a>", limits).reason,
              HasSubstr("text node of 11 bytes is over the limit of 10 bytes"));
  EXPECT_THAT(readError("<a v=\"" + std::string(11, 'x') + "\"/>", limits).reason,
              HasSubstr("attribute v of <a> is 11 bytes"));
}

TEST(XmlSafeReader, InvalidUtf8Refused) {
  auto e = readError(fixture("invalid-utf8.xml"));
  EXPECT_THAT(e.reason, HasSubstr("invalid UTF-8"));
  EXPECT_THAT(e.reason, HasSubstr("must be encoded as UTF-8"));
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.column, 19);
  // Overlong encodings and surrogates are not UTF-8 either.
  EXPECT_THAT(readError("<a>\xC0\xAF</a>").reason, HasSubstr("invalid UTF-8"));
  EXPECT_THAT(readError("<a>\xED\xA0\x80</a>").reason, HasSubstr("invalid UTF-8"));
  EXPECT_THAT(readError(std::string("\xFF\xFE<\0a\0/\0>\0", 10)).reason, HasSubstr("UTF-16"));
}

TEST(XmlSafeReader, OtherDeclaredEncodingsRefused) {
  auto e = readError(fixture("latin1.xml"));
  // The byte 0xE9 is not UTF-8, so the bytes are refused first.
  EXPECT_THAT(e.reason, HasSubstr("invalid UTF-8"));
  auto d = readError("<?xml version=\"1.0\" encoding=\"windows-1251\"?><a>ok</a>");
  EXPECT_THAT(d.reason, HasSubstr("\"windows-1251\" is not accepted"));
  EXPECT_NO_THROW(parseDocument("<?xml version='1.0' encoding='utf-8'?><a/>", "doc.xml"));
}

TEST(XmlSafeReader, NotWellFormedReportsLineAndColumn) {
  auto e = readError(fixture("not-well-formed.xml"));
  EXPECT_THAT(e.reason, HasSubstr("not well-formed XML"));
  EXPECT_THAT(e.reason, HasSubstr("region"));
  EXPECT_EQ(e.line, 4);
  EXPECT_GT(e.column, 0);
  EXPECT_THAT(e.what(), HasSubstr("doc.xml:4:"));
  auto d = domError(fixture("not-well-formed.xml"));
  EXPECT_EQ(d.line, 4);
  EXPECT_THAT(readError("").reason, HasSubstr("empty"));
  EXPECT_THAT(readError("<a>\n<b>\n</a>").line, 3);
  EXPECT_THAT(readError("<a/><b/>").reason, HasSubstr("not well-formed"));
  EXPECT_THAT(readError("<a xmlns:p='urn:p'><q:b/></a>").reason, HasSubstr("q"));
}

TEST(XmlSafeReader, LibxmlMessagesAreNotPrinted) {
  ::testing::internal::CaptureStderr();
  readError(fixture("not-well-formed.xml"));
  readError("<a><b></a>");
  readError("<a xmlns:p='urn:p'><q:b/></a>");
  domError("<a><b></a>");
  const std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(printed, "");
}

TEST(XmlSafeReader, ErrorsStayWithTheirOwnParseAcrossThreads) {
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &wrong] {
      const std::string tag = "t" + std::to_string(t);
      const std::string bad = "<" + tag + ">\n<x>\n</" + tag + ">";
      for (int i = 0; i < 200; ++i) {
        try {
          Reader r(bad, tag);
          while (r.read()) {
          }
          ++wrong;
        } catch (const XmlError& e) {
          if (e.document != tag || e.reason.find(tag) == std::string::npos || e.line != 3) ++wrong;
        }
        Reader ok("<ok a='1'>text</ok>", tag);
        while (ok.read()) {
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(XmlSafeReader, ParseDocumentKeepsLineNumbers) {
  auto doc = parseDocument(
      "<?xml version='1.0'?>\n<config>\n\n  <store url='sqlite:x.db'/>\n</config>\n", "hub.xml");
  xmlNode* root = xmlDocGetRootElement(doc.get());
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(xmlGetLineNo(root), 2);
  xmlNode* store = xmlFirstElementChild(root);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(xmlGetLineNo(store), 4);
  EXPECT_EQ(doc->intSubset, nullptr);
}

}  // namespace
}  // namespace ijro::xml
