// Evidence files on disk, content-addressed by SHA-256: <root>/ab/abcdef... (the first two hex
// digits name a sub-folder, so no folder grows to millions of names). A file arrives as a
// temporary file in <root>/tmp (the HTTP server streams request bodies there); put() makes it
// durable before anything refers to it: fsync of the file, rename into place, fsync of the
// folder that received the name (and of the root when that sub-folder is new). A crash before the
// rename leaves only a temporary file, which the next start removes; after the rename the file
// is complete, because it was synced first. The same content twice is kept once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "hub/evidence/file_system.hpp"

namespace ijro::evidence {

// The SHA-256 (64 lower-case hex digits) and size of a file's content.
struct Digest {
  std::string sha256;
  std::uint64_t size = 0;
};

// Reads the whole file once; throws std::system_error when it cannot.
Digest digestFile(const std::filesystem::path& file);

// 64 lower-case hex digits: the only names put() gives and find() accepts.
bool isSha256Hex(std::string_view s);

struct StoredBlob {
  Digest digest;
  bool stored = false;  // false: the same content was already there, the new copy was dropped
};

class BlobStore {
 public:
  // Creates <root> and <root>/tmp if needed and removes whatever temporary files a crash left
  // in <root>/tmp (see leftoversRemoved()). Throws std::system_error when the folders cannot be
  // made. `fs` must outlive the store.
  explicit BlobStore(std::filesystem::path root, FileSystem& fs = FileSystem::real());

  const std::filesystem::path& root() const { return root_; }
  // Where temporary files are written before put(); the same file system as the blobs, so the
  // rename is atomic.
  std::filesystem::path tempFolder() const { return root_ / "tmp"; }
  std::size_t leftoversRemoved() const { return leftoversRemoved_; }

  // Moves `tempFile` (in tempFolder()) into the store under its SHA-256, durably (see above),
  // and returns its digest. Content already stored: the temporary file is removed and `stored`
  // is false. Throws std::system_error when a step fails; the temporary file is then left for
  // the caller (or the next start) to remove, and nothing is visible under the hash.
  StoredBlob put(const std::filesystem::path& tempFile);

  // The file holding this content, or nullopt when it is not stored (or `sha256` is not a hash).
  std::optional<std::filesystem::path> find(std::string_view sha256) const;

 private:
  std::filesystem::path root_;
  FileSystem& fs_;
  std::size_t leftoversRemoved_ = 0;
};

}  // namespace ijro::evidence
