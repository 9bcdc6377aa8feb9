// The real `ijro-hub serve` on a loopback port: intake, duplicates, the feed, hostile input,
// tokens and scopes for writing and reading, durability across kill -9 and graceful shutdown.
#include <gtest/gtest.h>
#include <signal.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>

#include "hub/exchange/report.hpp"
#include "hub/xml/safe_reader.hpp"
#include "hub/xml/schema.hpp"
#include "tests/integration/hub_process.hpp"
#include "tests/support/test_support.hpp"

namespace ijro::test {
namespace {

constexpr const char* kTashkent = "demo-tashkent-token";
constexpr const char* kAndijan = "demo-andijan-token";
constexpr const char* kHealth = "demo-health-token";
// The demo read tokens of config/hub.xml: everything, and Andijan's region only.
constexpr const char* kNational = "demo-national-read-token";
constexpr const char* kAndijanReader = "demo-andijan-read-token";
constexpr const char* kXml = "application/xml";
constexpr const char* kJson = "application/json";

std::size_t countOf(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

std::string headerOf(const http::Response& res, const std::string& lowerName) {
  for (const auto& [name, value] : res.headers)
    if (name == lowerName) return value;
  return {};
}

model::Implementation sample(const std::string& id, const std::string& region,
                             const std::string& sector) {
  model::Implementation m;
  m.measure.id = id;
  m.measure.title = "Connect schools to the electronic diary";
  m.measure.act = {"decree", "UP-6079", *model::parseDate("2020-10-05"), "1.2"};
  m.region = region;
  m.organisation = "Ministry of Public Education";
  m.sector = sector;
  m.revision = 1;
  m.lifecycle = model::Lifecycle::InProgress;
  m.start = *model::parseDate("2026-01-01");
  m.deadline = *model::parseDate("2027-06-30");
  return m;
}

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tempDir("serve");
    hub_ = std::make_unique<HubProcess>(dir_, sourceDir() / "config/hub.xml");
    hub_->start();
  }
  std::size_t storedCount() {
    auto res = hub_->get("/api/v1/measures?pageSize=1", kNational);
    EXPECT_EQ(res.status, 200) << res.body;
    return boost::json::parse(res.body).at("total").to_number<std::size_t>();
  }
  std::string example(const std::string& name) { return readFile(sourceDir() / "examples" / name); }
  std::filesystem::path dir_;
  std::unique_ptr<HubProcess> hub_;
};

TEST_F(ServeTest, ExampleReportIsAcceptedOnceThenDuplicate) {
  const auto body = example("report-tashkent.xml");
  const std::size_t records = countOf(body, "<implementation");
  ASSERT_GT(records, 0u);

  auto first = hub_->post("/api/v1/reports", body, kXml, kTashkent);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_NE(first.contentType.find("xml"), std::string::npos);
  EXPECT_EQ(countOf(first.body, "outcome=\"accepted\""), records) << first.body;
  EXPECT_EQ(storedCount(), records);

  auto second = hub_->post("/api/v1/reports", body, kXml, kTashkent);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(countOf(second.body, "outcome=\"duplicate\""), records) << second.body;
  EXPECT_EQ(storedCount(), records);
}

TEST_F(ServeTest, JsonReportGetsJsonReceiptAndMatchesXml) {
  auto json = hub_->post("/api/v1/reports", example("report-tashkent.json"), kJson, kTashkent);
  ASSERT_EQ(json.status, 200) << json.body;
  auto receipt = boost::json::parse(json.body).as_object();
  const auto& records = receipt.at("records").as_array();
  ASSERT_GT(records.size(), 0u);
  for (const auto& r : records) EXPECT_EQ(r.at("outcome").as_string(), "accepted") << json.body;

  // The XML form of the same report carries the same facts: every record is a duplicate.
  auto xml = hub_->post("/api/v1/reports", example("report-tashkent.xml"), kXml, kTashkent);
  ASSERT_EQ(xml.status, 200);
  EXPECT_EQ(countOf(xml.body, "outcome=\"duplicate\""), records.size()) << xml.body;
}

TEST_F(ServeTest, FeedHoldsPostedReportsAndValidatesAgainstSchema) {
  ASSERT_EQ(hub_->post("/api/v1/reports", example("report-tashkent.xml"), kXml, kTashkent).status,
            200);
  ASSERT_EQ(hub_->post("/api/v1/reports", example("report-andijan.xml"), kXml, kAndijan).status,
            200);
  auto feed = hub_->get("/api/v1/feed", kNational);
  ASSERT_EQ(feed.status, 200) << feed.body;
  xml::Limits big;
  big.maxBytes = 256u << 20;
  auto doc = xml::parseDocument(feed.body, "feed", big);
  xml::Schema schema((sourceDir() / "schemas/monitoring-feed.xsd").string());
  auto problems = schema.validate(doc.get(), "feed");
  EXPECT_TRUE(problems.empty()) << problems.front();

  auto tashkent = exchange::parseReportXml(example("report-tashkent.xml"));
  auto andijan = exchange::parseReportXml(example("report-andijan.xml"));
  for (const auto* report : {&tashkent, &andijan})
    for (const auto& r : report->records)
      EXPECT_NE(feed.body.find("\"" + r.measureId + "\""), std::string::npos) << r.measureId;
  EXPECT_EQ(countOf(feed.body, "<evaluation"), tashkent.records.size() + andijan.records.size());

  auto summary = hub_->get("/api/v1/summary?by=region", kNational);
  ASSERT_EQ(summary.status, 200) << summary.body;
  auto groups = boost::json::parse(summary.body).at("groups").as_array();
  ASSERT_EQ(groups.size(), 2u) << summary.body;  // Andijan and Tashkent City
}

TEST_F(ServeTest, BadRecordIsRejectedAndGoodOnesStored) {
  auto good = sample("DU2030-T-1", "1726", "education");
  auto bad = sample("DU2030-T-2", "1726", "education");
  bad.start = *model::parseDate("2028-01-01");  // after the deadline: invalid
  auto body = exchange::writeReportJson("tashkent-city", {good, bad});
  auto res = hub_->post("/api/v1/reports", body, kJson, kTashkent);
  ASSERT_EQ(res.status, 200) << res.body;
  auto records = boost::json::parse(res.body).at("records").as_array();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].at("outcome").as_string(), "accepted");
  EXPECT_EQ(records[1].at("outcome").as_string(), "rejected");
  EXPECT_NE(std::string(records[1].at("reason").as_string()).find("start"), std::string::npos);
  EXPECT_EQ(storedCount(), 1u);
}

