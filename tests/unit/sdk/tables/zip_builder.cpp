// Zip archives built by the tests with libzip (see zip_builder.hpp).
#include "zip_builder.hpp"

#include <zip.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ijro::tables::test {

namespace {

// A libzip source that produces `left` zero bytes, so a 200 MiB entry never sits in memory.
struct Zeros {
  std::uint64_t size;
  std::uint64_t left;
};

zip_int64_t zerosCallback(void* state, void* data, zip_uint64_t len, zip_source_cmd_t cmd) {
  auto* z = static_cast<Zeros*>(state);
  switch (cmd) {
    case ZIP_SOURCE_OPEN:
      z->left = z->size;
      return 0;
    case ZIP_SOURCE_READ: {
      const zip_uint64_t n = std::min<zip_uint64_t>(len, z->left);
      std::memset(data, 0, n);
      z->left -= n;
      return static_cast<zip_int64_t>(n);
    }
    case ZIP_SOURCE_CLOSE:
      return 0;
    case ZIP_SOURCE_STAT: {
      auto* st = static_cast<zip_stat_t*>(data);
      zip_stat_init(st);
      st->size = z->size;
      st->valid |= ZIP_STAT_SIZE;
      return sizeof(zip_stat_t);
    }
    case ZIP_SOURCE_ERROR:
      return 2 * sizeof(int);
    case ZIP_SOURCE_FREE:
      delete z;
      return 0;
    case ZIP_SOURCE_SUPPORTS:
      return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                            ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
    default:
      return -1;
  }
}

}  // namespace

std::string buildZip(const std::filesystem::path& file, const std::vector<ZipSpec>& entries) {
  int code = 0;
  zip_t* z = zip_open(file.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  if (z == nullptr) throw std::runtime_error("zip_open failed: " + std::to_string(code));
  for (const auto& e : entries) {
    zip_source_t* src = nullptr;
    if (e.zeros > 0)
      src = zip_source_function(z, zerosCallback, new Zeros{e.zeros, e.zeros});
    else
      src = zip_source_buffer(z, e.content.data(), e.content.size(), 0);
    if (src == nullptr) throw std::runtime_error(std::string("source: ") + zip_strerror(z));
    const zip_int64_t i = zip_file_add(z, e.name.c_str(), src, ZIP_FL_ENC_UTF_8);
    if (i < 0) {
      zip_source_free(src);
      throw std::runtime_error("zip_file_add " + e.name + ": " + zip_strerror(z));
    }
    const auto index = static_cast<zip_uint64_t>(i);
    if (e.store) zip_set_file_compression(z, index, ZIP_CM_STORE, 0);
    if (e.encrypt) {
      const std::uint16_t method =
          zip_encryption_method_supported(ZIP_EM_AES_256, 1) ? ZIP_EM_AES_256 : ZIP_EM_TRAD_PKWARE;
      if (zip_file_set_encryption(z, index, method, "secret") != 0)
        throw std::runtime_error(std::string("encryption: ") + zip_strerror(z));
    }
  }
  if (zip_close(z) != 0) {
    const std::string why = zip_strerror(z);
    zip_discard(z);
    throw std::runtime_error("zip_close: " + why);
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace ijro::tables::test
