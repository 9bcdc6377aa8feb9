// The education-oneroster plugin through the SDK's test kit (the hub's loader, option checks and
// record rules): bulk counts against the package's CSV files, a delta against the equivalent bulk,
// bad rows named with the other rows counted, and packages refused with their reasons.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ijro_testkit.hpp>

#include <tables/zip.hpp>

#include <fstream>
#include <random>
#include <sstream>

#include "oracle.hpp"

namespace {

namespace fs = std::filesystem;
using ijro::oneroster::test::Expected;
using ijro::oneroster::test::expectedOf;
using ijro::testkit::Options;
using ijro::testkit::PluginUnderTest;
using ijro::testkit::Record;
using ijro::testkit::Status;
using ::testing::HasSubstr;

const fs::path kFixtures = ONEROSTER_FIXTURES;

const std::map<std::string, std::string> kMapping = {
    {"DIST-AND-1", "1703202"},                          // a district by its identifier
    {"dist-and-2", "1703206"},                          // a district by its sourcedId
    {"DIST-SAM-1", "1718206"}, {"DIST-TAS-1", "1726"},  // a region only
    {"SCH-TAS-9", "1726262"},  // a school placed on its own, not by its district
};

std::string tableText(const std::map<std::string, std::string>& rows) {
  std::string out = "{";
  for (const auto& [k, v] : rows)
    out += (out.size() > 1 ? "," : "") + ("\"" + k + "\":\"" + v + "\"");
  return out + "}";
}

std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A fresh folder per test: inbox/, state/.
struct Folders {
  fs::path root, inbox, state;
  explicit Folders(const std::string& name) {
    std::random_device rd;
    root = fs::temp_directory_path() / ("oneroster-" + name + "-" + std::to_string(rd()));
    inbox = root / "inbox";
    state = root / "state";
    fs::create_directories(inbox);
  }
  ~Folders() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  void drop(const std::string& fixture, const std::string& as = {}) const {
    fs::copy_file(kFixtures / fixture, inbox / (as.empty() ? fixture : as));
  }
  Options options(Options more = {}) const {
    Options o = {{"directory", inbox.string()},
                 {"state_dir", state.string()},
                 {"settle_ms", "0"},
                 {"regions", tableText(kMapping)},
                 {"measure_id", "DU2030-3.1.7"},
                 {"measure_title", "Connect all general schools to the electronic school diary"},
                 {"act_number", "UP-6079"},
                 {"act_date", "2020-10-05"},
                 {"start", "2026-01-15"},
                 {"deadline", "2026-12-31"}};
    for (auto& [k, v] : more) o[k] = v;
    return o;
  }
};

// Per region or district code, the indicator values the records carry.
std::map<std::string, Expected> totalsOf(const std::vector<Record>& records) {
  std::map<std::string, Expected> out;
  for (const Record& r : records) {
    Expected& e = out[r.field("region")];
    for (int i = 0; r.has("indicators[" + std::to_string(i) + "]"); ++i) {
      const std::string at = "indicators[" + std::to_string(i) + "]";
      const long v = std::lround(std::stod(r.field(at + ".periods[0].actual")));
      const std::string code = r.field(at + ".code");
      (code == "EDU-SCHOOLS" ? e.schools : code == "EDU-TEACHERS" ? e.teachers : e.pupils) = v;
    }
  }
  return out;
}

}  // namespace

