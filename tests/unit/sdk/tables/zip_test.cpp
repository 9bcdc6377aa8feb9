// Zip archives with limits (sdk/tables/zip.hpp): entries listed and read from a file or memory;
// a zip bomb, an entry or archive too large, zip-slip names and encrypted entries refused, each
// refusal naming the entry and the limit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <tables/zip.hpp>

#include "tests/support/test_support.hpp"
#include "tests/unit/sdk/tables/zip_builder.hpp"

namespace ijro::tables {
namespace {

using test::buildZip;
using test::ZipSpec;
using ::testing::AllOf;
using ::testing::HasSubstr;

std::string refusal(ZipArchive& zip, const std::string& entry) {
  try {
    zip.read(entry);
  } catch (const ZipError& e) {
    EXPECT_EQ(e.entry(), entry);
    return e.what();
  }
  return "";
}

TEST(ZipArchive, ListsAndReadsEntriesFromAFileAndFromMemory) {
  auto dir = ijro::test::tempDir("zip-read");
  const std::string bytes = buildZip(
      dir / "a.zip", {{"manifest.csv", "a,b\n1,2\n"}, {"data/orgs.csv", "x\n"}, {"data/", ""}});
  std::vector<ZipArchive> zips;
  zips.push_back(ZipArchive::openFile(dir / "a.zip"));
  zips.push_back(ZipArchive::openMemory(bytes, "a.zip"));
  for (auto& zip : zips) {
    ASSERT_EQ(zip.entries().size(), 3u);
    EXPECT_EQ(zip.entries()[0].name, "manifest.csv");
    EXPECT_EQ(zip.entries()[0].size, 8u);
    EXPECT_TRUE(zip.entries()[2].directory);
    EXPECT_TRUE(zip.contains("data/orgs.csv"));
    EXPECT_EQ(zip.read("manifest.csv"), "a,b\n1,2\n");
    EXPECT_EQ(zip.read("data/orgs.csv"), "x\n");
    EXPECT_EQ(zip.expandedSoFar(), 10u);
    EXPECT_THAT(refusal(zip, "missing.csv"), HasSubstr("a.zip: the archive has no entry"));
  }
}

TEST(ZipArchive, RefusesAZipBombByItsExpansionRatio) {
  // 200 MiB of zeros deflate to about 200 KiB: a ratio near 1000.
  auto dir = ijro::test::tempDir("zip-bomb");
  buildZip(dir / "bomb.xlsx", {{"xl/worksheets/sheet1.xml", "", 200ull << 20}});
  auto zip = ZipArchive::openFile(dir / "bomb.xlsx");
  ASSERT_EQ(zip.entries()[0].size, 200ull << 20);
  EXPECT_THAT(refusal(zip, "xl/worksheets/sheet1.xml"),
              AllOf(HasSubstr("bomb.xlsx: the entry \"xl/worksheets/sheet1.xml\" expands"),
                    HasSubstr("more than the ratio of 200 allowed")));
  // Refused while expanding, once the bytes produced pass 200 times the compressed size: long
  // before the 200 MiB.
  const std::uint64_t compressed = zip.entries()[0].compressedSize;
  EXPECT_LE(zip.expandedSoFar(), 200 * compressed);
  EXPECT_LT(zip.expandedSoFar(), 100ull << 20);
}

TEST(ZipArchive, RefusesAnEntryOrAnArchiveThatExpandsPastItsLimit) {
  auto dir = ijro::test::tempDir("zip-size");
  // Stored, so the ratio is 1 and only the sizes can refuse them.
  const std::string big(300 * 1024, 'x');
  buildZip(dir / "big.zip", {{"one.csv", big, 0, false, true},
                             {"two.csv", big, 0, false, true},
                             {"three.csv", big, 0, false, true}});
  ZipLimits perEntry;
  perEntry.maxEntryBytes = 256 * 1024;
  auto a = ZipArchive::openFile(dir / "big.zip", perEntry);
  EXPECT_THAT(refusal(a, "one.csv"),
              AllOf(HasSubstr("\"one.csv\" expands to more than 262144 bytes"),
                    HasSubstr("the limit for one entry")));

  ZipLimits total;
  total.maxTotalBytes = 700 * 1024;
  auto b = ZipArchive::openFile(dir / "big.zip", total);
  EXPECT_EQ(b.read("one.csv").size(), big.size());
  EXPECT_EQ(b.read("two.csv").size(), big.size());
  EXPECT_THAT(refusal(b, "three.csv"),
              AllOf(HasSubstr("reading the entry \"three.csv\""),
                    HasSubstr("past 716800 bytes, the limit for one archive")));
}

TEST(ZipArchive, RefusesAnArchiveWithAZipSlipEntry) {
  auto dir = ijro::test::tempDir("zip-slip");
  buildZip(dir / "slip.zip", {{"manifest.csv", "a\n"}, {"../evil", "x"}});
  try {
    ZipArchive::openFile(dir / "slip.zip");
    FAIL() << "opened";
  } catch (const ZipError& e) {
    EXPECT_EQ(e.entry(), "../evil");
    EXPECT_THAT(e.what(), AllOf(HasSubstr("slip.zip: the entry \"../evil\" is refused"),
                                HasSubstr("zip slip")));
  }
}

TEST(ZipArchive, EntryNamesThatLeaveTheFolderAreUnsafe) {
  EXPECT_EQ(unsafeEntryName("xl/worksheets/sheet1.xml"), "");
  EXPECT_EQ(unsafeEntryName("a..b/c.csv"), "");
  EXPECT_THAT(unsafeEntryName("../evil"), HasSubstr("zip slip"));
  EXPECT_THAT(unsafeEntryName("a/../../evil"), HasSubstr("zip slip"));
  EXPECT_THAT(unsafeEntryName("a/.."), HasSubstr("zip slip"));
  EXPECT_THAT(unsafeEntryName("/etc/passwd"), HasSubstr("absolute"));
  EXPECT_THAT(unsafeEntryName("a\\b.csv"), HasSubstr("backslash"));
  EXPECT_THAT(unsafeEntryName("C:evil"), HasSubstr("drive letter"));
  EXPECT_THAT(unsafeEntryName(""), HasSubstr("empty"));
}

TEST(ZipArchive, RefusesEncryptedEntries) {
  auto dir = ijro::test::tempDir("zip-encrypted");
  buildZip(dir / "locked.zip", {{"open.csv", "a\n"}, {"locked.csv", "b\n", 0, true}});
  auto zip = ZipArchive::openFile(dir / "locked.zip");
  ASSERT_TRUE(zip.entries()[1].encrypted);
  EXPECT_EQ(zip.read("open.csv"), "a\n");
  EXPECT_THAT(refusal(zip, "locked.csv"),
              AllOf(HasSubstr("\"locked.csv\" is encrypted"), HasSubstr("not read")));
}

TEST(ZipArchive, RefusesTooManyEntriesAndWhatIsNotAZip) {
  auto dir = ijro::test::tempDir("zip-many");
  buildZip(dir / "many.zip", {{"a", "1"}, {"b", "2"}, {"c", "3"}});
  ZipLimits limits;
  limits.maxEntries = 2;
  EXPECT_THROW(
      {
        try {
          ZipArchive::openFile(dir / "many.zip", limits);
        } catch (const ZipError& e) {
          EXPECT_THAT(e.what(), HasSubstr("has 3 entries, more than the 2 allowed"));
          throw;
        }
      },
      ZipError);
  EXPECT_THROW(ZipArchive::openMemory("not a zip at all", "x.zip"), ZipError);
}

}  // namespace
}  // namespace ijro::tables
