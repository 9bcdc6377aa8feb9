// The SDK's safe XML reader (sdk/tables/xml_reader.hpp), as adapters reading XML exports use it:
// elements and attributes, the line an element starts on for messages, and a DOCTYPE refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <tables/start_tags.hpp>
#include <tables/xml_reader.hpp>

namespace ijro::tables {
namespace {

using ::testing::HasSubstr;

TEST(XmlReader, EachElementIsFoundWithItsAttributesAndTheLineItStartsOn) {
  std::string xml = "<export as_of=\"2026-11-30\">\n";
  for (int i = 1; i <= 200; ++i)
    xml += "  <receipt n=\"" + std::to_string(i) + "\" note=\"" + std::string(40, 'x') + "\"/>\n";
  xml += "</export>\n";
  XmlReader r(xml, "export.xml", 1 << 20, 16);
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.name(), "export");
  EXPECT_EQ(r.attribute("as_of"), "2026-11-30");
  EXPECT_EQ(r.elementLine(), 1);
  int seen = 0;
  while (r.next()) {
    if (!r.isStart() || r.name() != "receipt") continue;
    ++seen;
    // The element's own line, whatever the parser has read ahead.
    EXPECT_EQ(r.elementLine(), seen + 1) << "receipt " << seen;
    EXPECT_EQ(r.attribute("n"), std::to_string(seen));
  }
  EXPECT_EQ(seen, 200);
}

TEST(XmlReader, ADoctypeIsRefusedNamingThePart) {
  const std::string xml =
      "<!DOCTYPE x [<!ENTITY e \"boom\">]>\n<export><receipt n=\"&e;\"/></export>\n";
  try {
    XmlReader r(xml, "export.xml", 1 << 20, 16);
    while (r.next()) {
    }
    FAIL() << "a DOCTYPE was read";
  } catch (const TableError& e) {
    EXPECT_THAT(e.what(), HasSubstr("export.xml"));
    EXPECT_THAT(e.what(), HasSubstr("DOCTYPE"));
  }
}

// A start tag of 100,000 attributes (libxml2 would spend seconds of CPU on its duplicate checks)
// is refused from the raw bytes, before the parser starts, naming the element; a comment, a
// CDATA section or quoted '>' do not confuse the count, and a workbook's root with its namespace
// declarations passes.
TEST(XmlReader, AStartTagWithTooManyAttributesIsRefusedBeforeTheParserStarts) {
  std::string crowded = "<worksheet><sheetData><x:row";
  for (int i = 0; i < 100000; ++i) crowded += " a" + std::to_string(i) + "=\"1\"";
  crowded += "/></sheetData></worksheet>";
  try {
    XmlReader r(crowded, "xl/worksheets/sheet1.xml", 64 << 20, 16);
    ADD_FAILURE() << "the reader started";
  } catch (const TableError& e) {
    EXPECT_THAT(e.what(), HasSubstr("xl/worksheets/sheet1.xml: element <row> has 100000 "
                                    "attributes, more than the 256"));
  }
  std::string fine =
      "<worksheet xmlns=\"urn:a\" xmlns:r=\"urn:b\" xmlns:mc=\"urn:c\"><!-- a=\"1\" b='2' -->"
      "<c r=\"A1\" s='>'><![CDATA[ \" \" \" ]]></c></worksheet>";
  XmlReader r(fine, "fine.xml", 1 << 20, 16);
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.name(), "worksheet");
  const auto at = findCrowdedStartTag(fine, 3);
  EXPECT_FALSE(at.has_value());
  const auto over = findCrowdedStartTag(fine, 2);
  ASSERT_TRUE(over.has_value());
  EXPECT_EQ(over->element, "worksheet");
  EXPECT_EQ(over->attributes, 3u);
  EXPECT_EQ(over->offset, 0u);
}

}  // namespace
}  // namespace ijro::tables
