// ijro_json.hpp: documents parsed with a size limit and errors with line and column; typed getters
// whose errors name the JSON path.
#include <ijro_json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
namespace json = ijro::sdk::json;

json::JsonError errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const json::JsonError& e) {
    return e;
  }
  return json::JsonError("no error", -1, -1, "");
}

TEST(SdkJson, ReadsTypedValuesByPath) {
  auto doc =
      json::parse(R"({"entry":[{"resource":{"id":"mr-1","score":0.75,"count":12,"final":true}}]})");
  json::Node root(doc);
  auto entry = root["entry"].at(0)["resource"];
  EXPECT_EQ(entry["id"].str(), "mr-1");
  EXPECT_DOUBLE_EQ(entry["score"].number(), 0.75);
  EXPECT_EQ(entry["count"].integer(), 12);
  EXPECT_TRUE(entry["final"].boolean());
  EXPECT_FALSE(entry.find("missing"));
  EXPECT_EQ(root["entry"].items().at(0).path(), "$.entry[0]");
}

TEST(SdkJson, AWrongTypeOrAMissingMemberNamesItsPath) {
  auto doc = json::parse(R"({"entry":[{"resource":{"id":7}},{"resource":{}}]})");
  json::Node root(doc);
  auto e = errorOf([&] { (void)root["entry"].at(0)["resource"]["id"].str(); });
  EXPECT_EQ(e.path(), "$.entry[0].resource.id");
  EXPECT_THAT(e.what(), HasSubstr("$.entry[0].resource.id: expected a string, found a number"));
  e = errorOf([&] { (void)root["entry"].at(1)["resource"]["id"]; });
  EXPECT_THAT(e.what(), HasSubstr("$.entry[1].resource: missing member \"id\""));
  e = errorOf([&] { (void)root["entry"].at(5); });
  EXPECT_THAT(e.what(), HasSubstr("$.entry: no element 5 (the array has 2)"));
  e = errorOf([&] { (void)root["entry"]["x"]; });
  EXPECT_THAT(e.what(), HasSubstr("$.entry: expected an object, found an array"));
  e = errorOf([&] { (void)json::Node(json::parse("1.5")).integer(); });
  EXPECT_THAT(e.what(), HasSubstr("$: expected an integer"));
}

TEST(SdkJson, ADocumentThatIsNotJsonSaysLineAndColumn) {
  auto e = errorOf([] { json::parse("{\n  \"a\": 1,\n  \"b\": tru\n}", 1000, "page 3"); });
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.column(), 8);
  EXPECT_THAT(e.what(), AllOf(HasSubstr("page 3: line 3, column 8")));
  e = errorOf([] { json::parse("{\"a\": 1} x"); });
  EXPECT_EQ(e.line(), 1);
  EXPECT_EQ(e.column(), 10);
  e = errorOf([] { json::parse(std::string(100, ' ') + "{}", 50, "orders.json"); });
  EXPECT_THAT(e.what(), HasSubstr("orders.json: 102 bytes, more than the limit of 50"));
  e = errorOf([] { json::parse(std::string(100, '[') + std::string(100, ']')); });
  EXPECT_EQ(e.line(), 1);
  EXPECT_GT(e.column(), 60);  // at the 65th level
}

}  // namespace
