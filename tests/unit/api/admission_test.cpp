// Api::admit, the server's head check: 401 before the body, a token bucket per token, and the
// throttle of unknown tokens per address. The clock is the test's own.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "hub/api/api.hpp"
#include "hub/base/sha256.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::api {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kWriter = "writer-token-0123456789";
constexpr const char* kReader = "reader-token-0123456789";

std::string retryAfter(const http::Response& r) {
  for (const auto& [name, value] : r.headers)
    if (name == "Retry-After") return value;
  return {};
}

class AdmissionTest : public ::testing::Test {
 protected:
  void make(AdmissionSettings a) {
    store_ = store::Store::open("sqlite:" + (test::tempDir("admission") / "hub.db").string(), 1);
    Settings s;
    auto writer = intake::Scope::writer("writer");
    writer.tokenSha256 = base::sha256Hex(kWriter);
    intake::Scope reader;
    reader.id = "reader";
    reader.read = true;
    reader.tokenSha256 = base::sha256Hex(kReader);
    s.scopes = {writer, reader};
    a.clock = [this] { return now_; };
    s.admission = a;
    api_ = std::make_unique<Api>(std::move(s), *store_);
  }
  static http::Request head(const std::string& method, const std::string& path,
                            const std::string& token, const std::string& remote = "10.0.0.1:5000") {
    http::Request r;
    r.method = method;
    r.target = path;
    r.path = path;
    r.remote = remote;
    if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
    return r;
  }
  Clock::time_point now_ = Clock::now();
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Api> api_;
};

TEST_F(AdmissionTest, MissingOrUnknownTokenIs401FromTheHeadAlone) {
  make({});
  auto missing = api_->admit(head("POST", "/api/v1/reports", ""));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  EXPECT_NE(missing->body.find("missing Authorization header"), std::string::npos);
  auto unknown = api_->admit(head("GET", "/api/v1/measures", "guess-0000000000000000"));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 401);
  // A path that does not exist needs a token too; the public ones do not.
  EXPECT_EQ(api_->admit(head("GET", "/api/v1/nothing", ""))->status, 401);
  EXPECT_FALSE(api_->admit(head("GET", "/healthz", "")));
  EXPECT_FALSE(api_->admit(head("POST", "/api/v1/feeds", "")));
  // A valid token is admitted; its rights are handle()'s to check.
  EXPECT_FALSE(api_->admit(head("POST", "/api/v1/reports", kWriter)));
  EXPECT_FALSE(api_->admit(head("POST", "/api/v1/reports", kReader)));
  EXPECT_EQ(api_->counters().unauthorized.load(), 3u);
}

TEST_F(AdmissionTest, TokenPastItsRateGets429WithRetryAfterUntilTheBucketRefills) {
  AdmissionSettings a;
  a.tokenRate = 2;
  a.tokenBurst = 3;
  make(a);
  for (int i = 0; i < 3; ++i)
    EXPECT_FALSE(api_->admit(head("GET", "/api/v1/measures", kReader))) << i;
  auto limited = api_->admit(head("GET", "/api/v1/measures", kReader));
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(retryAfter(*limited), "1");
  EXPECT_NE(limited->body.find("tokenRate"), std::string::npos) << limited->body;
  // Another token has its own bucket.
  EXPECT_FALSE(api_->admit(head("POST", "/api/v1/reports", kWriter)));
  // Half a second gives one request back at 2 per second, not two.
  now_ += 500ms;
  EXPECT_FALSE(api_->admit(head("GET", "/api/v1/measures", kReader)));
  EXPECT_EQ(api_->admit(head("GET", "/api/v1/measures", kReader))->status, 429);
  now_ += 10s;  // refills up to the burst only
  for (int i = 0; i < 3; ++i)
    EXPECT_FALSE(api_->admit(head("GET", "/api/v1/measures", kReader))) << i;
  EXPECT_EQ(api_->admit(head("GET", "/api/v1/measures", kReader))->status, 429);
  EXPECT_EQ(api_->counters().rateLimited.load(), 3u);
}

