// The SDK's safe XML reader (sdk/tables/xml_reader.hpp), as adapters reading XML exports use it:
// elements and attributes, the line an element starts on for messages, and a DOCTYPE refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
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

}  // namespace
}  // namespace ijro::tables
