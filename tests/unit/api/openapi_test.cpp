// The route table (Api::routes()) against the API's description (schemas/openapi.yaml, held in
// the binary as JSON): every route is described, every described operation is a route, public
// routes are the ones described without security, and the description holds together as
// OpenAPI 3.1 (required fields, every $ref resolves, path parameters declared). Also how the
// router matches path templates and answers on public paths.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "hub/api/api.hpp"
#include "hub/api/openapi.hpp"
#include "hub/store/store.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::api {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

// The operations' methods OpenAPI knows, lower case as in a path item.
const std::set<std::string> kMethods{"get",  "put",     "post",  "delete",
                                     "head", "options", "patch", "trace"};

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

json::value description() {
  return json::parse(openApiJson());
}

// "METHOD PATH" of every operation the description has, with whether it is public
// (`security: []` on the operation).
std::map<std::string, bool> describedOperations(const json::value& doc) {
  std::map<std::string, bool> out;
  for (const auto& [path, item] : doc.at("paths").as_object())
    for (const auto& [method, op] : item.as_object()) {
      if (!kMethods.count(std::string(method))) continue;
      const auto* security = op.as_object().if_contains("security");
      out[upper(method) + " " + std::string(path)] =
          security && security->is_array() && security->as_array().empty();
    }
  return out;
}

// A row's path as the description writes it: "{name...}" (the rest of the path) is "{name}".
std::string describedPath(std::string_view path) {
  std::string out(path);
  if (auto at = out.find("...}"); at != std::string::npos) out.erase(at, 3);
  return out;
}

std::map<std::string, bool> tableOperations() {
  std::map<std::string, bool> out;
  for (const auto& r : Api::routes())
    out[std::string(r.method) + " " + describedPath(r.path)] = r.right == Right::Public;
  return out;
}

std::string listOf(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += "\n  " + i;
  return out;
}

TEST(OpenApiRoutes, EveryRouteOfTheTableIsDescribedWithItsMethodAndPath) {
  const auto doc = description();
  const auto described = describedOperations(doc);
  std::vector<std::string> missing;
  for (const auto& [op, isPublic] : tableOperations())
    if (!described.count(op)) missing.push_back(op);
  EXPECT_TRUE(missing.empty()) << "routes the hub answers that schemas/openapi.yaml does not "
                                  "describe:"
                               << listOf(missing);
}

// Fails while a described route has no row in Api::routes(): the description runs ahead of
// the code until the routes it describes are answered.
TEST(OpenApiRoutes, EveryDescribedOperationIsARouteOfTheTable) {
  const auto doc = description();
  const auto table = tableOperations();
  std::vector<std::string> missing;
  for (const auto& [op, isPublic] : describedOperations(doc))
    if (!table.count(op)) missing.push_back(op);
  EXPECT_TRUE(missing.empty()) << "operations schemas/openapi.yaml describes that Api::routes() "
                                  "does not answer:"
                               << listOf(missing);
}

TEST(OpenApiRoutes, PublicRoutesAreExactlyTheOnesDescribedWithoutSecurity) {
  const auto doc = description();
  const auto described = describedOperations(doc);
  std::vector<std::string> wrong;
  for (const auto& [op, isPublic] : tableOperations()) {
    auto it = described.find(op);
    if (it != described.end() && it->second != isPublic)
      wrong.push_back(op + (isPublic ? ": public in the table, needs a token in the description"
                                     : ": needs a token in the table, public in the description"));
  }
  EXPECT_TRUE(wrong.empty()) << listOf(wrong);
  // The global requirement is the bearer token, so an operation without its own `security`
  // needs one.
  ASSERT_TRUE(doc.at("security").is_array());
  EXPECT_TRUE(doc.at("security").at(0).as_object().contains("bearerAuth"));
}

TEST(OpenApiRoutes, RowsWhoseHandlerTakesAParameterHaveExactlyOneInTheirPath) {
  for (const auto& r : Api::routes()) {
    SCOPED_TRACE(std::string(r.method) + " " + std::string(r.path));
    std::size_t params = 0;
    for (std::size_t at = r.path.find('{'); at != std::string_view::npos;
         at = r.path.find('{', at + 1))
      ++params;
    const bool takesParam = std::holds_alternative<Api::Route::PlainParam>(r.handler) ||
                            std::holds_alternative<Api::Route::ScopedParam>(r.handler);
    if (takesParam) {
      EXPECT_EQ(params, 1u);
    }
    EXPECT_LE(params, 1u);
    // Only public rows may have a handler without a scope, and public rows must have one.
    if (r.path.find("...}") != std::string_view::npos) {
      EXPECT_TRUE(r.path.ends_with("...}")) << "the rest of the path is the last segment";
    }
    const bool scoped = std::holds_alternative<Api::Route::Scoped>(r.handler) ||
                        std::holds_alternative<Api::Route::ScopedParam>(r.handler);
    EXPECT_EQ(scoped, r.right != Right::Public);
  }
}

