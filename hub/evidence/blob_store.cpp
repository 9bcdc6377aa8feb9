// The content-addressed evidence store on disk: hashing, the durable rename, start-up cleaning.
#include "hub/evidence/blob_store.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <memory>
#include <system_error>

namespace ijro::evidence {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// An open file descriptor, closed on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string hex(const unsigned char* bytes, unsigned n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (unsigned i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xf];
  }
  return out;
}

// Hashes what is left to read of `fd`.
Digest digestFd(int fd, const fs::path& file) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 is not available from OpenSSL");
  Digest d;
  std::array<char, 1 << 16> buf{};
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("read " + file.string());
    }
    if (n == 0) break;
    if (EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(n)) != 1)
      throw std::runtime_error("SHA-256 update failed");
    d.size += static_cast<std::uint64_t>(n);
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), md.data(), &len) != 1)
    throw std::runtime_error("SHA-256 final failed");
  d.sha256 = hex(md.data(), len);
  return d;
}

}  // namespace

bool isSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (const char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Digest digestFile(const fs::path& file) {
  Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail("open " + file.string());
  return digestFd(fd.get(), file);
}

BlobStore::BlobStore(fs::path root, FileSystem& fs) : root_(std::move(root)), fs_(fs) {
  fs::create_directories(tempFolder());
  // Whatever is in tmp is an upload that never reached its rename: not referenced by anything.
  for (const auto& entry : fs::directory_iterator(tempFolder())) {
    std::error_code ec;
    if (fs::remove(entry.path(), ec)) ++leftoversRemoved_;
  }
}

StoredBlob BlobStore::put(const fs::path& tempFile) {
  StoredBlob out;
  {
    Fd fd(::open(tempFile.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) fail("open " + tempFile.string());
    out.digest = digestFd(fd.get(), tempFile);
    // The content must be on disk before its name is: after a crash, a name under its hash
    // always has the whole content behind it.
    fs_.syncFile(fd.get(), tempFile);
  }
  const fs::path folder = root_ / out.digest.sha256.substr(0, 2);
  const fs::path target = folder / out.digest.sha256;
  bool newFolder = false;
  if (!fs::exists(folder)) newFolder = fs::create_directory(folder);
  if (fs::exists(target)) {
    fs::remove(tempFile);
    // The earlier upload's rename may not have reached its folder's fsync (it crashed, or runs
    // now): the name is made durable before this upload is answered too.
    fs_.syncFolder(folder);
    return out;
  }
  fs_.rename(tempFile, target);
  fs_.syncFolder(folder);
  if (newFolder) fs_.syncFolder(root_);
  out.stored = true;
  return out;
}

std::optional<fs::path> BlobStore::find(std::string_view sha256) const {
  if (!isSha256Hex(sha256)) return std::nullopt;
  const std::string name(sha256);
  fs::path p = root_ / name.substr(0, 2) / name;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  return p;
}

}  // namespace ijro::evidence