namespace {

TEST(OneRosterPlugin, BulkCountsPerRegionAndDistrictEqualThoseOfItsCsvFiles) {
  const auto expected = expectedOf(kFixtures / "bulk.zip", kMapping);
  // The fixture is worth checking: 3 regions, districts, teachers and pupils in each region.
  std::set<std::string> regions;
  for (const auto& [code, e] : expected) {
    EXPECT_GT(e.schools, 0) << code;
    if (code.size() == 4) {
      regions.insert(code);
      EXPECT_GT(e.teachers * e.pupils, 0) << code;
    }
  }
  ASSERT_EQ(regions, (std::set<std::string>{"1703", "1718", "1726"}));

  Folders f("bulk");
  f.drop("bulk.zip");
  PluginUnderTest p(IJRO_PLUGIN_PATH, f.options({{"targets", R"({"EDU-SCHOOLS@1703":"5"})"}}));
  const auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.rejected, ::testing::IsEmpty());
  EXPECT_EQ(totalsOf(run.records), expected);
  for (const Record& r : run.records) {
    EXPECT_EQ(r.field("measure.id"), "DU2030-3.1.7");
    EXPECT_EQ(r.field("sector"), "education");
    EXPECT_EQ(r.field("revision"), "1");
    EXPECT_EQ(r.field("indicators[0].periods[0].start"), "2026-01-15");
    if (r.field("region") == "1703")
      EXPECT_EQ(r.field("indicators[0].periods[0].target"), "5");
    else
      EXPECT_FALSE(r.has("indicators[0].periods[0].target")) << r;
  }
  // The school under the district no mapping names is reported, not counted.
  EXPECT_EQ(p.counters()["schools_unmapped"], 1);
  EXPECT_EQ(p.counters()["packages_applied"], 1);
}

TEST(OneRosterPlugin, BulkThenDeltaGivesTheTotalsOfTheEquivalentBulk) {
  Folders a("delta");
  a.drop("bulk.zip", "2026-11-30-bulk.zip");
  PluginUnderTest incremental(IJRO_PLUGIN_PATH, a.options());
  const auto first = incremental.poll();
  ASSERT_EQ(first.status, Status::Ok) << first.message;
  a.drop("delta.zip", "2026-12-01-delta.zip");
  const auto second = incremental.poll();
  ASSERT_EQ(second.status, Status::Ok) << second.message;
  EXPECT_THAT(second.rejected, ::testing::IsEmpty());
  // The bulk package was moved aside once the poll that read it was committed.
  EXPECT_TRUE(fs::exists(a.inbox / "processed/2026-11-30-bulk.zip"));

  Folders b("equivalent");
  b.drop("bulk-after-delta.zip");
  PluginUnderTest whole(IJRO_PLUGIN_PATH, b.options());
  const auto once = whole.poll();
  ASSERT_EQ(once.status, Status::Ok) << once.message;

  const auto afterDelta = totalsOf(second.records);
  EXPECT_EQ(afterDelta, totalsOf(once.records));
  EXPECT_EQ(afterDelta, expectedOf(kFixtures / "bulk-after-delta.zip", kMapping));
  EXPECT_NE(afterDelta, totalsOf(first.records)) << "the delta changes nothing the test sees";
  for (const Record& r : second.records) EXPECT_EQ(r.field("revision"), "2") << r;
}

TEST(OneRosterPlugin, TheRosterStateCarriesADeltaAcrossARestartOfTheInstance) {
  Folders f("restart");
  f.drop("bulk.zip", "1-bulk.zip");
  std::optional<std::string> checkpoint;
  {
    PluginUnderTest before(IJRO_PLUGIN_PATH, f.options());
    const auto run = before.poll();
    ASSERT_EQ(run.status, Status::Ok) << run.message;
    checkpoint = before.checkpoint();
  }
  ASSERT_TRUE(checkpoint.has_value());
  f.drop("delta.zip", "2-delta.zip");
  ijro::testkit::Settings settings;
  settings.checkpoint = checkpoint;
  PluginUnderTest after(IJRO_PLUGIN_PATH, f.options(), settings);
  const auto run = after.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_EQ(totalsOf(run.records), expectedOf(kFixtures / "bulk-after-delta.zip", kMapping));
}

