// Paging with the SDK's HTTP client against a loopback test server: a Link header over three
// pages, a next URL in the body, a cursor, offset and limit, the page maximum, loops and failures.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ijro_http_paging.hpp>
#include <string>
#include <vector>

#include "tests/unit/sdk/http/test_server.hpp"

namespace {

using namespace std::chrono_literals;
using ijro::sdk::http::Client;
using ijro::sdk::http::ClientOptions;
using ijro::sdk::http::ConditionalState;
using ijro::sdk::http::Error;
using ijro::sdk::http::ErrorKind;
using ijro::sdk::http::fetchPages;
using ijro::sdk::http::Method;
using ijro::sdk::http::Request;
using ijro::sdk::http::Response;
using ijro::test::http::Received;
using ijro::test::http::Reply;
using ijro::test::http::TestServer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

ClientOptions quiet() {
  ClientOptions o;
  o.sleep = [](std::chrono::milliseconds) {};
  return o;
}

// /items?page=N: page N of 3, each linking to the next (page 2 with a relative link).
Reply linkedPages(const Received& r) {
  if (r.target == "/items?page=1")
    return Reply{
        200, {{"Link", "</items?page=1>; rel=\"first\", </items?page=2>; rel=\"next\""}}, "one"};
  if (r.target == "/items?page=2")
    return Reply{200, {{"Link", "<?page=3>; rel=\"next last\""}}, "two"};
  if (r.target == "/items?page=3")
    return Reply{200, {{"Link", "</items?page=1>; rel=first"}}, "three"};
  return Reply{404, {}, ""};
}

Request get(const std::string& url) {
  return Request{Method::Get, url, {}, {}, {}};
}

TEST(HttpPaging, FollowsTheLinkHeaderOverThreePages) {
  TestServer server(linkedPages);
  Client client(quiet());
  std::vector<std::string> bodies;
  const auto result = fetchPages(
      client, get(server.url("/items?page=1")), ijro::sdk::http::followLinkHeader(),
      [&](const Response& page) { bodies.push_back(page.body); }, 10);
  EXPECT_THAT(bodies, ElementsAre("one", "two", "three"));
  EXPECT_EQ(result.pages, 3u);
  EXPECT_FALSE(result.next);
  EXPECT_EQ(server.received().size(), 3u);
}

TEST(HttpPaging, StopsAtTheMaximumAndSaysWhereToCarryOn) {
  TestServer server(linkedPages);
  Client client(quiet());
  std::vector<std::string> bodies;
  const auto result = fetchPages(
      client, get(server.url("/items?page=1")), ijro::sdk::http::followLinkHeader(),
      [&](const Response& page) { bodies.push_back(page.body); }, 2);
  EXPECT_THAT(bodies, ElementsAre("one", "two"));
  ASSERT_TRUE(result.next);
  EXPECT_EQ(result.next->url, server.url("/items?page=3"));
  EXPECT_EQ(server.received().size(), 2u);
}

TEST(HttpPaging, NextLinkReadsEveryLinkHeaderAndRelationList) {
  Response page;
  page.url = "https://api.example.uz/v1/tasks?page=4";
  page.headers = {{"link", "<https://api.example.uz/v1/tasks?page=3>; rel=\"prev\""},
                  {"link",
                   "<https://api.example.uz/v1/tasks?page=1>; title=\"a, b; c\"; "
                   "rel=\"first\", </v1/tasks?page=5>; rel=\"NEXT last\""}};
  EXPECT_EQ(ijro::sdk::http::nextLink(page), "https://api.example.uz/v1/tasks?page=5");
  page.headers = {{"link", "<https://api.example.uz/v1/tasks?page=3>; rel=\"prev\""}};
  EXPECT_FALSE(ijro::sdk::http::nextLink(page));
}

TEST(HttpPaging, FollowsANextUrlFoundInTheBody) {
  // A FHIR-like Bundle, reduced to "next=<url>" lines for the test's own finder.
  TestServer server([](const Received& r) {
    if (r.target == "/Bundle") return Reply{200, {}, "entries a\nnext=/Bundle?_page=2"};
    if (r.target == "/Bundle?_page=2") return Reply{200, {}, "entries b\nnext="};
    return Reply{404, {}, ""};
  });
  Client client(quiet());
  auto nextInBody = [](const Response& page) -> std::optional<std::string> {
    const auto at = page.body.find("next=");
    if (at == std::string::npos) return std::nullopt;
    return page.body.substr(at + 5);
  };
  std::vector<std::string> bodies;
  const auto result = fetchPages(
      client, get(server.url("/Bundle")), ijro::sdk::http::followBodyUrl(nextInBody),
      [&](const Response& page) { bodies.push_back(page.body); }, 10);
  EXPECT_EQ(result.pages, 2u);
  EXPECT_THAT(bodies[1], HasSubstr("entries b"));
}

TEST(HttpPaging, FollowsACursorAsAQueryParameter) {
  TestServer server([](const Received& r) {
    if (r.target == "/tasks?size=2") return Reply{200, {}, "cursor:c2"};
    if (r.target == "/tasks?size=2&after=c2") return Reply{200, {}, "cursor:c%3"};
    if (r.target == "/tasks?size=2&after=c%253") return Reply{200, {}, "cursor:"};
    return Reply{404, {}, r.target};
  });
  Client client(quiet());
  auto cursor = [](const Response& page) {
    return std::optional<std::string>(page.body.substr(7));
  };
  const auto result = fetchPages(
      client, get(server.url("/tasks?size=2")), ijro::sdk::http::followCursor("after", cursor),
      [](const Response&) {}, 10);
  EXPECT_EQ(result.pages, 3u);
}

TEST(HttpPaging, OffsetPagingEndsOnAShortPage) {
  TestServer server([](const Received& r) {
    // Five items in pages of two.
    if (r.target == "/list?limit=2") return Reply{200, {}, "a\nb"};
    if (r.target == "/list?limit=2&offset=2") return Reply{200, {}, "c\nd"};
    if (r.target == "/list?limit=2&offset=4") return Reply{200, {}, "e"};
    return Reply{404, {}, r.target};
  });
  Client client(quiet());
  auto lines = [](const Response& page) {
    return page.body.empty()
               ? std::size_t{0}
               : static_cast<std::size_t>(std::count(page.body.begin(), page.body.end(), '\n') + 1);
  };
  std::string all;
  const auto result = fetchPages(
      client, get(server.url("/list?limit=2")),
      ijro::sdk::http::followOffset("offset", "limit", 2, lines),
      [&](const Response& page) { all += page.body; }, 10);
  EXPECT_EQ(result.pages, 3u);
  EXPECT_EQ(all, "a\nbc\nde");
}

TEST(HttpPaging, APageLinkingBackIsALoopNotAnEndlessRead) {
  TestServer server([](const Received&) {
    return Reply{200, {{"Link", "</same>; rel=next"}}, ""};
  });
  Client client(quiet());
  std::size_t handed = 0;
  try {
    fetchPages(
        client, get(server.url("/same")), ijro::sdk::http::followLinkHeader(),
        [&](const Response&) { ++handed; }, 100);
    FAIL() << "a loop was followed";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Paging);
    EXPECT_THAT(e.what(), HasSubstr("already read"));
  }
  EXPECT_EQ(handed, 1u);
}

