// tax-fiscal run through the test kit as the hub would run it, on the exports in fixtures/: the
// counts per region and district against the fixture as this test reads it, JSON lines and XML
// alike, each kind of bad entry rejected with its file, line (or element) and field, duplicates
// across exports through the state kept beside the checkpoint, and a file that is no export.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <ijro_testkit.hpp>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using ijro::testkit::Options;
using ijro::testkit::PluginUnderTest;
using ijro::testkit::Status;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const fs::path kFixtures = TAX_FISCAL_FIXTURES;

std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Counts {
  std::int64_t installed = 0, online = 0;
  bool operator==(const Counts& o) const { return installed == o.installed && online == o.online; }
};
std::ostream& operator<<(std::ostream& out, const Counts& c) {
  return out << "{installed " << c.installed << ", online " << c.online << "}";
}

// The fixture read here, without the plugin: registrations and the last receipt per register,
// counted at the export's as-of (all fixture times carry +05:00 or Z, and the as-of is
// 2026-11-30T23:59:59+05:00, so comparing the texts of the Tashkent times is enough).
struct Expected {
  std::map<std::string, Counts> regions, districts;
};
Expected expectedOf(const fs::path& jsonl) {
  struct Reg {
    std::string place, on, off, last;
  };
  std::map<std::string, Reg> regs;
  std::ifstream in(jsonl);
  std::string line;
  std::string asOf;
  auto local = [](std::string t) {  // "...Z" -> Tashkent time text
    if (t.back() != 'Z') return t.substr(0, 19);
    int h = std::stoi(t.substr(11, 2)) + 5;
    EXPECT_LT(h, 24) << "the fixture's UTC times stay within the day";
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02d", h);
    return t.substr(0, 11) + buf + t.substr(13, 6);
  };
  while (std::getline(in, line)) {
    const auto o = json::parse(line).as_object();
    const auto type = o.at("type").as_string();
    if (type == "export") asOf = local(std::string(o.at("as_of").as_string()));
    if (type == "registration") {
      Reg r;
      r.place = o.at("place").as_string();
      r.on = o.at("registered_on").as_string();
      if (auto* off = o.if_contains("deregistered_on"); off && off->is_string())
        r.off = off->as_string();
      regs[std::string(o.at("registration_number").as_string())] = r;
    }
    if (type == "receipt") {
      auto& r = regs.at(std::string(o.at("registration_number").as_string()));
      r.last = std::max(r.last, local(std::string(o.at("issued_at").as_string())));
    }
  }
  // 72 hours before 2026-11-30T23:59:59.
  EXPECT_EQ(asOf, "2026-11-30T23:59:59");
  const std::string windowStart = "2026-11-27T23:59:59", asOfDate = asOf.substr(0, 10);
  Expected e;
  for (const auto& [number, r] : regs) {
    const bool installed = r.on <= asOfDate && (r.off.empty() || r.off > asOfDate);
    const bool online = installed && !r.last.empty() && r.last > windowStart && r.last <= asOf;
    for (auto* c : {&e.regions[r.place.substr(0, 4)],
                    r.place.size() == 7 ? &e.districts[r.place] : nullptr}) {
      if (c == nullptr) continue;
      c->installed += installed;
      c->online += online;
    }
  }
  return e;
}

// What the records say: region -> counts, district -> counts, for the two indicators.
Expected actualOf(const std::vector<ijro::testkit::Record>& records) {
  Expected e;
  for (const auto& r : records) {
    const auto o = json::parse(r.json).as_object();
    const std::string region(o.at("region").as_string());
    for (const auto& ind : o.at("indicators").as_array()) {
      const auto code = ind.at("code").as_string();
      EXPECT_EQ(ind.at("mode").as_string(), "merge");
      const auto& period = ind.at("periods").at(0);
      auto set = [&](Counts& c, const json::value& v) {
        const auto n = static_cast<std::int64_t>(v.at("actual").to_number<double>());
        (code == "KKM-ONLINE" ? c.online : c.installed) = n;
      };
      set(e.regions[region], period);
      if (const auto* b = period.as_object().if_contains("breakdowns"))
        for (const auto& d : b->as_array()) {
          EXPECT_EQ(d.at("dimension").as_string(), "district");
          set(e.districts[std::string(d.at("category").as_string())], d);
        }
    }
  }
  return e;
}