TEST(OpenApiRoutes, PathTemplatesMatchOneNonEmptySegmentPerParameter) {
  std::string p;
  EXPECT_TRUE(Api::matchPath("/api/v1/measures/{measure}/history",
                             "/api/v1/measures/DU2030-2.4.3/history", p));
  EXPECT_EQ(p, "DU2030-2.4.3");
  EXPECT_FALSE(
      Api::matchPath("/api/v1/measures/{measure}/history", "/api/v1/measures//history", p));
  EXPECT_FALSE(
      Api::matchPath("/api/v1/measures/{measure}/history", "/api/v1/measures/a/b/history", p));
  EXPECT_FALSE(Api::matchPath("/api/v1/measures", "/api/v1/measures/", p));
  EXPECT_FALSE(Api::matchPath("/api/v1/measures", "/api/v1/measure", p));
  EXPECT_TRUE(Api::matchPath("/api/v1/measures", "/api/v1/measures", p));
  EXPECT_EQ(p, "");
  EXPECT_TRUE(Api::matchPath("/", "/", p));
  EXPECT_FALSE(Api::matchPath("/", "/ui", p));
  EXPECT_TRUE(Api::matchPath("/ui/{asset}", "/ui/app.js", p));
  EXPECT_EQ(p, "app.js");
  EXPECT_FALSE(Api::matchPath("/ui/{asset}", "/ui/", p));
  EXPECT_FALSE(Api::matchPath("/ui/{asset}", "/ui/pages/list.js", p));
  // The rest of the path: one or more non-empty segments.
  EXPECT_TRUE(Api::matchPath("/ui/{asset...}", "/ui/pages/list.js", p));
  EXPECT_EQ(p, "pages/list.js");
  EXPECT_TRUE(Api::matchPath("/ui/{asset...}", "/ui/app.js", p));
  EXPECT_EQ(p, "app.js");
  EXPECT_FALSE(Api::matchPath("/ui/{asset...}", "/ui/", p));
  EXPECT_FALSE(Api::matchPath("/ui/{asset...}", "/ui", p));
  EXPECT_FALSE(Api::matchPath("/ui/{asset...}", "/ui/pages//list.js", p));
  EXPECT_FALSE(Api::matchPath("/ui/{asset...}", "/ui/pages/", p));
}

// Resolves a local reference ("#/components/schemas/X") in the document; null when it does not.
const json::value* resolve(const json::value& doc, std::string_view ref) {
  if (!ref.starts_with("#")) return nullptr;
  boost::system::error_code ec;
  return doc.find_pointer(ref.substr(1), ec);
}

// Every "$ref" under v, with where it is.
void collectRefs(const json::value& v, const std::string& at,
                 std::vector<std::pair<std::string, std::string>>& out) {
  if (v.is_object()) {
    for (const auto& [k, x] : v.as_object()) {
      if (k == "$ref" && x.is_string())
        out.emplace_back(at, std::string(x.as_string()));
      else
        collectRefs(x, at + "/" + std::string(k), out);
    }
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.as_array().size(); ++i)
      collectRefs(v.as_array()[i], at + "/" + std::to_string(i), out);
  }
}

const json::object& deref(const json::value& doc, const json::value& v) {
  const json::value* at = &v;
  for (int hops = 0; hops < 8 && at->is_object() && at->as_object().contains("$ref"); ++hops) {
    const auto* next = resolve(doc, at->at("$ref").as_string());
    if (!next) break;
    at = next;
  }
  return at->as_object();
}

