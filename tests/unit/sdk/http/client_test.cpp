// The SDK's HTTP client over plain HTTP against a loopback test server: requests as sent,
// retries and back-off (through an injected sleep, so nothing waits), timeouts, the size limit,
// redirects, conditional requests and secrets kept out of errors and logs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <ijro_http.hpp>
#include <string>
#include <vector>

#include "tests/unit/sdk/http/test_server.hpp"

namespace {

using namespace std::chrono_literals;
using ijro::sdk::LogLevel;
using ijro::sdk::http::Client;
using ijro::sdk::http::ClientOptions;
using ijro::sdk::http::ConditionalState;
using ijro::sdk::http::Error;
using ijro::sdk::http::ErrorKind;
using ijro::sdk::http::Method;
using ijro::sdk::http::Request;
using ijro::sdk::http::Response;
using ijro::test::http::Received;
using ijro::test::http::Reply;
using ijro::test::http::TestServer;
using ::testing::HasSubstr;
using ::testing::Not;

// What a client did besides its requests: the waits it asked for and the lines it logged.
struct Observed {
  std::vector<std::chrono::milliseconds> sleeps;
  std::vector<std::string> lines;
};

ClientOptions observedOptions(Observed& observed) {
  ClientOptions options;
  options.connectTimeout = 5s;
  options.requestTimeout = 10s;
  options.sleep = [&observed](std::chrono::milliseconds d) { observed.sleeps.push_back(d); };
  options.log = [&observed](LogLevel, const std::string& line) { observed.lines.push_back(line); };
  return options;
}

// A loopback port nothing listens on: bound, then closed.
std::uint16_t closedPort() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

template <class F>
Error errorOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no ijro::sdk::http::Error was thrown";
  return Error(ErrorKind::InvalidRequest, "", "none");
}

TEST(HttpClient, GetSendsItsHeadersAndReturnsStatusHeadersAndBody) {
  TestServer server([](const Received&) {
    return Reply{200, {{"Content-Type", "application/json"}, {"X-Total", "3"}}, "{\"ok\":true}"};
  });
  Observed observed;
  Client client(observedOptions(observed));
  const Response r =
      client.get(server.url("/measures?region=1703"), {{"Accept", "application/json"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"ok\":true}");
  EXPECT_EQ(r.header("x-total"), "3");
  EXPECT_EQ(r.header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(r.attempts, 1);
  const auto seen = server.received();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].target, "/measures?region=1703");
  EXPECT_EQ(seen[0].header("accept"), "application/json");
  EXPECT_EQ(seen[0].header("host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen[0].header("user-agent"), "ijro-hub-plugin");

  // A User-Agent of the caller's replaces the client's.
  client.get(server.url("/"), {{"User-Agent", "moh-adapter/1.0"}});
  EXPECT_EQ(server.received().at(1).header("user-agent"), "moh-adapter/1.0");
}

TEST(HttpClient, PostSendsItsBodyAndContentType) {
  TestServer server([](const Received& r) { return Reply{201, {}, "got " + r.body}; });
  Observed observed;
  Client client(observedOptions(observed));
  const Response r = client.post(server.url("/reports"), "{\"a\":1}", "application/json");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "got {\"a\":1}");
  const auto seen = server.received();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].header("content-type"), "application/json");
  EXPECT_EQ(seen[0].header("content-length"), "7");
}

