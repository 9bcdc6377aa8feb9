// rest-json: a source that polls a JSON REST API for measures and maps each item to one
// implementation through the options fields, defaults and statuses (see README.md).
#include <charconv>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ijro_http.hpp>
#include <ijro_http_paging.hpp>
#include <ijro_json.hpp>
#include <ijro_plugin.hpp>
#include <ijro_progress.hpp>

#include "json_path.hpp"
#include <mapping/mapping.hpp>
#include "rest_items.hpp"

namespace {

namespace http = ijro::sdk::http;
using ijro::sdk::OptionType;
using namespace ijro::rest_json;
using namespace ijro::mapping;

enum class Paging { None, Link, Cursor, Offset };

Paging pagingOf(std::string_view word) {
  if (word == "none") return Paging::None;
  if (word == "link") return Paging::Link;
  if (word == "cursor") return Paging::Cursor;
  if (word == "offset") return Paging::Offset;
  throw std::invalid_argument("option paging: \"" + std::string(word) +
                              "\" is not a paging style: use none, link (a Link header with "
                              "rel=next), cursor (cursor_path and cursor_parameter) or offset "
                              "(offset_parameter, limit_parameter and page_size)");
}

std::int64_t positive(const ijro::sdk::Host& host, const char* name) {
  const std::int64_t v = host.optionInt(name);
  if (v < 1)
    throw std::invalid_argument(std::string("option ") + name + ": " + std::to_string(v) +
                                " is not a positive number");
  return v;
}

// The checkpoint: where the next poll starts when the last one stopped at max_pages, and the
// validators (ETag, Last-Modified) of the first page, so an unchanged collection is not read.
struct Checkpoint {
  std::optional<std::string> resumeUrl;
  http::ConditionalState seen;

  static Checkpoint parse(const std::optional<std::string>& text) {
    Checkpoint c;
    if (!text) return c;
    std::string_view rest = *text;
    if (rest.substr(0, 5) == "next\t") {
      const std::size_t eol = rest.find('\n');
      c.resumeUrl = std::string(rest.substr(5, eol == std::string_view::npos ? eol : eol - 5));
      rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    }
    c.seen = http::ConditionalState::parse(rest);
    return c;
  }
  std::string serialize() const {
    return (resumeUrl ? "next\t" + *resumeUrl + "\n" : std::string()) + seen.serialize();
  }
};

class RestJson : public ijro::sdk::Source {
 public:
  explicit RestJson(ijro::sdk::Host& host)
      : url_(host.optionString("url")),
        paging_(pagingOf(host.optionString("paging"))),
        cursorParameter_(host.optionString("cursor_parameter")),
        offsetParameter_(host.optionString("offset_parameter")),
        limitParameter_(host.optionString("limit_parameter")),
        pageSize_(static_cast<std::size_t>(positive(host, "page_size"))),
        maxPages_(static_cast<std::size_t>(positive(host, "max_pages"))),
        reader_(host.optionString("items"), host.optionTable("fields"),
                Mapping(host.optionTable("fields"), host.optionTable("defaults"),
                        host.optionTable("statuses"), "fields")),
        client_(clientOptions(host)) {
    if (paging_ == Paging::Cursor) {
      const std::string path = host.optionString("cursor_path");
      if (path.empty())
        throw std::invalid_argument(
            "option cursor_path: paging=cursor needs the JSON path of the next cursor in a page, "
            "e.g. meta.next_cursor");
      try {
        cursorPath_ = JsonPath::parse(path);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("option cursor_path: ") + e.what());
      }
    }
    if (auto token = host.option("token"); token && !token->empty()) {
      const std::string name = host.optionString("auth_header");
      if (name.empty() || name.find_first_of(":\r\n ") != std::string::npos)
        throw std::invalid_argument("option auth_header: \"" + name +
                                    "\" is not a header name (e.g. Authorization or X-Api-Key)");
      for (char c : *token)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          throw std::invalid_argument(
              "option token: the value holds a control character (a line break?): give it on "
              "one line");
      authHeaders_.push_back({name, std::string(*token)});
    }
    host.info("reading " + client_.safeUrl(url_) + " (paging " +
              std::string(host.optionString("paging")) + ")");
  }