class TaxFiscal : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "tax-fiscal-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    inbox_ = root_ / "in";
    fs::create_directories(inbox_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!HasFailure()) fs::remove_all(root_, ec);
  }

  Options options(Options extra = {}) const {
    Options o{{"directory", inbox_.string()},
              {"settle_ms", "0"},
              {"measure_id", "PQ-4525-1"},
              {"measure_title", "Online cash registers at every trading point"},
              {"deadline", "2026-12-31"},
              {"act_number", "PQ-4525"},
              {"act_date", "2026-01-10"}};
    for (auto& [k, v] : extra) o[k] = v;
    return o;
  }
  fs::path drop(const std::string& fixture, const std::string& as = "") const {
    const fs::path to = inbox_ / (as.empty() ? fixture : as);
    fs::copy_file(kFixtures / fixture, to);
    return to;
  }
  std::string rejectedList(const std::string& name) const {
    return readText(inbox_ / "quarantine" / (name + ".rejected.txt"));
  }

  fs::path root_, inbox_;
};

TEST_F(TaxFiscal, CountsPerRegionAndDistrictMatchTheExportReadByTheTest) {
  drop("good.jsonl");
  PluginUnderTest p(IJRO_PLUGIN_PATH, options());
  const auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_THAT(run.rejected, IsEmpty());
  const Expected want = expectedOf(kFixtures / "good.jsonl");
  ASSERT_EQ(want.regions.size(), 5u) << "the fixture covers five regions";
  const Expected got = actualOf(run.records);
  EXPECT_EQ(got.regions, want.regions);
  EXPECT_EQ(got.districts, want.districts);
  ASSERT_EQ(run.records.size(), 5u);
  for (const auto& r : run.records) {
    EXPECT_EQ(r.field("sector"), "tax");
    EXPECT_EQ(r.field("measure.id"), "PQ-4525-1");
    EXPECT_EQ(r.field("indicators[0].periods[0].start"), "2026-11-30");
    EXPECT_EQ(r.field("indicators[0].periods[0].end"), "2026-12-01");
    EXPECT_EQ(r.field("revision"), "1");
  }
  EXPECT_EQ(p.counters()["registrations_read"], 11);
  EXPECT_EQ(p.counters()["receipts_read"], 11);
  EXPECT_FALSE(fs::exists(inbox_ / "quarantine" / "good.jsonl.rejected.txt"));
}

TEST_F(TaxFiscal, JsonLinesAndXmlOfTheSameExportGiveTheSameRecords) {
  drop("good.jsonl");
  PluginUnderTest lines(IJRO_PLUGIN_PATH, options());
  const auto fromLines = lines.poll();
  ASSERT_EQ(fromLines.status, Status::Ok) << fromLines.message;

  fs::remove_all(inbox_);
  fs::create_directories(inbox_);
  drop("good.xml");
  PluginUnderTest xml(IJRO_PLUGIN_PATH, options());
  const auto fromXml = xml.poll();
  ASSERT_EQ(fromXml.status, Status::Ok) << fromXml.message;

  ASSERT_EQ(fromLines.records.size(), fromXml.records.size());
  ASSERT_FALSE(fromXml.records.empty());
  for (std::size_t i = 0; i < fromXml.records.size(); ++i)
    EXPECT_EQ(fromXml.records[i].json, fromLines.records[i].json);
  EXPECT_EQ(xml.counters()["receipts_read"], lines.counters()["receipts_read"]);
}

