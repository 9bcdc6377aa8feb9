#include "hub/dashboard/dashboard.hpp"

#include <algorithm>

#include "hub/dashboard/embedded.hpp"

namespace ijro::dashboard {

// Scripts, styles, data and images from the hub alone: no inline script or style attribute
// injection, no other origin, no framing.
const char* const kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

namespace {

constexpr std::string_view kUiPrefix = "/ui/";

bool safeRelative(std::string_view rel) {
  if (rel.empty() || rel.front() == '/') return false;
  if (rel.find("..") != std::string_view::npos || rel.find("//") != std::string_view::npos ||
      rel.find('\\') != std::string_view::npos || rel.find('\0') != std::string_view::npos)
    return false;
  return true;
}

const EmbeddedFile* find(std::string_view rel) {
  const auto files = embeddedFiles();
  auto it = std::lower_bound(files.begin(), files.end(), rel,
                             [](const EmbeddedFile& f, std::string_view p) { return f.path < p; });
  return it != files.end() && it->path == rel ? &*it : nullptr;
}

void addSecurityHeaders(http::Response& res) {
  res.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  res.headers.emplace_back("X-Frame-Options", "DENY");
}

// Whether an If-None-Match header names the ETag (a list, or "*").
bool etagMatches(std::string_view header, std::string_view etag) {
  if (header.empty()) return false;
  std::size_t pos = 0;
  while (pos < header.size()) {
    auto comma = header.find(',', pos);
    auto one = header.substr(pos, comma == std::string_view::npos ? header.npos : comma - pos);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    if (one.starts_with("W/")) one.remove_prefix(2);
    if (one == "*" || one == etag) return true;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return false;
}

}  // namespace

bool owns(std::string_view urlPath) {
  return urlPath == "/" || urlPath == "/index.html" || urlPath.starts_with(kUiPrefix);
}

std::optional<Asset> asset(std::string_view urlPath) {
  std::string_view rel;
  if (urlPath == "/" || urlPath == "/index.html")
    rel = "index.html";
  else if (urlPath.starts_with(kUiPrefix))
    rel = urlPath.substr(kUiPrefix.size());
  else
    return std::nullopt;
  if (!safeRelative(rel)) return std::nullopt;
  const auto* f = find(rel);
  if (!f) return std::nullopt;
  return Asset{{reinterpret_cast<const char*>(f->data), f->size}, f->contentType, f->etag};
}

http::Response serve(const http::Request& req) {
  http::Response res;
  if (req.method != "GET" && req.method != "HEAD") {
    res.status = 405;
    res.body = "method " + req.method + " is not allowed on " + req.path +
               ": the dashboard's files are read with GET\n";
    res.headers.emplace_back("Allow", "GET, HEAD");
    addSecurityHeaders(res);
    return res;
  }
  auto a = asset(req.path);
  if (!a) {
    res.status = 404;
    res.body = "no dashboard file " + req.path + ": open / for the dashboard\n";
    addSecurityHeaders(res);
    return res;
  }
  // Files keep their names across versions, so a browser revalidates each time (a 304 is cheap).
  res.headers.emplace_back("Cache-Control", "no-cache");
  res.headers.emplace_back("ETag", std::string(a->etag));
  addSecurityHeaders(res);
  res.contentType = std::string(a->contentType);
  if (etagMatches(req.header("if-none-match"), a->etag)) {
    res.status = 304;
    return res;
  }
  if (req.method == "GET") res.body.assign(a->body);
  return res;
}

}  // namespace ijro::dashboard