TEST(OneRosterPlugin, AnUncommittedDeltaIsAppliedAgainFromTheCommittedState) {
  Folders f("uncommitted");
  f.drop("bulk.zip", "1-bulk.zip");
  PluginUnderTest first(IJRO_PLUGIN_PATH, f.options());
  ASSERT_EQ(first.poll().status, Status::Ok);
  const auto committed = first.checkpoint();
  f.drop("delta.zip", "2-delta.zip");
  ASSERT_EQ(first.poll().status, Status::Ok);  // as if the hub had then lost this poll
  ijro::testkit::Settings settings;
  settings.checkpoint = committed;
  PluginUnderTest again(IJRO_PLUGIN_PATH, f.options(), settings);
  const auto run = again.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_EQ(totalsOf(run.records), expectedOf(kFixtures / "bulk-after-delta.zip", kMapping));
}

TEST(OneRosterPlugin, BadRowsAreRejectedWithFileLineColumnAndRuleAndTheOtherRowsCount) {
  Folders f("bad-rows");
  f.drop("bad-rows.zip");
  PluginUnderTest p(IJRO_PLUGIN_PATH, f.options());
  const auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  // The good rows of bad-rows.zip are bulk.zip's.
  EXPECT_EQ(totalsOf(run.records), expectedOf(kFixtures / "bulk.zip", kMapping));
  EXPECT_EQ(p.counters()["rows_rejected"], 6);

  // The line of a row in a file of the package, found by its first field.
  auto zip = ijro::tables::ZipArchive::openFile(kFixtures / "bad-rows.zip");
  auto lineOf = [&](const std::string& file, const std::string& id) {
    std::istringstream in(zip.read(file));
    std::string line;
    for (int n = 1; std::getline(in, line); ++n)
      if (line.rfind(id + ",", 0) == 0) return n;
    return 0;
  };
  const std::string list = readText(f.inbox / "rejected/bad-rows.zip.rejected.txt");
  EXPECT_THAT(list, HasSubstr("bad-rows.zip: users.csv line " +
                              std::to_string(lineOf("users.csv", "bad-role")) +
                              ", column role: \"techer\" is not a OneRoster role (administrator, "
                              "aide, guardian, parent, proctor, relative, student, teacher)"));
  EXPECT_THAT(list,
              HasSubstr("users.csv line " + std::to_string(lineOf("users.csv", "bad-enabled")) +
                        ", column enabledUser: \"maybe\" is not true or false"));
  EXPECT_THAT(list, HasSubstr("users.csv line " + std::to_string(lineOf("users.csv", "bad-name")) +
                              ", column givenName: empty"));
  EXPECT_THAT(list, HasSubstr("column sourcedId: \"t-sch-and-1a-1\" appears again (first on line " +
                              std::to_string(lineOf("users.csv", "t-sch-and-1a-1")) + ")"));
  EXPECT_THAT(list, HasSubstr("orgs.csv line " + std::to_string(lineOf("orgs.csv", "bad-type")) +
                              ", column type: \"schol\" is not a OneRoster org type"));
  EXPECT_THAT(list, HasSubstr("enrollments.csv line " +
                              std::to_string(lineOf("enrollments.csv", "bad-date")) +
                              ", column beginDate: \"2026-13-01\" is not a date"));
}

TEST(OneRosterPlugin, DeltaRowsWithoutStatusOrTimeAreRejectedAndChangeNothing) {
  Folders f("bad-delta");
  f.drop("bulk.zip", "1-bulk.zip");
  PluginUnderTest p(IJRO_PLUGIN_PATH, f.options());
  const auto first = p.poll();
  ASSERT_EQ(first.status, Status::Ok) << first.message;
  f.drop("bad-delta.zip", "2-bad-delta.zip");
  const auto second = p.poll();
  ASSERT_EQ(second.status, Status::Ok) << second.message;
  EXPECT_EQ(totalsOf(second.records), totalsOf(first.records));
  EXPECT_EQ(totalsOf(second.records), expectedOf(kFixtures / "bulk.zip", kMapping));
  EXPECT_EQ(p.counters()["rows_rejected"], 3);
  const std::string list = readText(f.inbox / "rejected/2-bad-delta.zip.rejected.txt");
  EXPECT_THAT(list, HasSubstr("2-bad-delta.zip: orgs.csv line 2, column status: empty, but a "
                              "delta file needs active or tobedeleted on every row"));
  EXPECT_THAT(list, HasSubstr("2-bad-delta.zip: users.csv line 2, column status: \"deleted\" is "
                              "not a OneRoster status (active, tobedeleted)"));
  EXPECT_THAT(list, HasSubstr("2-bad-delta.zip: users.csv line 3, column dateLastModified: empty, "
                              "but a delta file needs the time each row changed"));
}