TEST_F(TaxFiscal, RegistrationsAndReceiptsInSeparateFilesCountAsOneExportWhateverTheirOrder) {
  // good.jsonl split in two, the receipts' file first by name.
  std::ifstream in(kFixtures / "good.jsonl");
  std::ofstream receipts(inbox_ / "a-receipts.jsonl"), registrations(inbox_ / "b-registers.jsonl");
  std::string line;
  std::getline(in, line);
  receipts << line << "\n";
  registrations << line << "\n";
  while (std::getline(in, line))
    (line.find("\"receipt\"") != std::string::npos ? receipts : registrations) << line << "\n";
  receipts.close();
  registrations.close();
  PluginUnderTest p(IJRO_PLUGIN_PATH, options());
  const auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_FALSE(fs::exists(inbox_ / "quarantine" / "a-receipts.jsonl.rejected.txt"));
  EXPECT_EQ(p.counters()["receipts_read"], 11);
  const Expected want = expectedOf(kFixtures / "good.jsonl");
  EXPECT_EQ(actualOf(run.records).regions, want.regions);
}

// The messages each kind of bad entry gets, by where it is in bad.jsonl and bad.xml.
struct BadEntry {
  const char* kind;
  const char* jsonlWhere;
  const char* xmlWhere;
  const char* message;
};
const BadEntry kBad[] = {
    {"malformed_fiscal_sign", "bad.jsonl, line 4, field fiscal_sign",
     "line 5, /fiscal_export/receipt[2], field fiscal_sign",
     "\"12345678901X\" is not a fiscal sign: it must be exactly 12 decimal digits"},
    {"impossible_date", "bad.jsonl, line 5, field issued_at",
     "line 6, /fiscal_export/receipt[3], field issued_at",
     "\"2026-02-30T10:00:00+05:00\" is not a possible date and time: day 30 of 2026-02 does "
     "not exist"},
    {"impossible_date", "bad.jsonl, line 6, field issued_at",
     "line 7, /fiscal_export/receipt[4], field issued_at",
     "\"2026-11-29T25:61:00+05:00\" is not a possible date and time: hour 25 does not exist"},
    {"after_as_of", "bad.jsonl, line 7, field issued_at",
     "line 8, /fiscal_export/receipt[5], field issued_at",
     "2026-12-01T10:00:00+05:00 is after the export's as_of 2026-11-30T23:59:59+05:00"},
    {"before_registration", "bad.jsonl, line 8, field issued_at",
     "line 9, /fiscal_export/receipt[6], field issued_at",
     "2026-05-31T10:00:00+05:00 is before register UZ-KKM-0101 was registered (registered_on "
     "2026-06-01)"},
    {"duplicate_document", "bad.jsonl, line 9, field document_number",
     "line 10, /fiscal_export/receipt[7], field document_number",
     "document 1 of fiscal drive FD0101 was already read"},
    {"unknown_register", "bad.jsonl, line 10, field registration_number",
     "line 11, /fiscal_export/receipt[8], field registration_number",
     "register \"UZ-KKM-9999\" has no registration in this export or an earlier one"},
    {"negative_total", "bad.jsonl, line 11, field total",
     "line 12, /fiscal_export/receipt[9], field total", "-500.00 is negative"},
    {"malformed_field", "bad.jsonl, line 13, field place",
     "line 14, /fiscal_export/registration[2], field place",
     "\"9999\" is not a SOATO code of a region (4 digits) or district (7 digits)"},
    {"impossible_date", "bad.jsonl, line 14, field registered_on",
     "line 15, /fiscal_export/registration[3], field registered_on",
     "\"2026-13-01\" is not a date: month 13 does not exist"},
};

