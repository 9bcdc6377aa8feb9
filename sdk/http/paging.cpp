// Paging rules and the page loop (see ijro_http_paging.hpp).
#include <set>
#include <stdexcept>

#include "ijro_http_paging.hpp"
#include "url.hpp"

namespace ijro::sdk::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether a link's parameters (after its <URI>, up to the next link) say rel includes "next".
bool relIsNext(std::string_view params) {
  std::size_t at = 0;
  while (at < params.size()) {
    // One parameter: up to the next ';' outside quotes.
    std::size_t end = at;
    bool quoted = false;
    for (; end < params.size(); ++end) {
      const char c = params[end];
      if (quoted && c == '\\') {
        ++end;  // the escaped character
        continue;
      }
      if (c == '"')
        quoted = !quoted;
      else if (c == ';' && !quoted)
        break;
    }
    const auto param = trim(params.substr(at, end - at));
    at = end + 1;
    const auto eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    if (!detail::equalsIgnoringCase(trim(param.substr(0, eq)), "rel")) continue;
    auto value = trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    // rel may hold several relation types separated by spaces.
    std::size_t i = 0;
    while (i < value.size()) {
      const auto space = value.find(' ', i);
      const auto type = value.substr(i, space == std::string_view::npos ? space : space - i);
      if (detail::equalsIgnoringCase(type, "next")) return true;
      if (space == std::string_view::npos) break;
      i = space + 1;
    }
  }
  return false;
}

std::optional<std::string> nonEmpty(std::optional<std::string> s) {
  if (s && s->empty()) return std::nullopt;
  return s;
}

}  // namespace

std::optional<std::string> nextLink(const Response& page) {
  for (const auto& header : page.headerValues("link")) {
    std::string_view rest = header;
    while (true) {
      const auto open = rest.find('<');
      if (open == std::string_view::npos) break;
      const auto close = rest.find('>', open);
      if (close == std::string_view::npos) break;
      const auto uri = rest.substr(open + 1, close - open - 1);
      rest.remove_prefix(close + 1);
      // The link's parameters run to the next ',' outside quotes.
      std::size_t end = 0;
      bool quoted = false;
      for (; end < rest.size(); ++end) {
        if (rest[end] == '"') quoted = !quoted;
        if (rest[end] == ',' && !quoted) break;
      }
      if (relIsNext(rest.substr(0, end)))
        return detail::resolveReference(page.url, std::string(uri), page.safeUrl);
      rest.remove_prefix(end);
    }
  }
  return std::nullopt;
}

NextPage followLinkHeader() {
  return [](const Request& current, const Response& page) -> std::optional<Request> {
    auto url = nextLink(page);
    if (!url) return std::nullopt;
    Request next = current;
    next.url = std::move(*url);
    return next;
  };
}

NextPage followBodyUrl(std::function<std::optional<std::string>(const Response&)> nextUrl) {
  return [nextUrl = std::move(nextUrl)](const Request& current,
                                        const Response& page) -> std::optional<Request> {
    auto url = nonEmpty(nextUrl(page));
    if (!url) return std::nullopt;
    Request next = current;
    next.url = detail::resolveReference(page.url, *url, page.safeUrl);
    return next;
  };
}

NextPage followCursor(std::string parameter,
                      std::function<std::optional<std::string>(const Response&)> cursor) {
  return [parameter = std::move(parameter), cursor = std::move(cursor)](
             const Request& current, const Response& page) -> std::optional<Request> {
    auto value = nonEmpty(cursor(page));
    if (!value) return std::nullopt;
    Request next = current;
    next.url = detail::setQueryParameter(current.url, parameter, *value);
    return next;
  };
}

NextPage followOffset(std::string offsetParameter, std::string limitParameter, std::size_t limit,
                      std::function<std::size_t(const Response&)> itemsIn) {
  if (limit == 0) throw std::invalid_argument("followOffset: the page limit must be positive");
  return [offsetParameter = std::move(offsetParameter), limitParameter = std::move(limitParameter),
          limit, itemsIn = std::move(itemsIn)](const Request& current,
                                               const Response& page) -> std::optional<Request> {
    const std::size_t items = itemsIn(page);
    if (items < limit) return std::nullopt;
    const std::string now = detail::queryParameter(current.url, offsetParameter);
    std::size_t offset = 0;
    if (!now.empty()) {
      try {
        std::size_t used = 0;
        offset = std::stoull(now, &used);
        if (used != now.size()) throw std::invalid_argument(now);
      } catch (const std::exception&) {
        throw Error(ErrorKind::Paging, page.safeUrl,
                    "the query parameter " + offsetParameter + "=" + now +
                        " is not a whole number: the first request's offset must be one");
      }
    }
    Request next = current;
    next.url =
        detail::setQueryParameter(current.url, offsetParameter, std::to_string(offset + items));
    next.url = detail::setQueryParameter(next.url, limitParameter, std::to_string(limit));
    return next;
  };
}

PagingResult fetchPages(Client& client, const Request& first, const NextPage& next,
                        const std::function<void(const Response&)>& onPage, std::size_t maxPages,
                        ConditionalState* state) {
  if (maxPages == 0)
    throw Error(ErrorKind::InvalidRequest, client.safeUrl(first.url), "maxPages must be 1 or more");
  PagingResult result;
  std::set<std::string> read;
  Request current = first;
  while (true) {
    if (!read.insert(detail::validatorKey(current.url)).second)
      throw Error(ErrorKind::Paging, client.safeUrl(current.url),
                  "the next page is one already read (after " + std::to_string(result.pages) +
                      " pages): the server's paging loops, or the paging rule does not fit this "
                      "API");
    const Response page = (state != nullptr && result.pages == 0) ? client.send(current, *state)
                                                                  : client.send(current);
    if (page.notModified && result.pages == 0) {
      result.notModified = true;
      return result;
    }
    page.requireSuccess();
    onPage(page);
    ++result.pages;
    auto following = next(current, page);
    if (!following) return result;
    if (result.pages >= maxPages) {
      result.next = std::move(following);
      return result;
    }
    current = std::move(*following);
  }
}

}  // namespace ijro::sdk::http
