// The API's description on the real `ijro-hub serve`: GET /api/v1/openapi.json answers without a
// token with schemas/openapi.yaml as JSON (converted here again, at test time, and compared), and
// every operation it describes is answered (neither 404 nor 405) when called with a token that
// may (a public one without a token, and then not 401), the path parameters of things the test
// put in the hub, and the examples of the description for the rest.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "hub/xml/signature.hpp"
#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// Writes Tashkent City (1726), reads it back, and is its controller: it may call every route.
constexpr const char* kTashkent = "demo-tashkent-token";

std::string percentEncode(const std::string& s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// The text of a parameter's example as it goes into a URL.
std::string exampleText(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  return json::serialize(v);
}

const json::object& deref(const json::value& doc, const json::value& v) {
  const json::value* at = &v;
  while (at->is_object() && at->as_object().contains("$ref")) {
    boost::system::error_code ec;
    const auto* next = doc.find_pointer(at->at("$ref").as_string().subview(1), ec);
    if (!next) break;
    at = next;
  }
  return at->as_object();
}

// A small PDF: evidence the demo configuration accepts.
std::string pdf() {
  return "%PDF-1.7\n" + std::string(200, 'x') + "\n%%EOF\n";
}

// schemas/openapi.yaml converted to JSON by PyYAML, here and now.
std::string yamlAsJson(const fs::path& yaml) {
  const std::string command =
      "python3 -c 'import json, sys, yaml; "
      "json.dump(yaml.safe_load(open(sys.argv[1], encoding=\"utf-8\")), sys.stdout)' '" +
      yaml.string() + "'";
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int status = ::pclose(p);
  return status == 0 ? out : std::string();
}

class OpenApiOnTheHub : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tempDir("openapi");
    // The demo configuration, with evidence uploads and a hub that may send feed batches, so
    // that every route has something to answer.
    auto config = readFile(sourceDir() / "config/hub.xml");
    const auto status = config.find("<status ");
    ASSERT_NE(status, std::string::npos);
    config.insert(status, "<evidence dir=\"" + (dir_ / "evidence").string() + "\"/>\n  ");
    // <peers> follows <readers> in the configuration's order.
    const std::string readers = "</readers>";
    const auto end = config.find(readers);
    ASSERT_NE(end, std::string::npos);
    config.insert(end + readers.size(),
                  "\n  <peers>\n    <hub id=\"regional\" regions=\"1726\">\n"
                  "      <certificate file=\"keys/regional.pem\"/>\n    </hub>\n  </peers>");
    fs::create_directories(dir_ / "keys");
    std::ofstream(dir_ / "keys" / "regional.pem")
        << xml::makeSelfSignedKeyPair("regional", 30).certPem;
    std::ofstream(dir_ / "hub.xml") << config;
    hub_ = std::make_unique<HubProcess>(dir_, dir_ / "hub.xml");
    hub_->start();

    // Tashkent City's example report, and a file uploaded as its evidence.
    const auto report = readFile(sourceDir() / "examples/report-tashkent.json");
    const auto posted = hub_->post("/api/v1/reports", report, "application/json", kTashkent);
    ASSERT_EQ(posted.status, 200) << posted.body << hub_->log();
    const auto first = json::parse(report).at("implementations").at(0);
    measure_ = std::string(first.at("measure").at("id").as_string());
    const auto uploaded = hub_->post(
        "/api/v1/evidence?measure=" + percentEncode(measure_) +
            "&region=" + percentEncode(std::string(first.at("region").as_string())) +
            "&organisation=" + percentEncode(std::string(first.at("organisation").as_string())),
        pdf(), "application/pdf", kTashkent);
    ASSERT_EQ(uploaded.status, 201) << uploaded.body;
    sha256_ = std::string(json::parse(uploaded.body).at("sha256").as_string());
  }

  json::value served() {
    const auto res = hub_->get("/api/v1/openapi.json", "");
    EXPECT_EQ(res.status, 200) << res.body;
    return json::parse(res.body);
  }

  fs::path dir_;
  std::unique_ptr<HubProcess> hub_;
  std::string measure_, sha256_;
};