struct Hostile {
  const char* name;
  std::string body;
  const char* contentType;
  int status;
};

std::string deepNesting(int depth) {
  std::string s =
      "<?xml version=\"1.0\"?><report xmlns=\"urn:ijro-hub:report:1\" source=\"tashkent-city\">";
  for (int i = 0; i < depth; ++i) s += "<a>";
  for (int i = 0; i < depth; ++i) s += "</a>";
  return s + "</report>";
}

TEST_F(ServeTest, HostileInputGetsClear4xxAndStoresNothing) {
  const std::string laughs =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
      "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
      "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">]>\n"
      "<report xmlns=\"urn:ijro-hub:report:1\" source=\"tashkent-city\">&lol4;</report>";
  const std::string xxe =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
      "<report xmlns=\"urn:ijro-hub:report:1\" source=\"tashkent-city\">&x;</report>";
  const std::string doctype =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE report>\n"
      "<report xmlns=\"urn:ijro-hub:report:1\" source=\"tashkent-city\"/>";
  std::string invalidUtf8 =
      exchange::writeReportXml("tashkent-city", {sample("X-1", "1726", "tax")});
  invalidUtf8.replace(invalidUtf8.find("Connect"), 2, "\xC3\x28");
  std::string tooBig(5u << 20, ' ');
  tooBig.replace(0, 5, "<?xml");

  const std::vector<Hostile> cases = {
      {"billion laughs", laughs, kXml, 400},
      {"external entity", xxe, kXml, 400},
      {"doctype", doctype, kXml, 400},
      {"10000-deep nesting", deepNesting(10'000), kXml, 400},
      {"invalid UTF-8", invalidUtf8, kXml, 400},
      {"body over the limit", tooBig, kXml, 413},
      {"not JSON", "{\"source\": ", kJson, 400},
      {"wrong content type", "a,b,c", "text/csv", 415},
  };
  for (const auto& c : cases) {
    auto res = hub_->post("/api/v1/reports", c.body, c.contentType, kTashkent);
    EXPECT_EQ(res.status, c.status) << c.name << ": " << res.body;
    EXPECT_FALSE(res.body.empty()) << c.name;
    EXPECT_EQ(res.body.find("root:"), std::string::npos) << c.name << " leaked /etc/passwd";
    EXPECT_EQ(hub_->request("GET", "/healthz").status, 200) << "hub down after " << c.name;
  }
  EXPECT_EQ(storedCount(), 0u);
}

TEST_F(ServeTest, TokensAndScopeAreEnforced) {
  auto tashkentRecord = exchange::writeReportXml("", {sample("S-1", "1726", "education")});
  auto andijanDistrict = exchange::writeReportXml("", {sample("S-2", "1703202", "education")});
  auto mixed = exchange::writeReportXml(
      "", {sample("S-3", "1726", "education"), sample("S-4", "1703", "education")});

  EXPECT_EQ(hub_->post("/api/v1/reports", tashkentRecord, kXml, "").status, 401);
  EXPECT_EQ(hub_->post("/api/v1/reports", tashkentRecord, kXml, "not-a-valid-token-at-all").status,
            401);
  // Andijan's token may not report for Tashkent City, nor Tashkent's for an Andijan district.
  EXPECT_EQ(hub_->post("/api/v1/reports", tashkentRecord, kXml, kAndijan).status, 403);
  EXPECT_EQ(hub_->post("/api/v1/reports", andijanDistrict, kXml, kTashkent).status, 403);
  // One record out of scope refuses the whole request: the in-scope one is not stored either.
  auto res = hub_->post("/api/v1/reports", mixed, kXml, kTashkent);
  EXPECT_EQ(res.status, 403);
  EXPECT_NE(res.body.find("1703"), std::string::npos) << res.body;
  // The health ministry's token covers every region but only the health sector.
  EXPECT_EQ(hub_->post("/api/v1/reports", tashkentRecord, kXml, kHealth).status, 403);
  // A report naming another source than the token's.
  auto claimed = exchange::writeReportXml("andijan-region", {sample("S-5", "1726", "education")});
  EXPECT_EQ(hub_->post("/api/v1/reports", claimed, kXml, kTashkent).status, 403);
  EXPECT_EQ(storedCount(), 0u);

  EXPECT_EQ(hub_->post("/api/v1/reports", andijanDistrict, kXml, kAndijan).status, 200);
  EXPECT_EQ(storedCount(), 1u);
}

TEST_F(ServeTest, EveryEndpointButHealthzNeedsAToken) {
  EXPECT_EQ(hub_->get("/healthz", "").status, 200);
  for (const char* target :
       {"/api/v1/measures", "/api/v1/summary?by=region", "/api/v1/feed", "/readyz", "/metrics"}) {
    for (const char* token : {"", "not-a-configured-token"}) {
      auto res = hub_->get(target, token);
      EXPECT_EQ(res.status, 401) << target << " with \"" << token << "\": " << res.body;
      EXPECT_NE(res.body.find("Authorization: Bearer TOKEN"), std::string::npos) << res.body;
      EXPECT_EQ(headerOf(res, "www-authenticate"), "Bearer realm=\"ijro-hub\"") << target;
    }
    EXPECT_EQ(hub_->get(target, kNational).status, 200) << target;
  }
  auto post = hub_->post("/api/v1/reports", example("report-tashkent.xml"), kXml, "");
  EXPECT_EQ(post.status, 401);
  EXPECT_EQ(headerOf(post, "www-authenticate"), "Bearer realm=\"ijro-hub\"");
  // A source's token posts but does not read unless its rights say so; a reader never posts.
  EXPECT_EQ(hub_->get("/api/v1/measures", kAndijan).status, 403);
  EXPECT_EQ(hub_->post("/api/v1/reports", example("report-tashkent.xml"), kXml, kNational).status,
            403);
  EXPECT_EQ(storedCount(), 0u);
}

TEST_F(ServeTest, RegionalReadTokenSeesOnlyItsRegion) {
  ASSERT_EQ(hub_->post("/api/v1/reports", example("report-tashkent.xml"), kXml, kTashkent).status,
            200);
  ASSERT_EQ(hub_->post("/api/v1/reports", example("report-andijan.xml"), kXml, kAndijan).status,
            200);
  auto andijan = exchange::parseReportXml(example("report-andijan.xml"));

  auto measures = hub_->get("/api/v1/measures?pageSize=1000", kAndijanReader);
  ASSERT_EQ(measures.status, 200) << measures.body;
  auto items = boost::json::parse(measures.body).at("items").as_array();
  EXPECT_EQ(items.size(), andijan.records.size());
  for (const auto& item : items)
    EXPECT_EQ(std::string(item.at("region").as_string()).substr(0, 4), "1703") << item;

  auto summary = hub_->get("/api/v1/summary?by=region", kAndijanReader);
  ASSERT_EQ(summary.status, 200) << summary.body;
  auto groups = boost::json::parse(summary.body).at("groups").as_array();
  ASSERT_EQ(groups.size(), 1u) << summary.body;
  EXPECT_EQ(groups[0].at("key").as_string(), "1703");

  auto feed = hub_->get("/api/v1/feed", kAndijanReader);
  ASSERT_EQ(feed.status, 200);
  EXPECT_EQ(countOf(feed.body, "<evaluation"), andijan.records.size());
  EXPECT_EQ(countOf(feed.body, "<region>1703"), andijan.records.size()) << feed.body;
  EXPECT_EQ(countOf(feed.body, "<region>1726"), 0u) << feed.body;

  // Asking for another region is refused with what to do, not answered empty.
  auto other = hub_->get("/api/v1/measures?region=1726", kAndijanReader);
  EXPECT_EQ(other.status, 403);
  EXPECT_NE(other.body.find("outside the regions"), std::string::npos) << other.body;
  // Tashkent City's source token also reads (rights="write read"), its own region only.
  auto own = boost::json::parse(hub_->get("/api/v1/summary?by=region", kTashkent).body);
  ASSERT_EQ(own.at("groups").as_array().size(), 1u);
  EXPECT_EQ(own.at("groups").at(0).at("key").as_string(), "1726");
  // The national token sees both.
  EXPECT_EQ(boost::json::parse(hub_->get("/api/v1/summary?by=region", kNational).body)
                .at("groups")
                .as_array()
                .size(),
            2u);
}

TEST_F(ServeTest, AcknowledgedReportSurvivesKill9) {
  auto res = hub_->post("/api/v1/reports", example("report-andijan.xml"), kXml, kAndijan);
  ASSERT_EQ(res.status, 200) << res.body;
  const auto accepted = countOf(res.body, "outcome=\"accepted\"");
  ASSERT_GT(accepted, 0u);
  hub_->signal(SIGKILL);
  EXPECT_EQ(hub_->wait(), 128 + SIGKILL);
  hub_->start();
  EXPECT_EQ(storedCount(), accepted);
  auto again = hub_->post("/api/v1/reports", example("report-andijan.xml"), kXml, kAndijan);
  EXPECT_EQ(countOf(again.body, "outcome=\"duplicate\""), accepted) << again.body;
}

TEST_F(ServeTest, SigtermStopsGracefully) {
  ASSERT_EQ(hub_->get("/readyz", kNational).status, 200);
  hub_->signal(SIGTERM);
  EXPECT_EQ(hub_->wait(), 0) << hub_->log();
  EXPECT_NE(hub_->log().find("stopped"), std::string::npos) << hub_->log();
}

TEST_F(ServeTest, ReadSideValidatesQueries) {
  ASSERT_EQ(hub_->post("/api/v1/reports", example("report-tashkent.xml"), kXml, kTashkent).status,
            200);
  auto bad = hub_->get("/api/v1/measures?status=late", kNational);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("overdue"), std::string::npos) << bad.body;
  EXPECT_EQ(hub_->get("/api/v1/measures?colour=red", kNational).status, 400);
  EXPECT_EQ(hub_->get("/api/v1/summary?by=planet", kNational).status, 400);
  EXPECT_EQ(hub_->get("/api/v1/nothing", kNational).status, 404);
  EXPECT_EQ(hub_->request("DELETE", "/api/v1/feed", {},
                          {{"Authorization", std::string("Bearer ") + kNational}})
                .status,
            405);

  auto all = boost::json::parse(hub_->get("/api/v1/measures", kNational).body).as_object();
  const auto total = all.at("total").to_number<std::size_t>();
  auto page = boost::json::parse(hub_->get("/api/v1/measures?pageSize=1&page=2", kNational).body);
  EXPECT_EQ(page.at("total").to_number<std::size_t>(), total);
  EXPECT_EQ(page.at("items").as_array().size(), total >= 2 ? 1u : 0u);
  auto overdue = boost::json::parse(hub_->get("/api/v1/measures?overdue=true", kNational).body);
  for (const auto& item : overdue.at("items").as_array())
    EXPECT_EQ(item.at("status").as_string(), "overdue");
  auto other = boost::json::parse(hub_->get("/api/v1/measures?region=1703", kNational).body);
  EXPECT_EQ(other.at("total").to_number<std::size_t>(), 0u);
}

