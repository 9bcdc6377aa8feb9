// The dashboard's files as the hub serves them: embedded, found by URL path, with the headers a
// browser needs (security policy, validators), and reachable through the API without a token.
#include "hub/dashboard/dashboard.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "hub/api/api.hpp"
#include "hub/dashboard/embedded.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::dashboard {
namespace {

using ::testing::HasSubstr;

http::Request request(const std::string& method, const std::string& path,
                      std::map<std::string, std::string> headers = {}) {
  http::Request r;
  r.method = method;
  r.path = r.target = path;
  r.headers = std::move(headers);
  return r;
}

std::string headerOf(const http::Response& res, const std::string& name) {
  for (const auto& [n, v] : res.headers)
    if (n == name) return v;
  return {};
}

TEST(Dashboard, RootServesTheAppWithSecurityHeadersAndValidators) {
  auto res = serve(request("GET", "/"));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.contentType, "text/html; charset=utf-8");
  EXPECT_THAT(res.body, HasSubstr("<script type=\"module\" src=\"/ui/app.js\"></script>"));
  const auto csp = headerOf(res, "Content-Security-Policy");
  EXPECT_THAT(csp, HasSubstr("default-src 'none'"));
  EXPECT_THAT(csp, HasSubstr("script-src 'self';"));
  EXPECT_THAT(csp, HasSubstr("connect-src 'self'"));
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
  EXPECT_EQ(headerOf(res, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(headerOf(res, "Cache-Control"), "no-cache");
  EXPECT_TRUE(std::regex_match(headerOf(res, "ETag"), std::regex("\"[0-9a-f]{32}\"")))
      << headerOf(res, "ETag");
  EXPECT_EQ(serve(request("GET", "/index.html")).body, res.body);
}

TEST(Dashboard, FilesUnderUiCarryTheMediaTypeOfTheirExtension) {
  EXPECT_EQ(serve(request("GET", "/ui/app.js")).contentType, "text/javascript; charset=utf-8");
  EXPECT_EQ(serve(request("GET", "/ui/style.css")).contentType, "text/css; charset=utf-8");
  EXPECT_EQ(serve(request("GET", "/ui/favicon.svg")).contentType, "image/svg+xml");
  EXPECT_EQ(serve(request("GET", "/ui/pages/login.js")).status, 200);
}

TEST(Dashboard, EmbeddedBytesAreTheFilesOfTheAssetsFolder) {
  const auto folder = test::sourceDir() / "hub/dashboard/assets";
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const auto rel = std::filesystem::relative(entry.path(), folder).generic_string();
    SCOPED_TRACE(rel);
    auto a = asset("/ui/" + rel);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(std::string(a->body), test::readFile(entry.path()));
  }
  EXPECT_EQ(embeddedFiles().size(), files);
}

TEST(Dashboard, UnknownFilesAndPathsLeavingTheFolderAreNotFound) {
  for (const char* path : {"/ui/nothing.js", "/ui/", "/ui/../CMakeLists.txt", "/ui/..%2fx",
                           "/ui//app.js", "/ui/pages/../app.js", "/ui/pages\\login.js"}) {
    SCOPED_TRACE(path);
    EXPECT_FALSE(asset(path).has_value());
    auto res = serve(request("GET", path));
    EXPECT_EQ(res.status, 404);
    EXPECT_THAT(res.body, HasSubstr("open / for the dashboard"));
  }
  EXPECT_FALSE(asset("/api/v1/measures").has_value());
  EXPECT_FALSE(owns("/api/v1/measures"));
  EXPECT_FALSE(owns("/uix"));
}

TEST(Dashboard, MatchingIfNoneMatchAnswers304WithoutABody) {
  const auto etag = headerOf(serve(request("GET", "/ui/app.js")), "ETag");
  auto res = serve(request("GET", "/ui/app.js", {{"if-none-match", "\"other\", " + etag}}));
  EXPECT_EQ(res.status, 304);
  EXPECT_TRUE(res.body.empty());
  EXPECT_EQ(headerOf(res, "ETag"), etag);
  EXPECT_EQ(serve(request("GET", "/ui/app.js", {{"if-none-match", "\"other\""}})).status, 200);
  // Another file's validator does not match.
  EXPECT_EQ(serve(request("GET", "/ui/api.js", {{"if-none-match", etag}})).status, 200);
}

TEST(Dashboard, HeadGivesTheHeadersAndOtherMethodsAre405) {
  auto head = serve(request("HEAD", "/"));
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_FALSE(headerOf(head, "ETag").empty());
  auto post = serve(request("POST", "/ui/app.js"));
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(headerOf(post, "Allow"), "GET, HEAD");
}

// The policy forbids inline script and style, so the page may hold none: every script has a src,
// no element has an event-handler or style attribute, and no <style> element is used.
TEST(Dashboard, TheAppNeedsNoInlineScriptOrStyle) {
  const std::string html(asset("/")->body);
  const std::regex script("<script([^>]*)>");
  std::size_t scripts = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), script);
       it != std::sregex_iterator(); ++it) {
    ++scripts;
    EXPECT_THAT((*it)[1].str(), HasSubstr("src=\"/ui/")) << it->str();
  }
  EXPECT_GT(scripts, 0u);
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(\s(on[a-z]+|style)\s*=)", std::regex::icase)));
  EXPECT_EQ(html.find("<style"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

// Every module the scripts import is embedded, and none comes from another origin.
TEST(Dashboard, EveryImportedModuleIsEmbedded) {
  const std::regex import(R"(from\s+"([^"]+)\")");
  std::size_t imports = 0;
  for (const auto& f : embeddedFiles()) {
    if (!f.path.ends_with(".js")) continue;
    const std::string text(reinterpret_cast<const char*>(f.data), f.size);
    const auto dir = std::filesystem::path(std::string(f.path)).parent_path();
    for (auto it = std::sregex_iterator(text.begin(), text.end(), import);
         it != std::sregex_iterator(); ++it) {
      ++imports;
      const std::string target = (*it)[1];
      SCOPED_TRACE(std::string(f.path) + " imports " + target);
      ASSERT_TRUE(target.starts_with("./") || target.starts_with("../"));
      const auto resolved = (dir / target).lexically_normal().generic_string();
      EXPECT_TRUE(asset("/ui/" + resolved).has_value()) << resolved;
    }
  }
  EXPECT_GT(imports, 10u);
}

// The API answers the dashboard's paths before it asks for a token; its own resources still need
// one.
TEST(Dashboard, TheApiServesTheDashboardWithoutAToken) {
  auto store = store::Store::open("sqlite:" + (test::tempDir("dashboard") / "hub.db").string(), 1);
  api::Api hub(api::Settings{}, *store);
  EXPECT_EQ(hub.handle(request("GET", "/")).status, 200);
  auto app = hub.handle(request("GET", "/ui/app.js"));
  EXPECT_EQ(app.status, 200);
  EXPECT_EQ(std::string(app.body), std::string(asset("/ui/app.js")->body));
  EXPECT_EQ(hub.handle(request("GET", "/ui/missing.js")).status, 404);
  EXPECT_EQ(hub.handle(request("GET", "/api/v1/measures")).status, 401);
}

}  // namespace
}  // namespace ijro::dashboard
