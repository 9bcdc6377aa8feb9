// The harness: a plugin run on its own, its output checked the way the hub checks a report.
#include "hub/plugin_host/harness.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace ijro::plugin_host {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const OptionValues kSource = {{"endpoint", "https://health.example.uz"}};

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

TEST(Harness, AGoodSourceEmitsThreeRecordsAndACheckpoint) {
  SourceRun run = runSource(load(IJRO_TEST_PLUGIN_GOOD_SOURCE), kSource, 1);
  ASSERT_EQ(run.polls.size(), 1u);
  const PollOutcome& p = run.polls[0];
  ASSERT_EQ(p.status, Status::Ok) << p.message;
  ASSERT_EQ(p.records.size(), 3u);
  for (const auto& r : p.records) EXPECT_TRUE(r.valid()) << joined(r.errors);
  ASSERT_EQ(run.records.size(), 3u);
  const model::Implementation& first = run.records[0];
  EXPECT_EQ(first.source, "good-source");  // set by the hub, never by the plugin
  EXPECT_EQ(first.measure.id, "DEMO-1");
  EXPECT_EQ(first.measure.act.number, "UP-6079");
  EXPECT_EQ(first.region, "1726");
  EXPECT_EQ(first.organisation, "Ministry of Health");
  EXPECT_EQ(first.lifecycle, model::Lifecycle::InProgress);
  EXPECT_EQ(first.revision, 1);
  EXPECT_EQ(run.records[2].measure.id, "DEMO-3");
  EXPECT_EQ(run.checkpoint, "1");
  EXPECT_EQ(p.checkpoint, "1");
  EXPECT_EQ(run.counters.at("records_emitted"), 3);
  EXPECT_EQ(run.stats.recordsEmitted, 3u);
  EXPECT_EQ(run.invalid(), 0u);
}

TEST(Harness, TheCheckpointCarriesAcrossPollsAndRestarts) {
  HarnessOptions opts;
  opts.instanceName = "health-tashkent";
  SourceRun run =
      runSource(load(IJRO_TEST_PLUGIN_GOOD_SOURCE), {{"endpoint", "x"}, {"count", "2"}}, 2, opts);
  ASSERT_EQ(run.records.size(), 4u);
  EXPECT_EQ(run.records[0].revision, 1);
  EXPECT_EQ(run.records[3].revision, 2);
  EXPECT_EQ(run.records[3].source, "health-tashkent");
  EXPECT_EQ(run.checkpoint, "2");

  opts.checkpoint = "41";  // as a restarted hub would hand it back from the store
  run = runSource(load(IJRO_TEST_PLUGIN_GOOD_SOURCE), {{"endpoint", "x"}, {"count", "1"}}, 1, opts);
  ASSERT_EQ(run.records.size(), 1u);
  EXPECT_EQ(run.records[0].revision, 42);
  EXPECT_EQ(run.checkpoint, "42");
}

TEST(Harness, AFailedPollCommitsNothing) {
  HarnessOptions opts;
  opts.checkpoint = "page=1";
  SourceRun run = runSource(load(IJRO_TEST_PLUGIN_THROWING_SOURCE), {}, 3, opts);
  EXPECT_EQ(run.failedPolls(), 3u);
  EXPECT_TRUE(run.records.empty());
  EXPECT_EQ(run.checkpoint, "page=1");
  EXPECT_THAT(run.polls[2].message, HasSubstr("upstream returned HTTP 500"));
  EXPECT_EQ(run.polls[2].number, 3u);
}

TEST(Harness, InvalidRecordsAreReportedAndTheValidOneIsKept) {
  SourceRun run = runSource(load(IJRO_TEST_PLUGIN_INVALID_RECORDS), {}, 1);
  const PollOutcome& p = run.polls.at(0);
  ASSERT_EQ(p.status, Status::Ok) << p.message;
  ASSERT_EQ(p.records.size(), 7u);
  EXPECT_EQ(p.valid(), 1u);
  EXPECT_EQ(p.invalid(), 6u);
  EXPECT_EQ(run.invalid(), 6u);
  auto errors = [&](std::size_t i) { return joined(p.records.at(i - 1).errors); };
  EXPECT_THAT(errors(1), HasSubstr("not valid JSON: incomplete JSON (the text ends too early)"));
  EXPECT_THAT(errors(2), HasSubstr("expected one JSON object"));
  EXPECT_THAT(errors(3), AllOf(HasSubstr("revision: missing"), HasSubstr("measure: missing")));
  EXPECT_TRUE(p.records.at(3).valid()) << errors(4);
  EXPECT_THAT(errors(5), AllOf(HasSubstr("revision: expected a whole number, got a string"),
                               HasSubstr("region: expected a string, got a number")));
  EXPECT_THAT(errors(6), HasSubstr("colour: unknown field"));
  EXPECT_THAT(errors(7), HasSubstr("sector 'fishing' is not in the sector catalogue"));
  EXPECT_EQ(p.records.at(6).json.find("fishing") != std::string::npos, true);
  ASSERT_EQ(run.records.size(), 1u);
  EXPECT_EQ(run.records[0].measure.id, "OK-1");
  EXPECT_EQ(run.checkpoint, "after-7");  // invalid records do not hold the source back
}