TEST(HttpPaging, AFailingPageThrowsAfterTheEarlierPagesWereHandedOver) {
  TestServer server([](const Received& r) {
    if (r.target == "/p1") return Reply{200, {{"Link", "</p2>; rel=next"}}, "first"};
    return Reply{404, {}, "gone"};
  });
  Client client(quiet());
  std::vector<std::string> bodies;
  try {
    fetchPages(
        client, get(server.url("/p1")), ijro::sdk::http::followLinkHeader(),
        [&](const Response& page) { bodies.push_back(page.body); }, 10);
    FAIL() << "the 404 was not reported";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::HttpStatus);
    EXPECT_EQ(e.status(), 404);
    EXPECT_THAT(e.what(), HasSubstr("/p2"));
  }
  EXPECT_THAT(bodies, ElementsAre("first"));
}

TEST(HttpPaging, AnUnchangedFirstPageEndsTheReadAsNotModified) {
  TestServer server([](const Received& r) {
    if (r.header("if-none-match") == "\"list-7\"") return Reply{304, {}, ""};
    return Reply{200, {{"ETag", "\"list-7\""}}, "first"};
  });
  Client client(quiet());
  ConditionalState state;
  std::size_t handed = 0;
  auto read = [&] {
    return fetchPages(
        client, get(server.url("/feed")), ijro::sdk::http::followLinkHeader(),
        [&](const Response&) { ++handed; }, 10, &state);
  };
  EXPECT_FALSE(read().notModified);
  const auto second = read();
  EXPECT_TRUE(second.notModified);
  EXPECT_EQ(second.pages, 0u);
  EXPECT_EQ(handed, 1u);
}

}  // namespace
