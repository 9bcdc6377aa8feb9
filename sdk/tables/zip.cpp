// Zip archives with limits (see zip.hpp). libzip does the format; this file decides what is
// allowed: names checked when the archive is opened, sizes counted while an entry expands.
#include "tables/zip.hpp"

#include <zip.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace ijro::tables {

namespace {

std::string mib(std::uint64_t bytes) {
  if (bytes >= (1ull << 20) && bytes % (1ull << 20) == 0)
    return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

constexpr const char* kRepack =
    "Ask the sender for the original file, written by its program (not repacked by hand).";

}  // namespace

std::string unsafeEntryName(std::string_view name) {
  if (name.empty()) return "an empty name";
  if (name.find('\0') != std::string_view::npos) return "a NUL character in the name";
  if (name.front() == '/') return "an absolute name (it starts with '/')";
  if (name.find('\\') != std::string_view::npos) return "a backslash in the name";
  if (name.size() >= 2 && name[1] == ':' &&
      ((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z')))
    return "a drive letter (\"" + std::string(name.substr(0, 2)) + "\")";
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find('/', start), name.size());
    if (name.substr(start, end - start) == "..")
      return "a \"..\" part, which leaves the folder the archive is unpacked into (zip slip)";
    start = end + 1;
  }
  return "";
}

struct ZipArchive::Handle {
  zip_t* zip = nullptr;
  std::string bytes;  // the archive in memory, when opened from memory (libzip reads it in place)
  ~Handle() {
    if (zip != nullptr) zip_discard(zip);
  }
};

ZipArchive::ZipArchive(std::unique_ptr<Handle> h, std::string what, ZipLimits limits)
    : h_(std::move(h)), what_(std::move(what)), limits_(limits) {
  list();
}
ZipArchive::ZipArchive(ZipArchive&&) noexcept = default;
ZipArchive& ZipArchive::operator=(ZipArchive&&) noexcept = default;
ZipArchive::~ZipArchive() = default;

ZipArchive ZipArchive::openFile(const std::filesystem::path& file, ZipLimits limits) {
  auto h = std::make_unique<Handle>();
  int code = 0;
  h->zip = zip_open(file.c_str(), ZIP_RDONLY, &code);
  if (h->zip == nullptr) {
    zip_error_t e;
    zip_error_init_with_code(&e, code);
    std::string why = zip_error_strerror(&e);
    zip_error_fini(&e);
    throw ZipError("", file.string() + ": cannot be opened as a zip archive: " + why,
                   "Check that the file is a whole, undamaged workbook or zip package.");
  }
  return ZipArchive(std::move(h), file.filename().string(), limits);
}

ZipArchive ZipArchive::openMemory(std::string bytes, std::string what, ZipLimits limits) {
  auto h = std::make_unique<Handle>();
  h->bytes = std::move(bytes);
  zip_error_t e;
  zip_error_init(&e);
  zip_source_t* src = zip_source_buffer_create(h->bytes.data(), h->bytes.size(), 0, &e);
  if (src != nullptr) {
    h->zip = zip_open_from_source(src, ZIP_RDONLY, &e);
    if (h->zip == nullptr) zip_source_free(src);
  }
  if (h->zip == nullptr) {
    std::string why = zip_error_strerror(&e);
    zip_error_fini(&e);
    throw ZipError("", what + ": cannot be opened as a zip archive: " + why,
                   "Check that the file is a whole, undamaged workbook or zip package.");
  }
  zip_error_fini(&e);
  return ZipArchive(std::move(h), std::move(what), limits);
}

void ZipArchive::list() {
  const zip_int64_t n = zip_get_num_entries(h_->zip, 0);
  if (n < 0 || static_cast<std::uint64_t>(n) > limits_.maxEntries)
    throw ZipError("",
                   what_ + ": the archive has " + std::to_string(n) + " entries, more than the " +
                       std::to_string(limits_.maxEntries) + " allowed",
                   kRepack);
  entries_.reserve(static_cast<std::size_t>(n));
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(h_->zip, static_cast<zip_uint64_t>(i), 0, &st) != 0 ||
        (st.valid & ZIP_STAT_NAME) == 0)
      throw ZipError(
          "",
          what_ + ": entry " + std::to_string(i + 1) + " cannot be read: " + zip_strerror(h_->zip),
          kRepack);
    ZipEntry e;
    e.name = st.name;
    if (const std::string bad = unsafeEntryName(e.name); !bad.empty())
      throw ZipError(e.name,
                     what_ + ": the entry \"" + e.name + "\" is refused: " + bad +
                         "; an archive with such a name is not read at all",
                     kRepack);
    e.size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
    e.compressedSize = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
    e.encrypted = (st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE;
    e.directory = !e.name.empty() && e.name.back() == '/';
    entries_.push_back(std::move(e));
  }
}

bool ZipArchive::contains(std::string_view name) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const ZipEntry& e) { return e.name == name; });
}

