#include "hub/xml/writer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <libxml/tree.h>

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

TEST(XmlWriter, UnusableAfterFinish) {
  Writer w(false);
  w.startElement("a");
  const std::string xml = w.finish();
  EXPECT_THAT(xml, HasSubstr("<a/>"));
  EXPECT_THROW(w.startElement("b"), std::logic_error);
  EXPECT_THROW(w.finish(), std::logic_error);
}

}  // namespace
}  // namespace ijro::xml