// A TCP connection to the hub that sends nothing: it only holds a place, or reads what comes.
class IdleConnection {
 public:
  explicit IdleConnection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("cannot connect to the hub");
  }
  ~IdleConnection() { ::close(fd_); }
  IdleConnection(const IdleConnection&) = delete;
  IdleConnection& operator=(const IdleConnection&) = delete;
  // What arrives until the hub closes (or 10 s pass).
  std::string readAll() {
    std::string out;
    char buf[4096];
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 10'000) <= 0) return out;
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return out;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
};

// config/hub.xml with its <limits> replaced.
std::filesystem::path configWithLimits(const std::filesystem::path& dir,
                                       const std::string& limits) {
  auto text = readFile(sourceDir() / "config/hub.xml");
  const std::regex element("<limits[^>]*/>");
  EXPECT_TRUE(std::regex_search(text, element));
  text = std::regex_replace(text, element, limits);
  const auto path = dir / "hub.xml";
  std::ofstream(path) << text;
  return path;
}

TEST(ServeLimits, LimitsFromTheConfigurationShedConnectionsAndThrottleTokens) {
  const auto dir = tempDir("serve-limits");
  HubProcess hub(dir, configWithLimits(dir,
                                       "<limits bodyBytes=\"4194304\" maxConnections=\"2\" "
                                       "tokenRate=\"0.01\" tokenBurst=\"3\" "
                                       "authFailures=\"2\" authWindowMs=\"600000\"/>"));
  hub.start();
  {
    // Two connections are open: the third is answered 503 and closed at once.
    IdleConnection first(hub.port()), second(hub.port()), third(hub.port());
    const auto answer = third.readAll();
    EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0u) << answer;
    EXPECT_NE(answer.find("Retry-After: 1"), std::string::npos) << answer;
  }
  // Once they are closed, connections are served again (the hub notices the close soon after).
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int health = 0;
  while (std::chrono::steady_clock::now() < until && health != 200) {
    try {
      health = hub.get("/healthz", "").status;
    } catch (const std::exception&) {
      health = 0;  // shed while the two were still counted
    }
  }
  ASSERT_EQ(health, 200);
  // With room for two connections, a request may still find the last one's close unnoticed and
  // be shed (503, or the connection closed, before its token is looked at, so it uses none of
  // the token's rate): asked again until it is not.
  auto unshed = [&](auto request) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      try {
        auto res = request();
        if (res.status != 503 || std::chrono::steady_clock::now() > deadline) return res;
      } catch (const std::exception&) {
        if (std::chrono::steady_clock::now() > deadline) throw;
      }
    }
  };
  auto get = [&](const std::string& target, const std::string& token) {
    return unshed([&] { return hub.get(target, token); });
  };
  auto post = [&](const std::string& body, const std::string& token) {
    return unshed([&] { return hub.post("/api/v1/reports", body, kXml, token); });
  };
  auto metrics = get("/metrics", kNational);
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_NE(metrics.body.find("ijro_http_connections_shed_total "), std::string::npos);
  EXPECT_EQ(metrics.body.find("ijro_http_connections_shed_total 0"), std::string::npos)
      << metrics.body;

  // Three requests per token at once (the first was /metrics), then 429 with Retry-After.
  EXPECT_EQ(get("/api/v1/measures", kNational).status, 200);
  EXPECT_EQ(get("/api/v1/measures", kNational).status, 200);
  auto limited = get("/api/v1/measures", kNational);
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_FALSE(headerOf(limited, "retry-after").empty());
  EXPECT_EQ(get("/api/v1/measures", kAndijanReader).status, 200);  // its own bucket

  // Two unknown tokens from this address, then even a valid one is refused from it.
  const auto report = readFile(sourceDir() / "examples/report-tashkent.xml");
  EXPECT_EQ(post(report, "guess-one").status, 401);
  EXPECT_EQ(post(report, "guess-two").status, 401);
  auto throttled = post(report, kTashkent);
  EXPECT_EQ(throttled.status, 429) << throttled.body;
  EXPECT_FALSE(headerOf(throttled, "retry-after").empty());
  EXPECT_EQ(get("/healthz", "").status, 200);  // public routes stay open
}

}  // namespace
}  // namespace ijro::test