TEST_F(AdmissionTest, AddressWithTooManyUnknownTokensGets429EvenWithAValidOne) {
  AdmissionSettings a;
  a.authFailures = 3;
  a.authWindow = 60s;
  make(a);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(api_->admit(head("GET", "/api/v1/measures", "guess-" + std::to_string(i)))->status,
              401);
  auto throttled = api_->admit(head("GET", "/api/v1/measures", "guess-3"));
  ASSERT_TRUE(throttled);
  EXPECT_EQ(throttled->status, 429);
  EXPECT_EQ(retryAfter(*throttled), "60");
  // A right guess from that address gets no further: guessing is as slow as the window.
  EXPECT_EQ(api_->admit(head("GET", "/api/v1/measures", kReader))->status, 429);
  // Another address is not throttled; the same address from another port is.
  EXPECT_FALSE(api_->admit(head("GET", "/api/v1/measures", kReader, "10.0.0.2:5000")));
  EXPECT_EQ(api_->admit(head("GET", "/api/v1/measures", kReader, "10.0.0.1:6000"))->status, 429);
  // Public routes stay open to it.
  EXPECT_FALSE(api_->admit(head("GET", "/healthz", "", "10.0.0.1:6000")));
  now_ += 30s;
  EXPECT_EQ(retryAfter(*api_->admit(head("GET", "/api/v1/measures", kReader))), "30");
  now_ += 30s;  // the window has passed
  EXPECT_FALSE(api_->admit(head("GET", "/api/v1/measures", kReader)));
  EXPECT_EQ(api_->counters().authThrottled.load(), 4u);
}

TEST_F(AdmissionTest, MissingTokensDoNotCountAsGuesses) {
  AdmissionSettings a;
  a.authFailures = 2;
  make(a);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(api_->admit(head("GET", "/metrics", ""))->status, 401);
  EXPECT_FALSE(api_->admit(head("GET", "/metrics", kReader)));
}

TEST_F(AdmissionTest, IPv6AddressesAreThrottledByAddress) {
  AdmissionSettings a;
  a.authFailures = 1;
  make(a);
  EXPECT_EQ(api_->admit(head("GET", "/metrics", "guess", "[::1]:4000"))->status, 401);
  EXPECT_EQ(api_->admit(head("GET", "/metrics", kReader, "[::1]:4001"))->status, 429);
  EXPECT_FALSE(api_->admit(head("GET", "/metrics", kReader, "[::2]:4001")));
}

// Behind a trusted proxy each client is throttled by the address X-Forwarded-For names, so one
// guesser does not lock everyone out; the entries a client wrote itself (left of those the
// proxies appended) are not believed, and a peer that is not a trusted proxy is its own address
// whatever it claims.
TEST_F(AdmissionTest, BehindATrustedProxyTheForwardedClientIsThrottledNotTheProxy) {
  AdmissionSettings a;
  a.authFailures = 2;
  a.trustedProxies = {"10.0.0.9", "10.0.0.8"};
  make(a);
  auto via = [&](const std::string& token, const std::string& forwarded,
                 const std::string& remote = "10.0.0.9:4000") {
    auto r = head("GET", "/api/v1/measures", token, remote);
    if (!forwarded.empty()) r.headers["x-forwarded-for"] = forwarded;
    return api_->admit(r);
  };
  // The guesser claims another address; the proxies appended what they saw (203.0.113.5).
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(via("guess-" + std::to_string(i), "198.51.100.1, 203.0.113.5, 10.0.0.8")->status,
              401);
  EXPECT_EQ(via(kReader, "203.0.113.5")->status, 429);
  EXPECT_EQ(via(kReader, "198.51.100.1, 203.0.113.5:5555")->status, 429);
  // Other clients of the same proxy, and the address the guesser claimed, go on.
  EXPECT_FALSE(via(kReader, "203.0.113.6"));
  EXPECT_FALSE(via(kReader, "198.51.100.1"));
  EXPECT_FALSE(via(kReader, "[2001:db8::1]:80"));
  // A peer that is not a trusted proxy is not believed: its own address is counted.
  for (int i = 0; i < 2; ++i) EXPECT_EQ(via("guess", "203.0.113.7", "192.0.2.1:1000")->status, 401);
  EXPECT_EQ(via(kReader, "203.0.113.8", "192.0.2.1:1001")->status, 429);
  EXPECT_FALSE(via(kReader, "203.0.113.7"));
  // A request through the proxy without the header, or with garbage, counts against the proxy.
  EXPECT_EQ(via("guess", "")->status, 401);
  EXPECT_EQ(via("guess", "not an address")->status, 401);
  EXPECT_EQ(via(kReader, "")->status, 429);
}

}  // namespace
}  // namespace ijro::api