TEST_F(TaxFiscal, EachKindOfBadJsonLineIsRejectedWithFileLineFieldAndReasonAndTheRestCounts) {
  drop("bad.jsonl");
  PluginUnderTest p(IJRO_PLUGIN_PATH, options());
  const auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  const std::string list = rejectedList("bad.jsonl");
  std::map<std::string, std::int64_t> kinds;
  for (const auto& b : kBad) {
    EXPECT_THAT(list, HasSubstr(std::string(b.jsonlWhere) + ": " + b.message)) << b.kind;
    ++kinds[b.kind];
  }
  EXPECT_THAT(list, HasSubstr("bad.jsonl, line 12: not a JSON object"));
  ++kinds["unreadable"];
  const auto counters = p.counters();
  std::int64_t total = 0;
  for (const auto& [kind, n] : kinds) {
    EXPECT_EQ(counters.count("rejected_" + kind) ? counters.at("rejected_" + kind) : 0, n) << kind;
    total += n;
  }
  EXPECT_EQ(counters.at("records_rejected"), total);
  // The good registration and receipt still count: Fergana, one register, online.
  ASSERT_EQ(run.records.size(), 1u);
  EXPECT_EQ(run.records[0].field("region"), "1730");
  EXPECT_EQ(run.records[0].field("indicators[0].periods[0].actual"), "1");
  EXPECT_EQ(run.records[0].field("indicators[1].periods[0].actual"), "1");
}

TEST_F(TaxFiscal, EachKindOfBadXmlElementIsRejectedWithItsLineAndPathAndTheSameReason) {
  drop("bad.xml");
  PluginUnderTest p(IJRO_PLUGIN_PATH, options());
  const auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  const std::string list = rejectedList("bad.xml");
  for (const auto& b : kBad)
    EXPECT_THAT(list, HasSubstr(std::string("bad.xml, ") + b.xmlWhere + ": " + b.message))
        << b.kind;
  EXPECT_THAT(list, HasSubstr("bad.xml, line 13, /fiscal_export/refund[1]: element <refund> is "
                              "neither <registration> nor <receipt>"));
  EXPECT_EQ(p.counters().at("records_rejected"), static_cast<std::int64_t>(std::size(kBad)) + 1);
  ASSERT_EQ(run.records.size(), 1u);
  EXPECT_EQ(run.records[0].field("indicators[1].periods[0].actual"), "1");
}

TEST_F(TaxFiscal, ADocumentOfAnEarlierExportIsADuplicateAfterARestartAndReadFilesAreMovedAside) {
  drop("good.jsonl");
  std::optional<std::string> checkpoint;
  {
    PluginUnderTest first(IJRO_PLUGIN_PATH, options());
    const auto run = first.poll();
    ASSERT_EQ(run.status, Status::Ok) << run.message;
    checkpoint = first.checkpoint();
  }
  ASSERT_TRUE(checkpoint);
  drop("again.jsonl");
  ijro::testkit::Settings restart;
  restart.checkpoint = *checkpoint;
  PluginUnderTest second(IJRO_PLUGIN_PATH, options(), restart);
  const auto run = second.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_TRUE(fs::exists(inbox_ / "processed" / "good.jsonl"));
  EXPECT_FALSE(fs::exists(inbox_ / "good.jsonl"));
  EXPECT_THAT(rejectedList("again.jsonl"),
              HasSubstr("again.jsonl, line 2, field document_number: document 2 of fiscal drive "
                        "FD0001 was already read, in this file or an earlier export"));
  EXPECT_EQ(second.counters().at("rejected_duplicate_document"), 1);
  EXPECT_EQ(second.counters().at("receipts_read"), 1);
  // Andijan at the new as-of (2026-12-01): UZ-KKM-0002 sent a receipt that day, UZ-KKM-0001's
  // last one (2026-11-30T18:40) is still within 72 hours; the registers come from the state.
  const Expected got = actualOf(run.records);
  EXPECT_EQ(got.regions.at("1703"), (Counts{2, 2}));
  EXPECT_EQ(got.regions.at("1726"), (Counts{3, 1}));
  for (const auto& r : run.records) {
    EXPECT_EQ(r.field("revision"), "2");
    EXPECT_EQ(r.field("indicators[0].periods[0].start"), "2026-12-01");
  }
}