  ijro::sdk::Status poll(ijro::sdk::Context& ctx) override {
    client_.resetRetryBudget();
    Checkpoint cp = Checkpoint::parse(ctx.checkpoint());
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    http::Request first{http::Method::Get, cp.resumeUrl.value_or(url_), authHeaders_, {}, {}};
    if (paging_ == Paging::Offset && !cp.resumeUrl)
      first.url =
          http::withQueryParameter(http::withQueryParameter(first.url, offsetParameter_, "0"),
                                   limitParameter_, std::to_string(pageSize_));

    ijro::sdk::Progress progress(host(), "items of " + client_.safeUrl(url_));
    std::size_t pageNumber = 0;
    auto onPage = [&](const http::Response& page) {
      ++pageNumber;
      host().counterAdd("pages_read");
      const PageItems items = reader_.read(
          page.body, "page " + std::to_string(pageNumber) + " of " + page.safeUrl, now);
      for (const std::string& record : items.records) {
        ctx.emit(record);
        progress.done();
      }
      for (const std::string& reason : items.rejected) {
        host().warn("rejected: " + reason);
        host().counterAdd("items_rejected");
        progress.rejected();
      }
      host().counterAdd("items_read", static_cast<std::int64_t>(items.records.size()));
    };

    http::PagingResult result;
    try {
      result = http::fetchPages(client_, first, nextPage(), onPage, maxPages_,
                                cp.resumeUrl ? nullptr : &cp.seen);
    } catch (const http::Error& e) {
      progress.finish();
      fail(e);
    }
    progress.finish();
    if (result.notModified) {
      host().counterAdd("not_modified");
      host().debug(client_.safeUrl(url_) + " has not changed since the last poll (304)");
    }
    if (result.next) {
      host().info("read " + std::to_string(result.pages) +
                  " pages (max_pages): the next poll "
                  "goes on at " +
                  client_.safeUrl(result.next->url));
      cp.resumeUrl = result.next->url;
    } else {
      cp.resumeUrl.reset();
    }
    ctx.commitCheckpoint(cp.serialize());
    return ijro::sdk::Status::Ok;
  }

 private:
  http::ClientOptions clientOptions(const ijro::sdk::Host& host) const {
    http::ClientOptions o;
    o.requestTimeout = std::chrono::milliseconds(positive(host, "timeout_ms"));
    if (auto ca = host.option("ca_file")) o.tls.caFile = std::string(*ca);
    const std::string header = host.optionString("auth_header");
    if (!header.empty()) o.secretHeaders.push_back(header);
    o.log = [host](ijro::sdk::LogLevel level, const std::string& line) { host.log(level, line); };
    return o;
  }

  http::NextPage nextPage() const {
    switch (paging_) {
      case Paging::Link:
        return http::followLinkHeader();
      case Paging::Cursor:
        return http::followCursor(
            cursorParameter_, [this](const http::Response& page) -> std::optional<std::string> {
              const auto doc = ijro::sdk::json::parse(page.body, kMaxPageBytes, "page");
              const boost::json::value* v = cursorPath_.find(doc);
              if (v == nullptr || v->is_null()) return std::nullopt;
              if (v->is_string()) return std::string(v->get_string());
              if (v->is_int64()) return std::to_string(v->get_int64());
              if (v->is_uint64()) return std::to_string(v->get_uint64());
              throw std::runtime_error(page.safeUrl + ": " + cursorPath_.text() +
                                       " (cursor_path) is neither text nor an integer");
            });
      case Paging::Offset:
        return http::followOffset(
            offsetParameter_, limitParameter_, pageSize_,
            [this](const http::Response& page) { return reader_.count(page.body, page.safeUrl); });
      case Paging::None:
        break;
    }
    return [](const http::Request&, const http::Response&) -> std::optional<http::Request> {
      return std::nullopt;
    };
  }

