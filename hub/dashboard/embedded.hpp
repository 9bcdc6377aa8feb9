// The dashboard's files compiled into the binary (cmake/Embed.cmake writes the definitions from
// hub/dashboard/assets/ at build time).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace ijro::dashboard {

struct EmbeddedFile {
  std::string_view path;         // relative to assets/: "index.html", "app.js", "pages/list.js"
  std::string_view contentType;  // "text/javascript; charset=utf-8"
  std::string_view etag;         // quoted, from the file's SHA-256: "\"3f2a...\""
  const unsigned char* data = nullptr;
  std::size_t size = 0;
};

// Every embedded file, sorted by path.
std::span<const EmbeddedFile> embeddedFiles();

}  // namespace ijro::dashboard