std::string ZipArchive::read(std::string_view name) {
  const auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const ZipEntry& e) { return e.name == name; });
  const std::string entry(name);
  if (it == entries_.end())
    throw ZipError(entry, what_ + ": the archive has no entry \"" + entry + "\"",
                   "Check that the file is of the kind expected and was not repacked.");
  if (it->encrypted)
    throw ZipError(entry,
                   what_ + ": the entry \"" + entry +
                       "\" is encrypted (password-protected); encrypted entries are not read",
                   "Save the file again without a password.");
  const auto index = static_cast<zip_uint64_t>(it - entries_.begin());

  struct File {
    zip_file_t* f;
    ~File() {
      if (f != nullptr) zip_fclose(f);
    }
  } file{zip_fopen_index(h_->zip, index, 0)};
  if (file.f == nullptr)
    throw ZipError(
        entry, what_ + ": the entry \"" + entry + "\" cannot be opened: " + zip_strerror(h_->zip),
        kRepack);

  const std::uint64_t compressed = std::max<std::uint64_t>(it->compressedSize, 1);
  std::string out;
  std::array<char, 64 * 1024> buf;
  while (true) {
    const zip_int64_t got = zip_fread(file.f, buf.data(), buf.size());
    if (got < 0)
      throw ZipError(
          entry, what_ + ": the entry \"" + entry + "\" is damaged: " + zip_file_strerror(file.f),
          kRepack);
    if (got == 0) break;
    const auto g = static_cast<std::uint64_t>(got);
    const std::uint64_t size = out.size() + g;
    if (size > limits_.maxEntryBytes)
      throw ZipError(entry,
                     what_ + ": the entry \"" + entry + "\" expands to more than " +
                         mib(limits_.maxEntryBytes) + ", the limit for one entry",
                     "Split the data into smaller files, or raise the per-entry limit.");
    if (expanded_ + g > limits_.maxTotalBytes)
      throw ZipError(entry,
                     what_ + ": reading the entry \"" + entry +
                         "\" takes what is expanded from the archive past " +
                         mib(limits_.maxTotalBytes) + ", the limit for one archive",
                     "Split the data into smaller archives, or raise the total limit.");
    const bool ratioPassed =
        compressed <= UINT64_MAX / std::max<std::uint64_t>(limits_.maxRatio, 1) &&
        size > limits_.maxRatio * compressed;
    if (size > limits_.ratioFloorBytes && ratioPassed)
      throw ZipError(entry,
                     what_ + ": the entry \"" + entry + "\" expands " +
                         std::to_string(size / compressed) + " times its compressed size (" +
                         std::to_string(it->compressedSize) + " bytes), more than the ratio of " +
                         std::to_string(limits_.maxRatio) + " allowed: a zip bomb?",
                     kRepack);
    expanded_ += g;
    out.append(buf.data(), g);
  }
  return out;
}

}  // namespace ijro::tables
