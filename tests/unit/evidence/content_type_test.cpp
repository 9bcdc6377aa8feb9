// Detection of an evidence file's type from its content: signatures, and Office documents by the
// parts their ZIP package names.
#include "hub/evidence/content_type.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "evidence_files.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::evidence {
namespace {

namespace fs = std::filesystem;

DetectedType detectBytes(const std::string& bytes) {
  static const auto dir = test::tempDir("sniff");
  const auto p = dir / "file";
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
  return detectType(p);
}

TEST(ContentType, SignaturesAreRecognised) {
  EXPECT_EQ(detectBytes(test::pdfBytes()).mediaType, kPdf);
  EXPECT_EQ(detectBytes(test::pngBytes()).mediaType, kPng);
  EXPECT_EQ(detectBytes(test::jpegBytes()).mediaType, kJpeg);
}

TEST(ContentType, OfficeDocumentsAreToldApartByTheirParts) {
  EXPECT_EQ(detectBytes(test::docxBytes()).mediaType, kDocx);
  EXPECT_EQ(detectBytes(test::xlsxBytes()).mediaType, kXlsx);
  // A ZIP without the package's [Content_Types].xml is no Office document, even with the part.
  EXPECT_EQ(detectBytes(test::zipBytes({"word/document.xml"})).mediaType, kZip);
  EXPECT_EQ(detectBytes(test::zipBytes({"[Content_Types].xml", "ppt/presentation.xml"})).mediaType,
            kZip);
}

TEST(ContentType, TruncatedOrCorruptZipIsOnlyAZip) {
  auto docx = test::docxBytes();
  EXPECT_EQ(detectBytes(docx.substr(0, docx.size() - 10)).mediaType, kZip);
  // The end record points outside the file.
  auto broken = docx;
  broken[broken.size() - 6] = '\x7f';
  EXPECT_EQ(detectBytes(broken).mediaType, kZip);
}

TEST(ContentType, AnythingElseIsUnrecognisedAndSaysWhatItStartsWith) {
  const auto html = detectBytes("<html><body>not a pdf</body></html>");
  EXPECT_EQ(html.mediaType, "");
  EXPECT_NE(html.description.find("3c 68 74 6d"), std::string::npos) << html.description;
  EXPECT_EQ(detectBytes("").description, "an empty file");
  EXPECT_EQ(detectBytes("%PD").mediaType, "");
}

TEST(ContentType, MediaTypeOfAHeaderIsLowerCaseWithoutParameters) {
  EXPECT_EQ(mediaTypeOf(" Application/PDF ; name=x.pdf"), "application/pdf");
  EXPECT_EQ(mediaTypeOf("image/png"), "image/png");
  EXPECT_EQ(mediaTypeOf(""), "");
}

}  // namespace
}  // namespace ijro::evidence