struct Refusal {
  const char* fixture;
  const char* reason;  // part of the reason written beside the quarantined package
};

void PrintTo(const Refusal& r, std::ostream* os) {
  *os << r.fixture;
}

class OneRosterRefusal : public ::testing::TestWithParam<Refusal> {};

TEST_P(OneRosterRefusal, ThePackageIsQuarantinedWithItsReasonAndNothingIsCounted) {
  Folders f("refused");
  f.drop(GetParam().fixture);
  PluginUnderTest p(IJRO_PLUGIN_PATH, f.options());
  const auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.records, ::testing::IsEmpty());
  EXPECT_EQ(p.counters()["packages_refused"], 1);
  EXPECT_FALSE(fs::exists(f.inbox / GetParam().fixture));
  const fs::path reason = f.inbox / "rejected" / (std::string(GetParam().fixture) + ".reason.txt");
  ASSERT_TRUE(fs::exists(reason));
  EXPECT_THAT(readText(reason), HasSubstr(GetParam().reason));
  // A good package after it is read as usual.
  f.drop("bulk.zip");
  const auto next = p.poll();
  ASSERT_EQ(next.status, Status::Ok) << next.message;
  EXPECT_EQ(totalsOf(next.records), expectedOf(kFixtures / "bulk.zip", kMapping));
}

INSTANTIATE_TEST_SUITE_P(
    Packages, OneRosterRefusal,
    ::testing::Values(
        Refusal{"no-manifest.zip", "no-manifest.zip: the package has no manifest.csv"},
        Refusal{"missing-file.zip",
                "missing-file.zip: manifest.csv declares file.users=bulk but the package has no "
                "users.csv"},
        Refusal{"zip-bomb.zip", "users.csv"}, Refusal{"zip-slip.zip", "../users.csv"}),
    [](const auto& test) {
      std::string name = test.param.fixture;
      name = name.substr(0, name.find('.'));
      for (char& c : name)
        if (c == '-') c = '_';
      return name;
    });

TEST(OneRosterPlugin, AZipBombIsStoppedAtTheExpansionLimit) {
  Folders f("bomb");
  f.drop("zip-bomb.zip");
  PluginUnderTest p(IJRO_PLUGIN_PATH, f.options());
  ASSERT_EQ(p.poll().status, Status::Ok);
  const std::string reason = readText(f.inbox / "rejected/zip-bomb.zip.reason.txt");
  // The SDK's zip reader names the limit it stopped at (the expansion ratio).
  EXPECT_THAT(reason, ::testing::AnyOf(HasSubstr("ratio"), HasSubstr("times")));
}

TEST(OneRosterPlugin, AMappingToAnythingButASoatoCodeIsRefusedAtStart) {
  Folders f("mapping");
  EXPECT_THROW(
      {
        try {
          PluginUnderTest p(IJRO_PLUGIN_PATH,
                            f.options({{"regions", R"({"DIST-AND-1":"Andijan"})"}}));
        } catch (const ijro::testkit::PluginError& e) {
          EXPECT_THAT(e.what(), HasSubstr("\"DIST-AND-1\" maps to \"Andijan\""));
          throw;
        }
      },
      ijro::testkit::PluginError);
}

}  // namespace
