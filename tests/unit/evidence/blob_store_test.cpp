// The evidence blob store: an upload's fsyncs (counted and ordered through the FileSystem
// interface), once-only storage of the same content, no half file after a crash.
#include "hub/evidence/blob_store.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "hub/base/sha256.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::evidence {
namespace {

namespace fs = std::filesystem;

// The real file system, with every call recorded in order: "syncFile PATH", "rename FROM TO",
// "syncFolder PATH". failSyncFile makes the file's fsync fail, as a full disk would.
class RecordingFileSystem : public FileSystem {
 public:
  void syncFile(int fd, const fs::path& path) override {
    calls.push_back("syncFile " + path.string());
    if (failSyncFile) throw std::runtime_error("fsync failed (test)");
    FileSystem::syncFile(fd, path);
  }
  void rename(const fs::path& from, const fs::path& to) override {
    calls.push_back("rename " + from.string() + " " + to.string());
    FileSystem::rename(from, to);
  }
  void syncFolder(const fs::path& folder) override {
    calls.push_back("syncFolder " + folder.string());
    FileSystem::syncFolder(folder);
  }
  std::vector<std::string> calls;
  bool failSyncFile = false;
};

fs::path writeTemp(const BlobStore& store, const std::string& name, const std::string& bytes) {
  const auto p = store.tempFolder() / name;
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

std::size_t count(const std::vector<std::string>& calls, const std::string& call) {
  std::size_t n = 0;
  for (const auto& c : calls) n += c == call;
  return n;
}

std::ptrdiff_t position(const std::vector<std::string>& calls, const std::string& call) {
  for (std::size_t i = 0; i < calls.size(); ++i)
    if (calls[i] == call) return static_cast<std::ptrdiff_t>(i);
  return -1;
}

std::size_t filesUnder(const fs::path& root) {
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) n += e.is_regular_file();
  return n;
}

TEST(BlobStore, UploadFsyncsTheFileBeforeItsRenameAndTheFolderAfterIt) {
  const auto root = test::tempDir("blobs-fsync");
  RecordingFileSystem rec;
  BlobStore store(root, rec);
  const std::string bytes = "%PDF-1.7 counted";
  const auto temp = writeTemp(store, "upload-1", bytes);
  const auto sha = base::sha256Hex(bytes);
  const auto folder = root / sha.substr(0, 2);

  const auto put = store.put(temp);
  EXPECT_TRUE(put.stored);
  EXPECT_EQ(put.digest.sha256, sha);
  EXPECT_EQ(put.digest.size, bytes.size());

  const std::string fileSync = "syncFile " + temp.string();
  const std::string rename = "rename " + temp.string() + " " + (folder / sha).string();
  const std::string folderSync = "syncFolder " + folder.string();
  // One fsync of the file, one rename, one fsync of the folder that received the name; the new
  // sub-folder's own name is synced in the root.
  EXPECT_EQ(count(rec.calls, fileSync), 1u);
  EXPECT_EQ(count(rec.calls, rename), 1u);
  EXPECT_EQ(count(rec.calls, folderSync), 1u);
  EXPECT_EQ(count(rec.calls, "syncFolder " + root.string()), 1u);
  EXPECT_EQ(rec.calls.size(), 4u);
  EXPECT_LT(position(rec.calls, fileSync), position(rec.calls, rename));
  EXPECT_GT(position(rec.calls, folderSync), position(rec.calls, rename));
  fs::remove_all(root);
}

TEST(BlobStore, SecondUploadIntoAnExistingFolderStillFsyncsFileAndFolder) {
  const auto root = test::tempDir("blobs-fsync2");
  RecordingFileSystem rec;
  BlobStore store(root, rec);
  // Two contents whose hashes share the first two hex digits: the second finds its folder made.
  std::string a, b;
  std::map<std::string, std::string> byPrefix;
  for (int i = 0; a.empty(); ++i) {
    auto text = "content " + std::to_string(i);
    auto prefix = base::sha256Hex(text).substr(0, 2);
    auto [it, fresh] = byPrefix.emplace(prefix, text);
    if (!fresh) a = it->second, b = text;
  }
  store.put(writeTemp(store, "a", a));
  rec.calls.clear();
  const auto temp = writeTemp(store, "b", b);
  const auto sha = base::sha256Hex(b);
  const auto folder = root / sha.substr(0, 2);
  EXPECT_TRUE(store.put(temp).stored);
  EXPECT_EQ(rec.calls, (std::vector<std::string>{
                           "syncFile " + temp.string(),
                           "rename " + temp.string() + " " + (folder / sha).string(),
                           "syncFolder " + folder.string(),
                       }));
  fs::remove_all(root);
}

TEST(BlobStore, SameContentTwiceIsStoredOnce) {
  const auto root = test::tempDir("blobs-once");
  RecordingFileSystem rec;
  BlobStore store(root, rec);
  const std::string bytes = "%PDF-1.4 the same report";
  const auto first = store.put(writeTemp(store, "one", bytes));
  rec.calls.clear();
  const auto second = store.put(writeTemp(store, "two", bytes));
  EXPECT_TRUE(first.stored);
  EXPECT_FALSE(second.stored);
  EXPECT_EQ(first.digest.sha256, second.digest.sha256);
  EXPECT_EQ(filesUnder(root), 1u);  // the one blob; no temporary file left
  EXPECT_TRUE(fs::is_empty(store.tempFolder()));
  // Nothing renamed the second time, but the name is synced before the answer all the same.
  EXPECT_EQ(count(rec.calls, "syncFolder " + (root / first.digest.sha256.substr(0, 2)).string()),
            1u);
  ASSERT_TRUE(store.find(first.digest.sha256));
  EXPECT_EQ(test::readFile(*store.find(first.digest.sha256)), bytes);
  fs::remove_all(root);
}

TEST(BlobStore, FailedFileSyncLeavesNothingUnderTheHash) {
  const auto root = test::tempDir("blobs-fail");
  RecordingFileSystem rec;
  rec.failSyncFile = true;
  BlobStore store(root, rec);
  const std::string bytes = "%PDF-1.4 never durable";
  EXPECT_THROW(store.put(writeTemp(store, "upload", bytes)), std::runtime_error);
  EXPECT_FALSE(store.find(base::sha256Hex(bytes)));
  EXPECT_EQ(count(rec.calls, "syncFolder " + root.string()), 0u);
  fs::remove_all(root);
}

TEST(BlobStore, TemporaryFilesOfACrashedUploadAreRemovedOnStartAndNeverVisible) {
  const auto root = test::tempDir("blobs-crash");
  const std::string bytes = "%PDF-1.4 half written";
  {
    BlobStore store(root);
    // A crash between the temporary write and the rename leaves exactly this behind.
    writeTemp(store, "upload-crashed", bytes.substr(0, 10));
    EXPECT_FALSE(store.find(base::sha256Hex(bytes)));
    EXPECT_FALSE(store.find(base::sha256Hex(bytes.substr(0, 10))));
  }
  BlobStore reopened(root);
  EXPECT_EQ(reopened.leftoversRemoved(), 1u);
  EXPECT_TRUE(fs::is_empty(reopened.tempFolder()));
  EXPECT_EQ(filesUnder(root), 0u);
  fs::remove_all(root);
}

TEST(BlobStore, FindRefusesWhatIsNotAHash) {
  const auto root = test::tempDir("blobs-find");
  BlobStore store(root);
  EXPECT_FALSE(store.find("../../etc/passwd"));
  EXPECT_FALSE(store.find(std::string(64, 'A')));  // upper case is not a name put() gives
  EXPECT_FALSE(store.find(std::string(64, 'a')));  // well formed, not stored
  EXPECT_TRUE(isSha256Hex(std::string(64, 'f')));
  EXPECT_FALSE(isSha256Hex(std::string(63, 'f')));
  fs::remove_all(root);
}

TEST(BlobStore, DigestOfAFileIsItsSha256AndSize) {
  const auto root = test::tempDir("blobs-digest");
  const auto p = root / "f";
  std::ofstream(p, std::ios::binary) << std::string(100000, 'x');
  const auto d = digestFile(p);
  EXPECT_EQ(d.sha256, base::sha256Hex(std::string(100000, 'x')));
  EXPECT_EQ(d.size, 100000u);
  fs::remove_all(root);
}

}  // namespace
}  // namespace ijro::evidence