TEST_F(OpenApiOnTheHub, ServedDescriptionEqualsTheYamlConvertedToJson) {
  const auto converted = yamlAsJson(sourceDir() / "schemas/openapi.yaml");
  ASSERT_FALSE(converted.empty()) << "python3 with PyYAML (python3-yaml) could not convert "
                                     "schemas/openapi.yaml";
  const auto doc = served();
  EXPECT_EQ(doc, json::parse(converted))
      << "the hub serves another description than schemas/openapi.yaml: rebuild ijro-hub";
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
}

TEST_F(OpenApiOnTheHub, EveryDescribedOperationIsAnsweredNeither404Nor405) {
  const auto doc = served();
  // Path parameters that name things the hub holds; the description's examples for the rest.
  const std::map<std::string, std::string> held{{"measure", measure_}, {"sha256", sha256_}};
  static const std::set<std::string> kMethods{"get", "put", "post", "delete", "head", "patch"};
  std::vector<std::string> failures;
  std::size_t called = 0;
  for (const auto& [pathKey, itemValue] : doc.at("paths").as_object()) {
    const auto& item = itemValue.as_object();
    for (const auto& [methodKey, opValue] : item) {
      const std::string method(methodKey);
      if (!kMethods.count(method)) continue;
      const auto& op = opValue.as_object();
      std::string verb;
      for (char c : method) verb += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const std::string name = verb + " " + std::string(pathKey);
      SCOPED_TRACE(name);

      std::string path(pathKey), query;
      std::vector<const json::value*> params;
      for (const auto* list : {item.if_contains("parameters"), op.if_contains("parameters")})
        if (list)
          for (const auto& p : list->as_array()) params.push_back(&p);
      for (const auto* pv : params) {
        const auto& p = deref(doc, *pv);
        const std::string pname(p.at("name").as_string()), in(p.at("in").as_string());
        const bool required = p.contains("required") && p.at("required").as_bool();
        if (in != "path" && !(in == "query" && required)) continue;
        std::string value;
        if (auto h = held.find(pname); in == "path" && h != held.end())
          value = h->second;
        else if (p.contains("example"))
          value = exampleText(p.at("example"));
        else {
          failures.push_back(name + ": required parameter " + pname + " has no example");
          continue;
        }
        if (in == "path")
          path.replace(path.find("{" + pname + "}"), pname.size() + 2, percentEncode(value));
        else
          query += (query.empty() ? "?" : "&") + pname + "=" + percentEncode(value);
      }

      std::map<std::string, std::string> headers{{"Accept", "application/json"}};
      const auto* security = op.if_contains("security");
      const bool isPublic = security && security->as_array().empty();
      if (!isPublic) headers["Authorization"] = std::string("Bearer ") + kTashkent;
      std::string body;
      if (const auto* rb = op.if_contains("requestBody")) {
        const auto& content = deref(doc, *rb).at("content").as_object();
        if (content.contains("application/json")) {
          headers["Content-Type"] = "application/json";
          body = "{}";
        } else if (content.contains("application/xml")) {
          headers["Content-Type"] = "application/xml";
          body = "<nothing/>";
        } else {
          headers["Content-Type"] = "application/pdf";
          body = pdf();
        }
      }
      const auto res = hub_->request(verb, path + query, body, headers);
      ++called;
      // A public operation is called without a token: it must not ask for one.
      if (res.status == 404 || res.status == 405 || (isPublic && res.status == 401))
        failures.push_back(name + " (" + path + query + "): " + std::to_string(res.status) + " " +
                           res.body);
    }
  }
  EXPECT_GE(called, 10u);
  std::string list;
  for (const auto& f : failures) list += "\n  " + f;
  EXPECT_TRUE(failures.empty()) << "described operations the hub does not answer:" << list;
}

}  // namespace
}  // namespace ijro::test