  // What a failed request makes of the poll: RETRY for what passes (the server down, busy or
  // slow), ERROR with a hint for what needs someone (credentials, a wrong URL).
  [[noreturn]] static void fail(const http::Error& e) {
    using K = http::ErrorKind;
    const int status = e.status();
    const bool passing =
        e.kind() == K::Connect || e.kind() == K::Timeout || e.kind() == K::Resolve ||
        e.kind() == K::Tls ||
        (e.kind() == K::HttpStatus && (status >= 500 || status == 429 || status == 408));
    if (passing) throw ijro::sdk::RetryLater(e.what());
    if (e.kind() == K::HttpStatus && (status == 401 || status == 403))
      throw std::runtime_error(
          std::string(e.what()) +
          " (the server refused the credentials: check the options token and auth_header)");
    throw std::runtime_error(e.what());
  }

  std::string url_;
  Paging paging_;
  std::string cursorParameter_, offsetParameter_, limitParameter_;
  std::size_t pageSize_, maxPages_;
  JsonPath cursorPath_;
  ItemReader reader_;
  http::Headers authHeaders_;
  http::Client client_;
};

}  // namespace

IJRO_DEFINE_SOURCE_PLUGIN(
    RestJson, "rest-json", "1.0.0",
    "Measures from a JSON REST API: items mapped to the model by JSON paths, paged by Link "
    "header, cursor or offset, read again only when changed (ETag / Last-Modified).",
    ijro::sdk::required(OptionType::String, "url", "The collection's URL (http or https)."),
    ijro::sdk::option(OptionType::String, "items", "",
                      "JSON path of the array of items in a page (data.items or /data/items); "
                      "empty: the page is the array."),
    ijro::sdk::required(OptionType::Table, "fields",
                        "Model field -> JSON path in an item, e.g. measure -> id, deadline -> "
                        "due_date, region -> region.soato."),
    ijro::sdk::option(OptionType::Table, "defaults", "{}",
                      "Model field -> value for what the items do not carry, e.g. sector -> "
                      "education."),
    ijro::sdk::option(OptionType::Table, "statuses", "{}",
                      "The system's status word -> planned, inProgress, completed, cancelled "
                      "or suspended."),
    ijro::sdk::option(OptionType::String, "paging", "none", "none, link, cursor or offset."),
    ijro::sdk::option(OptionType::String, "cursor_path", "",
                      "paging=cursor: JSON path of the next cursor in a page."),
    ijro::sdk::option(OptionType::String, "cursor_parameter", "cursor",
                      "paging=cursor: the query parameter the cursor is sent back in."),
    ijro::sdk::option(OptionType::String, "offset_parameter", "offset",
                      "paging=offset: the query parameter of the offset."),
    ijro::sdk::option(OptionType::String, "limit_parameter", "limit",
                      "paging=offset: the query parameter of the page size."),
    ijro::sdk::option(OptionType::Int, "page_size", "100",
                      "paging=offset: items asked for per page; a shorter page is the last."),
    ijro::sdk::option(OptionType::Int, "max_pages", "1000",
                      "Pages read per poll at most; the next poll goes on where it stopped."),
    ijro::sdk::option(OptionType::String, "auth_header", "Authorization",
                      "The header that carries the token."),
    ijro::sdk::option(OptionType::Secret, "token", nullptr,
                      "The auth header's value, sent as given (e.g. Bearer abc...); never shown."),
    ijro::sdk::option(OptionType::Path, "ca_file", nullptr,
                      "PEM file of the certificate authority to trust instead of the system's."),
    ijro::sdk::option(OptionType::Int, "timeout_ms", "60000",
                      "Time allowed for one request, from connecting to the last byte."))
