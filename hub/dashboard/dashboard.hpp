// The web dashboard: its files, compiled into the binary, served under GET / (the app) and
// GET /ui/<file> (its scripts, styles and texts). Public: the app asks for a read token and sends
// it with every API call itself, so the API's scope rules decide what a person sees.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hub/http/server.hpp"

namespace ijro::dashboard {

struct Asset {
  std::string_view body;
  std::string_view contentType;
  std::string_view etag;  // quoted strong validator
};

// The file at a URL path: "/" is the app (index.html), "/ui/<path>" a file of assets/. Nullopt for
// any other path, an unknown file, or a path with "..", "//" or a backslash.
std::optional<Asset> asset(std::string_view urlPath);

// Whether the path belongs to the dashboard ("/", "/index.html" or under "/ui/").
bool owns(std::string_view urlPath);

// The answer to a request for a path the dashboard owns: GET and HEAD give the file (304 when
// If-None-Match holds its ETag), with Cache-Control, ETag, Content-Security-Policy ('self' only,
// no inline script), X-Content-Type-Options and Referrer-Policy; an unknown file is a 404 and any
// other method a 405, both plain text. Call only when owns(req.path).
http::Response serve(const http::Request& req);

// The Content-Security-Policy every dashboard response carries.
extern const char* const kContentSecurityPolicy;

}  // namespace ijro::dashboard