TEST(Harness, ModelRulesCanBeLeftOut) {
  HarnessOptions opts;
  opts.validateModel = false;
  SourceRun run = runSource(load(IJRO_TEST_PLUGIN_INVALID_RECORDS), {}, 1, opts);
  EXPECT_EQ(run.polls.at(0).valid(), 2u);  // the unknown sector passes the structural checks
}

TEST(Harness, ASourceWrittenInC) {
  SourceRun run = runSource(load(IJRO_TEST_PLUGIN_C_SOURCE), {{"records", "2"}}, 2);
  EXPECT_EQ(run.failedPolls(), 0u);
  ASSERT_EQ(run.records.size(), 4u);
  for (const auto& r : run.records) EXPECT_EQ(r.sector, "construction");
  EXPECT_EQ(run.records[2].revision, 2);
  EXPECT_EQ(run.checkpoint, "2");
  EXPECT_EQ(run.counters.at("polls"), 2);
}

model::Implementation sample(const std::string& id, const std::string& region,
                             const std::string& organisation) {
  model::Implementation m;
  m.measure = {
      id, "Digitise permits", {"resolution", "PP-4699", *model::parseDate("2020-04-28"), ""}};
  m.region = region;
  m.organisation = organisation;
  m.sector = "construction";
  m.revision = 3;
  m.lifecycle = model::Lifecycle::InProgress;
  m.start = *model::parseDate("2026-01-01");
  m.deadline = *model::parseDate("2026-09-30");
  return m;
}

TEST(Harness, RecordJsonIsTheObjectInsideAReport) {
  std::string json = recordJson(sample("M-1", "1703", "Khokimiyat"));
  auto o = boost::json::parse(json).as_object();
  EXPECT_EQ(o.at("measure").at("id").as_string(), "M-1");
  EXPECT_FALSE(o.contains("source"));
  auto checked = checkRecords({json}, "src");
  ASSERT_TRUE(checked.at(0).valid()) << joined(checked[0].errors);
  EXPECT_EQ(checked[0].record->source, "src");
}

TEST(Harness, ASinkGetsTheBatchAndAnswersPerRecord) {
  SinkRun run = runSink(
      load(IJRO_TEST_PLUGIN_GOOD_SINK), {{"reject", "\"M-2\""}},
      std::vector<model::Implementation>{sample("M-1", "1703", "A"), sample("M-2", "1703", "A")});
  EXPECT_EQ(run.result.status, Status::Ok);
  EXPECT_THAT(run.result.records, ElementsAre(Status::Ok, Status::Error));
  EXPECT_EQ(run.counters.at("delivered"), 1);
  EXPECT_EQ(run.stats.batches, 1u);
}

TEST(Harness, ATransformMapsDropsAndFails) {
  std::vector<std::string> in = {recordJson(sample("M-1", "1703", "Khokimiyat")),
                                 recordJson(sample("M-2", "1726", "Khokimiyat")),
                                 recordJson(sample("M-3", "1703", "fail"))};
  TransformRun run = runTransform(load(IJRO_TEST_PLUGIN_GOOD_TRANSFORM),
                                  {{"drop_region", "1726"}, {"note", "checked by the region"}}, in);
  ASSERT_EQ(run.records.size(), 3u);
  const TransformOutcome& mapped = run.records[0];
  ASSERT_EQ(mapped.status, Status::Ok) << mapped.message;
  ASSERT_TRUE(mapped.output);
  ASSERT_TRUE(mapped.output->valid()) << joined(mapped.output->errors);
  EXPECT_EQ(mapped.output->record->note, "checked by the region");
  EXPECT_EQ(mapped.output->record->measure.id, "M-1");
  EXPECT_TRUE(run.records[1].dropped());
  EXPECT_EQ(run.records[2].status, Status::Error);
  EXPECT_THAT(run.records[2].message,
              AllOf(HasSubstr("plugin \"good-transform\" instance \"good-transform\" on_transform "
                              "failed (error)"),
                    HasSubstr("cannot map records of organisation \"fail\"")));
  EXPECT_EQ(run.stats.transforms, 3u);
  EXPECT_EQ(run.stats.transformsDropped, 1u);
  EXPECT_EQ(run.stats.transformsFailed, 1u);
}

TEST(Harness, ATransformNeedsItsRequiredOption) {
  std::vector<std::string> none;
  try {
    runTransform(load(IJRO_TEST_PLUGIN_GOOD_TRANSFORM), {}, none);
    FAIL() << "created without its required option";
  } catch (const PluginError& e) {
    EXPECT_EQ(e.reason(), PluginError::Reason::InvalidOptions);
    EXPECT_THAT(e.what(), AllOf(HasSubstr("option \"note\" is required"),
                                HasSubstr("Valid options: drop_region (string, default \"\"), "
                                          "note (string, required)")));
  }
}

}  // namespace
}  // namespace ijro::plugin_host