TEST_F(TaxFiscal, AfterAPollTheHubDidNotCommitTheFilesAreReadAgainFromTheCommittedState) {
  drop("good.jsonl");
  {
    PluginUnderTest lost(IJRO_PLUGIN_PATH, options());
    ASSERT_EQ(lost.poll().status, Status::Ok);
    ASSERT_TRUE(fs::exists(inbox_ / "state" / "state-1.json"));
  }
  // A hub that crashed before storing that poll starts again from no checkpoint: the state that
  // poll wrote is dropped, so its documents are not taken for duplicates.
  PluginUnderTest again(IJRO_PLUGIN_PATH, options());
  const auto run = again.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_FALSE(fs::exists(inbox_ / "quarantine" / "good.jsonl.rejected.txt"));
  EXPECT_EQ(again.counters()["receipts_read"], 11);
  EXPECT_EQ(actualOf(run.records).regions, expectedOf(kFixtures / "good.jsonl").regions);
  EXPECT_EQ(run.records.at(0).field("revision"), "1");
}

TEST_F(TaxFiscal, AFileWithoutTheExportLineIsQuarantinedWithItsReasonAndTheOthersAreRead) {
  drop("no-export-line.jsonl");
  drop("good.xml");
  PluginUnderTest p(IJRO_PLUGIN_PATH, options());
  const auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  EXPECT_EQ(run.records.size(), 5u);
  EXPECT_FALSE(fs::exists(inbox_ / "no-export-line.jsonl"));
  const std::string reason = readText(inbox_ / "quarantine" / "no-export-line.jsonl.reason.txt");
  EXPECT_THAT(reason, HasSubstr("no-export-line.jsonl, line 1: the first line is not the export "
                                "line (type \"export\")"));
  EXPECT_EQ(p.counters().at("files_quarantined"), 1);
}

TEST_F(TaxFiscal, MonthPeriodsTargetsAndASeparateOnlineMeasureFollowTheOptions) {
  drop("good.jsonl");
  PluginUnderTest p(IJRO_PLUGIN_PATH,
                    options({{"period", "month"},
                             {"installed_targets", R"({"1703":"3","1735":"40"})"},
                             {"online_targets", R"({"1703":"2"})"},
                             {"online_measure_id", "PQ-4525-2"},
                             {"online_measure_title", "Registers sending receipts"}}));
  const auto run = p.poll();
  ASSERT_EQ(run.status, Status::Ok) << run.message;
  std::map<std::pair<std::string, std::string>, const ijro::testkit::Record*> byKey;
  for (const auto& r : run.records) byKey[{r.field("measure.id"), r.field("region")}] = &r;
  // Five regions with registers and Karakalpakstan with a target only, each in two measures.
  EXPECT_EQ(run.records.size(), 12u);
  const auto* installed = byKey.at({"PQ-4525-1", "1703"});
  EXPECT_EQ(installed->field("indicators[0].code"), "KKM-INSTALLED");
  EXPECT_EQ(installed->field("indicators[0].periods[0].start"), "2026-11-01");
  EXPECT_EQ(installed->field("indicators[0].periods[0].end"), "2026-11-30");
  EXPECT_EQ(installed->field("indicators[0].periods[0].target"), "3");
  EXPECT_FALSE(installed->has("indicators[1]"));
  const auto* online = byKey.at({"PQ-4525-2", "1703"});
  EXPECT_EQ(online->field("indicators[0].code"), "KKM-ONLINE");
  EXPECT_EQ(online->field("indicators[0].periods[0].target"), "2");
  EXPECT_EQ(online->field("measure.title"), "Registers sending receipts");
  EXPECT_EQ(byKey.at({"PQ-4525-1", "1735"})->field("indicators[0].periods[0].actual"), "0");
}

TEST_F(TaxFiscal, BadOptionsAreRefusedNamingTheOption) {
  EXPECT_THAT(
      [&] {
        PluginUnderTest p(IJRO_PLUGIN_PATH, options({{"period", "week"}}));
      },
      ::testing::ThrowsMessage<ijro::testkit::PluginError>(HasSubstr("\"period\"")));
  EXPECT_THAT(
      [&] {
        PluginUnderTest p(IJRO_PLUGIN_PATH, options({{"installed_targets", R"({"1703":"x"})"}}));
      },
      ::testing::ThrowsMessage<ijro::testkit::PluginError>(HasSubstr("\"installed_targets\"")));
}

}  // namespace
