// The /metrics renderer: the text exposition format line by line, label escaping, UTF-8, order,
// exact integer values, and refusal of anything that would make the page invalid.
#include "hub/metrics/exposition.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <stdexcept>

namespace ijro::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Every line of the page is a HELP, a TYPE or a sample line of the text format, HELP and TYPE
// come once per family and before its samples, and the page ends with a line break.
void expectValidExposition(const std::string& text) {
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) [^\n]*)");
  const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge))");
  const std::regex sample(
      R"re(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? -?[0-9.e+]+)re");
  std::set<std::string> described;
  std::string current;
  for (const auto& line : lines(text)) {
    std::smatch m;
    if (std::regex_match(line, m, help)) {
      EXPECT_TRUE(described.insert(m[1]).second) << "HELP twice: " << line;
      current = m[1];
    } else if (std::regex_match(line, m, type)) {
      EXPECT_EQ(m[1], current) << "TYPE without its HELP: " << line;
    } else if (std::regex_match(line, m, sample)) {
      EXPECT_EQ(m[1], current) << "a sample outside its family: " << line;
    } else {
      ADD_FAILURE() << "not a line of the text format: " << line;
    }
  }
}

TEST(MetricsExposition, WritesHelpTypeAndSamples) {
  std::vector<Family> families{
      {"ijro_reports_total", "Status reports processed.", Type::Counter, {{{}, 42}}},
      {"ijro_implementations", "Current implementations in the store.", Type::Gauge, {{{}, 7}}},
      {"ijro_sink_lag",
       "Changes in history a sink has not dealt with yet.",
       Type::Gauge,
       {{{{"instance", "files"}, {"kind", "sink"}}, 0}}},
  };
  const std::string text = render(families);
  EXPECT_EQ(text,
            "# HELP ijro_reports_total Status reports processed.\n"
            "# TYPE ijro_reports_total counter\n"
            "ijro_reports_total 42\n"
            "# HELP ijro_implementations Current implementations in the store.\n"
            "# TYPE ijro_implementations gauge\n"
            "ijro_implementations 7\n"
            "# HELP ijro_sink_lag Changes in history a sink has not dealt with yet.\n"
            "# TYPE ijro_sink_lag gauge\n"
            "ijro_sink_lag{instance=\"files\",kind=\"sink\"} 0\n");
  expectValidExposition(text);
}

TEST(MetricsExposition, EscapesLabelValues) {
  std::vector<Family> families{{"ijro_plugin_up",
                                "1 while the plugin instance runs.",
                                Type::Gauge,
                                {{{{"instance", "a \"quoted\" back\\slash\nnew line"}}, 1}}}};
  const std::string text = render(families);
  EXPECT_THAT(
      text,
      HasSubstr("ijro_plugin_up{instance=\"a \\\"quoted\\\" back\\\\slash\\nnew line\"} 1\n"));
  expectValidExposition(text);
}

TEST(MetricsExposition, KeepsUtf8AndReplacesBytesThatAreNot) {
  std::vector<Family> families{
      {"ijro_plugin_up",
       "1 while the plugin instance runs.",
       Type::Gauge,
       {{{{"instance", "sog'liq-ўзбек"}}, 1}, {{{"instance", "bad\xFF"}}, 0}}}};
  const std::string text = render(families);
  EXPECT_THAT(text, HasSubstr("{instance=\"sog'liq-ўзбек\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("{instance=\"bad\xEF\xBF\xBD\"} 0\n"));
  expectValidExposition(text);
}

TEST(MetricsExposition, LabelsInNameOrderSamplesAndFamiliesInTheOrderGiven) {
  std::vector<Family> families{
      {"b_total",
       "B.",
       Type::Counter,
       {{{{"name", "z"}, {"instance", "second"}}, 2}, {{{"name", "a"}, {"instance", "first"}}, 1}}},
      {"a_total", "A.", Type::Counter, {{{}, 3}}},
  };
  const auto got = lines(render(families));
  ASSERT_EQ(got.size(), 7u);
  EXPECT_EQ(got[2], "b_total{instance=\"second\",name=\"z\"} 2");
  EXPECT_EQ(got[3], "b_total{instance=\"first\",name=\"a\"} 1");
  EXPECT_EQ(got[4], "# HELP a_total A.");
}

TEST(MetricsExposition, WritesCountsAsExactIntegersAndNegativesAsThemselves) {
  std::vector<Family> families{
      {"big_total", "Big.", Type::Counter, {{{}, 9007199254740992.0}}},  // 2^53
      {"million_total", "Million.", Type::Counter, {{{}, 1e6}}},
      {"below_zero_total", "A plugin counter that went down.", Type::Counter, {{{}, -5}}},
      {"cursor", "Cursor.", Type::Gauge, {{{}, 123456789012.0}}},
  };
  const std::string text = render(families);
  EXPECT_THAT(text, HasSubstr("\nbig_total 9007199254740992\n"));
  EXPECT_THAT(text, HasSubstr("\nmillion_total 1000000\n"));
  EXPECT_THAT(text, HasSubstr("\nbelow_zero_total -5\n"));
  EXPECT_THAT(text, HasSubstr("\ncursor 123456789012\n"));
  expectValidExposition(text);
}

TEST(MetricsExposition, LeavesOutAFamilyWithoutSamples) {
  std::vector<Family> families{{"ijro_sink_lag", "Lag.", Type::Gauge, {}},
                               {"ijro_plugin_up", "Up.", Type::Gauge, {{{{"instance", "x"}}, 1}}}};
  const std::string text = render(families);
  EXPECT_THAT(text, Not(HasSubstr("ijro_sink_lag")));
  EXPECT_THAT(text, HasSubstr("ijro_plugin_up{instance=\"x\"} 1"));
  EXPECT_EQ(render(std::vector<Family>{}), "");
}

TEST(MetricsExposition, RefusesWhatWouldMakeThePageInvalid) {
  auto refused = [](std::vector<Family> families, const std::string& why) {
    try {
      render(families);
      ADD_FAILURE() << "rendered, expected a refusal with: " << why;
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), HasSubstr(why));
    }
  };
  refused({{"bad-name", "x", Type::Counter, {{{}, 1}}}}, "\"bad-name\" is not a valid metric name");
  refused({{"1st", "x", Type::Counter, {{{}, 1}}}}, "not a valid metric name");
  refused({{"a_total", "x", Type::Counter, {{{}, 1}}}, {"a_total", "y", Type::Counter, {}}},
          "the family \"a_total\" is given twice");
  refused({{"a_total", "two\nlines", Type::Counter, {{{}, 1}}}}, "backslash or a line break");
  refused({{"a_total", "back\\slash", Type::Counter, {{{}, 1}}}}, "backslash or a line break");
  refused({{"a_total", "x", Type::Counter, {{{{"bad-label", "v"}}, 1}}}},
          "\"bad-label\" (in \"a_total\") is not a valid label name");
  refused({{"a_total", "x", Type::Counter, {{{{"__reserved", "v"}}, 1}}}},
          "not a valid label name");
  refused({{"a_total", "x", Type::Counter, {{{{"instance", "a"}}, 1}, {{{"instance", "a"}}, 2}}}},
          "\"a_total\" has two samples with one label set");
}

}  // namespace
}  // namespace ijro::metrics