TEST(OpenApiDocument, HasTheFieldsOpenApi31Requires) {
  const auto doc = description();
  ASSERT_TRUE(doc.is_object());
  EXPECT_THAT(std::string(doc.at("openapi").as_string()), ::testing::StartsWith("3.1."));
  EXPECT_FALSE(doc.at("info").at("title").as_string().empty());
  EXPECT_FALSE(doc.at("info").at("version").as_string().empty());
  const auto& schemes = doc.at("components").at("securitySchemes").as_object();
  EXPECT_EQ(schemes.at("bearerAuth").at("type").as_string(), "http");
  EXPECT_EQ(schemes.at("bearerAuth").at("scheme").as_string(), "bearer");
  std::set<std::string> operationIds;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    SCOPED_TRACE(std::string(path));
    EXPECT_TRUE(path.starts_with("/"));
    for (const auto& [method, opValue] : item.as_object()) {
      if (method == "parameters" || method == "summary" || method == "description") continue;
      ASSERT_TRUE(kMethods.count(std::string(method))) << "unknown key " << method;
      SCOPED_TRACE(std::string(method));
      const auto& op = opValue.as_object();
      // operationId unique; responses present, keyed by status codes or "default", each with a
      // description.
      ASSERT_TRUE(op.contains("operationId"));
      EXPECT_TRUE(operationIds.insert(std::string(op.at("operationId").as_string())).second)
          << "operationId given twice: " << op.at("operationId");
      ASSERT_TRUE(op.contains("responses"));
      ASSERT_FALSE(op.at("responses").as_object().empty());
      for (const auto& [code, response] : op.at("responses").as_object()) {
        const bool status = code.size() == 3 && code[0] >= '1' && code[0] <= '5' &&
                            std::isdigit(static_cast<unsigned char>(code[1])) &&
                            std::isdigit(static_cast<unsigned char>(code[2]));
        EXPECT_TRUE(status || code == "default") << "response key " << code;
        EXPECT_TRUE(deref(doc, response).contains("description")) << "response " << code;
      }
      // Every security requirement names a defined scheme.
      if (const auto* security = op.if_contains("security")) {
        for (const auto& req : security->as_array())
          for (const auto& [name, scopes] : req.as_object())
            EXPECT_TRUE(schemes.contains(name)) << "unknown security scheme " << name;
      }
      // Path parameters: each {name} of the path is declared in: path, required, and nothing
      // else is declared in: path. No parameter twice.
      std::set<std::string> inPath, pathDeclared;
      const std::string_view text = path;
      for (auto at = text.find('{'); at != std::string_view::npos; at = text.find('{', at)) {
        const auto end = text.find('}', at);
        ASSERT_NE(end, std::string_view::npos);
        inPath.insert(std::string(text.substr(at + 1, end - at - 1)));
        at = end;
      }
      // Each list (the path item's, the operation's, which may override it) names each
      // parameter once.
      auto declare = [&](const json::value* list) {
        if (!list) return;
        std::set<std::string> declared;
        for (const auto& pv : list->as_array()) {
          const auto& p = deref(doc, pv);
          ASSERT_TRUE(p.contains("name") && p.contains("in")) << pv;
          const std::string key =
              std::string(p.at("in").as_string()) + ":" + std::string(p.at("name").as_string());
          EXPECT_TRUE(declared.insert(key).second) << "parameter declared twice: " << key;
          EXPECT_TRUE(p.contains("schema") || p.contains("content")) << key;
          if (p.at("in") == "path") {
            EXPECT_TRUE(p.contains("required") && p.at("required").as_bool()) << key;
            pathDeclared.insert(std::string(p.at("name").as_string()));
          }
        }
      };
      declare(item.as_object().if_contains("parameters"));
      declare(op.if_contains("parameters"));
      EXPECT_EQ(pathDeclared, inPath);
    }
  }
}

TEST(OpenApiDocument, EveryReferenceResolves) {
  const auto doc = description();
  std::vector<std::pair<std::string, std::string>> refs;
  collectRefs(doc, "#", refs);
  ASSERT_FALSE(refs.empty());
  std::vector<std::string> broken;
  for (const auto& [at, ref] : refs)
    if (!resolve(doc, ref)) broken.push_back(at + ": " + ref);
  EXPECT_TRUE(broken.empty()) << "references that resolve to nothing:" << listOf(broken);
}

// What the router answers without a store behind it: the description without a token, and a
// wrong method on a public path as 405 naming the methods, without a token either.
class OpenApiServe : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::Store::open("sqlite:" + (test::tempDir("openapi") / "hub.db").string(), 2);
    api_ = std::make_unique<Api>(Settings{}, *store_);
  }
  http::Response request(const std::string& method, const std::string& path) {
    http::Request r;
    r.method = method;
    r.path = r.target = path;
    r.headers["accept"] = "application/json";
    return api_->handle(r);
  }
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Api> api_;
};

TEST_F(OpenApiServe, DescriptionIsServedWithoutATokenAsTheEmbeddedJson) {
  const auto res = request("GET", "/api/v1/openapi.json");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.contentType, "application/json");
  EXPECT_EQ(json::parse(res.body), description());
  EXPECT_EQ(json::parse(res.body).at("openapi").as_string(), "3.1.0");
}

TEST_F(OpenApiServe, WrongMethodOnAPublicPathIs405WithAllowWithoutAToken) {
  const auto res = request("POST", "/api/v1/openapi.json");
  EXPECT_EQ(res.status, 405) << res.body;
  ASSERT_EQ(res.headers.size(), 1u);
  EXPECT_EQ(res.headers[0].first, "Allow");
  EXPECT_EQ(res.headers[0].second, "GET");
  // A path that needs a token still answers 401 first, whatever the method.
  EXPECT_EQ(request("DELETE", "/api/v1/measures").status, 401);
  EXPECT_EQ(request("GET", "/api/v1/nothing-here").status, 401);
  EXPECT_EQ(request("GET", "/api/v1/openapi.json/more").status, 401);
}

}  // namespace
}  // namespace ijro::api
