// The HTTP client's parts that need no network: Retry-After, back-off bounds, which statuses are
// retried, URLs as messages show them, the conditional state's text form and auth headers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ijro_http.hpp>
#include <random>
#include <set>

#include "sdk/http/retry.hpp"
#include "sdk/http/url.hpp"

namespace {

using namespace std::chrono_literals;
using ijro::sdk::http::ConditionalState;
namespace detail = ijro::sdk::http::detail;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(HttpClientParts, RetryAfterIsReadAsSecondsOrAsAnHttpDate) {
  const auto now = std::chrono::system_clock::from_time_t(784111777);  // 1994-11-06 08:49:37 UTC
  EXPECT_EQ(detail::parseRetryAfter("120", now), 120s);
  EXPECT_EQ(detail::parseRetryAfter(" 0 ", now), 0s);
  EXPECT_EQ(detail::parseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", now), 30s);
  EXPECT_EQ(detail::parseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now), 0s);  // past
  EXPECT_FALSE(detail::parseRetryAfter("soon", now));
  EXPECT_FALSE(detail::parseRetryAfter("-5", now));
  EXPECT_FALSE(detail::parseRetryAfter("Sun, 06 Foo 1994 08:50:07 GMT", now));
}

TEST(HttpClientParts, BackoffDoublesUpToTheMaximumWithJitterInTheUpperHalf) {
  ijro::sdk::http::RetryPolicy policy;
  policy.initialDelay = 100ms;
  policy.maxDelay = 1000ms;
  std::minstd_rand random(42);
  for (int i = 0; i < 200; ++i) {
    const auto first = detail::backoff(policy, 1, random);
    EXPECT_GE(first, 50ms);
    EXPECT_LE(first, 100ms);
    const auto third = detail::backoff(policy, 3, random);
    EXPECT_GE(third, 200ms);
    EXPECT_LE(third, 400ms);
    const auto tenth = detail::backoff(policy, 10, random);
    EXPECT_GE(tenth, 500ms);
    EXPECT_LE(tenth, 1000ms);
  }
  // Jitter: the waits are not all the same.
  std::set<long> seen;
  for (int i = 0; i < 20; ++i)
    seen.insert(static_cast<long>(detail::backoff(policy, 3, random).count()));
  EXPECT_GT(seen.size(), 1u);
}

TEST(HttpClientParts, OnlyTimeoutsThrottlingAndServerErrorsAreRetried) {
  for (const int s : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(detail::retryableStatus(s)) << s;
  for (const int s : {200, 304, 400, 401, 403, 404, 409, 410, 422})
    EXPECT_FALSE(detail::retryableStatus(s)) << s;
}

TEST(HttpClientParts, MessagesShowUrlsWithoutCredentialsOrSecretQueryValues) {
  EXPECT_EQ(detail::redactUrl("https://u:p@api.example.uz/x?access_token=abc&page=2&API_KEY=z", {}),
            "https://api.example.uz/x?access_token=***&page=2&API_KEY=***");
  EXPECT_EQ(detail::redactUrl("https://api.example.uz/x?tenant=t1&mine=s", {"Mine"}),
            "https://api.example.uz/x?tenant=t1&mine=***");
  EXPECT_EQ(detail::redactUrl("::: not a url", {}), "(a URL that does not parse)");
  ijro::sdk::http::Client client;
  EXPECT_EQ(client.safeUrl("http://a.example/?sig=1"), "http://a.example/?sig=***");
}

TEST(HttpClientParts, TheConditionalStateSurvivesItsTextFormAndRefusesOtherText) {
  ConditionalState state;
  state.remember("https://fhir.example.uz/MeasureReport?_count=50", {"W/\"7\"", ""});
  state.remember("https://u:p@files.example.uz/sheet.xlsx#top",
                 {"", "Tue, 03 Mar 2026 10:00:00 GMT"});
  state.remember("https://odd.example.uz/x", {"tab\there\\new\nline", "x"});
  const ConditionalState back = ConditionalState::parse(state.serialize());
  EXPECT_EQ(back.size(), 3u);
  EXPECT_EQ(back.find("https://fhir.example.uz/MeasureReport?_count=50")->etag, "W/\"7\"");
  // Keyed without credentials and fragment.
  EXPECT_EQ(back.find("https://files.example.uz/sheet.xlsx")->lastModified,
            "Tue, 03 Mar 2026 10:00:00 GMT");
  EXPECT_EQ(back.find("https://odd.example.uz/x")->etag, "tab\there\\new\nline");
  EXPECT_EQ(back.serialize(), state.serialize());
  // No secret of a URL reaches the checkpoint; the same resource is found with another token.
  ConditionalState tokened;
  tokened.remember("https://api.example.uz/tasks?access_token=s3cr3t-value&page=1", {"\"9\"", ""});
  EXPECT_THAT(tokened.serialize(), Not(HasSubstr("s3cr3t-value")));
  EXPECT_EQ(tokened.find("https://api.example.uz/tasks?access_token=other&page=1")->etag, "\"9\"");
  EXPECT_EQ(ConditionalState::parse("").size(), 0u);

  try {
    ConditionalState::parse("https://a.example/\t\"1\"\t\nonly one field\n");
    FAIL() << "a malformed line was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("line 2"));
  }
  EXPECT_THROW(ConditionalState::parse("https://a.example/\t\\q\t\n"), std::invalid_argument);
}

TEST(HttpClientParts, AuthHeadersCarryTheValuesGiven) {
  EXPECT_EQ(ijro::sdk::http::bearer("abc.def").value, "Bearer abc.def");
  EXPECT_EQ(ijro::sdk::http::bearer("abc.def").name, "Authorization");
  EXPECT_EQ(ijro::sdk::http::basic("a", "").value, "Basic YTo=");
  EXPECT_EQ(ijro::sdk::http::basic("ab", "c").value, "Basic YWI6Yw==");
  EXPECT_THROW(ijro::sdk::http::basic("a:b", "c"), std::invalid_argument);
  EXPECT_THROW(ijro::sdk::http::bearer(""), std::invalid_argument);
}

}  // namespace
