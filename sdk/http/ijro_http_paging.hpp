// ijro_http_paging.hpp: reading a paged collection with the SDK's HTTP client (ijro_http.hpp).
//
// Sector APIs page in one of four ways: a Link header (`Link: <...>; rel="next"`, GitHub-style
// REST), a next URL inside the body (a FHIR Bundle's link with relation "next"), an opaque cursor
// sent back as a query parameter, or offset and limit. Each becomes a NextPage rule; fetchPages
// reads page after page with one of them, up to a maximum, and says where it stopped so a plugin
// can carry on at its next poll:
//
//   auto result = ijro::sdk::http::fetchPages(
//       client, {ijro::sdk::http::Method::Get, url, {ijro::sdk::http::bearer(token)}},
//       ijro::sdk::http::followLinkHeader(),
//       [&](const ijro::sdk::http::Response& page) { emitRecordsOf(page.body); }, 50);
//   if (result.next) checkpoint.resumeAt = result.next->url;  // more than 50 pages
//
// C++17 or later.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "ijro_http.hpp"

namespace ijro::sdk::http {

// The request for the page after `page` (which answered `current`), or nullopt after the last.
using NextPage =
    std::function<std::optional<Request>(const Request& current, const Response& page)>;

// The rel="next" target of the response's Link headers, resolved against the response's URL.
// Relation types compare without regard to case; a link may carry several ("next last").
std::optional<std::string> nextLink(const Response& page);

// Pages linked by the Link header's rel="next".
NextPage followLinkHeader();
// Pages linked by a URL in the body, found by the caller's function (nullopt or "" at the end); a
// relative URL is resolved against the page's URL.
NextPage followBodyUrl(std::function<std::optional<std::string>(const Response&)> nextUrl);
// Pages chained by a cursor that the caller's function finds in each page (nullopt or "" at the
// end) and that the next request sends as the query parameter `parameter`.
NextPage followCursor(std::string parameter,
                      std::function<std::optional<std::string>(const Response&)> cursor);
// Pages by offset and limit: the next request sets `offsetParameter` to the current offset (0 if
// the request has none) plus the items in the page, and `limitParameter` to `limit`. The caller's
// function counts a page's items; a page with fewer than `limit` items is the last.
NextPage followOffset(std::string offsetParameter, std::string limitParameter, std::size_t limit,
                      std::function<std::size_t(const Response&)> itemsIn);

struct PagingResult {
  std::size_t pages = 0;     // pages handed to onPage
  bool notModified = false;  // the first page answered 304 (with a ConditionalState)
  // Set when maxPages pages were read and the collection goes on: the request for the next page.
  std::optional<Request> next;
};

// Reads pages from `first` on, handing each to `onPage`, until `next` says there is none or
// maxPages pages were read. A page whose status is not 2xx throws Error (HttpStatus) after the
// pages before it were handed over; a next page that was already read throws Error (Paging).
// With `state`, the first request is conditional: a 304 ends the reading with notModified set.
PagingResult fetchPages(Client& client, const Request& first, const NextPage& next,
                        const std::function<void(const Response&)>& onPage, std::size_t maxPages,
                        ConditionalState* state = nullptr);

}  // namespace ijro::sdk::http
