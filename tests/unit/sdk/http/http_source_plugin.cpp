// A source plugin as an adapter team would write it on the SDK's HTTP client: it reads a paged
// collection (one record per page, pages linked by the Link header) with a bearer token, keeps
// the validators in its checkpoint, and so emits nothing when the collection did not change.
// Loaded in-process and in a plugin-host child by http_plugin_test.cpp.
#include <ijro_http.hpp>
#include <ijro_http_paging.hpp>
#include <ijro_plugin.hpp>

#include <string>

namespace {

namespace http = ijro::sdk::http;

class HttpRecords : public ijro::sdk::Source {
 public:
  explicit HttpRecords(ijro::sdk::Host& host)
      : url_(host.optionString("url")),
        token_(host.optionString("token")),
        client_(options(host)) {}

  ijro::sdk::Status poll(ijro::sdk::Context& ctx) override {
    client_.resetRetryBudget();
    http::ConditionalState seen = http::ConditionalState::parse(ctx.checkpoint().value_or(""));
    const auto result = http::fetchPages(
        client_, {http::Method::Get, url_, {http::bearer(token_)}, {}, {}},
        http::followLinkHeader(), [&](const http::Response& page) { ctx.emit(page.body); }, 10,
        &seen);
    if (result.next) throw ijro::sdk::RetryLater("more than 10 pages");
    ctx.commitCheckpoint(seen.serialize());
    return ijro::sdk::Status::Ok;
  }

 private:
  static http::ClientOptions options(ijro::sdk::Host& host) {
    http::ClientOptions o;
    o.requestTimeout = std::chrono::milliseconds(host.optionInt("timeout_ms"));
    o.retry.maxAttempts = 1;
    o.tls.caFile = host.optionString("ca_file");
    o.log = [host](ijro::sdk::LogLevel level, const std::string& line) { host.log(level, line); };
    return o;
  }

  std::string url_;
  std::string token_;
  http::Client client_;
};

}  // namespace

IJRO_DEFINE_SOURCE_PLUGIN(
    HttpRecords, "http-records", "1.0.0", "Records read over HTTP(S), one per page.",
    ijro::sdk::required(ijro::sdk::OptionType::String, "url", "The first page."),
    ijro::sdk::required(ijro::sdk::OptionType::String, "token", "The bearer token."),
    ijro::sdk::option(ijro::sdk::OptionType::String, "ca_file", "", "CA file; \"\": system."),
    ijro::sdk::option(ijro::sdk::OptionType::Int, "timeout_ms", "10000", "Per request."))