TEST(HttpClient, HeadReadsTheHeadersOfABodyItDoesNotFetch) {
  TestServer server([](const Received&) { return Reply{200, {{"Content-Length", "1234"}}, ""}; });
  Observed observed;
  Client client(observedOptions(observed));
  const Response r = client.head(server.url("/big"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-length"), "1234");
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(server.received().at(0).method, "HEAD");
}

TEST(HttpClient, Retries503ThenSucceedsWaitingWithBackoffThroughTheInjectedSleep) {
  int calls = 0;
  TestServer server([&calls](const Received&) {
    return ++calls < 3 ? Reply{503, {}, "busy"} : Reply{200, {}, "done"};
  });
  Observed observed;
  Client client(observedOptions(observed));
  const Response r = client.get(server.url("/x"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "done");
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(server.received().size(), 3u);
  // Equal jitter around 500 ms, then 1000 ms (the default policy).
  ASSERT_EQ(observed.sleeps.size(), 2u);
  EXPECT_GE(observed.sleeps[0], 250ms);
  EXPECT_LE(observed.sleeps[0], 500ms);
  EXPECT_GE(observed.sleeps[1], 500ms);
  EXPECT_LE(observed.sleeps[1], 1000ms);
  EXPECT_EQ(client.retryBudgetLeft(), ClientOptions{}.retry.budget - 2);
}

TEST(HttpClient, HonoursRetryAfterThroughTheInjectedSleep) {
  int calls = 0;
  TestServer server([&calls](const Received&) {
    return ++calls == 1 ? Reply{429, {{"Retry-After", "7"}}, ""} : Reply{200, {}, "ok"};
  });
  Observed observed;
  Client client(observedOptions(observed));
  const Response r = client.get(server.url("/x"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(observed.sleeps, std::vector<std::chrono::milliseconds>{7000ms});
}

TEST(HttpClient, ARetryAfterBeyondTheCapIsNotWaitedButReturned) {
  TestServer server([](const Received&) { return Reply{503, {{"Retry-After", "3600"}}, ""}; });
  Observed observed;
  Client client(observedOptions(observed));
  const Response r = client.get(server.url("/x"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.retryAfter, std::chrono::seconds(3600));
  EXPECT_TRUE(observed.sleeps.empty());
  EXPECT_EQ(server.received().size(), 1u);
}

TEST(HttpClient, NeverRetriesA4xxOtherThan408And429) {
  for (const int status : {400, 401, 403, 404, 410, 422}) {
    TestServer server([status](const Received&) { return Reply{status, {}, "no"}; });
    Observed observed;
    Client client(observedOptions(observed));
    const Response r = client.get(server.url("/missing"));
    EXPECT_EQ(r.status, status);
    EXPECT_EQ(r.attempts, 1) << status;
    EXPECT_EQ(server.received().size(), 1u) << status;
    EXPECT_TRUE(observed.sleeps.empty()) << status;
  }
  int calls = 0;
  TestServer server([&calls](const Received&) {
    return ++calls == 1 ? Reply{408, {}, ""} : Reply{200, {}, ""};
  });
  Observed observed;
  Client client(observedOptions(observed));
  EXPECT_EQ(client.get(server.url("/slow")).attempts, 2);
}

TEST(HttpClient, GivesUpAfterMaxAttemptsAndReturnsTheLastAnswer) {
  TestServer server([](const Received&) { return Reply{500, {}, "broken"}; });
  Observed observed;
  auto options = observedOptions(observed);
  options.retry.maxAttempts = 3;
  Client client(options);
  const Response r = client.get(server.url("/x"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(server.received().size(), 3u);
  const Error e = errorOf([&] { r.requireSuccess(); });
  EXPECT_EQ(e.kind(), ErrorKind::HttpStatus);
  EXPECT_EQ(e.status(), 500);
  EXPECT_THAT(e.what(), HasSubstr("HTTP 500"));
  EXPECT_THAT(e.what(), HasSubstr("after 3 attempts"));
  EXPECT_THAT(e.what(), HasSubstr("broken"));
}

TEST(HttpClient, TheRetryBudgetLimitsRetriesAcrossRequestsUntilReset) {
  TestServer server([](const Received&) { return Reply{503, {}, ""}; });
  Observed observed;
  auto options = observedOptions(observed);
  options.retry.maxAttempts = 4;
  options.retry.budget = 2;
  Client client(options);
  EXPECT_EQ(client.get(server.url("/a")).attempts, 3);  // two retries spend the budget
  EXPECT_EQ(client.retryBudgetLeft(), 0);
  EXPECT_EQ(client.get(server.url("/b")).attempts, 1);  // none left
  EXPECT_THAT(observed.lines.back(), HasSubstr("retry budget"));
  client.resetRetryBudget();
  EXPECT_EQ(client.get(server.url("/c")).attempts, 3);
  EXPECT_EQ(server.received().size(), 7u);
}

TEST(HttpClient, APostIsNotRetriedOn503ButIsOn429) {
  TestServer busy([](const Received&) { return Reply{503, {}, ""}; });
  Observed observed;
  Client client(observedOptions(observed));
  EXPECT_EQ(client.post(busy.url("/r"), "x", "text/plain").attempts, 1);
  EXPECT_EQ(busy.received().size(), 1u);

  int calls = 0;
  TestServer limited([&calls](const Received&) {
    return ++calls == 1 ? Reply{429, {{"Retry-After", "1"}}, ""} : Reply{200, {}, ""};
  });
  EXPECT_EQ(client.post(limited.url("/r"), "x", "text/plain").status, 200);
  EXPECT_EQ(limited.received().size(), 2u);
}

TEST(HttpClient, RetriesARefusedConnectionThenSaysWhatFailedAndWhere) {
  Observed observed;
  auto options = observedOptions(observed);
  options.retry.maxAttempts = 3;
  Client client(options);
  const std::uint16_t port = closedPort();
  const Error e = errorOf([&] { client.get("http://127.0.0.1:" + std::to_string(port) + "/x"); });
  EXPECT_EQ(e.kind(), ErrorKind::Connect);
  EXPECT_EQ(e.attempts(), 3);
  EXPECT_EQ(observed.sleeps.size(), 2u);
  EXPECT_THAT(e.what(), HasSubstr("cannot connect to 127.0.0.1:" + std::to_string(port)));
  EXPECT_THAT(e.what(), HasSubstr("after 3 attempts"));
  EXPECT_THAT(e.what(), HasSubstr("check that the server runs"));
}

TEST(HttpClient, TheRequestTimeoutFiresWhenTheServerNeverAnswers) {
  TestServer server([](const Received&) {
    Reply r;
    r.hang = true;
    return r;
  });
  Observed observed;
  auto options = observedOptions(observed);
  options.requestTimeout = 300ms;
  options.retry.maxAttempts = 2;
  Client client(options);
  const auto started = std::chrono::steady_clock::now();
  const Error e = errorOf([&] { client.get(server.url("/stuck")); });
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(e.kind(), ErrorKind::Timeout);
  EXPECT_EQ(e.attempts(), 2);
  EXPECT_THAT(e.what(), HasSubstr("within 300 ms (requestTimeout)"));
  // The server saw both attempts; the client waited about 2 x 300 ms, not a default timeout.
  EXPECT_TRUE(server.waitForRequests(2));
  EXPECT_LT(took, 5s);
  EXPECT_GE(took, 600ms);
}

TEST(HttpClient, TheConnectTimeoutFiresWhenNoConnectionIsMade) {
  // A listener that never accepts, its queue filled: the kernel drops further connection
  // attempts, so a connect waits until its own timeout.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor full(ioc);
  const boost::asio::ip::tcp::endpoint any(boost::asio::ip::make_address("127.0.0.1"), 0);
  full.open(any.protocol());
  full.bind(any);
  full.listen(0);
  const auto endpoint = full.local_endpoint();
  // Plain non-blocking connects (Asio's own connect would wait for completion): the first fills
  // the queue, the second already waits on it.
  std::vector<int> queued;
  for (int i = 0; i < 2; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(endpoint.port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
    queued.push_back(fd);
  }
  Observed observed;
  auto options = observedOptions(observed);
  options.connectTimeout = 300ms;
  options.retry.maxAttempts = 1;
  Client client(options);
  const auto started = std::chrono::steady_clock::now();
  const Error e =
      errorOf([&] { client.get("http://127.0.0.1:" + std::to_string(endpoint.port()) + "/"); });
  EXPECT_EQ(e.kind(), ErrorKind::Timeout);
  EXPECT_THAT(e.what(), HasSubstr("within 300 ms (connectTimeout)"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  for (const int fd : queued) ::close(fd);
}

TEST(HttpClient, RefusesAResponseLargerThanTheLimitByLengthOrAsRead) {
  const std::string big(5000, 'x');
  Observed observed;
  auto options = observedOptions(observed);
  options.maxResponseBytes = 1000;
  Client client(options);

  TestServer declared([&big](const Received&) { return Reply{200, {}, big}; });
  Error e = errorOf([&] { client.get(declared.url("/big")); });
  EXPECT_EQ(e.kind(), ErrorKind::TooLarge);
  EXPECT_THAT(e.what(), HasSubstr("larger than 1000 bytes (maxResponseBytes)"));

  TestServer chunked([&big](const Received&) {
    return Reply{200, {{"Transfer-Encoding", "chunked"}}, big};
  });
  e = errorOf([&] { client.get(chunked.url("/big")); });
  EXPECT_EQ(e.kind(), ErrorKind::TooLarge);

  TestServer fits([](const Received&) { return Reply{200, {}, std::string(1000, 'y')}; });
  EXPECT_EQ(client.get(fits.url("/ok")).body.size(), 1000u);
}

TEST(HttpClient, FollowsRedirectsUpToTheLimit) {
  TestServer server([](const Received& r) {
    if (r.target == "/old") return Reply{301, {{"Location", "/new?x=1"}}, ""};
    if (r.target.rfind("/loop/", 0) == 0)
      return Reply{
          302, {{"Location", "/loop/" + std::to_string(std::stoi(r.target.substr(6)) + 1)}}, ""};
    return Reply{200, {}, "here: " + r.target};
  });
  Observed observed;
  auto options = observedOptions(observed);
  options.maxRedirects = 3;
  Client client(options);
  const Response r = client.get(server.url("/old"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "here: /new?x=1");
  EXPECT_EQ(r.url, server.url("/new?x=1"));
  EXPECT_EQ(r.redirects, 1);

  const Error e = errorOf([&] { client.get(server.url("/loop/0")); });
  EXPECT_EQ(e.kind(), ErrorKind::Redirect);
  EXPECT_THAT(e.what(), HasSubstr("more than 3 redirects"));
}

TEST(HttpClient, A303TurnsAPostIntoAGetWithoutItsBody) {
  TestServer server([](const Received& r) {
    if (r.target == "/submit") return Reply{303, {{"Location", "/receipt"}}, ""};
    return Reply{200, {}, r.method + " " + r.target + " [" + r.body + "]"};
  });
  Observed observed;
  Client client(observedOptions(observed));
  EXPECT_EQ(client.post(server.url("/submit"), "payload", "text/plain").body, "GET /receipt []");
}

TEST(HttpClient, ARedirectToAnotherHostDoesNotCarryTheCredentials) {
  TestServer other([](const Received&) { return Reply{200, {}, "other"}; });
  TestServer first([&other](const Received&) {
    return Reply{307, {{"Location", other.url("/elsewhere")}}, ""};
  });
  Observed observed;
  auto options = observedOptions(observed);
  options.secretHeaders = {"X-Api-Key"};
  Client client(options);
  const Response r = client.get(first.url("/start"), {ijro::sdk::http::bearer("s3cret-token"),
                                                      {"X-Api-Key", "k3y-value"},
                                                      {"Accept", "text/plain"}});
  EXPECT_EQ(r.body, "other");
  EXPECT_EQ(first.received().at(0).header("authorization"), "Bearer s3cret-token");
  const Received atOther = other.received().at(0);
  EXPECT_EQ(atOther.header("authorization"), "");
  EXPECT_EQ(atOther.header("x-api-key"), "");
  EXPECT_EQ(atOther.header("accept"), "text/plain");
}

TEST(HttpClient, AnETagRoundTripThroughTheCheckpointEndsInNotModified) {
  TestServer server([](const Received& r) {
    if (r.header("if-none-match") == "\"v1\"") return Reply{304, {{"ETag", "\"v1\""}}, ""};
    return Reply{200,
                 {{"ETag", "\"v1\""}, {"Last-Modified", "Tue, 03 Mar 2026 10:00:00 GMT"}},
                 "the resource"};
  });
  Observed observed;
  Client client(observedOptions(observed));
  const std::string url = server.url("/MeasureReport?_lastUpdated=gt2026-01-01");

  ConditionalState first;
  const Response fresh = client.send(Request{Method::Get, url, {}, {}, {}}, first);
  EXPECT_EQ(fresh.status, 200);
  EXPECT_FALSE(fresh.notModified);
  ASSERT_TRUE(first.find(url));
  EXPECT_EQ(first.find(url)->etag, "\"v1\"");

  // As a plugin does: the state goes into the checkpoint and comes back at the next poll.
  ConditionalState restored = ConditionalState::parse(first.serialize());
  const Response again = client.send(Request{Method::Get, url, {}, {}, {}}, restored);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.notModified);
  EXPECT_TRUE(again.body.empty());
  EXPECT_NO_THROW(again.requireSuccess());
  const auto seen = server.received();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].header("if-none-match"), "");
  EXPECT_EQ(seen[1].header("if-none-match"), "\"v1\"");
  EXPECT_EQ(seen[1].header("if-modified-since"), "Tue, 03 Mar 2026 10:00:00 GMT");

  // Without the state the same request is not conditional and not "not modified".
  EXPECT_FALSE(client.get(url).notModified);
}

TEST(HttpClient, TheBearerValueIsAbsentFromErrorsAndLogs) {
  const std::string token = "eyJhbGciOi.secret-bearer-value";
  // A server that echoes the Authorization header in its error page, as some do.
  TestServer echo([](const Received& r) {
    return Reply{401, {}, "invalid credentials: " + r.header("authorization")};
  });
  Observed observed;
  auto options = observedOptions(observed);
  options.requestTimeout = 200ms;
  options.retry.maxAttempts = 2;
  Client client(options);
  const Response r = client.get(echo.url("/x"), {ijro::sdk::http::bearer(token)});
  ASSERT_EQ(r.status, 401);
  ASSERT_THAT(r.body, HasSubstr(token));  // the body itself is the plugin's, as received
  const Error denied = errorOf([&] { r.requireSuccess(); });
  EXPECT_THAT(denied.what(), HasSubstr("HTTP 401"));
  EXPECT_THAT(denied.what(), HasSubstr("invalid credentials: ***"));
  EXPECT_THAT(denied.what(), Not(HasSubstr("secret-bearer-value")));

  // A timeout and its retry, the token in the header and in the URL's query.
  TestServer stuck([](const Received&) {
    Reply reply;
    reply.hang = true;
    return reply;
  });
  const Error timedOut = errorOf([&] {
    client.get(stuck.url("/y?access_token=" + token + "&page=2"), {ijro::sdk::http::bearer(token)});
  });
  EXPECT_EQ(timedOut.kind(), ErrorKind::Timeout);
  EXPECT_THAT(timedOut.what(), HasSubstr("access_token=***&page=2"));
  EXPECT_THAT(timedOut.what(), Not(HasSubstr("secret-bearer-value")));
  EXPECT_THAT(timedOut.url(), Not(HasSubstr("secret-bearer-value")));
  ASSERT_FALSE(observed.lines.empty());
  for (const auto& line : observed.lines) EXPECT_THAT(line, Not(HasSubstr("secret-bearer-value")));

  // Credentials in the URL go out as Basic auth and never into a message.
  const std::uint16_t port = closedPort();
  const Error refused = errorOf(
      [&] { client.get("http://reader:pa55word@127.0.0.1:" + std::to_string(port) + "/z"); });
  EXPECT_THAT(refused.what(), Not(HasSubstr("pa55word")));
  EXPECT_THAT(refused.what(), Not(HasSubstr("reader")));
}

TEST(HttpClient, CredentialsInTheUrlAreSentAsBasicAuth) {
  TestServer server([](const Received&) { return Reply{200, {}, ""}; });
  Observed observed;
  Client client(observedOptions(observed));
  client.get("http://Aladdin:open%20sesame@127.0.0.1:" + std::to_string(server.port()) + "/");
  // RFC 7617's own example.
  EXPECT_EQ(server.received().at(0).header("authorization"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(ijro::sdk::http::basic("Aladdin", "open sesame").value,
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

TEST(HttpClient, RequestsThatCannotBeSentAreRefusedBeforeAnythingGoesOut) {
  TestServer server([](const Received&) { return Reply{200, {}, ""}; });
  Observed observed;
  Client client(observedOptions(observed));
  Error e = errorOf([&] { client.get(server.url("/"), {{"X-Note", "a\r\nInjected: yes"}}); });
  EXPECT_EQ(e.kind(), ErrorKind::InvalidRequest);
  EXPECT_THAT(e.what(), HasSubstr("line break"));
  e = errorOf([&] { client.get(server.url("/"), {{"Bad Name", "x"}}); });
  EXPECT_EQ(e.kind(), ErrorKind::InvalidRequest);
  e = errorOf([&] { client.get("ftp://127.0.0.1/file"); });
  EXPECT_THAT(e.what(), HasSubstr("use http:// or https://"));
  e = errorOf([&] { client.get("not a url"); });
  EXPECT_EQ(e.kind(), ErrorKind::InvalidRequest);
  EXPECT_TRUE(server.received().empty());
  EXPECT_THROW(ijro::sdk::http::bearer("token\n"), std::invalid_argument);
}

TEST(HttpClient, OptionsThatCannotWorkAreRefusedWhenTheClientIsMade) {
  ClientOptions options;
  options.retry.maxAttempts = 0;
  EXPECT_THAT(errorOf([&] { Client c(options); }).what(), HasSubstr("maxAttempts"));
  options = ClientOptions{};
  options.maxResponseBytes = 0;
  EXPECT_EQ(errorOf([&] { Client c(options); }).kind(), ErrorKind::InvalidRequest);
}

}  // namespace
