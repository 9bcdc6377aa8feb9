#include "hub/xml/schema.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/test_support.hpp"

namespace ijro::xml {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string samplePath() {
  return (test::sourceDir() / "tests/data/xml/sample.xsd").string();
}

TEST(XmlSchema, ValidDocumentHasNoViolations) {
  Schema schema(samplePath());
  auto doc = parseDocument(
      "<doc xmlns='urn:ijro-hub:test:1'>\n  <item count='2'>a</item>\n  <item count='0'/>\n</doc>",
      "ok.xml");
  EXPECT_TRUE(schema.validate(doc.get(), "ok.xml").empty());
}

TEST(XmlSchema, ViolationsCarryNameAndLine) {
  Schema schema(samplePath());
  auto doc = parseDocument(
      "<doc xmlns='urn:ijro-hub:test:1'>\n"
      "  <item count='2'>a</item>\n"
      "  <item count='-1'>b</item>\n"
      "  <item>c</item>\n"
      "  <other/>\n"
      "</doc>",
      "bad.xml");
  auto errors = schema.validate(doc.get(), "bad.xml");
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_THAT(errors[0], StartsWith("bad.xml:3: "));
  EXPECT_THAT(errors[0], HasSubstr("count"));
  EXPECT_THAT(errors[1], StartsWith("bad.xml:4: "));
  EXPECT_THAT(errors[1], HasSubstr("count"));
  EXPECT_THAT(errors[2], StartsWith("bad.xml:5: "));
  EXPECT_THAT(errors[2], HasSubstr("other"));
}

TEST(XmlSchema, WrongNamespaceIsAViolation) {
  Schema schema(samplePath());
  auto doc = parseDocument("<doc><item count='1'/></doc>", "nons.xml");
  auto errors = schema.validate(doc.get(), "nons.xml");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], StartsWith("nons.xml:1: "));
}

TEST(XmlSchema, MissingOrBrokenSchemaThrows) {
  EXPECT_THROW(Schema("/nonexistent/schema.xsd"), XmlError);
  // A well-formed document that is not a schema.
  const auto path = (std::filesystem::temp_directory_path() /
                     ("ijro-broken-" + std::to_string(::getpid()) + ".xsd"))
                        .string();
  {
    std::ofstream out(path);
    out << "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'><xs:element/></xs:schema>";
  }
  ::testing::internal::CaptureStderr();
  try {
    Schema s(path);
    ADD_FAILURE() << "expected an XmlError";
  } catch (const XmlError& e) {
    EXPECT_THAT(e.reason, HasSubstr("invalid XML schema"));
    EXPECT_EQ(e.document, path);
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace ijro::xml
